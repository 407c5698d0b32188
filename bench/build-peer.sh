#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build IBM's C genprotimg, the tool segen replaces, from Debian's s390-tools
# source package, for `make bench` to time side by side with segen.
#
#   CACHE_DIR=... bench/build-peer.sh      prints the path of the genprotimg binary
#
# Idempotent: the source and the binary stay in $CACHE_DIR/peer. Needs root (or
# sudo) the first time, to add a deb-src entry for Debian's archive and install
# the build dependencies. On failure it prints one line saying why and exits 1.
set -euo pipefail

peer=${CACHE_DIR:?CACHE_DIR must be set}/peer
bin="$peer/genprotimg"
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
mkdir -p "$peer"
log="$peer/build.log"
fail() {
	echo "build-peer: $1 (log: $log)" >&2
	exit 1
}
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

if ! apt-get source --print-uris s390-tools >/dev/null 2>&1; then
	# The deb-src twin of Debian's own entry, in a file of its own.
	$sudo tee /etc/apt/sources.list.d/segen-bench-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	$sudo apt-get -o DPkg::Lock::Timeout=900 update -q >>"$log" 2>&1 ||
		fail "apt-get update failed"
fi

src=$(ls -d "$peer"/s390-tools-*/ 2>/dev/null | head -n 1 || true)
if [ -z "$src" ]; then
	(cd "$peer" && apt-get source -q s390-tools >>"$log" 2>&1) ||
		fail "apt-get source s390-tools failed"
	src=$(ls -d "$peer"/s390-tools-*/ | head -n 1)
fi

# genprotimg alone: it needs s390-tools' libutil and these libraries.
make -C "$src" -j2 HOST_ARCH=s390x ARCH=s390x libutil >>"$log" 2>&1 ||
	make -C "$src/libutil" -j2 >>"$log" 2>&1 || fail "s390-tools libutil does not build here"
make -C "$src/genprotimg" -j2 >>"$log" 2>&1 || fail "genprotimg does not build here"
cand=$(find "$src/genprotimg" -name genprotimg -type f -perm -u+x | head -n 1)
[ -n "$cand" ] || fail "the build made no genprotimg binary"
cp "$cand" "$bin.tmp" && mv "$bin.tmp" "$bin"
echo "$bin"
