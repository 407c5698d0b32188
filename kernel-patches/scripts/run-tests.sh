#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The issue-5 test flow, as TAP on stdout: build the patched kernel of one
# series (KERNEL_SERIES=6.1 or 6.12, default 6.1; cached), build the test
# initramfs, boot the scenarios under qemu-system-s390x, run the keyless lint.
# Every series runs the same scenarios.
#
#   (a) io        prot_virt_sim=1, iommu_platform=on: 32 MiB O_DIRECT pattern
#   (b) refused   prot_virt_sim=1, iommu_platform=off: the device is refused
#   (c) selftest  prot_virt_sim=1: the validator's test trigger, case by case
#   (d) lint      keyless lint on vmlinux, and on copies with planted
#                 storage-key instructions
#   (e) control   no prot_virt_sim: an ordinary guest, nothing forced
#   (f) exhaust   prot_virt_sim=1 swiotlb=128 and 64 KiB requests: SWIOTLB
#                 runs out, the pattern still arrives intact
#   (g) smp       prot_virt_sim=1, -smp 2, virtio-blk with num-queues=2
#   (h) checkpatch every patch of the series, no Signed-off-by
#   (i) distro    config/distro.config merged onto Debian's s390x config
# scripts/run-kunit.sh runs the KUnit tests (a suite of its own).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
export CACHE_DIR=${CACHE_DIR:-$here/../.cache}
export KERNEL_SERIES=${KERNEL_SERIES:-6.1}
qemu=${QEMU:-qemu-system-s390x}
objdump=${OBJDUMP:-s390x-linux-gnu-objdump}
boot_timeout=${BOOT_TIMEOUT:-180}
io_bytes=$((32 << 20))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# From here on a failed check must print "not ok", not end the script.
set +e

series_patches=$(grep -c . "$here/${KERNEL_SERIES:-6.1}/series")
planned=$((61 + series_patches))
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
	ok 1 "series $KERNEL_SERIES applies to linux-source-$KERNEL_SERIES and the guest kernel builds" \
		"$(tail -5 "$tmp/build.err" | tr '\n' ' ')"
	bail_rest "not run: kernel build failed"
fi
ok 0 "series $KERNEL_SERIES applies to linux-source-$KERNEL_SERIES and the guest kernel builds ($(($(date +%s) - start)) s)"
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

# boot NAME APPEND QEMU-DEVICE-ARGS...: console log in $tmp/NAME.log;
# BOOT_MEM (MiB, default 512) and BOOT_SMP (default 1) size the guest.
boot() {
	local name=$1 append=$2 rc=0
	shift 2
	timeout "$boot_timeout" "$qemu" -machine s390-ccw-virtio -m "${BOOT_MEM:-512}" \
		-smp "${BOOT_SMP:-1}" -nodefaults \
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
# section NAME LABEL: what pv-selfcheck printed in its run LABEL
section() {
	sed -n "/^PVTEST selfcheck_begin=$2\r\?\$/,/^PVTEST selfcheck_end=$2\r\?\$/p" "$tmp/$1.log" | tr -d '\r'
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
[ "$(num io hiwater_reset_rc)" -eq 0 ] && [ "$(num io hiwater_before_reset)" -gt 0 ] &&
	[ "$(num io hiwater_after_reset)" -eq "$(num io used_after_reset)" ]
ok $? "(a) writing 0 to io_tlb_used_hiwater restarts it at the slots in use" \
	"rc=$(val io hiwater_reset_rc) before=$(val io hiwater_before_reset) after=$(val io hiwater_after_reset) used=$(val io used_after_reset)"
[ "$(num io hiwater_write7_rc)" -eq -22 ]
ok $? "(a) io_tlb_used_hiwater refuses any value but 0 (EINVAL)" "rc=$(val io hiwater_write7_rc)"
[ "$(num io hiwater_after_reread)" -gt "$(num io hiwater_after_reset)" ]
ok $? "(a) after the reset the next read raises the high-water mark again" \
	"after reset $(val io hiwater_after_reset), after 1 MiB read $(val io hiwater_after_reread)"
section io unmounted >"$tmp/sc-unmounted"
[ "$(num io debugfs_umount)" -eq 0 ] && [ "$(num io selfcheck_unmounted_exit)" -eq 0 ] &&
	grep -q "^debugfs: was not mounted, mounted it at /sys/kernel/debug" "$tmp/sc-unmounted" &&
	grep -q "^swiotlb: size" "$tmp/sc-unmounted" && ! grep -q "SWIOTLB is not set up" "$tmp/sc-unmounted"
ok $? "(a) with debugfs unmounted pv-selfcheck mounts it and reports SWIOTLB as usual" \
	"umount=$(val io debugfs_umount) exit=$(val io selfcheck_unmounted_exit): $(tr '\n' '|' <"$tmp/sc-unmounted")"
section io empty >"$tmp/sc-empty"
[ "$(num io selfcheck_empty_exit)" -eq 1 ] &&
	grep -q "^FINDING: debugfs not mounted at /nodebugfs" "$tmp/sc-empty" &&
	grep -q "^swiotlb: unknown, debugfs not mounted" "$tmp/sc-empty" &&
	! grep -q "SWIOTLB is not set up" "$tmp/sc-empty"
ok $? "(a) pv-selfcheck --debugfs on an empty directory says \"debugfs not mounted\", not a missing SWIOTLB" \
	"exit=$(val io selfcheck_empty_exit): $(tr '\n' '|' <"$tmp/sc-empty")"

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
# 3 GiB, so that the trigger finds memory above 2 GiB for data-high and idaw-high.
BOOT_MEM=3072 boot selftest "prot_virt_sim=1 pvtest=selftest" \
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
# The 2 GiB rule in a 3 GiB guest, and the addresses inside virtio-ccw payloads.
for spec in "data_high:data area:not below 2 GiB" "vq_private:virtqueue device area:not in shared memory" \
	"ind_private:queue indicators:not in shared memory" \
	"adapter_private:summary indicator:not in shared memory"; do
	IFS=: read -r c what rule <<<"$spec"
	planted=$(val selftest "st_${c}_result" | sed -n 's/.* planted=\(0x[0-9a-f]*\).*/\1/p')
	last=$(val selftest "st_${c}_last_warning")
	[ "$(num selftest "st_${c}_rc")" -eq 0 ] && [ "$(num selftest "st_${c}_violations")" -eq 1 ] &&
		[ "$(num selftest "st_${c}_warnings")" -eq 1 ] && [ -n "$planted" ] &&
		[[ "$last" == *"device 0.0.0002: $what at $planted "*"is $rule"* ]]
	ok $? "(c) ${c//_/-}: one warning, \"$what at $planted ... is $rule\"" \
		"rc=$(val selftest "st_${c}_rc") violations=$(val selftest "st_${c}_violations") warnings=$(val selftest "st_${c}_warnings") last: $last"
done
[ "$(num selftest st_idaw_high_rc)" -eq 0 ] && [ "$(num selftest st_idaw_high_violations)" -eq 0 ] &&
	[ "$(num selftest st_idaw_high_warnings)" -eq 0 ]
ok $? "(c) idaw-high: a format-2 IDAW to shared memory above 2 GiB is legal, no warning" \
	"$(val selftest st_idaw_high_result) violations=$(val selftest st_idaw_high_violations)"
[ "$(num selftest st_dma_ops_iova_rc)" -eq 0 ] &&
	[[ "$(val selftest st_dma_ops_iova_result)" == *"planted=0x10000000000 "* ]] &&
	[ "$(num selftest st_dma_ops_iova_dma_violations)" -eq 0 ] &&
	[ "$(num selftest st_dma_ops_iova_warnings)" -eq 0 ]
ok $? "(c) dma-ops-iova: an I/O virtual address from a device's own DMA ops is not checked as physical" \
	"$(val selftest st_dma_ops_iova_result) dma violations=$(val selftest st_dma_ops_iova_dma_violations)"
[ "$(num selftest st_dma_noncontig_rc)" -eq 0 ] && [ "$(num selftest st_dma_noncontig_dma_checked)" -eq 1 ] &&
	[ "$(num selftest st_dma_noncontig_dma_violations)" -eq 0 ]
ok $? "(c) dma-noncontig: dma_alloc_noncontiguous() is checked, and is in shared memory" \
	"$(val selftest st_dma_noncontig_result) checked=$(val selftest st_dma_noncontig_dma_checked) violations=$(val selftest st_dma_noncontig_dma_violations)"
planted=$(val selftest st_dma_pool_unshared_result | sed -n 's/.* planted=\(0x[0-9a-f]*\).*/\1/p')
last=$(val selftest st_dma_pool_unshared_last_warning)
[ "$(num selftest st_dma_pool_unshared_rc)" -eq 0 ] &&
	[ "$(num selftest st_dma_pool_unshared_dma_violations)" -eq 1 ] &&
	[ "$(num selftest st_dma_pool_unshared_warnings)" -eq 1 ] && [ -n "$planted" ] &&
	[[ "$last" == *"pv-io: DMA address $planted "*"is not in shared memory"* ]]
ok $? "(c) dma-pool-unshared: a bounce buffer outside shared memory is one DMA violation, naming $planted" \
	"rc=$(val selftest st_dma_pool_unshared_rc) violations=$(val selftest st_dma_pool_unshared_dma_violations) last: $last"
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

# --- (f) SWIOTLB exhaustion -------------------------------------------------
# 128 slots (256 KiB) and requests of at most 64 KiB: several requests in
# flight need more than the pool, one always fits, so the I/O gets through.
truncate -s 64M "$tmp/disk-f.img"
boot exhaust "prot_virt_sim=1 pvtest=io swiotlb=128 pvtest_maxkb=64" \
	-drive if=none,id=d0,file="$tmp/disk-f.img",format=raw,cache=unsafe \
	-device virtio-blk-ccw,drive=d0,devno=fe.0.0001,iommu_platform=on
booted exhaust "(f) guest with swiotlb=128 and 64 KiB requests boots and runs the I/O test"
[ "$(num exhaust maxkb_rc)" -eq 0 ] && [ "$(num exhaust swiotlb_nslabs)" -eq 128 ] &&
	[ "$(num exhaust io_bytes)" -ge "$io_bytes" ] && [ "$(num exhaust io_bad_chunks)" -eq 0 ] &&
	"$here/scripts/check-pattern.py" "$tmp/disk-f.img" "$io_bytes" >/dev/null 2>&1
ok $? "(f) the 32 MiB pattern still arrives intact, in the guest and on the disk image" \
	"maxkb=$(val exhaust maxkb_rc) nslabs=$(val exhaust swiotlb_nslabs) bad=$(val exhaust io_bad_chunks) $(val exhaust io_error)"
failed=$(($(num exhaust swiotlb_alloc_failed) - $(num exhaust swiotlb_failed_before)))
[ "$failed" -gt 0 ]
ok $? "(f) SWIOTLB ran out: io_tlb_alloc_failed counted $failed failures"
last=$(val exhaust swiotlb_full_last)
[ "$(num exhaust swiotlb_full_messages)" -ge 1 ] &&
	[[ "$last" == *"swiotlb buffer is full"*"pool 256 KiB (128 slots)"*"; try swiotlb=256"* ]]
ok $? "(f) the kernel says so with the pool size and the swiotlb= to try" \
	"messages=$(val exhaust swiotlb_full_messages) last: $last"
section exhaust final >"$tmp/sc-exhaust"
[ "$(num exhaust selfcheck_exit)" -eq 1 ] &&
	grep -q "^FINDING: SWIOTLB allocations failed [0-9]* times, try swiotlb=256" "$tmp/sc-exhaust"
ok $? "(f) pv-selfcheck exits 1 reporting the failures and swiotlb=256" "$(tr '\n' '|' <"$tmp/sc-exhaust")"
[ "$(num exhaust pv_io_warnings)" -eq 0 ] && [ "$(num exhaust after_violations_ccw)" -eq 0 ] &&
	[ "$(num exhaust after_violations_dma)" -eq 0 ]
ok $? "(f) zero validator warnings and violations while the pool runs out"

# --- (g) two CPUs, two virtqueues ------------------------------------------
truncate -s 64M "$tmp/disk-g.img"
BOOT_SMP=2 boot smp "prot_virt_sim=1 pvtest=io" \
	-drive if=none,id=d0,file="$tmp/disk-g.img",format=raw,cache=unsafe \
	-device virtio-blk-ccw,drive=d0,devno=fe.0.0001,iommu_platform=on,num-queues=2
booted smp "(g) guest with -smp 2 and a virtio-blk of 2 queues boots and runs the I/O test"
[ "$(num smp cpus)" -eq 2 ] && [ "$(num smp vda_queues)" -eq 2 ]
ok $? "(g) the guest has 2 CPUs online and /dev/vda 2 hardware queues" \
	"cpus=$(val smp cpus) queues=$(val smp vda_queues)"
[ "$(num smp io_bytes)" -ge "$io_bytes" ] && [ "$(num smp io_bad_chunks)" -eq 0 ] &&
	"$here/scripts/check-pattern.py" "$tmp/disk-g.img" "$io_bytes" >/dev/null 2>&1
ok $? "(g) the 32 MiB pattern arrives intact, in the guest and on the disk image" \
	"bad=$(val smp io_bad_chunks) $(val smp io_error)"
[ "$(num smp pv_io_warnings)" -eq 0 ] && [ "$(num smp after_violations_ccw)" -eq 0 ] &&
	[ "$(num smp after_violations_dma)" -eq 0 ] && [ "$(num smp swiotlb_alloc_failed)" -eq 0 ] &&
	[ "$(num smp selfcheck_exit)" -eq 0 ]
ok $? "(g) zero validator violations, no SWIOTLB failure, pv-selfcheck has no finding" \
	"warnings=$(val smp pv_io_warnings) ccw=$(val smp after_violations_ccw) dma=$(val smp after_violations_dma) failed=$(val smp swiotlb_alloc_failed)"

# --- (h) checkpatch ----------------------------------------------------------
# Patches carry no Signed-off-by: whoever submits the series adds theirs
# (README), so checkpatch's MISSING_SIGN_OFF is the one report ignored.
series_dir=$here/${KERNEL_SERIES:-6.1}
checkpatch=$out/../src/scripts/checkpatch.pl
while read -r p; do
	[ -n "$p" ] || continue
	perl "$checkpatch" --no-tree --ignore MISSING_SIGN_OFF "$series_dir/$p" \
		>"$tmp/checkpatch.out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "^total: 0 errors, 0 warnings," "$tmp/checkpatch.out"
	ok $? "(h) checkpatch --no-tree: 0 errors, 0 warnings in $p" \
		"exit $rc: $(grep -E '^(ERROR|WARNING|total)' "$tmp/checkpatch.out" | head -3 | tr '\n' '|')"
done <"$series_dir/series"
! grep -l "^Signed-off-by:" "$series_dir"/*.patch >"$tmp/sob" 2>/dev/null
ok $? "(h) no patch carries a Signed-off-by" "$(tr '\n' ' ' <"$tmp/sob")"

# --- (i) the distribution config fragment -----------------------------------
# Merged onto Debian's own s390x kernel config (the real one, from the guest
# package), every option of config/distro.config must survive olddefconfig.
# A series with a fragment of its own (config/distro-<series>.config) uses it.
distro=$here/config/distro-$KERNEL_SERIES.config
[ -f "$distro" ] || distro=$here/config/distro.config
if CACHE_DIR=$CACHE_DIR "$here/../scripts/fetch-guest.sh" >/dev/null 2>"$tmp/fetch.err"; then
	deb=$(ls "$CACHE_DIR"/guest/debs/linux-image-*_s390x.deb 2>/dev/null | sort -V | tail -1)
else
	deb=""
fi
mkdir -p "$tmp/distro/out"
if [ -n "$deb" ] && dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/distro" --wildcards './boot/config-*'; then
	cp "$(ls "$tmp"/distro/boot/config-* | head -1)" "$tmp/distro/out/.config"
	(
		unset MAKEFLAGS MFLAGS MAKELEVEL
		"$out/../src/scripts/kconfig/merge_config.sh" -m -O "$tmp/distro/out" \
			"$tmp/distro/out/.config" "$distro" &&
			make -s -C "$out/../src" O="$tmp/distro/out" ARCH=s390 \
				CROSS_COMPILE="${CROSS_COMPILE:-s390x-linux-gnu-}" olddefconfig
	) >"$tmp/distro.log" 2>&1
	rc=$? missing=""
	while IFS= read -r opt; do
		case "$opt" in
		# off is also an option that is not there at all
		CONFIG_*=n) ! grep -q "^${opt%=n}=" "$tmp/distro/out/.config" ;;
		CONFIG_*) grep -qx "$opt" "$tmp/distro/out/.config" ;;
		*) continue ;;
		esac || missing="$missing $opt"
	done <"$distro"
	[ "$rc" -eq 0 ] && [ -z "$missing" ]
	ok $? "(i) $(basename "$distro") on Debian's $(basename "$deb" | cut -d_ -f1) config: every option survives olddefconfig" \
		"rc=$rc missing:$missing $(tail -2 "$tmp/distro.log" | tr '\n' ' ')"
else
	ok 1 "(i) $(basename "$distro") on Debian's s390x kernel config" \
		"no Debian s390x kernel package: $(tail -1 "$tmp/fetch.err")"
fi
