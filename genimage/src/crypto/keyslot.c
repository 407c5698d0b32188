// SPDX-License-Identifier: MIT
#include "crypto/keyslot.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <string.h>

#include "crypto/aead.h"
#include "base/ssl_util.h"

/* The X coordinate of a P-521 point. */
#define ECDH_SECRET_LEN 66

int keyslot_derive_kek(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t kek[KEYSLOT_KEK_LEN])
{
	_cleanup_(evp_pkey_ctx_freep) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv, NULL);
	static const uint8_t counter[4] = { 0, 0, 0, 1 };
	uint8_t secret[ECDH_SECRET_LEN + sizeof(counter)];
	size_t secret_len = ECDH_SECRET_LEN;
	unsigned int kek_len = 0;
	int rc = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_PKEY_derive_init(ctx) <= 0 || EVP_PKEY_derive_set_peer(ctx, peer) <= 0 ||
	    EVP_PKEY_derive(ctx, secret, &secret_len) <= 0 || secret_len != ECDH_SECRET_LEN)
		goto out;
	memcpy(secret + ECDH_SECRET_LEN, counter, sizeof(counter));
	if (EVP_Digest(secret, sizeof(secret), kek, &kek_len, EVP_sha256(), NULL) &&
	    kek_len == KEYSLOT_KEK_LEN)
		rc = 0;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

static const uint8_t zero_iv[GCM_IV_LEN];

int keyslot_wrap(const uint8_t kek[KEYSLOT_KEK_LEN], const uint8_t host_hash[KEYSLOT_HASH_LEN],
		 const uint8_t header_key[SE_HEADER_KEY_LEN], uint8_t slot[KEYSLOT_SIZE])
{
	memcpy(slot, host_hash, KEYSLOT_HASH_LEN);
	return gcm_encrypt(kek, zero_iv, NULL, 0, header_key, SE_HEADER_KEY_LEN,
			   slot + KEYSLOT_HASH_LEN, slot + KEYSLOT_HASH_LEN + KEYSLOT_WRAPPED_LEN);
}

int keyslot_unwrap(const uint8_t kek[KEYSLOT_KEK_LEN], const uint8_t slot[KEYSLOT_SIZE],
		   uint8_t header_key[SE_HEADER_KEY_LEN])
{
	return gcm_decrypt(kek, zero_iv, NULL, 0, slot + KEYSLOT_HASH_LEN, KEYSLOT_WRAPPED_LEN,
			   header_key, slot + KEYSLOT_HASH_LEN + KEYSLOT_WRAPPED_LEN);
}
