#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch Debian 13 (trixie)'s linux-source-6.12 into the cache without touching
# this system's apt configuration: a private apt tree under
# $CACHE_DIR/kernel-source/apt (its own sources list, package lists, cache and
# an empty dpkg status) downloads the one package, apt checks the archive's
# signature with Debian's archive keyring, and dpkg-deb unpacks it.
#
#   $CACHE_DIR/kernel-source/6.12/linux-source-6.12.tar.xz   the source
#   $CACHE_DIR/kernel-source/6.12/version                    Debian version
#
# Idempotent: with the tarball present it prints its path and does nothing
# else. Prints the tarball's path on stdout; progress goes to stderr.
# LINUX_612_SUITE (default trixie) and LINUX_612_MIRROR choose where from.
set -euo pipefail

series=6.12
suite=${LINUX_612_SUITE:-trixie}
mirror=${LINUX_612_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
base=${CACHE_DIR:?CACHE_DIR must be set}/kernel-source
dest=$base/$series
tarball=$dest/linux-source-$series.tar.xz

if [ -s "$tarball" ] && [ -s "$dest/version" ]; then
	echo "$tarball"
	exit 0
fi
[ -r "$keyring" ] || { echo "fetch-linux-source: $keyring missing (install debian-archive-keyring)" >&2; exit 1; }

apt_root=$base/apt
mkdir -p "$apt_root"/{lists/partial,archives/partial,etc/preferences.d,etc/apt.conf.d} "$dest"
: >"$apt_root/status"
cat >"$apt_root/etc/sources.list" <<SOURCES
deb [signed-by=$keyring] $mirror $suite main
SOURCES
apt_opts=(
	-o "Dir::Etc::SourceList=$apt_root/etc/sources.list"
	-o "Dir::Etc::SourceParts=-"
	-o "Dir::Etc::Preferences=$apt_root/etc/preferences"
	-o "Dir::Etc::PreferencesParts=$apt_root/etc/preferences.d"
	-o "Dir::State::Lists=$apt_root/lists"
	-o "Dir::State::Status=$apt_root/status"
	-o "Dir::Cache=$apt_root/cache"
	-o "Dir::Cache::Archives=$apt_root/archives"
	-o "Acquire::Languages=none"
	-o "APT::Get::List-Cleanup=false"
	# Our own directories: no switch to the _apt user, who cannot write them.
	-o "APT::Sandbox::User=$(id -un)"
)
mkdir -p "$apt_root/cache"
echo "fetch-linux-source: reading $suite package lists into $apt_root" >&2
apt-get "${apt_opts[@]}" update -q >&2
version=$(apt-cache "${apt_opts[@]}" show --no-all-versions "linux-source-$series" |
	sed -n 's/^Version: //p' | head -1)
[ -n "$version" ] || { echo "fetch-linux-source: linux-source-$series not in $suite" >&2; exit 1; }

tmp=$(mktemp -d "$base/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetch-linux-source: downloading linux-source-$series $version" >&2
# apt-get download verifies the package against the signed Release file.
(cd "$tmp" && apt-get "${apt_opts[@]}" download -q "linux-source-$series=$version" >&2)
dpkg-deb -x "$tmp"/linux-source-"$series"_*.deb "$tmp/root"
[ -s "$tmp/root/usr/src/linux-source-$series.tar.xz" ] ||
	{ echo "fetch-linux-source: the package holds no linux-source-$series.tar.xz" >&2; exit 1; }
# Moved into place last, so an interrupted run never leaves half a tarball.
mv "$tmp/root/usr/src/linux-source-$series.tar.xz" "$tarball.tmp"
mv "$tarball.tmp" "$tarball"
echo "$version" >"$dest/version"
echo "fetch-linux-source: linux-source-$series $version in $dest" >&2
echo "$tarball"
