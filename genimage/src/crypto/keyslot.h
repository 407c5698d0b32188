/* SPDX-License-Identifier: MIT */
/*
 * Key slots of the SE header: the header key, wrapped for one host with a key
 * derived by ECDH between the customer key and the host key (docs/format.md):
 *   KEK  = SHA-256(ECDH X coordinate (66 bytes) || 00 00 00 01)
 *   slot = SHA-256(host X||Y) || AES-256-GCM(KEK, IV 0^12, header key) || tag
 */
#ifndef SEGEN_KEYSLOT_H
#define SEGEN_KEYSLOT_H

#include <openssl/evp.h>
#include <stdint.h>

#define KEYSLOT_SIZE 80
#define KEYSLOT_HASH_LEN 32
#define KEYSLOT_WRAPPED_LEN 32
#define KEYSLOT_TAG_LEN 16
#define KEYSLOT_KEK_LEN 32
#define SE_HEADER_KEY_LEN 32

/* KEK for one pair of keys: @priv must hold a private key, @peer a public one. */
int keyslot_derive_kek(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t kek[KEYSLOT_KEK_LEN]);

/* Build one slot for the host whose key hash is @host_hash. */
int keyslot_wrap(const uint8_t kek[KEYSLOT_KEK_LEN], const uint8_t host_hash[KEYSLOT_HASH_LEN],
		 const uint8_t header_key[SE_HEADER_KEY_LEN], uint8_t slot[KEYSLOT_SIZE]);

/* Recover the header key from @slot; -EBADMSG when the tag does not match. */
int keyslot_unwrap(const uint8_t kek[KEYSLOT_KEK_LEN], const uint8_t slot[KEYSLOT_SIZE],
		   uint8_t header_key[SE_HEADER_KEY_LEN]);

#endif /* SEGEN_KEYSLOT_H */
