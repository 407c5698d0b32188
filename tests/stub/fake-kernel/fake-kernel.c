// SPDX-License-Identifier: MIT
/*
 * The test kernel stage-b starts. It reports on the SCLP console what a Linux
 * kernel would find: the command line at 0x10480, the initrd address and size
 * at 0x10408/0x10410 with a hash of the initrd, and a hash of its own image
 * from 0x12000 (past the parameter area) to its end (so a wrong or short kernel move shows), then
 * stops with a 0xFFF wait, which QEMU ends with exit status 0.
 */
#include <stdint.h>

#include "console.h"
#include "cpu.h"
#include "string.h"
#include "stub-abi.h"

#define FAKE_KERNEL_WAIT_PROGRAM_CHECK 0xf0a0
#define FAKE_KERNEL_WAIT_DONE 0x0fff
#define FAKE_KERNEL_HASHED_FROM 0x12000UL

const char stub_program_name[] __attribute__((aligned(2))) = "fake-kernel";
const uint64_t stub_wait_program_check = FAKE_KERNEL_WAIT_PROGRAM_CHECK;

extern const uint64_t fake_kernel_image_size;

static uint64_t fnv1a64(const uint8_t *data, uint64_t len)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (uint64_t i = 0; i < len; i++) {
		hash ^= data[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

static void print_cmdline(void)
{
	static const char head[] = "fake-kernel: cmdline=[";
	const char *cmdline = (const char *)STUB_LINUX_CMDLINE;
	uint64_t max = *(const volatile uint64_t *)STUB_LINUX_MAX_CMDLINE;
	uint64_t len = 0;

	if (!max)
		max = STUB_LINUX_DEFAULT_MAX_CMDLINE;
	while (len < max && cmdline[len])
		len++;
	console_write(head, sizeof(head) - 1);
	console_write(cmdline, len);
	console_write("]\r\n", 3);
	console_printf("cmdline length %lu, maximum %lu", (unsigned long)len, (unsigned long)max);
}

void fake_kernel_main(void);
void fake_kernel_main(void)
{
	uint64_t initrd_start = *(const volatile uint64_t *)STUB_LINUX_INITRD_START;
	uint64_t initrd_size = *(const volatile uint64_t *)STUB_LINUX_INITRD_SIZE;
	uint64_t image_size = fake_kernel_image_size;

	console_printf("started at 0x%lx", STUB_KERNEL_ENTRY);
	print_cmdline();
	console_printf("initrd start=0x%lx size=0x%lx fnv=0x%016lx", (unsigned long)initrd_start,
		       (unsigned long)initrd_size,
		       (unsigned long)fnv1a64((const uint8_t *)initrd_start, initrd_size));
	if (image_size < FAKE_KERNEL_HASHED_FROM)
		stub_fatal(0xf010, "image size 0x%lx not patched in", (unsigned long)image_size);
	console_printf("image size=0x%lx fnv=0x%016lx", (unsigned long)image_size,
		       (unsigned long)fnv1a64((const uint8_t *)FAKE_KERNEL_HASHED_FROM,
					      image_size - FAKE_KERNEL_HASHED_FROM));
	console_printf("done");
	disabled_wait(FAKE_KERNEL_WAIT_DONE);
}
