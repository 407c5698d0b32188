/* SPDX-License-Identifier: MIT */
/* The boot stub blobs: embedded in segen at build time, or read from a directory. */
#ifndef SEGEN_STUB_BLOBS_H
#define SEGEN_STUB_BLOBS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct stub_blobs {
	const uint8_t *stage_a;
	size_t stage_a_size;
	const uint8_t *stage_b;
	size_t stage_b_size;
	uint8_t *owned_a, *owned_b; /* set when read from a directory */
};

/* The embedded blobs, or DIR/stage-a.bin and DIR/stage-b.bin when @dir is set. */
int stub_blobs_load(const char *dir, struct stub_blobs *ret_blobs, struct errinfo *err);

void stub_blobs_done(struct stub_blobs *blobs);

#endif /* SEGEN_STUB_BLOBS_H */
