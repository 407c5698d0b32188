#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job on built-in sample data: build a Secure Execution image of
# Debian's s390x kernel with a sample initrd for a throwaway TEST host, show
# what is inside, check it as the Ultravisor would, and boot it under QEMU.
#   SEGEN=build/segen CACHE_DIR=.cache DEMO_DIR=build/demo scripts/demo.sh
set -euo pipefail

segen=${SEGEN:?} cache=${CACHE_DIR:?} dir=${DEMO_DIR:?}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
step() { printf '\n== %s\n' "$*"; }

step "fetching Debian's s390x kernel and busybox (cached in $cache/guest)"
CACHE_DIR="$cache" "$here/fetch-guest.sh"
echo "kernel: $(cat "$cache/guest/kernel-version")"

step "building a sample initrd whose init prints what it received"
"$here/make-initrd.sh" "$cache/guest/busybox" "$dir/initrd.gz" SEGEN-DEMO-OK
printf 'console=ttysclp0 quiet panic=-1 segen.demo=hello' > "$dir/parmfile"
echo "initrd: $dir/initrd.gz ($(stat -c %s "$dir/initrd.gz") bytes)"
echo "parmfile: $(cat "$dir/parmfile")"

step "generating a throwaway TEST host key (its private key belongs to no real machine)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
	-keyout "$dir/test-host.key" -out "$dir/test-host.crt" -subj "/CN=segen demo test host" \
	-days 1 2>/dev/null
echo "host-key document: $dir/test-host.crt; private key: $dir/test-host.key"

step "segen create (self-signed test host: nothing to verify it against, hence --no-verify)"
"$segen" create -i "$cache/guest/vmlinuz" -r "$dir/initrd.gz" -p "$dir/parmfile" \
	-k "$dir/test-host.crt" --no-verify --overwrite -o "$dir/demo.img" -v

step "segen info: what the image says in the clear"
"$segen" info "$dir/demo.img"

step "segen verify: the Ultravisor's checks, with the test host's private key"
"$segen" verify "$dir/demo.img" --host-key "$dir/test-host.key"

step "segen boot-test: unpack as the UV would, boot under qemu-system-s390x (TCG)"
"$segen" boot-test "$dir/demo.img" --host-key "$dir/test-host.key" \
	--expect "initrd marker SEGEN-DEMO-OK" --timeout 120

# The same image through stage-a's own secure reboot, under the QEMU of
# qemu-patches/ that plays the Ultravisor (docs/pv-sim.md): about 10 s, but
# only once that QEMU is built (make qemu, 8 to 12 minutes on two cores).
if [ -n "${PV_SIM_QEMU:-}" ] && [ -x "$PV_SIM_QEMU" ]; then
	step "segen boot-test --pv-sim: stage-a asks QEMU's Ultravisor simulation for the secure reboot"
	"$segen" boot-test "$dir/demo.img" --pv-sim --host-key "$dir/test-host.key" \
		--qemu "$PV_SIM_QEMU" --expect "initrd marker SEGEN-DEMO-OK" --timeout 120
else
	step "segen boot-test --pv-sim: not run, no QEMU with the pv-sim patches yet (make qemu builds one)"
fi

step "done: $dir/demo.img booted through stage-b into the kernel and its init"
