#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The independent oracle (se_oracle.py) against images segen builds from the
# real Debian s390x kernel and real ramdisks: components of several pipeline
# chunks (2 MiB), sizes that are not page multiples and one byte past a chunk
# boundary. create and verify share the digest code; the oracle does not.

: "${SEGEN:?run through make test (SEGEN unset)}"
: "${VECTORS_DIR:?run through make test (VECTORS_DIR unset)}"
: "${STUB_REAL_KERNEL:?run through make test (STUB_REAL_KERNEL unset)}"
: "${STUB_REAL_BUSYBOX:?run through make test (STUB_REAL_BUSYBOX unset)}"

ORACLE="$BATS_TEST_DIRNAME/se_oracle.py"
# Debian's interpreter, which has python3-cryptography (make deps).
PYTHON=${ORACLE_PYTHON:-/usr/bin/python3}
VEC="$VECTORS_DIR/genprotimg-2.35"
SEED=5e6e0123456789abcdef
CHUNK=$((2 << 20))

setup_file() {
	local d=$BATS_FILE_TMPDIR
	bash "$BATS_TEST_DIRNAME/../../scripts/make-initrd.sh" "$STUB_REAL_BUSYBOX" "$d/initrd.gz"
	# A real client's command line, with the parmfile's newline.
	printf 'console=ttysclp0 root=/dev/ram0 rd.shell=0 quiet panic=-1 agent.log=debug\n' \
		>"$d/parm"
	# Random data gzipped: a valid ramdisk of more than 5 MiB, not a page multiple.
	head -c $((5 * 1024 * 1024 + 333)) /dev/urandom | gzip -1 >"$d/random.gz"
	# The real kernel with three bytes more, so its last page is partial, and
	# raw data one byte past three chunks (needs --no-component-check).
	{ cat "$STUB_REAL_KERNEL"; printf 'abc'; } >"$d/kernel-odd"
	head -c $((3 * CHUNK + 1)) /dev/urandom >"$d/raw"

	"$SEGEN" create -q -i "$STUB_REAL_KERNEL" -r "$d/initrd.gz" -p "$d/parm" \
		-k "$VEC/keys/host1.crt" -k "$VEC/keys/host2.crt" --no-verify --x-seed "$SEED" \
		-o "$d/real.img" 2>/dev/null
	"$SEGEN" create -q -i "$STUB_REAL_KERNEL" -r "$d/random.gz" -p "$d/parm" \
		-k "$VEC/keys/host1.crt" --no-verify -o "$d/random.img" 2>/dev/null
	"$SEGEN" create -q -i "$d/kernel-odd" -r "$d/raw" -p "$d/parm" --no-component-check \
		-k "$VEC/keys/host1.crt" --no-verify -o "$d/odd.img" 2>/dev/null
	"$SEGEN" create -q -i "$d/kernel-odd" -r "$d/random.gz" -p "$d/parm" \
		--disable-image-encryption -k "$VEC/keys/host1.crt" --no-verify \
		-o "$d/plain.img" 2>/dev/null
}

# oracle IMAGE HOST KERNEL RAMDISK [ARGS...]
oracle() {
	local img=$1 host=$2 kernel=$3 ramdisk=$4
	shift 4
	run "$PYTHON" "$ORACLE" "$BATS_FILE_TMPDIR/$img" --host-key "$VEC/keys/$host.pem" \
		--kernel "$kernel" --ramdisk "$ramdisk" --parmfile "$BATS_FILE_TMPDIR/parm" \
		--stage-b "$STUB_STAGE_B_BIN" "$@"
}

@test "the inputs are what this suite claims" {
	local d=$BATS_FILE_TMPDIR
	[ "$(stat -c %s "$STUB_REAL_KERNEL")" -gt $((2 * CHUNK)) ]
	[ $(($(stat -c %s "$d/random.gz") % 4096)) -ne 0 ]
	[ "$(stat -c %s "$d/random.gz")" -gt $((5 << 20)) ]
	[ $(($(stat -c %s "$d/initrd.gz") % 4096)) -ne 0 ]
	[ $(($(stat -c %s "$d/kernel-odd") % 4096)) -ne 0 ]
	gzip -t "$d/initrd.gz" "$d/random.gz"
	for i in real random odd plain; do [ -s "$d/$i.img" ]; done
}

@test "oracle: real kernel and busybox initrd, host 2 of two, every --x-seed value" {
	oracle real.img host2 "$STUB_REAL_KERNEL" "$BATS_FILE_TMPDIR/initrd.gz" --x-seed "$SEED"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"pages match"* ]]
}

@test "oracle: real kernel and host 1 of the same image" {
	oracle real.img host1 "$STUB_REAL_KERNEL" "$BATS_FILE_TMPDIR/initrd.gz"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "oracle: real kernel and a 5 MiB gzip ramdisk, random keys" {
	oracle random.img host1 "$STUB_REAL_KERNEL" "$BATS_FILE_TMPDIR/random.gz"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "oracle: partial last kernel page, ramdisk one byte past three chunks" {
	oracle odd.img host1 "$BATS_FILE_TMPDIR/kernel-odd" "$BATS_FILE_TMPDIR/raw" --stage-b-flags 1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ramdisk 1537 pages"* ]]
}

@test "oracle: components stored in plaintext (--disable-image-encryption)" {
	oracle plain.img host1 "$BATS_FILE_TMPDIR/kernel-odd" "$BATS_FILE_TMPDIR/random.gz"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "segen verify agrees with the oracle on every image" {
	for i in real random odd plain; do
		run "$SEGEN" verify "$BATS_FILE_TMPDIR/$i.img" --host-key "$VEC/keys/host1.pem"
		echo "$i: $output"
		[ "$status" -eq 0 ]
	done
}

@test "oracle: a changed byte in the ramdisk's last page fails the PLD and the plaintext" {
	local img=$BATS_TEST_TMPDIR/changed.img off
	cp "$BATS_FILE_TMPDIR/random.img" "$img"
	# The ramdisk is the second IPIB component (address at 0x88 + 24 + 8): change
	# its last byte, which is in a partial page beyond the second chunk.
	off=$("$PYTHON" -c '
import struct, sys
img = open(sys.argv[1], "rb").read()
ipib = struct.unpack_from(">Q", img, 0xC014)[0]
_, addr, size = struct.unpack_from(">QQQ", img, ipib + 0x88 + 24)
print(addr + int(sys.argv[2]) - 1)' "$img" "$(stat -c %s "$BATS_FILE_TMPDIR/random.gz")")
	printf '\x5a' | dd of="$img" bs=1 seek="$off" conv=notrunc status=none
	run "$PYTHON" "$ORACLE" "$img" --host-key "$VEC/keys/host1.pem" \
		--kernel "$STUB_REAL_KERNEL" --ramdisk "$BATS_FILE_TMPDIR/random.gz" \
		--parmfile "$BATS_FILE_TMPDIR/parm" --stage-b "$STUB_STAGE_B_BIN"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"oracle: PLD"* ]]
	[[ "$output" == *"ramdisk: plaintext differs from the input"* ]]
	[[ "$output" != *"ALD"* && "$output" != *"TLD"* ]]
	[[ "$output" != *"stage-b"* ]]
	run "$SEGEN" verify "$img" --host-key "$VEC/keys/host1.pem"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rc 0x102 rrc 0x1b"* ]]
}

@test "oracle: the wrong input or host is noticed" {
	oracle random.img host1 "$STUB_REAL_KERNEL" "$BATS_FILE_TMPDIR/initrd.gz"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ramdisk: padded size"* ]]
	oracle real.img host3 "$STUB_REAL_KERNEL" "$BATS_FILE_TMPDIR/initrd.gz"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no key slot for this host"* ]]
	oracle real.img host1 "$STUB_REAL_KERNEL" "$BATS_FILE_TMPDIR/initrd.gz" --x-seed 00
	[ "$status" -eq 1 ]
	[[ "$output" == *"x-seed: header key"* && "$output" == *"x-seed: customer key"* ]]
}
