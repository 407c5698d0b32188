#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# verify refuses an image whose stage-a parameters (0x11000, docs/format.md
# section 5) disagree with the SE header or the IPIB the image carries: the
# UV's digests do not cover stage-a, so only this check sees it, before
# stage-a would stop at boot.

load helpers

setup() {
	IMG=$BATS_TEST_TMPDIR/img
	run "$SEGEN" create -i "$VEC/inputs/kernel.bin" -r "$VEC/inputs/initrd.bin" \
		-p "$VEC/inputs/parmfile" -k "$VEC/keys/host1.crt" --no-verify -o "$IMG"
	[ "$status" -eq 0 ]
	IPIB=$(printf '0x%x' $(($(stat -c %s "$IMG") - 4096)))
}

# refused_with TEXT: verify failed with exit 1 and one line holding TEXT
refused_with() {
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ]
	[[ "$output" == "segen: error: $IMG: "*"$1"* ]]
}

# put_be64 OFFSET VALUE: patch a big-endian u64 into the image
put_be64() {
	write_bytes "$IMG" "$1" "$(printf '\\x%02x' $(for i in 7 6 5 4 3 2 1 0; do
		echo $((($2 >> (8 * i)) & 255)); done))"
}

@test "verify: the unchanged image's stage-a parameters match" {
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 0 ]
}

@test "verify refuses stage-a parameters naming another IPIB address" {
	# A page inside a component: no PV IPIB there, so stage-a stops at the IPIB check.
	put_be64 0x11020 $((IPIB - 4096))
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "stage-a parameters name an IPIB at $(printf '0x%x' $((IPIB - 4096))) of 232 bytes for the SE header at 0x14000 (640 bytes); there: type "
	[[ "$output" == *"(stage-a would stop with 0xa050)" ]]
}

@test "verify refuses an unaligned IPIB address and one inside stage-a" {
	put_be64 0x11020 $((IPIB + 8))
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "stage-a parameters put the IPIB at $(printf '0x%x' $((IPIB + 8))), not page aligned (stage-a would stop with 0xa040)"
	put_be64 0x11020 0x2000
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "stage-a parameters put the IPIB at 0x2000, inside stage-a (stage-a would stop with 0xa040)"
}

@test "verify refuses stage-a parameters naming another IPIB length" {
	write_bytes "$IMG" 0x1100c '\x00\x00\x00\xd0'
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "stage-a parameters name an IPIB at $IPIB of 208 bytes for the SE header at 0x14000 (640 bytes); there: type 5, 232 bytes, SE header 0x14000 (640 bytes) (stage-a would stop with 0xa050)"
}

@test "verify refuses stage-a parameters naming another SE header size" {
	put_be64 0x11018 0x2d0
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "stage-a parameters name the SE header at 0x14000 with 720 bytes; it has 640 (stage-a would stop with 0xa030)"
}

@test "verify refuses stage-a parameters naming another SE header address" {
	put_be64 0x11010 0x15000
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "no SE header (magic \"IBMSecEx\") at 0x15000, where the stage-a parameters point (the image has one at 0x14000) (stage-a would stop with 0xa030)"
	put_be64 0x11010 0x10000
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "stage-a parameters put the SE header at 0x10000, inside stage-a (stage-a would stop with 0xa030)"
}

@test "verify refuses stage-a parameters of another version" {
	write_bytes "$IMG" 0x11008 '\x00\x00\x00\x02'
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "stage-a parameters at 0x11000: version 2, this segen writes version 1 with reserved fields 0 (stage-a would stop with 0xa020)"
}

@test "verify refuses an image whose SE header magic stage-a would not find" {
	write_bytes "$IMG" 0x14000 'X'
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "no SE header (magic \"IBMSecEx\") at 0x14000, where the stage-a parameters point (stage-a would stop with 0xa030)"
}

@test "verify refuses segen's stage-a without its parameter magic" {
	write_bytes "$IMG" 0x11007 'X'
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	refused_with "segen's stage-a, but no \"SeStageA\" parameters at 0x11000 (stage-a would stop with 0xa010)"
}

@test "verify takes a stage-a that is not segen's, without parameters, for IBM's" {
	write_bytes "$IMG" 0x11007 'X'
	write_bytes "$IMG" 0x11040 '\x07\x07'
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 0 ]
}

@test "verify accepts damaged metadata at 0xC000: stage-a never reads it" {
	write_bytes "$IMG" 0xc000 '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 0 ]
	run "$SEGEN" info "$IMG"
	[ "$status" -eq 0 ]
}
