// SPDX-License-Identifier: MIT
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static const char *program = "segen";
static enum log_level level = LOG_NORMAL;

void log_set_program(const char *name)
{
	program = name;
}

const char *log_program(void)
{
	return program;
}

void log_set_level(enum log_level l)
{
	level = l > LOG_DEBUG ? LOG_DEBUG : l;
}

enum log_level log_get_level(void)
{
	return level;
}

static void log_v(const char *tag, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", program, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v("error: ", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	log_v("warning: ", fmt, ap);
	va_end(ap);
}

void log_security_warning(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	log_v("WARNING: ", fmt, ap);
	va_end(ap);
}

void log_notice(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	log_v("", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	log_v("", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_v("debug: ", fmt, ap);
	va_end(ap);
}

bool log_progress_enabled(void)
{
	return level >= LOG_NORMAL && isatty(STDERR_FILENO);
}
