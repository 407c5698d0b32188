# SPDX-License-Identifier: MIT
# Bash completion for segen and its other names (genprotimg, pvimg).
# The commands and options come from the program's own --help, so they
# cannot drift from what the installed segen accepts.

# _segen_help PROG [COMMAND]: the help text, the fullest one there is
_segen_help()
{
	"$@" --help-all 2>/dev/null || "$@" --help 2>/dev/null
}

# _segen_commands PROG: the commands under "Commands:" in PROG --help
_segen_commands()
{
	"$1" --help 2>/dev/null |
		awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

# _segen_opts HELP: every long and short option HELP names
_segen_opts()
{
	grep -oE '(^|[][ (|,])--?[a-zA-Z0-9][a-zA-Z0-9-]*' <<<"$1" | sed 's/^[^-]*//' |
		grep -E '^(--[a-z0-9-]*[a-z0-9]|-[a-zA-Z])$' | sort -u
}

# _segen_arg HELP OPTION: what HELP shows after OPTION: FILE, DIR, a|b, or nothing
_segen_arg()
{
	grep -oE -- "(^|[][ (|,])$2 ([A-Z][A-Z.]*|[a-z:]+(\\|[a-z:]+)+)" <<<"$1" | head -n 1 |
		sed 's/.* //'
}

_segen()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local prog=${COMP_WORDS[0]} help arg
	local -a cmd=("$prog")

	COMPREPLY=()
	case ${prog##*/} in
	genprotimg) ;;
	*)
		if ((COMP_CWORD == 1)); then
			mapfile -t COMPREPLY < <(compgen -W "$(_segen_commands "$prog") --help --version" \
				-- "$cur")
			return
		fi
		cmd+=("${COMP_WORDS[1]}")
		;;
	esac
	help=$(_segen_help "${cmd[@]}")
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_segen_opts "$help")" -- "$cur")
		return
	fi
	if [[ $prev == -* ]]; then
		arg=$(_segen_arg "$help" "$prev")
		case $arg in
		DIR)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return
			;;
		*'|'*)
			mapfile -t COMPREPLY < <(compgen -W "${arg//|/ }" -- "$cur")
			return
			;;
		VALUE | HEX | TEXT | SEC | MIB | ARG | NUMBER)
			return
			;;
		esac
	fi
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _segen segen genprotimg pvimg
