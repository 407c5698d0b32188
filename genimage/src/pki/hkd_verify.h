/* SPDX-License-Identifier: MIT */
/*
 * Host-key document verification (docs/format.md). The IBM Z signing key is
 * found among the given certificates by its subject and verified up to a
 * trusted root CA, with a CRL check at every link, the root's own included;
 * then every host-key document must be signed by it (authority key identifier
 * and signature, not the issuer name, as in IBM's tool), be valid now, not be
 * revoked by the signing key's current CRL, and carry a secp521r1 key.
 *
 * Every failure is one line: "FILE: ROLE \"SUBJECT\": REASON", where ROLE is
 * "host-key document", "IBM Z signing key", "CA certificate" or "root CA".
 */
#ifndef SEGEN_HKD_VERIFY_H
#define SEGEN_HKD_VERIFY_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>

#include "pki/crl_fetch.h"
#include "base/err.h"

/* Files of one kind (-C, --crl) a run accepts. */
#define HKD_VERIFY_MAX_FILES 64
/* CAs allowed between the signing key and the root; IBM's chain has one. */
#define HKD_CHAIN_MAX_INTERMEDIATES 2
/* OpenSSL security level 2: at least 112-bit keys and hashes in the chain. */
#define HKD_CHAIN_AUTH_LEVEL 2

struct hkd_verify_opts {
	const char *const *cert_paths; /* -C/--cert, repeatable */
	size_t nr_cert_paths;
	const char *const *crl_paths; /* --crl, repeatable */
	size_t nr_crl_paths;
	const char *root_ca_path; /* --root-ca, NULL: the system CA store */
	bool offline;		  /* --offline: never touch the network; CRLs from files only */
	const struct crl_fetch_opts *fetch; /* NULL: the defaults of crl_fetch.h */
};

/* 0 if every HKD is trustworthy; else -errno and err names the certificate
   (subject and file) and the reason. */
int hkd_verify_documents(const struct hkd_verify_opts *opts, X509 *const *hkds,
			 const char *const *hkd_paths, size_t nr_hkds, struct errinfo *err);

/* The two halves of hkd_verify_documents(), for one verdict per document. */
struct hkd_verifier;

/*
 * Load the certificates and CRLs @opts names, find the IBM Z signing keys
 * among the certificates and verify each up to the root (downloading CRLs
 * unless offline). Fails when any signing key given is not trustworthy.
 */
int hkd_verifier_new(const struct hkd_verify_opts *opts, struct hkd_verifier **ret_verifier,
		     struct errinfo *err);

/* Check one host-key document against the verified signing keys; @path names it. */
int hkd_verifier_check(struct hkd_verifier *verifier, X509 *hkd, const char *path,
		       struct errinfo *err);

void hkd_verifier_free(struct hkd_verifier *verifier);

#endif /* SEGEN_HKD_VERIFY_H */
