// SPDX-License-Identifier: MIT
#include "pki/hkd_crl.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "pki/hkd_names.h"
#include "base/ssl_util.h"

enum crl_state {
	CRL_FOREIGN,	   /* names another issuer */
	CRL_BAD_SIGNATURE, /* names the issuer, but the issuer did not sign it */
	CRL_NO_CRL_SIGN,   /* signed by a CA whose key usage excludes signing CRLs */
	CRL_OUTDATED,	   /* authentic, but not valid now: not used at all */
	CRL_CURRENT,	   /* authentic and valid now */
};

/* What a current CRL says about the certificate's status when it does not list it. */
enum crl_scope {
	CRL_COVERS,	  /* complete for the certificate: the all-clear */
	CRL_OUT_OF_SCOPE, /* the issuer's, but partitioned to exclude the kind of certificate */
	CRL_OTHER_DP,	  /* the issuer's, but partitioned to another distribution point */
	CRL_UNSUPPORTED,  /* delta, indirect or reason-partitioned, or unknown critical extension */
};

DEFINE_POINTER_CLEANUP(AUTHORITY_KEYID, AUTHORITY_KEYID_free, authority_keyid_freep)
DEFINE_POINTER_CLEANUP(ISSUING_DIST_POINT, ISSUING_DIST_POINT_free, issuing_dist_point_freep)
DEFINE_POINTER_CLEANUP(CRL_DIST_POINTS, CRL_DIST_POINTS_free, crl_dist_points_freep)

int crl_pool_add(struct crl_pool *pool, STACK_OF(X509_CRL) * crls, const char *source,
		 struct errinfo *err)
{
	int count = sk_X509_CRL_num(crls);

	for (int i = 0; i < count; i++) {
		X509_CRL *crl = sk_X509_CRL_value(crls, i);
		struct crl_source *item;

		if (pool->nr == CRL_POOL_MAX)
			return err_set(err, -E2BIG, "%s: more than %d CRLs in one run", source,
				       CRL_POOL_MAX);
		if (pool->nr == pool->cap) {
			size_t cap = pool->cap ? 2 * pool->cap : 16;
			struct crl_source *items = realloc(pool->items, cap * sizeof(*items));

			if (!items)
				return err_set(err, -ENOMEM, "%s: out of memory", source);
			pool->items = items;
			pool->cap = cap;
		}
		item = &pool->items[pool->nr];
		item->source = strdup(source);
		if (!item->source || !X509_CRL_up_ref(crl)) {
			free(item->source);
			return err_set(err, -ENOMEM, "%s: out of memory", source);
		}
		item->crl = crl;
		pool->nr++;
	}
	return 0;
}

void crl_pool_done(struct crl_pool *pool)
{
	for (size_t i = 0; i < pool->nr; i++) {
		X509_CRL_free(pool->items[i].crl);
		free(pool->items[i].source);
	}
	free(pool->items);
	memset(pool, 0, sizeof(*pool));
}

static bool uri_equal(const GENERAL_NAME *a, const GENERAL_NAME *b)
{
	return a->type == GEN_URI && b->type == GEN_URI &&
	       ASN1_STRING_length(a->d.uniformResourceIdentifier) ==
		       ASN1_STRING_length(b->d.uniformResourceIdentifier) &&
	       memcmp(ASN1_STRING_get0_data(a->d.uniformResourceIdentifier),
		      ASN1_STRING_get0_data(b->d.uniformResourceIdentifier),
		      (size_t)ASN1_STRING_length(a->d.uniformResourceIdentifier)) == 0;
}

/* Whether one URI of a CRL's issuing distribution point is among @cert's distribution points. */
static bool idp_names_cert(const GENERAL_NAMES *idp_names, X509 *cert)
{
	_cleanup_(crl_dist_points_freep)
		CRL_DIST_POINTS *dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL,
							NULL);

	for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (!dp->distpoint || dp->distpoint->type != 0)
			continue;
		for (int j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++)
			for (int k = 0; k < sk_GENERAL_NAME_num(idp_names); k++)
				if (uri_equal(sk_GENERAL_NAME_value(dp->distpoint->name.fullname,
								    j),
					      sk_GENERAL_NAME_value(idp_names, k)))
					return true;
	}
	return false;
}

/*
 * RFC 5280 lets a CRL cover only part of what its issuer signed. segen knows
 * full CRLs and CRLs partitioned by distribution point or by certificate kind;
 * a CRL that covers only some reasons, or other issuers' certificates, would
 * need the rest of its set and is not used.
 */
/* RFC 5280: a CRL with a critical extension segen does not know must not clear anything. */
static bool crl_has_unknown_critical(X509_CRL *crl)
{
	for (int i = 0; i < X509_CRL_get_ext_count(crl); i++) {
		X509_EXTENSION *ext = X509_CRL_get_ext(crl, i);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));

		if (X509_EXTENSION_get_critical(ext) && nid != NID_issuing_distribution_point &&
		    nid != NID_authority_key_identifier && nid != NID_crl_number &&
		    nid != NID_delta_crl)
			return true;
	}
	return false;
}

static enum crl_scope crl_scope(X509_CRL *crl, X509 *cert)
{
	_cleanup_(issuing_dist_point_freep) ISSUING_DIST_POINT *idp = NULL;
	int crit = -1;

	if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0 || crl_has_unknown_critical(crl))
		return CRL_UNSUPPORTED;
	idp = X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &crit, NULL);
	if (!idp)
		return crit == -1 ? CRL_COVERS : CRL_UNSUPPORTED;
	if (idp->onlysomereasons || idp->indirectCRL)
		return CRL_UNSUPPORTED;
	if (idp->onlyattr || (idp->onlyuser && X509_check_ca(cert)) ||
	    (idp->onlyCA && !X509_check_ca(cert)))
		return CRL_OUT_OF_SCOPE;
	if (idp->distpoint) {
		if (idp->distpoint->type != 0)
			return CRL_UNSUPPORTED;
		if (!idp_names_cert(idp->distpoint->name.fullname, cert))
			return CRL_OTHER_DP;
	}
	return CRL_COVERS;
}

static enum crl_state crl_assess(X509_CRL *crl, X509 *issuer)
{
	_cleanup_(authority_keyid_freep) AUTHORITY_KEYID *akid = NULL;
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	EVP_PKEY *issuer_key = X509_get0_pubkey(issuer);
	int crit = -1;

	if (!crl_issuer_matches(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)))
		return CRL_FOREIGN;
	akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &crit, NULL);
	if ((!akid && crit != -1) || (akid && X509_check_akid(issuer, akid) != X509_V_OK))
		return CRL_BAD_SIGNATURE;
	if (!issuer_key || X509_CRL_verify(crl, issuer_key) != 1) {
		ERR_clear_error();
		return CRL_BAD_SIGNATURE;
	}
	/*
	 * OpenSSL's chain check in IBM's tool refuses a CA's CRL without the
	 * cRLSign key usage; the IBM Z signing key is no CA and signs its CRLs
	 * with digitalSignature alone, which IBM's document check accepts.
	 */
	if (X509_check_ca(issuer) && (X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(issuer) & KU_CRL_SIGN))
		return CRL_NO_CRL_SIGN;
	if (X509_cmp_current_time(X509_CRL_get0_lastUpdate(crl)) >= 0 || !next ||
	    X509_cmp_current_time(next) <= 0)
		return CRL_OUTDATED;
	return CRL_CURRENT;
}

static int report_revoked(const struct crl_source *item, const X509_REVOKED *entry,
			  struct errinfo *err)
{
	char when[TIME_STR_SIZE];

	asn1_time_to_str(X509_REVOKED_get0_revocationDate(entry), when);
	return err_set(err, -EKEYREVOKED, "revoked on %s (CRL %s)", when, item->source);
}

static int report_outdated(const struct crl_source *item, struct errinfo *err)
{
	const ASN1_TIME *last = X509_CRL_get0_lastUpdate(item->crl);
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(item->crl);
	char when[TIME_STR_SIZE];

	if (X509_cmp_current_time(last) >= 0) {
		asn1_time_to_str(last, when);
		return err_set(err, -EKEYEXPIRED, "CRL outdated: %s is valid only from %s",
			       item->source, when);
	}
	if (!next)
		return err_set(err, -EKEYEXPIRED, "CRL outdated: %s has no next-update time",
			       item->source);
	asn1_time_to_str(next, when);
	return err_set(err, -EKEYEXPIRED, "CRL outdated: %s expired on %s", item->source, when);
}

static int report_missing(const struct crl_source *bad_signature,
			  const struct crl_source *no_crl_sign,
			  const struct crl_source *unsupported, const struct crl_source *other_dp,
			  const struct crl_source *out_of_scope, const char *issuer_desc,
			  struct errinfo *err)
{
	if (no_crl_sign)
		return err_set(err, -ENOENT,
			       "no CRL found: %s is signed by its issuer, whose key usage does not "
			       "allow signing CRLs (cRLSign)",
			       no_crl_sign->source);
	if (bad_signature)
		return err_set(err, -ENOENT,
			       "no CRL found: %s names the issuer but its signature does not verify "
			       "with the issuer's key",
			       bad_signature->source);
	if (unsupported && crl_has_unknown_critical(unsupported->crl))
		return err_set(err, -ENOENT,
			       "no CRL found: %s has a critical extension segen does not know, so "
			       "segen does not use it",
			       unsupported->source);
	if (unsupported)
		return err_set(err, -ENOENT,
			       "no CRL found: %s is a delta, indirect or partial CRL, which segen "
			       "does not use",
			       unsupported->source);
	/* Said apart: the usual cure is the CRL of the certificate's own distribution point. */
	if (other_dp)
		return err_set(err, -ENOENT,
			       "no CRL found: %s covers another distribution point of %s, not "
			       "this certificate's",
			       other_dp->source, issuer_desc);
	if (out_of_scope)
		return err_set(err, -ENOENT,
			       "no CRL found: %s covers only another kind of certificate of %s",
			       out_of_scope->source, issuer_desc);
	return err_set(err, -ENOENT, "no CRL found from its issuer %s", issuer_desc);
}

int crl_check_revocation(const struct crl_pool *pool, X509 *cert, X509 *issuer,
			 const char *issuer_desc, struct errinfo *err)
{
	const struct crl_source *outdated = NULL, *bad_signature = NULL, *unsupported = NULL;
	const struct crl_source *no_crl_sign = NULL, *other_dp = NULL, *out_of_scope = NULL;
	bool covered = false;

	for (size_t i = 0; i < pool->nr; i++) {
		const struct crl_source *item = &pool->items[i];
		X509_REVOKED *entry = NULL;

		switch (crl_assess(item->crl, issuer)) {
		case CRL_FOREIGN:
			continue;
		case CRL_BAD_SIGNATURE:
			bad_signature = bad_signature ?: item;
			continue;
		case CRL_NO_CRL_SIGN:
			no_crl_sign = no_crl_sign ?: item;
			continue;
		case CRL_OUTDATED:
			/* Only explains a missing CRL; one that does not cover the certificate cannot. */
			if (crl_scope(item->crl, cert) == CRL_COVERS)
				outdated = outdated ?: item;
			continue;
		case CRL_CURRENT:
			break;
		}
		/*
		 * A current CRL of the issuer that lists the certificate revokes
		 * it, whatever its kind or partition: IBM's tool ignores those
		 * extensions and would refuse it, and the issuer signed that
		 * serial number. (The lookup by serial skips entries that an
		 * indirect CRL marks as another issuer's; by certificate it would
		 * also insist on the exact issuer name, which IBM's CRLs do not
		 * have.) Outdated CRLs are not used, as in IBM's tool: the
		 * current CRL is the word on the certificate.
		 */
		if (X509_CRL_get0_by_serial(item->crl, &entry, X509_get0_serialNumber(cert)) == 1)
			return report_revoked(item, entry, err);
		switch (crl_scope(item->crl, cert)) {
		case CRL_COVERS:
			covered = true;
			break;
		case CRL_UNSUPPORTED:
			unsupported = unsupported ?: item;
			break;
		case CRL_OUT_OF_SCOPE:
			out_of_scope = out_of_scope ?: item;
			break;
		case CRL_OTHER_DP:
			other_dp = other_dp ?: item;
			break;
		}
	}
	if (covered)
		return 0;
	if (outdated)
		return report_outdated(outdated, err);
	return report_missing(bad_signature, no_crl_sign, unsupported, other_dp, out_of_scope,
			      issuer_desc, err);
}
