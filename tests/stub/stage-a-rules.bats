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
