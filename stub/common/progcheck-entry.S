/* SPDX-License-Identifier: MIT */
/*
 * Program-check entry shared by every stub program; see progcheck.h.
 * Position independent: only PC-relative (larl/brasl) and lowcore addresses.
 */
#include "lowcore.h"

	.section .text,"ax",@progbits

/*
 * r2: wait code for a program check during the report. Clobbers r0, r1.
 * Needs no stack, so the entry code can call it first.
 */
	.globl	stub_install_program_check_handler
	.type	stub_install_program_check_handler,@function
stub_install_program_check_handler:
	larl	%r1,stub_nested_program_check_psw
	llihh	%r0,0x0002		/* 0x0002000180000000: disabled wait */
	oihl	%r0,0x0001
	oilh	%r0,0x8000
	stg	%r0,0(%r1)
	stg	%r2,8(%r1)
	llihl	%r0,0x0001		/* 0x0000000180000000: 64-bit, disabled */
	oilh	%r0,0x8000
	stg	%r0,LC_PGM_NEW_PSW
	larl	%r1,stub_program_check_entry
	stg	%r1,LC_PGM_NEW_PSW+8
	br	%r14
	.size	stub_install_program_check_handler,.-stub_install_program_check_handler

/* Program new PSW target: own stack, nested checks stop at once, then report. */
	.type	stub_program_check_entry,@function
stub_program_check_entry:
	larl	%r1,stub_nested_program_check_psw
	mvc	LC_PGM_NEW_PSW(16),0(%r1)
	larl	%r15,stub_program_check_stack_top
	aghi	%r15,-160
	xc	0(8,%r15),0(%r15)
	brasl	%r14,stub_program_check_report
	j	.
	.size	stub_program_check_entry,.-stub_program_check_entry

	.section .bss,"aw",@nobits
	.balign	8
stub_nested_program_check_psw:
	.skip	16
	.balign	8
stub_program_check_stack:
	.skip	4096
stub_program_check_stack_top:

	.section .note.GNU-stack,"",@progbits
