#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Stage-a rules the mutation run (docs/testing.md) found unasserted, under
# QEMU TCG as in stage-a.bats.

load helpers

image() {
	img=$BATS_TEST_TMPDIR/stage-a.img
	"$TESTIMG" stage-a-image --stage-a "$STAGE_A_BIN" -o "$img" "$@"
}

@test "stage-a rules: parameter version 0 is refused as well as 2" {
	image --params-version 0
	boot "$img"
	assert_stopped A_BAD_PARAMS_VERSION
	assert_console "stage-a: error: stage-a parameter version 0 is not supported (this stage-a reads version 1)"
}

@test "stage-a rules: a header one page below the lowest address is refused as inside stage-a" {
	image --params-hdr 0x13000
	boot "$img"
	assert_stopped A_BAD_HEADER
	assert_console "stage-a: error: the stage-a parameters put the SE header at 0x13000, inside stage-a (below 0x14000)"
}

# The IPIB's length, with the parameters saying the same: the length bounds
# alone decide (stage-a's IPIB_MIN_LEN 160 and IPIB_MAX_LEN 4096).
@test "stage-a rules: an IPIB of 159 bytes is refused, though the parameters agree" {
	image --ipib-len 159 --params-ipib-size 159
	boot "$img"
	assert_stopped A_BAD_IPIB
	assert_console "the IPIB at 0x15000 does not match the stage-a parameters: type 5, length 159"
}

@test "stage-a rules: an IPIB of 4097 bytes is refused, though the parameters agree" {
	image --ipib-len 4097 --params-ipib-size 4097
	boot "$img"
	assert_stopped A_BAD_IPIB
	assert_console "the IPIB at 0x15000 does not match the stage-a parameters: type 5, length 4097"
}

@test "stage-a rules: an IPIB of exactly 4096 bytes passes to DIAGNOSE 308" {
	image --ipib-len 4096 --params-ipib-size 4096
	boot "$img"
	assert_stopped A_NO_SECURE_EXECUTION
}

# The IPIB's SE header must be the one the parameters name: address and length.
@test "stage-a rules: an IPIB naming an SE header above the parameters' is refused" {
	image --ipib-hdr 0x14800
	boot "$img"
	assert_stopped A_BAD_IPIB
	assert_console "SE header 0x14800 (640 bytes); expected type 5, length 160 (160..4096), SE header 0x14000 (640 bytes)"
}

@test "stage-a rules: an IPIB naming an SE header below the parameters' is refused" {
	image --ipib-hdr 0x13000
	boot "$img"
	assert_stopped A_BAD_IPIB
	assert_console "SE header 0x13000 (640 bytes); expected type 5, length 160 (160..4096), SE header 0x14000 (640 bytes)"
}

@test "stage-a rules: an IPIB with another SE header length is refused" {
	image --ipib-hdr-len 0x2d0
	boot "$img"
	assert_stopped A_BAD_IPIB
	assert_console "SE header 0x14000 (720 bytes); expected type 5, length 160 (160..4096), SE header 0x14000 (640 bytes)"
}
