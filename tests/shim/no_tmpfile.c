// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for the reliability tests.
 *  - open(..., O_TMPFILE) fails as on NFS, vfat or CIFS: EOPNOTSUPP, or the
 *    errno named by SEGEN_SHIM_TMPFILE_ERRNO ("EISDIR").
 *  - With SEGEN_SHIM_STOP_AT_WRITE=N, the process stops itself (SIGSTOP) at
 *    its N-th pwrite(), so a test can deliver a signal or take a core at a
 *    known point of writing an output, without depending on speed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static atomic_int writes;

static int tmpfile_errno(void)
{
	const char *e = getenv("SEGEN_SHIM_TMPFILE_ERRNO");

	return e && !strcmp(e, "EISDIR") ? EISDIR : EOPNOTSUPP;
}

static bool wants_tmpfile(int flags)
{
	return (flags & O_TMPFILE) == O_TMPFILE;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || wants_tmpfile(flags) ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_SHIM(name)                                                                  \
	int name(const char *path, int flags, ...)                                       \
	{                                                                                \
		static int (*real)(const char *, int, ...);                              \
		va_list ap;                                                              \
		mode_t mode;                                                             \
                                                                                         \
		va_start(ap, flags);                                                     \
		mode = mode_arg(flags, ap);                                              \
		va_end(ap);                                                              \
		if (wants_tmpfile(flags)) {                                              \
			errno = tmpfile_errno();                                         \
			return -1;                                                       \
		}                                                                        \
		if (!real)                                                               \
			real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name); \
		return real(path, flags, mode);                                          \
	}

#define OPENAT_SHIM(name)                                                                     \
	int name(int dirfd, const char *path, int flags, ...)                                 \
	{                                                                                     \
		static int (*real)(int, const char *, int, ...);                              \
		va_list ap;                                                                   \
		mode_t mode;                                                                  \
                                                                                              \
		va_start(ap, flags);                                                          \
		mode = mode_arg(flags, ap);                                                   \
		va_end(ap);                                                                   \
		if (wants_tmpfile(flags)) {                                                   \
			errno = tmpfile_errno();                                              \
			return -1;                                                            \
		}                                                                             \
		if (!real)                                                                    \
			real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #name); \
		return real(dirfd, path, flags, mode);                                        \
	}

OPEN_SHIM(open)
OPEN_SHIM(open64)
OPENAT_SHIM(openat)
OPENAT_SHIM(openat64)

static void maybe_stop(void)
{
	const char *at = getenv("SEGEN_SHIM_STOP_AT_WRITE");

	if (at && atomic_fetch_add(&writes, 1) + 1 == atoi(at))
		raise(SIGSTOP);
}

#define PWRITE_SHIM(name)                                                                     \
	ssize_t name(int fd, const void *buf, size_t len, off_t off)                          \
	{                                                                                     \
		static ssize_t (*real)(int, const void *, size_t, off_t);                     \
                                                                                              \
		maybe_stop();                                                                 \
		if (!real)                                                                    \
			real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, \
										   #name);    \
		return real(fd, buf, len, off);                                               \
	}

PWRITE_SHIM(pwrite)
PWRITE_SHIM(pwrite64)
