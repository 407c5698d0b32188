/* SPDX-License-Identifier: MIT */
/*
 * Program-check handling shared by every stub program.
 *
 * The program's entry code calls stub_install_program_check_handler (from
 * assembler, before anything else) with the nested-check wait code in r2.
 * From then on a program interruption prints the interruption code, the
 * instruction length, the old PSW and what the program was doing, and stops
 * with the program's stub_wait_program_check code. A program interruption
 * during that report loads a disabled-wait PSW with the nested code directly,
 * so a broken console can never turn into an interruption loop.
 */
#ifndef STUB_PROGCHECK_H
#define STUB_PROGCHECK_H

#include <stdint.h>

/* Defined by each program: the wait code of a reported program check. */
extern const uint64_t stub_wait_program_check;

/*
 * What the program is doing, for the report ("setting the IPIB ...");
 * NULL when nothing specific. Set it before a step that may fault.
 */
extern const char *stub_current_step;

/* Called from the assembler entry; prints the report and stops. */
__attribute__((noreturn)) void stub_program_check_report(void);

#endif /* STUB_PROGCHECK_H */
