/* SPDX-License-Identifier: MIT */
/* Reading input files with limits and one-line errors that name the file. */
#ifndef SEGEN_FILEIO_H
#define SEGEN_FILEIO_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

/* How long a pipe or FIFO input may stay silent before reading it fails. */
#define FILEIO_PIPE_TIMEOUT_SEC 30

/* "regular file", "FIFO or pipe", "character device", ... for messages. */
const char *file_type_name(mode_t mode);

/*
 * Open @path for reading; it must be a regular file (not a directory, FIFO or
 * device) of at most @max_size bytes. Returns the descriptor and the size.
 * Never blocks on open, whatever @path is.
 */
int file_open_regular(const char *path, uint64_t max_size, int *ret_fd, uint64_t *ret_size,
		      struct errinfo *err);

/*
 * Read a whole input of at most @max_size bytes into a new buffer
 * (NUL-terminated): a regular file, or a pipe or FIFO (`-p <(echo ...)`),
 * read until its writer closes it. Never blocks on open.
 */
int file_read_all(const char *path, size_t max_size, uint8_t **ret_buf, size_t *ret_len,
		  struct errinfo *err);

/*
 * Read a key file that must hold exactly @len bytes into @buf. The staging
 * buffer is wiped; on error @buf is wiped too.
 */
int file_read_key(const char *path, uint8_t *buf, size_t len, struct errinfo *err);

/* Read exactly @len bytes at @offset; a short file is -EIO with "truncated". */
int fd_pread_full(int fd, void *buf, size_t len, uint64_t offset);

/* Write all of @buf, retrying on short writes and EINTR. */
int fd_write_full(int fd, const void *buf, size_t len);

/* Same, at @offset. */
int fd_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);

#endif /* SEGEN_FILEIO_H */
