#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Speed and memory of `segen create`, measured against its floor in the same run.
#
# The PLD is one SHA-512 over every stored byte, so `openssl dgst -sha512` over
# the same ramdisk is the least time any correct builder needs. Rounds alternate
# the two commands so machine noise hits both alike; the medians are compared.
#
#   bench/create-bench.sh [SIZE_MIB] [ROUNDS]
# Prints create_ratio=<segen/sha512> and create_peak_rss_kib=<max RSS>;
# exits 1 when a goal (ratio <= 1.15, RSS < 64 MiB) is missed.
set -euo pipefail

SEGEN=${SEGEN:-build/segen}
VECTORS_DIR=${VECTORS_DIR:-tests/vectors}
size_mib=${1:-1024}
rounds=${2:-5}
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/segen-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

kernel="$VECTORS_DIR/genprotimg-2.35/inputs/kernel.bin"
hkd="$VECTORS_DIR/genprotimg-2.35/keys/host1.crt"
initrd="$work/initrd"
head -c "$((size_mib << 20))" /dev/urandom > "$initrd"

# time_cmd VAR CMD...: wall seconds into VAR, peak RSS (KiB) appended to $work/rss
time_cmd() {
	local var=$1 start end
	shift
	start=$(date +%s.%N)
	/usr/bin/time -f %M -a -o "$work/rss.$var" "$@" >/dev/null
	end=$(date +%s.%N)
	printf -v "$var" '%s' "$(echo "$end - $start" | bc -l)"
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cat "$initrd" > /dev/null # both start from a warm page cache
for r in $(seq 1 "$rounds"); do
	time_cmd sha openssl dgst -sha512 "$initrd"
	rm -f "$work/out.img"
	time_cmd seg "$SEGEN" create -q -i "$kernel" -r "$initrd" -k "$hkd" --no-verify \
		-o "$work/out.img"
	rm -f "$work/out.img"
	echo "$sha" >> "$work/sha.times"
	echo "$seg" >> "$work/seg.times"
	printf 'round %d: sha512 %.3f s, segen create %.3f s\n' "$r" "$sha" "$seg" >&2
done

sha_med=$(median < "$work/sha.times")
seg_med=$(median < "$work/seg.times")
ratio=$(echo "$seg_med / $sha_med" | bc -l)
rss=$(sort -n "$work/rss.seg" | tail -n 1)
sha_rss=$(sort -n "$work/rss.sha" | tail -n 1)

printf 'input_mib=%d rounds=%d\n' "$size_mib" "$rounds"
printf 'sha512_median_s=%.3f create_median_s=%.3f\n' "$sha_med" "$seg_med"
printf 'create_ratio=%.3f\n' "$ratio"
printf 'create_peak_rss_kib=%d (openssl dgst: %d)\n' "$rss" "$sha_rss"

status=0
if [ "$(echo "$ratio <= 1.15" | bc -l)" -eq 1 ]; then
	echo "goal create_ratio <= 1.15: met"
else
	echo "goal create_ratio <= 1.15: MISSED"
	status=1
fi
if [ "$rss" -lt $((64 << 10)) ]; then
	echo "goal peak RSS < 64 MiB: met"
else
	echo "goal peak RSS < 64 MiB: MISSED"
	status=1
fi
exit $status
