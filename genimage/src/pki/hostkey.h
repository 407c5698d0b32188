/* SPDX-License-Identifier: MIT */
/*
 * Host keys: the secp521r1 public key of an IBM Z machine, taken from its
 * host-key document (an X.509 certificate), in the encodings the SE header uses.
 */
#ifndef SEGEN_HOSTKEY_H
#define SEGEN_HOSTKEY_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>

#include "base/err.h"

#define EC_P521_COORD_LEN 66
/* X and Y, each left-padded with zeros to 80 bytes, as in the SE header. */
#define EC_P521_XY_FIELD_LEN 80
#define EC_P521_XY_LEN (2 * EC_P521_XY_FIELD_LEN)
#define HOSTKEY_HASH_LEN 32

struct hostkey {
	char *path; /* where it came from, for messages */
	X509 *cert; /* NULL when the key was not read from a certificate */
	EVP_PKEY *pkey;
	uint8_t xy[EC_P521_XY_LEN];
	uint8_t hash[HOSTKEY_HASH_LEN]; /* SHA-256 over xy */
};

/* The one certificate of a host-key document file; a file with more is refused. */
int hostkey_load_hkd_cert(const char *path, X509 **ret_cert, struct errinfo *err);

/* Load a host-key document (PEM or DER certificate) and check its key is secp521r1. */
int hostkey_load_hkd(const char *path, struct hostkey *ret_key, struct errinfo *err);

/* Fill xy and hash from an EC key (public or private); the key must be secp521r1. */
int hostkey_from_pkey(EVP_PKEY *pkey, const char *what, struct hostkey *ret_key,
		      struct errinfo *err);

/* Encode a P-521 public key as the 160-byte X||Y of the SE header. */
int ec_p521_pubkey_xy(EVP_PKEY *pkey, uint8_t xy[EC_P521_XY_LEN]);

/* Build a P-521 public key from the 160-byte X||Y encoding. */
int ec_p521_pubkey_from_xy(const uint8_t xy[EC_P521_XY_LEN], EVP_PKEY **ret_pkey);

/* Load a host's private key (PEM or DER, PKCS#8 or SEC1); it must be secp521r1. */
int hostkey_load_private(const char *path, EVP_PKEY **ret_pkey, struct errinfo *err);

/* Load @nr private keys; on failure the ones loaded so far stay in @keys for the caller. */
int hostkey_load_privates(const char *const *paths, size_t nr, EVP_PKEY **keys,
			  struct errinfo *err);

void hostkey_done(struct hostkey *key);

#endif /* SEGEN_HOSTKEY_H */
