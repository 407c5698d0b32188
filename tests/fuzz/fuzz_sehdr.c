// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the SE header parser and opener on untrusted bytes (an image
 * given to info, verify, unpack or boot-test). Run with `make fuzz`.
 */
#include <stdint.h>
#include <string.h>

#include "format/sehdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[SE_HEADER_KEY_LEN] = { 0x17 };
	struct se_hdr hdr;
	uint16_t rc, rrc;

	if (se_hdr_parse(data, size, &hdr, &rc, &rrc, NULL) == 0) {
		/* Parsed headers fit: opening must stay inside the buffer. */
		(void)se_hdr_open(data, size, key, &hdr);
		se_hdr_wipe_secrets(&hdr);
	}
	return 0;
}
