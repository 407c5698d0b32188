// SPDX-License-Identifier: MIT
#include "pki/hkd_verify.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "pki/hkd_crl.h"
#include "pki/hkd_names.h"
#include "pki/hostkey.h"
#include "pki/pki_load.h"
#include "base/ssl_util.h"

#define ROLE_HKD "host-key document"
#define ROLE_SIGNING_KEY "IBM Z signing key"
#define ROLE_CA "CA certificate"
#define ROLE_ROOT "root CA"
#define SYSTEM_STORE "(system CA store)"

/* Download failures are kept for the message that explains a missing CRL. */
#define FETCH_NOTES_SIZE 480

struct known_cert {
	X509 *cert;
	char *path;
};

struct hkd_verifier {
	struct known_cert *certs; /* every certificate of every -C file */
	size_t nr_certs;
	STACK_OF(X509) * untrusted; /* the same, for OpenSSL's chain building */
	struct known_cert *roots; /* the self-signed certificates of --root-ca; none: system store */
	size_t nr_roots;
	X509_STORE *store;
	struct crl_pool crls;
	struct crl_fetcher *fetcher;	   /* NULL when offline */
	const struct known_cert **signers; /* the IBM Z signing keys among certs */
	size_t nr_signers;
};

DEFINE_POINTER_CLEANUP(X509_STORE_CTX, X509_STORE_CTX_free, x509_store_ctx_freep)
DEFINE_POINTER_CLEANUP(AUTHORITY_KEYID, AUTHORITY_KEYID_free, authority_keyid_freep)
DEFINE_POINTER_CLEANUP(CRL_DIST_POINTS, CRL_DIST_POINTS_free, crl_dist_points_freep)
DEFINE_POINTER_CLEANUP(struct hkd_verifier, hkd_verifier_free, hkd_verifier_freep)

/* Put "FILE: ROLE \"SUBJECT\"" in front of the reason already in @err. */
static int blame(struct errinfo *err, int rc, const char *file, const char *role, X509 *cert)
{
	char subject[NAME_STR_SIZE];

	x509_name_to_str(X509_get_subject_name(cert), subject);
	return err_prefix(err, rc, "%s: %s \"%s\"", file, role, subject);
}

static const char *cert_file(const struct hkd_verifier *v, X509 *cert)
{
	for (size_t i = 0; i < v->nr_certs; i++)
		if (X509_cmp(v->certs[i].cert, cert) == 0)
			return v->certs[i].path;
	for (size_t i = 0; i < v->nr_roots; i++)
		if (X509_cmp(v->roots[i].cert, cert) == 0)
			return v->roots[i].path;
	return SYSTEM_STORE;
}

static const char *trust_source(const struct hkd_verifier *v)
{
	return v->nr_roots ? v->roots[0].path : "system CA store";
}

static int add_known_cert(struct hkd_verifier *v, X509 *cert, const char *path, struct errinfo *err)
{
	struct known_cert *certs;

	if (v->nr_certs >= PKI_BUNDLE_MAX_OBJECTS)
		return err_set(err, -E2BIG, "%s: more than %d certificates given with -C", path,
			       PKI_BUNDLE_MAX_OBJECTS);
	certs = realloc(v->certs, (v->nr_certs + 1) * sizeof(*certs));
	if (!certs)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	v->certs = certs;
	certs[v->nr_certs].path = strdup(path);
	if (!certs[v->nr_certs].path || !X509_up_ref(cert)) {
		free(certs[v->nr_certs].path);
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	certs[v->nr_certs].cert = cert;
	v->nr_certs++;
	/* The untrusted stack holds a reference of its own. */
	if (!X509_up_ref(cert))
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	if (!sk_X509_push(v->untrusted, cert)) {
		X509_free(cert);
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	return 0;
}

/* -C files: certificates, and the CRLs that "chained" files carry along. */
static int load_cert_files(struct hkd_verifier *v, const struct hkd_verify_opts *opts,
			   struct errinfo *err)
{
	for (size_t i = 0; i < opts->nr_cert_paths; i++) {
		_cleanup_(x509_stack_freep) STACK_OF(X509) *certs = NULL;
		_cleanup_(x509_crl_stack_freep) STACK_OF(X509_CRL) *crls = NULL;
		const char *path = opts->cert_paths[i];
		int rc;

		rc = pki_load_bundle(path, &certs, &crls, err);
		if (rc)
			return rc;
		if (sk_X509_num(certs) == 0)
			return err_set(err, -EINVAL, "%s: holds no certificate (CRLs go to --crl)",
				       path);
		for (int j = 0; j < sk_X509_num(certs); j++) {
			rc = add_known_cert(v, sk_X509_value(certs, j), path, err);
			if (rc)
				return rc;
		}
		rc = crl_pool_add(&v->crls, crls, path, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_crl_files(struct hkd_verifier *v, const struct hkd_verify_opts *opts,
			  struct errinfo *err)
{
	for (size_t i = 0; i < opts->nr_crl_paths; i++) {
		_cleanup_(x509_crl_stack_freep) STACK_OF(X509_CRL) *crls = NULL;
		int rc;

		rc = pki_load_crls(opts->crl_paths[i], &crls, err);
		if (rc)
			return rc;
		rc = crl_pool_add(&v->crls, crls, opts->crl_paths[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

static int add_root(struct hkd_verifier *v, X509 *root, const char *path, struct errinfo *err)
{
	struct known_cert *roots = realloc(v->roots, (v->nr_roots + 1) * sizeof(*roots));

	if (!roots)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	v->roots = roots;
	roots[v->nr_roots].path = strdup(path);
	if (!roots[v->nr_roots].path || !X509_STORE_add_cert(v->store, root) ||
	    !X509_up_ref(root)) {
		free(roots[v->nr_roots].path);
		return err_set_ssl(err, -ENOMEM, "%s: cannot add the root CA", path);
	}
	roots[v->nr_roots++].cert = root;
	return 0;
}

/*
 * A bundle, as IBM's tool takes one (it reads its first certificate): every
 * self-signed certificate in it is a trust anchor, any other one only helps
 * to build chains, as a -C certificate does, so no intermediate that found
 * its way into the file can become an anchor. Its CRLs go into the pool.
 */
static int load_root_ca(struct hkd_verifier *v, const char *path, struct errinfo *err)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *certs = NULL;
	_cleanup_(x509_crl_stack_freep) STACK_OF(X509_CRL) *crls = NULL;
	int rc;

	rc = pki_load_bundle(path, &certs, &crls, err);
	if (rc)
		return err_prefix(err, rc, "--root-ca");
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *cert = sk_X509_value(certs, i);

		if (X509_self_signed(cert, 1) == 1)
			rc = add_root(v, cert, path, err);
		else
			rc = add_known_cert(v, cert, path, err);
		ERR_clear_error();
		if (rc)
			return rc;
	}
	if (!v->nr_roots)
		return err_set(err, -EINVAL, "%s: holds no self-signed root CA", path);
	return crl_pool_add(&v->crls, crls, path, err);
}

static int find_signers(struct hkd_verifier *v, struct errinfo *err)
{
	v->signers = calloc(v->nr_certs, sizeof(*v->signers));
	if (!v->signers)
		return err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < v->nr_certs; i++) {
		bool seen = false;

		if (!ibm_is_signing_subject(X509_get_subject_name(v->certs[i].cert)))
			continue;
		/* The same key may come twice, as PEM and as DER, say. */
		for (size_t j = 0; j < v->nr_signers && !seen; j++)
			seen = X509_cmp(v->signers[j]->cert, v->certs[i].cert) == 0;
		if (!seen)
			v->signers[v->nr_signers++] = &v->certs[i];
	}
	/* Say why when the name looks right to a reader that stops at the NUL. */
	for (size_t i = 0; i < v->nr_certs && v->nr_signers == 0; i++) {
		const X509_NAME *subject = X509_get_subject_name(v->certs[i].cert);
		char name[NAME_STR_SIZE];

		if (!x509_name_has_nul(subject))
			continue;
		x509_name_to_str(subject, name);
		return err_set(err, -ENOENT,
			       "%s: \"%s\" has a NUL character in its name, so it is no IBM Z "
			       "signing key, and no other -C certificate is one",
			       v->certs[i].path, name);
	}
	if (v->nr_signers == 0)
		return err_set(err, -ENOENT,
			       "none of the -C certificates is an IBM Z signing key (subject C=US, "
			       "ST=New York, L=Poughkeepsie or Armonk, O and CN International "
			       "Business Machines Corporation, OU ending in Key Signing Service)");
	return 0;
}

/* Append "; @note" to @notes, cut to what fits: the notes only explain. */
static void note_append(char notes[FETCH_NOTES_SIZE], const char *note)
{
	size_t len = strlen(notes), copy;

	if (len && len + 2 < FETCH_NOTES_SIZE) {
		memcpy(notes + len, "; ", 2);
		len += 2;
	}
	copy = MIN(strlen(note), FETCH_NOTES_SIZE - 1 - len);
	memcpy(notes + len, note, copy);
	notes[len + copy] = 0;
}

static bool crl_pool_has_source(const struct crl_pool *pool, const char *source)
{
	for (size_t i = 0; i < pool->nr; i++)
		if (strcmp(pool->items[i].source, source) == 0)
			return true;
	return false;
}

/* The URL a distribution point names, NUL-terminated in @url; false for anything else. */
static bool dist_point_url(const GENERAL_NAME *name, char url[CRL_URL_MAX + 1])
{
	int len;

	if (name->type != GEN_URI)
		return false;
	len = ASN1_STRING_length(name->d.uniformResourceIdentifier);
	if (len <= 0 || len > CRL_URL_MAX)
		return false;
	memcpy(url, ASN1_STRING_get0_data(name->d.uniformResourceIdentifier), (size_t)len);
	url[len] = 0;
	/* An embedded NUL would make the URL say something else than the certificate. */
	return strlen(url) == (size_t)len;
}

/*
 * Download the CRLs from @cert's distribution points into the pool; the
 * points are alternatives, so the first one that delivers is enough. Failures
 * are not fatal (the CRL may come from a file), but they go to @notes so that
 * a missing CRL can be explained.
 */
static int fetch_cert_crls(struct hkd_verifier *v, X509 *cert, char notes[FETCH_NOTES_SIZE],
			   struct errinfo *err)
{
	_cleanup_(crl_dist_points_freep) CRL_DIST_POINTS *dps = NULL;

	notes[0] = 0;
	if (!v->fetcher)
		return 0;
	dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	ERR_clear_error();
	for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (!dp->distpoint || dp->distpoint->type != 0)
			continue;
		for (int j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++) {
			GENERAL_NAME *name = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j);
			struct errinfo fetch_err = { "" };
			STACK_OF(X509_CRL) *crls = NULL;
			char url[CRL_URL_MAX + 1];

			if (!dist_point_url(name, url))
				continue;
			if (crl_fetch(v->fetcher, url, &crls, &fetch_err)) {
				note_append(notes, fetch_err.msg);
				continue;
			}
			if (crl_pool_has_source(&v->crls, url))
				return 0;
			return crl_pool_add(&v->crls, crls, url, err);
		}
	}
	return 0;
}

/* The CRL check of one link; the reason (and failed downloads) end up in @err. */
static int check_revocation(struct hkd_verifier *v, X509 *cert, X509 *issuer, struct errinfo *err)
{
	const char *issuer_file = cert_file(v, issuer);
	char notes[FETCH_NOTES_SIZE], issuer_desc[NAME_STR_SIZE + 2];
	size_t len;
	int rc;

	if (strcmp(issuer_file, SYSTEM_STORE) == 0) {
		issuer_desc[0] = '"';
		x509_name_to_str(X509_get_subject_name(issuer), issuer_desc + 1);
		strcat(issuer_desc, "\"");
	} else {
		snprintf(issuer_desc, sizeof(issuer_desc), "%s", issuer_file);
	}
	rc = fetch_cert_crls(v, cert, notes, err);
	if (rc)
		return rc;
	rc = crl_check_revocation(&v->crls, cert, issuer, issuer_desc, err);
	if (err && (rc == -ENOENT || rc == -EKEYEXPIRED) && notes[0]) {
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, " (download: %s)", notes);
	}
	return rc;
}

static const char *chain_role(const struct known_cert *signer, X509 *cert)
{
	if (X509_cmp(cert, signer->cert) == 0)
		return ROLE_SIGNING_KEY;
	if (X509_self_signed(cert, 0) == 1)
		return ROLE_ROOT;
	return ROLE_CA;
}

/* A -C certificate (or the root) that has the name of @cert's issuer, but is not @cert itself. */
static const char *issuer_namesake_file(const struct hkd_verifier *v, X509 *cert)
{
	const X509_NAME *issuer = X509_get_issuer_name(cert);

	for (size_t i = 0; i < v->nr_certs; i++)
		if (X509_cmp(v->certs[i].cert, cert) != 0 &&
		    x509_name_equal_unordered(X509_get_subject_name(v->certs[i].cert), issuer))
			return v->certs[i].path;
	for (size_t i = 0; i < v->nr_roots; i++)
		if (x509_name_equal_unordered(X509_get_subject_name(v->roots[i].cert), issuer))
			return v->roots[i].path;
	return NULL;
}

static int report_chain_error(const struct hkd_verifier *v, X509_STORE_CTX *ctx,
			      const struct known_cert *signer, struct errinfo *err)
{
	X509 *cert = X509_STORE_CTX_get_current_cert(ctx) ?: signer->cert;
	int code = X509_STORE_CTX_get_error(ctx);
	char name[NAME_STR_SIZE], when[TIME_STR_SIZE];
	const char *namesake;
	int rc = -EKEYREJECTED;

	ERR_clear_error();
	x509_name_to_str(X509_get_issuer_name(cert), name);
	switch (code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		asn1_time_to_str(X509_get0_notAfter(cert), when);
		rc = err_set(err, -EKEYEXPIRED, "expired on %s", when);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		asn1_time_to_str(X509_get0_notBefore(cert), when);
		rc = err_set(err, -EKEYREJECTED, "not yet valid: valid from %s", when);
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
		rc = err_set(err, -EBADMSG,
			     "bad signature: the key of its issuer \"%s\" does not verify it",
			     name);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_AKID_SKID_MISMATCH:
	case X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH:
	case X509_V_ERR_SUBJECT_ISSUER_MISMATCH:
		namesake = issuer_namesake_file(v, cert);
		if (namesake)
			rc = err_set(err, rc,
				     "wrong issuer: %s has the name of its issuer, but not the key "
				     "that signed it",
				     namesake);
		else
			rc = err_set(err, rc,
				     "wrong issuer: its issuer \"%s\" is neither among the -C "
				     "certificates nor a trusted root CA (%s)",
				     name, trust_source(v));
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		rc = err_set(err, rc,
			     "wrong issuer: self-signed, but not a trusted root CA (%s); name "
			     "the root CA with --root-ca",
			     trust_source(v));
		break;
	case X509_V_ERR_NO_EXPLICIT_POLICY:
		rc = err_set(err, rc,
			     "not trusted: a CA of the chain requires an explicit certificate "
			     "policy, and the chain asserts none");
		break;
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
		rc = err_set(err, rc, "wrong issuer: more than %d CAs between it and the root",
			     HKD_CHAIN_MAX_INTERMEDIATES);
		break;
	default:
		rc = err_set(err, rc, "not trusted: %s", X509_verify_cert_error_string(code));
		break;
	}
	return blame(err, rc, cert_file(v, cert), chain_role(signer, cert), cert);
}

/*
 * OpenSSL builds and checks the chain (signatures, validity, CA constraints,
 * a trusted root); the CRL of every link is checked here afterwards, so that
 * only URLs from trusted certificates are downloaded and both IBM's CRL
 * naming and the messages are under our control.
 */
static int verify_signer_chain(struct hkd_verifier *v, const struct known_cert *signer,
			       struct errinfo *err)
{
	_cleanup_(x509_store_ctx_freep) X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	_cleanup_(x509_stack_freep) STACK_OF(X509) *chain = NULL;
	X509_VERIFY_PARAM *param;
	int rc, len;

	if (!ctx || X509_STORE_CTX_init(ctx, v->store, signer->cert, v->untrusted) != 1)
		return err_set_ssl(err, -ENOMEM, "%s: cannot set up the chain verification",
				   signer->path);
	param = X509_STORE_CTX_get0_param(ctx);
	/* IBM's verification flags; its CRL flags are replaced by the checks below. */
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT |
						   X509_V_FLAG_CHECK_SS_SIGNATURE |
						   X509_V_FLAG_POLICY_CHECK);
	X509_VERIFY_PARAM_set_depth(param, HKD_CHAIN_MAX_INTERMEDIATES);
	X509_VERIFY_PARAM_set_auth_level(param, HKD_CHAIN_AUTH_LEVEL);
	if (X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY) != 1)
		return err_set_ssl(err, -EIO, "%s: cannot set up the chain verification",
				   signer->path);
	if (X509_verify_cert(ctx) != 1)
		return report_chain_error(v, ctx, signer, err);
	chain = X509_STORE_CTX_get1_chain(ctx);
	len = sk_X509_num(chain);
	if (len < 2) {
		err_set(err, -EKEYREJECTED, "wrong issuer: itself a trust anchor");
		return blame(err, -EKEYREJECTED, signer->path, ROLE_SIGNING_KEY, signer->cert);
	}
	/*
	 * The root too: it issues its own CRL, and IBM's tool (OpenSSL's check
	 * of the whole chain) refuses a root that this CRL lists.
	 */
	for (int i = 0; i < len; i++) {
		X509 *cert = sk_X509_value(chain, i);

		rc = check_revocation(v, cert, sk_X509_value(chain, MIN(i + 1, len - 1)), err);
		if (rc)
			return blame(err, rc, cert_file(v, cert), chain_role(signer, cert), cert);
	}
	return 0;
}

static int check_opts(const struct hkd_verify_opts *opts, struct errinfo *err)
{
	if (opts->nr_cert_paths == 0)
		return err_set(err, -EINVAL,
			       "no certificates: give the IBM Z signing key and the intermediate CA "
			       "with -C");
	if (opts->nr_cert_paths > HKD_VERIFY_MAX_FILES || opts->nr_crl_paths > HKD_VERIFY_MAX_FILES)
		return err_set(err, -E2BIG, "more than %d certificate or CRL files",
			       HKD_VERIFY_MAX_FILES);
	return 0;
}

int hkd_verifier_new(const struct hkd_verify_opts *opts, struct hkd_verifier **ret_verifier,
		     struct errinfo *err)
{
	_cleanup_(hkd_verifier_freep) struct hkd_verifier *v = NULL;
	int rc;

	rc = check_opts(opts, err);
	if (rc)
		return rc;
	v = calloc(1, sizeof(*v));
	if (!v)
		return err_set(err, -ENOMEM, "out of memory");
	v->untrusted = sk_X509_new_null();
	v->store = X509_STORE_new();
	if (!v->untrusted || !v->store)
		return err_set(err, -ENOMEM, "out of memory");
	if (!opts->offline) {
		rc = crl_fetcher_new(opts->fetch, &v->fetcher);
		if (rc)
			return err_set(err, rc, "cannot set up CRL downloads: %s", strerror(-rc));
	}
	rc = load_cert_files(v, opts, err);
	if (rc)
		return rc;
	rc = load_crl_files(v, opts, err);
	if (rc)
		return rc;
	if (opts->root_ca_path)
		rc = load_root_ca(v, opts->root_ca_path, err);
	else if (X509_STORE_set_default_paths(v->store) != 1)
		rc = err_set_ssl(err, -EIO, "cannot load the system CA store");
	if (rc)
		return rc;
	rc = find_signers(v, err);
	for (size_t i = 0; !rc && i < v->nr_signers; i++)
		rc = verify_signer_chain(v, v->signers[i], err);
	if (rc)
		return rc;
	*ret_verifier = TAKE_PTR(v);
	return 0;
}

/*
 * The signing key that issued the document, decided as IBM's tool decides: by
 * the authority key identifier (when the document has one) and the signature,
 * never by the issuer name. IBM re-issued its signing key with another
 * locality, and documents issued before name the old one; the key is the same.
 * Several signing keys may be given (a roll-over), so a mismatch with one is
 * only reported when none fits; the issuer name only picks the message.
 */
static int find_issuing_signer(const struct hkd_verifier *v, X509 *hkd,
			       const struct known_cert **ret_signer, struct errinfo *err)
{
	_cleanup_(authority_keyid_freep) AUTHORITY_KEYID *akid = NULL;
	const struct known_cert *bad_signature = NULL, *akid_namesake = NULL;
	const X509_NAME *issuer = X509_get_issuer_name(hkd);
	char name[NAME_STR_SIZE];
	int crit = -1;

	akid = X509_get_ext_d2i(hkd, NID_authority_key_identifier, &crit, NULL);
	ERR_clear_error();
	for (size_t i = 0; i < v->nr_signers; i++) {
		const struct known_cert *signer = v->signers[i];
		bool namesake = crl_issuer_matches(issuer, X509_get_subject_name(signer->cert));

		/* An authority key identifier that cannot be read is no match either. */
		if ((!akid && crit != -1) ||
		    (akid && X509_check_akid(signer->cert, akid) != X509_V_OK)) {
			if (namesake && !akid_namesake)
				akid_namesake = signer;
			continue;
		}
		if (X509_verify(hkd, X509_get0_pubkey(signer->cert)) != 1) {
			ERR_clear_error();
			/* Without an identifier, only the name says which key was meant. */
			if ((akid || namesake) && !bad_signature)
				bad_signature = signer;
			continue;
		}
		*ret_signer = signer;
		return 0;
	}
	if (bad_signature)
		return err_set(err, -EBADMSG,
			       "bad signature: not signed by the IBM Z signing key %s",
			       bad_signature->path);
	if (akid_namesake)
		return err_set(err, -EKEYREJECTED,
			       "wrong issuer: its authority key identifier is not that of the IBM Z "
			       "signing key %s",
			       akid_namesake->path);
	x509_name_to_str(issuer, name);
	return err_set(err, -EKEYREJECTED,
		       "wrong issuer: issued by \"%s\", which is not an IBM Z signing key given "
		       "with -C",
		       name);
}

static int check_validity(X509 *cert, struct errinfo *err)
{
	const ASN1_TIME *not_before = X509_get0_notBefore(cert);
	const ASN1_TIME *not_after = X509_get0_notAfter(cert);
	char when[TIME_STR_SIZE];

	if (X509_cmp_current_time(not_before) >= 0) {
		asn1_time_to_str(not_before, when);
		return err_set(err, -EKEYREJECTED, "not yet valid: valid from %s", when);
	}
	if (X509_cmp_current_time(not_after) <= 0) {
		asn1_time_to_str(not_after, when);
		return err_set(err, -EKEYEXPIRED, "expired on %s", when);
	}
	return 0;
}

/* hostkey_from_pkey() owns the curve rule; "wrong curve" leads its message. */
static int check_curve(X509 *hkd, struct errinfo *err)
{
	EVP_PKEY *pkey = X509_get0_pubkey(hkd);
	struct hostkey key;
	int rc;

	if (!pkey)
		return err_set_ssl(err, -EINVAL, "wrong curve: no usable public key");
	rc = hostkey_from_pkey(pkey, "wrong curve", &key, err);
	if (rc)
		return rc;
	hostkey_done(&key);
	return 0;
}

int hkd_verifier_check(struct hkd_verifier *v, X509 *hkd, const char *path, struct errinfo *err)
{
	const struct known_cert *signer = NULL;
	int rc;

	rc = find_issuing_signer(v, hkd, &signer, err);
	if (!rc)
		rc = check_validity(hkd, err);
	/* Only now are the document's distribution points IBM's word, worth a download. */
	if (!rc)
		rc = check_revocation(v, hkd, signer->cert, err);
	if (!rc)
		rc = check_curve(hkd, err);
	if (rc)
		return blame(err, rc, path, ROLE_HKD, hkd);
	return 0;
}

void hkd_verifier_free(struct hkd_verifier *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nr_certs; i++) {
		X509_free(v->certs[i].cert);
		free(v->certs[i].path);
	}
	free(v->certs);
	free(v->signers);
	if (v->untrusted)
		sk_X509_pop_free(v->untrusted, X509_free);
	for (size_t i = 0; i < v->nr_roots; i++) {
		X509_free(v->roots[i].cert);
		free(v->roots[i].path);
	}
	free(v->roots);
	X509_STORE_free(v->store);
	crl_pool_done(&v->crls);
	crl_fetcher_free(v->fetcher);
	free(v);
}

int hkd_verify_documents(const struct hkd_verify_opts *opts, X509 *const *hkds,
			 const char *const *hkd_paths, size_t nr_hkds, struct errinfo *err)
{
	_cleanup_(hkd_verifier_freep) struct hkd_verifier *v = NULL;
	int rc;

	if (nr_hkds == 0)
		return err_set(err, -EINVAL, "no host-key document to verify");
	rc = hkd_verifier_new(opts, &v, err);
	for (size_t i = 0; !rc && i < nr_hkds; i++)
		rc = hkd_verifier_check(v, hkds[i], hkd_paths[i], err);
	return rc;
}
