/* SPDX-License-Identifier: MIT */
/* Loading X.509 certificates and CRLs from files, PEM (one or more) or DER (one). */
#ifndef SEGEN_PKI_LOAD_H
#define SEGEN_PKI_LOAD_H

#include <openssl/x509.h>

#include "base/err.h"

/* Files larger than this are refused: no certificate bundle or CRL we accept gets near it. */
#define PKI_FILE_MAX (16u << 20)

/* Every certificate in @path, in file order; an empty or unparsable file is an error. */
int pki_load_certs(const char *path, STACK_OF(X509) * *ret_certs, struct errinfo *err);

/* Exactly one certificate from @path (a host-key document, say). */
int pki_load_one_cert(const char *path, X509 **ret_cert, struct errinfo *err);

/* Every CRL in @path, in file order. */
int pki_load_crls(const char *path, STACK_OF(X509_CRL) * *ret_crls, struct errinfo *err);

/* Parse CRLs from memory (a download, say); @what names the source in errors. */
int pki_parse_crls(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509_CRL) * *ret_crls,
		   struct errinfo *err);

/* Parse certificates from memory, PEM (one or more) or DER (one). */
int pki_parse_certs(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509) * *ret_certs,
		    struct errinfo *err);

/* A bundle holds at most this many objects; real chains hold two or three. */
#define PKI_BUNDLE_MAX_OBJECTS 256

/*
 * Every certificate and every CRL in a bundle: a PEM file may mix both (IBM's
 * "chained" files put a certificate and its CRL together), a DER file holds one
 * of either. Other PEM blocks (keys, say) are skipped unread. One output may be
 * empty, not both.
 */
int pki_parse_bundle(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509) * *ret_certs,
		     STACK_OF(X509_CRL) * *ret_crls, struct errinfo *err);

/* pki_parse_bundle() on the contents of @path. */
int pki_load_bundle(const char *path, STACK_OF(X509) * *ret_certs, STACK_OF(X509_CRL) * *ret_crls,
		    struct errinfo *err);

#endif /* SEGEN_PKI_LOAD_H */
