/* SPDX-License-Identifier: MIT */
/* One-shot AES-256-GCM, the AEAD of the SE header and its key slots. */
#ifndef SEGEN_AEAD_H
#define SEGEN_AEAD_H

#include <stddef.h>
#include <stdint.h>

#define AES256_KEY_LEN 32
#define GCM_IV_LEN 12
#define GCM_TAG_LEN 16

int gcm_encrypt(const uint8_t key[AES256_KEY_LEN], const uint8_t iv[GCM_IV_LEN], const uint8_t *aad,
		size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		uint8_t tag[GCM_TAG_LEN]);

/* Returns -EBADMSG when the tag does not authenticate the data; @out is wiped then. */
int gcm_decrypt(const uint8_t key[AES256_KEY_LEN], const uint8_t iv[GCM_IV_LEN], const uint8_t *aad,
		size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		const uint8_t tag[GCM_TAG_LEN]);

#endif /* SEGEN_AEAD_H */
