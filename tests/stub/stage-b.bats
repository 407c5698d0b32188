#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Stage-b for real under QEMU TCG: an ELF puts the test kernel, an initrd, a
# command line and stage-b (parameters filled in) where the Ultravisor would
# leave them decrypted; QEMU starts stage-b at its ELF entry in 64-bit mode.
# The test kernel reports what it finds and ends with a 0xFFF wait (exit 0).

load helpers

setup_file() {
	export KERNEL=$BATS_FILE_TMPDIR/kernel.bin
	export KERNEL_4096=$BATS_FILE_TMPDIR/kernel-max-4096.bin
	export INITRD=$BATS_FILE_TMPDIR/initrd.bin
	"$TESTIMG" fake-kernel --code "$FAKE_KERNEL_CODE" -o "$KERNEL"
	"$TESTIMG" fake-kernel --code "$FAKE_KERNEL_CODE" --max-cmdline 4096 -o "$KERNEL_4096"
	seq 1 40000 >"$INITRD"
}

# elf [stub-testimg stage-b-elf options]: the test ELF, default kernel.
elf() {
	elf=$BATS_TEST_TMPDIR/stage-b.elf
	"$TESTIMG" stage-b-elf --stage-b "$STAGE_B_BIN" -o "$elf" "$@"
}

page_align() {
	printf '0x%x' $((($1 + 4095) / 4096 * 4096))
}

hexsize() {
	printf '0x%x' "$(stat -c %s "$1")"
}

# The test kernel's report on a kernel that arrived intact at 0x10000.
assert_kernel_image_intact() {
	assert_console "fake-kernel: image size=$(hexsize "$1") fnv=$(fnv "$1" $((0x12000)))"
}

@test "stage-b: moves the kernel onto its own source, passes command line and initrd, starts it" {
	printf 'console=ttysclp0 root=/dev/ram0 quiet\0' >"$BATS_TEST_TMPDIR/cmdline"
	elf --kernel "$KERNEL" --initrd "$INITRD" --cmdline "$BATS_TEST_TMPDIR/cmdline"
	boot "$elf"
	assert_kernel_ran
	[ "$(printed_cmdline)" = "console=ttysclp0 root=/dev/ram0 quiet" ]
	# Default layout: kernel at 0x15000 (its move to 0x10000 overlaps it), initrd next.
	initrd_addr=$(page_align $((0x15000 + $(stat -c %s "$KERNEL"))))
	assert_console "fake-kernel: initrd start=$initrd_addr size=$(hexsize "$INITRD") fnv=$(fnv "$INITRD")"
	assert_kernel_image_intact "$KERNEL"
}

@test "stage-b: a command line of exactly the default maximum (896 with NUL) boots whole" {
	make_cmdline "$BATS_TEST_TMPDIR/cmdline" 895
	elf --kernel "$KERNEL" --cmdline "$BATS_TEST_TMPDIR/cmdline"
	boot "$elf"
	assert_kernel_ran
	assert_console "fake-kernel: cmdline length 895, maximum 896"
	[ "$(printed_cmdline)" = "$(head -c 895 "$BATS_TEST_TMPDIR/cmdline")" ]
}

@test "stage-b: one byte over the default maximum is refused, wait code 0xb060" {
	make_cmdline "$BATS_TEST_TMPDIR/cmdline" 896
	elf --kernel "$KERNEL" --cmdline "$BATS_TEST_TMPDIR/cmdline"
	boot "$elf"
	assert_stopped B_CMDLINE_TOO_LONG
	assert_console "stage-b: error: the command line is 897 bytes with its NUL, this kernel accepts at most 896"
	refute_console "fake-kernel"
}

@test "stage-b: the maximum the kernel declares at 0x10430 (4096) is honoured, 4096 boots" {
	make_cmdline "$BATS_TEST_TMPDIR/cmdline" 4095
	elf --kernel "$KERNEL_4096" --cmdline "$BATS_TEST_TMPDIR/cmdline"
	boot "$elf"
	assert_kernel_ran
	assert_console "fake-kernel: cmdline length 4095, maximum 4096"
	[ "$(printed_cmdline)" = "$(head -c 4095 "$BATS_TEST_TMPDIR/cmdline")" ]
}

@test "stage-b: 4097 bytes for a kernel that accepts 4096 are refused" {
	make_cmdline "$BATS_TEST_TMPDIR/cmdline" 4096
	elf --kernel "$KERNEL_4096" --cmdline "$BATS_TEST_TMPDIR/cmdline"
	boot "$elf"
	assert_stopped B_CMDLINE_TOO_LONG
	assert_console "the command line is 4097 bytes with its NUL, this kernel accepts at most 4096"
}

@test "stage-b: a command line without a terminating NUL is refused, wait code 0xb040" {
	make_cmdline "$BATS_TEST_TMPDIR/cmdline" 100 no-nul
	elf --kernel "$KERNEL" --cmdline "$BATS_TEST_TMPDIR/cmdline"
	boot "$elf"
	assert_stopped B_CMDLINE_UNTERMINATED
	assert_console "stage-b: error: the command line (100 bytes) does not end with a NUL byte"
	refute_console "fake-kernel"
}

@test "stage-b: a command line with a NUL before its end is refused, wait code 0xb050" {
	printf 'root=/dev/ram0\0quiet\0' >"$BATS_TEST_TMPDIR/cmdline"
	elf --kernel "$KERNEL" --cmdline "$BATS_TEST_TMPDIR/cmdline"
	boot "$elf"
	assert_stopped B_CMDLINE_EMBEDDED_NUL
	assert_console "stage-b: error: the command line has a NUL byte at offset 14 of 21"
}

@test "stage-b: position independent, runs at 0x1ff00000 near the top of memory" {
	printf 'pos=high\0' >"$BATS_TEST_TMPDIR/cmdline"
	elf --kernel "$KERNEL" --initrd "$INITRD" --cmdline "$BATS_TEST_TMPDIR/cmdline" \
		--stage-b-addr 0x1ff00000
	boot "$elf"
	assert_kernel_ran
	[ "$(printed_cmdline)" = "pos=high" ]
	assert_console "size=$(hexsize "$INITRD") fnv=$(fnv "$INITRD")"
	assert_kernel_image_intact "$KERNEL"
}

@test "stage-b: position independent, runs at 0x100000 below the kernel component" {
	printf 'pos=low\0' >"$BATS_TEST_TMPDIR/cmdline"
	elf --kernel "$KERNEL" --kernel-addr 0x200000 --initrd "$INITRD" \
		--initrd-addr 0x400000 --cmdline "$BATS_TEST_TMPDIR/cmdline" \
		--cmdline-addr 0x3ff000 --stage-b-addr 0x100000
	boot "$elf"
	assert_kernel_ran
	[ "$(printed_cmdline)" = "pos=low" ]
	assert_console "fake-kernel: initrd start=0x400000 size=$(hexsize "$INITRD") fnv=$(fnv "$INITRD")"
	assert_kernel_image_intact "$KERNEL"
}

@test "stage-b: without initrd and command line the kernel keeps its built-in command line" {
	elf --kernel "$KERNEL"
	boot "$elf"
	assert_kernel_ran
	[ "$(printed_cmdline)" = "fake-kernel-builtin-cmdline" ]
	assert_console "fake-kernel: initrd start=0x0 size=0x0"
}

@test "stage-b: a parameter block of version 1 (the wrong magic) is refused, wait code 0xb010" {
	elf --kernel "$KERNEL" --set magic=0x5345474e53544201
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: parameter block magic 0x5345474e53544201 is not 0x5345474e53544202"
}

@test "stage-b: an unknown parameter flag is refused" {
	elf --kernel "$KERNEL" --set flags=0x3
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: parameter block flags 0x3 include unknown ones (known: 0x1)"
}

@test "stage-b: an odd start address is refused before anything moves" {
	elf --kernel "$KERNEL" --set entry_addr=0x12001
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: start address 0x12001 is odd or outside the placed payload [0x10000, $(hexsize "$KERNEL"))"
}

@test "stage-b: a start address past the placed payload is refused" {
	elf --kernel "$KERNEL" --set entry_addr="$(hexsize "$KERNEL")"
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: start address $(hexsize "$KERNEL") is odd or outside the placed payload"
}

@test "stage-b: a start address below 0x10000 is refused" {
	elf --kernel "$KERNEL" --set entry_addr=0xf000
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: start address 0xf000 is odd or outside the placed payload"
}

@test "stage-b: with the any-payload flag a payload without S390EP is placed and started" {
	cp "$KERNEL" "$BATS_TEST_TMPDIR/kernel"
	printf 'ELF390' | dd of="$BATS_TEST_TMPDIR/kernel" bs=1 seek=$((0x10008)) conv=notrunc status=none
	printf 'any payload\0' >"$BATS_TEST_TMPDIR/cmdline"
	elf --kernel "$BATS_TEST_TMPDIR/kernel" --cmdline "$BATS_TEST_TMPDIR/cmdline" --set flags=0x1
	boot "$elf"
	assert_kernel_ran
	[ "$(printed_cmdline)" = "any payload" ]
	assert_kernel_image_intact "$BATS_TEST_TMPDIR/kernel"
}

@test "stage-b: a non-zero reserved parameter is refused" {
	elf --kernel "$KERNEL" --set reserved=1
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "parameter block field 'reserved' is 0x1, not 0"
}

@test "stage-b: a command line address with size 0 is refused" {
	elf --kernel "$KERNEL" --set cmdline_addr=0x100000
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: command line address 0x100000, size 0x0"
}

@test "stage-b: a kernel of 64 KiB (no parameter area) is refused, wait code 0xb020" {
	elf --kernel "$KERNEL" --set kernel_size=0x10000
	boot "$elf"
	assert_stopped B_BAD_KERNEL
	assert_console "stage-b: error: the kernel is 0x10000 bytes; a raw s390x kernel has at least 0x10480"
}

@test "stage-b: a kernel without S390EP at 0x10008 is refused" {
	cp "$KERNEL" "$BATS_TEST_TMPDIR/kernel"
	printf 'ELF390' | dd of="$BATS_TEST_TMPDIR/kernel" bs=1 seek=$((0x10008)) conv=notrunc status=none
	elf --kernel "$BATS_TEST_TMPDIR/kernel"
	boot "$elf"
	assert_stopped B_BAD_KERNEL
	assert_console 'stage-b: error: no "S390EP" at offset 0x10008 of the kernel: not a raw s390x Linux image (an ELF vmlinux or a compressed file? a payload that is not Linux needs segen create --no-component-check)'
}

@test "stage-b: an initrd inside the kernel's destination is refused, wait code 0xb030" {
	elf --kernel "$KERNEL" --kernel-addr 0x200000 --initrd "$INITRD" --initrd-addr 0x40000
	boot "$elf"
	assert_stopped B_OVERLAP
	assert_console "stage-b: error: the kernel's destination [0x10000, $(hexsize "$KERNEL")) overlaps the initrd [0x40000,"
	refute_console "fake-kernel"
}

@test "stage-b: a component that covers stage-b itself is refused" {
	elf --kernel "$KERNEL" --initrd "$INITRD" --set initrd_size=0x1000000
	boot "$elf"
	assert_stopped B_OVERLAP
	assert_console "overlaps stage-b ["
}

@test "stage-b: program-check handler reports an addressing exception, wait code 0xb0a0" {
	elf --kernel "$KERNEL" --set kernel_addr=0x40000000
	boot "$elf"
	assert_stopped B_PROGRAM_CHECK
	assert_console "stage-b: program check: interruption code 0x0005, instruction length"
	assert_console "stage-b: error: program check 0x0005 (addressing exception) at 0x"
	assert_console "while reading the kernel"
}
