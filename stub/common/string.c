// SPDX-License-Identifier: MIT
/*
 * memcpy and friends for the freestanding stub. Stage-b moves a whole kernel
 * (megabytes) with memmove, so the ascending copy uses MVC, 256 bytes per
 * instruction, instead of a byte loop.
 */
#include <stdint.h>

#include "string.h"

#define MVC_MAX_LEN 256

/*
 * MVC processes its operands left to right as if one byte at a time, so an
 * ascending copy stays correct when the destination starts below an
 * overlapping source, which is exactly the kernel move (0x10000 <- higher).
 */
static void copy_ascending(unsigned char *dst, const unsigned char *src, size_t len)
{
	while (len >= MVC_MAX_LEN) {
		asm volatile("mvc 0(256,%[dst]),0(%[src])"
			     :
			     : [dst] "a"(dst), [src] "a"(src)
			     : "memory");
		dst += MVC_MAX_LEN;
		src += MVC_MAX_LEN;
		len -= MVC_MAX_LEN;
	}
	while (len--)
		*dst++ = *src++;
}

void *memcpy(void *dst, const void *src, size_t len)
{
	copy_ascending(dst, src, len);
	return dst;
}

void *memmove(void *dst, const void *src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + len) {
		copy_ascending(d, s, len);
		return dst;
	}
	/* Destination above an overlapping source: copy from the end. */
	while (len--)
		d[len] = s[len];
	return dst;
}

void *memset(void *dst, int byte, size_t len)
{
	unsigned char *d = dst;

	while (len--)
		*d++ = (unsigned char)byte;
	return dst;
}

int memcmp(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;

	for (; len; len--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *str)
{
	size_t len = 0;

	while (str[len])
		len++;
	return len;
}
