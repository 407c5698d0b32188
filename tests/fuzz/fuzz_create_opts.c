// SPDX-License-Identifier: MIT
/*
 * Fuzz target: create's option parser, the input split at NUL bytes into
 * arguments. Whatever it accepts, every list entry is a non-empty name
 * without a comma, and the lists stay within their limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/create_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 256

static void check_list(const char *const *list, size_t nr, size_t max)
{
	if (nr > max)
		abort();
	for (size_t i = 0; i < nr; i++)
		if (!list[i][0] || strchr(list[i], ','))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2];
	struct create_opts o;
	struct errinfo err;
	int argc = 1;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "create";
	for (size_t pos = 0; pos < size && argc <= MAX_ARGS; pos += strlen(buf + pos) + 1)
		argv[argc++] = buf + pos;
	argv[argc] = NULL;
	if (create_opts_parse(argc, argv, size % 2, &o, &err) == 0) {
		check_list(o.hkds, o.nr_hkds, CREATE_MAX_HKD_ARGS);
		check_list(o.certs, o.nr_certs, CREATE_MAX_CERT_ARGS);
		check_list(o.crls, o.nr_crls, CREATE_MAX_CERT_ARGS);
		if (o.ramdisk && o.ramdisk_dir)
			abort();
		create_opts_done(&o);
	}
	free(buf);
	return 0;
}
