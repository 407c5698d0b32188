// SPDX-License-Identifier: MIT
/*
 * Two passes: collect every name under the directory with lstat() (limits
 * checked before anything is written), then write the sorted entries with
 * libarchive's newc writer, whose output zlib compresses into a memfd.
 *
 * Hard links: every name of a multiply-linked file gets the same synthetic
 * inode and the number of its names in the archive as link count; only the
 * last name in order carries the contents. Linux's unpacker links the later
 * names to the first and appends the contents when they come.
 */
#include "create/initramfs.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include "base/fileio.h"
#include "base/util.h"

#define INITRAMFS_IO_SIZE (256u << 10)

struct tree_entry {
	char *name; /* relative to the directory, no leading "./" */
	struct stat st;
	uint32_t ino;	/* synthetic: position in name order, shared by hard links */
	uint32_t nlink; /* names of this file inside the archive */
	bool carries_data;
};

struct tree {
	const char *dir;
	int dir_fd;
	struct tree_entry *entries;
	size_t nr, cap;
	uint64_t data_bytes;
};

struct gz_sink {
	z_stream z;
	int fd;
	uint64_t size, max_size;
	uint8_t *buf;
	int rc;
	initramfs_progress_fn progress;
	void *progress_opaque;
	uint64_t data_done, data_total;
};

static void tree_done(struct tree *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->entries[i].name);
	free(t->entries);
	if (t->dir_fd >= 0)
		close(t->dir_fd);
}

static int tree_add(struct tree *t, char *name, const struct stat *st, struct errinfo *err)
{
	if (t->nr >= INITRAMFS_MAX_ENTRIES) {
		free(name);
		return err_set(err, -E2BIG, "%s: more than %u entries", t->dir,
			       INITRAMFS_MAX_ENTRIES);
	}
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct tree_entry *e = reallocarray(t->entries, cap, sizeof(*e));

		if (!e) {
			free(name);
			return err_set(err, -ENOMEM, "out of memory");
		}
		t->entries = e;
		t->cap = cap;
	}
	if (S_ISREG(st->st_mode)) {
		t->data_bytes += (uint64_t)st->st_size;
		if (t->data_bytes > INITRAMFS_MAX_INPUT_BYTES) {
			free(name);
			return err_set(err, -EFBIG, "%s: the files hold more than %llu MiB", t->dir,
				       INITRAMFS_MAX_INPUT_BYTES >> 20);
		}
	}
	t->entries[t->nr++] = (struct tree_entry){ .name = name, .st = *st };
	return 0;
}

DEFINE_POINTER_CLEANUP(DIR, closedir, closedirp)

/* Collect the entries of the directory open at @fd, named @prefix, and below. */
static int tree_walk(struct tree *t, int fd, const char *prefix, unsigned int depth,
		     struct errinfo *err)
{
	_cleanup_(closedirp) DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return err_set(err, -errno, "%s/%s: %s", t->dir, prefix, strerror(errno));
	}
	for (;;) {
		struct stat st;
		char *name;
		int rc;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				return err_set(err, -errno, "%s/%s: %s", t->dir, prefix,
					       strerror(errno));
			return 0;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&name, "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) < 0)
			return err_set(err, -ENOMEM, "out of memory");
		if (strlen(name) >= PATH_MAX) {
			rc = err_set(err, -ENAMETOOLONG, "%s/%.64s...: name too long", t->dir,
				     name);
			free(name);
			return rc;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = err_set(err, -errno, "%s/%s: %s", t->dir, name, strerror(errno));
			free(name);
			return rc;
		}
		rc = tree_add(t, name, &st, err);
		if (rc)
			return rc;
		if (!S_ISDIR(st.st_mode))
			continue;
		if (depth + 1 > INITRAMFS_MAX_DEPTH)
			return err_set(err, -ELOOP, "%s/%s: nested deeper than %u directories",
				       t->dir, name, INITRAMFS_MAX_DEPTH);
		int sub = openat(dirfd(d), de->d_name,
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return err_set(err, -errno, "%s/%s: %s", t->dir, name, strerror(errno));
		rc = tree_walk(t, sub, name, depth + 1, err);
		if (rc)
			return rc;
	}
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct tree_entry *)a)->name, ((const struct tree_entry *)b)->name);
}

static bool same_file(const struct tree_entry *x, const struct tree_entry *y)
{
	return x->st.st_dev == y->st.st_dev && x->st.st_ino == y->st.st_ino;
}

/* Multiply-linked files by device and inode, then name order. */
static int cmp_link(const void *a, const void *b)
{
	const struct tree_entry *x = *(struct tree_entry *const *)a;
	const struct tree_entry *y = *(struct tree_entry *const *)b;

	if (x->st.st_dev != y->st.st_dev)
		return x->st.st_dev < y->st.st_dev ? -1 : 1;
	if (x->st.st_ino != y->st.st_ino)
		return x->st.st_ino < y->st.st_ino ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int tree_number(struct tree *t, struct errinfo *err)
{
	_cleanup_free_ struct tree_entry **links = NULL;
	size_t nr_links = 0;

	qsort(t->entries, t->nr, sizeof(*t->entries), cmp_name);
	for (size_t i = 0; i < t->nr; i++) {
		struct tree_entry *e = &t->entries[i];

		e->ino = (uint32_t)(i + 1);
		e->nlink = S_ISDIR(e->st.st_mode) ? 2 : 1;
		e->carries_data = S_ISREG(e->st.st_mode);
		if (S_ISREG(e->st.st_mode) && e->st.st_nlink > 1)
			nr_links++;
	}
	if (!nr_links)
		return 0;
	links = calloc(nr_links, sizeof(*links));
	if (!links)
		return err_set(err, -ENOMEM, "out of memory");
	nr_links = 0;
	for (size_t i = 0; i < t->nr; i++)
		if (S_ISREG(t->entries[i].st.st_mode) && t->entries[i].st.st_nlink > 1)
			links[nr_links++] = &t->entries[i];
	qsort(links, nr_links, sizeof(*links), cmp_link);
	for (size_t first = 0, end; first < nr_links; first = end) {
		for (end = first + 1; end < nr_links && same_file(links[first], links[end]); end++)
			;
		for (size_t j = first; j < end; j++) {
			links[j]->ino = links[first]->ino;
			links[j]->nlink = (uint32_t)(end - first);
			links[j]->carries_data = j == end - 1;
		}
	}
	return 0;
}

static int gz_flush(struct gz_sink *s, int flush)
{
	int zrc;

	do {
		s->z.next_out = s->buf;
		s->z.avail_out = INITRAMFS_IO_SIZE;
		zrc = deflate(&s->z, flush);
		if (zrc == Z_STREAM_ERROR)
			return -EIO;
		size_t len = INITRAMFS_IO_SIZE - s->z.avail_out;

		if (s->size + len > s->max_size)
			return -EFBIG;
		int rc = fd_write_full(s->fd, s->buf, len);

		if (rc)
			return rc;
		s->size += len;
	} while (s->z.avail_out == 0);
	return 0;
}

/* libarchive's output callback: compress and append. */
static la_ssize_t gz_write(struct archive *a, void *opaque, const void *buf, size_t len)
{
	struct gz_sink *s = opaque;

	s->z.next_in = (Bytef *)(uintptr_t)buf;
	s->z.avail_in = (uInt)len;
	s->rc = gz_flush(s, Z_NO_FLUSH);
	if (s->rc) {
		archive_set_error(a, -s->rc, "%s", strerror(-s->rc));
		return -1;
	}
	return (la_ssize_t)len;
}

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}

static void archive_entry_freep(struct archive_entry **e)
{
	if (*e)
		archive_entry_free(*e);
}

static int archive_fail(const struct tree *t, struct archive *a, const struct gz_sink *s,
			const char *name, struct errinfo *err)
{
	if (s->rc == -EFBIG)
		return err_set(err, -EFBIG, "%s: the initramfs grows past %llu bytes", t->dir,
			       (unsigned long long)s->max_size);
	if (s->rc)
		return err_set(err, s->rc, "%s: cannot store the initramfs: %s", t->dir,
			       strerror(-s->rc));
	return err_set(err, -EIO, "%s/%s: %s", t->dir, name,
		       archive_error_string(a) ?: "archive error");
}

/* Copy the contents of @e, which must still be the file that was collected. */
static int write_contents(const struct tree *t, struct archive *a, struct gz_sink *s,
			  const struct tree_entry *e, uint8_t *buf, struct errinfo *err)
{
	_cleanup_close_ int fd = -1;
	uint64_t left = (uint64_t)e->st.st_size;
	struct stat st;

	/* O_NONBLOCK: a FIFO put in the file's place must not hang us. */
	fd = openat(t->dir_fd, e->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, -errno, "%s/%s: %s", t->dir, e->name, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != e->st.st_ino ||
	    st.st_size != e->st.st_size)
		return err_set(err, -ESTALE, "%s/%s: changed while the initramfs was written",
			       t->dir, e->name);
	while (left) {
		ssize_t n = read(fd, buf, MIN(left, (uint64_t)INITRAMFS_IO_SIZE));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, -errno, "%s/%s: %s", t->dir, e->name, strerror(errno));
		if (n == 0)
			return err_set(err, -ESTALE,
				       "%s/%s: changed while the initramfs was written", t->dir,
				       e->name);
		if (archive_write_data(a, buf, (size_t)n) != n)
			return archive_fail(t, a, s, e->name, err);
		left -= (uint64_t)n;
		s->data_done += (uint64_t)n;
		if (s->progress)
			s->progress(s->progress_opaque, s->data_done, s->data_total);
	}
	return 0;
}

static int write_entry(const struct tree *t, struct archive *a, struct gz_sink *s,
		       const struct tree_entry *e, uint64_t mtime, uint8_t *buf,
		       struct errinfo *err)
{
	_cleanup_(archive_entry_freep) struct archive_entry *ae = archive_entry_new();
	char target[PATH_MAX];

	if (!ae)
		return err_set(err, -ENOMEM, "out of memory");
	archive_entry_set_pathname(ae, e->name);
	archive_entry_set_mode(ae, e->st.st_mode & (S_IFMT | 07777));
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_mtime(ae, (time_t)mtime, 0);
	archive_entry_set_dev(ae, 0);
	archive_entry_set_ino(ae, e->ino);
	archive_entry_set_nlink(ae, e->nlink);
	archive_entry_set_size(ae, 0);
	if (S_ISCHR(e->st.st_mode) || S_ISBLK(e->st.st_mode)) {
		archive_entry_set_rdevmajor(ae, major(e->st.st_rdev));
		archive_entry_set_rdevminor(ae, minor(e->st.st_rdev));
	} else if (S_ISLNK(e->st.st_mode)) {
		ssize_t n = readlinkat(t->dir_fd, e->name, target, sizeof(target));

		if (n < 0)
			return err_set(err, -errno, "%s/%s: %s", t->dir, e->name, strerror(errno));
		if ((size_t)n >= sizeof(target) || n == 0)
			return err_set(err, -ENAMETOOLONG, "%s/%s: bad symlink target", t->dir,
				       e->name);
		target[n] = '\0';
		archive_entry_set_symlink(ae, target);
	} else if (S_ISREG(e->st.st_mode) && e->carries_data) {
		archive_entry_set_size(ae, e->st.st_size);
	}
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		return archive_fail(t, a, s, e->name, err);
	if (S_ISREG(e->st.st_mode) && e->carries_data)
		return write_contents(t, a, s, e, buf, err);
	return 0;
}

static int tree_write(const struct tree *t, uint64_t mtime, struct gz_sink *s, struct errinfo *err)
{
	_cleanup_(archive_freep) struct archive *a = archive_write_new();
	_cleanup_free_ uint8_t *buf = malloc(INITRAMFS_IO_SIZE);
	int rc;

	if (!a || !buf)
		return err_set(err, -ENOMEM, "out of memory");
	/* No blocking: the kernel needs no padding after the trailer. */
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open2(a, s, NULL, gz_write, NULL, NULL) != ARCHIVE_OK)
		return archive_fail(t, a, s, ".", err);
	for (size_t i = 0; i < t->nr; i++) {
		rc = write_entry(t, a, s, &t->entries[i], mtime, buf, err);
		if (rc)
			return rc;
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		return archive_fail(t, a, s, "TRAILER!!!", err);
	s->z.avail_in = 0;
	rc = gz_flush(s, Z_FINISH);
	if (rc) {
		s->rc = rc;
		return archive_fail(t, a, s, ".", err);
	}
	return 0;
}

int initramfs_build(const char *dir, uint64_t mtime, uint64_t max_size,
		    initramfs_progress_fn progress, void *progress_opaque, int *ret_fd,
		    uint64_t *ret_size, struct errinfo *err)
{
	struct tree t = { .dir = dir, .dir_fd = -1 };
	struct gz_sink s = { .fd = -1,
			     .max_size = max_size,
			     .progress = progress,
			     .progress_opaque = progress_opaque };
	int rc, fd;

	if (mtime > INITRAMFS_MAX_MTIME)
		return err_set(err, -ERANGE, "%s: timestamp %llu does not fit an initramfs", dir,
			       (unsigned long long)mtime);
	t.dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t.dir_fd < 0)
		return err_set(err, -errno, "%s: %s", dir,
			       errno == ENOTDIR ? "not a directory" : strerror(errno));
	fd = fcntl(t.dir_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		rc = err_set(err, -errno, "%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = tree_walk(&t, fd, "", 0, err);
	rc = rc ?: tree_number(&t, err);
	if (rc)
		goto out;
	/* Contents of hard-linked files are stored once. */
	for (size_t i = 0; i < t.nr; i++)
		if (S_ISREG(t.entries[i].st.st_mode) && t.entries[i].carries_data)
			s.data_total += (uint64_t)t.entries[i].st.st_size;
	s.buf = malloc(INITRAMFS_IO_SIZE);
	if (!s.buf) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* windowBits 15 + 16: a gzip wrapper, whose header zlib leaves without a time. */
	if (deflateInit2(&s.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		free(s.buf);
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	s.fd = memfd_create("segen-initramfs", MFD_CLOEXEC);
	if (s.fd < 0)
		rc = err_set(err, -errno, "%s: cannot create a memory file: %s", dir,
			     strerror(errno));
	else
		rc = tree_write(&t, mtime, &s, err);
	deflateEnd(&s.z);
	free(s.buf);
	if (rc) {
		if (s.fd >= 0)
			close(s.fd);
		goto out;
	}
	*ret_fd = s.fd;
	*ret_size = s.size;
out:
	tree_done(&t);
	return rc;
}

int initramfs_parse_epoch(const char *value, uint64_t *ret_mtime, struct errinfo *err)
{
	unsigned long long v;
	char *end;

	if (!value || !*value) {
		*ret_mtime = 0;
		return 0;
	}
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno || *end || value[0] < '0' || value[0] > '9' || v > INITRAMFS_MAX_MTIME)
		return err_set(err, -EINVAL,
			       "SOURCE_DATE_EPOCH: '%s' is not a time in seconds up to %llu", value,
			       INITRAMFS_MAX_MTIME);
	*ret_mtime = v;
	return 0;
}
