// SPDX-License-Identifier: MIT
/* The program-check report; the entry and the installer are in progcheck.S. */
#include "console.h"
#include "cpu.h"
#include "progcheck.h"

const char *stub_current_step;

static const char *program_interruption_name(uint16_t code)
{
	switch (code & 0x7f) {
	case 0x01:
		return "operation exception";
	case 0x02:
		return "privileged-operation exception";
	case 0x03:
		return "execute exception";
	case 0x04:
		return "protection exception";
	case 0x05:
		return "addressing exception";
	case 0x06:
		return "specification exception";
	case 0x07:
		return "data exception";
	case 0x10:
		return "segment-translation exception";
	case 0x11:
		return "page-translation exception";
	default:
		return "unexpected program interruption";
	}
}

void stub_program_check_report(void)
{
	uint16_t code = lowcore_read16(LC_PGM_INT_CODE);
	unsigned int ilc = (lowcore_read8(LC_PGM_ILC) >> 1) & 3;
	uint64_t mask = lowcore_read64(LC_PGM_OLD_PSW);
	uint64_t addr = lowcore_read64(LC_PGM_OLD_PSW + 8);
	const char *step = stub_current_step;

	console_printf("program check: interruption code 0x%04x, instruction length %u, "
		       "old PSW 0x%016lx 0x%016lx",
		       code, ilc * 2, (unsigned long)mask, (unsigned long)addr);
	stub_fatal(stub_wait_program_check, "program check 0x%04x (%s) at 0x%lx%s%s", code,
		   program_interruption_name(code), (unsigned long)addr, step ? " while " : "",
		   step ? step : "");
}
