#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build a small gzip initramfs around a static s390x busybox whose /init reports
# what the guest received, then powers the guest off:
#   segen-guest: cmdline=[<the exact /proc/cmdline>]
#   segen-guest: cmdline-bytes=<N> cmdline-md5=<md5 of /proc/cmdline without its newline>
#   segen-guest: initrd marker <MARKER>
#   make-initrd.sh BUSYBOX OUTPUT [MARKER]
# With --tree, OUTPUT is a new directory that gets the tree instead (for
# segen create --ramdisk-dir):
#   make-initrd.sh --tree BUSYBOX DIR [MARKER]
set -euo pipefail

tree_only=
if [ "${1:-}" = --tree ]; then
	tree_only=1
	shift
fi
busybox=$1 out=$2 marker=${3:-SEGEN-GUEST-OK}
if [ -n "$tree_only" ]; then
	mkdir "$out"
	root=$out
else
	root=$(mktemp -d)
	trap 'rm -rf "$root"' EXIT
fi
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$busybox" "$root/bin/busybox"
cat > "$root/init" <<INIT
#!/bin/busybox sh
# devtmpfs gives /dev/console even though the archive has no device nodes.
/bin/busybox mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox mount -t proc proc /proc
cmdline=\$(/bin/busybox cat /proc/cmdline)
echo "segen-guest: cmdline=[\$cmdline]"
echo "segen-guest: cmdline-bytes=\$(printf '%s' "\$cmdline" | /bin/busybox wc -c) cmdline-md5=\$(printf '%s' "\$cmdline" | /bin/busybox md5sum | /bin/busybox cut -d' ' -f1)"
echo "segen-guest: initrd marker $marker"
/bin/busybox poweroff -f
INIT
chmod 0755 "$root/init" "$root/bin/busybox"
[ -z "$tree_only" ] || exit 0
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9n) > "$out.tmp"
mv "$out.tmp" "$out"
