#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# segen create: options, output handling and every bad input of issue #2.

load helpers

setup_file() {
	# 96 throwaway host keys for the header-size tests.
	local dir="$BATS_FILE_TMPDIR/hosts"
	mkdir -p "$dir"
	for i in $(seq 1 96); do
		openssl ecparam -name secp521r1 -genkey -noout -out "$dir/h$i.key" 2>/dev/null
		openssl req -x509 -new -key "$dir/h$i.key" -out "$dir/h$i.crt" -subj "/CN=h$i" \
			-days 2 2>/dev/null
	done
}

setup() {
	common_setup
}

hdr_u32() { # hdr_u32 IMAGE OFFSET: a big-endian u32 of the SE header at 0x14000
	od -An -tu4 --endian=big -j $((0x14000 + $2)) -N4 "$1" | tr -d ' '
}

@test "create builds an image with kernel, ramdisk and command line" {
	segen_create -r "$VEC/inputs/initrd.bin" -p "$VEC/inputs/parmfile" -o "$OUT"
	[ "$status" -eq 0 ]
	[ -f "$OUT" ]
	[ "$(head -c 8 "$OUT" | od -An -tx1 | tr -d ' ')" = "0008000080010000" ] # stage-a IPL PSW
	[ "$(dd if="$OUT" bs=1 skip=$((0xc000)) count=8 status=none)" = "SeImgLnx" ]
	[ "$(dd if="$OUT" bs=1 skip=$((0x14000)) count=8 status=none)" = "IBMSecEx" ]
	[ "$(hdr_u32 "$OUT" 12)" -eq 640 ]
	[[ "$output" == *"WARNING: host-key document verification is disabled"* ]]
}

@test "--x-seed makes the image reproducible, and a different seed changes it" {
	segen_create -r "$VEC/inputs/initrd.bin" -o "$TMP/a.img" --x-seed 0123456789abcdef
	[ "$status" -eq 0 ]
	[[ "$output" == *"NOT secret"* ]]
	segen_create -r "$VEC/inputs/initrd.bin" -o "$TMP/b.img" --x-seed 0123456789abcdef
	[ "$status" -eq 0 ]
	cmp "$TMP/a.img" "$TMP/b.img"
	segen_create -r "$VEC/inputs/initrd.bin" -o "$TMP/c.img" --x-seed 0123456789abcdee
	[ "$status" -eq 0 ]
	! cmp -s "$TMP/a.img" "$TMP/c.img"
	segen_create -r "$VEC/inputs/initrd.bin" -o "$TMP/d.img"
	[ "$status" -eq 0 ]
	! cmp -s "$TMP/a.img" "$TMP/d.img"
}

@test "header sizes: 1, 44, 45 and 95 host keys work" {
	local dir="$BATS_FILE_TMPDIR/hosts"
	for n in 1 44 45 95; do
		local args=()
		for i in $(seq 1 $n); do args+=(-k "$dir/h$i.crt"); done
		run "$SEGEN" create -i "$KERNEL" --no-verify -o "$TMP/h$n.img" "${args[@]}"
		[ "$status" -eq 0 ]
		[ "$(hdr_u32 "$TMP/h$n.img" 12)" -eq $((560 + 80 * n)) ]
	done
	# 45 keys take a second header page: everything after it moves one page up.
	local ipib44 ipib45
	ipib44=$(od -An -tu8 --endian=big -j $((0xc014)) -N8 "$TMP/h44.img" | tr -d ' ')
	ipib45=$(od -An -tu8 --endian=big -j $((0xc014)) -N8 "$TMP/h45.img" | tr -d ' ')
	[ $((ipib45 - ipib44)) -eq 4096 ]
}

@test "96 host keys are refused" {
	local dir="$BATS_FILE_TMPDIR/hosts" args=()
	for i in $(seq 1 96); do args+=(-k "$dir/h$i.crt"); done
	run "$SEGEN" create -i "$KERNEL" --no-verify -o "$OUT" "${args[@]}"
	[ "$status" -eq 1 ]
	assert_one_error_line "96 host-key documents given; an image holds at most 95"
	[ ! -e "$OUT" ]
}

@test "a missing kernel file is named" {
	run "$SEGEN" create -i "$TMP/nope" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "error: $TMP/nope: No such file or directory"
	[ ! -e "$OUT" ]
}

@test "a directory as kernel is refused" {
	run "$SEGEN" create -i "$TMP" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP: is a directory"
	[ ! -e "$OUT" ]
}

@test "an empty or tiny kernel is refused" {
	: > "$TMP/empty"
	run "$SEGEN" create -i "$TMP/empty" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/empty: kernel image is empty"
	head -c 4000 "$KERNEL" > "$TMP/tiny"
	run "$SEGEN" create -i "$TMP/tiny" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/tiny: too small for a raw s390x kernel \(4000 bytes"
	[ ! -e "$OUT" ]
}

@test "an ELF kernel is refused" {
	cp "$KERNEL" "$TMP/elf"
	write_bytes "$TMP/elf" 0 '\177ELF'
	run "$SEGEN" create -i "$TMP/elf" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/elf: is an ELF file"
	[ ! -e "$OUT" ]
}

@test "a kernel without S390EP is refused, unless --no-component-check" {
	truncate -s 81920 "$TMP/raw"
	run "$SEGEN" create -i "$TMP/raw" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/raw: not a raw s390x kernel image \(no S390EP at 0x10008\)"
	run "$SEGEN" create -i "$TMP/raw" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT" \
		--no-component-check
	[ "$status" -eq 0 ]
}

@test "command line: the kernel's maximum fits, one byte more is refused" {
	make_kernel "$KERNEL" 81920 896
	head -c 895 /dev/zero | tr '\0' 'x' > "$TMP/max"
	segen_create -p "$TMP/max" -o "$OUT"
	[ "$status" -eq 0 ]
	# A final NUL is allowed and not doubled.
	printf '\0' >> "$TMP/max"
	segen_create -p "$TMP/max" -o "$TMP/nul.img"
	[ "$status" -eq 0 ]
	head -c 896 /dev/zero | tr '\0' 'x' > "$TMP/long"
	segen_create -p "$TMP/long" -o "$TMP/long.img"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/long: command line is 896 bytes, the kernel accepts at most 895"
	[ ! -e "$TMP/long.img" ]
}

@test "a kernel without a maximum gets 896 bytes" {
	make_kernel "$KERNEL" 81920 0
	head -c 896 /dev/zero | tr '\0' 'x' > "$TMP/long"
	segen_create -p "$TMP/long" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "at most 895"
}

@test "a command line with a NUL inside is refused" {
	printf 'console=ttysclp0\0root=/dev/ram0' > "$TMP/nul"
	segen_create -p "$TMP/nul" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/nul: command line holds a NUL byte at offset 16"
	[ ! -e "$OUT" ]
}

@test "a host-key document that is not a certificate is refused" {
	echo "hello" > "$TMP/junk.crt"
	run "$SEGEN" create -i "$KERNEL" -k "$TMP/junk.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "host-key document: $TMP/junk.crt: not an X.509 certificate"
	run "$SEGEN" create -i "$KERNEL" -k "$ASSETS/keys/ecsecp256k1.pem" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "ecsecp256k1.pem: .*certificate"
	[ ! -e "$OUT" ]
}

@test "a host-key document with a P-256 or RSA key is refused" {
	make_hkd "$TMP" p256 prime256v1
	run "$SEGEN" create -i "$KERNEL" -k "$TMP/p256.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "host-key document: $TMP/p256.crt: key is on curve prime256v1, expected secp521r1"
	run "$SEGEN" create -i "$KERNEL" -k "$ASSETS/keys/rsa2048.crt" --no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "rsa2048.crt: key is RSA, expected an EC secp521r1 key"
	[ ! -e "$OUT" ]
}

@test "a DER host-key document works" {
	openssl x509 -in "$VEC/keys/host2.crt" -outform DER -out "$TMP/host2.der"
	run "$SEGEN" create -i "$KERNEL" -k "$TMP/host2.der" --no-verify -o "$OUT"
	[ "$status" -eq 0 ]
}

@test "key files of the wrong length are refused" {
	head -c 31 /dev/urandom > "$TMP/k31"
	segen_create --cck "$TMP/k31" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/k31: key file holds 31 bytes, expected exactly 32"
	segen_create --hdr-key "$TMP/k31" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "expected exactly 32"
	segen_create --image-key "$TMP/k31" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/k31: key file holds 31 bytes, expected exactly 64"
	[ ! -e "$OUT" ]
}

@test "given keys are used: same keys and seed give the same image" {
	head -c 32 /dev/urandom > "$TMP/cck"
	head -c 32 /dev/urandom > "$TMP/hdr"
	head -c 64 /dev/urandom > "$TMP/img"
	segen_create --cck "$TMP/cck" --hdr-key "$TMP/hdr" --image-key "$TMP/img" \
		--x-seed 01 -o "$TMP/a.img"
	[ "$status" -eq 0 ]
	segen_create --comm-key "$TMP/cck" --x-header-key "$TMP/hdr" --x-comp-key "$TMP/img" \
		--x-seed 01 -o "$TMP/b.img"
	[ "$status" -eq 0 ]
	cmp "$TMP/a.img" "$TMP/b.img"
}

@test "an existing output is left untouched without --overwrite" {
	echo "precious" > "$OUT"
	segen_create -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "$OUT: file exists \(use --overwrite to replace it\)"
	[ "$(cat "$OUT")" = "precious" ]
	segen_create -o "$OUT" --overwrite
	[ "$status" -eq 0 ]
	[ "$(dd if="$OUT" bs=1 skip=$((0x14000)) count=8 status=none)" = "IBMSecEx" ]
}

@test "invoked as genprotimg, create replaces the output" {
	ln -s "$SEGEN" "$TMP/genprotimg"
	echo "old" > "$OUT"
	run "$TMP/genprotimg" -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 0 ]
	[ "$(dd if="$OUT" bs=1 skip=$((0x14000)) count=8 status=none)" = "IBMSecEx" ]
	run "$TMP/genprotimg" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: genprotimg -i KERNEL"* ]]
}

@test "an output directory that is not writable" {
	mkdir "$TMP/ro"
	chmod 0555 "$TMP/ro"
	chmod 0755 "$TMP"
	chmod 0644 "$KERNEL"
	local as_user=()
	[ "$(id -u)" -ne 0 ] || as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	run "${as_user[@]}" "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify \
		-o "$TMP/ro/out.img"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/ro/out.img: cannot create a file in $TMP/ro: Permission denied"
	[ -z "$(ls -A "$TMP/ro")" ]
}

@test "a file-size limit hit mid-write leaves no output" {
	# 150 KiB: stage-a and the kernel fit, the rest does not.
	run bash -c "ulimit -f 150; exec \"$SEGEN\" create -i \"$KERNEL\" \
		-k \"$VEC/keys/host1.crt\" --no-verify -r \"$VEC/inputs/initrd.bin\" -o \"$OUT\""
	[ "$status" -eq 1 ]
	assert_one_error_line "$OUT: write failed: File too large"
	[ ! -e "$OUT" ]
	[ -z "$(ls -A "$TMP" | grep -v -e '^kernel$')" ]
}

@test "a full filesystem mid-write leaves no output" {
	if ! mount -t tmpfs -o size=160k tmpfs "$TMP/small" 2>/dev/null; then
		mkdir -p "$TMP/small"
		mount -t tmpfs -o size=160k tmpfs "$TMP/small" 2>/dev/null ||
			skip "cannot mount a small tmpfs here (not root)"
	fi
	run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify \
		-r "$VEC/inputs/initrd.bin" -o "$TMP/small/out.img"
	local files
	files=$(ls -A "$TMP/small")
	umount "$TMP/small"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/small/out.img: write failed: No space left on device"
	[ -z "$files" ]
}

@test "usage errors exit 2" {
	run "$SEGEN" create -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing the kernel"* ]]
	run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" -o "$OUT"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--no-verify"* ]]
	segen_create -o "$OUT" --enable-dump
	[ "$status" -eq 2 ]
	[[ "$output" == *"--enable-dump requires --cck"* ]]
	segen_create -o "$OUT" --enable-pckmo --disable-pckmo
	[ "$status" -eq 2 ]
	segen_create -o "$OUT" --x-pcf 0xe0 --enable-dump
	[ "$status" -eq 2 ]
	segen_create -o "$OUT" --x-pcf banana
	[ "$status" -eq 2 ]
	segen_create -o "$OUT" --bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option '--bogus'"* ]]
	segen_create -o "$OUT" --x-seed xyz
	[ "$status" -eq 2 ]
	[ ! -e "$OUT" ]
}

@test "header flags: IBM's dependency rules and values" {
	head -c 32 /dev/urandom > "$TMP/cck"
	segen_create -o "$OUT" --cck "$TMP/cck" --enable-dump --enable-cck-extension-secret \
		--disable-pckmo -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"PCF 0x0000000020000000 SCF 0x4000000000000000"* ]]
	segen_create -o "$TMP/2.img" --enable-cck-update --enable-dump -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"PCF 0x00000000200000e0 SCF 0x2000000000000000"* ]]
	segen_create -o "$TMP/3.img" --cck "$TMP/cck" --enable-cck-update \
		--enable-cck-extension-secret
	[ "$status" -eq 2 ]
	segen_create -o "$TMP/4.img" --disable-image-encryption --enable-pckmo-hmac \
		--enable-backup-keys -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"PCF 0x00000000100000f2"* ]]
	segen_create -o "$TMP/5.img" --x-pcf 0x100000e0 --x-scf 0 -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"PCF 0x00000000100000e0 SCF 0x0000000000000000"* ]]
}

@test "a corrupt gzip ramdisk is refused; a good one is checked" {
	head -c 300000 /dev/urandom > "$TMP/payload"
	gzip -c "$TMP/payload" > "$TMP/good.gz"
	segen_create -r "$TMP/good.gz" -o "$OUT" -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"ramdisk: gzip at 0 ($(stat -c %s "$TMP/good.gz") bytes, checked)"* ]]
	head -c 200000 "$TMP/good.gz" > "$TMP/trunc.gz"
	segen_create -r "$TMP/trunc.gz" -o "$TMP/t.img"
	[ "$status" -eq 1 ]
	assert_one_error_line \
		"$TMP/trunc.gz: gzip data is truncated; the file ends at offset 200000 \(part 1: gzip"
	[ ! -e "$TMP/t.img" ]
	cp "$TMP/good.gz" "$TMP/bad.gz"
	write_bytes "$TMP/bad.gz" 150000 '\x00\x01\x02\x03\x04\x05\x06\x07'
	segen_create -r "$TMP/bad.gz" -o "$TMP/b.img"
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/bad.gz: corrupt gzip data \(.*\) at offset [0-9]+ \(part 1: gzip from offset 0\)"
	[ ! -e "$TMP/b.img" ]
	segen_create -r "$TMP/bad.gz" -o "$TMP/b.img" --x-inflate zlib
	[ "$status" -eq 1 ]
	assert_one_error_line "$TMP/bad.gz: corrupt gzip data \(.*\) at offset [0-9]+ \(part 1: gzip from offset 0\)"
	[ ! -e "$TMP/b.img" ]
	segen_create -r "$TMP/bad.gz" -o "$TMP/b.img" --no-component-check
	[ "$status" -eq 0 ]
}

# An initrd as initramfs-tools and dracut make it: an uncompressed early cpio
# (CPU microcode), then the main archive compressed, here holding Debian's
# s390x busybox.
make_real_initrd() { # OUT COMPRESSOR...
	local out=$1 root="$TMP/root"
	shift
	rm -rf "$root" && mkdir -p "$root/early/kernel/x86/microcode" "$root/main/bin"
	head -c 70000 "$STUB_REAL_KERNEL" > "$root/early/kernel/x86/microcode/GenuineIntel.bin"
	cp "$STUB_REAL_BUSYBOX" "$root/main/bin/busybox"
	ln -s busybox "$root/main/bin/sh"
	(cd "$root/early" && find . | sort | cpio --quiet -o -H newc -R 0:0) > "$out"
	(cd "$root/main" && find . | sort | cpio --quiet -o -H newc -R 0:0 | "$@") >> "$out"
}

@test "a concatenated initrd: each part is checked and named, a corrupt one refused" {
	local early main
	for comp in "gzip -6" "zstd -q -19" "xz --check=crc32" "xz --format=lzma"; do
		make_real_initrd "$TMP/initrd" $comp
		early=$( (cd "$TMP/root/early" && find . | sort | cpio --quiet -o -H newc -R 0:0) | wc -c)
		main=$(( $(stat -c %s "$TMP/initrd") - early ))
		segen_create -r "$TMP/initrd" -o "$TMP/$$.img" -v
		[ "$status" -eq 0 ]
		name=${comp%% *}
		[ "$comp" = "xz --format=lzma" ] && name=lzma
		[[ "$output" == *"ramdisk: cpio at 0 ("*" bytes, checked), $name at $early ($main bytes, checked)"* ]]
		rm -f "$TMP/$$.img"
		# Damage the compressed part's middle: refused, naming that part and its offset.
		write_bytes "$TMP/initrd" $((early + main / 2)) '\x55\xaa\x55\xaa\x55\xaa\x55\xaa'
		segen_create -r "$TMP/initrd" -o "$TMP/$$.img"
		[ "$status" -eq 1 ]
		assert_one_error_line "$TMP/initrd: corrupt $name data .* \(part 2: $name from offset $early\)"
		[ ! -e "$TMP/$$.img" ]
	done
}

@test "--help, --version and the top-level usage" {
	run "$SEGEN" create --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--host-key-document"* ]]
	run "$SEGEN" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "segen version "* ]]
	run "$SEGEN"
	[ "$status" -eq 2 ]
	run "$SEGEN" frobnicate
	[ "$status" -eq 2 ]
}
