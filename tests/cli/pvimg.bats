#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# IBM's names (pvimg, genprotimg, pvextract-hdr), info as pvimg has it, test and
# extract-header. Facts about IBM-built images come from the reference vectors,
# not from segen.

bats_require_minimum_version 1.5.0
load helpers

# ref_image CASE OUT: an image of the older C layout around IBM's header of CASE
ref_image() {
	local c="$VEC/$1" img=$2 f addr
	truncate -s $((0x30000)) "$img"
	dd if="$c/se-header.bin" of="$img" bs=1 seek=$((0x14000)) conv=notrunc status=none
	dd if="$c/ipib.bin" of="$img" bs=1 seek=$((0x13000)) conv=notrunc status=none
	for f in 0-kernel:0x15000 1-parmline:0x29000 2-initrd:0x2a000 3-stage3b:0x2e000; do
		addr=${f#*:}
		dd if="$c/components/${f%:*}.stored" of="$img" bs=4096 seek=$((addr / 4096)) \
			conv=notrunc status=none
	done
}

# vector CASE EXPR: a value of CASE's vector.json (python expression over d)
vector() {
	python3 -c "import json; d = json.load(open('$VEC/$1/vector.json')); print($2)"
}

setup_file() {
	export IMG="$BATS_FILE_TMPDIR/two.img" REF="$BATS_FILE_TMPDIR/ref.img"
	"$SEGEN" create -q -i "$VEC/inputs/kernel.bin" -r "$VEC/inputs/initrd.bin" \
		-p "$VEC/inputs/parmfile" -k "$VEC/keys/host1.crt" -k "$VEC/keys/host2.crt" \
		--no-verify --x-seed 42 --hdr-key "$VEC/keys/hdr.key" -o "$IMG" 2>/dev/null
	ref_image basic "$REF"
	"$SEGEN" info --print-schema json >"$BATS_FILE_TMPDIR/schema.json"
}

setup() {
	common_setup
	PVIMG="$BUILD_DIR/pvimg"
	SCHEMA="$BATS_FILE_TMPDIR/schema.json"
}

# validate FILE: FILE is valid against the schema info prints, by Debian's
# python3-jsonschema (the system python, whatever python3 is first in PATH)
validate() {
	/usr/bin/python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$1" "$SCHEMA"
}

# --- names and versions ------------------------------------------------------

@test "every name prints 'NAME version X' that version probes can cut" {
	local want
	want=$(cat "$BATS_TEST_DIRNAME/../../VERSION")
	run "$SEGEN" --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "segen version $want" ]
	[ "$(echo "$output" | grep -Po '(?<=version )[^-]+')" = "$want" ]
	for name in pvimg genprotimg; do
		run "$BUILD_DIR/$name" --version
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "$name version "*"-segen-$want" ]]
		# Kata's probe, over the whole output: one line, a plain s390-tools version
		[[ "$(echo "$output" | grep -Po '(?<=version )[^-]+')" =~ ^2\.[0-9]+\.[0-9]+$ ]]
	done
	run "$PVIMG" version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "pvimg version "* ]]
	run "$SEGEN" version extra
	[ "$status" -eq 2 ]
	run "$PVIMG" --help
	[[ "$output" == *"Usage: pvimg COMMAND"* && "$output" == *"test "* ]]
}

@test "pvimg create keeps an existing output unless --overwrite; genprotimg replaces it" {
	echo old >"$OUT"
	run "$PVIMG" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	[ "$(cat "$OUT")" = old ]
	[[ "$output" == *"pvimg: error: $OUT"* ]]
	run "$PVIMG" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT" \
		--overwrite
	[ "$status" -eq 0 ]
	echo old >"$OUT"
	run "$BUILD_DIR/genprotimg" -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 0 ]
	run "$SEGEN" info -q "$OUT"
	[ "$status" -eq 0 ]
}

# --- info --------------------------------------------------------------------

@test "info of IBM's header: pvimg's fields hold the reference values" {
	run --separate-stderr "$SEGEN" info "$REF" --format json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"not authenticated"* ]]
	echo "$output" >"$TMP/info.json"
	validate "$TMP/info.json"
	python3 - "$TMP/info.json" "$VEC/basic/vector.json" <<'PY'
import json, sys
d, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
h = d["data"]
assert (h["kind"], h["verified"], h["version"]) == ("se_hdr", False, "V1"), h
assert h["magic_hex"] == b"IBMSecEx".hex()
assert h["iv_hex"] == v["iv"] and h["nks"] == v["nks"] and h["nep"] == v["nep"], h
assert h["sea"] == v["sea"] and h["sehs"] == 640
assert int(h["pcf_hex"], 16) == int(v["pcf"], 16) and len(h["pcf_hex"]) == 16
assert (h["pld_hex"], h["ald_hex"], h["tld_hex"]) == (v["pld"], v["ald"], v["tld"])
assert h["tag_hex"] == v["tag"]
assert [s["phkh_hex"] for s in h["keyslots"]] == [s["phkh"] for s in v["slots"]]
assert h["cust_pub_key"]["coord_hex"] == v["customer_public_xy"]
assert "cck_hex" not in h and "psw" not in h and len(h["cipher_data_b64"]) == 172
assert "encrypted_part" not in d["segen"]
assert d["meta"]["api_level"] == 1 and d["segen"]["layout"] == "c-genprotimg"
PY
}

@test "info --hdr-key authenticates; --show-secrets adds the encrypted part" {
	run --separate-stderr "$SEGEN" info "$REF" --format json --hdr-key "$VEC/keys/hdr.key"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	echo "$output" >"$TMP/verified.json"
	validate "$TMP/verified.json"
	run --separate-stderr "$SEGEN" info "$REF" --format=json:pretty --key "$VEC/keys/hdr.key" \
		--show-secrets
	[ "$status" -eq 0 ]
	echo "$output" >"$TMP/secrets.json"
	validate "$TMP/secrets.json"
	python3 - "$TMP/verified.json" "$TMP/secrets.json" "$VEC/basic/vector.json" \
		"$(od -An -tx1 -v "$VEC/keys/image.key" | tr -d ' \n')" <<'PY'
import json, sys
ver, sec, v = (json.load(open(p)) for p in sys.argv[1:4])
assert ver["data"]["kind"] == "se_hdr" and ver["data"]["verified"] is True
assert "cck_hex" not in ver["data"] and "cipher_data_b64" in ver["data"]
part = ver["segen"]["encrypted_part"]
assert int(part["psw"]["addr_hex"], 16) == int(v["psw"]["addr"], 16), part
assert int(part["scf_hex"], 16) == int(v["scf"], 16) and part["scf_flags"] == []
s = sec["data"]
assert s["kind"] == "decrypted_se_hdr" and s["verified"] is True and "cipher_data_b64" not in s
assert s["cck_hex"] == v["keys"]["cck_in_header"], s["cck_hex"]
assert s["xts_hex"] == sys.argv[4]
assert int(s["psw"]["addr_hex"], 16) == int(v["psw"]["addr"], 16)
assert int(s["psw"]["mask_hex"], 16) == int(v["psw"]["mask"], 16)
assert int(s["scf_hex"], 16) == int(v["scf"], 16)
PY
}

@test "the schema is strict enough to reject a wrong document" {
	run --separate-stderr "$SEGEN" info "$IMG" --format json:minify
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	echo "$output" >"$TMP/good.json"
	validate "$TMP/good.json"
	python3 - "$TMP/good.json" "$TMP" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [
	("extra", lambda x: x["data"].update(extra=1)),
	("kind", lambda x: x["data"].update(kind="decrypted_se_hdr")),
	("cck", lambda x: x["data"].update(cck_hex="00" * 32)),
	("nometa", lambda x: x.pop("meta")),
	("taglen", lambda x: x["data"].update(tag_hex="00")),
]
for name, change in bad:
	x = json.loads(json.dumps(d))
	change(x)
	json.dump(x, open(f"{sys.argv[2]}/bad-{name}.json", "w"))
PY
	for f in "$TMP"/bad-*.json; do
		run validate "$f"
		[ "$status" -ne 0 ] || { echo "$f validated" >&2; return 1; }
	done
}

@test "info text: trust, attestation reference values, secrets only when asked" {
	run "$SEGEN" info "$REF" -q
	[ "$status" -eq 0 ]
	[[ "$output" == *"header: NOT verified"* ]]
	[[ "$output" == *"header tag: $(vector basic 'd["tag"]')"* ]]
	[[ "$output" == *"PLD: $(vector basic 'd["pld"]')"* ]]
	[[ "$output" == *"TLD: $(vector basic 'd["tld"]')"* ]]
	[[ "$output" != *"CCK"* && "$output" != *"PSW"* ]]
	run "$SEGEN" info "$REF" --hdr-key "$VEC/keys/hdr.key" --format text:full
	[[ "$output" == *"header: integrity and authenticity verified"* ]]
	[[ "$output" == *"IV: $(vector basic 'd["iv"]')"* ]]
	[[ "$output" == *"PSW: mask 0x0000000180000000 address 0x000000000002e000"* ]]
	[[ "$output" != *"CCK"* && "$output" != *"image key"* ]]
	run "$SEGEN" info "$REF" --hdr-key "$VEC/keys/hdr.key" --show-secrets
	[[ "$output" == *"CCK: $(vector basic 'd["keys"]["cck_in_header"]')"* ]]
	[[ "$output" == *"PSW: mask 0x0000000180000000 address 0x000000000002e000"* ]]
}

@test "pvimg info defaults to JSON when stdout is no terminal; segen info to text" {
	run --separate-stderr "$PVIMG" info "$IMG"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c 'import json, sys; json.load(sys.stdin)["data"]["tag_hex"]'
	[[ "$stderr" == "pvimg: warning: "* ]]
	run --separate-stderr "$SEGEN" info "$IMG"
	[[ "${lines[0]}" == "image: $IMG"* ]]
	run "$PVIMG" info --print-schema text
	[ "$status" -eq 0 ]
	[[ "$output" == *"no schema"* ]]
}

@test "info: a header key of the wrong size or the wrong key is one error line" {
	run "$SEGEN" info "$REF" --hdr-key "$VEC/keys/image.key"
	[ "$status" -eq 1 ]
	assert_one_error_line "image.key: key file holds 64 bytes, expected exactly 32"
	run "$SEGEN" info "$REF" --hdr-key "$VEC/keys/cck.key" --show-secrets
	[ "$status" -eq 1 ]
	assert_one_error_line "$REF: the header key .*cck.key does not open the SE header"
	[[ "$output" != *"CCK:"* ]]
	run "$SEGEN" info "$KERNEL" -q
	[ "$status" -eq 1 ]
	assert_one_error_line "$KERNEL: not a Secure Execution image"
}

@test "info usage errors exit 2" {
	run "$SEGEN" info "$IMG" --show-secrets
	[ "$status" -eq 2 ]
	[[ "$output" == *"--show-secrets needs --hdr-key"* ]]
	run "$SEGEN" info "$IMG" --print-schema json
	[ "$status" -eq 2 ]
	run "$SEGEN" info --print-schema json --format json
	[ "$status" -eq 2 ]
	run "$SEGEN" info --print-schema yaml
	[ "$status" -eq 2 ]
	run "$SEGEN" info "$IMG" --format json:full
	[ "$status" -eq 2 ]
	run "$SEGEN" info
	[ "$status" -eq 2 ]
}

# --- test --------------------------------------------------------------------

@test "test -k: exit 0 when one of the hosts is in the image, 1 when none is" {
	run "$PVIMG" test "$IMG" -k "$VEC/keys/host3.crt,$VEC/keys/host2.crt"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "host-key document $VEC/keys/host3.crt: not included" ]
	[ "${lines[1]}" = "host-key document $VEC/keys/host2.crt: included (key slot 1)" ]
	run "$SEGEN" test "$REF" -k "$VEC/keys/host2.crt" -k "$VEC/keys/host3.crt"
	[ "$status" -eq 1 ]
	[[ "${lines[2]}" == "segen: error: $REF: none of the given hosts can run this image" ]]
	run "$SEGEN" test "$REF" -q --host-key-document "$VEC/keys/host1.crt"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "test --key-hashes reads the files of /sys/firmware/uv/keys" {
	local phkh zero
	phkh=$(vector basic 'd["slots"][0]["phkh"]')
	zero=$(printf '%064d' 0)
	{ echo "$zero"; echo "$phkh"; for _ in $(seq 13); do echo "$zero"; done; } >"$TMP/all"
	run "$SEGEN" test "$REF" --key-hashes="$TMP/all"
	[ "$status" -eq 0 ]
	[ "$output" = "backup host key hash $phkh: included (key slot 0)" ]
	echo "$phkh" | tr a-f A-F >"$TMP/host_key"
	run "$SEGEN" test "$REF" --key-hashes="$TMP/host_key"
	[ "$status" -eq 0 ]
	vector three-hosts-dump 'd["slots"][1]["phkh"]' >"$TMP/other_host"
	run "$SEGEN" test "$REF" --key-hashes="$TMP/other_host"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "key hash $(cat "$TMP/other_host"): not included" ]
	[[ "${lines[1]}" == *"none of the given hosts can run this image" ]]
}

@test "test: a malformed key-hashes line is named; usage errors exit 2" {
	printf '%064d\n%063d\n' 0 0 >"$TMP/bad"
	run "$SEGEN" test "$REF" --key-hashes="$TMP/bad"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/bad: line 2: not a key hash \(64 hex digits expected\)"
	run "$SEGEN" test "$REF" --key-hashes="$TMP/missing"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/missing: No such file"
	run "$SEGEN" test "$REF" -k "$VEC/keys/host1.crt" --key-hashes="$TMP/bad"
	[ "$status" -eq 2 ]
	run "$SEGEN" test "$REF"
	[ "$status" -eq 2 ]
	run "$SEGEN" test -k "$VEC/keys/host1.crt"
	[ "$status" -eq 2 ]
	run "$SEGEN" test "$REF" -k "$VEC/keys/host1.crt,"
	[ "$status" -eq 2 ]
}

# --- extract-header ----------------------------------------------------------

@test "extract-header writes IBM's header byte for byte, and segen's new layout's" {
	run "$SEGEN" extract-header "$REF" -o "$TMP/ref.hdr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	cmp "$TMP/ref.hdr" "$VEC/basic/se-header.bin"
	run "$SEGEN" extract-header "$IMG" --output "$TMP/new.hdr"
	[ "$status" -eq 0 ]
	[ "$(stat -c %s "$TMP/new.hdr")" -eq 720 ]
	cmp "$TMP/new.hdr" <(dd if="$IMG" bs=1 skip=$((0x14000)) count=720 status=none)
}

@test "extract-header: no header is one error line; the output is never half there" {
	run "$SEGEN" extract-header "$KERNEL" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$KERNEL: not a Secure Execution image \(no SE header\)"
	[ ! -e "$OUT" ]
	echo old >"$OUT"
	run "$SEGEN" extract-header "$REF" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$OUT: file exists"
	[ "$(cat "$OUT")" = old ]
	run "$SEGEN" extract-header "$REF" -o "$OUT" --overwrite
	[ "$status" -eq 0 ]
	cmp "$OUT" "$VEC/basic/se-header.bin"
	run "$SEGEN" extract-header "$REF"
	[ "$status" -eq 2 ]
}

@test "pvextract-hdr: IBM's script's options, default output sehdr.bin" {
	cd "$TMP"
	echo old >sehdr.bin
	run "$BUILD_DIR/pvextract-hdr" "$REF"
	[ "$status" -eq 0 ]
	cmp sehdr.bin "$VEC/basic/se-header.bin"
	run "$BUILD_DIR/pvextract-hdr" -o "$TMP/h.bin" -s 0x14 -l 1 "$IMG"
	[ "$status" -eq 0 ]
	run "$BUILD_DIR/pvextract-hdr" -o "$TMP/h2.bin" -s 0x15 "$IMG"
	[ "$status" -eq 1 ]
	assert_one_error_line "pvextract-hdr: error: $IMG: the SE header is at 0x14000, outside"
	[ ! -e "$TMP/h2.bin" ]
}
