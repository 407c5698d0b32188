#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Stage-b's alignment, size and overlap refusals under QEMU TCG, each next to
# the nearest layout it must still accept: the parameters lie (--set) while
# the components stay where the ELF puts them, so only the rule under test can
# stop the boot.

load helpers

setup_file() {
	export KERNEL=$BATS_FILE_TMPDIR/kernel.bin
	export INITRD=$BATS_FILE_TMPDIR/initrd.bin
	"$TESTIMG" fake-kernel --code "$FAKE_KERNEL_CODE" -o "$KERNEL"
	seq 1 4000 >"$INITRD"
	printf 'console=ttysclp0 quiet\0' >"$BATS_FILE_TMPDIR/cmdline"
}

elf() {
	elf=$BATS_TEST_TMPDIR/stage-b.elf
	"$TESTIMG" stage-b-elf --stage-b "$STAGE_B_BIN" -o "$elf" "$@"
}

hexsize() {
	printf '0x%x' "$(stat -c %s "$1")"
}

@test "stage-b rules: a kernel address off a page boundary is refused" {
	elf --kernel "$KERNEL" --set kernel_addr=0x15008
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: kernel address 0x15008, size $(hexsize "$KERNEL"): not a page-aligned range"
}

@test "stage-b rules: an initrd address off a page boundary is refused" {
	elf --kernel "$KERNEL" --initrd "$INITRD" --initrd-addr 0x800000 --set initrd_addr=0x800800
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: initrd address 0x800800, size $(hexsize "$INITRD"): not a page-aligned range"
}

@test "stage-b rules: an initrd size without an address is refused" {
	elf --kernel "$KERNEL" --set initrd_size=0x1000
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: initrd address 0x0, size 0x1000: not a page-aligned range"
}

@test "stage-b rules: a command line address off a page boundary is refused" {
	elf --kernel "$KERNEL" --cmdline "$BATS_FILE_TMPDIR/cmdline" --cmdline-addr 0x900000 \
		--set cmdline_addr=0x900010
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: command line address 0x900010"
}

@test "stage-b rules: a command line of 1 MiB + 1 is refused, 1 MiB passes the parameter check" {
	elf --kernel "$KERNEL" --cmdline "$BATS_FILE_TMPDIR/cmdline" --cmdline-addr 0x900000 \
		--set cmdline_size=0x100001
	boot "$elf"
	assert_stopped B_BAD_PARAMS
	assert_console "stage-b: error: command line address 0x900000, size 0x100001"
	elf --kernel "$KERNEL" --cmdline "$BATS_FILE_TMPDIR/cmdline" --cmdline-addr 0x900000 \
		--set cmdline_size=0x100000
	boot "$elf"
	refute_console "size 0x100000: not a page-aligned range"
	[ "$wait_code" != "$(wait_code B_BAD_PARAMS)" ]
	[ -n "$wait_code" ]
}

@test "stage-b rules: the kernel component over the initrd is refused" {
	elf --kernel "$KERNEL" --initrd "$INITRD" --initrd-addr 0x800000 --set initrd_addr=0x16000
	boot "$elf"
	assert_stopped B_OVERLAP
	assert_console "stage-b: error: the kernel component [0x15000,"
	assert_console "overlaps the initrd [0x16000,"
}

@test "stage-b rules: the kernel's destination over the initrd is refused" {
	# The kernel component far up, the initrd where the kernel will be moved to.
	elf --kernel "$KERNEL" --kernel-addr 0x1000000 --initrd "$INITRD" --initrd-addr 0x800000 \
		--set initrd_addr=0x11000
	boot "$elf"
	assert_stopped B_OVERLAP
	assert_console "stage-b: error: the kernel's destination [0x10000,"
	assert_console "overlaps the initrd [0x11000,"
}

@test "stage-b rules: the kernel component over stage-b itself is refused" {
	# Any payload: the S390EP check would stop at the bytes of stage-b first.
	elf --kernel "$KERNEL" --stage-b-addr 0x1000000 --set kernel_addr=0x1000000 --set flags=0x1
	boot "$elf"
	assert_stopped B_OVERLAP
	assert_console "stage-b: error: the kernel component [0x1000000,"
	assert_console "overlaps stage-b [0x1000000,"
}

@test "stage-b rules: an initrd right after the kernel's destination boots" {
	local end
	end=$(printf '0x%x' $((($(stat -c %s "$KERNEL") + 4095) / 4096 * 4096)))
	elf --kernel "$KERNEL" --kernel-addr 0x1000000 --initrd "$INITRD" --initrd-addr "$end"
	boot "$elf"
	assert_kernel_ran
	assert_console "fake-kernel: initrd start=$end size=$(hexsize "$INITRD")"
}

@test "stage-b rules: a kernel of exactly the minimum size passes the size check" {
	head -c $((0x10480)) "$KERNEL" >"$BATS_TEST_TMPDIR/kernel"
	elf --kernel "$BATS_TEST_TMPDIR/kernel"
	boot "$elf"
	refute_console "a raw s390x kernel has at least"
	head -c $((0x1047f)) "$KERNEL" >"$BATS_TEST_TMPDIR/kernel"
	elf --kernel "$BATS_TEST_TMPDIR/kernel"
	boot "$elf"
	assert_stopped B_BAD_KERNEL
	assert_console "the kernel is 0x1047f bytes; a raw s390x kernel has at least 0x10480"
}

@test "stage-b rules: a command line that starts with a NUL is refused" {
	printf '\0quiet\0' >"$BATS_TEST_TMPDIR/cmdline"
	elf --kernel "$KERNEL" --cmdline "$BATS_TEST_TMPDIR/cmdline"
	boot "$elf"
	assert_stopped B_CMDLINE_EMBEDDED_NUL
	assert_console "stage-b: error: the command line has a NUL byte at offset 0 of 7"
}
