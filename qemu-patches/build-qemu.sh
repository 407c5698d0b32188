#!/bin/bash
# SPDX-License-Identifier: MIT
# Build qemu-system-s390x from Debian 12's qemu source package with the
# series in this directory and segen's UV model (make pv-sim-lib).
#
#   build-qemu.sh build LIB_DIR   fetch, patch, configure, build (cached);
#                                 prints the binary's path, the time on stderr
#   build-qemu.sh path LIB_DIR    the binary's path if that build is cached,
#                                 else exit 1
#
# QEMU_CACHE (required) holds everything: dl/ (the source package), src-VER/
# (the unpacked tree, a git repository whose tag debian-source is Debian's
# tree: the series is applied with git am, so patches are regenerated from
# it), build-VER-CONF/ (the build directory, reused: a changed patch rebuilds
# only what it touches) and KEY/ (the result: bin/qemu-system-s390x and the
# s390-ccw.img firmware from Debian's qemu-system-data, which it loads first).
# KEY is a hash of the source version, the configuration, the series and the
# UV model library. QEMU_DEB_VERSION picks a source version (default: the one
# fetched, else the newest in the archive).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: build-qemu.sh build|path LIB_DIR}
lib_dir=${2:?usage: build-qemu.sh build|path LIB_DIR}
cache=${QEMU_CACHE:?QEMU_CACHE must be set}
lib=$lib_dir/libsegen-uv.a
lib_header=$lib_dir/segen-uv-sim.h
firmware=/usr/share/qemu/s390-ccw.img

# Only qemu-system-s390x, only what a test guest uses.
configure_args=(--target-list=s390x-softmmu --without-default-features
	--without-default-devices --with-devices-s390x=pv-sim --enable-tcg
	--disable-docs --disable-tools --disable-guest-agent --disable-debug-info)

[ -f "$lib" ] && [ -f "$lib_header" ] || { echo "build-qemu: no UV model in $lib_dir (make pv-sim-lib)" >&2; exit 1; }

if [ "$mode" = path ]; then
	version=${QEMU_DEB_VERSION:-$(cd "$cache/dl" 2>/dev/null && ls qemu_*.dsc 2>/dev/null |
		sort -V | tail -1 | sed 's/^qemu_//; s/\.dsc$//' || true)}
	[ -n "$version" ] || exit 1
else
	version=$("$here/fetch-source.sh" "$cache/apt" "$cache/dl" "${QEMU_DEB_VERSION:-}")
fi
version=${version#*:}

# Comments do not change the build, nor its key.
conf_key=$({
	printf '%s\n' "${configure_args[@]}"
	grep -v '^#' "$here/devices-s390x.mak"
} | sha256sum | cut -c1-12)
key=$({
	echo "$version $conf_key"
	cat "$here/series"
	while read -r p; do [ -n "$p" ] && cat "$here/$p"; done <"$here/series"
	cat "$lib" "$lib_header"
} | sha256sum | cut -c1-16)
out=$cache/$key
binary=$out/bin/qemu-system-s390x
if [ -x "$binary" ]; then
	echo "$binary"
	exit 0
fi
[ "$mode" = build ] || exit 1

src=$cache/src-$version
build=$cache/build-$version-$conf_key
if [ ! -d "$src/.git" ]; then
	echo "build-qemu: unpacking qemu $version" >&2
	rm -rf "$src.tmp"
	# apt checked the package against the archive's signed index; the .dsc's own
	# signature would need debian-keyring.
	dpkg-source -q --no-check -x "$cache/dl/qemu_$version.dsc" "$src.tmp" >/dev/null
	# dpkg-source links the upstream tarball beside the tree; dl/ has it.
	rm -f "$cache"/qemu_*.orig.tar.*
	rm -rf "$src.tmp/.pc"
	git -C "$src.tmp" init -q
	echo /configs/devices/s390x-softmmu/pv-sim.mak >>"$src.tmp/.git/info/exclude"
	git -C "$src.tmp" add -A
	git -C "$src.tmp" -c user.name=build -c user.email=build@localhost \
		commit -q -m "Debian qemu $version"
	git -C "$src.tmp" tag debian-source
	mv "$src.tmp" "$src"
fi

# The series on Debian's tree, as git am makes it (the patches' own authors).
# Not again when the tree holds this series already: touching every patched
# file would rebuild much of QEMU.
series_key=$(cd "$here" && cat series $(cat series) | sha256sum | cut -c1-16)
if [ "$(cat "$src/.git/segen-series" 2>/dev/null)" != "$series_key" ] ||
	[ -n "$(git -C "$src" status --porcelain)" ]; then
	rm -f "$src/.git/segen-series"
	git -C "$src" am --abort >/dev/null 2>&1 || true
	git -C "$src" checkout -q -f --detach debian-source
	git -C "$src" clean -q -fdx
	while read -r p; do
		[ -n "$p" ] || continue
		GIT_COMMITTER_NAME=build GIT_COMMITTER_EMAIL=build@localhost \
			git -C "$src" am -q --keep-cr "$here/$p" ||
			{ echo "build-qemu: $p does not apply to qemu $version" >&2; exit 1; }
	done <"$here/series"
	echo "$series_key" >"$src/.git/segen-series"
fi
cmp -s "$here/devices-s390x.mak" "$src/configs/devices/s390x-softmmu/pv-sim.mak" ||
	cp "$here/devices-s390x.mak" "$src/configs/devices/s390x-softmmu/pv-sim.mak"

# The UV model at a fixed place: meson does not track the library, so a
# changed one forces the link.
mkdir -p "$build/segen-uv"
if ! cmp -s "$lib" "$build/segen-uv/libsegen-uv.a"; then
	cp "$lib" "$build/segen-uv/libsegen-uv.a"
	rm -f "$build/qemu-system-s390x"
fi
cmp -s "$lib_header" "$build/segen-uv/segen-uv-sim.h" || cp "$lib_header" "$build/segen-uv/"

start=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
	echo "build-qemu: configuring in $build" >&2
	(cd "$build" && nice -n 10 "$src/configure" "${configure_args[@]}" \
		--segen-uv="$build/segen-uv" >configure.log 2>&1) ||
		{ tail -20 "$build/configure.log" >&2; exit 1; }
fi
echo "build-qemu: building qemu-system-s390x (ninja -j2, nice)" >&2
nice -n 10 ninja -C "$build" -j2 qemu-system-s390x >"$build/ninja.log" 2>&1 ||
	{ grep -A5 -m3 -E "FAILED|error:" "$build/ninja.log" >&2; exit 1; }

rm -rf "$out.tmp"
mkdir -p "$out.tmp/bin" "$out.tmp/share/qemu"
cp "$build/qemu-system-s390x" "$out.tmp/bin/"
cp "$firmware" "$out.tmp/share/qemu/"
(cd "$here" && sha256sum series $(cat series)) >"$out.tmp/patches.sha256"
echo "$version" >"$out.tmp/source-version"
rm -rf "$out"
mv "$out.tmp" "$out"
# Results of other patches or models are of no further use.
for old in "$cache"/????????????????; do
	[ "$old" != "$out" ] && [ -x "$old/bin/qemu-system-s390x" ] && rm -rf "$old"
done
echo "build-qemu: built in $(($(date +%s) - start)) s" >&2
echo "$binary"
