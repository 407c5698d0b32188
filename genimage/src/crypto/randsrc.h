/* SPDX-License-Identifier: MIT */
/*
 * Where every value that would be random in an image comes from: the OpenSSL
 * CSPRNG, or, for reproducible test images (--x-seed), a deterministic
 * generator. The deterministic output for one named value is
 *
 *     SHAKE256("segen x-seed v1" || 0x00 || seed || 0x00 || label)
 *
 * truncated to the requested length, so each value depends only on the seed and
 * its label, never on the order in which values are requested. The labels are
 * listed in docs/x-seed.md. An image built that way is NOT secret.
 */
#ifndef SEGEN_RANDSRC_H
#define SEGEN_RANDSRC_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define RANDSRC_SEED_MAX 64

struct randsrc {
	bool deterministic;
	size_t seed_len;
	uint8_t seed[RANDSRC_SEED_MAX];
};

/* The OpenSSL CSPRNG. */
void randsrc_init_system(struct randsrc *src);

/* The deterministic generator; @hex is 1..128 hex digits (an even number). */
int randsrc_init_seed(struct randsrc *src, const char *hex, struct errinfo *err);

/* Fill @buf with @len bytes for the value named @label. */
int randsrc_bytes(const struct randsrc *src, const char *label, uint8_t *buf, size_t len);

/* A new secp521r1 key pair (the customer key); deterministic under a seed. */
int randsrc_p521_key(const struct randsrc *src, const char *label, EVP_PKEY **ret_pkey);

void randsrc_done(struct randsrc *src);

#endif /* SEGEN_RANDSRC_H */
