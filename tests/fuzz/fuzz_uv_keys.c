// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the key-hash list parser (test --key-hashes FILE) on untrusted
 * bytes. Run with `make fuzz`.
 */
#include <stdint.h>
#include <string.h>

#include "inspect/uv_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uv_key_hashes keys;

	if (uv_keys_parse((const char *)data, size, "fuzz", &keys, NULL) == 0 &&
	    (keys.nr == 0 || keys.nr > UV_KEYS_MAX))
		__builtin_trap();
	return 0;
}
