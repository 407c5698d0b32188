#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Built as a Debian package expects: hardened by default, and the caller's
# CPPFLAGS, CFLAGS and LDFLAGS added to segen's flags (and its tests'), never put
# in their place; the freestanding s390x stub keeps its own flags.
load helpers

# Debian 12's C start files (crt1.o, crti.o) carry no IBT/SHSTK property, so no
# program linked against them is marked for control-flow protection, however it
# was compiled; hardening-check can only require that where they do.
cf_option() {
	local crt
	crt=$(${CC:-cc} -print-file-name=Scrt1.o)
	readelf -n "$crt" 2>/dev/null | grep -q 'x86 feature: IBT, SHSTK' || echo --nocfprotection
}

@test "hardening-check passes on segen: PIE, stack protector, fortified calls, RELRO, bind now" {
	local opts=()
	# A sanitizer build (make check) goes without fortification on purpose (mk/flags.mk).
	[ -z "${SANITIZE:-}" ] || opts+=(--nofortify)
	run hardening-check $(cf_option) "${opts[@]}" "$SEGEN"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "on x86, every object segen is linked from is marked for IBT and shadow stacks" {
	case "$(${CC:-cc} -dumpmachine)" in x86_64-*) ;; *) return 0 ;; esac
	local obj n=0
	for obj in "$BUILD_DIR"/obj/stub_blobs.o "$BUILD_DIR"/obj/info_schema.o \
		"$BUILD_DIR"/obj/genimage/src/*/*.o; do
		n=$((n + 1))
		readelf -n "$obj" | grep -q 'x86 feature: IBT, SHSTK' || {
			echo "$obj: no IBT/SHSTK property" >&2
			return 1
		}
	done
	[ "$n" -gt 10 ]
}

# dry_run VAR=VALUE...: the commands `make all` and the unit tests would run, for a
# fresh build directory, with the given environment.
dry_run() {
	run env "$@" make -C "$REPO" --no-print-directory -n -B NO_DEPS=1 \
		BUILD="$BATS_TEST_TMPDIR/build" all "$BATS_TEST_TMPDIR/build/tests/test_kat"
	[ "$status" -eq 0 ] || { printf '%s\n' "$output"; return 1; }
}

@test "CFLAGS, CPPFLAGS and LDFLAGS from the environment are added to segen's flags" {
	dry_run CFLAGS=-DSEGEN_MARK_CFLAGS CPPFLAGS=-DSEGEN_MARK_CPPFLAGS LDFLAGS=-Wl,-O1,--segen-mark
	local compiles links line
	compiles=$(printf '%s\n' "$output" | grep -E -- ' -c genimage/src/|tests/unit/test_kat\.c')
	[ "$(printf '%s\n' "$compiles" | wc -l)" -gt 10 ]
	while IFS= read -r line; do
		for flag in -DSEGEN_MARK_CFLAGS -DSEGEN_MARK_CPPFLAGS -std=gnu11 -Wconversion \
			-D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE \
			-ffile-prefix-map=; do
			[[ " $line " == *" $flag"* ]] || { echo "missing $flag: $line" >&2; return 1; }
		done
	done <<<"$compiles"
	# segen's link, and the unit test's compile-and-link command.
	links=$(printf '%s\n' "$output" |
		grep -E -- "-o $BATS_TEST_TMPDIR/build/segen |tests/unit/test_kat\.c")
	[ "$(printf '%s\n' "$links" | wc -l)" -eq 2 ]
	while IFS= read -r line; do
		for flag in -Wl,-O1,--segen-mark -pie -Wl,-z,relro -Wl,-z,now; do
			[[ " $line " == *" $flag "* ]] || { echo "missing $flag: $line" >&2; return 1; }
		done
	done <<<"$links"
}

@test "the caller's flags come after the project's, so they can override one" {
	dry_run CFLAGS=-O0
	local line
	line=$(printf '%s\n' "$output" | grep -m1 -- ' -c genimage/src/cli/main\.c')
	[[ "$line" == *" -O2 "*" -O0 "* ]]
}

@test "a caller's own _FORTIFY_SOURCE level replaces the default one" {
	dry_run CPPFLAGS=-D_FORTIFY_SOURCE=3
	local compiles
	compiles=$(printf '%s\n' "$output" | grep -- ' -c genimage/src/')
	[ -n "$compiles" ]
	! printf '%s\n' "$compiles" | grep -q -- -D_FORTIFY_SOURCE=2
	! printf '%s\n' "$compiles" | grep -v -q -- -D_FORTIFY_SOURCE=3
}

@test "the freestanding s390x stub gets none of the caller's or the hardening flags" {
	dry_run CFLAGS=-DSEGEN_MARK_CFLAGS CPPFLAGS=-DSEGEN_MARK_CPPFLAGS
	local stub
	stub=$(printf '%s\n' "$output" | grep -- '^s390x-linux-gnu-gcc .* -c ')
	[ "$(printf '%s\n' "$stub" | wc -l)" -gt 5 ]
	! printf '%s\n' "$stub" | grep -q -E -- 'SEGEN_MARK|_FORTIFY_SOURCE|-fstack-protector-strong|-fPIE'
	printf '%s\n' "$stub" | grep -v -q -- -fno-stack-protector && return 1
	true
}

@test "sanitizer builds leave fortification out, whatever the caller's CPPFLAGS say" {
	dry_run SANITIZE=1 CPPFLAGS=-D_FORTIFY_SOURCE=2
	local compiles
	compiles=$(printf '%s\n' "$output" | grep -- ' -c genimage/src/')
	[ -n "$compiles" ]
	printf '%s\n' "$compiles" | grep -q -- -fsanitize=address
	# The last word about _FORTIFY_SOURCE on every line is -U.
	! printf '%s\n' "$compiles" | sed 's/.*\(-[DU]_FORTIFY_SOURCE\)/\1/' | grep -q -v '^-U_FORTIFY_SOURCE'
}
