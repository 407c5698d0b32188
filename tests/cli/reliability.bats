#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Reliability (issue 12): nothing left behind after a signal, inputs that are
# FIFOs or pipes, outputs that are links, special files or inputs, exit codes.

load helpers
bats_require_minimum_version 1.5.0

SHIM="$BUILD_DIR/tests/no_tmpfile.so"

setup() {
	common_setup
	# The shim must come first, also before a sanitizer runtime (make check).
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
}

# wait_stopped PID: until the process stopped itself (the shim's SIGSTOP)
wait_stopped() {
	local i
	for i in $(seq 600); do
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.1
	done
	echo "process $1 never stopped" >&2
	return 1
}

# signal_mid_write SIG ARGS...: run segen ARGS with O_TMPFILE failing, stop
# it at its first write to the output, send SIG, let it go on; sets $status.
signal_mid_write() {
	local sig=$1 pid
	shift 1
	# Background jobs of a script start with SIGINT and SIGQUIT ignored: undo that.
	LD_PRELOAD="$SHIM" SEGEN_SHIM_STOP_AT_WRITE=1 env --default-signal "$SEGEN" "$@" \
		2>"$TMP/stderr" &
	pid=$!
	wait_stopped "$pid"
	kill -"$sig" "$pid"
	kill -CONT "$pid"
	status=0
	wait "$pid" || status=$?
}

@test "a catchable signal during create leaves no temporary file (no O_TMPFILE)" {
	make_kernel "$KERNEL" 4194304
	mkdir "$TMP/out"
	for sig in INT TERM HUP PIPE QUIT; do
		signal_mid_write "$sig" create -i "$KERNEL" -k "$VEC/keys/host1.crt" \
			--no-verify -o "$TMP/out/guest.img"
		echo "$sig: status $status"
		[ "$status" -eq $((128 + $(kill -l "$sig"))) ]
		run ls -A "$TMP/out"
		echo "$sig left: $output"
		[ -z "$output" ]
	done
}

@test "without O_TMPFILE (EISDIR too) create still writes its image whole" {
	SEGEN_SHIM_TMPFILE_ERRNO=EISDIR LD_PRELOAD="$SHIM" \
		"$SEGEN" create -q -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	[ -s "$OUT" ]
	run ls -A "$TMP"
	[[ "$output" != *".out.img."* ]]
	LD_PRELOAD="$SHIM" "$SEGEN" create -q -i "$KERNEL" -k "$VEC/keys/host1.crt" \
		--no-verify -o "$OUT" --overwrite
	run ls -A "$TMP"
	[[ "$output" != *".out.img."* ]]
}

@test "a FIFO as an input never hangs: large inputs refuse it at once" {
	mkfifo "$TMP/fifo"
	run timeout 20 "$SEGEN" info "$TMP/fifo"
	[ "$status" -eq 1 ]
	assert_one_error_line "fifo: not a regular file \(a FIFO or pipe\)$"
	run timeout 20 "$SEGEN" verify "$TMP/fifo" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 1 ]
	run timeout 20 "$SEGEN" create -i "$TMP/fifo" -k "$VEC/keys/host1.crt" --no-verify \
		-o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "fifo: not a regular file \(a FIFO or pipe\)$"
	run timeout 20 "$SEGEN" create -i "$KERNEL" -r "$TMP/fifo" -k "$VEC/keys/host1.crt" \
		--no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	[ ! -e "$OUT" ]
}

@test "a FIFO nobody writes to ends in a clear error, not a hang" {
	mkfifo "$TMP/fifo"
	run timeout 90 "$SEGEN" create -i "$KERNEL" -p "$TMP/fifo" -k "$VEC/keys/host1.crt" \
		--no-verify -o "$OUT"
	[ "$status" -eq 1 ]
	assert_one_error_line "fifo: nothing written to this pipe in 30 s$"
	[ ! -e "$OUT" ]
}

@test "pipes work for the small inputs: parmfile, keys, host-key document" {
	"$SEGEN" create -q -i "$KERNEL" -p <(printf 'root=/dev/ram0 x=1') \
		-k <(cat "$VEC/keys/host1.crt") --no-verify -o "$OUT" \
		--cck <(cat "$VEC/keys/cck.key") --hdr-key <(cat "$VEC/keys/hdr.key") \
		--image-key <(cat "$VEC/keys/image.key")
	"$SEGEN" create -q -i "$KERNEL" -p "$VEC/inputs/parmfile" -k "$VEC/keys/host1.crt" \
		--no-verify -o "$TMP/files.img" --cck "$VEC/keys/cck.key" \
		--hdr-key "$VEC/keys/hdr.key" --image-key "$VEC/keys/image.key"
	run "$SEGEN" verify "$OUT" --host-key <(cat "$VEC/keys/host1.pem")
	echo "$output"
	[ "$status" -eq 0 ]
	# A FIFO whose writer comes late is read once it writes.
	mkfifo "$TMP/fifo"
	(sleep 1; printf 'root=/dev/ram0' > "$TMP/fifo") &
	run "$SEGEN" create -q -i "$KERNEL" -p "$TMP/fifo" -k "$VEC/keys/host1.crt" \
		--no-verify -o "$TMP/late.img"
	[ "$status" -eq 0 ]
	# A key through a pipe still has to be exactly its size.
	run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$TMP/x.img" \
		--cck <(head -c 31 /dev/zero)
	[ "$status" -eq 1 ]
	assert_one_error_line "key file holds 31 bytes, expected exactly 32"
}

@test "-o naming an input is refused, whatever --overwrite says" {
	cp "$KERNEL" "$TMP/kernel.orig"
	run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$KERNEL" \
		--overwrite
	[ "$status" -eq 1 ]
	assert_one_error_line "is also the input .*kernel; refusing to write over an input$"
	cmp "$KERNEL" "$TMP/kernel.orig"
	ln "$KERNEL" "$TMP/hard"
	ln -s "$KERNEL" "$TMP/soft"
	for o in "$TMP/hard" "$TMP/soft"; do
		run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$o" \
			--overwrite
		[ "$status" -eq 1 ]
	done
	cp "$VEC/inputs/parmfile" "$TMP/parm"
	run "$SEGEN" create -i "$KERNEL" -p "$TMP/parm" -k "$VEC/keys/host1.crt" --no-verify \
		-o "$TMP/parm" --overwrite
	[ "$status" -eq 1 ]
	cmp "$TMP/parm" "$VEC/inputs/parmfile"
	cmp "$KERNEL" "$TMP/kernel.orig"
	"$SEGEN" create -q -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT"
	cp "$OUT" "$TMP/img.orig"
	run "$SEGEN" unpack "$OUT" --host-key "$VEC/keys/host1.pem" -o "$OUT" --overwrite
	[ "$status" -eq 1 ]
	cmp "$OUT" "$TMP/img.orig"
}

@test "outputs: through a link to a regular file; never over a device, FIFO or dangling link" {
	"$SEGEN" create -q -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT" --x-seed 01
	echo old > "$TMP/target"
	ln -s target "$TMP/link"
	"$SEGEN" create -q -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$TMP/link" \
		--overwrite --x-seed 01
	[ -L "$TMP/link" ]
	cmp "$TMP/target" "$OUT"
	ln -s /dev/null "$TMP/devlink"
	mkfifo "$TMP/fifo"
	ln -s "$TMP/nowhere" "$TMP/dangling"
	for o in /dev/null "$TMP/devlink" "$TMP/fifo" "$TMP/dangling"; do
		run timeout 20 "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify \
			-o "$o" --overwrite
		echo "$o: $output"
		[ "$status" -eq 1 ]
		assert_one_error_line "refusing to write it|not creating its target"
	done
	[ -c /dev/null ]
	[ -L "$TMP/devlink" ] && [ -p "$TMP/fifo" ] && [ -L "$TMP/dangling" ]
	[ ! -e "$TMP/nowhere" ]
}

@test "every malformed option value is a usage error (2)" {
	for opt in "--x-seed xyz" "--x-seed 123" "--x-pcf 0xq" "--x-scf -1"; do
		# shellcheck disable=SC2086
		run "$SEGEN" create -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT" $opt
		echo "$opt: $status $output"
		[ "$status" -eq 2 ]
	done
	[ ! -e "$OUT" ]
}

@test "verify --format json prints a JSON error when the image cannot be opened" {
	for img in "$TMP/missing.img" "$KERNEL"; do
		run --separate-stderr "$SEGEN" verify "$img" --host-key "$VEC/keys/host1.pem" \
			--format json
		[ "$status" -eq 1 ]
		echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["result"] == "error", d
assert d["image"] == sys.argv[1], d
assert d["message"].startswith(sys.argv[1] + ": "), d
' "$img"
	done
}

# fake_qemu FILE: a stand-in for qemu-system-s390x that checks what it gets
# (the ELF as /proc/self/fd/N, QMP as an inherited socket), notes its pid and
# what TMPDIR holds, prints a line and waits to be stopped.
fake_qemu() {
	cat > "$1" <<'FAKE'
#!/bin/bash
while [ $# -gt 0 ]; do
	case $1 in
	-kernel) kernel=$2; shift ;;
	-chardev) chardev=$2; shift ;;
	esac
	shift
done
echo $$ > "$FAKE_DIR/pid"
{
	echo "kernel=$kernel"
	echo "magic=$(head -c 4 "$kernel" | od -An -tx1 | tr -d ' ')"
	fd=${chardev##*fd=}
	echo "qmp=$(readlink "/proc/$$/fd/$fd")"
	echo "tmpdir=[$(ls -A "$TMPDIR")]"
} > "$FAKE_DIR/seen.tmp"
mv "$FAKE_DIR/seen.tmp" "$FAKE_DIR/seen"
echo "fake guest up"
exec sleep 300
FAKE
	chmod +x "$1"
}

boot_image() {
	"$SEGEN" create -q -i "$KERNEL" -p "$VEC/inputs/parmfile" -k "$VEC/keys/host1.crt" \
		--no-verify -o "$OUT" 2>/dev/null
}

@test "boot-test: the plaintext never reaches a file system; SIGHUP leaves nothing" {
	boot_image
	export FAKE_DIR="$TMP/fake" TMPDIR="$TMP/tmpdir"
	mkdir "$FAKE_DIR" "$TMPDIR"
	fake_qemu "$TMP/qemu"
	for sig in HUP INT TERM QUIT; do
		rm -f "$FAKE_DIR"/*
		env --default-signal "$SEGEN" boot-test "$OUT" --host-key "$VEC/keys/host1.pem" \
			--qemu "$TMP/qemu" --timeout 120 -q 2>"$TMP/stderr" &
		local pid=$! i
		for i in $(seq 600); do [ -e "$FAKE_DIR/seen" ] && break; sleep 0.1; done
		cat "$FAKE_DIR/seen"
		grep -qx 'kernel=/proc/self/fd/[0-9]*' "$FAKE_DIR/seen"
		grep -qx 'magic=7f454c46' "$FAKE_DIR/seen"
		grep -qx 'qmp=socket:\[[0-9]*\]' "$FAKE_DIR/seen"
		grep -qx 'tmpdir=\[\]' "$FAKE_DIR/seen"
		kill -"$sig" "$pid"
		status=0
		wait "$pid" || status=$?
		cat "$TMP/stderr"
		[ "$status" -ne 0 ]
		[ -z "$(ls -A "$TMPDIR")" ]
		# QEMU does not outlive the run.
		for i in $(seq 100); do kill -0 "$(cat "$FAKE_DIR/pid")" 2>/dev/null || break; sleep 0.1; done
		! kill -0 "$(cat "$FAKE_DIR/pid")" 2>/dev/null
	done
}

@test "boot-test reports QEMU's real exit status, or the signal that killed it" {
	boot_image
	printf '#!/bin/sh\necho "qemu: no such machine" >&2\nexit 3\n' > "$TMP/qemu3"
	printf '#!/bin/sh\nkill -SEGV $$\n' > "$TMP/qemusegv"
	chmod +x "$TMP/qemu3" "$TMP/qemusegv"
	run "$SEGEN" boot-test "$OUT" --host-key "$VEC/keys/host1.pem" --qemu "$TMP/qemu3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"out.img: QEMU exited with status 3: qemu: no such machine"* ]]
	run "$SEGEN" boot-test "$OUT" --host-key "$VEC/keys/host1.pem" --qemu "$TMP/qemusegv"
	[ "$status" -eq 1 ]
	[[ "$output" == *"out.img: QEMU was killed by signal 11 (Segmentation fault)"* ]]
}

@test "boot-test sweeps directories that older interrupted runs left, and only those" {
	boot_image
	export TMPDIR="$TMP/tmpdir"
	mkdir -p "$TMPDIR/segen-boot-test.AbC123" "$TMPDIR/segen-boot-test.fresh1" \
		"$TMPDIR/segen-boot-test.other" "$TMPDIR/keep-me.AbC123"
	echo plaintext > "$TMPDIR/segen-boot-test.AbC123/memory.elf"
	echo plaintext > "$TMPDIR/segen-boot-test.fresh1/memory.elf"
	echo unknown > "$TMPDIR/segen-boot-test.other/notes"
	touch -d '3 hours ago' "$TMPDIR/segen-boot-test.AbC123" "$TMPDIR/segen-boot-test.other" \
		"$TMPDIR/keep-me.AbC123"
	printf '#!/bin/sh\nexit 1\n' > "$TMP/qemu1"
	chmod +x "$TMP/qemu1"
	run "$SEGEN" boot-test "$OUT" --host-key "$VEC/keys/host1.pem" --qemu "$TMP/qemu1"
	[ ! -e "$TMPDIR/segen-boot-test.AbC123" ]
	# Too young to be stale, not only ours, not ours at all: left alone.
	[ -e "$TMPDIR/segen-boot-test.fresh1/memory.elf" ]
	[ -e "$TMPDIR/segen-boot-test.other/notes" ]
	[ -d "$TMPDIR/keep-me.AbC123" ]
}

@test "an encrypted private key is refused in one line, never prompted for" {
	"$SEGEN" create -q -i "$KERNEL" -k "$VEC/keys/host1.crt" --no-verify -o "$OUT" 2>/dev/null
	openssl pkey -in "$VEC/keys/host1.pem" -aes256 -passout pass:secret -out "$TMP/enc.pem"
	openssl pkcs8 -topk8 -in "$VEC/keys/host1.pem" -v2 aes256 -passout pass:secret \
		-outform DER -out "$TMP/enc.der"
	for key in "$TMP/enc.pem" "$TMP/enc.der"; do
		run timeout 20 "$SEGEN" verify "$OUT" --host-key "$key" </dev/null
		[ "$status" -eq 1 ]
		assert_one_error_line "enc\.(pem|der): the private key is encrypted; segen takes unencrypted keys only"
	done
}
