// SPDX-License-Identifier: MIT
#include "base/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/sigclean.h"
#include "base/util.h"

static char *dir_of(const char *path)
{
	char *copy = strdup(path), *dir;

	if (!copy)
		return NULL;
	dir = strdup(dirname(copy));
	free(copy);
	return dir;
}

static mode_t default_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

static int open_named_tmp(const char *path, struct outfile *out, struct errinfo *err)
{
	_cleanup_free_ char *dir = dir_of(path), *base = strdup(path);
	int fd;

	if (!dir || !base)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	if (asprintf(&out->tmp_path, "%s/.%s.XXXXXX", dir, basename(base)) < 0) {
		out->tmp_path = NULL;
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	fd = mkostemp(out->tmp_path, O_CLOEXEC);
	if (fd < 0) {
		int rc = -errno;

		free(out->tmp_path);
		out->tmp_path = NULL;
		return err_set(err, rc, "%s: cannot create a file in %s: %s", path, dir,
			       strerror(-rc));
	}
	out->fd = fd;
	/* A signal must not leave an image-sized hidden file behind. */
	out->tmp_slot = sigclean_add(out->tmp_path) + 1;
	return 0;
}

static void forget_tmp(struct outfile *out)
{
	if (out->tmp_slot > 0)
		sigclean_forget(out->tmp_slot - 1);
	out->tmp_slot = 0;
}

/*
 * The rule for an existing output name: a regular file is replaced (with
 * --overwrite); a symbolic link to one is written through, so the link stays
 * and its target gets the new content; anything else (directory, device,
 * FIFO, socket, a dangling link) is refused, never replaced.
 */
static int resolve_target(const char *path, bool overwrite, char **ret_target, struct errinfo *err)
{
	struct stat st, lst;
	char *target;

	if (lstat(path, &lst) < 0) {
		/* Nothing there (or nothing we may see): creating it reports the problem. */
		target = strdup(path);
		goto done;
	}
	if (stat(path, &st) < 0)
		return err_set(err, -errno,
			       "%s: symbolic link to nothing (%s); not creating its target", path,
			       strerror(errno));
	if (S_ISDIR(st.st_mode))
		return err_set(err, -EISDIR, "%s: is a directory", path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, -EINVAL, "%s: a %s%s, not a regular file: refusing to write it",
			       path, S_ISLNK(lst.st_mode) ? "link to a " : "",
			       file_type_name(st.st_mode));
	if (!overwrite)
		return err_set(err, -EEXIST, "%s: file exists (use --overwrite to replace it)",
			       path);
	target = S_ISLNK(lst.st_mode) ? realpath(path, NULL) : strdup(path);
	if (!target && errno != ENOMEM)
		return err_set(err, -errno, "%s: %s", path, strerror(errno));
done:
	if (!target)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	*ret_target = target;
	return 0;
}

int outfile_refuse_inputs(const char *output, const char *const *inputs, size_t nr_inputs,
			  struct errinfo *err)
{
	struct stat out_st, in_st;

	if (stat(output, &out_st) < 0)
		return 0; /* a new file cannot be an input */
	for (size_t i = 0; i < nr_inputs; i++) {
		if (!inputs[i] || stat(inputs[i], &in_st) < 0)
			continue;
		if (in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino)
			return err_set(err, -EINVAL,
				       "%s: is also the input %s; refusing to write over an input",
				       output, inputs[i]);
	}
	return 0;
}

int outfile_open(const char *path, bool overwrite, struct outfile *ret_out, struct errinfo *err)
{
	struct outfile out = { .fd = -1, .overwrite = overwrite };
	_cleanup_free_ char *dir = NULL;
	int rc;

	rc = resolve_target(path, overwrite, &out.path, err);
	if (rc)
		return rc;
	dir = dir_of(out.path);
	if (!dir) {
		free(out.path);
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	out.fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, default_mode());
	if (out.fd < 0) {
		rc = -errno;
		if (rc == -EOPNOTSUPP || rc == -EISDIR || rc == -EINVAL) {
			rc = open_named_tmp(out.path, &out, err);
		} else {
			err_set(err, rc, "%s: cannot create a file in %s: %s", path, dir,
				strerror(-rc));
		}
		if (rc) {
			free(out.path);
			return rc;
		}
	}
	*ret_out = out;
	return 0;
}

static int link_tmpfile(struct outfile *out, const char *name)
{
	char proc_path[64];

	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", out->fd);
	if (linkat(AT_FDCWD, proc_path, AT_FDCWD, name, AT_SYMLINK_FOLLOW) < 0)
		return -errno;
	return 0;
}

int outfile_commit(struct outfile *out, struct errinfo *err)
{
	_cleanup_free_ char *tmp = NULL;
	int rc, slot;

	if (out->tmp_path) {
		if (fchmod(out->fd, default_mode()) < 0)
			return err_set(err, -errno, "%s: %s", out->tmp_path, strerror(errno));
		if (!out->overwrite) {
			/* link() never replaces: a file that appeared meanwhile survives. */
			if (link(out->tmp_path, out->path) < 0)
				return err_set(err, -errno, "%s: %s", out->path,
					       errno == EEXIST ? "file exists (use --overwrite)" :
								 strerror(errno));
			unlink(out->tmp_path);
		} else if (rename(out->tmp_path, out->path) < 0) {
			return err_set(err, -errno, "%s: %s", out->path, strerror(errno));
		}
		forget_tmp(out);
	} else if (!out->overwrite) {
		rc = link_tmpfile(out, out->path);
		if (rc)
			return err_set(err, rc, "%s: %s", out->path,
				       rc == -EEXIST ? "file exists (use --overwrite)" :
						       strerror(-rc));
	} else {
		/* Name it privately first, then move it over the target in one step. */
		for (int attempt = 0;; attempt++) {
			free(tmp);
			if (asprintf(&tmp, "%s.segen-%d-%d", out->path, getpid(), attempt) < 0) {
				tmp = NULL;
				return err_set(err, -ENOMEM, "%s: out of memory", out->path);
			}
			rc = link_tmpfile(out, tmp);
			if (rc != -EEXIST || attempt > 100)
				break;
		}
		if (rc)
			return err_set(err, rc, "%s: %s", out->path, strerror(-rc));
		slot = sigclean_add(tmp);
		if (rename(tmp, out->path) < 0) {
			rc = -errno;
			unlink(tmp);
			sigclean_forget(slot);
			return err_set(err, rc, "%s: %s", out->path, strerror(-rc));
		}
		sigclean_forget(slot);
	}
	free(out->tmp_path);
	out->tmp_path = NULL;
	out->committed = true;
	close(out->fd);
	out->fd = -1;
	return 0;
}

void outfile_abort(struct outfile *out)
{
	if (out->fd >= 0)
		close(out->fd);
	out->fd = -1;
	if (out->tmp_path && !out->committed)
		unlink(out->tmp_path);
	forget_tmp(out);
	free(out->tmp_path);
	out->tmp_path = NULL;
	free(out->path);
	out->path = NULL;
}
