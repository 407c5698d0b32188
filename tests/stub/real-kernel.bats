#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Opt-in: stage-b starts a real s390x Linux kernel. Needs files the suite does
# not download itself (make demo fetches the same Debian packages):
#   STUB_REAL_KERNEL   a raw s390x kernel image, e.g. boot/vmlinuz-6.1.0-*-s390x
#                      from linux-image-6.1.0-*-s390x:s390x
#   STUB_REAL_BUSYBOX  a static s390x busybox, bin/busybox from busybox-static:s390x
# Takes about 5 s under TCG.

load helpers

@test "stage-b starts a real s390x Linux kernel with its command line and initramfs" {
	if [ ! -f "${STUB_REAL_KERNEL:-}" ] || [ ! -f "${STUB_REAL_BUSYBOX:-}" ]; then
		skip "set STUB_REAL_KERNEL and STUB_REAL_BUSYBOX to run it"
	fi
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/bin" "$root/proc"
	cp "$STUB_REAL_BUSYBOX" "$root/bin/busybox"
	cat >"$root/init" <<-'EOF'
		#!/bin/busybox sh
		/bin/busybox mount -t proc proc /proc
		echo "init: cmdline=[$(/bin/busybox cat /proc/cmdline)]"
		/bin/busybox poweroff -f
	EOF
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip) >"$BATS_TEST_TMPDIR/initrd.gz"
	printf 'console=ttysclp0 rdinit=/init quiet panic=-1 stub.test=real-kernel\0' \
		>"$BATS_TEST_TMPDIR/cmdline"

	elf=$BATS_TEST_TMPDIR/real.elf
	"$TESTIMG" stage-b-elf --stage-b "$STAGE_B_BIN" --kernel "$STUB_REAL_KERNEL" \
		--initrd "$BATS_TEST_TMPDIR/initrd.gz" --cmdline "$BATS_TEST_TMPDIR/cmdline" -o "$elf"
	QEMU_TIMEOUT=120
	boot "$elf"
	assert_console "init: cmdline=[console=ttysclp0 rdinit=/init quiet panic=-1 stub.test=real-kernel]"
	[ "$qemu_status" -eq 0 ] || { show_boot; false; }
}
