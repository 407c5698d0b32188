#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The Debian package: dpkg-buildpackage on a clone of HEAD (the tree under test
# stays clean), lintian, and the packaged segen run from a scratch root.
load helpers

setup_file() {
	export SRC="$BATS_FILE_TMPDIR/src/segen" ROOT="$BATS_FILE_TMPDIR/root"
	export DEB_ARCH
	DEB_ARCH=$(dpkg --print-architecture)
	export DEB="$BATS_FILE_TMPDIR/src/segen_${VERSION}_${DEB_ARCH}.deb"
	mkdir -p "${SRC%/*}"
	clone_head "$SRC"
}

@test "dpkg-buildpackage -us -uc -b builds the segen package, its unit suites passing" {
	cd "$SRC"
	run clean_env DEB_BUILD_OPTIONS=parallel=2 nice dpkg-buildpackage -us -uc -b
	printf '%s\n' "$output" | tail -n 25
	[ "$status" -eq 0 ]
	[ -s "$DEB" ]
	# dh_auto_test ran the unit suites (debian/rules), none skipped.
	printf '%s\n' "$output" | grep -q -E '^[1-9][0-9]* passed, 0 failed, 0 skipped$'
	printf '%s\n' "$output" | grep -q '^\[test_kat\] ok '
}

@test "lintian reports no errors" {
	run lintian --fail-on error "${DEB%.deb}.changes"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "the package holds what make install installs, and the documentation" {
	run clean_env nice make -C "$SRC" --no-print-directory NO_DEPS=1 -j2 install \
		PREFIX=/usr DESTDIR="$BATS_TEST_TMPDIR/inst"
	[ "$status" -eq 0 ] || { printf '%s\n' "$output"; false; }
	local installed packaged
	# dh_compress gzips man pages (and renames links to them) in the package.
	installed=$(cd "$BATS_TEST_TMPDIR/inst" && find . ! -type d | sed -E 's|^(\./usr/share/man/.*)$|\1.gz|' | sort)
	packaged=$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print $6}' | grep -v '^\./usr/share/doc/' | sort)
	[ -n "$installed" ]
	diff <(printf '%s\n' "$installed") <(printf '%s\n' "$packaged")
	dpkg-deb -c "$DEB" | grep -q ' \./usr/share/doc/segen/copyright$'
	dpkg-deb -c "$DEB" | grep -q ' \./usr/bin/genprotimg -> segen$'
}

@test "segen from the package, unpacked into a scratch root, reports its version" {
	dpkg-deb -x "$DEB" "$ROOT"
	run "$ROOT/usr/bin/segen" --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"$VERSION"* ]]
	# Linked against the system's libraries only, none of this tree.
	! ldd "$ROOT/usr/bin/segen" | grep -q -e 'not found' -e "$REPO"
	run hardening-check --quiet --nocfprotection "$ROOT/usr/bin/segen"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "segen and genprotimg from the package create images of Debian's kernel that verify" {
	: "${CACHE_DIR:?}"
	local guest="$CACHE_DIR/guest" w="$BATS_TEST_TMPDIR"
	[ -s "$guest/vmlinuz" ] && [ -s "$guest/busybox" ]
	"$REPO/scripts/make-initrd.sh" "$guest/busybox" "$w/initrd.gz" DEB-TEST
	printf 'console=ttysclp0 quiet panic=-1\n' >"$w/parmfile"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes \
		-keyout "$w/host.key" -out "$w/host.crt" -subj "/CN=deb test host" -days 1 2>/dev/null
	run "$ROOT/usr/bin/segen" create -i "$guest/vmlinuz" -r "$w/initrd.gz" -p "$w/parmfile" \
		-k "$w/host.crt" --no-verify -o "$w/guest.img"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	run "$ROOT/usr/bin/segen" verify "$w/guest.img" --host-key "$w/host.key"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	run "$ROOT/usr/bin/genprotimg" -i "$guest/vmlinuz" -r "$w/initrd.gz" -p "$w/parmfile" \
		-k "$w/host.crt" --no-verify -o "$w/guest2.img"
	[ "$status" -eq 0 ]
	run "$ROOT/usr/bin/segen" verify "$w/guest2.img" --host-key "$w/host.key"
	[ "$status" -eq 0 ]
	# A key that is not the image's host key is refused.
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp521r1 -out "$w/other.key" 2>/dev/null
	run "$ROOT/usr/bin/segen" verify "$w/guest.img" --host-key "$w/other.key"
	[ "$status" -ne 0 ]
}
