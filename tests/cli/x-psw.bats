#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --x-psw ADDRESS (IBM's genprotimg option): where stage-b starts the placed
# payload. IBM's spelling is hexadecimal with or without 0x; create refuses an
# odd address or one outside what stage-b places at [0x10000, size).

load helpers

setup() {
	common_setup # an 80 KiB kernel: stage-b places it at [0x10000, 0x14000)
}

@test "--x-psw: the default start, 0x10000, and an address inside the payload are accepted" {
	segen_create -o "$OUT" --x-psw 0x10000
	[ "$status" -eq 0 ]
	segen_create -o "$OUT.2" --x-psw 13ffe
	[ "$status" -eq 0 ]
}

@test "--x-psw: an odd address is refused with one line" {
	segen_create -o "$OUT" --x-psw 0x10001
	[ "$status" -eq 1 ]
	assert_one_error_line "^segen: error: --x-psw 0x10001: the start address is odd"
	[ ! -e "$OUT" ]
}

@test "--x-psw: an address below the placed payload is refused with one line" {
	segen_create -o "$OUT" --x-psw 0xfffe
	[ "$status" -eq 1 ]
	assert_one_error_line "^segen: error: --x-psw 0xfffe: the start address is outside the payload $KERNEL, which stage-b places at \[0x10000, 0x14000\)$"
	[ ! -e "$OUT" ]
}

@test "--x-psw: an address at the end of the payload is refused with one line" {
	segen_create -o "$OUT" --x-psw 0x14000
	[ "$status" -eq 1 ]
	assert_one_error_line "^segen: error: --x-psw 0x14000: the start address is outside the payload"
	[ ! -e "$OUT" ]
}

@test "--x-psw: something that is not a hexadecimal address is a usage error" {
	for bad in zz 0x "" -1 0x10000000000000000; do
		segen_create -o "$OUT" --x-psw "$bad"
		[ "$status" -eq 2 ]
		[[ "$output" == *"--x-psw: '$bad' is not a hexadecimal address"* ]]
	done
}

@test "--x-psw is in the experimental options' help" {
	run "$SEGEN" create --help-experimental
	[[ "$output" == *"--x-psw ADDRESS"* ]]
	run "$SEGEN" create --help-all
	[[ "$output" == *"--x-psw ADDRESS"* ]]
}
