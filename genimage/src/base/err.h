/* SPDX-License-Identifier: MIT */
/*
 * Error reporting: library functions return 0 or a negative errno and, when
 * given a struct errinfo, leave one line there that names the object and the
 * problem ("kernel.bin: not a raw s390x kernel image"). Only the command layer
 * prints it, once.
 */
#ifndef SEGEN_ERR_H
#define SEGEN_ERR_H

#include <stddef.h>

/* Room for two certificate names and two paths: PKI messages need them. */
#define ERRINFO_MAX 1024

struct errinfo {
	char msg[ERRINFO_MAX];
};

/* Record a message; returns @rc so callers can write `return err_set(...)`. */
__attribute__((format(printf, 3, 4))) int err_set(struct errinfo *err, int rc, const char *fmt,
						  ...);

/* Put "context: " in front of the message already recorded; returns @rc. */
__attribute__((format(printf, 3, 4))) int err_prefix(struct errinfo *err, int rc, const char *fmt,
						     ...);

/*
 * Like err_set(), and append the reason OpenSSL left in its error queue (the
 * queue is emptied either way so stale entries never leak into later reports).
 */
__attribute__((format(printf, 3, 4))) int err_set_ssl(struct errinfo *err, int rc, const char *fmt,
						      ...);

#endif /* SEGEN_ERR_H */
