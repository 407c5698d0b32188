/* SPDX-License-Identifier: MIT */
/*
 * A small vsnprintf for console messages. Conversions: %s %c %d %u %x and
 * %%, with an optional '0' flag, a field width and the l/ll/z modifiers.
 * Anything else is copied through, so a bad format cannot read past the
 * arguments.
 */
#ifndef STUB_FORMAT_H
#define STUB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Writes at most size - 1 characters and a NUL; returns the length written. */
size_t stub_vformat(char *buf, size_t size, const char *fmt, va_list ap);

#endif /* STUB_FORMAT_H */
