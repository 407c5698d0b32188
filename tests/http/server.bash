# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Start and stop tests/http/crl_server.py from shell tests (bats: load ../http/server).
#
#   start_crl_server ROOT_DIR STATE_DIR [extra crl_server.py options]
#     sets CRL_SERVER_PID, CRL_SERVER_PORT, CRL_SERVER_DEAD_PORT, CRL_SERVER_LOG
#   stop_crl_server

CRL_SERVER_PY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/crl_server.py"

start_crl_server() {
	local root=$1 state=$2 i
	shift 2
	mkdir -p "$state"
	CRL_SERVER_LOG=$state/requests.log
	: >"$CRL_SERVER_LOG"
	rm -f "$state/port"
	# No inherited descriptors: bats waits for its fd 3 to close before it ends.
	python3 "$CRL_SERVER_PY" --root "$root" --port-file "$state/port" \
		--log "$CRL_SERVER_LOG" "$@" </dev/null >"$state/server.out" 2>&1 3>&- &
	CRL_SERVER_PID=$!
	for ((i = 0; i < 100; i++)); do
		if [ -s "$state/port" ]; then
			read -r CRL_SERVER_PORT CRL_SERVER_DEAD_PORT <"$state/port"
			export CRL_SERVER_PID CRL_SERVER_PORT CRL_SERVER_DEAD_PORT CRL_SERVER_LOG
			return 0
		fi
		if ! kill -0 "$CRL_SERVER_PID" 2>/dev/null; then
			cat "$state/server.out" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "CRL server did not start within 10 s" >&2
	stop_crl_server
	return 1
}

stop_crl_server() {
	if [ -n "${CRL_SERVER_PID:-}" ]; then
		kill "$CRL_SERVER_PID" 2>/dev/null || true
		wait "$CRL_SERVER_PID" 2>/dev/null || true
		CRL_SERVER_PID=
	fi
}
