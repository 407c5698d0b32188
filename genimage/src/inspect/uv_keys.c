// SPDX-License-Identifier: MIT
#include "inspect/uv_keys.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/util.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One line without its newline: exactly 64 hex digits. */
static bool parse_hash(const char *line, size_t len, uint8_t hash[UV_KEY_HASH_LEN])
{
	if (len != 2 * UV_KEY_HASH_LEN)
		return false;
	for (size_t i = 0; i < UV_KEY_HASH_LEN; i++) {
		int hi = hex_digit(line[2 * i]), lo = hex_digit(line[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		hash[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int uv_keys_parse(const char *text, size_t len, const char *path, struct uv_key_hashes *ret_keys,
		  struct errinfo *err)
{
	struct uv_key_hashes keys = { 0 };
	size_t pos = 0, line_no = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;

		line_no++;
		if (keys.nr == UV_KEYS_MAX)
			return err_set(err, -EBADMSG, "%s: line %zu: more than %d key hashes", path,
				       line_no, UV_KEYS_MAX);
		if (!parse_hash(text + pos, line_len, keys.hash[keys.nr]))
			return err_set(err, -EBADMSG,
				       "%s: line %zu: not a key hash (64 hex digits expected)",
				       path, line_no);
		keys.nr++;
		pos += line_len + (nl ? 1 : 0);
	}
	if (!keys.nr)
		return err_set(err, -EBADMSG, "%s: no key hashes in the file", path);
	*ret_keys = keys;
	return 0;
}

int uv_keys_load(const char *path, struct uv_key_hashes *ret_keys, struct errinfo *err)
{
	_cleanup_close_ int fd = -1;
	char text[UV_KEYS_MAX_FILE_SIZE + 1];
	size_t len = 0;
	uint64_t size;
	int rc;

	rc = file_open_regular(path, UV_KEYS_MAX_FILE_SIZE, &fd, &size, err);
	if (rc)
		return rc;
	/* Read to the end: a sysfs file is shorter than the size it reports. */
	while (len < sizeof(text)) {
		ssize_t n = read(fd, text + len, sizeof(text) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, -errno, "%s: %s", path, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > UV_KEYS_MAX_FILE_SIZE)
		return err_set(err, -EFBIG, "%s: too large for a list of key hashes", path);
	return uv_keys_parse(text, len, path, ret_keys, err);
}

bool uv_key_is_empty(const uint8_t hash[UV_KEY_HASH_LEN])
{
	for (size_t i = 0; i < UV_KEY_HASH_LEN; i++)
		if (hash[i])
			return false;
	return true;
}

const char *uv_key_role(size_t nr, size_t index)
{
	if (nr == UV_KEYS_MAX && index == 0)
		return "host key";
	if (nr == UV_KEYS_MAX && index == 1)
		return "backup host key";
	return "key";
}
