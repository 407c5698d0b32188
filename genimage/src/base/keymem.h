/* SPDX-License-Identifier: MIT */
/*
 * Memory for keys and other secrets (CCK, header and image keys, a decrypted
 * SE header): kept out of core dumps, locked against swapping where the
 * memlock limit allows, wiped when freed. It is OpenSSL's secure heap, which
 * OpenSSL also uses for private keys once it exists, so the host private
 * keys of verify and boot-test are covered too.
 *
 * keymem_enter() also marks the process not dumpable until keymem_leave():
 * the key schedules inside OpenSSL's cipher contexts and the plaintext of an
 * image being built or unpacked live in ordinary memory, and no core may
 * hold them.
 */
#ifndef SEGEN_KEYMEM_H
#define SEGEN_KEYMEM_H

#include <stddef.h>

/* Room for the secrets of one command (a few SE headers) and OpenSSL's own. */
#define KEYMEM_HEAP_SIZE (1u << 20)

/* Set up the heap (once) and stop core dumps; 0 or -ENOMEM. */
int keymem_enter(void);

/* Core dumps allowed again (the secrets are gone). */
void keymem_leave(void);

/* Zeroed secret memory, or NULL. */
void *keymem_zalloc(size_t len);

/* Wipe and free; NULL is fine. */
void keymem_free(void *p, size_t len);

/*
 * memcpy() for key bytes: byte by byte through general registers, so that no
 * vector register keeps a copy for the next register save to spill.
 */
void keymem_copy(void *dst, const void *src, size_t len);

#endif /* SEGEN_KEYMEM_H */
