/* SPDX-License-Identifier: MIT */
/*
 * The test kernel's head, laid out like a raw s390x Linux image from 0x10000
 * on: entry, "S390EP" at 0x10008, the parameter area at 0x10400 with the
 * maximum command-line size at 0x10430 and a built-in command line at 0x10480
 * with room up to 0x11480, so the kernel may declare a maximum of 4096.
 */
#define FAKE_KERNEL_WAIT_NESTED_PROGRAM_CHECK 0xf0b0
#define FAKE_KERNEL_WAIT_INTERNAL 0xf0f0

	.section .text.head,"ax",@progbits
	.globl	fake_kernel_entry
fake_kernel_entry:			/* 0x10000 */
	jg	fake_kernel_start
	.org	0x8
	.ascii	"S390EP"
	.org	0x10
	.globl	fake_kernel_image_size
fake_kernel_image_size:			/* 0x10010, patched by stub-testimg */
	.quad	0

	.section .parmarea,"a",@progbits
	.org	0x30
	.quad	0			/* 0x10430: 0 = the default, 896 */
	.org	0x80
	.asciz	"fake-kernel-builtin-cmdline"	/* 0x10480 */
	.org	0x1080			/* room for 4096 bytes of command line, as Linux */

	.section .text.start,"ax",@progbits
fake_kernel_start:			/* 0x12000 */
	llill	%r2,FAKE_KERNEL_WAIT_NESTED_PROGRAM_CHECK
	brasl	%r14,stub_install_program_check_handler
	larl	%r2,__bss_start
	larl	%r3,__bss_end
0:	clgr	%r2,%r3
	jhe	1f
	xc	0(256,%r2),0(%r2)
	aghi	%r2,256
	j	0b
1:	larl	%r15,fake_kernel_stack_top
	aghi	%r15,-160
	brasl	%r14,fake_kernel_main
	llill	%r2,FAKE_KERNEL_WAIT_INTERNAL
	brasl	%r14,stub_internal_error

	.section .bss.stack,"aw",@nobits
	.balign	4096
fake_kernel_stack:
	.skip	16384
fake_kernel_stack_top:

	.section .note.GNU-stack,"",@progbits
