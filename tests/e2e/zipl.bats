#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The disk boot real hosts use: IBM's zipl (Debian's s390-tools, s390x, run
# under qemu-s390x-static from the sysroot scripts/fetch-zipl.sh unpacks)
# writes a bootmap for a segen image onto a disk image, and QEMU's own
# firmware IPLs that disk. zipl loads the image file from offset 0x10000 on
# (its stage3 drops the first 64 KiB and starts the image through the PSW
# 0x0008000080010000, in ESA/390 mode), so stage-a must find everything it
# needs at or above 0x10000 and still reach the facility check: under TCG,
# "Secure Execution not available", wait code 0xa070, as with -kernel.
#
# Needs root for the loop device and the mount (CI runs as root), the guest
# of scripts/fetch-guest.sh and the zipl sysroot ($CACHE_DIR/zipl).

setup_file() {
	: "${SEGEN:?}" "${CACHE_DIR:?}"
	export GUEST="$CACHE_DIR/guest" SYSROOT="$CACHE_DIR/zipl/sysroot"
	[ -s "$GUEST/vmlinuz" ] && [ -s "$GUEST/busybox" ] || {
		echo "no guest in $GUEST: run scripts/fetch-guest.sh (make e2e-prereqs)" >&2
		return 1
	}
	[ -x "$SYSROOT/sbin/zipl" ] || {
		echo "no zipl in $SYSROOT: run scripts/fetch-zipl.sh (make e2e-prereqs)" >&2
		return 1
	}
	[ "$(id -u)" -eq 0 ] || {
		echo "the zipl test needs root (loop device, mount)" >&2
		return 1
	}
	export W="$BATS_FILE_TMPDIR"
	"$BATS_TEST_DIRNAME/../../scripts/make-initrd.sh" "$GUEST/busybox" "$W/initrd.gz"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
		-keyout "$W/host.key" -out "$W/host.crt" -subj "/CN=zipl test host" -days 1 \
		2>/dev/null
	printf 'console=ttysclp0 quiet panic=-1 segen.e2e=zipl' > "$W/parm"
}

setup() {
	T="$BATS_TEST_TMPDIR"
	loop= mnt=
}

teardown() {
	if [ -n "$mnt" ] && mountpoint -q "$mnt"; then umount "$mnt"; fi
	if [ -n "$loop" ]; then losetup -d "$loop" 2>/dev/null || true; fi
}

# zipl_disk IMAGE DISK [ZIPL-OPTION...]: an ext2 file system (no partition
# table) holding IMAGE as boot/image, with the bootmap zipl writes for it in
# the SCSI layout (block size 512, offset 0), as on a virtio or SCSI disk.
zipl_disk() {
	local image=$1 disk=$2 size
	shift 2
	size=$(( $(stat -c %s "$image") * 2 + (16 << 20) ))
	truncate -s "$size" "$disk"
	mkfs.ext2 -q -F "$disk"
	loop=$(losetup -f --show "$disk")
	mnt=$T/mnt
	mkdir -p "$mnt"
	mount "$loop" "$mnt"
	mkdir "$mnt/boot"
	cp "$image" "$mnt/boot/image"
	run qemu-s390x-static -L "$SYSROOT" "$SYSROOT/sbin/zipl" --target "$mnt/boot" \
		--image "$mnt/boot/image" --targetbase "$loop" --targettype SCSI \
		--targetblocksize 512 --targetoffset 0 "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	# zipl's own record of where it puts the image: at 0x10000, nothing lower.
	[[ "$output" == *"kernel image....: 0x00010000-"* ]]
	umount "$mnt"
	mnt=
	losetup -d "$loop"
	loop=
}

# ipl_disk DISK: QEMU's firmware IPLs the disk; console in $T/console, QEMU
# status in $qemu_status, the QEMU log (guest panics) in $T/qemu.log.
ipl_disk() {
	qemu_status=0
	timeout 60 qemu-system-s390x -machine s390-ccw-virtio -m 512 -nodefaults -display none \
		-serial stdio -no-reboot -action panic=exit-failure -d guest_errors \
		-D "$T/qemu.log" -drive "file=$1,format=raw,if=none,id=d0" \
		-device virtio-blk-ccw,drive=d0,bootindex=1 </dev/null > "$T/console" 2>&1 ||
		qemu_status=$?
	cat "$T/console" "$T/qemu.log"
}

assert_no_secure_execution() {
	[ "$qemu_status" -eq 1 ]
	grep -q "Using SCSI scheme" "$T/console" # the firmware read zipl's bootmap
	grep -q "stage-a: error: Secure Execution is not available on this machine" "$T/console"
	grep -q "stage-a: stopped, disabled wait code 0xa070" "$T/console"
	grep -q "PSW: 0x0002000180000000 0x000000000000a070" "$T/qemu.log"
}

@test "zipl disk boot: stage-a of a Debian kernel image reaches the facility check" {
	run "$SEGEN" create -i "$GUEST/vmlinuz" -r "$W/initrd.gz" -p "$W/parm" -k "$W/host.crt" \
		--no-verify -o "$T/image"
	[ "$status" -eq 0 ]
	zipl_disk "$T/image" "$T/disk"
	ipl_disk "$T/disk"
	assert_no_secure_execution
}

@test "zipl disk boot: a zipl command line (written into 0x10480) does not disturb stage-a" {
	run "$SEGEN" create -i "$GUEST/vmlinuz" -k "$W/host.crt" --no-verify -o "$T/image"
	[ "$status" -eq 0 ]
	zipl_disk "$T/image" "$T/disk" --parameters "console=ttysclp0 zipl.parmline=ignored"
	ipl_disk "$T/disk"
	assert_no_secure_execution
}

@test "zipl disk boot: the same image started with -kernel stops the same way" {
	run "$SEGEN" create -i "$GUEST/vmlinuz" -r "$W/initrd.gz" -p "$W/parm" -k "$W/host.crt" \
		--no-verify -o "$T/image"
	[ "$status" -eq 0 ]
	qemu_status=0
	timeout 60 qemu-system-s390x -machine s390-ccw-virtio -m 512 -nodefaults -display none \
		-serial stdio -no-reboot -action panic=exit-failure -d guest_errors \
		-D "$T/qemu.log" -kernel "$T/image" </dev/null > "$T/console" 2>&1 ||
		qemu_status=$?
	cat "$T/console"
	[ "$qemu_status" -eq 1 ]
	grep -q "stage-a: stopped, disabled wait code 0xa070" "$T/console"
	grep -q "PSW: 0x0002000180000000 0x000000000000a070" "$T/qemu.log"
}
