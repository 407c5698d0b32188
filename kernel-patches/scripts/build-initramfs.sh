#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the test guest's initramfs: /init (tests/guest-init.c) and
# /bin/pv-selfcheck (tools/pv-selfcheck.c), static s390x programs.
#   build-initramfs.sh OUTPUT.cpio.gz
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cross=${CROSS_COMPILE:-s390x-linux-gnu-}
out=${1:?usage: build-initramfs.sh OUTPUT}
cflags=(-std=gnu11 -O2 -Wall -Wextra -Wshadow -Wconversion -Werror -static)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin"
"${cross}gcc" "${cflags[@]}" -o "$root/init" "$here/tests/guest-init.c"
"${cross}gcc" "${cflags[@]}" -o "$root/bin/pv-selfcheck" "$here/tools/pv-selfcheck.c"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out"
