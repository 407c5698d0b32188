#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# No key in a core (issue 12): real cores of segen, taken while keys are live,
# searched for the key bytes. Its own suite, kept out of the sanitizer run
# (make check-userspace): an ASan build turns core dumps off, handles SIGSEGV
# itself and maps terabytes of shadow, so its cores say nothing about the
# release binary.

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
	key_files
	LD_PRELOAD="$SHIM" SEGEN_SHIM_STOP_AT_WRITE=1 "$SEGEN" "${CREATE[@]}" 2>/dev/null &
	local pid=$!
	wait_stopped "$pid"
	gdb -q -batch -p "$pid" -ex "gcore $TMP/create.core" >/dev/null 2>&1 || true
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
	key_files
	mkdir "$TMP/cores"
	cd "$TMP/cores"
	# Cores are written here at all: a process that may dump leaves one.
	bash -c 'ulimit -c unlimited; exec sleep 60' &
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
			bash -c 'ulimit -c unlimited; exec "$@"' - "$SEGEN" $cmd 2>/dev/null &
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
