#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages in $DEB_PACKAGES that are missing. Idempotent and
# quiet when nothing is missing, so `make deps` is cheap to run every time.
set -euo pipefail

missing=()
for pkg in $DEB_PACKAGES; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$pkg")
done

# The s390x guest packages (kernel, busybox) are downloaded, never installed;
# apt needs the architecture to know about them.
need_arch=0
dpkg --print-foreign-architectures | grep -qx s390x || need_arch=1

if [ ${#missing[@]} -eq 0 ] && [ $need_arch -eq 0 ]; then
	echo "deps: all $(wc -w <<<"$DEB_PACKAGES") packages present"
	exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
[ $need_arch -eq 0 ] || $sudo dpkg --add-architecture s390x
$sudo apt-get -o DPkg::Lock::Timeout=900 update -q
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends \
		"${missing[@]}"
fi
