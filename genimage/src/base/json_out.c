// SPDX-License-Identifier: MIT
#include "base/json_out.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

int json_put(json_object *obj, const char *key, json_object *value)
{
	int rc;

	if (!value)
		return -ENOMEM;
	if (json_object_is_type(obj, json_type_array))
		rc = json_object_array_add(obj, value);
	else
		rc = json_object_object_add(obj, key, value);
	if (rc) {
		json_object_put(value);
		return -ENOMEM;
	}
	return 0;
}

int json_put_str(json_object *obj, const char *key, const char *value)
{
	return json_put(obj, key, json_object_new_string(value));
}

int json_put_u64(json_object *obj, const char *key, uint64_t value)
{
	return json_put(obj, key, json_object_new_uint64(value));
}

int json_put_bool(json_object *obj, const char *key, bool value)
{
	return json_put(obj, key, json_object_new_boolean(value));
}

int json_put_null(json_object *obj, const char *key)
{
	if (json_object_is_type(obj, json_type_array))
		return json_object_array_add(obj, NULL) ? -ENOMEM : 0;
	return json_object_object_add(obj, key, NULL) ? -ENOMEM : 0;
}

int json_put_hex_bytes(json_object *obj, const char *key, const uint8_t *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	_cleanup_free_ char *s = malloc(2 * len + 1);
	int rc;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[buf[i] >> 4];
		s[2 * i + 1] = digits[buf[i] & 0xf];
	}
	s[2 * len] = 0;
	rc = json_put_str(obj, key, s);
	OPENSSL_cleanse(s, 2 * len); /* it may be a key shown with --show-secrets */
	return rc;
}

int json_put_hex_u64(json_object *obj, const char *key, uint64_t value)
{
	char s[17];

	snprintf(s, sizeof(s), "%016" PRIx64, value);
	return json_put_str(obj, key, s);
}

int json_put_hex_num(json_object *obj, const char *key, uint64_t value)
{
	char s[19];

	snprintf(s, sizeof(s), "0x%" PRIx64, value);
	return json_put_str(obj, key, s);
}

int json_put_base64(json_object *obj, const char *key, const uint8_t *buf, size_t len)
{
	_cleanup_free_ char *s = NULL;

	if (len > INT32_MAX / 2)
		return -EINVAL;
	s = malloc(4 * ((len + 2) / 3) + 1);
	if (!s)
		return -ENOMEM;
	EVP_EncodeBlock((unsigned char *)s, buf, (int)len);
	return json_put_str(obj, key, s);
}

int json_write(FILE *out, json_object *doc, bool minify)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *text;
	int rc;

	flags |= minify ? JSON_C_TO_STRING_PLAIN :
			  JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;
	text = json_object_to_json_string_ext(doc, flags);
	if (!text)
		return -ENOMEM;
	rc = fputs(text, out) < 0 || fputc('\n', out) == EOF || fflush(out) ? -EIO : 0;
	/* The text is the document's own buffer, made anew on every call: no secret stays. */
	OPENSSL_cleanse((char *)text, strlen(text));
	return rc;
}
