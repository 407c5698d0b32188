#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# boot-test --pv-sim without a patched QEMU: the option rules and what QEMU
# is asked for (tests/pv-sim boots for real).

load helpers

setup() {
	common_setup
	make_kernel "$TMP/kernel"
	make_hkd "$TMP" host
	"$SEGEN" create -q -i "$TMP/kernel" -k "$TMP/host.crt" --no-verify -o "$TMP/g.img" 2>/dev/null
	# A "QEMU" that says which -machine and -kernel it got, then fails.
	cat >"$TMP/fake-qemu" <<'FAKE'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in
	-machine) machine=$2 ;;
	-kernel) bytes=$(wc -c <"$2") md5=$(md5sum <"$2" | cut -d' ' -f1) ;;
	esac
	shift
done
echo "machine=$machine kernel=$bytes:$md5" >&2
exit 3
FAKE
	chmod +x "$TMP/fake-qemu"
}

@test "--pv-sim takes exactly one --host-key" {
	make_hkd "$TMP" second
	run "$SEGEN" boot-test "$TMP/g.img" --pv-sim --host-key "$TMP/host.key" \
		--host-key "$TMP/second.key"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--pv-sim takes exactly one --host-key"* ]]
}

@test "--pv-sim asks QEMU for pv-sim with the key's absolute path and gives it the image itself" {
	mkdir "$TMP/a,b"
	cp "$TMP/host.key" "$TMP/a,b/k,ey.pem"
	cd "$TMP"
	run "$SEGEN" boot-test g.img --pv-sim --host-key "a,b/k,ey.pem" --qemu "$TMP/fake-qemu"
	echo "$output"
	[ "$status" -eq 1 ]
	# QEMU's option syntax doubles a comma inside a value.
	[[ "$output" == *"machine=s390-ccw-virtio,pv-sim=on,pv-sim-key=$TMP/a,,b/k,,ey.pem "* ]]
	# No ELF: the file as it is, byte for byte.
	[[ "$output" == *"QEMU exited with status 3: "*" kernel=$(stat -c %s g.img):$(md5sum <g.img | cut -d' ' -f1)"* ]]
}

@test "--pv-sim with a key that does not exist fails before QEMU starts" {
	run "$SEGEN" boot-test "$TMP/g.img" --pv-sim --host-key "$TMP/none.key" \
		--qemu "$TMP/fake-qemu"
	[ "$status" -eq 1 ]
	[[ "$output" == *"none.key: No such file or directory"* ]]
	[[ "$output" != *"machine="* ]]
}

@test "--pv-sim with Debian's QEMU: its refusal of the machine option is shown" {
	run "$SEGEN" boot-test "$TMP/g.img" --pv-sim --host-key "$TMP/host.key" --timeout 30
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"QEMU exited with status 1"*"pv-sim"* ]]
}
