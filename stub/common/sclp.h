/* SPDX-License-Identifier: MIT */
/*
 * SCLP ASCII console output (event type 0x1A), usable before anything else
 * is set up: no interrupt handler needs to be installed by the caller.
 */
#ifndef STUB_SCLP_H
#define STUB_SCLP_H

#include <stddef.h>

/*
 * Writes len bytes, split into as many Write Event Data requests as needed.
 * Registers the event mask first if that has not been done yet.
 * Returns 0 or a negative STUB_E* code; a console failure is not fatal for
 * the caller, it only loses the text.
 */
int sclp_console_write(const char *text, size_t len);

/*
 * Forgets the event-mask registration: after a subsystem reset (DIAGNOSE 308
 * subcode 10 that came back) the SCLP no longer knows it.
 */
void sclp_console_forget(void);

/* Error codes (Linux errno values, negated by the functions). */
#define STUB_EIO 5
#define STUB_EBUSY 16
#define STUB_ENODEV 19
#define STUB_ETIMEDOUT 110

#endif /* STUB_SCLP_H */
