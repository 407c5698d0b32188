/* SPDX-License-Identifier: MIT */
/*
 * Paths to remove when a catchable signal ends the program: named temporary
 * outputs and the private directories of boot-test. A handler for SIGINT,
 * SIGTERM, SIGHUP, SIGPIPE and SIGQUIT removes what is registered (files,
 * then directories), then lets the signal end the process as it would have,
 * so callers still see the right status.
 */
#ifndef SEGEN_SIGCLEAN_H
#define SEGEN_SIGCLEAN_H

#define SIGCLEAN_MAX 16

/*
 * Remember @path (copied) for removal on a fatal signal; installs the handler
 * on first use. A signal the caller inherited as ignored (nohup) stays
 * ignored. Returns a slot (>= 0) for sigclean_forget(), or -ENOMEM/-ENOSPC.
 */
int sigclean_add(const char *path);

/* The path at @slot is gone or has its final name: no longer remove it. */
void sigclean_forget(int slot);

#endif /* SEGEN_SIGCLEAN_H */
