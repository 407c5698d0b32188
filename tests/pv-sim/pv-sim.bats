#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# segen boot-test --pv-sim: images boot through stage-a's real DIAGNOSE 308
# path under the QEMU of qemu-patches/ (make qemu), which plays the Ultravisor
# with a test host key (docs/pv-sim.md). Needs PV_SIM_QEMU (that binary),
# PV_KERNEL (tests/pv-sim/build-pv-kernel.sh) and the guest of
# scripts/fetch-guest.sh; tests/pv-sim/run-pv-sim-tests provides them.

setup_file() {
	: "${SEGEN:?}" "${CACHE_DIR:?}" "${PV_SIM_QEMU:?}" "${PV_KERNEL:?}" "${BUILD_DIR:?}"
	export GUEST="$CACHE_DIR/guest"
	[ -s "$GUEST/vmlinuz" ] && [ -s "$GUEST/busybox" ] || {
		echo "no guest in $GUEST: run scripts/fetch-guest.sh (make e2e-prereqs)" >&2
		return 1
	}
	export W="$BATS_FILE_TMPDIR"
	"$BATS_TEST_DIRNAME/make-pv-initrd.sh" "$GUEST/busybox" "$W/initrd.gz"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
		-keyout "$W/host.key" -out "$W/host.crt" -subj "/CN=pv-sim test host" -days 1 \
		2>/dev/null
	openssl ecparam -name secp521r1 -genkey -noout -out "$W/other.key" 2>/dev/null
	printf 'console=ttysclp0 panic=-1' >"$W/parm"
	for k in debian pv; do
		local kernel=$GUEST/vmlinuz
		[ "$k" = pv ] && kernel=$PV_KERNEL
		"$SEGEN" create -q -i "$kernel" -r "$W/initrd.gz" -p "$W/parm" -k "$W/host.crt" \
			--no-verify -o "$W/$k.img" 2>/dev/null
	done
}

pv_boot() { # pv_boot IMAGE KEY [ARG...]: boot-test --pv-sim until the init is done
	local img=$1 key=$2
	shift 2
	run "$SEGEN" boot-test "$img" --pv-sim --host-key "$key" --qemu "$PV_SIM_QEMU" \
		--expect "pv-sim-guest: done" --timeout 240 "$@"
}

@test "Debian's unmodified kernel boots through stage-a, subcode 10 and stage-b to init" {
	pv_boot "$W/debian.img" "$W/host.key"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Linux version 6.1."* ]]
	# Facility 158 and UVC Query: the kernel lists the three installed calls.
	[[ "$output" == *"pv-sim-guest: uv-calls=80c0000000000000"* ]]
	# Debian 12 builds it without CONFIG_PROTECTED_VIRTUALIZATION_GUEST
	# (docs/pv-sim.md): it never considers itself protected.
	[[ "$output" == *"pv-sim-guest: prot_virt_guest=0"* ]]
}

@test "a kernel with protected-guest support sees itself protected: prot_virt_guest 1, SWIOTLB forced" {
	pv_boot "$W/pv.img" "$W/host.key"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"pv-sim-guest: prot_virt_guest=1"* ]]
	[[ "$output" == *"pv-sim-guest: dmesg: software IO TLB: mapped"* ]]
	[[ "$output" =~ pv-sim-guest:\ swiotlb-nslabs=[1-9][0-9]* ]]
	# Every Set Shared Access for the bounce buffers succeeded (Linux's share()
	# prints "UVC failed" otherwise).
	[[ "$output" != *"UVC failed"* ]]
}

@test "plain boot-test still unpacks itself: the same image without --pv-sim" {
	run "$SEGEN" boot-test "$W/pv.img" --host-key "$W/host.key" --qemu "$PV_SIM_QEMU" \
		--expect "pv-sim-guest: done" --timeout 240
	echo "$output"
	[ "$status" -eq 0 ]
	# No secure reboot, no facility 158: the kernel is an ordinary guest and
	# has no /sys/firmware/uv at all.
	[[ "$output" == *"pv-sim-guest: prot_virt_guest=missing"* ]]
	[[ "$output" == *"pv-sim-guest: uv-calls=missing"* ]]
	[[ "$output" != *"software IO TLB"* ]]
}

@test "a wrong test key: stage-a prints rc 0x108 rrc 0x5 and stops with 0xa090" {
	pv_boot "$W/debian.img" "$W/other.key"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"stage-a: error: the secure reboot failed (DIAGNOSE 308 subcode 10): rc 0x0a02"* ]]
	[[ "$output" == *"stage-a: Ultravisor set secure configuration parameters returned rc 0x108 rrc 0x5"* ]]
	[[ "$output" == *"disabled wait, PSW 0002000180000000 a090"* ]]
	[[ "$output" != *"Linux version"* ]]
}

# rc_of VERIFY_OUTPUT: "rc 0x102 rrc 0x1b" from segen verify's refusal, or "rc 0x0 rrc 0x0"
rc_of() {
	if [[ "$1" =~ rc\ (0x[0-9a-f]+)\ rrc\ (0x[0-9a-f]+) ]]; then
		echo "rc ${BASH_REMATCH[1]} rrc ${BASH_REMATCH[2]}"
	else
		echo "rc 0x0 rrc 0x0"
	fi
}

@test "tampered images: stage-a prints the refusal segen verify gives, and stops with 0xa090" {
	cp "$W/debian.img" "$W/flip.img"
	# One byte of the kernel component: only the page list digest can see it.
	printf '\x5a' | dd of="$W/flip.img" bs=1 seek=$((0x20000)) conv=notrunc 2>/dev/null
	cases=(flip ald tld pld nr-pages pcf scf psw version)
	for c in "${cases[@]}"; do
		[ "$c" = flip ] || "$BUILD_DIR/tests/pv-sim-reseal" "$W/debian.img" "$W/host.key" "$c" \
			"$W/$c.img"
		run "$SEGEN" verify "$W/$c.img" --host-key "$W/host.key"
		echo "$c: verify: $output"
		[ "$status" -eq 1 ]
		expected=$(rc_of "$output")
		pv_boot "$W/$c.img" "$W/host.key"
		echo "$c: boot: $output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"stage-a: error: the secure reboot failed (DIAGNOSE 308 subcode 10): rc 0x0a02"* ]]
		[[ "$output" == *"returned $expected"* ]]
		[[ "$output" == *"disabled wait, PSW 0002000180000000 a090"* ]]
	done
}
