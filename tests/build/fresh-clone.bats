#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The project stands on its own: a clone of HEAD in an empty directory, with
# nothing beside it and none of this tree's environment, runs the unit and
# known-answer suites; two clones in different directories build the same bytes.
load helpers

setup_file() {
	# Paths of different lengths, so an embedded build path would show as a difference.
	export CLONE_A="$BATS_FILE_TMPDIR/a/segen"
	export CLONE_B="$BATS_FILE_TMPDIR/second-place/deeper/segen"
	mkdir -p "${CLONE_A%/*}" "${CLONE_B%/*}"
}

@test "the clone of HEAD sits alone in an empty directory" {
	clone_head "$CLONE_A"
	[ -f "$CLONE_A/Makefile" ]
	[ "$(ls -A "$CLONE_A/..")" = segen ]
}

@test "the unit and known-answer suites pass in the fresh clone, none skipped" {
	# The download cache is the one thing from outside: a unit test reads Debian's
	# s390x kernel from it (make test has fetched it).
	: "${CACHE_DIR:?}"
	run clean_env CACHE_DIR="$CACHE_DIR" nice make -C "$CLONE_A" --no-print-directory \
		NO_DEPS=1 -j2 unit-test
	printf '%s\n' "$output" | tail -n 12
	[ "$status" -eq 0 ]
	[[ "$(last_line)" =~ ^[1-9][0-9]*\ passed,\ 0\ failed,\ 0\ skipped$ ]]
	# The known answers were checked, against the clone's own vectors.
	printf '%s\n' "$output" | grep -q '^\[test_kat\] ok '
	# Nothing was read from this tree (its download cache aside).
	! printf '%s\n' "$output" | grep -F "$REPO/" | grep -q -v -F "$CACHE_DIR"
}

@test "no tracked file names the reference directory outside the project" {
	# The pattern is spelt so that this file does not match it.
	run git -C "$REPO" grep -n -E '(\.\./|/work/)shar[e]d' -- .
	printf '%s\n' "$output"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "two clones in different directories build byte-identical segen, stub blobs and man page" {
	clone_head "$CLONE_B"
	local epoch clone
	epoch=$(git -C "$REPO" log -1 --format=%ct)
	for clone in "$CLONE_A" "$CLONE_B"; do
		run clean_env SOURCE_DATE_EPOCH="$epoch" nice make -C "$clone" --no-print-directory \
			NO_DEPS=1 -j2 all
		[ "$status" -eq 0 ] || { printf '%s\n' "$output" | tail -n 20; false; }
	done
	local f
	for f in segen stub/stage-a.bin stub/stage-b.bin man/segen.1; do
		cmp "$CLONE_A/build/$f" "$CLONE_B/build/$f"
	done
	grep -q "^\.TH SEGEN 1 \"$(date -u -d "@$epoch" +%F)\" \"segen $VERSION\"" \
		"$CLONE_A/build/man/segen.1"
}
