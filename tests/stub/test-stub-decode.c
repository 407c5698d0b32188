// SPDX-License-Identifier: MIT
/*
 * Host tests of what the stub says about codes that QEMU TCG cannot make it
 * meet: the packed DIAGNOSE 308 subcode 10 failure (only a real Secure
 * Execution host returns one) and the wait-code table segen reads.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "stage-a.h"
#include "stub-wait-codes.h"
#include "tap.h"

static const uint64_t all_wait_codes[] = {
	STUB_WAIT_A_BAD_PARAMS,
	STUB_WAIT_A_BAD_PARAMS_VERSION,
	STUB_WAIT_A_BAD_HEADER,
	STUB_WAIT_A_BAD_IPIB_ADDR,
	STUB_WAIT_A_BAD_IPIB,
	STUB_WAIT_A_NO_STFLE,
	STUB_WAIT_A_NO_SECURE_EXECUTION,
	STUB_WAIT_A_SET_IPIB_FAILED,
	STUB_WAIT_A_UNPACK_FAILED,
	STUB_WAIT_A_PROGRAM_CHECK,
	STUB_WAIT_A_NESTED_PROGRAM_CHECK,
	STUB_WAIT_A_INTERNAL,
	STUB_WAIT_B_BAD_PARAMS,
	STUB_WAIT_B_BAD_KERNEL,
	STUB_WAIT_B_OVERLAP,
	STUB_WAIT_B_CMDLINE_UNTERMINATED,
	STUB_WAIT_B_CMDLINE_EMBEDDED_NUL,
	STUB_WAIT_B_CMDLINE_TOO_LONG,
	STUB_WAIT_B_PROGRAM_CHECK,
	STUB_WAIT_B_NESTED_PROGRAM_CHECK,
	STUB_WAIT_B_KERNEL_EARLY_PROGRAM_CHECK,
	STUB_WAIT_B_INTERNAL,
};

#define NR_WAIT_CODES (sizeof(all_wait_codes) / sizeof(all_wait_codes[0]))

static bool contains(const char *text, const char *part)
{
	return text && strstr(text, part);
}

static void test_unpack_failure_decode(void)
{
	struct unpack_failure f;

	unpack_failure_decode(0x0003001b01020a02ULL, &f);
	ok(f.uv_cmd == 3 && f.uv_rrc == 0x1b && f.uv_rc == 0x102 && f.diag_rc == 0x0a02,
	   "packed cmd:16|rrc:16|rc:16|diag-rc:16 splits into its four fields");
	unpack_failure_decode(0x0a02, &f);
	ok(f.uv_cmd == 0 && f.uv_rrc == 0 && f.uv_rc == 0 && f.diag_rc == 0x0a02,
	   "QEMU 7.2's bare diag-rc 0x0a02 leaves the Ultravisor fields 0");
}

static void test_texts(void)
{
	ok(contains(diag308_rc_text(0x0a02), "secure mode"), "diag rc 0x0a02: no secure mode");
	ok(contains(diag308_rc_text(0x0402), "IPIB invalid"), "diag rc 0x0402: invalid IPIB");
	ok(contains(diag308_rc_text(0x0902), "no Secure Execution IPIB"),
	   "diag rc 0x0902: no PV IPIB set");
	ok(contains(diag308_rc_text(0x1234), "unknown"), "unknown diag rc says so");
	ok(!strcmp(uv_command_text(3), "unpack"), "UV command 3 is unpack");
	ok(contains(uv_rc_text(0x102, 0x1a), "ALD"), "rc 0x102 rrc 0x1a: ALD");
	ok(contains(uv_rc_text(0x102, 0x1b), "PLD"), "rc 0x102 rrc 0x1b: PLD");
	ok(contains(uv_rc_text(0x102, 0x1c), "TLD"), "rc 0x102 rrc 0x1c: TLD");
	ok(contains(uv_rc_text(0x102, 0x1d), "number of encrypted pages"),
	   "rc 0x102 rrc 0x1d: page count");
	ok(contains(uv_rc_text(0x104, 0), "header version"), "rc 0x104: header version");
	ok(contains(uv_rc_text(0x106, 0), "PCF"), "rc 0x106: PCF");
	ok(contains(uv_rc_text(0x108, 0x05), "no key slot"), "rc 0x108 rrc 0x05: no key slot");
	ok(contains(uv_rc_text(0x108, 0x0b), "customer public key"),
	   "rc 0x108 rrc 0x0b: customer key");
	ok(contains(uv_rc_text(0x109, 0), "SCF"), "rc 0x109: SCF");
	ok(contains(uv_rc_text(0x10a, 0x31), "header length"), "rc 0x10a rrc 0x31");
	ok(contains(uv_rc_text(0x10a, 0x39), "encrypted area"), "rc 0x10a rrc 0x39");
	ok(contains(uv_rc_text(0x10a, 0x40), "no key slots"), "rc 0x10a rrc 0x40");
	ok(contains(uv_rc_text(0x777, 0), "unknown"), "unknown UV rc says so");
}

static void test_wait_code_table(void)
{
	bool all_named = true, all_distinct = true, none_clean = true;

	for (size_t i = 0; i < NR_WAIT_CODES; i++) {
		if (!stub_wait_code_meaning(all_wait_codes[i]))
			all_named = false;
		if ((all_wait_codes[i] & 0xfff) == 0xfff)
			none_clean = false;
		for (size_t j = 0; j < i; j++) {
			if (all_wait_codes[i] == all_wait_codes[j])
				all_distinct = false;
		}
	}
	ok(all_named, "every wait code has a meaning for segen boot-test");
	ok(all_distinct, "wait codes are distinct");
	ok(none_clean, "no wait code ends in 0xfff (QEMU's clean shutdown)");
	ok(stub_wait_code_meaning(0xfff) == NULL, "0xfff is not a stub wait code");
	ok(contains(stub_wait_code_meaning(STUB_WAIT_A_NO_SECURE_EXECUTION), "161"),
	   "0xa070 is the missing facility 161");
}

int main(void)
{
	test_unpack_failure_decode();
	test_texts();
	test_wait_code_table();
	return done_testing();
}
