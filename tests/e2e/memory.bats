#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Guest memory on the real path: Debian's s390x kernel and busybox initramfs
# images; info states the minimum, boot-test's default and exactly the minimum
# boot to init, clearly less is refused before QEMU starts, and a quarter less
# than the minimum really is too little for the kernel.

setup_file() {
	: "${SEGEN:?}" "${CACHE_DIR:?}"
	export GUEST="$CACHE_DIR/guest"
	export W="$BATS_FILE_TMPDIR"
	export MARKER="MEMORY-MARKER-$$"
	"$BATS_TEST_DIRNAME/../../scripts/make-initrd.sh" "$GUEST/busybox" "$W/initrd.gz" \
		"$MARKER"
	# A second, incompressible cpio member: 16 MiB more to move and to unpack.
	mkdir -p "$W/blob"
	head -c 16M /dev/urandom > "$W/blob/random.bin"
	cp "$W/initrd.gz" "$W/big.gz"
	(cd "$W/blob" && echo random.bin | cpio -o -H newc --quiet -R 0:0 | gzip -1) >> "$W/big.gz"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
		-keyout "$W/host.key" -out "$W/host.crt" -subj "/CN=memory test host" -days 1 \
		2>/dev/null
	printf 'console=ttysclp0 quiet panic=-1' > "$W/parm"
	for i in initrd big; do
		"$SEGEN" create -q -i "$GUEST/vmlinuz" -r "$W/$i.gz" -p "$W/parm" -k "$W/host.crt" \
			--no-verify -o "$W/$i.img" 2>/dev/null
	done
	# A QEMU that only records that it was started.
	printf '#!/bin/sh\ntouch "%s/qemu-started"\nexit 1\n' "$W" > "$W/fake-qemu"
	chmod +x "$W/fake-qemu"
}

minimum_of() { # minimum_of IMAGE: info's figure in MiB
	"$SEGEN" info "$1" --format json | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["segen"]["guest_memory"]["minimum_mib"])'
}

boot() { # boot IMAGE ARGS...
	local img=$1
	shift
	run "$SEGEN" boot-test "$img" --host-key "$W/host.key" --expect "initrd marker $MARKER" \
		--timeout 120 "$@"
}

@test "info states the minimum from the kernel's own sizes, in text and JSON" {
	run "$SEGEN" info "$W/initrd.img"
	[ "$status" -eq 0 ]
	[[ "$output" =~ "guest memory: at least "([0-9]+)" MiB (boot-test default 512 MiB; from the kernel's own sizes)" ]]
	local min=${BASH_REMATCH[1]}
	run "$SEGEN" info -q "$W/initrd.img" --format json
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
m = json.load(sys.stdin)["segen"]["guest_memory"]
assert m["minimum_mib"] == int(sys.argv[1]), m
assert m["basis"] == "kernel" and m["default_mib"] == 512, m
# Above what the image alone occupies: the kernel inflates to far more than its file.
assert int(m["early_boot_end"], 16) > 3 * 5 * 2**20, m
' "$min" <<< "$output"
}

@test "the default memory boots to init" {
	boot "$W/initrd.img"
	echo "$output" | tail -n 3
	[ "$status" -eq 0 ]
	[[ "$output" == *"segen-guest: initrd marker $MARKER"* ]]
}

@test "exactly the minimum boots to init, with a small and a 16 MiB larger initrd" {
	for i in initrd big; do
		local min
		min=$(minimum_of "$W/$i.img")
		boot "$W/$i.img" --memory "$min"
		echo "$i: $min MiB" && echo "$output" | tail -n 3
		[ "$status" -eq 0 ]
		[[ "$output" == *"segen-guest: initrd marker $MARKER"* ]]
	done
	# The larger initrd is moved above the kernel and then unpacked: counted twice.
	[ $(($(minimum_of "$W/big.img") - $(minimum_of "$W/initrd.img"))) -ge 32 ]
}

@test "clearly less than the minimum is refused before QEMU starts" {
	local min
	min=$(minimum_of "$W/initrd.img")
	rm -f "$W/qemu-started"
	boot "$W/initrd.img" --memory $((min / 2)) --qemu "$W/fake-qemu"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $W/initrd.img: needs at least $min MiB of guest memory, --memory $((min / 2)) is too small" ]
	[ ! -e "$W/qemu-started" ]
	boot "$W/initrd.img" --memory $((min - 1)) --qemu "$W/fake-qemu"
	[ "$status" -eq 1 ]
	[ ! -e "$W/qemu-started" ]
	# The fake QEMU does run when the memory is enough: the check above means something.
	boot "$W/initrd.img" --memory "$min" --qemu "$W/fake-qemu"
	[ "$status" -eq 1 ]
	[ -e "$W/qemu-started" ]
}

@test "a malformed --memory is a usage error" {
	for m in 1x -5 0 65537 ""; do
		boot "$W/initrd.img" --memory "$m"
		[ "$status" -eq 2 ]
		[[ "$output" == *"--memory: expected a number from 1 to 65536"* ]]
	done
}

@test "three quarters of the minimum really is too little: the kernel runs out of memory" {
	for i in initrd big; do
		local min
		min=$(minimum_of "$W/$i.img")
		# Past the check with the minimum, then QEMU's last -m wins.
		boot "$W/$i.img" --memory "$min" --qemu-arg -m --qemu-arg $((min * 3 / 4))
		echo "$i: $((min * 3 / 4)) MiB" && echo "$output" | tail -n 5
		[ "$status" -eq 1 ]
		[[ "$output" == *"the guest kernel panicked"* ]]
		[[ "$output" != *"initrd marker $MARKER"* ]]
	done
}
