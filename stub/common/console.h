/* SPDX-License-Identifier: MIT */
/*
 * Console messages of the stub: one formatted line per call on the SCLP
 * console, prefixed with the program's name, and the fatal path that ends
 * every error in a disabled wait.
 */
#ifndef STUB_CONSOLE_H
#define STUB_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Each program defines its name ("stage-a", ...) for the message prefix.
 * Declared 2-byte aligned so GCC addresses it PC-relatively (LARL) instead of
 * through an absolute address in the literal pool: stage-b must stay
 * position independent.
 */
extern const char stub_program_name[] __attribute__((aligned(2)));

#define STUB_PRINTF(fmt_index) __attribute__((format(printf, fmt_index, fmt_index + 1)))

/* Prints "<program>: <message>" and a line end. */
STUB_PRINTF(1) void console_printf(const char *fmt, ...);

/* Writes raw text (no prefix, no line end), e.g. a long command line. */
void console_write(const char *text, size_t len);

/* Prints "<program>: error: <message>" and a line end. */
STUB_PRINTF(1) void console_error(const char *fmt, ...);

/* Prints "<program>: stopped, disabled wait code 0x<code>" and stops the CPU. */
__attribute__((noreturn)) void stub_stop(uint64_t code);

/* console_error(), then stub_stop(): the end of every error path. */
STUB_PRINTF(2) __attribute__((noreturn)) void stub_fatal(uint64_t code, const char *fmt, ...);

/* The program's main function returned, which it never should. */
__attribute__((noreturn)) void stub_internal_error(uint64_t code);

#endif /* STUB_CONSOLE_H */
