#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The KUnit tests of the series, as TAP on stdout: build (or reuse) the
# guest kernel of scripts/build-kernel.sh, which has KUnit built in but off,
# boot it under qemu-system-s390x with kunit.enable=1 and
# kunit_shutdown=poweroff, and turn every KUnit case the kernel prints into
# one test of ours. The kernel's own KTAP is shown as comments.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
export CACHE_DIR=${CACHE_DIR:-$here/../.cache}
qemu=${QEMU:-qemu-system-s390x}
boot_timeout=${BOOT_TIMEOUT:-180}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set +e

n=0
ok() { # ok CONDITION-RESULT DESCRIPTION [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '#   %s\n' "$3"
	fi
}
finish() {
	echo "1..$n"
	exit 0
}

if ! out=$("$here/scripts/build-kernel.sh" 2>"$tmp/build.err"); then
	ok 1 "kunit: guest kernel builds" "$(tail -5 "$tmp/build.err" | tr '\n' ' ')"
	finish
fi
grep -qx "CONFIG_PROTECTED_VIRTUALIZATION_IO_KUNIT_TEST=y" "$out/.config"
ok $? "kunit: the guest kernel has the walker's KUnit tests built in"

start=$(date +%s)
timeout "$boot_timeout" "$qemu" -machine s390-ccw-virtio -m 512 -smp 1 -nodefaults \
	-display none -serial stdio -no-reboot -action panic=exit-failure \
	-kernel "$out/arch/s390/boot/bzImage" \
	-append "console=ttysclp0 kunit.enable=1 kunit_shutdown=poweroff" \
	</dev/null >"$tmp/kunit.log" 2>&1
rc=$?
ok $rc "kunit: the guest runs KUnit and powers off ($(($(date +%s) - start)) s)" \
	"qemu exit $rc; last console lines: $(tail -3 "$tmp/kunit.log" | tr '\n' '|')"

# KTAP as the kernel prints it: "    # Subtest: SUITE", "    1..N", then
# "    ok K CASE" or "    not ok K CASE [# SKIP ...]" with "    # ..." lines
# before a failed case.
sed -e 's/\r$//' -e 's/^\[ *[0-9.]*\] //' "$tmp/kunit.log" >"$tmp/ktap"
suite="" planned=0 seen=0 diag=""
while IFS= read -r line; do
	case "$line" in
	"    # Subtest: "*)
		suite=${line#    # Subtest: }
		planned=0 seen=0 ;;
	"    1.."*)
		planned=${line#    1..} ;;
	"    ok "* | "    not ok "*)
		seen=$((seen + 1))
		body=${line#    }
		name=${body#ok }
		name=${name#not ok }
		name=${name#* }
		name=${name#- }
		if [[ "$body" == ok* ]]; then
			if [[ "$name" == *"# SKIP"* ]]; then
				echo "ok $((n + 1)) - kunit $suite: ${name%% #*} # SKIP ${name#*# SKIP}"
				n=$((n + 1))
			else
				ok 0 "kunit $suite: $name"
			fi
		else
			ok 1 "kunit $suite: $name" "$diag"
		fi
		diag="" ;;
	"    # "*": EXPECTATION FAILED"* | "    # "*": ASSERTION FAILED"*)
		diag=${line#    # } ;;
	"# Totals:"*)
		echo "# kernel: $line" ;;
	"ok "* | "not ok "*)
		# the suite's own line: every case it announced must have been seen
		[ -n "$suite" ] && [ "$planned" -gt 0 ] && [ "$seen" -eq "$planned" ]
		ok $? "kunit $suite: all $planned cases reported" "seen $seen of $planned" ;;
	esac
done <"$tmp/ktap"
[ "$n" -gt 3 ]
ok $? "kunit: the kernel printed KUnit results" "$(grep -c 'Subtest' "$tmp/ktap") suites in the log"
finish
