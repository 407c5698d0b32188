# SPDX-License-Identifier: MIT
# Shared by the build-system tests: the repository under test and fresh clones of
# its committed HEAD, built with none of the variables `make test` exports.
: "${BUILD_DIR:?run through make test (BUILD_DIR unset)}"
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VERSION=$(cat "$REPO/VERSION")

# clone_head DIR: a clone of this repository's committed HEAD in DIR.
clone_head() {
	git -C "$REPO" rev-parse -q --verify HEAD >/dev/null || {
		echo "$REPO: not a git checkout with a commit; these tests clone HEAD" >&2
		return 1
	}
	git clone -q "$REPO" "$1"
}

# clean_env COMMAND...: COMMAND with a minimal environment, so a clone cannot
# reach back into this tree through VECTORS_DIR, CACHE_DIR, MAKEFLAGS and the like.
clean_env() {
	env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 TMPDIR="${TMPDIR:-/tmp}" "$@"
}

# last_line: the last line of $output
last_line() {
	printf '%s\n' "$output" | tail -n 1
}
