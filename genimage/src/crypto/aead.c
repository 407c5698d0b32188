// SPDX-License-Identifier: MIT
#include "crypto/aead.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/ssl_util.h"

static int gcm_crypt(bool enc, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
		     size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	_cleanup_(evp_cipher_ctx_freep) EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0;

	if (!ctx)
		return -ENOMEM;
	if (aad_len > INT_MAX || len > INT_MAX)
		return -EINVAL;
	if (!EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), key, iv, enc ? 1 : 0, NULL))
		return -EIO;
	if (aad_len && !EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len))
		return -EIO;
	if (len && !EVP_CipherUpdate(ctx, out, &outl, in, (int)len))
		return -EIO;
	if (!enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN, tag))
		return -EIO;
	if (EVP_CipherFinal_ex(ctx, out + len, &outl) != 1) {
		OPENSSL_cleanse(out, len);
		return enc ? -EIO : -EBADMSG;
	}
	if (enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, tag))
		return -EIO;
	return 0;
}

int gcm_encrypt(const uint8_t key[AES256_KEY_LEN], const uint8_t iv[GCM_IV_LEN], const uint8_t *aad,
		size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		uint8_t tag[GCM_TAG_LEN])
{
	return gcm_crypt(true, key, iv, aad, aad_len, in, len, out, tag);
}

int gcm_decrypt(const uint8_t key[AES256_KEY_LEN], const uint8_t iv[GCM_IV_LEN], const uint8_t *aad,
		size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		const uint8_t tag[GCM_TAG_LEN])
{
	return gcm_crypt(false, key, iv, aad, aad_len, in, len, out, (uint8_t *)tag);
}
