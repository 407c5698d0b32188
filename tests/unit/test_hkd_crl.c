// SPDX-License-Identifier: MIT
/*
 * Revocation decisions of hkd_crl against a PKI generated for this run
 * (tests/pki/make-test-pki, every date relative to now): which CRLs count,
 * which clear a certificate and which listings revoke it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tap.h"

#include "pki/hkd_crl.h"
#include "pki/pki_load.h"
#include "base/ssl_util.h"

#define MAX_CRLS 3

struct crl_case {
	const char *name;
	const char *cert;
	const char *issuer;
	const char *crls[MAX_CRLS];
	int rc;
	const char *reason; /* expected in the message; NULL when rc is 0 */
};

static const struct crl_case cases[] = {
	{ "a current CRL clears", "hkd.crt", "signing.crt", { "signing_exact.crl" }, 0, NULL },
	{ "a current CRL revokes",
	  "hkd_rev.crt",
	  "signing.crt",
	  { "signing_exact.crl" },
	  -EKEYREVOKED,
	  "revoked on " },
	{ "an outdated listing next to a current CRL is no revocation",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_old_listing.crl", "signing_exact.crl" },
	  0,
	  NULL },
	{ "... in either order",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_exact.crl", "signing_old_listing.crl" },
	  0,
	  NULL },
	{ "an outdated CRL alone",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_old_listing.crl" },
	  -EKEYEXPIRED,
	  "CRL outdated: " },
	{ "issuer name in lower case: the CRL counts",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_lower.crl" },
	  0,
	  NULL },
	{ "issuer name in lower case: its listing revokes",
	  "hkd_rev.crt",
	  "signing.crt",
	  { "signing_lower.crl" },
	  -EKEYREVOKED,
	  "(CRL signing_lower.crl)" },
	{ "an unrelated issuer name, though signed by the key",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_other_name.crl" },
	  -ENOENT,
	  "no CRL found from its issuer ISSUER" },
	{ "a Poughkeepsie CRL for the Armonk key",
	  "hkd.crt",
	  "signing_armonk.crt",
	  { "signing_exact.crl" },
	  0,
	  NULL },
	{ "an Armonk, reordered CRL for the Poughkeepsie key",
	  "hkd_rev.crt",
	  "signing.crt",
	  { "www/signing.crl" },
	  -EKEYREVOKED,
	  "(CRL www/signing.crl)" },
	{ "a forged CRL",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_badsig.crl" },
	  -ENOENT,
	  "signature does not verify" },
	{ "a delta CRL does not clear",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_delta.crl" },
	  -ENOENT,
	  "is a delta, indirect or partial CRL" },
	{ "a delta CRL's listing revokes",
	  "hkd_rev.crt",
	  "signing.crt",
	  { "signing_delta.crl" },
	  -EKEYREVOKED,
	  "(CRL signing_delta.crl)" },
	{ "an unknown critical extension does not clear",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_critical.crl" },
	  -ENOENT,
	  "critical extension segen does not know" },
	{ "an unknown critical extension's listing revokes",
	  "hkd_rev.crt",
	  "signing.crt",
	  { "signing_critical.crl" },
	  -EKEYREVOKED,
	  "(CRL signing_critical.crl)" },
	{ "a CA-only CRL does not clear a document",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_idp_ca.crl" },
	  -ENOENT,
	  "signing_idp_ca.crl covers only another kind of certificate of ISSUER" },
	{ "a CA-only CRL's listing revokes",
	  "hkd_rev.crt",
	  "signing.crt",
	  { "signing_idp_ca.crl" },
	  -EKEYREVOKED,
	  "(CRL signing_idp_ca.crl)" },
	{ "a root its own CRL lists",
	  "root_rev.crt",
	  "root_rev.crt",
	  { "root_rev.crl" },
	  -EKEYREVOKED,
	  "(CRL root_rev.crl)" },
	{ "a root its own CRL does not list",
	  "root_rev.crt",
	  "root_rev.crt",
	  { "root_rev_clean.crl" },
	  0,
	  NULL },
	{ "a CA whose key usage lacks cRLSign",
	  "signing_ncs.crt",
	  "inter_ncs.crt",
	  { "inter_ncs.crl" },
	  -ENOENT,
	  "does not allow signing CRLs (cRLSign)" },
	{ "the signing key signs CRLs under digitalSignature",
	  "hkd.crt",
	  "signing.crt",
	  { "signing.der.crl" },
	  0,
	  NULL },
	/* These two are made by make_crl(), not by make-test-pki. */
	{ "a CRL without a next update does not clear",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_no_next.crl" },
	  -EKEYEXPIRED,
	  "CRL outdated: signing_no_next.crl has no next-update time" },
	{ "... and next to a current CRL it is no obstacle",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_no_next.crl", "signing_exact.crl" },
	  0,
	  NULL },
	{ "an indirect CRL does not clear",
	  "hkd.crt",
	  "signing.crt",
	  { "signing_indirect.crl" },
	  -ENOENT,
	  "signing_indirect.crl is a delta, indirect or partial CRL" },
};

static char pki_dir[4096];

static X509 *load_cert(const char *name)
{
	char path[4200];
	X509 *cert = NULL;
	struct errinfo err = { "" };

	snprintf(path, sizeof(path), "%s/%s", pki_dir, name);
	if (pki_load_one_cert(path, &cert, &err))
		printf("# %s\n", err.msg);
	return cert;
}

/* The CRLs by their names relative to the PKI directory, so that messages can be compared. */
static int fill_pool(struct crl_pool *pool, const char *const *crls)
{
	for (size_t i = 0; i < MAX_CRLS && crls[i]; i++) {
		_cleanup_(x509_crl_stack_freep) STACK_OF(X509_CRL) *stack = NULL;
		struct errinfo err = { "" };
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s", pki_dir, crls[i]);
		if (pki_load_crls(path, &stack, &err) || crl_pool_add(pool, stack, crls[i], &err)) {
			printf("# %s\n", err.msg);
			return -1;
		}
	}
	return 0;
}

/*
 * A CRL of the signing key, issued an hour ago, that openssl ca cannot make:
 * without a nextUpdate (optional in RFC 5280's syntax: nothing says until when
 * it is current), or an indirect CRL (its issuing distribution point says it
 * may list certificates of other issuers), listing nothing.
 */
static bool make_crl(const char *name, bool next_update, bool indirect)
{
	_cleanup_(x509_freep) X509 *signing = load_cert("signing.crt");
	_cleanup_(x509_crl_freep) X509_CRL *crl = X509_CRL_new();
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
	ASN1_TIME *last = ASN1_TIME_adj(NULL, time(NULL), 0, -3600);
	ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), 30, 0);
	ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();
	char path[4200];
	bool done = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/signing.key", pki_dir);
	f = fopen(path, "r");
	if (f) {
		key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (idp)
		idp->indirectCRL = 1;
	if (signing && crl && key && last && next && idp && X509_CRL_set_version(crl, 1) &&
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(signing)) &&
	    X509_CRL_set1_lastUpdate(crl, last) &&
	    (!next_update || X509_CRL_set1_nextUpdate(crl, next)) &&
	    (!indirect || X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, 0)) &&
	    X509_CRL_sign(crl, key, EVP_sha512())) {
		snprintf(path, sizeof(path), "%s/%s", pki_dir, name);
		f = fopen(path, "w");
		done = f && PEM_write_X509_CRL(f, crl) == 1;
		if (f && fclose(f) != 0)
			done = false;
	}
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ISSUING_DIST_POINT_free(idp);
	return done && !X509_CRL_get0_nextUpdate(crl) == !next_update;
}

static void run_case(const struct crl_case *c)
{
	_cleanup_(x509_freep) X509 *cert = load_cert(c->cert);
	_cleanup_(x509_freep) X509 *issuer = load_cert(c->issuer);
	struct crl_pool pool = { 0 };
	struct errinfo err = { "" };
	int rc;

	if (!cert || !issuer || fill_pool(&pool, c->crls)) {
		ok(false, "%s: load the PKI files", c->name);
		crl_pool_done(&pool);
		return;
	}
	rc = crl_check_revocation(&pool, cert, issuer, "ISSUER", &err);
	if (!ok(rc == c->rc && (!c->reason || strstr(err.msg, c->reason)), "%s (rc %d)", c->name,
		rc))
		printf("# got: %s\n# want: %s\n", rc ? err.msg : "(no error)",
		       c->reason ?: "(no error)");
	crl_pool_done(&pool);
}

int main(void)
{
	const char *vectors = getenv("VECTORS_DIR");
	char cmd[8400];
	int status;

	snprintf(pki_dir, sizeof(pki_dir), "%s/segen-test-hkd-crl.XXXXXX",
		 getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(pki_dir)) {
		ok(false, "make a temporary directory");
		return done_testing();
	}
	/* Nothing is downloaded here; the distribution points only need a syntax. */
	snprintf(cmd, sizeof(cmd), "'%s/../pki/make-test-pki' '%s' http://127.0.0.1:9 >/dev/null",
		 vectors ? vectors : "tests/vectors", pki_dir);
	status = system(cmd);
	if (ok(status == 0, "generate the test PKI in %s", pki_dir) &&
	    ok(make_crl("signing_no_next.crl", false, false) &&
		       make_crl("signing_indirect.crl", true, true),
	       "make a CRL without a next update and an indirect CRL"))
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run_case(&cases[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki_dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", pki_dir);
	return done_testing();
}
