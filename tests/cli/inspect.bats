#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# segen info, verify and unpack from the command line, and make install.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	export IMG="$BATS_FILE_TMPDIR/two.img"
	"$SEGEN" create -q -i "$VEC/inputs/kernel.bin" -r "$VEC/inputs/initrd.bin" \
		-p "$VEC/inputs/parmfile" -k "$VEC/keys/host1.crt" -k "$VEC/keys/host2.crt" \
		--no-verify --x-seed 42 -o "$IMG" 2>/dev/null
}

setup() {
	common_setup
}

@test "info shows layout, flags and key slots without a key" {
	run "$SEGEN" info "$IMG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"SE header: 0x14000, 720 bytes, version 0x100"* ]]
	[[ "$output" == *"PCF: 0x00000000000000e0 (pckmo-dea-tdea,pckmo-aes,pckmo-ecc)"* ]]
	[[ "$output" == *"kernel    0x00015000"* ]]
	[[ "$output" == *"stage-b"* ]]
	[[ "$output" == *"host key slots: 2"* ]]
	[[ "$output" == *"097fa1ecf325929a4a5aab2487af43228c750ac55e5289a2d260740e440be450"* ]]
}

@test "info --format json is pvimg's document, with segen's facts under segen" {
	run --separate-stderr "$SEGEN" info "$IMG" --format json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["meta"]["api_level"] == 1
assert d["data"]["sehs"] == 720 and d["data"]["nks"] == 2, d["data"]
assert d["data"]["pcf_hex"] == "00000000000000e0"
assert [s["phkh_hex"][:8] for s in d["data"]["keyslots"]] == ["097fa1ec", "de5bcf25"]
assert d["segen"]["layout"] == "pvimg", d["segen"]["layout"]
assert [c["id"] for c in d["segen"]["components"]] == [40, 50, 60, 70]
assert d["segen"]["se_header"]["address"] == "0x14000"
'
}

@test "verify opens the image with either host's key" {
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 0 ]
	[[ "$output" == *"the image would start (UV rc 0x0001)"* ]]
	[[ "$output" == *"through key slot 0 of 2"* ]]
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host3.pem" --host-key "$VEC/keys/host2.pem"
	[ "$status" -eq 0 ]
	[[ "$output" == *"host2.pem through key slot 1 of 2"* ]]
}

@test "verify reports a refusal like the Ultravisor, in text and JSON" {
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host3.pem"
	[ "$status" -eq 1 ]
	assert_one_error_line "$IMG: rc 0x108 rrc 0x5: no key slot for this host"
	cp "$IMG" "$TMP/bad.img"
	# One bit of the kernel's last page.
	write_bytes "$TMP/bad.img" $((0x15000 + 0x14000 - 1)) '\x55'
	run "$SEGEN" verify "$TMP/bad.img" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 1 ]
	assert_one_error_line "rc 0x102 rrc 0x1b: page list digest mismatch"
	run "$SEGEN" verify "$TMP/bad.img" --host-key "$VEC/keys/host1.pem" --format json
	[ "$status" -eq 1 ]
	echo "$output" | grep -v '^segen: error' | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["result"] == "refused" and d["uv_rc"] == "0x102" and d["uv_rrc"] == "0x1b", d
'
}

@test "verify accepts an image of the older C layout (reference builder)" {
	local c="$VEC/basic" img="$TMP/ref.img"
	truncate -s $((0x30000)) "$img"
	dd if="$c/se-header.bin" of="$img" bs=1 seek=$((0x14000)) conv=notrunc status=none
	dd if="$c/ipib.bin" of="$img" bs=1 seek=$((0x13000)) conv=notrunc status=none
	local addr
	for f in 0-kernel:0x15000 1-parmline:0x29000 2-initrd:0x2a000 3-stage3b:0x2e000; do
		addr=${f#*:}
		dd if="$c/components/${f%:*}.stored" of="$img" bs=4096 seek=$((addr / 4096)) \
			conv=notrunc status=none
	done
	run "$SEGEN" verify "$img" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 0 ]
	[[ "$output" == *"older C layout"* ]]
}

@test "a C-layout image without a parmfile names components by their tweak-prefix id" {
	local c="$VEC/basic" img="$TMP/ref3.img"
	truncate -s $((0x30000)) "$img"
	dd if="$c/se-header.bin" of="$img" bs=1 seek=$((0x14000)) conv=notrunc status=none
	# The reference IPIB without its command-line entry (id 1): 3 components.
	python3 - "$c/ipib.bin" > "$TMP/ipib3.bin" <<'PY'
import sys
ipib = bytearray(open(sys.argv[1], "rb").read())
entries = ipib[0x88:0x88 + 4 * 24]
del entries[24:48]
ipib[0x74:0x78] = (3).to_bytes(4, "big")
ipib[0x88:0x88 + 4 * 24] = entries + bytes(24)
sys.stdout.buffer.write(ipib)
PY
	dd if="$TMP/ipib3.bin" of="$img" bs=1 seek=$((0x13000)) conv=notrunc status=none
	for f in 0-kernel:0x15000 2-initrd:0x2a000 3-stage3b:0x2e000; do
		dd if="$c/components/${f%:*}.stored" of="$img" bs=4096 seek=$((${f#*:} / 4096)) \
			conv=notrunc status=none
	done
	run "$SEGEN" info "$img"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kernel    0x00015000"* ]]
	[[ "$output" == *"ramdisk   0x0002a000"* ]]
	[[ "$output" == *"stage-b   0x0002e000"* ]]
	[[ "$output" != *"cmdline"* ]]
	run "$SEGEN" info "$img" --format json
	[[ "$output" == *'"name": "ramdisk"'* || "$output" == *'"name":"ramdisk"'* ]]
	# Without the command line the digests differ, and only they are refused:
	# the start PSW is found in stage-b.
	run "$SEGEN" verify "$img" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 1 ]
	assert_one_error_line "rc 0x102 rrc 0x1a: address list digest mismatch"
}

@test "info and verify inspect an image larger than 2 GiB" {
	cp "$IMG" "$TMP/big.img"
	# A guest image that ends far beyond 2 GiB: sparse, so it costs no disk.
	truncate -s 3G "$TMP/big.img"
	run "$SEGEN" info "$TMP/big.img"
	[ "$status" -eq 0 ]
	[[ "$output" == *"($((3 << 30)) bytes)"* ]]
	run "$SEGEN" verify "$TMP/big.img" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 0 ]
}

@test "unpack writes the guest memory as an s390x ELF starting at stage-b" {
	run "$SEGEN" unpack "$IMG" --host-key "$VEC/keys/host2.pem" -o "$TMP/mem.elf"
	[ "$status" -eq 0 ]
	run s390x-linux-gnu-readelf -h -l "$TMP/mem.elf"
	[[ "$output" == *"IBM S/390"* ]]
	[[ "$output" == *"Entry point address:               0x2e000"* ]]
	[ "$(echo "$output" | grep -c LOAD)" -eq 4 ]
	# The first segment is the kernel in the clear.
	local off
	off=$(s390x-linux-gnu-readelf -l -W "$TMP/mem.elf" | awk '/LOAD/ { print $2; exit }')
	cmp -n 81920 <(tail -c +$((off + 1)) "$TMP/mem.elf") "$VEC/inputs/kernel.bin"
}

@test "unpack leaves nothing behind when the image is refused" {
	run "$SEGEN" unpack "$IMG" --host-key "$VEC/keys/host3.pem" -o "$TMP/mem.elf"
	[ "$status" -eq 1 ]
	[ ! -e "$TMP/mem.elf" ]
	[ -z "$(ls -A "$TMP" | grep -v '^kernel$')" ]
}

@test "inspection commands: usage errors exit 2, bad files exit 1" {
	run "$SEGEN" verify "$IMG"
	[ "$status" -eq 2 ]
	run "$SEGEN" unpack "$IMG" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 2 ]
	run "$SEGEN" info "$IMG" --format xml
	[ "$status" -eq 2 ]
	run "$SEGEN" info "$KERNEL"
	[ "$status" -eq 1 ]
	assert_one_error_line "$KERNEL: not a Secure Execution image"
	run "$SEGEN" verify "$IMG" --host-key "$VEC/keys/host1.crt"
	[ "$status" -eq 1 ]
	assert_one_error_line "host1.crt: not a private key"
}

@test "make install puts segen, the pvimg and genprotimg links and the man page under DESTDIR" {
	run make --no-print-directory -C "$BATS_TEST_DIRNAME/../.." install BUILD="$BUILD_DIR" \
		DESTDIR="$TMP/root" PREFIX=/opt/se
	[ "$status" -eq 0 ]
	[ -x "$TMP/root/opt/se/bin/segen" ]
	[ "$(readlink "$TMP/root/opt/se/bin/genprotimg")" = segen ]
	[ "$(readlink "$TMP/root/opt/se/bin/pvimg")" = segen ]
	[ -f "$TMP/root/opt/se/share/man/man1/segen.1" ]
	[ "$(readlink "$TMP/root/opt/se/share/man/man1/pvimg.1")" = segen.1 ]
	run "$TMP/root/opt/se/bin/genprotimg" --version
	[[ "${lines[0]}" == "genprotimg version "*"-segen-"* ]]
	run "$TMP/root/opt/se/bin/pvimg" --version
	[[ "${lines[0]}" == "pvimg version "*"-segen-"* ]]
}
