#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# segen create with host-key document verification (issue #4 wired into #2):
# offline against the s390-tools asset PKI, online (the default) against a
# PKI generated with openssl whose CRLs a local HTTP server hands out.

load helpers

setup_file() {
	load ../http/server
	export PKI="$BATS_FILE_TMPDIR/pki"
	mkdir -p "$PKI/www"
	start_crl_server "$PKI/www" "$BATS_FILE_TMPDIR/server"
	"$BATS_TEST_DIRNAME/../pki/make-test-pki" "$PKI" "http://127.0.0.1:$CRL_SERVER_PORT" \
		"http://127.0.0.1:$CRL_SERVER_DEAD_PORT" || {
		stop_crl_server
		return 1
	}
}

teardown_file() {
	load ../http/server
	stop_crl_server
}

setup() {
	common_setup
	C="$VECTORS_DIR/s390-tools-assets/cert"
	assets=(-C "$C/ibm.crt" -C "$C/inter_ca.crt" --root-ca "$C/root_ca.crt" --offline
		--crl "$C/ibm.crl" --crl "$C/inter_ca.crl" --crl "$C/root_ca.crl")
	online=(-C "$PKI/signing.crt" -C "$PKI/inter.crt" --root-ca "$PKI/root.crt")
}

@test "create verifies host-key documents offline and says only what it wrote" {
	run "$SEGEN" create -i "$KERNEL" -k "$C/host.crt" -k "$C/host2.crt" "${assets[@]}" \
		-o "$OUT"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^"segen: wrote $OUT: 2 hosts, "[0-9]+\.[0-9]" MiB, "[0-9]+\.[0-9]" s"$ ]]
	[ "$(dd if="$OUT" bs=1 skip=$((0x14000)) count=8 status=none)" = "IBMSecEx" ]
}

@test "create refuses a revoked host-key document and writes nothing" {
	run "$SEGEN" create -i "$KERNEL" -k "$C/host.crt" -k "$C/host_rev.crt" "${assets[@]}" \
		-o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "host_rev.crt: host-key document \".*\": revoked on 2024-03-20"
	[ ! -e "$OUT" ]
}

@test "create refuses an expired document and one from another signing key" {
	run "$SEGEN" create -i "$KERNEL" -k "$C/host_crt_expired.crt" "${assets[@]}" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "host_crt_expired.crt: .*expired on"
	run "$SEGEN" create -i "$KERNEL" -k "$C/host_invalid_signing_key.crt" "${assets[@]}" \
		-o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "wrong issuer"
	[ ! -e "$OUT" ]
}

@test "create downloads CRLs by default and accepts a valid document" {
	run "$SEGEN" create -i "$KERNEL" -k "$PKI/hkd.crt" "${online[@]}" -o "$OUT"
	[ "$status" -eq 0 ]
	[ -s "$CRL_SERVER_LOG" ]
	[ -f "$OUT" ]
}

@test "create finds a revocation through the downloaded CRL" {
	run "$SEGEN" create -i "$KERNEL" -k "$PKI/hkd_rev.crt" "${online[@]}" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "hkd_rev.crt: host-key document .*: revoked on"
	[ ! -e "$OUT" ]
}

@test "create: --offline uses the CRLs inside -C files, --no-verify excludes -C" {
	run "$SEGEN" create -i "$KERNEL" -k "$PKI/hkd.crt" "${online[@]}" --offline -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "signing.crt: IBM Z signing key .*: no CRL found from its issuer"
	[ ! -e "$OUT" ]
	run "$SEGEN" create -i "$KERNEL" -k "$PKI/hkd.crt" -C "$PKI/chain_bundle.pem" \
		--root-ca "$PKI/root_bundle.pem" --offline -o "$OUT"
	[ "$status" -eq 0 ]
	[ -f "$OUT" ]
	rm -f "$OUT"
	run "$SEGEN" create -i "$KERNEL" -k "$PKI/hkd.crt" "${online[@]}" --no-verify -o "$OUT"
	[ "$status" -eq 2 ]
	[ ! -e "$OUT" ]
}

@test "create refuses a -k file with two host-key documents" {
	run "$SEGEN" create -i "$KERNEL" -k "$PKI/two_hkds.crt" "${online[@]}" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "host-key document: .*two_hkds.crt: holds 2 certificates; give one host-key document per file and one -k per host"
	[ ! -e "$OUT" ]
}

@test "create takes pvimg's comma-separated lists and --crt" {
	run "$SEGEN" create -q -i "$KERNEL" -k "$C/host.crt,$C/host2.crt" \
		--crt "$C/ibm.crt,$C/inter_ca.crt" --root-ca "$C/root_ca.crt" --offline \
		--crl "$C/ibm.crl,$C/inter_ca.crl,$C/root_ca.crl" -o "$OUT"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$SEGEN" info "$OUT"
	[[ "$output" == *"host key slots: 2"* ]]
	# Each name of a list is checked as if given alone.
	run "$SEGEN" create -i "$KERNEL" -k "$C/host.crt,$C/host_rev.crt" "${assets[@]}" \
		-o "$OUT.rev"
	[ "$status" -eq 1 ]
	assert_one_error_line "host_rev.crt: host-key document \".*\": revoked on 2024-03-20"
	[ ! -e "$OUT.rev" ]
	for list in "$C/host.crt,,$C/host2.crt" "$C/host.crt," ",$C/host.crt"; do
		run "$SEGEN" create -i "$KERNEL" -k "$list" "${assets[@]}" -o "$OUT.bad"
		[ "$status" -eq 2 ]
		[[ "$output" == *"-k '$list': empty file name in the list"* ]]
	done
}
