#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# segen verify-hkd: host-key document verification from the command line.
#
# Three PKIs: the fake IBM PKI of s390-tools (vectors/s390-tools-assets/cert,
# offline: its distribution points are bare file names), a PKI generated here
# with the openssl command (tests/pki/make-test-pki, dates relative to now),
# and that PKI online against tests/http/crl_server.py on 127.0.0.1.

setup_file() {
	load ../http/server
	export ASSETS="$VECTORS_DIR/s390-tools-assets/cert"
	export PKI="$BATS_FILE_TMPDIR/pki"
	mkdir -p "$PKI/www"
	start_crl_server "$PKI/www" "$BATS_FILE_TMPDIR/server"
	export BASE="http://127.0.0.1:$CRL_SERVER_PORT"
	export DEAD="http://127.0.0.1:$CRL_SERVER_DEAD_PORT"
	"$BATS_TEST_DIRNAME/../pki/make-test-pki" "$PKI" "$BASE" "$DEAD" || {
		stop_crl_server
		return 1
	}
}

teardown_file() {
	load ../http/server
	stop_crl_server
}

IBM="International Business Machines Corporation"
HKD="host-key document \"C=US, O=$IBM, CN=$IBM, ST=New York, L=Armonk, OU=IBM Z Host Key\""
SIGNING="IBM Z signing key \"C=US, O=$IBM, CN=$IBM, ST=New York, L=Poughkeepsie, OU=IBM Z Host Key Signing Service\""

setup() {
	asset_chain=(-C "$ASSETS/ibm.crt" -C "$ASSETS/inter_ca.crt" --root-ca "$ASSETS/root_ca.crt")
	asset_crls=(--crl "$ASSETS/root_ca.crl" --crl "$ASSETS/inter_ca.crl")
	asset=(--offline "${asset_chain[@]}" "${asset_crls[@]}")
	pki_online=(-C "$PKI/signing.crt" -C "$PKI/inter.crt" --root-ca "$PKI/root.crt")
	pki_crls=(--crl "$PKI/www/root.crl" --crl "$PKI/www/inter.crl")
	pki_offline=(--offline "${pki_online[@]}" "${pki_crls[@]}")
}

need_assets() {
	[ -d "$ASSETS" ] || skip "no test vectors at $ASSETS"
}

requests() {
	wc -l <"$CRL_SERVER_LOG"
}

# --- usage -------------------------------------------------------------------

@test "verify-hkd: --help, and listed in segen --help" {
	run "$SEGEN" verify-hkd --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: segen verify-hkd HKD... -C CERT..."* ]]
	run "$SEGEN" --help
	[[ "$output" == *"verify-hkd"*"check host-key documents against the IBM PKI"* ]]
}

@test "verify-hkd: usage errors exit 2" {
	need_assets
	run "$SEGEN" verify-hkd
	[ "$status" -eq 2 ]
	[[ "$output" == *"no host-key document given"* ]]
	run "$SEGEN" verify-hkd "$ASSETS/host.crt"
	[ "$status" -eq 2 ]
	[[ "$output" == *"-C is needed"* ]]
	run "$SEGEN" verify-hkd --bogus "$ASSETS/host.crt"
	[ "$status" -eq 2 ]
}

# --- the s390-tools fake PKI, offline ----------------------------------------

@test "assets: valid documents, one OK line each" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" "$ASSETS/host2.crt" "$ASSETS/host_uri_na.crt" \
		"${asset[@]}" --crl "$ASSETS/ibm.crl"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "$ASSETS/host.crt: OK" ]
	[ "${lines[1]}" = "$ASSETS/host2.crt: OK" ]
	[ "${lines[2]}" = "$ASSETS/host_uri_na.crt: OK" ]
}

@test "assets: revoked, expired, wrong issuer, Armonk issuer name: one verdict per line" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" "$ASSETS/host_rev.crt" \
		"$ASSETS/host_crt_expired.crt" "$ASSETS/host_invalid_signing_key.crt" \
		"$ASSETS/host_armonk.crt" "$ASSETS/fake_host.crt" "${asset[@]}" --crl "$ASSETS/ibm.crl"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 6 ]
	[ "${lines[0]}" = "$ASSETS/host.crt: OK" ]
	[ "${lines[1]}" = "$ASSETS/host_rev.crt: INVALID: $HKD: revoked on 2024-03-20 15:52:39 UTC (CRL $ASSETS/ibm.crl)" ]
	[ "${lines[2]}" = "$ASSETS/host_crt_expired.crt: INVALID: $HKD: expired on 2023-03-22 15:52:39 UTC" ]
	[ "${lines[3]}" = "$ASSETS/host_invalid_signing_key.crt: INVALID: $HKD: wrong issuer: issued by \"C=US, O=$IBM, CN=$IBM, ST=New York, L=Poughkeepsie, OU=Key Signing Service Invalid\", which is not an IBM Z signing key given with -C" ]
	# Issued by the same key under its Armonk name: IBM's tool accepts it, so do we.
	[ "${lines[4]}" = "$ASSETS/host_armonk.crt: OK" ]
	[ "${lines[5]}" = "$ASSETS/fake_host.crt: INVALID: $HKD: wrong issuer: its authority key identifier is not that of the IBM Z signing key $ASSETS/ibm.crt" ]
}

@test "assets: Armonk signing key and its CRL, also for a document naming Poughkeepsie" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host_armonk.crt" "$ASSETS/host.crt" --offline \
		-C "$ASSETS/ibm_armonk.crt" -C "$ASSETS/inter_ca.crt" --root-ca "$ASSETS/root_ca.crt" \
		"${asset_crls[@]}" --crl "$ASSETS/ibm_armonk.crl"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$ASSETS/host_armonk.crt: OK" ]
	[ "${lines[1]}" = "$ASSETS/host.crt: OK" ]
}

@test "assets: Poughkeepsie signing key with a CRL whose issuer says Armonk" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" "$ASSETS/host_rev.crt" "${asset[@]}" \
		--crl "$ASSETS/ibm_armonk.crl"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$ASSETS/host.crt: OK" ]
	[[ "${lines[1]}" == *": revoked on 2024-03-20 15:52:39 UTC (CRL $ASSETS/ibm_armonk.crl)" ]]
}

@test "assets: DER signing key and DER CRL" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline -C "$ASSETS/der.crt" \
		-C "$ASSETS/inter_ca.crt" --root-ca "$ASSETS/root_ca.crt" "${asset_crls[@]}" \
		--crl "$ASSETS/der.crl"
	[ "$status" -eq 0 ]
}

@test "assets: chained files carry the CRLs, no --crl needed" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" -C "$ASSETS/ibm.chained.crt" \
		-C "$ASSETS/inter_ca.chained.crt" --root-ca "$ASSETS/root_ca.chained.crt"
	[ "$status" -eq 0 ]
}

@test "assets: outdated signing-key CRLs" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" "${asset[@]}" --crl "$ASSETS/ibm_outdated_early.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "$ASSETS/host.crt: INVALID: $HKD: CRL outdated: $ASSETS/ibm_outdated_early.crl is valid only from 3023-07-23 15:52:39 UTC" ]
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" "${asset[@]}" --crl "$ASSETS/ibm_outdated_late.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "$ASSETS/host.crt: INVALID: $HKD: CRL outdated: $ASSETS/ibm_outdated_late.crl expired on 2023-03-22 15:52:39 UTC" ]
}

@test "assets: CRLs that do not count: bad signature, wrong issuer, wrong subject" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" "${asset[@]}" --crl "$ASSETS/ibm_invalid_hash.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "$ASSETS/host.crt: INVALID: $HKD: no CRL found: $ASSETS/ibm_invalid_hash.crl names the issuer but its signature does not verify with the issuer's key" ]
	for crl in ibm_wrong_issuer.crl ibm_wrong_subject.crl; do
		run "$SEGEN" verify-hkd "$ASSETS/host.crt" "${asset[@]}" --crl "$ASSETS/$crl"
		[ "$status" -eq 1 ]
		[ "$output" = "$ASSETS/host.crt: INVALID: $HKD: no CRL found from its issuer $ASSETS/ibm.crt" ]
	done
}

@test "assets: revoked signing key: one error, no verdicts" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline -C "$ASSETS/ibm_rev.crt" \
		-C "$ASSETS/inter_ca.crt" --root-ca "$ASSETS/root_ca.crt" "${asset_crls[@]}"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $ASSETS/ibm_rev.crt: $SIGNING: revoked on 2024-03-20 15:52:38 UTC (CRL $ASSETS/inter_ca.crl)" ]
}

@test "assets: expired signing key" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline -C "$ASSETS/ibm_expired.crt" \
		-C "$ASSETS/inter_ca.crt" --root-ca "$ASSETS/root_ca.crt" "${asset_crls[@]}"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $ASSETS/ibm_expired.crt: $SIGNING: expired on 2023-03-22 15:52:38 UTC" ]
}

@test "assets: no IBM Z signing key among -C" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline -C "$ASSETS/ibm_wrong_subject.crt" \
		-C "$ASSETS/inter_ca.crt" --root-ca "$ASSETS/root_ca.crt" "${asset_crls[@]}"
	[ "$status" -eq 1 ]
	[[ "$output" == "segen: error: none of the -C certificates is an IBM Z signing key"* ]]
}

@test "assets: wrong intermediate, missing intermediate, untrusted root" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline -C "$ASSETS/ibm.crt" \
		-C "$ASSETS/fake_inter_ca.crt" --root-ca "$ASSETS/root_ca.crt" "${asset_crls[@]}"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $ASSETS/ibm.crt: $SIGNING: wrong issuer: $ASSETS/fake_inter_ca.crt has the name of its issuer, but not the key that signed it" ]
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline -C "$ASSETS/ibm.crt" \
		--root-ca "$ASSETS/root_ca.crt" "${asset_crls[@]}"
	[ "$status" -eq 1 ]
	[[ "$output" == "segen: error: $ASSETS/ibm.crt: $SIGNING: wrong issuer: its issuer \"C=US, O=$IBM, CN=$IBM, ST=New York, L=Armonk, OU=IBM Z Intermediate CA\" is neither among the -C certificates nor a trusted root CA ($ASSETS/root_ca.crt)" ]]
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline -C "$ASSETS/ibm.crt" \
		-C "$ASSETS/inter_ca.crt" "${asset_crls[@]}"
	[ "$status" -eq 1 ]
	[[ "$output" == "segen: error: $ASSETS/inter_ca.crt: CA certificate "*"wrong issuer: "*"(system CA store)" ]]
}

@test "assets: intermediate CA without a valid CRL from the root" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline "${asset_chain[@]}" \
		--crl "$ASSETS/inter_ca.crl"
	[ "$status" -eq 1 ]
	[[ "$output" == "segen: error: $ASSETS/inter_ca.crt: CA certificate \""*"\": no CRL found from its issuer $ASSETS/root_ca.crt" ]]
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" --offline "${asset_chain[@]}" \
		--crl "$ASSETS/root_ca.crl" --crl "$ASSETS/inter_ca.invalid_date.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $ASSETS/ibm.crt: $SIGNING: CRL outdated: $ASSETS/inter_ca.invalid_date.crl expired on 2024-03-20 15:52:38 UTC" ]
}

@test "assets: online, but the distribution points are no URLs" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/host.crt" "${asset_chain[@]}" --crl "$ASSETS/root_ca.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $ASSETS/ibm.crt: $SIGNING: no CRL found from its issuer $ASSETS/inter_ca.crt (download: inter_ca.crl: only http and https URLs are fetched)" ]
}

@test "assets: the fake root with its own signing key" {
	need_assets
	run "$SEGEN" verify-hkd "$ASSETS/fake_host.crt" --offline -C "$ASSETS/fake_ibm.crt" \
		--root-ca "$ASSETS/fake_root_ca.crt" --crl "$ASSETS/fake_root_ca.crl" \
		--crl "$ASSETS/fake_ibm.crl"
	[ "$status" -eq 0 ]
}

# --- the generated PKI, offline ----------------------------------------------

@test "pki: valid documents with IBM-style, exact and DER signing-key CRLs" {
	for crl in www/signing.crl signing_exact.crl signing.der.crl; do
		run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd2.crt" "${pki_offline[@]}" \
			--crl "$PKI/$crl"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "$PKI/hkd.crt: OK" ]
		[ "${lines[1]}" = "$PKI/hkd2.crt: OK" ]
	done
}

@test "pki: every reason a document fails" {
	run "$SEGEN" verify-hkd "$PKI/hkd_rev.crt" "$PKI/hkd_expired.crt" "$PKI/hkd_future.crt" \
		"$PKI/hkd_p384.crt" "$PKI/hkd_wrong_issuer.crt" "$PKI/hkd_bad_sig.crt" \
		"${pki_offline[@]}" --crl "$PKI/www/signing.crl"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[0]}" =~ ^"$PKI/hkd_rev.crt: INVALID: $HKD: revoked on "[0-9]{4}-[0-9]{2}-[0-9]{2}" "[0-9:]{8}" UTC (CRL $PKI/www/signing.crl)"$ ]]
	[[ "${lines[1]}" =~ ^"$PKI/hkd_expired.crt: INVALID: $HKD: expired on "[0-9-]{10}" "[0-9:]{8}" UTC"$ ]]
	[[ "${lines[2]}" =~ ^"$PKI/hkd_future.crt: INVALID: $HKD: not yet valid: valid from "[0-9-]{10}" "[0-9:]{8}" UTC"$ ]]
	[ "${lines[3]}" = "$PKI/hkd_p384.crt: INVALID: $HKD: wrong curve: key is on curve secp384r1, expected secp521r1" ]
	[ "${lines[4]}" = "$PKI/hkd_wrong_issuer.crt: INVALID: $HKD: wrong issuer: issued by \"C=US, O=segen test PKI, CN=segen test intermediate CA\", which is not an IBM Z signing key given with -C" ]
	[ "${lines[5]}" = "$PKI/hkd_bad_sig.crt: INVALID: $HKD: bad signature: not signed by the IBM Z signing key $PKI/signing.crt" ]
}

@test "pki: outdated, not yet valid and forged signing-key CRLs" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" --crl "$PKI/signing_outdated.crl"
	[ "$status" -eq 1 ]
	[[ "$output" == *": CRL outdated: $PKI/signing_outdated.crl expired on "* ]]
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" --crl "$PKI/signing_future.crl"
	[ "$status" -eq 1 ]
	[[ "$output" == *": CRL outdated: $PKI/signing_future.crl is valid only from "* ]]
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" --crl "$PKI/signing_badsig.crl"
	[ "$status" -eq 1 ]
	[[ "$output" == *": no CRL found: $PKI/signing_badsig.crl names the issuer but its signature does not verify"* ]]
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}"
	[ "$status" -eq 1 ]
	[ "$output" = "$PKI/hkd.crt: INVALID: $HKD: no CRL found from its issuer $PKI/signing.crt" ]
}

@test "pki: partial CRLs clear only what they cover, but any revocation counts" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_rev.crt" "${pki_offline[@]}" \
		--crl "$PKI/signing_idp_own.crl"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$PKI/hkd.crt: OK" ]
	[[ "${lines[1]}" == *": revoked on "*" (CRL $PKI/signing_idp_own.crl)" ]]
	for idp in other ca; do
		run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_rev.crt" "${pki_offline[@]}" \
			--crl "$PKI/signing_idp_$idp.crl"
		[ "$status" -eq 1 ]
		case $idp in
		other) why="covers another distribution point of $PKI/signing.crt, not this certificate's" ;;
		ca) why="covers only another kind of certificate of $PKI/signing.crt" ;;
		esac
		[ "${lines[0]}" = "$PKI/hkd.crt: INVALID: $HKD: no CRL found: $PKI/signing_idp_$idp.crl $why" ]
		[[ "${lines[1]}" == *": revoked on "*" (CRL $PKI/signing_idp_$idp.crl)" ]]
	done
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" --crl "$PKI/signing_idp_reasons.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "$PKI/hkd.crt: INVALID: $HKD: no CRL found: $PKI/signing_idp_reasons.crl is a delta, indirect or partial CRL, which segen does not use" ]
}

@test "pki: revoked, expired and not yet valid signing keys" {
	crls=(--crl "$PKI/www/root.crl" --crl "$PKI/www/inter.crl" --crl "$PKI/www/signing.crl")
	for key in signing_rev signing_expired signing_future; do
		run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/$key.crt" -C "$PKI/inter.crt" \
			--root-ca "$PKI/root.crt" "${crls[@]}"
		[ "$status" -eq 1 ]
		case $key in
		signing_rev) reason="revoked on .* \(CRL $PKI/www/inter.crl\)" ;;
		signing_expired) reason="expired on " ;;
		signing_future) reason="not yet valid: valid from " ;;
		esac
		[[ "$output" =~ ^"segen: error: $PKI/$key.crt: $SIGNING: "$reason ]]
	done
}

@test "pki: Armonk signing key next to the Poughkeepsie one" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_armonk.crt" "${pki_offline[@]}" \
		-C "$PKI/signing_armonk.crt" --crl "$PKI/www/signing.crl"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
}

# --- the generated PKI: deciding as IBM's tool decides ------------------------

@test "ibm: the document's issuer name is not compared; key identifier and signature decide" {
	run "$SEGEN" verify-hkd "$PKI/hkd_armonk.crt" "$PKI/hkd_lower_issuer.crt" \
		"$PKI/hkd_other_issuer.crt" "$PKI/hkd_bad_sig.crt" "${pki_offline[@]}" \
		--crl "$PKI/www/signing.crl"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "$PKI/hkd_armonk.crt: OK" ]
	[ "${lines[1]}" = "$PKI/hkd_lower_issuer.crt: OK" ]
	[ "${lines[2]}" = "$PKI/hkd_other_issuer.crt: OK" ]
	[ "${lines[3]}" = "$PKI/hkd_bad_sig.crt: INVALID: $HKD: bad signature: not signed by the IBM Z signing key $PKI/signing.crt" ]
	# The other direction: a Poughkeepsie document with the Armonk certificate of the key,
	# and a CRL whose issuer says Poughkeepsie for that Armonk key.
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_rev.crt" --offline \
		-C "$PKI/signing_armonk.crt" -C "$PKI/inter.crt" --root-ca "$PKI/root.crt" \
		"${pki_crls[@]}" --crl "$PKI/signing_exact.crl"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$PKI/hkd.crt: OK" ]
	[[ "${lines[1]}" == "$PKI/hkd_rev.crt: INVALID: $HKD: revoked on "*" (CRL $PKI/signing_exact.crl)" ]]
}

@test "ibm: CRL issuer names compare case-insensitively; an unrelated name does not count" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_rev.crt" "${pki_offline[@]}" \
		--crl "$PKI/signing_lower.crl"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$PKI/hkd.crt: OK" ]
	[[ "${lines[1]}" == "$PKI/hkd_rev.crt: INVALID: $HKD: revoked on "*" (CRL $PKI/signing_lower.crl)" ]]
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" --crl "$PKI/signing_other_name.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "$PKI/hkd.crt: INVALID: $HKD: no CRL found from its issuer $PKI/signing.crt" ]
}

@test "ibm: only current CRLs count; an outdated CRL's listing is no revocation" {
	for order in old-first old-last; do
		crls=(--crl "$PKI/signing_old_listing.crl" --crl "$PKI/signing_exact.crl")
		[ $order = old-first ] || crls=(--crl "$PKI/signing_exact.crl" --crl "$PKI/signing_old_listing.crl")
		run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" "${crls[@]}"
		[ "$status" -eq 0 ]
		[ "$output" = "$PKI/hkd.crt: OK" ]
	done
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" --crl "$PKI/signing_old_listing.crl"
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^"$PKI/hkd.crt: INVALID: $HKD: CRL outdated: $PKI/signing_old_listing.crl expired on "[0-9-]{10}" "[0-9:]{8}" UTC"$ ]]
}

@test "ibm: a root CA that its own CRL lists is refused" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/signing_rr.crt" \
		--root-ca "$PKI/root_rev.crt" --crl "$PKI/root_rev.crl" --crl "$PKI/signing_exact.crl"
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^"segen: error: $PKI/root_rev.crt: root CA \"C=US, O=segen test PKI, CN=segen revoked root CA\": revoked on "[0-9-]{10}" "[0-9:]{8}" UTC (CRL $PKI/root_rev.crl)"$ ]]
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/signing_rr.crt" \
		--root-ca "$PKI/root_rev.crt" --crl "$PKI/root_rev_clean.crl" --crl "$PKI/signing_exact.crl"
	[ "$status" -eq 0 ]
	[ "$output" = "$PKI/hkd.crt: OK" ]
}

@test "ibm: a CA's CRL needs the cRLSign key usage, the signing key's CRL does not" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/signing_ncs.crt" \
		-C "$PKI/inter_ncs.crt" --root-ca "$PKI/root.crt" --crl "$PKI/www/root.crl" \
		--crl "$PKI/inter_ncs.crl" --crl "$PKI/signing_exact.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $PKI/signing_ncs.crt: $SIGNING: no CRL found: $PKI/inter_ncs.crl is signed by its issuer, whose key usage does not allow signing CRLs (cRLSign)" ]
	# signing.crt has the key usage digitalSignature only, and its CRL counts.
	[ "$(openssl x509 -in "$PKI/signing.crt" -noout -ext keyUsage | tail -1 | tr -d ' ')" = "DigitalSignature" ]
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" --crl "$PKI/signing_exact.crl"
	[ "$status" -eq 0 ]
}

@test "ibm: certificate policy constraints of the chain are enforced" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/signing_pol.crt" \
		-C "$PKI/inter_pol.crt" --root-ca "$PKI/root.crt" --crl "$PKI/www/root.crl" \
		--crl "$PKI/inter_pol.crl" --crl "$PKI/signing_exact.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $PKI/signing_pol.crt: $SIGNING: not trusted: a CA of the chain requires an explicit certificate policy, and the chain asserts none" ]
}

@test "kept: every certificate and CRL of -C and --root-ca bundles is used, --offline too" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_rev.crt" --offline -C "$PKI/chain_bundle.pem" \
		--root-ca "$PKI/root_bundle.pem"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$PKI/hkd.crt: OK" ]
	[[ "${lines[1]}" == "$PKI/hkd_rev.crt: INVALID: $HKD: revoked on "*" (CRL $PKI/chain_bundle.pem)" ]]
	# Every self-signed certificate of a --root-ca bundle is a trust anchor...
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/chain_bundle.pem" \
		--root-ca "$PKI/two_roots.pem" --crl "$PKI/www/root.crl"
	[ "$status" -eq 0 ]
	[ "$output" = "$PKI/hkd.crt: OK" ]
	# ...any other one only helps to build chains, as -C does: never an anchor.
	cat "$PKI/inter.crt" "$PKI/root.crt" "$PKI/www/root.crl" "$PKI/www/inter.crl" \
		>"$BATS_TEST_TMPDIR/inter_root.pem"
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/signing.crt" \
		--crl "$PKI/www/signing.crl" --root-ca "$BATS_TEST_TMPDIR/inter_root.pem"
	[ "$status" -eq 0 ]
	[ "$output" = "$PKI/hkd.crt: OK" ]
	cat "$PKI/inter.crt" "$PKI/www/inter.crl" >"$BATS_TEST_TMPDIR/inter_only.pem"
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/chain_bundle.pem" \
		--root-ca "$BATS_TEST_TMPDIR/inter_only.pem"
	[ "$status" -eq 1 ]
	[ "$output" = "segen: error: $BATS_TEST_TMPDIR/inter_only.pem: holds no self-signed root CA" ]
}

@test "kept: two IBM Z signing keys (a roll-over): documents of both, every chain verified" {
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_k2.crt" "${pki_offline[@]}" \
		-C "$PKI/signing2.crt" --crl "$PKI/www/signing.crl" --crl "$PKI/signing2.crl"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$PKI/hkd.crt: OK" ]
	[ "${lines[1]}" = "$PKI/hkd_k2.crt: OK" ]
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" -C "$PKI/signing_rev.crt" \
		--crl "$PKI/www/signing.crl"
	[ "$status" -eq 1 ]
	[[ "$output" == "segen: error: $PKI/signing_rev.crt: $SIGNING: revoked on "*" (CRL $PKI/www/inter.crl)" ]]
}

@test "kept: a file with two host-key documents is refused, not cut to the first" {
	run "$SEGEN" verify-hkd "$PKI/two_hkds.crt" "${pki_offline[@]}" --crl "$PKI/www/signing.crl"
	[ "$status" -eq 1 ]
	[ "$output" = "$PKI/two_hkds.crt: INVALID: holds 2 certificates; give one host-key document per file and one -k per host" ]
}

@test "kept: an OU with an embedded NUL is no IBM Z signing key" {
	for key in signing_nul_ou signing_nul_prefix; do
		run "$SEGEN" verify-hkd "$PKI/hkd.crt" --offline -C "$PKI/$key.crt" -C "$PKI/inter.crt" \
			--root-ca "$PKI/root.crt" "${pki_crls[@]}" --crl "$PKI/www/signing.crl"
		[ "$status" -eq 1 ]
		case $key in
		signing_nul_ou) ou='IBM Z Host Key Signing Service\00x' ;;
		signing_nul_prefix) ou='x\00IBM Z Host Key Signing Service' ;;
		esac
		[ "$output" = "segen: error: $PKI/$key.crt: \"C=US, O=$IBM, CN=$IBM, ST=New York, L=Poughkeepsie, OU=$ou\" has a NUL character in its name, so it is no IBM Z signing key, and no other -C certificate is one" ]
	done
}

@test "kept: delta, CA-only and unknown-critical CRLs never clear, but their listings revoke" {
	for crl in delta critical idp_ca; do
		run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_rev.crt" "${pki_offline[@]}" \
			--crl "$PKI/signing_$crl.crl"
		[ "$status" -eq 1 ]
		case $crl in
		delta) reason="no CRL found: $PKI/signing_delta.crl is a delta, indirect or partial CRL, which segen does not use" ;;
		critical) reason="no CRL found: $PKI/signing_critical.crl has a critical extension segen does not know, so segen does not use it" ;;
		idp_ca) reason="no CRL found: $PKI/signing_idp_ca.crl covers only another kind of certificate of $PKI/signing.crt" ;;
		esac
		[ "${lines[0]}" = "$PKI/hkd.crt: INVALID: $HKD: $reason" ]
		[[ "${lines[1]}" == "$PKI/hkd_rev.crt: INVALID: $HKD: revoked on "*" (CRL $PKI/signing_$crl.crl)" ]]
		# Next to a complete CRL they change nothing.
		run "$SEGEN" verify-hkd "$PKI/hkd.crt" "${pki_offline[@]}" --crl "$PKI/signing_$crl.crl" \
			--crl "$PKI/signing_exact.crl"
		[ "$status" -eq 0 ]
	done
}

# --- the generated PKI, online -----------------------------------------------

@test "online: every CRL downloaded once, with segen's user agent" {
	version=$("$SEGEN" --version | head -n 1 | cut -d' ' -f3)
	before=$(requests)
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd2.crt" "$PKI/hkd_rev.crt" "${pki_online[@]}"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$PKI/hkd.crt: OK" ]
	[ "${lines[1]}" = "$PKI/hkd2.crt: OK" ]
	[[ "${lines[2]}" == "$PKI/hkd_rev.crt: INVALID: $HKD: revoked on "*" (CRL $BASE/signing.crl)" ]]
	tail -n +$((before + 1)) "$CRL_SERVER_LOG" | sort >"$BATS_TEST_TMPDIR/got"
	printf '%s\n' "GET /inter.crl segen/$version" "GET /root.crl segen/$version" \
		"GET /signing.crl segen/$version" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "online: server down" {
	run "$SEGEN" verify-hkd "$PKI/hkd_down.crt" "${pki_online[@]}"
	[ "$status" -eq 1 ]
	[[ "$output" == "$PKI/hkd_down.crt: INVALID: $HKD: no CRL found from its issuer $PKI/signing.crt (download: $DEAD/signing.crl: download failed: "* ]]
}

@test "online: slow server runs into the timeout" {
	start=$SECONDS
	run "$SEGEN" verify-hkd "$PKI/hkd_slow.crt" "${pki_online[@]}"
	[ "$status" -eq 1 ]
	[ "$output" = "$PKI/hkd_slow.crt: INVALID: $HKD: no CRL found from its issuer $PKI/signing.crt (download: $BASE/slow/signing.crl: no answer within 5000 ms)" ]
	[ $((SECONDS - start)) -lt 15 ]
}

@test "online: garbage and 404 instead of a CRL" {
	run "$SEGEN" verify-hkd "$PKI/hkd_garbage.crt" "${pki_online[@]}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"(download: $BASE/garbage/signing.crl: not an X.509 CRL (PEM or DER)"* ]]
	run "$SEGEN" verify-hkd "$PKI/hkd_404.crt" "${pki_online[@]}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"(download: $BASE/missing.crl: download failed: The requested URL returned error: 404)" ]]
}

@test "online: redirects followed, second distribution point used when the first is down" {
	before=$(requests)
	run "$SEGEN" verify-hkd "$PKI/hkd_redirect.crt" "${pki_online[@]}"
	[ "$status" -eq 0 ]
	tail -n +$((before + 1)) "$CRL_SERVER_LOG" | grep -q "^GET /redirect/signing.crl "
	run "$SEGEN" verify-hkd "$PKI/hkd_fallback.crt" "${pki_online[@]}"
	[ "$status" -eq 0 ]
}

@test "online: a --crl file covers a failed download" {
	run "$SEGEN" verify-hkd "$PKI/hkd_down.crt" "${pki_online[@]}" --crl "$PKI/signing_exact.crl"
	[ "$status" -eq 0 ]
}

@test "offline: never a request, even for documents whose server is up" {
	before=$(requests)
	run "$SEGEN" verify-hkd "$PKI/hkd.crt" "$PKI/hkd_down.crt" "$PKI/hkd_slow.crt" \
		"${pki_offline[@]}" --crl "$PKI/www/signing.crl"
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq "$before" ]
}
