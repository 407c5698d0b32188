#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# How large an image QEMU 7.2 boots, to the page, on the two paths real hosts
# use. The zipl disk: IBM's zipl (Debian's s390-tools, as in
# tests/e2e/zipl.bats) writes the bootmap, QEMU's s390-ccw firmware loads the
# file from the disk at 0x10000, zipl's stage3 moves it down by 64 KiB and
# starts stage-a. -kernel: QEMU places the file at 0. Stage-a runs only after
# the whole image is in memory and first checks its parameters, the SE header
# and the IPIB in the image's last page, so reaching the facility check
# (0xa070, no Secure Execution under TCG) proves the load was complete.
#
# The limits (docs/format.md, "How large an image boots"): QEMU always loads
# its firmware, at (min(RAM, 2 GiB) - 2 MiB) & ~0xffff, 0x7fe00000 from 2 GiB
# of RAM on, and no image may reach it: 0x7fe00000 bytes with -kernel,
# 0x7fdf0000 on a zipl disk. zipl refuses more than 0x7fff0000 bytes and 7.2's
# -kernel reads at most 0x7ffff000. So no image of 2 GiB or more boots under
# QEMU 7.2; these tests prove each edge, and that create warns beyond it.
# With the QEMU that plays the Ultravisor (qemu-patches/, make qemu) the
# largest zipl image also goes through the secure reboot to its init.
#
# Costs: each image is 2 GiB or more of encrypted (incompressible) bytes, on
# a sparse ext2 disk image for zipl, in /dev/shm when it has room
# (BIG_IMAGE_DIR chooses another place); the initrds are sparse. One image
# exists at a time and all is deleted at the end, also on failure. About 3.5
# minutes here, 6 with the pv-sim boot: its own suite (make big-image-test),
# not in make test.

FIRMWARE_BASE=$((0x7fe00000))
ZIPL_FIRMWARE_MAX=$((FIRMWARE_BASE - 0x10000)) # 0x7fdf0000
PAGE=4096

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
		echo "the big-image test needs root (loop device, mount)" >&2
		return 1
	}
	local base=${BIG_IMAGE_DIR:-}
	if [ -z "$base" ]; then
		base=$BATS_FILE_TMPDIR
		if [ "$(df --output=avail -B1 /dev/shm 2>/dev/null | tail -n 1)" -ge $((8 << 30)) ]
		then
			base=/dev/shm
		fi
	fi
	W=$(mktemp -d "$base/segen-big-image.XXXXXX")
	export W
	export MAKE_INITRD="$BATS_TEST_DIRNAME/../make-big-initrd.sh"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
		-keyout "$W/host.key" -out "$W/host.crt" -subj "/CN=big image test host" \
		-days 1 2>/dev/null
	# ramfs, not tmpfs: the initrd is reserved memory while Linux unpacks it,
	# so tmpfs's half of the rest is less than /big.bin needs.
	printf 'console=ttysclp0 quiet panic=-1 rootfstype=ramfs segen.e2e=big-image' >"$W/parm"
	# Everything of an image but its initrd: a probe with a 1 MiB initrd.
	"$MAKE_INITRD" "$GUEST/busybox" $((1 << 20)) "$W/probe.initrd"
	"$SEGEN" create -q -i "$GUEST/vmlinuz" -r "$W/probe.initrd" -p "$W/parm" \
		-k "$W/host.crt" --no-verify -o "$W/probe.img"
	FIXED=$(($(stat -c %s "$W/probe.img") - (1 << 20)))
	export FIXED
	rm -f "$W/probe.img" "$W/probe.initrd"
}

teardown_file() {
	if [ -n "${W:-}" ]; then
		local m
		for m in "$W"/mnt*; do
			if mountpoint -q "$m" 2>/dev/null; then umount "$m"; fi
		done
		losetup -j "$W/disk" 2>/dev/null | cut -d: -f1 | xargs -r -n 1 losetup -d
		rm -rf "$W"
	fi
}

setup() {
	T="$BATS_TEST_TMPDIR"
	loop= mnt=
}

teardown() {
	if [ -n "$mnt" ] && mountpoint -q "$mnt"; then umount "$mnt"; fi
	if [ -n "$loop" ]; then losetup -d "$loop" 2>/dev/null || true; fi
}

# attach: the disk $W/disk on a loop device, its file system on $W/mnt.
attach() {
	loop=$(losetup -f --show "$W/disk")
	mnt=$W/mnt
	mkdir -p "$mnt"
	mount "$loop" "$mnt"
}

detach() {
	umount "$mnt"
	mnt=
	losetup -d "$loop"
	loop=
}

# make_image SIZE OUTPUT: a segen image of exactly SIZE bytes (a page
# multiple); segen's output in $create_output, the IPIB address in $ipib.
make_image() {
	local size=$1 out=$2
	"$MAKE_INITRD" "$GUEST/busybox" $((size - FIXED)) "$W/initrd"
	run "$SEGEN" create -i "$GUEST/vmlinuz" -r "$W/initrd" -p "$W/parm" -k "$W/host.crt" \
		--no-verify -o "$out"
	echo "$output"
	[ "$status" -eq 0 ]
	create_output=$output
	rm -f "$W/initrd"
	[ "$(stat -c %s "$out")" -eq "$size" ]
	ipib=$(printf '0x%x' $((size - PAGE)))
	run "$SEGEN" info "$out"
	[[ "$output" == *"IPIB: $ipib, "* ]]
}

# image_disk SIZE: a new $W/disk, a sparse ext2 file system whose boot/image
# is a segen image of SIZE bytes (make_image writes it straight into it),
# then zipl run on it: its output and status in $zipl_output, $zipl_status.
image_disk() {
	local size=$1
	rm -f "$W/disk"
	truncate -s $((size + (64 << 20))) "$W/disk"
	mkfs.ext2 -q -F "$W/disk"
	attach
	mkdir "$mnt/boot"
	make_image "$size" "$mnt/boot/image"
	run qemu-s390x-static -L "$SYSROOT" "$SYSROOT/sbin/zipl" --target "$mnt/boot" \
		--image "$mnt/boot/image" --targetbase "$loop" --targettype SCSI \
		--targetblocksize 512 --targetoffset 0
	echo "$output"
	zipl_output=$output zipl_status=$status
	detach
}

# boot_kernel FILE MIB: QEMU 7.2 -kernel FILE, as tests/e2e/stage-a.bats.
boot_kernel() {
	qemu_status=0
	timeout 600 qemu-system-s390x -machine s390-ccw-virtio -m "$2" -nodefaults \
		-display none -serial stdio -no-reboot -action panic=exit-failure \
		-d guest_errors -D "$T/qemu.log" -kernel "$1" </dev/null >"$T/console" 2>&1 ||
		qemu_status=$?
	cat "$T/console" "$T/qemu.log"
}

# refute_console TEXT: the console never showed TEXT.
refute_console() {
	run grep -c -- "$1" "$T/console"
	[ "$output" = 0 ]
}

# ipl: QEMU's firmware IPLs $W/disk with 2 GiB of memory, so its firmware
# lies at 0x7fe00000; console in $T/console, QEMU status in $qemu_status,
# QEMU's log (the wait PSW) in $T/qemu.log.
ipl() {
	qemu_status=0
	timeout 600 qemu-system-s390x -machine s390-ccw-virtio -m 2048 -nodefaults \
		-display none -serial stdio -no-reboot -action panic=exit-failure \
		-d guest_errors -D "$T/qemu.log" \
		-drive "file=$W/disk,format=raw,if=none,id=d0" \
		-device virtio-blk-ccw,drive=d0,bootindex=1 </dev/null >"$T/console" 2>&1 ||
		qemu_status=$?
	cat "$T/console" "$T/qemu.log"
	grep -q "Using SCSI scheme" "$T/console" # the firmware read zipl's bootmap
}

@test "zipl disk: the largest image QEMU's firmware loads (0x7fdf0000 bytes) reaches stage-a" {
	image_disk "$ZIPL_FIRMWARE_MAX"
	[ "$ipib" = 0x7fdef000 ]
	# Within every limit: create warns of none.
	[[ "$create_output" != *"too large"* ]]
	[[ "$create_output" != *"-kernel"* ]]
	[ "$zipl_status" -eq 0 ]
	[[ "$zipl_output" == *"kernel image....: 0x00010000-0x7fdfffff"* ]]
	ipl
	# Stage-a read its parameters, the header and the IPIB at 0x7fdef000.
	[ "$qemu_status" -eq 1 ]
	grep -q "stage-a: stopped, disabled wait code 0xa070" "$T/console"
	grep -q "PSW: 0x0002000180000000 0x000000000000a070" "$T/qemu.log"
}

@test "zipl disk, pv-sim QEMU: that image goes through the secure reboot to its init" {
	# The QEMU that plays the Ultravisor (docs/pv-sim.md), when built.
	local qemu=${PV_SIM_QEMU:-}
	if [ -z "$qemu" ]; then
		qemu=$(ls -t "$CACHE_DIR"/qemu/*/bin/qemu-system-s390x 2>/dev/null | head -n 1)
	fi
	[ -n "$qemu" ] && [ -x "$qemu" ] ||
		skip "no pv-sim QEMU in $CACHE_DIR/qemu (make qemu builds it)"
	[ -s "$W/disk" ]
	qemu_status=0
	# 5 GiB: the 2 GiB image, then /big.bin unpacked beside it.
	timeout 900 "$qemu" -machine "s390-ccw-virtio,pv-sim=on,pv-sim-key=$W/host.key" \
		-m 5120 -nodefaults -display none -serial stdio -no-reboot \
		-action panic=exit-failure -d guest_errors -D "$T/qemu.log" \
		-drive "file=$W/disk,format=raw,if=none,id=d0" \
		-device virtio-blk-ccw,drive=d0,bootindex=1 </dev/null >"$T/console" 2>&1 ||
		qemu_status=$?
	cat "$T/console" "$T/qemu.log"
	# The Ultravisor model decrypted and checked every page up to the IPIB,
	# stage-b placed the initrd, Linux unpacked both its parts: the busybox
	# archive lies at its end, just below 0x7fdef000.
	grep -q "segen-guest: cmdline=\[console=ttysclp0 quiet panic=-1 rootfstype=ramfs segen.e2e=big-image\]" \
		"$T/console"
	grep -q "segen-guest: initrd marker SEGEN-GUEST-OK" "$T/console"
	refute_console "Initramfs unpacking failed"
}

@test "zipl disk: that image with its IPIB's type byte changed stops at the IPIB check" {
	# The disk of the test before; the byte changes in place, zipl's block
	# list stays right. Stage-a sees the change only if the firmware really
	# loaded the last page.
	[ -s "$W/disk" ]
	attach
	printf '\x04' | dd of="$mnt/boot/image" bs=1 seek=$((0x7fdef000 + 0x0c)) conv=notrunc \
		status=none
	detach
	ipl
	[ "$qemu_status" -eq 1 ]
	grep -q "stage-a: error: the IPIB at 0x7fdef000 does not match the stage-a parameters: type 4" \
		"$T/console"
	grep -q "PSW: 0x0002000180000000 0x000000000000a050" "$T/qemu.log"
	rm -f "$W/disk"
}

@test "zipl disk: one page more overwrites QEMU's firmware while it loads; create warns" {
	image_disk $((ZIPL_FIRMWARE_MAX + PAGE))
	[[ "$create_output" == *"warning: $W/mnt/boot/image: 0x7fdf1000 bytes: too large for a zipl boot disk: QEMU's firmware loads at most 0x7fdf0000 bytes from one, with 2 GiB or more of guest memory (docs/format.md)"* ]]
	[[ "$create_output" != *"-kernel"* ]]
	# zipl itself accepts it: its limit is 2 GiB.
	[ "$zipl_status" -eq 0 ]
	[[ "$zipl_output" == *"kernel image....: 0x00010000-0x7fe00fff"* ]]
	ipl
	# The last page lands on the firmware's first, which holds the start of
	# its code: the firmware takes a program check and its handler is a
	# disabled wait at 0. Stage-a never runs.
	[ "$qemu_status" -eq 1 ]
	refute_console "stage-a"
	grep -q "PSW: 0x0002000180000000 0x0000000000000000" "$T/qemu.log"
	rm -f "$W/disk"
}

@test "2.2 GiB: zipl refuses the image, QEMU 7.2's -kernel cannot even read it; create warns" {
	local size=$(((22 << 30) / 10 / PAGE * PAGE))
	image_disk "$size"
	[[ "$create_output" == *"$(printf '0x%x' "$size") bytes: too large for a zipl boot disk"*", and zipl refuses more than 0x7fff0000 (docs/format.md)"* ]]
	[[ "$create_output" == *"$(printf '0x%x' "$size") bytes: too large for QEMU's -kernel: the image would overlap QEMU's firmware at 0x7fe00000 (docs/format.md)"* ]]
	[ "$zipl_status" -ne 0 ]
	[[ "$zipl_output" == *"Component 'kernel image' exceeds available address space (limit is 0x80000000)"* ]]
	attach
	boot_kernel "$mnt/boot/image" 3072
	detach
	# Before any overlap check, its one read() stops at 2 GiB - 4 KiB.
	[ "$qemu_status" -ne 0 ]
	grep -q "read error: rc=2147479552" "$T/console"
	refute_console "stage-a"
	rm -f "$W/disk"
}

@test "-kernel: the largest image QEMU loads at 0 (0x7fe00000 bytes) reaches stage-a; a page more overlaps the firmware" {
	make_image "$FIRMWARE_BASE" "$W/image"
	[ "$ipib" = 0x7fdff000 ]
	[[ "$create_output" == *"0x7fe00000 bytes: too large for a zipl boot disk"* ]]
	[[ "$create_output" != *"-kernel"* ]]
	boot_kernel "$W/image" 2048
	[ "$qemu_status" -eq 1 ]
	grep -q "stage-a: stopped, disabled wait code 0xa070" "$T/console"
	grep -q "PSW: 0x0002000180000000 0x000000000000a070" "$T/qemu.log"
	# QEMU loads its firmware with -kernel too, and refuses to start when the
	# file reaches it.
	truncate -s $((FIRMWARE_BASE + PAGE)) "$W/image"
	boot_kernel "$W/image" 2048
	[ "$qemu_status" -ne 0 ]
	grep -q "Some ROM regions are overlapping" "$T/console"
	grep -q "image (addresses 0x0000000000000000 - 0x000000007fe01000)" "$T/console"
	grep -q "s390-ccw.img ELF program header segment .* (addresses 0x000000007fe00000 - " \
		"$T/console"
	refute_console "stage-a"
	rm -f "$W/image"
}
