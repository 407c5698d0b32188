#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The blobs segen embeds: the layout promises of stub/include/stub-abi.h, and
# the wait codes documented in docs/stub.md.

load helpers

# bytes FILE OFFSET LENGTH: the bytes as one hex string.
bytes() {
	od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'
}

# all_zero FILE OFFSET LENGTH
all_zero() {
	[ "$(bytes "$1" "$2" "$3" | tr -d 0)" = "" ]
}

@test "stage-a blob: IPL PSW at 0 points to the entry at 0x10000, 31-bit" {
	[ "$(bytes "$STAGE_A_BIN" 0 8)" = "0008000080010000" ]
}

@test "stage-a blob: ends at or below 0x14000 and covers its code at 0x11040" {
	size=$(stat -c %s "$STAGE_A_BIN")
	echo "size $size"
	[ "$size" -le $((0x14000)) ]
	[ "$size" -gt $((0x11040)) ]
}

@test "stage-a blob: parameter block at 0x11000, zero but for magic SeStageA and version 1" {
	params=$(bytes "$STAGE_A_BIN" $((0x11000)) 64)
	[ "$params" = "$(printf SeStageA | od -An -tx1 | tr -d ' \n')00000001$(printf '0%.0s' $(seq 1 104))" ]
}

@test "stage-a blob: metadata slot 0xC000-0xC01B and Linux parameter area 0x10400-0x10FFF are zero" {
	all_zero "$STAGE_A_BIN" $((0xc000)) 28
	all_zero "$STAGE_A_BIN" $((0x10400)) $((0x10fff - 0x10400 + 1))
}

@test "stage-a blob: no S390EP at 0x10008, so loaders do not take it for a kernel" {
	[ "$(bytes "$STAGE_A_BIN" $((0x10008)) 6)" != "$(printf S390EP | od -An -tx1 | tr -d ' \n')" ]
}

@test "stage-a blob: the entry sets the architecture, 64-bit mode and jumps to 0x11040" {
	# lhi %r1,1; slr %r0,%r0; sigp %r1,%r0,0x12; sam64; jg 0x11040
	[ "$(bytes "$STAGE_A_BIN" $((0x10000)) 18)" = "a7180001""1f00""ae100012""010e""c0f40000081a" ]
}

@test "stage-b blob: ends with the 80-byte parameter block (version 2), zero but for the magic" {
	size=$(stat -c %s "$STAGE_B_BIN")
	params=$(bytes "$STAGE_B_BIN" $((size - 80)) 80)
	[ "$params" = "5345474e53544202$(printf '0%.0s' $(seq 1 144))" ]
}

@test "stage-b blob: is a multiple of 8 bytes and smaller than 64 KiB" {
	size=$(stat -c %s "$STAGE_B_BIN")
	echo "size $size"
	[ $((size % 8)) -eq 0 ]
	[ "$size" -lt 65536 ]
}

@test "wait codes: docs/stub.md lists every code of stub-wait-codes.h with its value" {
	doc=$SRC_DIR/docs/stub.md
	names=$(sed -n 's/^#define STUB_WAIT_\([A-Z0-9_]*\) 0x.*/\1/p' "$WAIT_CODES_H")
	[ -n "$names" ]
	for name in $names; do
		code=$(wait_code "$name")
		if ! grep -q "^| \`$code\` | \`STUB_WAIT_$name\` |" "$doc"; then
			echo "docs/stub.md has no table row for $code STUB_WAIT_$name"
			return 1
		fi
	done
}
