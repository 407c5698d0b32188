#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The issue-5 test flow, as TAP on stdout: build the patched kernel (cached),
# build the test initramfs, boot the scenarios under qemu-system-s390x, run
# the keyless lint.
#
#   (a) io        prot_virt_sim=1, iommu_platform=on: 32 MiB O_DIRECT pattern
#   (b) refused   prot_virt_sim=1, iommu_platform=off: the device is refused
#   (c) selftest  prot_virt_sim=1: the validator's test trigger, case by case
#   (d) lint      keyless lint on vmlinux, and on copies with planted
#                 storage-key instructions
#   (e) control   no prot_virt_sim: an ordinary guest, nothing forced
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
export CACHE_DIR=${CACHE_DIR:-$here/../.cache}
qemu=${QEMU:-qemu-system-s390x}
objdump=${OBJDUMP:-s390x-linux-gnu-objdump}
boot_timeout=${BOOT_TIMEOUT:-180}
io_bytes=$((32 << 20))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# From here on a failed check must print "not ok", not end the script.
set +e

planned=36
echo "1..$planned"
n=0
ok() { # ok CONDITION-RESULT DESCRIPTION [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '#   %s\n' "$3"
	fi
}
check() { # check DESCRIPTION COMMAND...
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok 0 "$desc"; else ok 1 "$desc"; fi
}
bail_rest() {
	while [ "$n" -lt "$planned" ]; do
		ok 1 "$1"
	done
	exit 1
}

# --- build ---------------------------------------------------------------
start=$(date +%s)
if ! out=$("$here/scripts/build-kernel.sh" 2>"$tmp/build.err"); then
	ok 1 "series applies to linux-source-6.1 and the guest kernel builds" \
		"$(tail -5 "$tmp/build.err" | tr '\n' ' ')"
	bail_rest "not run: kernel build failed"
fi
ok 0 "series applies to linux-source-6.1 and the guest kernel builds ($(($(date +%s) - start)) s)"
missing=""
for opt in PROTECTED_VIRTUALIZATION_SIM PROTECTED_VIRTUALIZATION_IO_VALIDATE \
	PROTECTED_VIRTUALIZATION_IO_SELFTEST DEBUG_FS VIRTIO_BLK; do
	grep -qx "CONFIG_$opt=y" "$out/.config" || missing="$missing $opt"
done
[ -z "$missing" ]
ok $? "config has the PV simulation, validator, test trigger, debugfs and virtio-blk" \
	"missing:$missing"
if ! "$here/scripts/build-initramfs.sh" "$tmp/initramfs.gz" 2>"$tmp/initramfs.err"; then
	ok 1 "test initramfs builds" "$(head -5 "$tmp/initramfs.err" | tr '\n' ' ')"
	bail_rest "not run: initramfs build failed"
fi
ok 0 "test initramfs (static /init and pv-selfcheck) builds"

# boot NAME APPEND QEMU-DEVICE-ARGS...: console log in $tmp/NAME.log
boot() {
	local name=$1 append=$2 rc=0
	shift 2
	timeout "$boot_timeout" "$qemu" -machine s390-ccw-virtio -m 512 -smp 1 -nodefaults \
		-display none -serial stdio -no-reboot -action panic=exit-failure \
		-kernel "$out/arch/s390/boot/bzImage" -initrd "$tmp/initramfs.gz" \
		-append "console=ttysclp0 $append" "$@" </dev/null >"$tmp/$name.log" 2>&1 || rc=$?
	echo "$rc" >"$tmp/$name.rc"
}
# val NAME KEY: the value the guest reported as "PVTEST KEY=value"
val() {
	sed -n "s/^PVTEST $2=//p" "$tmp/$1.log" | tail -1 | tr -d '\r'
}
num() { # num NAME KEY: the value as a number, -1 if missing
	local v
	v=$(val "$1" "$2")
	[[ "$v" =~ ^-?[0-9]+$ ]] && echo "$v" || echo -1
}
booted() { # booted NAME DESCRIPTION
	local rc
	rc=$(cat "$tmp/$1.rc")
	if [ "$rc" -eq 0 ] && [ "$(val "$1" done)" = 1 ]; then
		ok 0 "$2"
	else
		ok 1 "$2" "qemu exit $rc; last console lines: $(tail -3 "$tmp/$1.log" | tr '\n' '|')"
	fi
}

# --- (a) simulation on, iommu_platform=on -----------------------------------
truncate -s 64M "$tmp/disk-a.img"
boot io "prot_virt_sim=1 pvtest=io" \
	-drive if=none,id=d0,file="$tmp/disk-a.img",format=raw,cache=unsafe \
	-device virtio-blk-ccw,drive=d0,devno=fe.0.0001,iommu_platform=on
booted io "(a) guest with prot_virt_sim=1 and iommu_platform=on boots and runs the I/O test"
check "(a) kernel announces the simulation" grep -q "Simulating a protected guest" "$tmp/io.log"
[ "$(num io io_bytes)" -ge "$io_bytes" ] && [ "$(num io io_bad_chunks)" -eq 0 ]
ok $? "(a) 32 MiB pattern written and read back with O_DIRECT intact" \
	"io_bytes=$(val io io_bytes) io_bad_chunks=$(val io io_bad_chunks) $(val io io_error)"
check "(a) the disk image holds the pattern the guest wrote" \
	"$here/scripts/check-pattern.py" "$tmp/disk-a.img" "$io_bytes"
maps=$(($(num io after_mappings) - $(num io before_mappings)))
bytes=$(($(num io after_mapped_bytes) - $(num io before_mapped_bytes)))
[ "$maps" -ge $((2 * io_bytes / (256 << 10))) ] && [ "$bytes" -ge $((2 * io_bytes)) ]
ok $? "(a) every byte bounced through SWIOTLB ($maps mappings, $bytes bytes)"
hw=$(num io swiotlb_hiwater)
[ "$hw" -gt 0 ] && [ "$hw" -le "$(num io swiotlb_nslabs)" ]
ok $? "(a) SWIOTLB high-water mark reported ($hw of $(val io swiotlb_nslabs) slots)"
[ "$(num io swiotlb_alloc_failed)" -eq 0 ]
ok $? "(a) no SWIOTLB allocation failures"
dmas=$(($(num io after_dma_checked) - $(num io before_dma_checked)))
[ "$(num io after_ccw_checked)" -gt 0 ] && [ "$dmas" -ge "$maps" ]
ok $? "(a) validator checked channel programs ($(val io after_ccw_checked)) and every DMA address ($dmas)"
[ "$(num io pv_io_warnings)" -eq 0 ] && [ "$(num io after_violations_ccw)" -eq 0 ] &&
	[ "$(num io after_violations_dma)" -eq 0 ]
ok $? "(a) zero validator warnings and violations" \
	"warnings=$(val io pv_io_warnings) ccw=$(val io after_violations_ccw) dma=$(val io after_violations_dma)"
[ "$(num io selfcheck_exit)" -eq 0 ] && grep -q "ACCESS_PLATFORM yes" "$tmp/io.log" &&
	grep -q "^simulation: on" "$tmp/io.log"
ok $? "(a) pv-selfcheck in the guest: simulation on, ACCESS_PLATFORM negotiated, no finding"

# --- (b) simulation on, iommu_platform=off ----------------------------------
truncate -s 64M "$tmp/disk-b.img"
boot refused "prot_virt_sim=1 pvtest=refused" \
	-drive if=none,id=d0,file="$tmp/disk-b.img",format=raw \
	-device virtio-blk-ccw,drive=d0,devno=fe.0.0001,iommu_platform=off
booted refused "(b) guest with prot_virt_sim=1 and iommu_platform=off boots"
[ "$(num refused vda_present)" -eq 0 ]
ok $? "(b) the virtio-blk device is refused: no /dev/vda"
[ "$(grep -c 'virtio0: device must provide VIRTIO_F_ACCESS_PLATFORM' "$tmp/refused.log")" -eq 1 ]
ok $? "(b) the kernel names the device and the missing VIRTIO_F_ACCESS_PLATFORM once"
[ "$(num refused selfcheck_exit)" -eq 1 ] &&
	grep -q "^FINDING: virtio virtio0 lacks ACCESS_PLATFORM" "$tmp/refused.log"
ok $? "(b) pv-selfcheck exits 1 naming the device without ACCESS_PLATFORM"

# --- (c) validator test trigger -------------------------------------------
boot selftest "prot_virt_sim=1 pvtest=selftest" \
	-device virtio-rng-ccw,devno=fe.0.0002,iommu_platform=on
booted selftest "(c) guest with the validator's test trigger boots and runs every case"
[ "$(num selftest st_clean_rc)" -eq 0 ] && [ "$(num selftest st_clean_violations)" -eq 0 ] &&
	[ "$(num selftest st_clean_warnings)" -eq 0 ]
ok $? "(c) clean channel program on 0.0.0002: runs, no violation, no warning" \
	"$(val selftest st_clean_result)"
for c in ccw_private key data_private dc_private idaw_private tic_private; do
	planted=$(val selftest "st_${c}_result" | sed -n 's/.* planted=\(0x[0-9a-f]*\).*/\1/p')
	last=$(val selftest "st_${c}_last_warning")
	if [ "$c" = key ]; then what="ORB storage key 6"; else what="at $planted "; fi
	[ "$(num selftest "st_${c}_rc")" -eq 0 ] && [ "$(num selftest "st_${c}_violations")" -eq 1 ] &&
		[ "$(num selftest "st_${c}_warnings")" -eq 1 ] &&
		[[ "$last" == *"device 0.0.0002"* ]] && [[ "$last" == *"$what"* ]]
	ok $? "(c) ${c//_/-}: exactly one validator warning, naming device 0.0.0002 and ${what% }" \
		"violations=$(val selftest "st_${c}_violations") warnings=$(val selftest "st_${c}_warnings") last: $last"
done
[ "$(num selftest st_burst_violations)" -eq "$(num selftest burst_runs)" ] &&
	[ "$(num selftest st_burst_warnings)" -ge 1 ] && [ "$(num selftest st_burst_warnings)" -le 10 ]
ok $? "(c) $(val selftest burst_runs) violations in a burst: all counted, warnings rate limited" \
	"violations=$(val selftest st_burst_violations) warnings=$(val selftest st_burst_warnings)"
[ "$(num selftest selfcheck_exit)" -eq 1 ] &&
	grep -q "^FINDING: I/O validator found" "$tmp/selftest.log"
ok $? "(c) pv-selfcheck exits 1 reporting the validator's violations"

# --- (d) keyless lint ------------------------------------------------------
lint=$here/tools/keyless-lint
"$lint" "$out/vmlinux" >"$tmp/lint.out" 2>&1
ok $? "(d) keyless lint passes on the built vmlinux" "$(head -3 "$tmp/lint.out" | tr '\n' '|')"
"$lint" --allow /dev/null "$out/vmlinux" >"$tmp/lint-noallow.out" 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^set_guest_storage_key+" "$tmp/lint-noallow.out"
ok $? "(d) without the host-only list it reports the KVM storage-key helpers"

# plant HEXBYTES: copy vmlinux with the first 4-byte instruction of
# start_kernel replaced; prints the copy's path.
plant() {
	local hex=$1 copy=$tmp/vmlinux-$1 line addr vma off
	cp "$out/vmlinux" "$copy"
	line=$("$objdump" -d -w --disassemble=start_kernel "$out/vmlinux" |
		awk -F'\t' '/^ *[0-9a-f]+:\t/ { b = $2; gsub(/ +$/, "", b); if (length(b) == 11) { print $1; exit } }')
	addr=$((16#$(echo "$line" | tr -d ' :')))
	read -r vma off < <("$objdump" -h "$out/vmlinux" | awk '$2 == ".text" { print $4, $6 }')
	printf '%b' "$(echo "$hex" | sed 's/../\\x&/g')" |
		dd of="$copy" bs=1 seek=$((addr - 16#$vma + 16#$off)) conv=notrunc status=none
	echo "$copy"
}
for bad in "b2290012 ISKE" "b22b0012 SSKE" "b9ae0012 RRBM" "b20a0060 SPKA"; do
	set -- $bad
	copy=$(plant "$1")
	"$lint" "$copy" >"$tmp/lint-$1.out" 2>&1 && rc=0 || rc=$?
	[ "$rc" -eq 1 ] && grep -q "^start_kernel+0x[0-9a-f]* [0-9a-f]*: $2" "$tmp/lint-$1.out"
	ok $? "(d) keyless lint fails on a planted $2 and names start_kernel" \
		"exit $rc: $(head -2 "$tmp/lint-$1.out" | tr '\n' '|')"
	rm -f "$copy"
done
copy=$(plant b20a0000)
"$lint" "$copy" >"$tmp/lint-spka0.out" 2>&1
ok $? "(d) a planted SPKA with key 0 is accepted"
rm -f "$copy"

# --- (e) control: no simulation -------------------------------------------
truncate -s 64M "$tmp/disk-e.img"
boot control "pvtest=refused" \
	-drive if=none,id=d0,file="$tmp/disk-e.img",format=raw \
	-device virtio-blk-ccw,drive=d0,devno=fe.0.0001,iommu_platform=off
booted control "(e) the same kernel without prot_virt_sim boots"
[ "$(num control vda_present)" -eq 1 ] && grep -q "^swiotlb: not set up" "$tmp/control.log" &&
	grep -q "^simulation: off" "$tmp/control.log" && [ "$(num control selfcheck_exit)" -eq 0 ]
ok $? "(e) without it: device accepted, SWIOTLB not set up, pv-selfcheck has no finding"
