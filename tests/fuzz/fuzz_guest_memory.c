// SPDX-License-Identifier: MIT
/* Fuzz target: the guest memory note and the kernel probe (inspect/guest_memory). */
#include <stdint.h>

#include "format/layout.h"
#include "inspect/guest_memory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipib_info ipib = {
		.nr_comps = 2,
		.comps = { { .id = SE_COMP_ID_KERNEL, .addr = 0x15000, .size = 0x4d5000 },
			   { .id = SE_COMP_ID_RAMDISK, .addr = 0x4ea000, .size = 0x100000 } },
	};
	struct guest_kernel_facts facts;
	struct guest_memory_note note;
	struct guest_memory mem;

	if (!guest_memory_note_parse(data, size, &note))
		guest_memory_compute(&note, &ipib, false, 0x600000, &mem);
	guest_memory_probe_kernel(data, size, size, &facts);
	return 0;
}
