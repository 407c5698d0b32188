// SPDX-License-Identifier: MIT
#include "base/err.h"

#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void err_vformat(struct errinfo *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int err_set(struct errinfo *err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return rc;
	va_start(ap, fmt);
	err_vformat(err, fmt, ap);
	va_end(ap);
	return rc;
}

int err_prefix(struct errinfo *err, int rc, const char *fmt, ...)
{
	char joined[2 * ERRINFO_MAX + 2];
	size_t len;
	va_list ap;

	if (!err)
		return rc;
	va_start(ap, fmt);
	vsnprintf(joined, ERRINFO_MAX, fmt, ap);
	va_end(ap);
	len = strlen(joined);
	snprintf(joined + len, sizeof(joined) - len, ": %s", err->msg);
	memcpy(err->msg, joined, ERRINFO_MAX - 1);
	err->msg[ERRINFO_MAX - 1] = 0;
	return rc;
}

int err_set_ssl(struct errinfo *err, int rc, const char *fmt, ...)
{
	unsigned long code = ERR_peek_last_error();
	char reason[256] = "";
	va_list ap;
	size_t len;

	if (code)
		ERR_error_string_n(code, reason, sizeof(reason));
	ERR_clear_error();
	if (!err)
		return rc;
	va_start(ap, fmt);
	err_vformat(err, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (code && len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, " (%s)", reason);
	return rc;
}
