#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Close the loop between a real guest and swiotlb-replay, as TAP:
#  1. boot the project's guest kernel (SWIOTLB forced by the PV simulation)
#     under a disk workload, recording the kprobe trace of docs/swiotlb.md;
#  2. replay it and take the recommended swiotlb= and the one step smaller;
#  3. boot again with the recommendation: no allocation failure;
#  4. boot with one step smaller: the guest fails too, as the replay said.
#
#   run-loop.sh   (SWIOTLB_REPLAY, CACHE_DIR from make; QEMU, BOOT_TIMEOUT)
set -uo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
replay=${SWIOTLB_REPLAY:?run through make test}
export CACHE_DIR=${CACHE_DIR:?run through make test}
qemu=${QEMU:-qemu-system-s390x}
cross=${CROSS_COMPILE:-s390x-linux-gnu-}
boot_timeout=${BOOT_TIMEOUT:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

planned=8
echo "1..$planned"
n=0
ok() { # ok STATUS DESCRIPTION [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '#   %s\n' "$3"
	fi
}
bail_rest() {
	while [ "$n" -lt "$planned" ]; do ok 1 "$1"; done
	exit 1
}
val() { # val LOG KEY
	sed -n "s/^SWTEST $2=//p" "$tmp/$1.log" | tail -1 | tr -d '\r'
}

# The loop runs on the 6.1 series: its unmap kprobe is on
# swiotlb_tbl_unmap_single(), which 6.12 has only as an inline wrapper of
# __swiotlb_tbl_unmap_single(). The counters it reads have the same names on
# 6.12 (upstream io_tlb_nslabs and io_tlb_used_hiwater, the series'
# io_tlb_alloc_failed).
if ! kernel=$(KERNEL_SERIES=6.1 "$here/kernel-patches/scripts/build-kernel.sh" 2>"$tmp/build.err"); then
	ok 1 "the guest kernel builds" "$(tail -3 "$tmp/build.err" | tr '\n' ' ')"
	bail_rest "not run: no kernel"
fi
grep -qx CONFIG_KPROBE_EVENTS=y "$kernel/.config"
ok $? "the guest kernel has kprobe events"

mkdir -p "$tmp/root"
if ! "${cross}gcc" -std=gnu11 -O2 -Wall -Wextra -Werror -static -o "$tmp/root/init" \
	"$here/swiotlb/guest/swiotlb-workload.c" 2>"$tmp/cc.err"; then
	ok 1 "the workload builds" "$(head -3 "$tmp/cc.err" | tr '\n' ' ')"
	bail_rest "not run: no workload"
fi
(cd "$tmp/root" && echo init | cpio -o -H newc --quiet) | gzip -1 >"$tmp/initramfs.gz"

# boot NAME APPEND: console in $tmp/NAME.log; disks $tmp/NAME.vda, $tmp/NAME.vdb
boot() {
	truncate -s 160M "$tmp/$1.vda"
	truncate -s 64M "$tmp/$1.vdb"
	timeout "$boot_timeout" "$qemu" -machine s390-ccw-virtio -m 512 -smp 1 -nodefaults \
		-display none -serial stdio -no-reboot -action panic=exit-failure \
		-kernel "$kernel/arch/s390/boot/bzImage" -initrd "$tmp/initramfs.gz" \
		-append "console=ttysclp0 prot_virt_sim=1 $2" \
		-drive if=none,id=d0,file="$tmp/$1.vda",format=raw,cache=unsafe \
		-device virtio-blk-ccw,drive=d0,devno=fe.0.0001,iommu_platform=on \
		-drive if=none,id=d1,file="$tmp/$1.vdb",format=raw,cache=unsafe \
		-device virtio-blk-ccw,drive=d1,devno=fe.0.0002,iommu_platform=on \
		</dev/null >"$tmp/$1.log" 2>&1
	[ "$(val "$1" done)" = 1 ] && [ "$(val "$1" workers_failed)" = 0 ]
}

boot record "swtrace=1 swiotlb=32768,1"
ok $? "the guest runs the workload with the trace on (64 MiB pool)" \
	"$(tail -3 "$tmp/record.log" | tr '\n' '|')"
read -r magic len < <(head -c 64 "$tmp/record.vdb" | tr -d '\0')
if [ "${magic:-}" != SWTRACE ] || [ "${len:-0}" -le 0 ]; then
	ok 1 "the trace comes back from the guest" "$(val record trace_error)"
	bail_rest "not run: no trace"
fi
tail -c +65 "$tmp/record.vdb" | head -c "$len" >"$tmp/guest.trace"
# Kept for make bench, which replays its sizes.
mkdir -p "$CACHE_DIR/swiotlb" && cp "$tmp/guest.trace" "$CACHE_DIR/swiotlb/virtio-blk-qd8.trace"
maps=$(grep -c ': swiotlb_map: ' "$tmp/guest.trace")
[ "$maps" -gt 100 ] && [ "$(val record trace_overrun)" = 0 ] &&
	[ "$(val record alloc_failed)" = 0 ]
ok $? "the trace holds $maps maps, no events lost, no failure with 64 MiB" \
	"overrun=$(val record trace_overrun) failed=$(val record alloc_failed)"

# The workload's concurrency differs from boot to boot under emulation (how
# many of the eight processes have a request in flight at once); the margin
# must cover that, so the loop asks for 100% rather than the default 25%.
if ! "$replay" --format json --areas 1 --margin 100 "$tmp/guest.trace" >"$tmp/replay.json" \
	2>"$tmp/replay.err"; then
	ok 1 "swiotlb-replay reads the guest's trace" "$(cat "$tmp/replay.err")"
	bail_rest "not run: replay failed"
fi
read -r failures peak rec smaller smaller_failures < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["recommendation"]
print(d["failures"], d["peak_slots"], r["slabs"], r["one_step_smaller"], r["one_step_smaller_failures"])
' "$tmp/replay.json")
guest_hw=$(val record hiwater)
[ "$failures" -eq 0 ] && [ "$peak" -eq "$guest_hw" ]
ok $? "the replay of the 64 MiB pool peaks where the guest did ($peak of $guest_hw slots)"
[ "$rec" -gt 0 ] && [ "$smaller" -gt 0 ] && [ "$smaller_failures" -gt 0 ]
ok $? "recommendation swiotlb=$rec,1; one step smaller ($smaller) fails $smaller_failures times in the replay"

# How many requests are in flight at once still varies from boot to boot when
# the host is busy (other suites run beside this one), more than the margin
# covers at times. So each verdict gets up to three boots, and every boot's
# figure is printed: a recommendation that is really too small (or a smaller
# pool that really suffices) fails all three.
attempts() { # attempts NAME PARAM CHECK: boot up to three times until CHECK holds
	local i
	for i in 1 2 3; do
		boot "$1" "$2"
		echo "# $1 boot $i: nslabs=$(val "$1" nslabs) failures=$(val "$1" alloc_failed)"
		"$3" && return 0
	done
	return 1
}
fits_ok() { [ "$(val fits nslabs)" = "$rec" ] && [ "$(val fits alloc_failed)" = 0 ]; }
tight_ok() {
	[ "$(val tight nslabs)" = "$smaller" ] && [ "$(val tight alloc_failed)" -gt 0 ] &&
		grep -q "swiotlb buffer is full" "$tmp/tight.log"
}

attempts fits "swiotlb=$rec,1" fits_ok
fits_rc=$?
[ "$(val fits done)" = 1 ] && [ "$(val fits workers_failed)" = 0 ]
ok $? "the guest runs the same workload with swiotlb=$rec,1" \
	"$(tail -3 "$tmp/fits.log" | tr '\n' '|')"
ok $fits_rc "with swiotlb=$rec,1 the guest's pool never ran full (failures $(val fits alloc_failed))"

attempts tight "swiotlb=$smaller,1" tight_ok
ok $? "with swiotlb=$smaller,1 the guest fails as the replay said ($(val tight alloc_failed) failures)" \
	"nslabs=$(val tight nslabs) failed=$(val tight alloc_failed)"
