// SPDX-License-Identifier: MIT
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/keymem.h"
#include "base/util.h"

const char *file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFIFO:
		return "FIFO or pipe";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	case S_IFSOCK:
		return "socket";
	case S_IFLNK:
		return "symbolic link";
	}
	return "special file";
}

/*
 * O_NONBLOCK: opening a FIFO nobody writes to must not wait for a writer, and
 * a device must not wait for carrier. The type is checked before any read.
 */
static int open_input(const char *path, int *ret_fd, struct stat *ret_st, struct errinfo *err)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, ret_st) < 0)
		return err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(ret_st->st_mode))
		return err_set(err, -EISDIR, "%s: is a directory", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int file_open_regular(const char *path, uint64_t max_size, int *ret_fd, uint64_t *ret_size,
		      struct errinfo *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int rc;

	rc = open_input(path, &fd, &st, err);
	if (rc)
		return rc;
	if (!S_ISREG(st.st_mode))
		return err_set(err, -EINVAL, "%s: not a regular file (a %s)", path,
			       file_type_name(st.st_mode));
	if ((uint64_t)st.st_size > max_size)
		return err_set(err, -EFBIG, "%s: too large (%lld bytes, at most %llu)", path,
			       (long long)st.st_size, (unsigned long long)max_size);
	*ret_fd = TAKE_FD(fd);
	*ret_size = (uint64_t)st.st_size;
	return 0;
}

int fd_pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

int fd_write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fd_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

/*
 * A pipe or FIFO: read until its writer closes it, at most @max_size bytes,
 * waiting at most FILEIO_PIPE_TIMEOUT_SEC for each piece of data.
 */
static int read_stream(const char *path, int fd, size_t max_size, uint8_t **ret_buf,
		       size_t *ret_len, struct errinfo *err)
{
	size_t len = 0, cap = 4096;
	uint8_t *buf = malloc(cap + 1);
	int rc = 0;

	if (!buf)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (len == cap) {
			uint8_t *bigger;

			if (cap > max_size) {
				rc = err_set(err, -EFBIG, "%s: too large (more than %zu bytes)",
					     path, max_size);
				break;
			}
			/* Not realloc(): key material must not stay behind in a freed block. */
			bigger = malloc(2 * cap + 1);
			if (!bigger) {
				rc = err_set(err, -ENOMEM, "%s: out of memory", path);
				break;
			}
			memcpy(bigger, buf, len);
			OPENSSL_cleanse(buf, cap);
			free(buf);
			buf = bigger;
			cap *= 2;
		}
		/* Poll first: a FIFO whose writer has not opened it yet reads as empty. */
		n = poll(&pfd, 1, FILEIO_PIPE_TIMEOUT_SEC * 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(err, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			rc = err_set(err, -ETIMEDOUT, "%s: nothing written to this pipe in %d s",
				     path, FILEIO_PIPE_TIMEOUT_SEC);
			break;
		}
		n = read(fd, buf + len, cap - len);
		if (n > 0)
			len += (size_t)n;
		else if (n == 0)
			break;
		else if (errno != EAGAIN && errno != EINTR) {
			rc = err_set(err, -errno, "%s: %s", path, strerror(errno));
			break;
		}
	}
	if (!rc && len > max_size)
		rc = err_set(err, -EFBIG, "%s: too large (more than %zu bytes)", path, max_size);
	if (rc) {
		OPENSSL_cleanse(buf, cap);
		free(buf);
		return rc;
	}
	buf[len] = 0;
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int file_read_all(const char *path, size_t max_size, uint8_t **ret_buf, size_t *ret_len,
		  struct errinfo *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	uint64_t size;
	int rc;

	rc = open_input(path, &fd, &st, err);
	if (rc)
		return rc;
	if (S_ISFIFO(st.st_mode))
		return read_stream(path, fd, max_size, ret_buf, ret_len, err);
	if (!S_ISREG(st.st_mode))
		return err_set(err, -EINVAL, "%s: not a regular file or pipe (a %s)", path,
			       file_type_name(st.st_mode));
	if ((uint64_t)st.st_size > max_size)
		return err_set(err, -EFBIG, "%s: too large (%lld bytes, at most %zu)", path,
			       (long long)st.st_size, max_size);
	size = (uint64_t)st.st_size;
	buf = malloc(size + 1);
	if (!buf)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	rc = fd_pread_full(fd, buf, size, 0);
	if (rc == -EIO)
		return err_set(err, rc, "%s: file shrank while being read", path);
	if (rc)
		return err_set(err, rc, "%s: %s", path, strerror(-rc));
	buf[size] = 0;
	*ret_buf = TAKE_PTR(buf);
	*ret_len = size;
	return 0;
}

int file_read_key(const char *path, uint8_t *buf, size_t len, struct errinfo *err)
{
	uint8_t *data = NULL;
	size_t data_len = 0;
	int rc;

	rc = file_read_all(path, 4096, &data, &data_len, err);
	if (rc == -EFBIG)
		return err_set(err, -EINVAL, "%s: key file must hold exactly %zu bytes", path, len);
	if (rc)
		return rc;
	if (data_len != len) {
		rc = err_set(err, -EINVAL, "%s: key file holds %zu bytes, expected exactly %zu",
			     path, data_len, len);
		OPENSSL_cleanse(buf, len);
	} else {
		keymem_copy(buf, data, len);
	}
	OPENSSL_cleanse(data, data_len);
	free(data);
	return rc;
}
