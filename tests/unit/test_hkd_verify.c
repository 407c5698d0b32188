// SPDX-License-Identifier: MIT
/*
 * Host-key document verification against the fake IBM PKI of s390-tools
 * (vectors/s390-tools-assets/cert): one case per combination of signing key,
 * chain, root and CRLs, with the verdict expected for each document.
 */
#include <errno.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#include "pki/hkd_verify.h"
#include "pki/pki_load.h"
#include "base/ssl_util.h"

#define MAX_FILES 6
#define MAX_HKDS 8

struct hkd_verdict {
	const char *hkd;
	int rc;		    /* 0: trustworthy */
	const char *reason; /* expected in the message */
};

struct asset_case {
	const char *name;
	const char *certs[MAX_FILES];
	const char *crls[MAX_FILES];
	const char *root; /* NULL: the system CA store */
	int setup_rc;	  /* 0: the signing keys are trustworthy */
	const char *setup_reason;
	bool online; /* the assets' distribution points are no URLs, so nothing is fetched */
	struct hkd_verdict hkds[MAX_HKDS];
};

#define POUGHKEEPSIE_CHAIN "ibm.crt", "inter_ca.crt"
#define CHAIN_CRLS "root_ca.crl", "inter_ca.crl"

static const struct asset_case cases[] = {
	{ "Poughkeepsie signing key, PEM files",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "ibm.crl" },
	  "root_ca.crt",
	  .hkds = {
		  { "host.crt", 0, NULL },
		  { "host2.crt", 0, NULL },
		  { "host_uri_na.crt", 0, NULL },
		  { "host_rev.crt", -EKEYREVOKED, ": revoked on 2024-03-20 15:52:39 UTC (CRL " },
		  { "host_crt_expired.crt", -EKEYEXPIRED, ": expired on 2023-03-22 15:52:39 UTC" },
		  { "host_invalid_signing_key.crt", -EKEYREJECTED,
		    "wrong issuer: issued by \"C=US, O=International Business Machines Corporation, "
		    "CN=International Business Machines Corporation, ST=New York, L=Poughkeepsie, "
		    "OU=Key Signing Service Invalid\"" },
		  /* Issued by the same key under its Armonk name: IBM's tool accepts it. */
		  { "host_armonk.crt", 0, NULL },
		  { "fake_host.crt", -EKEYREJECTED, "wrong issuer: its authority key identifier" },
	  } },
	{ "DER signing key and DER CRL, root CRL inside the root file",
	  { "der.crt", "inter_ca.crt" },
	  { "inter_ca.crl", "der.crl" },
	  "root_ca.chained.crt",
	  .hkds = {
		  { "host.crt", 0, NULL },
		  { "host_rev.crt", -EKEYREVOKED, "revoked on 2024-03-20 15:52:39 UTC (CRL " },
	  } },
	{ "chained files carry every CRL",
	  { "ibm.chained.crt", "inter_ca.chained.crt" },
	  { NULL },
	  "root_ca.chained.crt",
	  .online = true,
	  .hkds = {
		  { "host.crt", 0, NULL },
		  { "host_rev.crt", -EKEYREVOKED, "/ibm.chained.crt)" },
	  } },
	{ "offline, the CRLs only inside the chained files",
	  { "ibm.chained.crt", "inter_ca.chained.crt" },
	  { NULL },
	  "root_ca.chained.crt",
	  .hkds = {
		  { "host.crt", 0, NULL },
		  { "host_rev.crt", -EKEYREVOKED, "/ibm.chained.crt)" },
	  } },
	{ "Armonk signing key",
	  { "ibm_armonk.crt", "inter_ca.crt" },
	  { CHAIN_CRLS, "ibm_armonk.crl" },
	  "root_ca.crt",
	  .hkds = {
		  { "host_armonk.crt", 0, NULL },
		  /* Issued under the Poughkeepsie name; the key is the same. */
		  { "host.crt", 0, NULL },
	  } },
	{ "Poughkeepsie key, CRL issuer named Armonk",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "ibm_armonk.crl" },
	  "root_ca.crt",
	  .hkds = {
		  { "host.crt", 0, NULL },
		  { "host_rev.crt", -EKEYREVOKED, "/ibm_armonk.crl)" },
	  } },
	{ "both signing keys at once",
	  { "ibm.crt", "ibm_armonk.crt", "inter_ca.crt" },
	  { CHAIN_CRLS, "ibm.crl", "ibm_armonk.crl" },
	  "root_ca.crt",
	  .hkds = {
		  { "host.crt", 0, NULL },
		  { "host_armonk.crt", 0, NULL },
	  } },
	{ "one signing key given three times (PEM, DER, chained)",
	  { "ibm.crt", "der.crt", "ibm.chained.crt", "inter_ca.crt" },
	  { CHAIN_CRLS },
	  "root_ca.crt",
	  .hkds = { { "host.crt", 0, NULL } } },
	{ "signing key CRL not yet valid",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "ibm_outdated_early.crl" },
	  "root_ca.crt",
	  .hkds = { { "host.crt", -EKEYEXPIRED,
		      "/ibm_outdated_early.crl is valid only from 3023-07-23 15:52:39 UTC" } } },
	{ "signing key CRL expired",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "ibm_outdated_late.crl" },
	  "root_ca.crt",
	  .hkds = { { "host.crt", -EKEYEXPIRED,
		      "CRL outdated: " } } },
	{ "an expired CRL next to a current one",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "ibm_outdated_late.crl", "ibm.crl" },
	  "root_ca.crt",
	  .hkds = { { "host.crt", 0, NULL } } },
	{ "signing key CRL signed by another key",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "ibm_invalid_hash.crl" },
	  "root_ca.crt",
	  .hkds = { { "host.crt", -ENOENT,
		      "no CRL found: " } } },
	{ "CRL of the wrong issuer",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "ibm_wrong_issuer.crl" },
	  "root_ca.crt",
	  .hkds = { { "host.crt", -ENOENT, "no CRL found from its issuer " } } },
	{ "CRL of another signing key",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "ibm_wrong_subject.crl" },
	  "root_ca.crt",
	  .hkds = { { "host.crt", -ENOENT, "no CRL found from its issuer " } } },
	{ "no CRL for the signing key",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS },
	  "root_ca.crt",
	  .hkds = { { "host.crt", -ENOENT, "/ibm.crt" } } },
	{ "fake root with its own signing key (no intermediate)",
	  { "fake_ibm.crt" },
	  { "fake_root_ca.crl", "fake_ibm.crl" },
	  "fake_root_ca.crt",
	  .hkds = {
		  { "fake_host.crt", 0, NULL },
		  { "host.crt", -EKEYREJECTED, "wrong issuer: its authority key identifier" },
	  } },
	{ "revoked signing key",
	  { "ibm_rev.crt", "inter_ca.crt" },
	  { CHAIN_CRLS, "ibm.crl" },
	  "root_ca.crt",
	  .setup_rc = -EKEYREVOKED,
	  .setup_reason = "/ibm_rev.crt: IBM Z signing key \"C=US, O=International Business Machines Corporation, "
	  "CN=International Business Machines Corporation, ST=New York, L=Poughkeepsie, OU=IBM Z "
	  "Host Key Signing Service\": revoked on 2024-03-20 15:52:38 UTC (CRL " },
	{ "good and revoked signing key with the same subject",
	  { "ibm.crt", "ibm_rev.crt", "inter_ca.crt" },
	  { CHAIN_CRLS, "ibm.crl" },
	  "root_ca.crt",
	  .setup_rc = -EKEYREVOKED,
	  .setup_reason = "/ibm_rev.crt: IBM Z signing key" },
	{ "expired signing key",
	  { "ibm_expired.crt", "inter_ca.crt" },
	  { CHAIN_CRLS, "ibm.crl" },
	  "root_ca.crt",
	  .setup_rc = -EKEYEXPIRED,
	  .setup_reason = "/ibm_expired.crt: IBM Z signing key \"C=US, O=International Business Machines "
	  "Corporation, CN=International Business Machines Corporation, ST=New York, "
	  "L=Poughkeepsie, OU=IBM Z Host Key Signing Service\": expired on 2023-03-22 15:52:38 UTC" },
	{ "signing key with a wrong subject",
	  { "ibm_wrong_subject.crt", "inter_ca.crt" },
	  { CHAIN_CRLS },
	  "root_ca.crt",
	  .setup_rc = -ENOENT,
	  .setup_reason = "none of the -C certificates is an IBM Z signing key" },
	{ "intermediate CA of another root",
	  { "ibm.crt", "fake_inter_ca.crt" },
	  { CHAIN_CRLS, "fake_inter_ca.crl" },
	  "root_ca.crt",
	  .setup_rc = -EKEYREJECTED,
	  .setup_reason = "/ibm.crt: IBM Z signing key \"C=US, O=International Business Machines Corporation, "
	  "CN=International Business Machines Corporation, ST=New York, L=Poughkeepsie, OU=IBM Z "
	  "Host Key Signing Service\": wrong issuer: " },
	{ "no intermediate CA",
	  { "ibm.crt" },
	  { CHAIN_CRLS },
	  "root_ca.crt",
	  .setup_rc = -EKEYREJECTED,
	  .setup_reason = "/ibm.crt: IBM Z signing key \"C=US, O=International Business Machines Corporation, "
	  "CN=International Business Machines Corporation, ST=New York, L=Poughkeepsie, OU=IBM Z "
	  "Host Key Signing Service\": wrong issuer: its issuer \"C=US, O=International Business "
	  "Machines Corporation, CN=International Business Machines Corporation, ST=New York, "
	  "L=Armonk, OU=IBM Z Intermediate CA\" is neither among the -C certificates nor a trusted "
	  "root CA (" },
	{ "root CA of another PKI with the same name",
	  { POUGHKEEPSIE_CHAIN },
	  { "fake_root_ca.crl", "inter_ca.crl" },
	  "fake_root_ca.crt",
	  .setup_rc = -EKEYREJECTED,
	  .setup_reason = "/inter_ca.crt: CA certificate" },
	{ "the system CA store does not know the fake root",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS },
	  NULL,
	  .setup_rc = -EKEYREJECTED,
	  .setup_reason = "(system CA store)" },
	{ "a root CA given with -C is not trusted",
	  { POUGHKEEPSIE_CHAIN, "root_ca.crt" },
	  { CHAIN_CRLS },
	  NULL,
	  .setup_rc = -EKEYREJECTED,
	  .setup_reason = "/root_ca.crt: root CA \"C=US, O=International Business Machines "
			  "Corporation, CN=International Business Machines Corporation, ST=New "
			  "York, L=Armonk, OU=IBM Z Root CA\": wrong issuer: self-signed, but not a "
			  "trusted root CA (system CA store)" },
	{ "no CRL from the root",
	  { POUGHKEEPSIE_CHAIN },
	  { "inter_ca.crl" },
	  "root_ca.crt",
	  .setup_rc = -ENOENT,
	  .setup_reason = "/inter_ca.crt: CA certificate \"C=US, O=International Business Machines Corporation, "
	  "CN=International Business Machines Corporation, ST=New York, L=Armonk, OU=IBM Z "
	  "Intermediate CA\": no CRL found from its issuer " },
	{ "intermediate CRL expired",
	  { POUGHKEEPSIE_CHAIN },
	  { "root_ca.crl", "inter_ca.invalid_date.crl" },
	  "root_ca.crt",
	  .setup_rc = -EKEYEXPIRED,
	  .setup_reason = "/ibm.crt: IBM Z signing key" },
	{ "intermediate CRL signed by the root",
	  { POUGHKEEPSIE_CHAIN },
	  { "root_ca.crl", "inter_ca.invalid_signer.crl" },
	  "root_ca.crt",
	  .setup_rc = -ENOENT,
	  .setup_reason = "/inter_ca.invalid_signer.crl names the issuer but its signature does not verify" },
	{ "fake root CRL signed by the real root",
	  { "fake_ibm.crt" },
	  { "fake_root_ca_valid.crl", "fake_ibm.crl" },
	  "fake_root_ca.crt",
	  .setup_rc = -ENOENT,
	  .setup_reason = "/fake_ibm.crt: IBM Z signing key" },
	{ "offline without any CRL",
	  { POUGHKEEPSIE_CHAIN },
	  { NULL },
	  "root_ca.crt",
	  .setup_rc = -ENOENT,
	  .setup_reason = "/ibm.crt: IBM Z signing key \"C=US, O=International Business Machines "
			  "Corporation, CN=International Business Machines Corporation, ST=New "
			  "York, L=Poughkeepsie, OU=IBM Z Host Key Signing Service\": no CRL found "
			  "from its issuer " },
	{ "no certificates",
	  { NULL },
	  { CHAIN_CRLS },
	  "root_ca.crt",
	  .setup_rc = -EINVAL,
	  .setup_reason = "no certificates" },
	{ "a CRL given as certificate",
	  { "ibm.crl", "inter_ca.crt" },
	  { CHAIN_CRLS },
	  "root_ca.crt",
	  .setup_rc = -EINVAL,
	  .setup_reason = "/ibm.crl: holds no certificate" },
	{ "an intermediate CA as root",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS },
	  "inter_ca.crt",
	  .setup_rc = -EINVAL,
	  .setup_reason = "/inter_ca.crt: holds no self-signed root CA" },
	{ "a missing CRL file",
	  { POUGHKEEPSIE_CHAIN },
	  { CHAIN_CRLS, "nonexistent.crl" },
	  "root_ca.crt",
	  .setup_rc = -ENOENT,
	  .setup_reason = "/nonexistent.crl: No such file or directory" },
};

static char asset_dir[4096];

static const char *asset(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", asset_dir, name);
	return buf;
}

/* The asset PKI as -C, --crl and --root-ca give it, offline: the chain most tests use. */
struct asset_chain {
	char bufs[6][4200];
	const char *certs[2];
	const char *crls[3];
	struct hkd_verify_opts opts;
};

static const struct hkd_verify_opts *asset_chain_init(struct asset_chain *c)
{
	c->certs[0] = asset("ibm.crt", c->bufs[0], sizeof(c->bufs[0]));
	c->certs[1] = asset("inter_ca.crt", c->bufs[1], sizeof(c->bufs[1]));
	c->crls[0] = asset("root_ca.crl", c->bufs[2], sizeof(c->bufs[2]));
	c->crls[1] = asset("inter_ca.crl", c->bufs[3], sizeof(c->bufs[3]));
	c->crls[2] = asset("ibm.crl", c->bufs[4], sizeof(c->bufs[4]));
	c->opts = (struct hkd_verify_opts){
		.cert_paths = c->certs,
		.nr_cert_paths = 2,
		.crl_paths = c->crls,
		.nr_crl_paths = 3,
		.root_ca_path = asset("root_ca.crt", c->bufs[5], sizeof(c->bufs[5])),
		.offline = true,
	};
	return &c->opts;
}

static size_t count(const char *const *names)
{
	size_t nr = 0;

	while (nr < MAX_FILES && names[nr])
		nr++;
	return nr;
}

static void run_case(const struct asset_case *c)
{
	char cert_bufs[MAX_FILES][4200], crl_bufs[MAX_FILES][4200], root_buf[4200];
	const char *certs[MAX_FILES], *crls[MAX_FILES];
	struct hkd_verify_opts opts = { .cert_paths = certs, .crl_paths = crls };
	struct hkd_verifier *verifier = NULL;
	struct errinfo err = { "" };
	int rc;

	opts.nr_cert_paths = count(c->certs);
	opts.nr_crl_paths = count(c->crls);
	for (size_t i = 0; i < opts.nr_cert_paths; i++)
		certs[i] = asset(c->certs[i], cert_bufs[i], sizeof(cert_bufs[i]));
	for (size_t i = 0; i < opts.nr_crl_paths; i++)
		crls[i] = asset(c->crls[i], crl_bufs[i], sizeof(crl_bufs[i]));
	opts.root_ca_path = c->root ? asset(c->root, root_buf, sizeof(root_buf)) : NULL;
	opts.offline = !c->online;

	rc = hkd_verifier_new(&opts, &verifier, &err);
	if (!ok(rc == c->setup_rc, "%s: chain %s (rc %d)", c->name,
		c->setup_rc ? "rejected" : "trusted", rc))
		printf("# %s\n", err.msg);
	if (c->setup_rc) {
		if (!ok(strstr(err.msg, c->setup_reason) != NULL, "%s: reason", c->name))
			printf("# got: %s\n# want: %s\n", err.msg, c->setup_reason);
		return;
	}
	if (rc)
		return;
	for (size_t i = 0; i < MAX_HKDS && c->hkds[i].hkd; i++) {
		const struct hkd_verdict *v = &c->hkds[i];
		_cleanup_(x509_freep) X509 *hkd = NULL;
		char path[4200], prefix[4300];

		asset(v->hkd, path, sizeof(path));
		rc = pki_load_one_cert(path, &hkd, &err);
		if (!ok(rc == 0, "%s: load %s", c->name, v->hkd))
			continue;
		err.msg[0] = 0;
		rc = hkd_verifier_check(verifier, hkd, path, &err);
		if (!ok(rc == v->rc, "%s: %s is %s (rc %d)", c->name, v->hkd,
			v->rc ? "rejected" : "trustworthy", rc))
			printf("# %s\n", err.msg);
		if (!v->rc)
			continue;
		snprintf(prefix, sizeof(prefix), "%s: host-key document \"C=US, ", path);
		if (!ok(strncmp(err.msg, prefix, strlen(prefix)) == 0 &&
				strstr(err.msg, v->reason) != NULL,
			"%s: %s: message names file, subject and reason", c->name, v->hkd))
			printf("# got: %s\n# want: %s ... %s\n", err.msg, prefix, v->reason);
	}
	hkd_verifier_free(verifier);
}

/* hkd_verify_documents() reports the first untrustworthy document. */
static void test_verify_documents(void)
{
	const char *names[] = { "host.crt", "host2.crt", "host_rev.crt", "host_crt_expired.crt" };
	char hkd_bufs[4][4200];
	struct asset_chain chain;
	const struct hkd_verify_opts *opts = asset_chain_init(&chain);
	const char *paths[4];
	X509 *hkds[4] = { NULL };
	struct errinfo err = { "" };
	int rc;

	for (int i = 0; i < 4; i++) {
		paths[i] = asset(names[i], hkd_bufs[i], 4200);
		if (pki_load_one_cert(paths[i], &hkds[i], &err))
			printf("# %s\n", err.msg);
	}
	ok(hkd_verify_documents(opts, hkds, paths, 2, &err) == 0, "verify_documents: two valid");
	rc = hkd_verify_documents(opts, hkds, paths, 4, &err);
	ok(rc == -EKEYREVOKED && strstr(err.msg, "/host_rev.crt: host-key document"),
	   "verify_documents: the first bad one is reported (%s)", err.msg);
	ok(hkd_verify_documents(opts, hkds, paths, 0, &err) == -EINVAL,
	   "verify_documents: nothing to verify is an error");
	for (int i = 0; i < 4; i++)
		X509_free(hkds[i]);
}

/* A host-key document whose signature was tampered with. */
static void test_bad_signature(void)
{
	struct asset_chain chain;
	const struct hkd_verify_opts *opts = asset_chain_init(&chain);
	_cleanup_(x509_freep) X509 *good = NULL;
	_cleanup_(x509_freep) X509 *bad = NULL;
	const char *path = "tampered.crt";
	struct errinfo err = { "" };
	unsigned char *der = NULL;
	const unsigned char *p;
	char hkd_path[4200];
	int len, rc;

	if (pki_load_one_cert(asset("host.crt", hkd_path, sizeof(hkd_path)), &good, &err))
		printf("# %s\n", err.msg);
	len = i2d_X509(good, &der);
	/* The signature is the last field: flip a bit in its last byte. */
	der[len - 1] ^= 0x01;
	p = der;
	bad = d2i_X509(NULL, &p, len);
	OPENSSL_free(der);
	rc = hkd_verify_documents(opts, &bad, &path, 1, &err);
	ok(rc == -EBADMSG && strstr(err.msg, "tampered.crt: host-key document \"C=US") &&
		   strstr(err.msg, "bad signature: not signed by the IBM Z signing key"),
	   "tampered signature: bad signature (%s)", err.msg);
}

/* Two self-signed certificates in the --root-ca file are two trust anchors. */
static void test_root_bundle(void)
{
	char bufs[5][4200], bundle[] = "/tmp/segen-test-root-XXXXXX";
	const char *certs[] = { asset("ibm.crt", bufs[0], 4200),
				asset("inter_ca.crt", bufs[1], 4200) };
	char crl_bufs[2][4200];
	const char *crls[] = { asset("root_ca.crl", bufs[2], 4200),
			       asset("inter_ca.crl", crl_bufs[0], 4200),
			       asset("ibm.crl", crl_bufs[1], 4200) };
	struct hkd_verify_opts opts = {
		.cert_paths = certs,
		.nr_cert_paths = 2,
		.crl_paths = crls,
		.nr_crl_paths = 3,
		.root_ca_path = bundle,
		.offline = true,
	};
	struct hkd_verifier *verifier = NULL;
	struct errinfo err = { "" };
	char cmd[9000];
	int fd = mkstemp(bundle), rc;

	close(fd);
	snprintf(cmd, sizeof(cmd), "cat '%s' '%s' > '%s'", asset("root_ca.crt", bufs[3], 4200),
		 asset("fake_root_ca.crt", bufs[4], 4200), bundle);
	if (system(cmd) != 0)
		printf("# cannot write %s\n", bundle);
	rc = hkd_verifier_new(&opts, &verifier, &err);
	ok(rc == 0, "a bundle of two root CAs is taken as two trust anchors (%s)", err.msg);
	hkd_verifier_free(verifier);
	unlink(bundle);
}

int main(void)
{
	const char *vectors = getenv("VECTORS_DIR");

	snprintf(asset_dir, sizeof(asset_dir), "%s/s390-tools-assets/cert",
		 vectors ? vectors : "tests/vectors");
	if (access(asset_dir, R_OK) != 0) {
		printf("1..0 # SKIP no test vectors at %s\n", asset_dir);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_verify_documents();
	test_bad_signature();
	test_root_bundle();
	return done_testing();
}
