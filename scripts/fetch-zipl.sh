#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch IBM's boot loader installer for the zipl disk-boot test: Debian's
# s390-tools (s390x), downloaded (never installed) into $CACHE_DIR/zipl and
# unpacked into a sysroot that qemu-s390x-static can run zipl from:
#   $CACHE_DIR/zipl/sysroot/sbin/zipl                  the s390x binary
#   $CACHE_DIR/zipl/sysroot/lib/s390-tools/stage3.bin  zipl's last loader stage
#   $CACHE_DIR/zipl/sysroot/lib/ld64.so.1 ...          the s390x C library
#                                                      (libc6-s390x-cross)
# Idempotent: a second run with the sysroot in place does nothing.
set -euo pipefail

cache=${CACHE_DIR:?CACHE_DIR must be set}/zipl
sysroot=$cache/sysroot
cross_lib=/usr/s390x-linux-gnu/lib
if [ -x "$sysroot/sbin/zipl" ] && [ -s "$sysroot/lib/s390-tools/stage3.bin" ] &&
	[ -e "$sysroot/lib/ld64.so.1" ]; then
	exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx s390x ||
	! apt-cache show s390-tools:s390x >/dev/null 2>&1; then
	echo "fetch-zipl: apt does not know the s390x packages; run 'make deps' first" >&2
	exit 1
fi
if [ ! -e "$cross_lib/ld64.so.1" ]; then
	echo "fetch-zipl: no s390x C library in $cross_lib; run 'make deps' first" \
		"(libc6-s390x-cross)" >&2
	exit 1
fi
mkdir -p "$cache/debs"
if ! ls "$cache"/debs/s390-tools_*_s390x.deb >/dev/null 2>&1; then
	echo "fetch-zipl: downloading s390-tools:s390x into $cache/debs" >&2
	(cd "$cache/debs" && apt-get download -q s390-tools:s390x >/dev/null)
fi

tmp=$(mktemp -d "$cache/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
deb=$(ls "$cache"/debs/s390-tools_*_s390x.deb | sort -V | tail -n 1)
dpkg-deb -x "$deb" "$tmp"
mkdir -p "$tmp/lib"
cp -a "$cross_lib/." "$tmp/lib/"
# Moved into place last, so an interrupted run never leaves half a sysroot.
rm -rf "$sysroot"
mv "$tmp" "$sysroot"
trap - EXIT
echo "fetch-zipl: $(basename "$deb") unpacked into $sysroot" >&2
