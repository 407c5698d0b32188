#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A gzip initramfs for the enforcement tests: a static s390x busybox, INIT as
# /init, and the given kernel modules (plain .ko files) in /lib/pvenf/.
#   make-initrd.sh BUSYBOX INIT OUTPUT [MODULE.ko...]
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: make-initrd.sh BUSYBOX INIT OUTPUT [MODULE.ko...]" >&2; exit 2; }
busybox=$1 init=$2 out=$3
shift 3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/pvenf}
cp "$busybox" "$root/bin/busybox"
install -m 0755 "$init" "$root/init"
for m in "$@"; do
	cp "$m" "$root/lib/pvenf/"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
