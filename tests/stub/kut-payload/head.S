/* SPDX-License-Identifier: MIT */
/*
 * A freestanding s390x test program in the shape kvm-unit-tests gives its
 * PV tests (s390x/flat.lds.S, s390x/cstart64.S there; facts only): a lowcore
 * image with a short IPL PSW to 0x10000 and a restart PSW, the entry at
 * 0x10000, the command line read from 0x10480 (the loaders write it there),
 * code from 0x11000, no "S390EP", variables and stack after the image. A
 * second entry at 0x10200 lets the tests see where --x-psw started it.
 */
#define KUT_PAYLOAD_WAIT_NESTED_PROGRAM_CHECK 0x7eb0
#define KUT_PAYLOAD_WAIT_INTERNAL 0x7ef0

	.section .lowcore,"a",@progbits
	.long	0x00080000, 0x80010000	/* short IPL PSW: 31-bit, 0x10000 */
	.org	0x1a0
	.quad	0x0000000180000000, 0x10000	/* restart new PSW */

	.section .init,"ax",@progbits
	.globl	kut_payload_entry
kut_payload_entry:			/* 0x10000 */
	slr	%r0,%r0
	lhi	%r1,1			/* z/Architecture; fails harmlessly if already there */
	sigp	%r1,%r0,0x12
	sam64
	larl	%r9,kut_payload_entry
	jg	kut_payload_start
	.org	0x200
kut_payload_alt_entry:			/* 0x10200: only ever started in 64-bit mode */
	larl	%r9,kut_payload_alt_entry
	jg	kut_payload_start

	.section .text.start,"ax",@progbits
kut_payload_start:			/* 0x11000 */
	llill	%r2,KUT_PAYLOAD_WAIT_NESTED_PROGRAM_CHECK
	brasl	%r14,stub_install_program_check_handler
	larl	%r2,__bss_start
	larl	%r3,__bss_end
0:	clgr	%r2,%r3
	jhe	1f
	xc	0(256,%r2),0(%r2)
	aghi	%r2,256
	j	0b
1:	larl	%r15,kut_payload_stack_top
	aghi	%r15,-160
	lgr	%r2,%r9
	brasl	%r14,kut_payload_main
	llill	%r2,KUT_PAYLOAD_WAIT_INTERNAL
	brasl	%r14,stub_internal_error

	.section .bss.stack,"aw",@nobits
	.balign	4096
kut_payload_stack:
	.skip	16384
kut_payload_stack_top:

	.section .note.GNU-stack,"",@progbits
