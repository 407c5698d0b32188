// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the streaming initrd check (cpio walk, gzip, zstd, xz, lzma).
 * The first byte picks a chunk size, so part and header boundaries fall at
 * every offset; its top bit picks zlib instead of the default inflater.
 */
#include <stdint.h>

#include "create/initrd_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct initrd_check *check;
	enum decomp_inflater inflater;
	char summary[640];
	size_t chunk;
	int rc = 0;

	if (size < 1)
		return 0;
	inflater = data[0] & 0x80 ? DECOMP_INFLATER_ZLIB : DECOMP_INFLATER_DEFAULT;
	if (initrd_check_new("fuzz", inflater, &check))
		return 0;
	chunk = (size_t)(data[0] & 0x7f) + 1;
	data++;
	size--;
	for (size_t off = 0; off < size && !rc; off += chunk)
		rc = initrd_check_feed(check, data + off, size - off < chunk ? size - off : chunk,
				       NULL);
	if (!rc && !initrd_check_finish(check, NULL))
		initrd_check_describe(check, summary, sizeof(summary));
	initrd_check_free(check);
	return 0;
}
