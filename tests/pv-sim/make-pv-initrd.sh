#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A gzip initramfs around a static s390x busybox whose /init reports what a
# protected guest sees of itself, then powers off:
#   pv-sim-guest: prot_virt_guest=<0|1|missing>   /sys/firmware/uv/prot_virt_guest
#   pv-sim-guest: uv-calls=<first word of /sys/firmware/uv/query/facilities>
#   pv-sim-guest: swiotlb-nslabs=<N|missing>     debugfs swiotlb/io_tlb_nslabs
#   pv-sim-guest: dmesg: <every kernel line about the IO TLB, UV calls or protection>
#   pv-sim-guest: done
#   make-pv-initrd.sh BUSYBOX OUTPUT
set -euo pipefail
busybox=$1 out=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$busybox" "$root/bin/busybox"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
b=/bin/busybox
$b mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
$b mount -t proc proc /proc
$b mount -t sysfs sys /sys
$b mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
value() { [ -r "$1" ] && $b head -n1 "$1" || echo missing; }
echo "pv-sim-guest: prot_virt_guest=$(value /sys/firmware/uv/prot_virt_guest)"
echo "pv-sim-guest: uv-calls=$(value /sys/firmware/uv/query/facilities)"
echo "pv-sim-guest: swiotlb-nslabs=$(value /sys/kernel/debug/swiotlb/io_tlb_nslabs)"
$b dmesg | $b grep -i -E 'IO TLB|UVC|protected|prot_virt' | while read -r l; do
	echo "pv-sim-guest: dmesg: $l"
done
echo "pv-sim-guest: done"
$b poweroff -f
INIT
chmod 0755 "$root/init" "$root/bin/busybox"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9n) >"$out.tmp"
mv "$out.tmp" "$out"
