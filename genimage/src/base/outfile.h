/* SPDX-License-Identifier: MIT */
/*
 * Output files that appear whole or not at all: the data goes to an unnamed
 * file in the target directory (O_TMPFILE, or a hidden temporary name where the
 * filesystem lacks it) and gets its real name only when everything was written.
 * A crash, a full disk or a failed check leaves the target untouched.
 */
#ifndef SEGEN_OUTFILE_H
#define SEGEN_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct outfile {
	int fd;
	char *path;	/* the target */
	char *tmp_path; /* named temporary, NULL with O_TMPFILE */
	int tmp_slot;	/* its sigclean slot + 1; 0: none */
	bool overwrite;
	bool committed;
};

/*
 * Create the temporary output for @path. Unless @overwrite, an existing @path
 * is an error now and again at commit time (never silently replaced). An
 * existing @path must be a regular file or a symbolic link to one (written
 * through: the link stays); devices, FIFOs, sockets, directories and dangling
 * links are refused. A named temporary is removed on SIGINT, SIGTERM, SIGHUP,
 * SIGPIPE and SIGQUIT.
 */
int outfile_open(const char *path, bool overwrite, struct outfile *ret_out, struct errinfo *err);

/*
 * Refuse an @output that is one of @inputs (same file, also through a link):
 * replacing it would destroy the input, --overwrite or not.
 */
int outfile_refuse_inputs(const char *output, const char *const *inputs, size_t nr_inputs,
			  struct errinfo *err);

/* Give the file its name; mode 0644 minus umask. */
int outfile_commit(struct outfile *out, struct errinfo *err);

/* Drop an uncommitted file (no-op after commit); always safe to call. */
void outfile_abort(struct outfile *out);

#endif /* SEGEN_OUTFILE_H */
