#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: segen's speed and memory on real inputs, each command against
# its floor and against IBM's genprotimg, measured side by side in one run.
#
# Inputs (made once from BENCH_SEED into $CACHE_DIR/bench, reproducibly):
# Debian's s390x kernel, and initrds of each size in BENCH_SIZES (MiB) that are
# random, gzip -6 and zstd -3 compressed; the compressed ones are cpio archives
# of the kernel package's real files (bench/make-initrd.py), so they compress
# like a distribution's initrd.
#
# Each round runs the commands back to back on the same input, and each ratio
# is taken within the round, so machine load hits both sides of a ratio alike;
# min and median over the rounds are printed, for wall time and for CPU time
# (user + sys). Nothing here passes or fails: the figures depend on the
# machine and its load.
#
#   create: `segen create` / `openssl dgst -sha512` over the initrd (the PLD
#           is one SHA-512 over it: no builder can be faster), also with
#           --x-inflate zlib and --no-component-check;
#   peer:   genprotimg time / segen create time (bench/build-peer.sh);
#   verify: `segen verify` / `openssl dgst -sha512` over the image;
#   unpack: `segen unpack` / hashing the image while writing a copy of it;
#   boot:   `segen boot-test` / QEMU booting the same kernel and initrd directly.
set -euo pipefail

SEGEN=${SEGEN:?} CACHE_DIR=${CACHE_DIR:?}
sizes=${BENCH_SIZES-64 512}
rounds=${BENCH_ROUNDS:-3}
kinds=${BENCH_KINDS:-random gzip zstd}
seed=${BENCH_SEED:-segen-bench-1}
kernel="$CACHE_DIR/guest/vmlinuz"
inputs="$CACHE_DIR/bench"
here=$(cd "$(dirname "$0")" && pwd)
[ -s "$kernel" ] || { echo "bench: no $kernel (make e2e-prereqs)" >&2; exit 1; }
mkdir -p "$inputs"
work=$(mktemp -d "${BENCH_DIR:-$inputs}/run.XXXXXX")
trap 'rm -rf "$work"' EXIT

# make_input KIND MIB: the cached initrd's path (made on first use, atomically).
make_input() {
	local kind=$1 mib=$2 out="$inputs/initrd-$1-$2M-$seed"
	if [ ! -s "$out" ]; then
		local deb
		deb=$(ls "$CACHE_DIR"/guest/debs/linux-image-*_s390x.deb | head -n 1)
		case $kind in
		random) openssl enc -aes-256-ctr -nosalt -pass "pass:$seed" -pbkdf2 \
				< /dev/zero 2>/dev/null | head -c "$((mib << 20))" > "$out.tmp" ;;
		gzip) python3 "$here/make-initrd.py" "$seed" "$((mib << 20))" "$deb" |
				gzip -6 -n > "$out.tmp" ;;
		zstd) python3 "$here/make-initrd.py" "$seed" "$((mib << 20))" "$deb" |
				zstd -3 -q -T1 > "$out.tmp" ;;
		esac
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# run_timed NAME CMD...: wall, CPU (user+sys) seconds and peak RSS (KiB) of CMD
# into $work/NAME.{wall,cpu,rss}; output to /dev/null.
run_timed() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S %M' -o "$work/time" "$@" > /dev/null 2>&1 || {
		echo "bench: '$*' failed" >&2
		return 1
	}
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l > "$work/$name.wall"
	awk '{ printf "%.3f\n", $1 + $2 }' "$work/time" > "$work/$name.cpu"
	awk '{ print $3 }' "$work/time" > "$work/$name.rss"
}

# ratio NUM DEN: one round's wall and CPU ratios appended to $work/ratio.NUM-DEN.*
ratio() {
	local r
	for m in wall cpu; do
		r=$(echo "$(cat "$work/$1.$m") / $(cat "$work/$2.$m")" | bc -l)
		echo "$r" >> "$work/ratios.$3.$m"
	done
	cat "$work/$1.wall" >> "$work/times.$1"
	cat "$work/$1.rss" >> "$work/rss.$1"
}

stats() { # stats FILE: "min median"
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f", v[1], m }'
}

hkd="$work/host.crt"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
	-keyout "$work/host.key" -out "$hkd" -subj "/CN=bench host" -days 1 2>/dev/null

peer=
if [ -n "${BENCH_NO_PEER:-}" ]; then
	echo "peer: skipped (BENCH_NO_PEER)"
elif peer=$(CACHE_DIR=$CACHE_DIR "$here/build-peer.sh" 2>"$work/peer.err"); then
	echo "peer: $peer"
else
	peer=
	echo "peer: not built: $(tail -n 1 "$work/peer.err")"
fi

report() { # report KEY FILE-STEM: key=value lines for one ratio
	local wall cpu
	wall=($(stats "$work/ratios.$2.wall")) cpu=($(stats "$work/ratios.$2.cpu"))
	printf '%s_ratio_min=%s %s_ratio_median=%s %s_cpu_ratio_min=%s %s_cpu_ratio_median=%s\n' \
		"$1" "${wall[0]}" "$1" "${wall[1]}" "$1" "${cpu[0]}" "$1" "${cpu[1]}" >> "$work/kv"
	printf '%-26s %8s %8s %8s %8s\n' "$1" "${wall[0]}" "${wall[1]}" "${cpu[0]}" "${cpu[1]}" \
		>> "$work/table"
}

: > "$work/kv"
: > "$work/table"
for mib in $sizes; do
	for kind in $kinds; do
		initrd=$(make_input "$kind" "$mib")
		tag="${kind}_${mib}M"
		rm -f "$work"/ratios.* "$work"/rss.* "$work"/times.*
		cat "$initrd" > /dev/null # every command starts from a warm page cache
		for r in $(seq 1 "$rounds"); do
			run_timed sha openssl dgst -sha512 "$initrd"
			rm -f "$work/out.img"
			run_timed create "$SEGEN" create -q -i "$kernel" -r "$initrd" -k "$hkd" \
				--no-verify -o "$work/out.img"
			ratio create sha create
			if [ "$kind" = gzip ]; then
				run_timed zlib "$SEGEN" create -q -i "$kernel" -r "$initrd" -k "$hkd" \
					--no-verify --x-inflate zlib --overwrite -o "$work/out.img"
				ratio zlib sha zlib
			fi
			run_timed nocheck "$SEGEN" create -q -i "$kernel" -r "$initrd" -k "$hkd" \
				--no-verify --no-component-check --overwrite -o "$work/out.img"
			ratio nocheck sha nocheck
			if [ -n "$peer" ]; then
				rm -f "$work/peer.img"
				run_timed peer "$peer" -i "$kernel" -r "$initrd" -k "$hkd" --no-verify \
					-o "$work/peer.img"
				ratio peer create peer
				rm -f "$work/peer.img"
			fi
			run_timed imgsha openssl dgst -sha512 "$work/out.img"
			run_timed verify "$SEGEN" verify "$work/out.img" --host-key "$work/host.key"
			ratio verify imgsha verify
			rm -f "$work/copy" "$work/mem.elf"
			run_timed copy sh -c 'tee "$1" < "$2" | openssl dgst -sha512' sh "$work/copy" \
				"$work/out.img"
			run_timed unpack "$SEGEN" unpack "$work/out.img" --host-key "$work/host.key" \
				-o "$work/mem.elf"
			ratio unpack copy unpack
			rm -f "$work/copy" "$work/mem.elf"
		done
		{
			echo
			echo "input $tag: $(stat -c %s "$initrd") bytes, $rounds rounds"
			printf '%-26s %8s %8s %8s %8s\n' ratio min median cpu_min cpu_med
		} >> "$work/table"
		report "create_$tag" create
		[ "$kind" != gzip ] || report "create_zlib_$tag" zlib
		report "create_nocheck_$tag" nocheck
		[ -z "$peer" ] || report "peer_$tag" peer
		report "verify_$tag" verify
		report "unpack_$tag" unpack
		for c in create verify unpack; do
			printf '%s_peak_rss_kib_%s=%s\n' "$c" "$tag" "$(sort -n "$work/rss.$c" | tail -n 1)" \
				>> "$work/kv"
		done
		printf 'create_median_s_%s=%s\n' "$tag" "$(stats "$work/times.create" | cut -d' ' -f2)" \
			>> "$work/kv"
		[ -z "$peer" ] || printf 'peer_ratio_%s=%s\n' "$tag" \
			"$(stats "$work/ratios.peer.wall" | cut -d' ' -f2)" >> "$work/kv"
	done
done

# boot-test against QEMU booting the same kernel and initrd without segen.
if [ -z "${BENCH_NO_BOOT:-}" ]; then
	boot_initrd="$work/boot-initrd.gz"
	marker="BENCH-MARKER-$$"
	"$here/../scripts/make-initrd.sh" "$CACHE_DIR/guest/busybox" "$boot_initrd" "$marker"
	cmdline="console=ttysclp0 quiet panic=-1"
	printf '%s' "$cmdline" > "$work/parm"
	"$SEGEN" create -q -i "$kernel" -r "$boot_initrd" -p "$work/parm" -k "$hkd" --no-verify \
		-o "$work/boot.img" 2>/dev/null
	rm -f "$work"/ratios.* "$work"/rss.* "$work"/times.*
	for r in $(seq 1 "$rounds"); do
		# Until the marker appears, as boot-test does: then QEMU is stopped.
		run_timed qemu bash -c 'coproc Q { exec timeout 300 qemu-system-s390x \
			-machine s390-ccw-virtio -nographic -nodefaults -serial none \
			-device sclpconsole,chardev=c -chardev stdio,id=c -m 512 \
			-kernel "$1" -initrd "$2" -append "$3" 2>&1; }
			grep -q -m 1 "initrd marker $4" <&"${Q[0]}"; found=$?
			kill "$Q_PID" 2>/dev/null; wait "$Q_PID" 2>/dev/null; exit $found' \
			bash "$kernel" "$boot_initrd" "$cmdline" "$marker"
		run_timed boot "$SEGEN" boot-test "$work/boot.img" --host-key "$work/host.key" \
			--expect "initrd marker $marker" --timeout 300
		ratio boot qemu boot
	done
	{
		echo
		echo "boot-test: Debian's s390x kernel, busybox initrd, $rounds rounds"
		printf '%-26s %8s %8s %8s %8s\n' ratio min median cpu_min cpu_med
	} >> "$work/table"
	report boot_test boot
	printf 'boot_test_median_s=%s\n' "$(stats "$work/times.boot" | cut -d' ' -f2)" >> "$work/kv"
fi

cat "$work/table"
echo
tr ' ' '\n' < "$work/kv"
