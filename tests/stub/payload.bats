#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A payload that is not Linux, built the way kvm-unit-tests builds its PV
# tests (s390x/Makefile there): objcopy -O binary of a program laid out from
# address 0 with its entry at 0x10000 and no S390EP, then
#   genprotimg --no-verify --overwrite --no-component-check
#       --host-key-document HKD --comm-key KEY --x-pcf 0x000000e0
#       [--parmfile F] --image X.bin -o X.pv.bin
# through the genprotimg name of segen. segen boot-test does the Ultravisor's
# unpack and boots it: stage-b must place and start it without the S390EP
# check, pass the command line at 0x10480, and the payload's own output and
# wait code must reach the console.

load helpers

KUT_PAYLOAD=$STUB_BUILD/test/kut-payload.bin

setup_file() {
	: "${SEGEN:?}" "${VECTORS_DIR:?}"
	export KEYS="$VECTORS_DIR/genprotimg-2.35/keys"
	export W="$BATS_FILE_TMPDIR"
	ln -sf "$SEGEN" "$W/genprotimg"
	head -c 32 /dev/urandom >"$W/comm.key"
	printf 'test 123' >"$W/selftest.parmfile" # kvm-unit-tests' s390x/selftest.parmfile
}

# kut_image OUT [--parmfile F] [more]: the kvm-unit-tests command line
kut_image() {
	local out=$1
	shift
	run "$W/genprotimg" --no-verify --overwrite --no-component-check \
		--host-key-document "$KEYS/host1.crt" --comm-key "$W/comm.key" --x-pcf 0x000000e0 \
		"$@" --image "$KUT_PAYLOAD" -o "$out"
	echo "$output"
	[ "$status" -eq 0 ]
}

boot_test() { # boot_test IMAGE EXPECT
	run "$SEGEN" boot-test "$1" --host-key "$KEYS/host1.pem" --expect "$2" --timeout 60
	echo "$output"
}

@test "payload: the test program has the kvm-unit-tests shape (PSWs, entry, no S390EP)" {
	[ "$(od -An -tx1 -N8 "$KUT_PAYLOAD" | tr -d ' ')" = 0008000080010000 ]
	[ "$(od -An -tx1 -j $((0x1a0)) -N16 "$KUT_PAYLOAD" | tr -d ' ')" = \
		00000001800000000000000000010000 ]
	[ "$(od -An -c -j $((0x10008)) -N6 "$KUT_PAYLOAD" | tr -d ' ')" != S390EP ]
	[ "$(od -An -tx1 -j $((0x10480)) -N16 "$KUT_PAYLOAD" | tr -d ' 0')" = "" ]
}

@test "payload with --parmfile: starts at 0x10000 and reads its command line" {
	kut_image "$W/selftest.pv.bin" --parmfile "$W/selftest.parmfile"
	boot_test "$W/selftest.pv.bin" "kut-payload: cmdline=[test 123]"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kut-payload: started at 0x10000"* ]]
}

@test "payload without --parmfile: runs to its own wait code, without a command line" {
	kut_image "$W/plain.pv.bin"
	boot_test "$W/plain.pv.bin" "text the payload never prints"
	[ "$status" -eq 1 ]
	[[ "$output" == *"kut-payload: started at 0x10000"* ]]
	[[ "$output" == *"kut-payload: no command line"* ]]
	[[ "$output" == *"the guest stopped in a disabled wait, PSW 0002000180000000 7e50"* ]]
	[[ "$output" != *"stage-b: error"* ]]
}

@test "payload with --x-psw: stage-b starts it at that address" {
	kut_image "$W/alt.pv.bin" --x-psw 0x10200
	boot_test "$W/alt.pv.bin" "kut-payload: started at 0x10200"
	[ "$status" -eq 0 ]
}

@test "payload: --x-psw takes IBM's hexadecimal spelling without 0x too" {
	kut_image "$W/alt-bare.pv.bin" --x-psw 10200
	boot_test "$W/alt-bare.pv.bin" "kut-payload: started at 0x10200"
	[ "$status" -eq 0 ]
}
