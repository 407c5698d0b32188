// SPDX-License-Identifier: MIT
/*
 * Stage-b: the encrypted part of the boot stub. The Ultravisor has decrypted
 * and verified every component; stage-b checks the parameter block segen
 * wrote into its last 80 bytes, refuses anything that would boot a damaged
 * or truncated system, then lays the kernel out the way a Linux IPL does and
 * starts it (at 0x10000, or where --x-psw said):
 *
 *   kernel bytes [0x10000, size) -> 0x10000   (the first 64 KiB are dropped)
 *   command line                 -> 0x10480   (at most what the kernel accepts)
 *   initrd address and size      -> 0x10408, 0x10410 (the initrd stays put)
 *
 * Images made with --no-component-check may carry any payload laid out that
 * way (kvm-unit-tests, other freestanding programs): the flag in the
 * parameters lets stage-b start it without the S390EP check.
 *
 * docs/stub.md explains why the move cannot overwrite stage-b, its stack or
 * the initrd, and which checks make sure of it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "cpu.h"
#include "progcheck.h"
#include "string.h"
#include "stub-abi.h"
#include "stub-wait-codes.h"

const char stub_program_name[] __attribute__((aligned(2))) = "stage-b";
const uint64_t stub_wait_program_check = STUB_WAIT_B_PROGRAM_CHECK;

/* Zero but for the magic; segen fills it in before it encrypts stage-b. */
struct stub_stage_b_params stage_b_params __attribute__((section(".stage_b_params"), used)) = {
	.magic = STUB_STAGE_B_PARAMS_MAGIC,
};

/*
 * Linker symbols: where this copy of stage-b runs, wherever that is. The
 * alignment lets GCC use LARL (PC-relative) rather than a literal address.
 */
extern char __stage_b_start[] __attribute__((aligned(8)));
extern char __stage_b_end[] __attribute__((aligned(8)));

#define KERNEL_SKIPPED_BYTES 0x10000UL
/* Far above any kernel's maximum; keeps every range computation small. */
#define CMDLINE_SIZE_LIMIT (1UL << 20)

struct range {
	uint64_t start;
	uint64_t len;
	const char *what;
};

static bool range_wraps(uint64_t start, uint64_t len)
{
	return start + len < start;
}

static bool ranges_overlap(const struct range *a, const struct range *b)
{
	return a->len && b->len && a->start < b->start + b->len && b->start < a->start + a->len;
}

static void check_params(const struct stub_stage_b_params *p)
{
	if (p->magic != STUB_STAGE_B_PARAMS_MAGIC)
		stub_fatal(STUB_WAIT_B_BAD_PARAMS,
			   "parameter block magic 0x%016lx is not 0x%016llx: this stage-b was "
			   "not prepared by a matching segen",
			   (unsigned long)p->magic, STUB_STAGE_B_PARAMS_MAGIC);
	if (p->reserved)
		stub_fatal(STUB_WAIT_B_BAD_PARAMS,
			   "parameter block field 'reserved' is 0x%lx, not 0: made by a newer "
			   "segen?",
			   (unsigned long)p->reserved);
	if (p->flags & ~STUB_STAGE_B_FLAGS_KNOWN)
		stub_fatal(STUB_WAIT_B_BAD_PARAMS,
			   "parameter block flags 0x%lx include unknown ones (known: 0x%llx): made "
			   "by a newer segen?",
			   (unsigned long)p->flags, STUB_STAGE_B_FLAGS_KNOWN);
	if (!p->kernel_addr || p->kernel_addr % STUB_PAGE_SIZE ||
	    range_wraps(p->kernel_addr, p->kernel_size))
		stub_fatal(STUB_WAIT_B_BAD_PARAMS,
			   "kernel address 0x%lx, size 0x%lx: not a page-aligned range",
			   (unsigned long)p->kernel_addr, (unsigned long)p->kernel_size);
	if ((!p->initrd_addr && p->initrd_size) || p->initrd_addr % STUB_PAGE_SIZE ||
	    range_wraps(p->initrd_addr, p->initrd_size))
		stub_fatal(STUB_WAIT_B_BAD_PARAMS,
			   "initrd address 0x%lx, size 0x%lx: not a page-aligned range",
			   (unsigned long)p->initrd_addr, (unsigned long)p->initrd_size);
	if (!p->cmdline_addr != !p->cmdline_size || p->cmdline_addr % STUB_PAGE_SIZE ||
	    p->cmdline_size > CMDLINE_SIZE_LIMIT || range_wraps(p->cmdline_addr, p->cmdline_size))
		stub_fatal(STUB_WAIT_B_BAD_PARAMS,
			   "command line address 0x%lx, size 0x%lx: not a page-aligned range "
			   "of at most 1 MiB (the size counts the NUL, so it is 0 only without "
			   "a command line)",
			   (unsigned long)p->cmdline_addr, (unsigned long)p->cmdline_size);
}

/*
 * Returns the kernel's maximum command-line size, NUL included. A payload
 * that is not Linux gets the same reading as from IBM's loader and zipl:
 * the u64 at 0x10430, 0 meaning 896.
 */
static uint64_t check_kernel(const struct stub_stage_b_params *p)
{
	bool any_payload = p->flags & STUB_STAGE_B_FLAG_ANY_PAYLOAD;
	uint64_t max_cmdline;

	if (p->kernel_size < STUB_KERNEL_MIN_SIZE)
		stub_fatal(STUB_WAIT_B_BAD_KERNEL,
			   "the kernel is 0x%lx bytes; a raw s390x kernel has at least 0x%lx "
			   "(64 KiB that are skipped, then the entry and the parameter area)",
			   (unsigned long)p->kernel_size, STUB_KERNEL_MIN_SIZE);
	/* Below 0x10000 or past the end would start whatever memory holds there. */
	if (p->entry_addr % 2 || p->entry_addr < STUB_KERNEL_ENTRY ||
	    p->entry_addr >= p->kernel_size)
		stub_fatal(STUB_WAIT_B_BAD_PARAMS,
			   "start address 0x%lx is odd or outside the placed payload [0x%lx, "
			   "0x%lx)",
			   (unsigned long)p->entry_addr, STUB_KERNEL_ENTRY,
			   (unsigned long)p->kernel_size);
	stub_current_step = "reading the kernel";
	if (!any_payload &&
	    memcmp((const void *)(p->kernel_addr + STUB_KERNEL_MAGIC_OFFSET), STUB_KERNEL_MAGIC, 6))
		stub_fatal(STUB_WAIT_B_BAD_KERNEL,
			   "no \"%s\" at offset 0x%lx of the kernel: not a raw s390x Linux image "
			   "(an ELF vmlinux or a compressed file? a payload that is not Linux "
			   "needs segen create --no-component-check)",
			   STUB_KERNEL_MAGIC, STUB_KERNEL_MAGIC_OFFSET);

	/* The same bytes the move puts at 0x10430; read now, before anything moves. */
	max_cmdline = *(const volatile uint64_t *)(p->kernel_addr + STUB_LINUX_MAX_CMDLINE);
	return max_cmdline ? max_cmdline : STUB_LINUX_DEFAULT_MAX_CMDLINE;
}

static void check_cmdline(const struct stub_stage_b_params *p, uint64_t max_cmdline)
{
	const char *cmdline = (const char *)p->cmdline_addr;
	uint64_t len = p->cmdline_size;

	if (!cmdline)
		return;
	stub_current_step = "reading the command line";
	if (cmdline[len - 1] != '\0')
		stub_fatal(STUB_WAIT_B_CMDLINE_UNTERMINATED,
			   "the command line (%lu bytes) does not end with a NUL byte; refusing "
			   "to boot a command line that may be cut short",
			   (unsigned long)len);
	for (uint64_t i = 0; i < len - 1; i++) {
		if (cmdline[i] == '\0')
			stub_fatal(STUB_WAIT_B_CMDLINE_EMBEDDED_NUL,
				   "the command line has a NUL byte at offset %lu of %lu; the "
				   "kernel would see only the part before it",
				   (unsigned long)i, (unsigned long)len);
	}
	if (len > max_cmdline)
		stub_fatal(STUB_WAIT_B_CMDLINE_TOO_LONG,
			   "the command line is %lu bytes with its NUL, this kernel accepts at "
			   "most %lu; refusing to boot it cut short",
			   (unsigned long)len, (unsigned long)max_cmdline);
}

static void refuse_overlap(const struct range *a, const struct range *b)
{
	if (!ranges_overlap(a, b))
		return;
	stub_fatal(STUB_WAIT_B_OVERLAP, "%s [0x%lx, 0x%lx) overlaps %s [0x%lx, 0x%lx)", a->what,
		   (unsigned long)a->start, (unsigned long)(a->start + a->len), b->what,
		   (unsigned long)b->start, (unsigned long)(b->start + b->len));
}

/*
 * Everything stage-b writes is the destination range [0x10000, end), where
 * end covers the moved kernel and the command line written into its
 * parameter area. It must not touch stage-b itself (code, parameters, stacks,
 * SCCB: all inside the blob), the initrd or the command line still to be
 * copied. The kernel's own source may overlap it: the copy runs upwards from
 * a lower destination, which is safe. The components must not overlap each
 * other or stage-b either, or the image layout is broken.
 */
static void check_layout(const struct stub_stage_b_params *p)
{
	uint64_t cmdline_end = STUB_LINUX_CMDLINE + p->cmdline_size;
	uint64_t dest_end = p->kernel_size > cmdline_end ? p->kernel_size : cmdline_end;
	struct range self = { (uintptr_t)__stage_b_start,
			      (uintptr_t)__stage_b_end - (uintptr_t)__stage_b_start, "stage-b" };
	struct range kernel = { p->kernel_addr, p->kernel_size, "the kernel component" };
	struct range initrd = { p->initrd_addr, p->initrd_size, "the initrd" };
	struct range cmdline = { p->cmdline_addr, p->cmdline_size, "the command line" };
	struct range dest = { STUB_KERNEL_ENTRY, dest_end - STUB_KERNEL_ENTRY,
			      "the kernel's destination" };

	refuse_overlap(&kernel, &self);
	refuse_overlap(&initrd, &self);
	refuse_overlap(&cmdline, &self);
	refuse_overlap(&kernel, &initrd);
	refuse_overlap(&kernel, &cmdline);
	refuse_overlap(&initrd, &cmdline);
	refuse_overlap(&dest, &self);
	refuse_overlap(&dest, &initrd);
	refuse_overlap(&dest, &cmdline);
}

static void place_kernel(const struct stub_stage_b_params *p)
{
	bool has_initrd = p->initrd_addr && p->initrd_size;

	stub_current_step = "moving the kernel to 0x10000";
	memmove((void *)STUB_KERNEL_ENTRY, (const void *)(p->kernel_addr + KERNEL_SKIPPED_BYTES),
		p->kernel_size - KERNEL_SKIPPED_BYTES);
	/* Without a command line the kernel keeps the default built into its image. */
	if (p->cmdline_addr)
		memcpy((void *)STUB_LINUX_CMDLINE, (const void *)p->cmdline_addr, p->cmdline_size);
	*(volatile uint64_t *)STUB_LINUX_INITRD_START = has_initrd ? p->initrd_addr : 0;
	*(volatile uint64_t *)STUB_LINUX_INITRD_SIZE = has_initrd ? p->initrd_size : 0;
}

__attribute__((noreturn)) static void start_kernel(uint64_t entry_addr)
{
	struct psw psw = { .mask = STUB_KERNEL_PSW_MASK, .addr = entry_addr };

	/*
	 * Stage-b's memory is free memory to the kernel: a fault before the
	 * kernel installed its own handler stops with a code instead of
	 * jumping into whatever has replaced ours.
	 */
	lowcore_write_psw(LC_PGM_NEW_PSW, PSW_MASK_DISABLED_WAIT,
			  STUB_WAIT_B_KERNEL_EARLY_PROGRAM_CHECK);
	asm volatile("lpswe %0" : : "Q"(psw) : "memory");
	__builtin_unreachable();
}

void stage_b_main(void);
void stage_b_main(void)
{
	struct stub_stage_b_params params;
	uint64_t max_cmdline;

	stub_current_step = "reading the parameter block";
	memcpy(&params, &stage_b_params, sizeof(params));
	check_params(&params);
	max_cmdline = check_kernel(&params);
	check_cmdline(&params, max_cmdline);
	check_layout(&params);
	place_kernel(&params);
	start_kernel(params.entry_addr);
}
