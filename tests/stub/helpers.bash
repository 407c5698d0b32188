# SPDX-License-Identifier: MIT
# Helpers for the stub's QEMU tests (tests/stub/*.bats).
#
# boot FILE starts FILE with qemu-system-s390x -kernel (software emulation)
# and sets:
#   console      what the guest wrote on the SCLP console, without CRs
#   qemu_status  QEMU's exit status: 0 after a 0xFFF wait, 1 after any other
#                disabled wait (a guest panic, with -action panic=exit-failure)
#   wait_code    the address of the disabled-wait PSW as 0x..., read from the
#                "PSW:" line QEMU logs for a guest panic (-d guest_errors);
#                empty when there was none

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(cd "$TESTS_DIR/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build}
STUB_BUILD=$BUILD_DIR/stub
STAGE_A_BIN=${STUB_STAGE_A_BIN:-$STUB_BUILD/stage-a.bin}
STAGE_B_BIN=${STUB_STAGE_B_BIN:-$STUB_BUILD/stage-b.bin}
STAGE_A_TEST_BIN=$STUB_BUILD/test/stage-a-skip-facility-check.bin
STAGE_A_SCLP_DEAF_BIN=$STUB_BUILD/test/stage-a-sclp-ignore-signals.bin
FAKE_KERNEL_CODE=$STUB_BUILD/test/fake-kernel.bin
TESTIMG=$STUB_BUILD/test/stub-testimg
WAIT_CODES_H=$SRC_DIR/stub/include/stub-wait-codes.h
QEMU=${QEMU:-qemu-system-s390x}
# A boot takes well under a second; the limit only stops a hung guest.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-30}

# wait_code NAME: the value of STUB_WAIT_NAME from stub-wait-codes.h, as 0x...
wait_code() {
	local hex
	hex=$(sed -n "s/^#define STUB_WAIT_$1 0x\([0-9a-fA-F]*\).*/\1/p" "$WAIT_CODES_H")
	[ -n "$hex" ] || { echo "no wait code STUB_WAIT_$1 in $WAIT_CODES_H" >&2; return 1; }
	printf '0x%x\n' "$((16#$hex))"
}

boot() {
	local out=$BATS_TEST_TMPDIR/console.raw log=$BATS_TEST_TMPDIR/qemu.log hex
	rm -f "$log"
	qemu_status=0
	timeout "$QEMU_TIMEOUT" "$QEMU" -machine s390-ccw-virtio -m 512 -nodefaults \
		-display none -serial stdio -no-reboot -action panic=exit-failure \
		-d guest_errors -D "$log" -kernel "$1" </dev/null >"$out" \
		2>"$BATS_TEST_TMPDIR/qemu.stderr" || qemu_status=$?
	console=$(tr -d '\r' <"$out")
	wait_code=
	hex=$(sed -n 's/^PSW: 0x[0-9a-f]* 0x\([0-9a-f]*\)$/\1/p' "$log" 2>/dev/null | tail -n 1)
	if [ -n "$hex" ]; then
		wait_code=$(printf '0x%x' "$((16#$hex))")
	fi
}

show_boot() {
	echo "--- QEMU exit status $qemu_status, wait code ${wait_code:-none}"
	echo "--- console:"
	printf '%s\n' "$console"
	echo "--- QEMU stderr and log:"
	cat "$BATS_TEST_TMPDIR/qemu.stderr" "$BATS_TEST_TMPDIR/qemu.log" 2>/dev/null || true
}

# assert_console TEXT: the console shows TEXT (a fixed string) on some line.
assert_console() {
	if ! grep -qF -- "$1" <<<"$console"; then
		echo "console does not show: $1"
		show_boot
		return 1
	fi
}

refute_console() {
	if grep -qF -- "$1" <<<"$console"; then
		echo "console unexpectedly shows: $1"
		show_boot
		return 1
	fi
}

# assert_stopped NAME: the guest stopped in the disabled wait STUB_WAIT_NAME,
# QEMU reported a guest panic, and the console named the code.
assert_stopped() {
	local code
	code=$(wait_code "$1")
	if [ "$qemu_status" -ne 1 ] || [ "$wait_code" != "$code" ]; then
		echo "expected a guest panic (exit 1) with wait code $code (STUB_WAIT_$1)"
		show_boot
		return 1
	fi
	assert_console "stopped, disabled wait code $code"
}

# assert_kernel_ran: the test kernel got control and QEMU shut down cleanly.
assert_kernel_ran() {
	if [ "$qemu_status" -ne 0 ] || [ -n "$wait_code" ]; then
		echo "expected the test kernel to end with a clean shutdown (exit 0)"
		show_boot
		return 1
	fi
	assert_console "fake-kernel: started at 0x10000"
	assert_console "fake-kernel: done"
}

# The command line the test kernel printed between "cmdline=[" and "]".
printed_cmdline() {
	sed -n 's/^fake-kernel: cmdline=\[\(.*\)\]$/\1/p' <<<"$console"
}

# make_cmdline FILE LENGTH [NUL]: LENGTH printable bytes, then a NUL unless
# the third argument is "no-nul".
make_cmdline() {
	local file=$1 len=$2
	head -c "$len" /dev/zero | tr '\0' 'c' >"$file"
	if [ "${3:-}" != no-nul ]; then
		printf '\0' >>"$file"
	fi
}

fnv() {
	"$TESTIMG" fnv "$@"
}
