// SPDX-License-Identifier: MIT
/* Formatted console lines and the fatal-error path; see console.h. */
#include <stdarg.h>

#include "console.h"
#include "cpu.h"
#include "format.h"
#include "sclp.h"
#include "string.h"

/* Longest message line; longer text is cut, which only ever loses words. */
#define CONSOLE_LINE_MAX 320

static void vprint_line(const char *tag, const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];
	size_t len, prefix_len;

	prefix_len = strlen(stub_program_name);
	if (prefix_len > CONSOLE_LINE_MAX / 4)
		prefix_len = CONSOLE_LINE_MAX / 4;
	memcpy(line, stub_program_name, prefix_len);
	len = prefix_len;
	line[len++] = ':';
	line[len++] = ' ';
	for (; *tag && len < CONSOLE_LINE_MAX / 2; tag++)
		line[len++] = *tag;
	len += stub_vformat(line + len, sizeof(line) - len - 2, fmt, ap);
	line[len++] = '\r';
	line[len++] = '\n';
	sclp_console_write(line, len);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line("", fmt, ap);
	va_end(ap);
}

void console_write(const char *text, size_t len)
{
	sclp_console_write(text, len);
}

void console_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line("error: ", fmt, ap);
	va_end(ap);
}

void stub_stop(uint64_t code)
{
	console_printf("stopped, disabled wait code 0x%lx", (unsigned long)code);
	disabled_wait(code);
}

void stub_fatal(uint64_t code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line("error: ", fmt, ap);
	va_end(ap);
	stub_stop(code);
}

void stub_internal_error(uint64_t code)
{
	stub_fatal(code, "internal error: the main function returned");
}
