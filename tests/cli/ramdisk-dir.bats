#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# create --ramdisk-dir: the initramfs built from a directory, read back out of
# an image stored without encryption (its pages are the plaintext).

load helpers

setup() {
	common_setup
	ROOT="$TMP/root"
	mkdir -p "$ROOT"/{bin,etc/init.d,dev}
	printf '#!/bin/sh\necho hello\n' > "$ROOT/init"
	chmod 0755 "$ROOT/init"
	printf 'motd\n' > "$ROOT/etc/motd"
	ln "$ROOT/etc/motd" "$ROOT/etc/issue"
	ln -s ../init "$ROOT/bin/sh"
	head -c 100000 /dev/urandom > "$ROOT/etc/init.d/blob"
}

# ramdisk_of IMAGE OUT: the ramdisk component of an unencrypted IMAGE, gunzipped
ramdisk_of() {
	local name addr size
	read -r name addr size _ < <("$SEGEN" info "$1" | grep '^  ramdisk ')
	dd if="$1" bs=4096 skip=$((addr / 4096)) count=$((size / 4096)) status=none |
		gzip -dc > "$2"
}

@test "--ramdisk-dir: cpio lists every entry, sorted, owned by root, at time 0" {
	segen_create --ramdisk-dir "$ROOT" --disable-image-encryption -o "$OUT"
	[ "$status" -eq 0 ]
	ramdisk_of "$OUT" "$TMP/rd.cpio"
	cpio -it --quiet < "$TMP/rd.cpio" > "$TMP/list"
	(cd "$ROOT" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort) > "$TMP/want"
	diff "$TMP/want" "$TMP/list"
	cpio -itv --quiet < "$TMP/rd.cpio" > "$TMP/long"
	[ "$(awk '$3 != "root" || $4 != "root"' "$TMP/long")" = "" ]
	[ "$(grep -c 'Jan  1  1970' "$TMP/long")" -eq "$(wc -l < "$TMP/want")" ]
	grep -q '^lrwxrwxrwx .* bin/sh -> ../init$' "$TMP/long"
	grep -q '^-rwxr-xr-x .* init$' "$TMP/long"
	# The unpacked tree has the same contents, hard link included.
	mkdir "$TMP/x"
	(cd "$TMP/x" && cpio -id --quiet < "$TMP/rd.cpio")
	diff -r --no-dereference "$ROOT" "$TMP/x"
	[ "$(stat -c %i "$TMP/x/etc/motd")" = "$(stat -c %i "$TMP/x/etc/issue")" ]
}

@test "--ramdisk-dir is reproducible: other times, other order, same image" {
	SOURCE_DATE_EPOCH=1700000000 segen_create --ramdisk-dir "$ROOT" --x-seed 01 -o "$OUT"
	[ "$status" -eq 0 ]
	# The same tree made anew in another order, with other times and inodes.
	mkdir -p "$TMP/copy"/{dev,etc/init.d,bin}
	cp "$ROOT/etc/init.d/blob" "$TMP/copy/etc/init.d/"
	ln -s ../init "$TMP/copy/bin/sh"
	printf 'motd\n' > "$TMP/copy/etc/issue"
	ln "$TMP/copy/etc/issue" "$TMP/copy/etc/motd"
	cp "$ROOT/init" "$TMP/copy/init"
	find "$TMP/copy" -exec touch -h -d @123456789 {} +
	SOURCE_DATE_EPOCH=1700000000 segen_create --ramdisk-dir "$TMP/copy" --x-seed 01 \
		-o "$OUT.2"
	[ "$status" -eq 0 ]
	cmp "$OUT" "$OUT.2"
	# SOURCE_DATE_EPOCH is what the entries say, and it changes the image.
	SOURCE_DATE_EPOCH=1700000001 segen_create --ramdisk-dir "$ROOT" --x-seed 01 -o "$OUT.3"
	! cmp -s "$OUT" "$OUT.3"
	segen_create --ramdisk-dir "$ROOT" --disable-image-encryption -o "$OUT.plain"
	SOURCE_DATE_EPOCH=1700000000 segen_create --ramdisk-dir "$ROOT" \
		--disable-image-encryption -o "$OUT.plain2"
	ramdisk_of "$OUT.plain2" "$TMP/t.cpio"
	entries=$(find "$ROOT" -mindepth 1 | wc -l)
	[ "$(cpio -itv --quiet < "$TMP/t.cpio" | grep -c 'Nov 14  2023')" -eq "$entries" ]
}

@test "--ramdisk-dir: bad inputs, one line each" {
	run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify \
		--ramdisk-dir "$TMP/nowhere" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "error: $TMP/nowhere: No such file or directory"
	segen_create --ramdisk-dir "$ROOT/init" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "error: $ROOT/init: not a directory"
	SOURCE_DATE_EPOCH=yesterday segen_create --ramdisk-dir "$ROOT" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "error: SOURCE_DATE_EPOCH: 'yesterday' is not a time in seconds"
	segen_create --ramdisk-dir "$ROOT" -r "$VEC/inputs/initrd.bin" -o "$OUT"
	[ "$status" -eq 2 ]
	[[ "$output" == *"-r/--ramdisk and --ramdisk-dir exclude each other"* ]]
	d="$TMP/deep"
	for i in $(seq 65); do d="$d/d"; done
	mkdir -p "$d"
	segen_create --ramdisk-dir "$TMP/deep" -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "error: $TMP/deep/d/.*: nested deeper than 64 directories"
	[ ! -e "$OUT" ]
}
