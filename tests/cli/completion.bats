#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Bash completion: loads through bash-completion, completes the commands, the
# options each command's --help names, and option arguments by their kind.

load helpers

COMPLETION="$BATS_TEST_DIRNAME/../../genimage/completion/segen.bash"

setup() {
	common_setup
	source /usr/share/bash-completion/bash_completion
	source "$COMPLETION"
}

# complete_words WORD...: what pressing TAB after the words offers, sorted
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_segen
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
}

@test "completion is registered for segen, genprotimg and pvimg" {
	[ "$(complete -p segen)" = "complete -F _segen segen" ]
	[ "$(complete -p genprotimg)" = "complete -F _segen genprotimg" ]
	[ "$(complete -p pvimg)" = "complete -F _segen pvimg" ]
}

@test "segen cr<TAB> gives create; segen <TAB> every command" {
	[ "$(complete_words "$SEGEN" cr)" = create ]
	[ "$(complete_words "$SEGEN" ver)" = "$(printf 'verify\nverify-hkd')" ]
	all=$(complete_words "$SEGEN" "")
	for cmd in create info verify unpack boot-test verify-hkd --help --version; do
		grep -qx -- "$cmd" <<<"$all"
	done
}

@test "segen create --no-<TAB> gives --no-component-check and --no-verify" {
	[ "$(complete_words "$SEGEN" create --no-)" = "$(printf -- '--no-component-check\n--no-verify')" ]
	[ "$(complete_words "$SEGEN" create --ramdisk-d)" = --ramdisk-dir ]
	# Experimental options too: they come from --help-all.
	[ "$(complete_words "$SEGEN" create -k a.crt --x-s)" = "$(printf -- '--x-scf\n--x-seed')" ]
	[ "$(complete_words "$SEGEN" boot-test --ti)" = --timeout ]
	[ "$(complete_words "$SEGEN" boot-test --pv)" = --pv-sim ]
	# genprotimg has no commands: its options come at once.
	ln -s "$SEGEN" "$TMP/genprotimg"
	[ "$(complete_words "$TMP/genprotimg" --help-)" = "$(printf -- '--help-all\n--help-experimental')" ]
}

@test "option arguments: directories, value lists, files, nothing" {
	mkdir "$TMP/rootfs" "$TMP/rootfs2"
	touch "$TMP/root.crt"
	[ "$(complete_words "$SEGEN" create --ramdisk-dir "$TMP/roo")" = \
		"$(printf '%s\n' "$TMP/rootfs" "$TMP/rootfs2")" ]
	[ "$(complete_words "$SEGEN" create -k "$TMP/roo")" = \
		"$(printf '%s\n' "$TMP/root.crt" "$TMP/rootfs" "$TMP/rootfs2")" ]
	[ "$(complete_words "$SEGEN" info --format "")" = \
		"$(printf 'json\njson:minify\njson:pretty\ntext\ntext:full')" ]
	[ -z "$(complete_words "$SEGEN" create --x-seed "")" ]
}
