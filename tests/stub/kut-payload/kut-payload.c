// SPDX-License-Identifier: MIT
/*
 * The payload's whole job: say where it was started and which command line
 * it found at 0x10480, on the SCLP console, then stop in a disabled wait of
 * its own (KUT_PAYLOAD_WAIT_DONE), which is none of the stub's codes.
 */
#include <stdint.h>

#include "console.h"
#include "stub-abi.h"

#define KUT_PAYLOAD_WAIT_PROGRAM_CHECK 0x7ea0
#define KUT_PAYLOAD_WAIT_DONE 0x7e50

const char stub_program_name[] __attribute__((aligned(2))) = "kut-payload";
const uint64_t stub_wait_program_check = KUT_PAYLOAD_WAIT_PROGRAM_CHECK;

/* From the linker script: 0x10480 up to the code at 0x11000. */
extern const char kut_payload_ipl_args[] __attribute__((aligned(2)));
#define IPL_ARGS_SIZE (0x11000UL - STUB_LINUX_CMDLINE)

void kut_payload_main(uint64_t entry);
void kut_payload_main(uint64_t entry)
{
	static const char head[] = "kut-payload: cmdline=[";
	const volatile char *args = kut_payload_ipl_args;
	uint64_t len = 0;

	console_printf("started at 0x%lx", (unsigned long)entry);
	while (len < IPL_ARGS_SIZE && args[len])
		len++;
	if (len) {
		console_write(head, sizeof(head) - 1);
		console_write((const char *)args, len);
		console_write("]\r\n", 3);
	} else {
		console_printf("no command line");
	}
	stub_stop(KUT_PAYLOAD_WAIT_DONE);
}
