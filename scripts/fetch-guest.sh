#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch the s390x guest used by the demo and the end-to-end tests: Debian's
# s390x kernel and busybox-static, downloaded (never installed) into
# $CACHE_DIR/guest and unpacked there:
#   $CACHE_DIR/guest/vmlinuz   raw s390x kernel image (S390EP at 0x10008)
#   $CACHE_DIR/guest/busybox   static s390x busybox
# Idempotent: a second run with both files present does nothing.
set -euo pipefail

cache=${CACHE_DIR:?CACHE_DIR must be set}/guest
mkdir -p "$cache/debs"
if [ -s "$cache/vmlinuz" ] && [ -s "$cache/busybox" ]; then
	exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx s390x ||
	! apt-cache show busybox-static:s390x >/dev/null 2>&1; then
	echo "fetch-guest: apt does not know the s390x packages; run 'make deps' first" >&2
	exit 1
fi
# The kernel's ABI number moves with Debian point releases: ask the metapackage.
kpkg=$(apt-cache depends linux-image-s390x:s390x | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$kpkg" ]; then
	echo "fetch-guest: cannot resolve linux-image-s390x:s390x" >&2
	exit 1
fi
echo "fetch-guest: downloading $kpkg and busybox-static:s390x into $cache/debs" >&2
(cd "$cache/debs" && apt-get download -q "$kpkg" busybox-static:s390x >/dev/null)

tmp=$(mktemp -d "$cache/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for deb in "$cache"/debs/linux-image-*_s390x.deb; do
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
done
for deb in "$cache"/debs/busybox-static_*_s390x.deb; do
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./bin/busybox
done
vmlinuz=$(ls "$tmp"/boot/vmlinuz-* | sort -V | tail -n 1)
# Moved into place last, so an interrupted run never leaves half a guest.
cp "$tmp/bin/busybox" "$cache/busybox.tmp" && mv "$cache/busybox.tmp" "$cache/busybox"
cp "$vmlinuz" "$cache/vmlinuz.tmp" && mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
basename "$vmlinuz" > "$cache/kernel-version"
echo "fetch-guest: $(cat "$cache/kernel-version"), busybox ready in $cache" >&2
