/* SPDX-License-Identifier: MIT */
/*
 * Stage-a entry: the IPL PSW at 0, the tiny entry at 0x10000, the parameter
 * block at 0x11000 and the start of the real code right after it. See
 * docs/stub.md, "Entry and IPL PSW".
 */
#include "lowcore.h"
#include "stub-abi.h"
#include "stub-wait-codes.h"

/*
 * Short (ESA/390 format) IPL PSW: 31-bit addressing, address 0x10000.
 * A real IPL starts here in ESA/390 mode, where the EA bit must be 0, so the
 * entry switches to z/Architecture and 64-bit addressing itself. QEMU's
 * -kernel and its firmware take only the address and start in 64-bit mode;
 * the entry is written to work in both.
 */
	.section .ipl_psw,"a",@progbits
	.long	0x00080000, 0x80000000 + stage_a_entry

/*
 * At 0x10000, less than 0x400 bytes: loaders write the Linux parameter area
 * from 0x10400 on. Valid in 31-bit ESA/390 and in 64-bit z/Architecture mode.
 */
	.section .text.entry,"ax",@progbits
	.globl	stage_a_entry
stage_a_entry:
	lhi	%r1,1			/* order parameter 1: z/Architecture */
	slr	%r0,%r0			/* the order affects every CPU; address 0 */
	sigp	%r1,%r0,0x12		/* SET ARCHITECTURE; fails harmlessly if already there */
	sam64
	jg	stage_a_start

/*
 * At 0x11000: struct stub_stage_a_params. Magic and version here, the rest
 * zero until segen fills it in; stage-a only reads it.
 */
	.section .stage_a_params,"a",@progbits
	.ascii	STUB_STAGE_A_PARAMS_MAGIC
	.long	STUB_STAGE_A_PARAMS_VERSION
	.fill	STUB_STAGE_A_PARAMS_SIZE - 12, 1, 0

/* Then, first thing, a program-check handler; then BSS, stack, C. */
	.section .text.start,"ax",@progbits
stage_a_start:
	llill	%r2,STUB_WAIT_A_NESTED_PROGRAM_CHECK
	brasl	%r14,stub_install_program_check_handler
	larl	%r2,__bss_start
	larl	%r3,__bss_end
0:	clgr	%r2,%r3
	jhe	1f
	xc	0(256,%r2),0(%r2)	/* the linker script makes the BSS size a multiple of 256 */
	aghi	%r2,256
	j	0b
1:	larl	%r15,stage_a_stack_top
	aghi	%r15,-160
	brasl	%r14,stage_a_main
	llill	%r2,STUB_WAIT_A_INTERNAL
	brasl	%r14,stub_internal_error

	.section .bss.stack,"aw",@nobits
	.balign	4096
stage_a_stack:
	.skip	16384
stage_a_stack_top:

	.section .note.GNU-stack,"",@progbits
