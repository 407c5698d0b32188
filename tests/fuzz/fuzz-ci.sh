#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fuzz-ci.sh SECONDS TARGET...: a short libFuzzer run per target on the corpus
# kept in the tree; fails on any crash. Writes FUZZ_OUT/stats.tsv:
# target, executions, seconds, corpus inputs, result.
set -uo pipefail
: "${FUZZ_BIN_DIR:?}" "${FUZZ_CORPUS:?}" "${FUZZ_OUT:?}"
seconds=$1
shift
mkdir -p "$FUZZ_OUT"
stats="$FUZZ_OUT/stats.tsv"
: > "$stats"
failed=0
for t in "$@"; do
	mkdir -p "$FUZZ_OUT/$t" "$FUZZ_CORPUS/$t"
	log="$FUZZ_OUT/$t.log"
	start=$(date +%s)
	# -error_exitcode: any crash, sanitizer report or leak fails the run.
	"$FUZZ_BIN_DIR/libfuzzer_$t" -max_total_time="$seconds" -max_len=262144 -timeout=25 \
		-rss_limit_mb=2048 -error_exitcode=77 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_OUT/$t-" "$FUZZ_OUT/$t" "$FUZZ_CORPUS/$t" >"$log" 2>&1
	rc=$?
	elapsed=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	inputs=$(ls "$FUZZ_CORPUS/$t" | wc -l)
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc)"
		failed=1
		grep -E "^(==|SUMMARY|.*ERROR)" "$log" | head -20
		ls "$FUZZ_OUT/$t"-* 2>/dev/null | sed 's/^/artifact: /'
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:-0}" "$elapsed" "$inputs" "$result" >> "$stats"
	echo "fuzz-ci: $t: ${execs:-0} executions in $elapsed s on $inputs corpus inputs: $result"
done
exit "$failed"
