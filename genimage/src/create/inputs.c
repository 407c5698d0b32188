// SPDX-License-Identifier: MIT
#include "create/inputs.h"

#include <errno.h>
#include <string.h>

#include "base/fileio.h"
#include "stub-abi.h"
#include "base/util.h"

int kernel_check(int fd, uint64_t size, const char *path, bool strict, struct kernel_info *ret_info,
		 struct errinfo *err)
{
	uint8_t head[4], magic[sizeof(KERNEL_MAGIC) - 1], max_cmdline[8];
	struct kernel_info info = { .size = size, .max_cmdline = 0 };
	int rc;

	if (size == 0)
		return err_set(err, -EINVAL, "%s: kernel image is empty", path);
	if (size >= sizeof(head)) {
		rc = fd_pread_full(fd, head, sizeof(head), 0);
		if (rc)
			return err_set(err, rc, "%s: %s", path, strerror(-rc));
		if (strict && memcmp(head, "\177ELF", 4) == 0)
			return err_set(err, -EINVAL,
				       "%s: is an ELF file; use the raw kernel image "
				       "(arch/s390/boot/bzImage or /boot/vmlinuz-*)",
				       path);
	}
	if (size < KERNEL_MIN_SIZE)
		return err_set(err, -EINVAL,
			       "%s: too small for a raw s390x kernel (%llu bytes, at least %u)",
			       path, (unsigned long long)size, KERNEL_MIN_SIZE);
	if (strict) {
		rc = fd_pread_full(fd, magic, sizeof(magic), KERNEL_MAGIC_OFFSET);
		if (rc)
			return err_set(err, rc, "%s: %s", path, strerror(-rc));
		if (memcmp(magic, KERNEL_MAGIC, sizeof(magic)) != 0)
			return err_set(err, -EINVAL,
				       "%s: not a raw s390x kernel image (no %s at 0x%x)", path,
				       KERNEL_MAGIC, KERNEL_MAGIC_OFFSET);
	}
	if (size >= STUB_LINUX_MAX_CMDLINE + sizeof(max_cmdline)) {
		rc = fd_pread_full(fd, max_cmdline, sizeof(max_cmdline), STUB_LINUX_MAX_CMDLINE);
		if (rc)
			return err_set(err, rc, "%s: %s", path, strerror(-rc));
		info.max_cmdline = get_be64(max_cmdline);
	}
	if (info.max_cmdline == 0)
		info.max_cmdline = STUB_LINUX_DEFAULT_MAX_CMDLINE;
	*ret_info = info;
	return 0;
}

int cmdline_load(const char *path, uint64_t max_size, uint8_t **ret_buf, size_t *ret_size,
		 struct errinfo *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len, text_len;
	uint8_t *nul;
	int rc;

	rc = file_read_all(path, CMDLINE_FILE_MAX, &buf, &len, err);
	if (rc == -EFBIG)
		return err_set(err, rc, "%s: command line file too large (at most %u bytes)", path,
			       CMDLINE_FILE_MAX);
	if (rc)
		return rc;
	/* file_read_all() terminated the buffer, so appending a NUL is free. */
	text_len = len && buf[len - 1] == 0 ? len - 1 : len;
	nul = memchr(buf, 0, text_len);
	if (nul)
		return err_set(err, -EINVAL,
			       "%s: command line holds a NUL byte at offset %zu (only a final one "
			       "is allowed)",
			       path, (size_t)(nul - buf));
	/* Stage-b takes at most CMDLINE_FILE_MAX bytes, the NUL included. */
	if (text_len + 1 > CMDLINE_FILE_MAX)
		return err_set(err, -EINVAL,
			       "%s: command line is %zu bytes, at most %u fit in 1 MiB with the NUL",
			       path, text_len, CMDLINE_FILE_MAX - 1);
	if (max_size && text_len + 1 > max_size)
		return err_set(err, -EINVAL,
			       "%s: command line is %zu bytes, the kernel accepts at most %llu",
			       path, text_len, (unsigned long long)(max_size - 1));
	*ret_size = text_len + 1;
	*ret_buf = TAKE_PTR(buf);
	return 0;
}
