#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Option rules of segen create that the mutation run (docs/testing.md) found
# unasserted: each usage error exits 2 with its own one-line message, before
# any input is read.

load helpers

setup() {
	common_setup
}

@test "option rules: no -k is a usage error, named" {
	run "$SEGEN" create -i "$KERNEL" -o "$OUT" --no-verify
	[ "$status" -eq 2 ]
	[[ "$output" == *"segen: error: missing a host-key document (-k FILE)"* ]]
	[ ! -e "$OUT" ]
}

@test "option rules: --no-verify excludes --offline" {
	segen_create -o "$OUT" --offline
	[ "$status" -eq 2 ]
	[[ "$output" == *"segen: error: --no-verify excludes -C/--cert, --crl, --root-ca and --offline"* ]]
	[ ! -e "$OUT" ]
}

@test "option rules: --no-verify excludes --root-ca and --crl" {
	segen_create -o "$OUT" --root-ca "$VEC/keys/host1.crt"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--no-verify excludes -C/--cert, --crl, --root-ca and --offline"* ]]
	segen_create -o "$OUT" --crl "$VEC/keys/host1.crt"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--no-verify excludes -C/--cert, --crl, --root-ca and --offline"* ]]
}

@test "option rules: --enable-cck-extension-secret needs --cck" {
	segen_create -o "$OUT" --enable-cck-extension-secret
	[ "$status" -eq 2 ]
	[[ "$output" == *"segen: error: --enable-cck-extension-secret requires --cck"* ]]
	[ ! -e "$OUT" ]
}

@test "option rules: --image-key excludes --disable-image-encryption" {
	segen_create -o "$OUT" --image-key "$VEC/keys/image.key" --disable-image-encryption
	[ "$status" -eq 2 ]
	[[ "$output" == *"segen: error: --image-key excludes --disable-image-encryption"* ]]
	[ ! -e "$OUT" ]
}
