// SPDX-License-Identifier: MIT
/* Fuzz target: the IPIB and image-metadata parsers, both layouts. */
#include <stdint.h>

#include "format/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipib_info info;
	uint64_t hdr, ipib;

	(void)layout_parse_ipib(data, size, 1u << 30, false, &info, NULL);
	(void)layout_parse_ipib(data, size, 1u << 30, true, &info, NULL);
	(void)layout_parse_metadata(data, size, &hdr, &ipib);
	return 0;
}
