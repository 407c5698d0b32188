/* SPDX-License-Identifier: MIT */
/*
 * Disabled-wait codes of the boot stub. When the stub gives up it loads a
 * disabled-wait PSW (mask 0x0002000180000000) whose address is one of the
 * codes below, after printing a message that names the same code on the
 * SCLP console. The hypervisor shows the PSW (QEMU: `info registers`, the
 * GUEST_PANICKED event, or `-d guest_errors`), so the code is readable even
 * when the console is not. docs/stub.md explains each code and what to do.
 *
 * Rules the codes follow, checked below:
 * - none ends in 0xfff: QEMU treats such a wait as a clean shutdown (exit 0);
 * - all are even, below 64 KiB and distinct: 0xa0n0 is stage-a, 0xb0n0 is stage-b.
 *
 * This file is included by the stub (C and assembler) and by segen (host C).
 */
#ifndef STUB_WAIT_CODES_H
#define STUB_WAIT_CODES_H

/* Stage-a: runs in the clear, asks the hypervisor for the secure reboot. */
#define STUB_WAIT_A_BAD_PARAMS 0xa010		/* no "SeStageA" parameters at 0x11000 */
#define STUB_WAIT_A_BAD_PARAMS_VERSION 0xa020	/* parameter version not 1, reserved not 0 */
#define STUB_WAIT_A_BAD_HEADER 0xa030		/* no SE header where the parameters point */
#define STUB_WAIT_A_BAD_IPIB_ADDR 0xa040	/* IPIB address unaligned or inside stage-a */
#define STUB_WAIT_A_BAD_IPIB 0xa050		/* IPIB is not a PV IPIB for this header */
#define STUB_WAIT_A_NO_STFLE 0xa060		/* STORE FACILITY LIST EXTENDED missing */
#define STUB_WAIT_A_NO_SECURE_EXECUTION 0xa070	/* facility 161 (unpack) missing */
#define STUB_WAIT_A_SET_IPIB_FAILED 0xa080	/* DIAGNOSE 308 subcode 8 refused */
#define STUB_WAIT_A_UNPACK_FAILED 0xa090	/* DIAGNOSE 308 subcode 10 returned */
#define STUB_WAIT_A_PROGRAM_CHECK 0xa0a0	/* program interruption in stage-a */
#define STUB_WAIT_A_NESTED_PROGRAM_CHECK 0xa0b0 /* program interruption while reporting one */
#define STUB_WAIT_A_INTERNAL 0xa0f0		/* stage-a main returned: a stub bug */

/* Stage-b: runs encrypted after the unpack, places the kernel, starts it. */
#define STUB_WAIT_B_BAD_PARAMS 0xb010		/* parameter block magic or fields invalid */
#define STUB_WAIT_B_BAD_KERNEL 0xb020		/* kernel too small or not a raw s390x image */
#define STUB_WAIT_B_OVERLAP 0xb030		/* components overlap each other or stage-b */
#define STUB_WAIT_B_CMDLINE_UNTERMINATED 0xb040 /* command line does not end in NUL */
#define STUB_WAIT_B_CMDLINE_EMBEDDED_NUL 0xb050 /* command line has a NUL before its end */
#define STUB_WAIT_B_CMDLINE_TOO_LONG 0xb060	/* longer than the kernel accepts */
#define STUB_WAIT_B_PROGRAM_CHECK 0xb0a0	/* program interruption in stage-b */
#define STUB_WAIT_B_NESTED_PROGRAM_CHECK 0xb0b0 /* program interruption while reporting one */
#define STUB_WAIT_B_KERNEL_EARLY_PROGRAM_CHECK 0xb0c0 /* kernel faulted before its own handler */
#define STUB_WAIT_B_INTERNAL 0xb0f0		      /* stage-b main returned: a stub bug */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#define STUB_WAIT_CODE_OK_(code) (((code)&0xfff) != 0xfff && ((code)&1) == 0)
_Static_assert(STUB_WAIT_CODE_OK_(STUB_WAIT_A_BAD_PARAMS) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_BAD_PARAMS_VERSION) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_BAD_HEADER) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_BAD_IPIB_ADDR) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_BAD_IPIB) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_NO_STFLE) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_NO_SECURE_EXECUTION) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_SET_IPIB_FAILED) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_UNPACK_FAILED) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_PROGRAM_CHECK) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_NESTED_PROGRAM_CHECK) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_A_INTERNAL) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_BAD_PARAMS) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_BAD_KERNEL) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_OVERLAP) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_CMDLINE_UNTERMINATED) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_CMDLINE_EMBEDDED_NUL) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_CMDLINE_TOO_LONG) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_PROGRAM_CHECK) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_NESTED_PROGRAM_CHECK) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_KERNEL_EARLY_PROGRAM_CHECK) &&
		       STUB_WAIT_CODE_OK_(STUB_WAIT_B_INTERNAL),
	       "a wait code ends in 0xfff (QEMU would report success) or is odd");

/*
 * One line per code for tools that read a stopped guest's PSW (segen
 * boot-test): what went wrong, in the words the stub's own message uses.
 * Returns NULL for an address that is not a stub wait code.
 */
static inline const char *stub_wait_code_meaning(uint64_t code)
{
	switch (code) {
	case STUB_WAIT_A_BAD_PARAMS:
		return "stage-a: no stage-a parameters (SeStageA) at 0x11000";
	case STUB_WAIT_A_BAD_PARAMS_VERSION:
		return "stage-a: unsupported stage-a parameter version";
	case STUB_WAIT_A_BAD_HEADER:
		return "stage-a: no SE header matching the stage-a parameters";
	case STUB_WAIT_A_BAD_IPIB_ADDR:
		return "stage-a: IPIB address not page aligned or inside stage-a";
	case STUB_WAIT_A_BAD_IPIB:
		return "stage-a: IPIB does not match the stage-a parameters";
	case STUB_WAIT_A_NO_STFLE:
		return "stage-a: machine lacks STORE FACILITY LIST EXTENDED";
	case STUB_WAIT_A_NO_SECURE_EXECUTION:
		return "stage-a: Secure Execution not available (no facility 161)";
	case STUB_WAIT_A_SET_IPIB_FAILED:
		return "stage-a: hypervisor refused the IPIB (DIAGNOSE 308 subcode 8)";
	case STUB_WAIT_A_UNPACK_FAILED:
		return "stage-a: secure unpack failed (DIAGNOSE 308 subcode 10)";
	case STUB_WAIT_A_PROGRAM_CHECK:
		return "stage-a: program check";
	case STUB_WAIT_A_NESTED_PROGRAM_CHECK:
		return "stage-a: program check while reporting a program check";
	case STUB_WAIT_A_INTERNAL:
		return "stage-a: internal error";
	case STUB_WAIT_B_BAD_PARAMS:
		return "stage-b: invalid parameter block";
	case STUB_WAIT_B_BAD_KERNEL:
		return "stage-b: kernel is not a raw s390x Linux image";
	case STUB_WAIT_B_OVERLAP:
		return "stage-b: components overlap";
	case STUB_WAIT_B_CMDLINE_UNTERMINATED:
		return "stage-b: command line not NUL-terminated";
	case STUB_WAIT_B_CMDLINE_EMBEDDED_NUL:
		return "stage-b: command line contains a NUL before its end";
	case STUB_WAIT_B_CMDLINE_TOO_LONG:
		return "stage-b: command line longer than the kernel accepts";
	case STUB_WAIT_B_PROGRAM_CHECK:
		return "stage-b: program check";
	case STUB_WAIT_B_NESTED_PROGRAM_CHECK:
		return "stage-b: program check while reporting a program check";
	case STUB_WAIT_B_KERNEL_EARLY_PROGRAM_CHECK:
		return "kernel: program check before the kernel set up its own handler";
	case STUB_WAIT_B_INTERNAL:
		return "stage-b: internal error";
	default:
		return NULL;
	}
}
#endif /* __ASSEMBLER__ */

#endif /* STUB_WAIT_CODES_H */
