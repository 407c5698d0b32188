/* SPDX-License-Identifier: MIT */
/*
 * The host-key hashes an IBM Z machine reports (Query Ultravisor Keys), in the
 * text form of /sys/firmware/uv/keys/: one SHA-256 per line as 64 hex digits.
 * "all" lists the 15 hashes of the UV's answer (host key, backup host key,
 * then 13 more, zero where unused); "host_key" and "backup_host_key" hold one
 * line each. Any such file, 1 to 15 lines, is accepted.
 */
#ifndef SEGEN_UV_KEYS_H
#define SEGEN_UV_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define UV_KEYS_DEFAULT_PATH "/sys/firmware/uv/keys/all"
#define UV_KEYS_MAX 15
#define UV_KEY_HASH_LEN 32
/* sysfs reports a page as the size of its files. */
#define UV_KEYS_MAX_FILE_SIZE 4096

struct uv_key_hashes {
	size_t nr;
	uint8_t hash[UV_KEYS_MAX][UV_KEY_HASH_LEN];
};

/* Parse @len bytes of @text; errors name @path and the line that is wrong. */
int uv_keys_parse(const char *text, size_t len, const char *path, struct uv_key_hashes *ret_keys,
		  struct errinfo *err);

/* Read and parse the file @path (a sysfs file or a copy of one). */
int uv_keys_load(const char *path, struct uv_key_hashes *ret_keys, struct errinfo *err);

/* An all-zero line: a slot of the UV's answer with no key in it. */
bool uv_key_is_empty(const uint8_t hash[UV_KEY_HASH_LEN]);

/* What the hash at @index is, in a list of @nr: "host key", "backup host key" or "key". */
const char *uv_key_role(size_t nr, size_t index);

#endif /* SEGEN_UV_KEYS_H */
