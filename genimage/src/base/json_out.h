/* SPDX-License-Identifier: MIT */
/*
 * JSON output through json-c: small helpers that add one member each and
 * report a failed allocation, and the writer for --format json. Every
 * json_put_*() returns 0 or -ENOMEM; since that is the only failure, callers
 * may OR the results of a run of calls and test once.
 */
#ifndef SEGEN_JSON_OUT_H
#define SEGEN_JSON_OUT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"

DEFINE_POINTER_CLEANUP(json_object, json_object_put, json_object_putp)
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Add @value under @key of @obj, or append it when @obj is an array (@key ignored). Takes @value. */
int json_put(json_object *obj, const char *key, json_object *value);
int json_put_str(json_object *obj, const char *key, const char *value);
int json_put_u64(json_object *obj, const char *key, uint64_t value);
int json_put_bool(json_object *obj, const char *key, bool value);
int json_put_null(json_object *obj, const char *key);
/* @buf as lower-case hex digits, no "0x" (pvimg's *_hex fields). */
int json_put_hex_bytes(json_object *obj, const char *key, const uint8_t *buf, size_t len);
/* @value as 16 hex digits, no "0x" (pvimg's flag and PSW fields). */
int json_put_hex_u64(json_object *obj, const char *key, uint64_t value);
/* @value as a "0x..." string: JSON numbers lose precision past 2^53 in many readers. */
int json_put_hex_num(json_object *obj, const char *key, uint64_t value);
/* @buf in standard Base64. */
int json_put_base64(json_object *obj, const char *key, const uint8_t *buf, size_t len);

/* Write @doc and a newline: indented by two spaces, or on one line when @minify. */
int json_write(FILE *out, json_object *doc, bool minify);

#endif /* SEGEN_JSON_OUT_H */
