/* SPDX-License-Identifier: MIT */
/*
 * The few C library routines the stub needs. GCC may also emit calls to
 * memcpy/memset/memmove for structure copies, so the names are the standard ones.
 */
#ifndef STUB_STRING_H
#define STUB_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t len);
void *memmove(void *dst, const void *src, size_t len);
void *memset(void *dst, int byte, size_t len);
int memcmp(const void *a, const void *b, size_t len);
size_t strlen(const char *str);

#endif /* STUB_STRING_H */
