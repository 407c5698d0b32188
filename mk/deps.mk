# SPDX-License-Identifier: MIT
# Debian packages the project needs; `make deps` installs the missing ones.
DEB_PACKAGES := build-essential make git gcc-s390x-linux-gnu binutils-s390x-linux-gnu \
	libc6-dev-s390x-cross qemu-system-misc libssl-dev libcurl4-openssl-dev zlib1g-dev \
	libarchive-dev bash-completion man-db \
	openssl bats cpio gzip xz-utils zstd libzstd-dev liblzma-dev libisal-dev linux-source-6.1 \
	bc flex bison libelf-dev kmod clang libclang-rt-14-dev clang-format python3 \
	python3-cryptography procps time dpkg-dev

deps:
	DEB_PACKAGES="$(sort $(DEB_PACKAGES))" CACHE_DIR="$(CACHE_DIR)" scripts/deps.sh
