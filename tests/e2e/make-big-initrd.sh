#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An initrd of exactly SIZE bytes, laid out as dracut lays out an initrd with
# early microcode: an uncompressed newc cpio first, then the compressed main
# archive. The first part holds one file, /big.bin, of zeros that pads the
# whole to SIZE; the second is scripts/make-initrd.sh's busybox initramfs.
# Linux unpacks both, so the guest gets /init and a /big.bin it can read.
# The zeros are holes: the file costs a few MiB of disk whatever SIZE is, and
# the same inputs give the same bytes.
#   make-big-initrd.sh BUSYBOX SIZE OUTPUT
set -euo pipefail

busybox=$1 size=$(($2)) out=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$here/../../scripts/make-initrd.sh" "$busybox" "$tmp/main.gz"
main_size=$(stat -c %s "$tmp/main.gz")

# newc: a 110-byte header, the name with its NUL padded to 4 bytes, the data
# padded to 4 bytes; the archive ends with a TRAILER!!! entry.
entry_header() { # NAME MODE FILESIZE
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 "$2" 0 0 1 0 "$3" 0 0 0 0 $((${#1} + 1)) 0
	printf '%s\0' "$1"
	local pad=$(((4 - (110 + ${#1} + 1) % 4) % 4))
	head -c "$pad" /dev/zero
}
header_len=120  # 110 + "big.bin" and its NUL (8), padded to 4
trailer_len=124 # 110 + "TRAILER!!!" and its NUL (11), padded to 4
# The data ends on a 4-byte boundary, where newc wants the trailer, and the
# main part starts on one, as Linux wants the next archive after a cpio; up
# to 3 zero bytes after the main part, which Linux skips, make up SIZE.
data_len=$(((size - main_size - header_len - trailer_len) / 4 * 4))
early_len=$((header_len + data_len + trailer_len))
if [ "$data_len" -le 0 ] || [ "$data_len" -gt $((0xffffffff)) ]; then
	echo "make-big-initrd: cannot make an initrd of $size bytes" >&2
	exit 1
fi

entry_header big.bin $((0100644)) "$data_len" >"$tmp/early"
[ "$(stat -c %s "$tmp/early")" -eq "$header_len" ]
truncate -s $((header_len + data_len)) "$tmp/early" # the data, as holes
entry_header TRAILER!!! 0 0 >>"$tmp/early"
[ "$(stat -c %s "$tmp/early")" -eq "$early_len" ]
cat "$tmp/main.gz" >>"$tmp/early"
truncate -s "$size" "$tmp/early"
mv "$tmp/early" "$out"
