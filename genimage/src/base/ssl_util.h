/* SPDX-License-Identifier: MIT */
/* Cleanup functions for the OpenSSL objects segen holds. */
#ifndef SEGEN_SSL_UTIL_H
#define SEGEN_SSL_UTIL_H

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/util.h"

DEFINE_POINTER_CLEANUP(EVP_PKEY, EVP_PKEY_free, evp_pkey_freep)
DEFINE_POINTER_CLEANUP(EVP_PKEY_CTX, EVP_PKEY_CTX_free, evp_pkey_ctx_freep)
DEFINE_POINTER_CLEANUP(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free, evp_cipher_ctx_freep)
DEFINE_POINTER_CLEANUP(EVP_MD_CTX, EVP_MD_CTX_free, evp_md_ctx_freep)
DEFINE_POINTER_CLEANUP(BIO, BIO_free, bio_freep)
DEFINE_POINTER_CLEANUP(X509, X509_free, x509_freep)
DEFINE_POINTER_CLEANUP(X509_CRL, X509_CRL_free, x509_crl_freep)

static inline void x509_stack_freep(STACK_OF(X509) * *p)
{
	if (*p)
		sk_X509_pop_free(*p, X509_free);
}

static inline void x509_crl_stack_freep(STACK_OF(X509_CRL) * *p)
{
	if (*p)
		sk_X509_CRL_pop_free(*p, X509_CRL_free);
}

#endif /* SEGEN_SSL_UTIL_H */
