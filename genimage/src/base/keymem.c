// SPDX-License-Identifier: MIT
#include "base/keymem.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <sys/prctl.h>

int keymem_enter(void)
{
	/* 0: failure; 2: no mlock (memlock limit), still mapped MADV_DONTDUMP. */
	if (!CRYPTO_secure_malloc_initialized() &&
	    CRYPTO_secure_malloc_init(KEYMEM_HEAP_SIZE, 16) == 0)
		return -ENOMEM;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return 0;
}

void keymem_leave(void)
{
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

void *keymem_zalloc(size_t len)
{
	return OPENSSL_secure_zalloc(len);
}

void keymem_free(void *p, size_t len)
{
	if (p)
		OPENSSL_secure_clear_free(p, len);
}

void keymem_copy(void *dst, const void *src, size_t len)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;

	while (len--)
		*d++ = *s++;
}
