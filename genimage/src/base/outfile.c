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
	return 0;
}

int outfile_open(const char *path, bool overwrite, struct outfile *ret_out, struct errinfo *err)
{
	struct outfile out = { .fd = -1, .overwrite = overwrite };
	_cleanup_free_ char *dir = dir_of(path);
	struct stat st;
	int rc;

	if (!dir)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return err_set(err, -EISDIR, "%s: is a directory", path);
		if (!overwrite)
			return err_set(err, -EEXIST,
				       "%s: file exists (use --overwrite to replace it)", path);
	}
	out.path = strdup(path);
	if (!out.path)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	out.fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, default_mode());
	if (out.fd < 0) {
		rc = -errno;
		if (rc == -EOPNOTSUPP || rc == -EISDIR || rc == -EINVAL) {
			rc = open_named_tmp(path, &out, err);
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
	int rc;

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
		if (rename(tmp, out->path) < 0) {
			rc = -errno;
			unlink(tmp);
			return err_set(err, rc, "%s: %s", out->path, strerror(-rc));
		}
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
	free(out->tmp_path);
	out->tmp_path = NULL;
	free(out->path);
	out->path = NULL;
}
