#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# What create says: one summary line on success, nothing with -q but errors,
# a progress line only on a terminal, and genprotimg's help sections.

load helpers

setup() {
	common_setup
}

SUMMARY_RE='^segen: wrote .*: [0-9]+ hosts?, [0-9]+\.[0-9] MiB, [0-9]+\.[0-9] s$'

@test "success ends with one summary line: hosts, MiB, seconds" {
	segen_create -k "$VEC/keys/host2.crt" -o "$OUT"
	[ "$status" -eq 0 ]
	last=$(printf '%s\n' "$output" | tail -n 1)
	[[ "$last" =~ $SUMMARY_RE ]]
	[[ "$last" == "segen: wrote $OUT: 2 hosts, "* ]]
	# The image is 0.2 MiB: the size is the file's, rounded to 0.1 MiB.
	size=$(stat -c %s "$OUT")
	[[ "$last" == *", $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }') MiB, "* ]]
	run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT.1"
	[[ "$(printf '%s\n' "$output" | tail -n 1)" == "segen: wrote $OUT.1: 1 host, "* ]]
}

@test "-q means errors only: no summary, no warnings" {
	segen_create -q --x-seed 01 -o "$OUT"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -s "$OUT" ]
	# Without -q the same run warns twice and sums up.
	segen_create --x-seed 01 -o "$OUT.2"
	[ "$(printf '%s\n' "$output" | grep -c WARNING)" -eq 2 ]
	# Errors still come, as one line.
	segen_create -q -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "error: .*out.img.*exists"
}

@test "a progress line on a terminal, none into a pipe or with -q" {
	# 64 MiB is the size from which create reports progress.
	head -c $((64 << 20)) /dev/zero > "$TMP/big"
	cmd="$SEGEN create -i $KERNEL -r $TMP/big -k $VEC/keys/host1.crt --no-verify"
	script -qefc "$cmd -o $OUT" /dev/null > "$TMP/tty.log"
	grep -a -q "segen: encrypting 64 of 64 MiB (100%)" "$TMP/tty.log"
	tr '\r' '\n' < "$TMP/tty.log" | grep -a -q "segen: wrote $OUT: 1 host, 64.2 MiB"
	rm "$OUT"
	run $cmd -o "$OUT"
	[ "$status" -eq 0 ]
	[[ "$output" != *encrypting* ]]
	script -qefc "$cmd -q -o $OUT.q" /dev/null > "$TMP/tty-q.log"
	[ -s "$OUT.q" ]
	! grep -a -q . "$TMP/tty-q.log"
}

@test "an error mid-way starts its own line after the progress line" {
	head -c $((64 << 20)) /dev/zero > "$TMP/big"
	# 20000 KiB: the write fails a third of the way through.
	script -qefc "bash -c 'ulimit -f 20000; exec $SEGEN create -i $KERNEL -r $TMP/big \
		-k $VEC/keys/host1.crt --no-verify -o $OUT'" /dev/null > "$TMP/tty.log" || true
	grep -a -q "segen: encrypting " "$TMP/tty.log"
	tr '\r' '\n' < "$TMP/tty.log" | grep -a -q "^segen: error: .*out.img"
	[ ! -e "$OUT" ]
}

@test "packing a big --ramdisk-dir shows its own progress line" {
	mkdir "$TMP/root"
	head -c $((64 << 20)) /dev/zero > "$TMP/root/zeros"
	script -qefc "$SEGEN create -i $KERNEL --ramdisk-dir $TMP/root -k $VEC/keys/host1.crt \
		--no-verify -o $OUT" /dev/null > "$TMP/tty.log"
	grep -a -q "segen: packing the ramdisk directory 64 of 64 MiB (100%)" "$TMP/tty.log"
	# 64 MiB of zeros pack into far less: too little to encrypt for a progress line.
	! grep -a -q "encrypting" "$TMP/tty.log"
	[ -s "$OUT" ]
}

@test "--help-experimental and --help-all, as genprotimg had them" {
	run "$SEGEN" create --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--ramdisk-dir"* && "$output" == *"--help-all"* ]]
	[[ "$output" != *"--x-pcf"* ]]
	run "$SEGEN" create --help-experimental
	[ "$status" -eq 0 ]
	[[ "$output" == *"--x-pcf"* && "$output" == *"--x-bootloader-directory"* ]]
	[[ "$output" != *"--ramdisk-dir"* ]]
	run "$SEGEN" create --help-all
	[ "$status" -eq 0 ]
	[[ "$output" == *"--x-pcf"* && "$output" == *"--ramdisk-dir"* ]]
	ln -s "$SEGEN" "$TMP/genprotimg"
	run "$TMP/genprotimg" --help-all
	[ "$status" -eq 0 ]
	[[ "$output" == "Usage: genprotimg -i KERNEL"* && "$output" == *"--x-seed"* ]]
}
