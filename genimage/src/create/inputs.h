/* SPDX-License-Identifier: MIT */
/*
 * Checks on the kernel and command line before anything is encrypted: a
 * mistake found here costs a second, the same mistake found in a protected
 * guest nobody can look into costs a day.
 */
#ifndef SEGEN_INPUTS_H
#define SEGEN_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#include "stub-abi.h"

/* Stage-b needs the kernel's parameter area up to the command line. */
#define KERNEL_MIN_SIZE ((unsigned int)STUB_KERNEL_MIN_SIZE)
#define KERNEL_MAGIC_OFFSET ((unsigned int)STUB_KERNEL_MAGIC_OFFSET)
#define KERNEL_MAGIC STUB_KERNEL_MAGIC
/* A parmfile bigger than any kernel's command-line buffer is refused early. */
#define CMDLINE_FILE_MAX (1u << 20)

struct kernel_info {
	uint64_t size;
	uint64_t max_cmdline; /* bytes including the terminating NUL */
};

/*
 * Check that @fd (@size bytes, named @path) holds a raw s390x kernel image and
 * read its maximum command-line size. With @strict false only the size needed
 * for the layout is checked (--no-component-check).
 */
int kernel_check(int fd, uint64_t size, const char *path, bool strict, struct kernel_info *ret_info,
		 struct errinfo *err);

/*
 * Read a parmfile and return the command line as it goes into the image: the
 * file's bytes, NUL-terminated (one NUL appended unless the file ends with
 * one). No other NUL is allowed. When @max_size is not 0 the result,
 * terminator included, must fit in it.
 */
int cmdline_load(const char *path, uint64_t max_size, uint8_t **ret_buf, size_t *ret_size,
		 struct errinfo *err);

#endif /* SEGEN_INPUTS_H */
