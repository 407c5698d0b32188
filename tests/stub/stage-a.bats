#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Stage-a under QEMU TCG, which has no Secure Execution (no facility 161):
# every failure path reachable there, checked by console text, wait code and
# QEMU exit status.

load helpers

# image [stub-testimg options]: a stage-a test image in the test's directory.
image() {
	img=$BATS_TEST_TMPDIR/stage-a.img
	"$TESTIMG" stage-a-image --stage-a "$STAGE_A_BIN" -o "$img" "$@"
}

@test "stage-a on TCG: Secure Execution not available, wait code 0xa070" {
	image
	boot "$img"
	assert_stopped A_NO_SECURE_EXECUTION
	assert_console "stage-a: error: Secure Execution is not available on this machine: facility 161 (unpack) is not installed"
	assert_console "stage-a: hint: start this image as a KVM guest"
}

@test "stage-a reads nothing below 0x10000: with all of it zero but the IPL PSW it still reaches 0xa070" {
	image --wipe-low
	[ "$(od -An -tx1 -j $((0xc000)) -N8 "$img" | tr -d ' ')" = 0000000000000000 ]
	boot "$img"
	assert_stopped A_NO_SECURE_EXECUTION
}

@test "stage-a: parameters without the SeStageA magic are refused" {
	image --params-magic SeStageX
	boot "$img"
	assert_stopped A_BAD_PARAMS
	assert_console 'stage-a: error: no stage-a parameters at 0x11000 (magic "SeStageA" missing)'
}

@test "stage-a: parameter version 2 is refused" {
	image --params-version 2
	boot "$img"
	assert_stopped A_BAD_PARAMS_VERSION
	assert_console "stage-a: error: stage-a parameter version 2 is not supported (this stage-a reads version 1)"
}

@test "stage-a: a non-zero reserved parameter field is refused" {
	image --params-reserved 7
	boot "$img"
	assert_stopped A_BAD_PARAMS_VERSION
	assert_console "stage-a: error: stage-a parameter field 'reserved' 0 is 0x7, not 0"
}

@test "stage-a: a header address without an SE header is refused" {
	image --hdr-magic IBMSecEy
	boot "$img"
	assert_stopped A_BAD_HEADER
	assert_console 'stage-a: error: no SE header (magic "IBMSecEx") at 0x14000, where the stage-a parameters point'
}

@test "stage-a: a header address inside stage-a is refused" {
	image --params-hdr 0x11000
	boot "$img"
	assert_stopped A_BAD_HEADER
	assert_console "the stage-a parameters put the SE header at 0x11000, inside stage-a"
}

@test "stage-a: a header size other than the header's own is refused" {
	image --params-hdr-size 0x2d0
	boot "$img"
	assert_stopped A_BAD_HEADER
	assert_console "stage-a: error: the SE header at 0x14000 is 640 bytes, the stage-a parameters say 720"
}

@test "stage-a: an IPIB address that is not page aligned is refused before use" {
	image --params-ipib 0x15008
	boot "$img"
	assert_stopped A_BAD_IPIB_ADDR
	assert_console "stage-a: error: the IPIB address 0x15008 from the stage-a parameters is not page aligned"
}

@test "stage-a: an IPIB address inside stage-a is refused" {
	image --params-ipib 0x2000
	boot "$img"
	assert_stopped A_BAD_IPIB_ADDR
	assert_console "the IPIB address 0x2000 from the stage-a parameters lies inside stage-a"
}

@test "stage-a: an IPIB that is not of type 5 (PV) is refused" {
	image --ipib-type 2
	boot "$img"
	assert_stopped A_BAD_IPIB
	assert_console "stage-a: error: the IPIB at 0x15000 does not match the stage-a parameters: type 2"
}

@test "stage-a: an IPIB whose length differs from the parameters' is refused" {
	image --params-ipib-size 184
	boot "$img"
	assert_stopped A_BAD_IPIB
	assert_console "type 5, length 160, SE header 0x14000 (640 bytes); expected type 5, length 184"
}

@test "stage-a test build: DIAGNOSE 308 ends in the program-check handler (spec. exception), 0xa0a0" {
	img=$BATS_TEST_TMPDIR/stage-a-test.img
	"$TESTIMG" stage-a-image --stage-a "$STAGE_A_TEST_BIN" -o "$img"
	boot "$img"
	assert_stopped A_PROGRAM_CHECK
	assert_console "stage-a: TEST-ONLY BUILD: facility 161 check skipped"
	assert_console "stage-a: program check: interruption code 0x0006, instruction length 4, old PSW 0x"
	assert_console "stage-a: error: program check 0x0006 (specification exception) at 0x"
	assert_console "while handing the IPIB to the hypervisor (DIAGNOSE 308 subcode 8)"
}

@test "stage-a, SCLP test build that ignores service signals: waits end at their deadline, text still shown" {
	QEMU_TIMEOUT=10 # a wait without a working deadline would hang until this
	img=$BATS_TEST_TMPDIR/stage-a-deaf.img
	"$TESTIMG" stage-a-image --stage-a "$STAGE_A_SCLP_DEAF_BIN" -o "$img"
	boot "$img"
	assert_stopped A_NO_SECURE_EXECUTION
	assert_console "stage-a: error: Secure Execution is not available on this machine"
}

@test "stage-a: the blob segen embeds is none of the test builds" {
	for test_bin in "$STAGE_A_TEST_BIN" "$STAGE_A_SCLP_DEAF_BIN"; do
		run cmp -s "$STAGE_A_BIN" "$test_bin"
		[ "$status" -ne 0 ]
	done
	! grep -q "TEST-ONLY" "$STAGE_A_BIN"
}
