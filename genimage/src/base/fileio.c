// SPDX-License-Identifier: MIT
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

int file_open_regular(const char *path, uint64_t max_size, int *ret_fd, uint64_t *ret_size,
		      struct errinfo *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return err_set(err, -EISDIR, "%s: is a directory", path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, -EINVAL, "%s: not a regular file", path);
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

int file_read_all(const char *path, size_t max_size, uint8_t **ret_buf, size_t *ret_len,
		  struct errinfo *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	uint64_t size;
	int rc;

	rc = file_open_regular(path, max_size, &fd, &size, err);
	if (rc)
		return rc;
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
		memcpy(buf, data, len);
	}
	OPENSSL_cleanse(data, data_len);
	free(data);
	return rc;
}
