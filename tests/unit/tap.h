/* SPDX-License-Identifier: MIT */
/* A minimal TAP producer for the unit tests: ok(), is_mem(), done_testing(). */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static unsigned int tap_count;
static unsigned int tap_failed;

__attribute__((format(printf, 2, 3))) static inline bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %u - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static inline void tap_diag_hex(const char *what, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	printf("# %s:", what);
	for (size_t i = 0; i < len && i < 64; i++)
		printf("%02x", p[i]);
	printf("%s\n", len > 64 ? "..." : "");
}

/* Compare two buffers; on mismatch, show where they first differ. */
static inline bool is_mem(const void *got, const void *want, size_t len, const char *name)
{
	const unsigned char *g = got, *w = want;
	size_t i;

	for (i = 0; i < len && g[i] == w[i]; i++)
		;
	if (!ok(i == len, "%s", name)) {
		printf("# first difference at byte %zu of %zu\n", i, len);
		tap_diag_hex("got ", g + i, len - i);
		tap_diag_hex("want", w + i, len - i);
		return false;
	}
	return true;
}

static inline int done_testing(void)
{
	printf("1..%u\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* TAP_H */
