#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# segen launch-config: the QEMU command line is parsed by the real
# qemu-system-s390x up to its refusal without KVM, and built device by device
# under TCG; the libvirt domain validates against libvirt's own schema.
# The image is Debian's s390x kernel with a busybox initramfs.

load helpers

setup_file() {
	: "${CACHE_DIR:?}"
	local guest="$CACHE_DIR/guest"
	export W="$BATS_FILE_TMPDIR"
	# A directory whose name needs quoting in a shell and escaping for QEMU and XML.
	export D="$W/it's a dir, & <more>"
	mkdir -p "$D"
	"$BATS_TEST_DIRNAME/../../scripts/make-initrd.sh" "$guest/busybox" "$W/initrd.gz"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
		-keyout "$W/host.key" -out "$W/host.crt" -subj "/CN=launch test host" -days 1 \
		2>/dev/null
	printf 'console=ttysclp0 quiet' > "$W/parm"
	"$SEGEN" create -q -i "$guest/vmlinuz" -r "$W/initrd.gz" -p "$W/parm" -k "$W/host.crt" \
		--no-verify -o "$D/guest,1.img" 2>/dev/null
	export IMG="$D/guest,1.img"
	truncate -s 64M "$D/disk, \"one\".raw"
	export DISK="$D/disk, \"one\".raw"
	MIN=$("$SEGEN" info "$IMG" --format json | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["segen"]["guest_memory"]["minimum_mib"])')
	DEF=$("$SEGEN" info "$IMG" --format json | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["segen"]["guest_memory"]["default_mib"])')
	export MIN DEF
}

# tcg_variant: the printed command made runnable here: TCG instead of KVM, no
# protected-virtualization object (this QEMU has none), the monitor on stdin.
tcg_variant() {
	sed -e 's/accel=kvm,confidential-guest-support=pv0/accel=tcg/' \
		-e '/-object s390-pv-guest,id=pv0/d' -e 's/-cpu host/-cpu max/' \
		-e 's/-serial mon:stdio/-serial none -monitor stdio/' -e '$ s/$/ -S/' <<< "$1"
}

@test "qemu form: QEMU parses it through to its refusal without KVM" {
	run "$SEGEN" launch-config "$IMG" --disk "$DISK" --network user
	[ "$status" -eq 0 ]
	local cmd=$output
	run timeout 120 bash -c "$cmd" < /dev/null
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "qemu-system-s390x: invalid object type: s390-pv-guest" ]
}

@test "qemu form: a misspelled option or object is refused differently" {
	run "$SEGEN" launch-config "$IMG" --disk "$DISK" --network user
	[ "$status" -eq 0 ]
	local cmd=$output
	run timeout 120 bash -c "${cmd/-nodefaults/-nodefault}" < /dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"-nodefault: invalid option"* ]]
	run timeout 120 bash -c "${cmd/s390-pv-guest,id/s390-pv-gust,id}" < /dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not accept value 's390-pv-gust'"* ]]
}

@test "qemu form: under TCG every device of the command is built, odd paths intact" {
	for boot in kernel disk; do
		run "$SEGEN" launch-config "$IMG" --boot "$boot" --disk "$DISK" --network user
		[ "$status" -eq 0 ]
		local cmd
		cmd=$(tcg_variant "$output")
		echo "$cmd"
		run timeout 120 bash -c "$cmd" <<< "quit"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" != *"qemu-system-s390x:"* ]]
	done
	# The same check catches a wrong device property and a path QEMU cannot open.
	run timeout 120 bash -c "${cmd/iommu_platform=on/iommu_platfrm=on}" <<< "quit"
	[ "$status" -eq 1 ]
	[[ "$output" == *"'virtio-blk-ccw.iommu_platfrm' not found"* ]]
	run "$SEGEN" launch-config "$IMG" --disk "$D/no such disk"
	cmd=$(tcg_variant "$output")
	run timeout 120 bash -c "$cmd" <<< "quit"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such disk"* ]]
}

@test "qemu form: protected virtualization, IOMMU on every virtio device, memory, console" {
	run "$SEGEN" launch-config "$IMG" --boot disk --disk "$DISK" --network bridge:br0 \
		--name web-1 --cpus 4
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == "qemu-system-s390x \\"* ]]
	[[ "$output" == *"-machine s390-ccw-virtio,accel=kvm,confidential-guest-support=pv0 \\"* ]]
	[[ "$output" == *"-object s390-pv-guest,id=pv0 \\"* ]]
	[[ "$output" == *"-name guest=web-1 \\"* ]]
	[[ "$output" == *"-smp 4 \\"* ]]
	[[ "$output" == *"-m $DEF \\"* ]]
	[[ "$output" == *"-serial mon:stdio"* ]]
	[[ "$output" == *"-netdev bridge,id=net0,br=br0"* ]]
	[[ "$output" == *"bootindex=1"* ]]
	[[ "$output" != *"-kernel"* ]]
	local devices
	devices=$(grep -c -- '-device virtio-' <<< "$output")
	[ "$devices" -eq 2 ]
	[ "$(grep -- '-device virtio-' <<< "$output" | grep -c 'iommu_platform=on')" -eq 2 ]
	run "$SEGEN" launch-config "$IMG" --memory "$MIN"
	[ "$status" -eq 0 ]
	[[ "$output" == *"-m $MIN \\"* ]]
	[[ "$output" == *"-kernel "* ]]
}

@test "libvirt form: validates against libvirt's domain schema" {
	for args in "" "--boot disk --disk DISK --network user" "--disk DISK --network bridge:br0" \
		"--disk DISK --disk-format qcow2 --network network:default --cpus 8"; do
		local a=(${args/DISK/__DISK__})
		a=("${a[@]/__DISK__/$DISK}")
		"$SEGEN" launch-config "$IMG" --format libvirt "${a[@]}" > "$W/domain.xml"
		run virt-xml-validate "$W/domain.xml" domain
		echo "$args: $output"
		[ "$status" -eq 0 ]
	done
	# The validator does refuse what libvirt would.
	sed 's/<vcpu>/<vcpus>/; s/<\/vcpu>/<\/vcpus>/' "$W/domain.xml" > "$W/bad.xml"
	run virt-xml-validate "$W/bad.xml" domain
	[ "$status" -ne 0 ]
	sed "s/type='s390-pv'/type='s390-pvx'/" "$W/domain.xml" > "$W/bad.xml"
	run virt-xml-validate "$W/bad.xml" domain
	[ "$status" -ne 0 ]
}

@test "libvirt form: launchSecurity, IOMMU on every virtio device, memory, paths escaped" {
	run "$SEGEN" launch-config "$IMG" --format libvirt --disk "$DISK" --network bridge:br0 \
		--name db.2
	[ "$status" -eq 0 ]
	echo "$output"
	IMG="$IMG" DISK="$DISK" DEF="$DEF" python3 -c '
import os, sys, xml.etree.ElementTree as ET
d = ET.fromstring(sys.stdin.read())
assert d.get("type") == "kvm"
assert d.find("name").text == "db.2"
assert d.find("launchSecurity").get("type") == "s390-pv"
assert d.find("memory").get("unit") == "MiB" and d.find("memory").text == os.environ["DEF"]
assert d.find("os/type").get("arch") == "s390x"
assert d.find("os/kernel").text == os.environ["IMG"], d.find("os/kernel").text
assert d.find("devices/disk/source").get("file") == os.environ["DISK"]
assert d.find("devices/console/target").get("type") == "sclp"
virtio = d.findall("devices/disk") + d.findall("devices/interface")
assert len(virtio) == 2
for dev in virtio:
    assert dev.find("driver").get("iommu") == "on", ET.tostring(dev)
assert d.find("devices/memballoon").get("model") == "none"
' <<< "$output"
}

@test "launch-config: memory below the image's minimum is refused, usage errors exit 2" {
	run "$SEGEN" launch-config "$IMG" --memory $((MIN - 1))
	[ "$status" -eq 1 ]
	assert_one_error_line "needs at least $MIN MiB of guest memory, --memory $((MIN - 1)) is too small"
	run "$SEGEN" launch-config "$IMG" --memory 12x
	[ "$status" -eq 2 ]
	run "$SEGEN" launch-config "$IMG" --boot disk
	[ "$status" -eq 2 ]
	[[ "$output" == *"--boot disk needs --disk PATH"* ]]
	run "$SEGEN" launch-config "$IMG" --network network:default
	[ "$status" -eq 2 ]
	run "$SEGEN" launch-config "$IMG" --name "a b"
	[ "$status" -eq 2 ]
	run "$SEGEN" launch-config "$IMG" --format xml
	[ "$status" -eq 2 ]
	run "$SEGEN" launch-config "$IMG" --cpus 0
	[ "$status" -eq 2 ]
	run "$SEGEN" launch-config "$W/missing.img"
	[ "$status" -eq 1 ]
	run "$SEGEN" launch-config --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--network SPEC"* ]]
}

@test "every option of launch-config --help and boot-test's --memory are in the man pages" {
	local man="$BATS_TEST_DIRNAME/../../genimage/man" opt
	run "$SEGEN" launch-config --help
	[ "$status" -eq 0 ]
	local opts
	opts=$(grep -oE -- '--[a-z][a-z-]+' <<< "$output" | sort -u)
	[ -n "$opts" ]
	for opt in $opts; do
		grep -qF -- "${opt//-/\\-}" "$man/segen-launch-config.1" ||
			{ echo "not in the man page: $opt"; return 1; }
	done
	grep -qF -- '\-\-memory' "$man/segen-boot-test.1"
	grep -qF 'launch\-config' "$man/segen.1"
}
