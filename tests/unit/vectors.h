/* SPDX-License-Identifier: MIT */
/*
 * Test-side access to tests/vectors: reading files, and pulling the few
 * fields the tests need out of vector.json (a fixed, known format: string and
 * number values, and the "components" array of objects in address order).
 */
#ifndef TEST_VECTORS_H
#define TEST_VECTORS_H

#include <openssl/pem.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"

static inline const char *vectors_dir(void)
{
	const char *dir = getenv("VECTORS_DIR");

	return dir && *dir ? dir : "tests/vectors";
}

/* Read VECTORS_DIR/@rel into a new buffer; aborts the test on failure. */
/* noinline: inlined, it trips a false -Wdangling-pointer in GCC 12 */
__attribute__((noinline)) static uint8_t *vec_read(const char *rel, size_t *ret_len)
{
	char path[4096];
	struct errinfo err;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s", vectors_dir(), rel);
	if (file_read_all(path, 64u << 20, &buf, ret_len, &err)) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
	return buf;
}

static inline char *vec_path(const char *rel)
{
	char *path;

	if (asprintf(&path, "%s/%s", vectors_dir(), rel) < 0)
		exit(1);
	return path;
}

/*
 * Find `"key":` at or after @from and return a pointer to its value (after
 * whitespace and an opening quote, if any), or NULL.
 */
static inline const char *json_find(const char *from, const char *key)
{
	static char pattern[128]; /* static: GCC suspects strstr() results point into it */
	const char *p;

	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	p = strstr(from, pattern);
	if (!p)
		return NULL;
	p += strlen(pattern);
	while (*p == ' ' || *p == '\n')
		p++;
	if (*p == '"')
		p++;
	return p;
}

static inline uint64_t json_u64(const char *from, const char *key)
{
	const char *v = json_find(from, key);

	return v ? strtoull(v, NULL, 0) : 0;
}

/* Decode the hex string value of @key into @out (exactly @len bytes expected). */
static inline int json_hex(const char *from, const char *key, uint8_t *out, size_t len)
{
	const char *v = json_find(from, key);

	if (!v)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned int byte;

		if (sscanf(v + 2 * i, "%2x", &byte) != 1)
			return -1;
		out[i] = (uint8_t)byte;
	}
	return v[2 * len] == '"' ? 0 : -1;
}

#define VEC_MAX_COMPONENTS 8

struct vec_component {
	char name[32];
	char stored[128]; /* path relative to the case directory */
	uint64_t tweak_prefix, addr, size;
};

/* The "components" array of a vector.json, in order. */
static inline size_t vec_parse_components(const char *json, struct vec_component *comps)
{
	const char *p = json_find(json, "components");
	size_t n = 0;

	while (p && n < VEC_MAX_COMPONENTS && (p = json_find(p, "name"))) {
		const char *end = strchr(p, '"'), *stored;
		uint8_t prefix[8];

		snprintf(comps[n].name, sizeof(comps[n].name), "%.*s", (int)(end - p), p);
		json_hex(p, "tweak_prefix", prefix, sizeof(prefix));
		comps[n].tweak_prefix = 0;
		for (int i = 0; i < 8; i++)
			comps[n].tweak_prefix = comps[n].tweak_prefix << 8 | prefix[i];
		comps[n].addr = json_u64(p, "addr");
		comps[n].size = json_u64(p, "size");
		stored = json_find(p, "stored");
		snprintf(comps[n].stored, sizeof(comps[n].stored), "%.*s",
			 (int)(strchr(stored, '"') - stored), stored);
		n++;
		p = end;
	}
	return n;
}

static inline EVP_PKEY *vec_private_key(const char *rel)
{
	char *path = vec_path(rel);
	FILE *f = fopen(path, "r");
	EVP_PKEY *pkey = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;

	if (f)
		fclose(f);
	if (!pkey) {
		printf("Bail out! cannot read private key %s\n", path);
		exit(1);
	}
	free(path);
	return pkey;
}

#endif /* TEST_VECTORS_H */
