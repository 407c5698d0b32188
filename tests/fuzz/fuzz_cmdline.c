// SPDX-License-Identifier: MIT
/* Fuzz target: parmfile checks (NUL rules, maximum) on untrusted bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fileio.h"
#include "create/inputs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char path[64];
	int fd = memfd_create("fuzz-parm", MFD_CLOEXEC);

	if (fd < 0 || fd_write_full(fd, data, size)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (cmdline_load(path, size % 2 ? 896 : 0, &buf, &len, NULL) == 0) {
		/* The result is NUL-terminated exactly once, at its end. */
		if (!len || buf[len - 1] != 0)
			abort();
		for (size_t i = 0; i + 1 < len; i++)
			if (!buf[i])
				abort();
		free(buf);
	}
	close(fd);
	return 0;
}
