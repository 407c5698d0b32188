#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build Debian's linux-source-6.1 without any patch, tinyconfig +
# tests/pv-sim/pv-guest.config (a protected guest), with at most two jobs,
# into $PV_KERNEL_CACHE/<key> (key: the fragment, the tarball, the cross
# compiler). Cached; prints the path of arch/s390/boot/bzImage on stdout,
# progress on stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/pv-guest.config
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cross=${CROSS_COMPILE:-s390x-linux-gnu-}
[ -r "$tarball" ] || { echo "build-pv-kernel: $tarball missing (install linux-source-6.1)" >&2; exit 1; }

# Comments do not change the kernel, nor its key.
key=$({
	grep -v '^#' "$fragment"
	stat -c '%s %Y' "$tarball"
	echo "$cross"
} | sha256sum | cut -c1-16)
work=${PV_KERNEL_CACHE:?PV_KERNEL_CACHE must be set}/$key
image=$work/out/arch/s390/boot/bzImage
if [ -f "$work/built" ] && [ -f "$image" ]; then
	echo "$image"
	exit 0
fi
rm -rf "$work"
mkdir -p "$work/src" "$work/out"
echo "build-pv-kernel: unpacking $tarball" >&2
tar -xJf "$tarball" -C "$work/src" --strip-components=1
unset MAKEFLAGS MFLAGS MAKELEVEL
mk=(nice make -s --no-print-directory -C "$work/src" O="$work/out" ARCH=s390 CROSS_COMPILE="$cross")
"${mk[@]}" tinyconfig >/dev/null
"$work/src/scripts/kconfig/merge_config.sh" -m -O "$work/out" "$work/out/.config" "$fragment" >/dev/null
"${mk[@]}" olddefconfig >&2
while IFS= read -r opt; do
	case "$opt" in
	CONFIG_*=n) grep -qx "# ${opt%=n} is not set" "$work/out/.config" ;;
	CONFIG_*) grep -qx "$opt" "$work/out/.config" ;;
	*) continue ;;
	esac || { echo "build-pv-kernel: $opt did not survive olddefconfig" >&2; exit 1; }
done <"$fragment"
echo "build-pv-kernel: building with 2 jobs" >&2
start=$(date +%s)
"${mk[@]}" -j2 bzImage >"$work/build.log" 2>&1 || {
	tail -30 "$work/build.log" >&2
	exit 1
}
echo "build-pv-kernel: built in $(($(date +%s) - start)) s" >&2
touch "$work/built"
echo "$image"
