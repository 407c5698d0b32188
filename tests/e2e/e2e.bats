#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# End to end on a real kernel: segen create -> segen boot-test (the UV's
# unpack, then QEMU TCG) -> stage-b -> Debian's s390x kernel -> our init,
# which prints the command line it got and a marker from the initrd.
# Needs the guest from scripts/fetch-guest.sh ($CACHE_DIR/guest).

setup_file() {
	: "${SEGEN:?}" "${CACHE_DIR:?}"
	export GUEST="$CACHE_DIR/guest"
	[ -s "$GUEST/vmlinuz" ] && [ -s "$GUEST/busybox" ] || {
		echo "no guest in $GUEST: run scripts/fetch-guest.sh (make e2e-prereqs)" >&2
		return 1
	}
	export W="$BATS_FILE_TMPDIR"
	"$BATS_TEST_DIRNAME/../../scripts/make-initrd.sh" "$GUEST/busybox" "$W/initrd.gz" \
		"E2E-MARKER-$$"
	export MARKER="E2E-MARKER-$$"
	for h in 1 2 3; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
			-keyout "$W/host$h.key" -out "$W/host$h.crt" -subj "/CN=e2e test host $h" \
			-days 1 2>/dev/null
	done
	# The kernel's own limit, from its parameter area (Debian: 4096, NUL included).
	MAX=$(od -An -tu8 --endian=big -j $((0x10430)) -N8 "$GUEST/vmlinuz" | tr -d ' ')
	export MAX
}

# cmdline_of_length N FILE: a valid kernel command line of exactly N bytes
cmdline_of_length() {
	local head="console=ttysclp0 quiet panic=-1 segen.pad="
	{
		printf '%s' "$head"
		head -c $(($1 - ${#head})) /dev/zero | tr '\0' 'x'
	} > "$2"
}

boot() { # boot IMAGE KEY...: boot-test, waiting for the marker
	local img=$1 args=()
	shift
	for k in "$@"; do args+=(--host-key "$k"); done
	run "$SEGEN" boot-test "$img" "${args[@]}" --expect "initrd marker $MARKER" --timeout 90
}

@test "the guest gets exactly the parmfile's command line and the initrd" {
	printf 'console=ttysclp0 quiet panic=-1 segen.e2e=cmdline root=/dev/ram0 x=%s' "$$" \
		> "$W/parm"
	run "$SEGEN" create -i "$GUEST/vmlinuz" -r "$W/initrd.gz" -p "$W/parm" \
		-k "$W/host1.crt" --no-verify -o "$W/basic.img"
	[ "$status" -eq 0 ]
	boot "$W/basic.img" "$W/host1.key"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"segen-guest: cmdline=[$(cat "$W/parm")]"* ]]
	[[ "$output" == *"segen-guest: initrd marker $MARKER"* ]]
}

@test "dracut-style initrds (early cpio + gzip or zstd main archive) are checked and boot" {
	mkdir -p "$W/early/kernel/x86/microcode"
	head -c 30000 "$GUEST/vmlinuz" > "$W/early/kernel/x86/microcode/GenuineIntel.bin"
	(cd "$W/early" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$W/early.cpio"
	local early
	early=$(stat -c %s "$W/early.cpio")
	cat "$W/early.cpio" "$W/initrd.gz" > "$W/dracut-gzip"
	{ cat "$W/early.cpio"; gzip -dc "$W/initrd.gz" | zstd -q -19; } > "$W/dracut-zstd"
	for comp in gzip zstd; do
		run "$SEGEN" create -v -i "$GUEST/vmlinuz" -r "$W/dracut-$comp" -k "$W/host1.crt" \
			--no-verify -o "$W/dracut-$comp.img"
		[ "$status" -eq 0 ]
		[[ "$output" == *"ramdisk: cpio at 0 ("*" bytes, checked), $comp at $early ("* ]]
		boot "$W/dracut-$comp.img" "$W/host1.key"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"segen-guest: initrd marker $MARKER"* ]]
	done
}

@test "a command line of exactly the kernel's maximum boots intact" {
	# MAX bytes including the NUL: MAX - 1 characters.
	cmdline_of_length $((MAX - 1)) "$W/maxparm"
	run "$SEGEN" create -i "$GUEST/vmlinuz" -r "$W/initrd.gz" -p "$W/maxparm" \
		-k "$W/host1.crt" --no-verify -o "$W/max.img"
	[ "$status" -eq 0 ]
	boot "$W/max.img" "$W/host1.key"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	local want_md5
	want_md5=$(md5sum < "$W/maxparm" | cut -d' ' -f1)
	[[ "$output" == *"cmdline-bytes=$((MAX - 1)) cmdline-md5=$want_md5"* ]]
}

@test "one byte more than the kernel's maximum is refused at create time" {
	cmdline_of_length "$MAX" "$W/longparm"
	run "$SEGEN" create -i "$GUEST/vmlinuz" -r "$W/initrd.gz" -p "$W/longparm" \
		-k "$W/host1.crt" --no-verify -o "$W/long.img"
	[ "$status" -eq 1 ]
	[[ "$output" == *"command line is $MAX bytes, the kernel accepts at most $((MAX - 1))"* ]]
	[ ! -e "$W/long.img" ]
}

@test "an image for two hosts boots with either key, not with a third" {
	printf 'console=ttysclp0 quiet panic=-1' > "$W/parm2"
	run "$SEGEN" create -i "$GUEST/vmlinuz" -r "$W/initrd.gz" -p "$W/parm2" \
		-k "$W/host1.crt" -k "$W/host2.crt" --no-verify -o "$W/two.img"
	[ "$status" -eq 0 ]
	boot "$W/two.img" "$W/host2.key"
	[ "$status" -eq 0 ]
	[[ "$output" == *"initrd marker $MARKER"* ]]
	boot "$W/two.img" "$W/host1.key"
	[ "$status" -eq 0 ]
	boot "$W/two.img" "$W/host3.key"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rc 0x108 rrc 0x5: no key slot for this host"* ]]
}

@test "boot-test reports a guest that never shows the text, and cleans up" {
	printf 'console=ttysclp0 quiet panic=-1' > "$W/parm3"
	run "$SEGEN" create -i "$GUEST/vmlinuz" -r "$W/initrd.gz" -p "$W/parm3" \
		-k "$W/host1.crt" --no-verify -o "$W/t.img"
	[ "$status" -eq 0 ]
	# Other boot-tests may run on this machine: look only at what ours made.
	# The unpacked guest goes below TMPDIR; QEMU's socket directory is in /tmp.
	local tmp="$W/boot-tmp" before d
	mkdir -p "$tmp"
	before=$(ls -d /tmp/segen-qemu.* 2>/dev/null || true)
	# The guest powers off after its marker: a shutdown before the text.
	TMPDIR="$tmp" run "$SEGEN" boot-test "$W/t.img" --host-key "$W/host1.key" \
		--expect "never printed" --timeout 60
	[ "$status" -eq 1 ]
	[[ "$output" == *"the guest shut down before 'never printed' appeared"* ]]
	[[ "$output" == *"last "*" console line(s):"* ]]
	# A timeout: the guest is still booting after 1 s.
	TMPDIR="$tmp" run bash -c 'echo $$ > "$1/boot-test.pid"; exec "$2" boot-test "$1/t.img" \
		--host-key "$1/host1.key" --timeout 1' - "$W" "$SEGEN"
	[ "$status" -eq 1 ]
	[[ "$output" == *"did not appear within 1 s"* ]]
	[ -z "$(ls -A "$tmp")" ]
	! pgrep -f "qemu-system-s390x -name segen-boot-test-$(cat "$W/boot-test.pid") " >/dev/null
	# A new socket directory left behind would belong to no running QEMU.
	for d in $(ls -d /tmp/segen-qemu.* 2>/dev/null || true); do
		grep -qxF "$d" <<< "$before" && continue
		[ ! -e "$d" ] || pgrep -f "$d" >/dev/null || [ ! -e "$d" ]
	done
}

@test "a kernel panic in the guest is reported with its console" {
	printf 'console=ttysclp0 panic=0 rdinit=/does-not-exist' > "$W/parm4"
	run "$SEGEN" create -i "$GUEST/vmlinuz" -p "$W/parm4" -k "$W/host1.crt" --no-verify \
		-o "$W/panic.img"
	[ "$status" -eq 0 ]
	run "$SEGEN" boot-test "$W/panic.img" --host-key "$W/host1.key" --timeout 60
	[ "$status" -eq 1 ]
	[[ "$output" == *"the guest kernel panicked"* ]]
	[[ "$output" == *"Kernel panic"* ]]
}
