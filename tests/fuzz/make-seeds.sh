#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed corpora for the fuzz targets, from the vectors and from a small image
# segen makes here:  make-seeds.sh SEGEN VECTORS_DIR OUTDIR
set -euo pipefail
segen=$1 vec=$2 out=$3
g="$vec/genprotimg-2.35"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out" # rebuilt whole, so a newer segen never meets its old images
mkdir -p "$out"/{sehdr,ipib,initrd_check,image,cmdline,pki_load,guest_memory,create_opts,uv_keys,info}

for c in basic three-hosts-dump no-decryption; do
	cp "$g/$c/se-header.bin" "$out/sehdr/$c.hdr"
	cp "$g/$c/ipib.bin" "$out/ipib/$c.ipib"
done
cp "$vec/s390-tools-assets/exp/secure_guest.hdr" "$out/sehdr/secure_guest.hdr"

"$segen" create -q -i "$g/inputs/kernel.bin" -p "$g/inputs/parmfile" -k "$g/keys/host1.crt" \
	-k "$g/keys/host2.crt" --no-verify --x-seed 01 -o "$out/image/two-hosts.img" 2>/dev/null
"$segen" create -q -i "$g/inputs/kernel.bin" -k "$g/keys/host1.crt" --no-verify --x-seed 02 \
	--disable-image-encryption -o "$out/image/plain.img" 2>/dev/null
# The new layout's IPIB and header, cut out of the image through its metadata.
img="$out/image/two-hosts.img"
ipib=$(od -An -tu8 --endian=big -j $((0xc014)) -N8 "$img" | tr -d ' ')
dd if="$img" of="$out/ipib/pvimg.ipib" bs=1 skip="$ipib" count=4096 status=none
dd if="$img" of="$out/sehdr/two-hosts.hdr" bs=1 skip=$((0x14000)) count=720 status=none

printf 'hello initrd\n' > "$tmp/a"
(cd "$tmp" && printf 'a\n' | cpio --quiet -o -H newc) > "$tmp/a.cpio"
s="$out/initrd_check"
gzip -c "$tmp/a" > "$s/one.gz"
{ gzip -c "$tmp/a"; gzip -c "$g/inputs/parmfile"; } > "$s/two-members.gz"
{ gzip -c "$tmp/a"; head -c 512 /dev/zero; } > "$s/zero-padded.gz"
cp "$tmp/a.cpio" "$s/plain.cpio"
{ cat "$tmp/a.cpio"; gzip -c "$tmp/a.cpio"; } > "$s/early-cpio-gzip"
{ cat "$tmp/a.cpio"; zstd -q -c "$tmp/a.cpio"; } > "$s/early-cpio-zstd"
xz -c --check=crc32 "$tmp/a.cpio" > "$s/one.xz"
xz -c --format=lzma "$tmp/a.cpio" > "$s/one.lzma"
head -c 2000 "$g/inputs/initrd.bin" > "$s/not-gzip"

cp "$g/inputs/parmfile" "$out/cmdline/parmfile"
printf 'console=ttysclp0\0' > "$out/cmdline/final-nul"
printf 'a\0b' > "$out/cmdline/inner-nul"

cp "$vec"/s390-tools-assets/cert/{ibm.crt,ibm.crl,der.crt,der.crl,ibm.chained.crt} \
	"$out/pki_load/"

# The guest memory note of an image, a synthetic kernel and, when the cache has
# it, the head of Debian's kernel (its vmlinux_info lies in the first 256 KiB).
dd if="$img" of="$out/guest_memory/note" bs=1 skip=$((0xc100)) count=40 status=none
head -c 262144 "$g/inputs/kernel.bin" > "$out/guest_memory/synthetic-kernel"
if [ -s "${CACHE_DIR:-}/guest/vmlinuz" ]; then
	head -c 262144 "$CACHE_DIR/guest/vmlinuz" > "$out/guest_memory/debian-kernel-head"
fi

# create's arguments, NUL-separated as the target splits them.
printf '%s\0' -i vmlinuz -o out.img --no-verify -k a.crt,b.crt -k c.crt \
	--ramdisk-dir root > "$out/create_opts/lists"
printf '%s\0' -i vmlinuz -o out.img --crt ibm.crt,inter.crt --crl a.crl,b.crl,c.crl \
	--offline -k h.crt --enable-dump --cck cck.bin > "$out/create_opts/verified"
printf '%s\0' --help-all > "$out/create_opts/help"

# Key-hash lists as /sys/firmware/uv/keys/ has them: "all" (15 lines) and one line.
sha256sum "$g/keys/host1.crt" | cut -c1-64 > "$out/uv_keys/host_key"
{ cat "$out/uv_keys/host_key"; for _ in $(seq 14); do printf '%064d\n' 0; done; } \
	> "$out/uv_keys/all"

# info describes whatever header parses: the same headers as sehdr.
cp "$out"/sehdr/* "$out/info/"
