/* SPDX-License-Identifier: MIT */
/*
 * Stage-b entry, offset 0 of the blob. The Ultravisor starts it wherever
 * segen placed the component (64-bit mode, DAT and interruptions off), so
 * everything here is PC-relative; the build links stage-b at two addresses
 * and refuses a blob whose bytes depend on the address.
 */
#include "stub-wait-codes.h"

	.section .text.entry,"ax",@progbits
	.globl	stage_b_entry
stage_b_entry:
	llill	%r2,STUB_WAIT_B_NESTED_PROGRAM_CHECK
	brasl	%r14,stub_install_program_check_handler
	larl	%r15,stage_b_stack_top
	aghi	%r15,-160
	xc	0(8,%r15),0(%r15)
	brasl	%r14,stage_b_main
	llill	%r2,STUB_WAIT_B_INTERNAL
	brasl	%r14,stub_internal_error

/* Inside the blob: the component's pages are all stage-b may rely on. */
	.section .bss.stack,"aw",@nobits
	.balign	8
stage_b_stack:
	.skip	4096
stage_b_stack_top:

	.section .note.GNU-stack,"",@progbits
