// SPDX-License-Identifier: MIT
/* Formatting for console messages; see format.h for what it accepts. */
#include <stdbool.h>
#include <stdint.h>

#include "format.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put_char(struct out *out, char c)
{
	if (out->len + 1 < out->size)
		out->buf[out->len++] = c;
}

static void put_string(struct out *out, const char *str)
{
	if (!str)
		str = "(null)";
	while (*str)
		put_char(out, *str++);
}

static void put_number(struct out *out, uint64_t value, unsigned int base, bool negative,
		       unsigned int width, bool zero_pad)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24];
	unsigned int n = 0;

	do {
		tmp[n++] = digits[value % base];
		value /= base;
	} while (value);
	if (negative)
		width = width ? width - 1 : 0;
	if (negative && zero_pad)
		put_char(out, '-');
	for (unsigned int i = n; i < width; i++)
		put_char(out, zero_pad ? '0' : ' ');
	if (negative && !zero_pad)
		put_char(out, '-');
	while (n)
		put_char(out, tmp[--n]);
}

size_t stub_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out out = { .buf = buf, .size = size, .len = 0 };

	if (!size)
		return 0;
	for (; *fmt; fmt++) {
		unsigned int width = 0, longs = 0;
		bool zero_pad = false, size_t_arg = false;
		const char *start = fmt;

		if (*fmt != '%') {
			put_char(&out, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			zero_pad = true;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9' && width < 64)
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		for (; *fmt == 'l' && longs < 2; fmt++)
			longs++;
		if (*fmt == 'z') {
			size_t_arg = true;
			fmt++;
		}

		switch (*fmt) {
		case '%':
			put_char(&out, '%');
			break;
		case 'c':
			put_char(&out, (char)va_arg(ap, int));
			break;
		case 's':
			put_string(&out, va_arg(ap, const char *));
			break;
		case 'd': {
			int64_t v;

			if (size_t_arg || longs)
				v = va_arg(ap, long);
			else
				v = va_arg(ap, int);
			put_number(&out, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, v < 0, width,
				   zero_pad);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v;

			if (size_t_arg || longs)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			put_number(&out, v, *fmt == 'x' ? 16 : 10, false, width, zero_pad);
			break;
		}
		default:
			/* Unknown conversion: show it as written and consume nothing. */
			for (; start <= fmt && *start; start++)
				put_char(&out, *start);
			if (!*fmt)
				fmt--;
			break;
		}
	}
	out.buf[out.len] = '\0';
	return out.len;
}
