#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# No key in a core (issue 12): real cores of segen, taken while keys are live,
# searched for the key bytes. Its own suite, kept out of CI's sanitizer run
# (make check-userspace), and skipped by make check: an ASan build turns core
# dumps off, handles SIGSEGV itself and maps terabytes of shadow (a gcore of
# one filled a disk), so its cores say nothing about the release binary. Every
# core is bounded: its size is estimated first and capped while written.

load ../cli/helpers

SHIM="$BUILD_DIR/tests/no_tmpfile.so"

setup() {
	common_setup
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

# no_secret_in CORE FILE...: none of the 16-byte pieces of the FILEs is in CORE
no_secret_in() {
	python3 - "$@" <<'PY'
import mmap, sys
with open(sys.argv[1], "rb") as f:
    core = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
bad = 0
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    for off in range(0, len(data), 16):
        if core.find(data[off:off + 16]) >= 0:
            print(f"{path}: bytes {off}..{off + 15} are in the core")
            bad = 1
sys.exit(bad)
PY
}

# Cores are bounded: 512 MiB at most, checked before and enforced while writing.
CORE_MAX_KIB=$((512 * 1024))

# A sanitizer build's cores say nothing about the release binary and can be
# enormous (ASan's shadow): only `make check` gets here with one.
skip_if_sanitized() {
	if ldd "$SEGEN" 2>/dev/null | grep -q libasan; then
		skip "cores of a sanitizer build say nothing about the release binary"
	fi
}

# dump_kib PID: what a core of PID would hold (readable mappings not excluded
# from dumps), in KiB
dump_kib() {
	python3 - "$1" <<'PY'
import sys
total = size = 0
readable = False
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    head = line.split()
    if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
        lo, hi = (int(x, 16) for x in head[0].split("-"))
        size, readable = (hi - lo) // 1024, head[1].startswith("r")
    elif head[0] == "VmFlags:" and readable and "dd" not in head[1:]:
        total += size
print(total)
PY
}

key_files() {
	head -c 32 /dev/urandom > "$TMP/cck"
	head -c 32 /dev/urandom > "$TMP/hdr"
	head -c 64 /dev/urandom > "$TMP/image"
	MARKER="plaintext-marker-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	printf 'root=/dev/ram0 %s' "$MARKER" > "$TMP/parm"
	printf '%s' "$MARKER" > "$TMP/marker"
	make_kernel "$KERNEL" 4194304
	CREATE=(create -i "$KERNEL" -p "$TMP/parm" -k "$VEC/keys/host1.crt" --no-verify
		-o "$OUT" --cck "$TMP/cck" --hdr-key "$TMP/hdr" --image-key "$TMP/image")
}

@test "a core (gcore) of create mid-write holds no copy of its keys" {
	skip_if_sanitized
	key_files
	LD_PRELOAD="$SHIM" SEGEN_SHIM_STOP_AT_WRITE=1 "$SEGEN" "${CREATE[@]}" 2>/dev/null &
	local pid=$!
	wait_stopped "$pid"
	local kib
	kib=$(dump_kib "$pid")
	echo "a core would hold $kib KiB"
	[ "$kib" -le "$CORE_MAX_KIB" ] || { kill -KILL "$pid"; return 1; }
	# ulimit -f: gdb can never write more than the bound, whatever it finds.
	(ulimit -f "$CORE_MAX_KIB" && gdb -q -batch -p "$pid" -ex "gcore $TMP/create.core") \
		>/dev/null 2>&1 || true
	kill -KILL "$pid"
	wait "$pid" || true
	[ -s "$TMP/create.core" ]
	# The core does hold the process's ordinary memory (the command line)...
	! no_secret_in "$TMP/create.core" "$TMP/marker"
	# ... and none of the keys, which live in dump-excluded memory.
	no_secret_in "$TMP/create.core" "$TMP/cck" "$TMP/hdr" "$TMP/image"
}

@test "the kernel writes no core of create, verify or unpack with keys or plaintext in it" {
	local pattern
	pattern=$(cat /proc/sys/kernel/core_pattern)
	[[ "$pattern" != "|"* && "$pattern" != */* ]] ||
		skip "core_pattern '$pattern' does not write cores into the working directory"
	skip_if_sanitized
	key_files
	mkdir "$TMP/cores"
	cd "$TMP/cores"
	# Cores are written here at all: a process that may dump leaves one.
	bash -c 'ulimit -c "$1"; exec sleep 60' - "$CORE_MAX_KIB" &
	local pid=$!
	sleep 0.2
	kill -SEGV "$pid"
	wait "$pid" || true
	[ -n "$(ls -A)" ]
	rm -f ./*
	"$SEGEN" "${CREATE[@]}" -q 2>/dev/null
	# Mid-encryption (the 3rd write): cipher contexts and the plaintext are live.
	for cmd in "${CREATE[*]} --overwrite" "unpack $OUT --host-key $VEC/keys/host1.pem -o $TMP/mem.elf --overwrite"; do
		# shellcheck disable=SC2086
		LD_PRELOAD="$SHIM" SEGEN_SHIM_STOP_AT_WRITE=3 \
			bash -c 'ulimit -c "$1"; shift; exec "$@"' - "$CORE_MAX_KIB" "$SEGEN" $cmd \
			2>/dev/null &
		pid=$!
		wait_stopped "$pid"
		kill -SEGV "$pid"
		kill -CONT "$pid"
		wait "$pid" || true
		for core in core*; do
			[ -e "$core" ] || continue
			echo "$cmd: $core"
			no_secret_in "$core" "$TMP/cck" "$TMP/hdr" "$TMP/image" "$TMP/marker"
			rm -f "$core"
		done
	done
}
