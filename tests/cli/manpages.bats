#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The man pages and --help say the same: every option a command's help names
# is in its page's OPTIONS, and every option there is in the help; every
# command has its page; every page renders without a warning; make install
# puts them, and the completion, where man and bash-completion look.

load helpers

REPO="$BATS_TEST_DIRNAME/../.."
MAN="$REPO/genimage/man"

# The options a text names: --long and -s, as written in a help text.
options_in() {
	grep -oE '(^|[][ (|,])--?[a-zA-Z0-9][a-zA-Z0-9-]*' | sed 's/^[^-]*//' |
		grep -E '^(--[a-z0-9-]*[a-z0-9]|-[a-zA-Z])$' |
		grep -vxE -- '-h|--help' | LC_ALL=C sort -u
}

# help_options PROG [COMMAND]: the options of the fullest help there is
help_options() {
	{ "$@" --help-all 2>/dev/null || "$@" --help; } | options_in
}

# page_options PAGE: the options of the .TP headings in PAGE's OPTIONS section
page_options() {
	awk '/^\.SH/ { on = ($2 == "OPTIONS") } on && prev == ".TP" { print } { prev = $0 }' \
		"$1" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/"/ /g' | options_in
}

commands() {
	"$SEGEN" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'
}

@test "every command has a man page, and segen(1) lists every command" {
	[ -n "$(commands)" ]
	for cmd in $(commands); do
		[ -f "$MAN/segen-$cmd.1" ] || { echo "no page for $cmd" >&2; return 1; }
		grep -qx "\\.B $(sed 's/-/\\\\-/g' <<<"$cmd")" "$MAN/segen.1" ||
			{ echo "segen(1) does not list $cmd" >&2; return 1; }
		grep -q "^\\.BR segen\\\\-$(sed 's/-/\\\\-/g' <<<"$cmd") (1)" "$MAN/segen.1" ||
			{ echo "segen(1) does not refer to segen-$cmd(1)" >&2; return 1; }
	done
	# and no page for a command that does not exist
	for page in "$MAN"/segen-*.1; do
		name=$(basename "$page" .1)
		commands | grep -qx "${name#segen-}" || { echo "stale page $name" >&2; return 1; }
	done
}

@test "each command's --help and its man page name the same options" {
	for cmd in $(commands); do
		diff -u --label "segen $cmd --help" <(help_options "$SEGEN" "$cmd") \
			--label "segen-$cmd.1" <(page_options "$MAN/segen-$cmd.1") ||
			{ echo "segen $cmd: --help and segen-$cmd.1 differ" >&2; return 1; }
		[ -n "$(page_options "$MAN/segen-$cmd.1")" ]
	done
	diff -u <("$SEGEN" --help | options_in) <(page_options "$MAN/segen.1")
	ln -s "$SEGEN" "$BATS_TEST_TMPDIR/genprotimg"
	diff -u <(help_options "$BATS_TEST_TMPDIR/genprotimg") \
		<(page_options "$MAN/segen-create.1")
}

@test "the comparison sees an option missing on either side" {
	sed '/^\.B \\-\\-overwrite$/,+1d' "$MAN/segen-create.1" > "$BATS_TEST_TMPDIR/cut.1"
	! diff -q <(help_options "$SEGEN" create) <(page_options "$BATS_TEST_TMPDIR/cut.1")
	help_options "$SEGEN" create | grep -qx -- --ramdisk-dir
	page_options "$MAN/segen-create.1" | grep -qx -- --ramdisk-dir
	page_options "$MAN/segen-create.1" | grep -qx -- -k
}

@test "every man page renders without a warning" {
	for page in "$MAN"/*.1; do
		run env MANWIDTH=80 man --warnings -l "$page"
		[ "$status" -eq 0 ]
		err=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$err" ] || { echo "$page: $err" >&2; return 1; }
	done
}

@test "make install puts the pages and the completion where man and bash look" {
	local dest="$BATS_TEST_TMPDIR/dest"
	make -s -C "$REPO" BUILD="$BUILD_DIR" DESTDIR="$dest" PREFIX=/usr install >/dev/null
	for cmd in $(commands); do
		[ -f "$dest/usr/share/man/man1/segen-$cmd.1" ]
	done
	MANPATH="$dest/usr/share/man" man -w segen-create | grep -q "$dest"
	MANPATH="$dest/usr/share/man" man -w genprotimg | grep -q "$dest"
	[ -x "$dest/usr/bin/segen" ]
	run env XDG_DATA_DIRS="$dest/usr/share" bash -c \
		'source /usr/share/bash-completion/bash_completion
		 for name in segen genprotimg; do
			 __load_completion "$name" && complete -p "$name"
		 done'
	[ "$status" -eq 0 ]
	[[ "$output" == *"complete -F _segen segen"* ]]
	[[ "$output" == *"complete -F _segen genprotimg"* ]]
	make -s -C "$REPO" BUILD="$BUILD_DIR" DESTDIR="$dest" PREFIX=/usr uninstall
	[ -z "$(find "$dest" -type f -o -type l)" ]
}
