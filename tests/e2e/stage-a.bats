#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# An image as segen writes it, started the way a loader would (QEMU -kernel
# places the file at 0 and follows the IPL PSW): stage-a runs, finds no
# Secure Execution under TCG (facility 161), says so on the SCLP console and
# stops in a disabled wait with its documented code, 0xa070.

setup() {
	: "${SEGEN:?}" "${VECTORS_DIR:?}"
	VEC="$VECTORS_DIR/genprotimg-2.35"
	T="$BATS_TEST_TMPDIR"
}

boot_image() { # boot_image IMAGE: console in $T/console, QEMU log in $T/qemu.log
	set +e
	timeout 30 qemu-system-s390x -machine s390-ccw-virtio -m 512 -nodefaults -display none \
		-serial stdio -no-reboot -action panic=exit-failure -d guest_errors \
		-D "$T/qemu.log" -kernel "$1" > "$T/console" 2>&1
	qemu_status=$?
	set -e
}

@test "stage-a of a segen image reports that Secure Execution is unavailable" {
	run "$SEGEN" create -i "$VEC/inputs/kernel.bin" -r "$VEC/inputs/initrd.bin" \
		-p "$VEC/inputs/parmfile" -k "$VEC/keys/host1.crt" --no-verify -o "$T/img"
	[ "$status" -eq 0 ]
	boot_image "$T/img"
	cat "$T/console"
	# A guest panic (not the 0xFFF clean shutdown) ends QEMU with status 1.
	[ "$qemu_status" -eq 1 ]
	grep -q "Secure Execution is not available on this machine: facility 161" "$T/console"
	grep -q "disabled wait code 0xa070" "$T/console"
	grep -q "PSW: 0x0002000180000000 0x000000000000a070" "$T/qemu.log"
}

@test "stage-a refuses an image whose stage-a parameters were damaged" {
	run "$SEGEN" create -i "$VEC/inputs/kernel.bin" -k "$VEC/keys/host1.crt" --no-verify \
		-o "$T/img"
	[ "$status" -eq 0 ]
	printf 'X' | dd of="$T/img" bs=1 seek=$((0x11000)) conv=notrunc status=none
	boot_image "$T/img"
	[ "$qemu_status" -eq 1 ]
	grep -q "0x000000000000a010" "$T/qemu.log"
}

@test "stage-a does not read the metadata at 0xC000: damaged, the image still reaches 0xa070" {
	run "$SEGEN" create -i "$VEC/inputs/kernel.bin" -k "$VEC/keys/host1.crt" --no-verify \
		-o "$T/img"
	[ "$status" -eq 0 ]
	head -c 28 /dev/zero | dd of="$T/img" bs=1 seek=$((0xc000)) conv=notrunc status=none
	boot_image "$T/img"
	[ "$qemu_status" -eq 1 ]
	grep -q "0x000000000000a070" "$T/qemu.log"
}

@test "stage-a checks the header size segen recorded against the header" {
	run "$SEGEN" create -i "$VEC/inputs/kernel.bin" -k "$VEC/keys/host1.crt" --no-verify \
		-o "$T/img"
	[ "$status" -eq 0 ]
	# hdr_size, u64 at 0x11018: one byte more than the header's own size field
	hdr_size=$(od -An -tu4 --endian=big -j $((0x1400c)) -N4 "$T/img" | tr -d ' ')
	printf "$(printf '\\x%02x' $(((hdr_size + 1) & 0xff)))" |
		dd of="$T/img" bs=1 seek=$((0x11018 + 7)) conv=notrunc status=none
	boot_image "$T/img"
	cat "$T/console"
	[ "$qemu_status" -eq 1 ]
	grep -q "stage-a: error: the SE header at 0x14000 is $hdr_size bytes, the stage-a parameters say $((hdr_size + 1))" "$T/console"
	grep -q "0x000000000000a030" "$T/qemu.log"
}

@test "an image for 95 hosts (two header pages) still reaches the facility check" {
	local args=()
	for i in $(seq 1 95); do
		openssl ecparam -name secp521r1 -genkey -noout -out "$T/h$i.key" 2>/dev/null
		openssl req -x509 -new -key "$T/h$i.key" -out "$T/h$i.crt" -subj "/CN=h$i" \
			-days 1 2>/dev/null
		args+=(-k "$T/h$i.crt")
	done
	run "$SEGEN" create -i "$VEC/inputs/kernel.bin" --no-verify -o "$T/img" "${args[@]}"
	[ "$status" -eq 0 ]
	boot_image "$T/img"
	[ "$qemu_status" -eq 1 ]
	grep -q "0x000000000000a070" "$T/qemu.log"
}

@test "boot-test decodes a stage-b wait code and shows stage-b's message" {
	# A raw kernel (S390EP) with the default maximum of 896 bytes; without the
	# component check create lets a longer command line through, stage-b not.
	truncate -s 81920 "$T/kernel"
	printf 'S390EP' | dd of="$T/kernel" bs=1 seek=$((0x10008)) conv=notrunc status=none
	head -c 1000 /dev/zero | tr '\0' x > "$T/parm"
	run "$SEGEN" create -i "$T/kernel" -p "$T/parm" -k "$VEC/keys/host1.crt" --no-verify \
		--no-component-check -o "$T/img"
	[ "$status" -eq 0 ]
	run "$SEGEN" boot-test "$T/img" --host-key "$VEC/keys/host1.pem" --timeout 30
	[ "$status" -eq 1 ]
	[[ "$output" == *"the guest stopped in a disabled wait, PSW 0002000180000000 b060: stage-b: command line longer than the kernel accepts"* ]]
	[[ "$output" == *"| stage-b: stopped, disabled wait code 0xb060"* ]]
}

@test "boot-test decodes the wait of a payload that faults before its own handler" {
	truncate -s 81920 "$T/raw-kernel" # zeros: an operation exception at 0x10000
	run "$SEGEN" create -i "$T/raw-kernel" -k "$VEC/keys/host1.crt" --no-verify \
		--no-component-check -o "$T/img"
	[ "$status" -eq 0 ]
	run "$SEGEN" boot-test "$T/img" --host-key "$VEC/keys/host1.pem" --timeout 30
	[ "$status" -eq 1 ]
	[[ "$output" == *"the guest stopped in a disabled wait, PSW 0002000180000000 b0c0: kernel: program check before the kernel set up its own handler"* ]]
}

# put_be IMAGE OFFSET BYTES VALUE: a big-endian field of BYTES bytes
put_be() {
	local i bytes=""
	for ((i = $3 - 1; i >= 0; i--)); do
		bytes+=$(printf '\\x%02x' $((($4 >> (8 * i)) & 255)))
	done
	printf "$bytes" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}

@test "verify's model of stage-a names the wait code stage-a really stops with" {
	run "$SEGEN" create -i "$VEC/inputs/kernel.bin" -r "$VEC/inputs/initrd.bin" \
		-k "$VEC/keys/host1.crt" --no-verify -o "$T/good"
	[ "$status" -eq 0 ]
	local ipib=$(($(stat -c %s "$T/good") - 4096)) checked=0
	# name offset bytes value: one damage each; "-" keeps the image as it is
	while read -r name off bytes value; do
		cp "$T/good" "$T/img"
		[ "$name" = untouched ] || put_be "$T/img" "$off" "$bytes" "$value"
		run "$SEGEN" verify "$T/img" --host-key "$VEC/keys/host1.pem"
		if [ "$status" -eq 0 ]; then
			want=a070 # no Secure Execution under TCG: the first stop after the checks
		else
			want=$(sed -n 's/.*(stage-a would stop with 0x\([0-9a-f]*\))$/\1/p' <<<"$output")
		fi
		echo "$name: verify says ${want:-nothing}: $output"
		[ -n "$want" ]
		boot_image "$T/img" </dev/null
		grep -q "PSW: 0x0002000180000000 0x000000000000$want" "$T/qemu.log" || {
			echo "$name: stage-a stopped with $(grep -o 'PSW: 0x0002000180000000 0x[0-9a-f]*' "$T/qemu.log" | tail -1)"
			return 1
		}
		checked=$((checked + 1))
	done <<EOT
untouched - - -
metadata-zeroed 0xc000 8 0
magic 0x11007 1 0x58
version 0x11008 4 2
reserved 0x11038 8 1
hdr-inside-stage-a 0x11010 8 0x10000
hdr-elsewhere 0x11010 8 0x15000
hdr-size 0x11018 8 0x2d0
ipib-unaligned 0x11020 8 $((ipib + 8))
ipib-inside-stage-a 0x11020 8 0x2000
ipib-elsewhere 0x11020 8 $((ipib - 4096))
ipib-size 0x1100c 4 208
EOT
	[ "$checked" -eq 12 ]
}
