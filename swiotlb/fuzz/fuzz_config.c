// SPDX-License-Identifier: MIT
/* Fuzz target: the swiotlb= parameter parser and the configuration check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swiotlb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swiotlb_config cfg = { .nareas = 1 };
	const char *why = NULL;
	char text[128];

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (swiotlb_config_parse(text, &cfg, &why) == 0) {
		if (cfg.nslabs % SWIOTLB_SEGMENT_SLOTS)
			abort();
		/* A configuration the checker accepts must be one the pool accepts. */
		if (swiotlb_config_check(&cfg, &why) == 0 && cfg.nslabs <= 8192) {
			struct swiotlb_pool *pool;

			if (swiotlb_pool_new(&cfg, &pool) < 0)
				abort();
			swiotlb_pool_free(pool);
		}
	} else if (!why) {
		abort(); /* every refusal says why */
	}
	return 0;
}
