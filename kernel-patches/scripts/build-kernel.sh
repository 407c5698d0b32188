#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the test kernel of one series (KERNEL_SERIES, default 6.1, a folder
# of kernel-patches/ holding `series` and its patches): unpack Debian's
# linux-source-<series> (6.1: the installed package; 6.12: Debian 13's,
# fetched into the cache by fetch-linux-source.sh when missing), apply the
# series, configure tinyconfig + config/guest.config + config/guest-<series>.config
# (when present: what only that kernel needs), build with at most two jobs.
# Everything lives under $CACHE_DIR/kernel/<series>/<key>, where the key is a
# hash of the series, the patches, the config fragments and the source
# tarball, so a rerun with nothing changed does no work and a change starts
# from a fresh tree. Prints the build directory (holding vmlinux and
# arch/s390/boot/bzImage) on stdout; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
version=${KERNEL_SERIES:-6.1}
patches=$here/$version
[ -f "$patches/series" ] || { echo "build-kernel: no series $patches/series" >&2; exit 1; }
cache=${CACHE_DIR:?CACHE_DIR must be set}/kernel/$version
tarball=${LINUX_SOURCE_TARBALL:-}
if [ -z "$tarball" ]; then
	case "$version" in
	6.12) tarball=$("$here/scripts/fetch-linux-source.sh") ;;
	*) tarball=/usr/src/linux-source-$version.tar.xz ;;
	esac
fi
configs=("$here/config/guest.config")
[ ! -f "$here/config/guest-$version.config" ] || configs+=("$here/config/guest-$version.config")
cross=${CROSS_COMPILE:-s390x-linux-gnu-}
jobs=${KERNEL_JOBS:-2}
[ "$jobs" -le 2 ] || jobs=2

[ -r "$tarball" ] || { echo "build-kernel: $tarball missing (install linux-source-$version)" >&2; exit 1; }

key=$({
	cat "$patches/series"
	while read -r p; do
		[ -n "$p" ] && cat "$patches/$p"
	done <"$patches/series"
	cat "${configs[@]}"
	stat -c '%s %Y' "$tarball"
	echo "$cross"
} | sha256sum | cut -c1-16)
work=$cache/$key
src=$work/src
out=$work/out

if [ -f "$work/built" ] && [ -f "$out/vmlinux" ] && [ -f "$out/arch/s390/boot/bzImage" ]; then
	echo "build-kernel: cached build $key" >&2
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
# Keep only the build for the current key; a kernel tree is large.
for old in "$cache"/*; do
	[ -d "$old" ] && [ "$old" != "$work" ] && rm -rf "$old"
done

if [ ! -f "$work/patched" ]; then
	rm -rf "$work"
	mkdir -p "$src"
	echo "build-kernel: unpacking $tarball" >&2
	tar -xJf "$tarball" -C "$src" --strip-components=1
	while read -r p; do
		[ -n "$p" ] || continue
		echo "build-kernel: applying $p" >&2
		patch -d "$src" -p1 --batch --forward --quiet <"$patches/$p"
	done <"$patches/series"
	touch "$work/patched"
fi

# The kernel is a separate build, not part of ours: started from a recursive
# make (make check), it would inherit our MAKEFLAGS, i.e. our command-line
# variables (CC=, BUILD=, ...) and -w, whose "Entering directory" lines would
# land in the path this script prints on stdout.
unset MAKEFLAGS MFLAGS MAKELEVEL
mk=(make -s --no-print-directory -C "$src" O="$out" ARCH=s390 CROSS_COMPILE="$cross")
mkdir -p "$out"
"${mk[@]}" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${configs[@]}" >/dev/null
"${mk[@]}" olddefconfig >&2
# A later fragment may set a symbol again; its value is the one to check.
declare -A wanted=()
while IFS= read -r opt; do
	case "$opt" in CONFIG_*=*) wanted[${opt%%=*}]=$opt ;; esac
done < <(cat "${configs[@]}")
for opt in "${wanted[@]}"; do
	case "$opt" in
	CONFIG_*=n) grep -qx "# ${opt%=n} is not set" "$out/.config" ;;
	*) grep -qx "$opt" "$out/.config" ;;
	esac || { echo "build-kernel: $opt did not survive olddefconfig" >&2; exit 1; }
done

echo "build-kernel: building with $jobs jobs" >&2
"${mk[@]}" -j"$jobs" >"$work/build.log" 2>&1 || {
	tail -30 "$work/build.log" >&2
	exit 1
}
touch "$work/built"
echo "$out"
