#!/bin/bash
# SPDX-License-Identifier: MIT
# Download Debian 12's qemu source package with apt's source download from
# Debian's archive, through a private apt configuration under APT_DIR (its own
# sources list with the deb-src lines, lists, cache), so nothing of the
# system's apt configuration or state changes. VERSION empty: the newest
# version bookworm and bookworm-security hold. Idempotent: with the .dsc in
# OUT_DIR already, nothing is downloaded. Prints the version fetched.
#   fetch-source.sh APT_DIR OUT_DIR [VERSION]
set -euo pipefail
apt_dir=$1
out_dir=$2
version=${3:-}

have_dsc() { # the newest .dsc in OUT_DIR, or the one of VERSION
	local pattern="qemu_*.dsc"
	[ -n "$version" ] && pattern="qemu_${version#*:}.dsc"
	(cd "$out_dir" 2>/dev/null && ls $pattern 2>/dev/null | sort -V | tail -1) || true
}

dsc=$(have_dsc)
if [ -z "$dsc" ]; then
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$out_dir"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	{
		echo "deb-src [signed-by=$key] http://deb.debian.org/debian bookworm main"
		echo "deb-src [signed-by=$key] http://deb.debian.org/debian bookworm-updates main"
		echo "deb-src [signed-by=$key] http://deb.debian.org/debian-security bookworm-security main"
	} >"$apt_dir/sources.list"
	opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
		-o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
	apt-get "${opts[@]}" -qq update
	(cd "$out_dir" && apt-get "${opts[@]}" -qq --download-only source "qemu${version:+=$version}")
	dsc=$(have_dsc)
	[ -n "$dsc" ] || { echo "fetch-source: apt left no qemu .dsc in $out_dir" >&2; exit 1; }
fi
v=${dsc#qemu_}
echo "${v%.dsc}"
