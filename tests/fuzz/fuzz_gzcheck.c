// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the streaming gzip ramdisk check. The first byte picks a chunk
 * size, so member and trailer boundaries fall at every offset.
 */
#include <stdint.h>

#include "create/gzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gzcheck *check;
	size_t chunk;
	int rc = 0;

	if (size < 1 || gzcheck_new("fuzz", &check))
		return 0;
	chunk = (size_t)data[0] + 1;
	data++;
	size--;
	for (size_t off = 0; off < size && !rc; off += chunk)
		rc = gzcheck_feed(check, data + off, size - off < chunk ? size - off : chunk, NULL);
	if (!rc)
		(void)gzcheck_finish(check, NULL);
	gzcheck_free(check);
	return 0;
}
