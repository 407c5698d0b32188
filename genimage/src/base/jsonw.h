/* SPDX-License-Identifier: MIT */
/* A small streaming JSON writer for --format json output (pretty, two-space indent). */
#ifndef SEGEN_JSONW_H
#define SEGEN_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 16

struct jsonw {
	FILE *out;
	int depth;
	bool first[JSONW_MAX_DEPTH];
};

void jsonw_init(struct jsonw *w, FILE *out);
/* @key is NULL inside arrays and at the top level. */
void jsonw_object_begin(struct jsonw *w, const char *key);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w, const char *key);
void jsonw_array_end(struct jsonw *w);
void jsonw_string(struct jsonw *w, const char *key, const char *value);
void jsonw_u64(struct jsonw *w, const char *key, uint64_t value);
/* A number as a "0x..." string: JSON numbers lose precision past 2^53. */
void jsonw_hex(struct jsonw *w, const char *key, uint64_t value);
void jsonw_bytes_hex(struct jsonw *w, const char *key, const uint8_t *buf, size_t len);
void jsonw_bool(struct jsonw *w, const char *key, bool value);
void jsonw_null(struct jsonw *w, const char *key);

#endif /* SEGEN_JSONW_H */
