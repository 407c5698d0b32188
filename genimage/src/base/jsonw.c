// SPDX-License-Identifier: MIT
#include "base/jsonw.h"

#include <inttypes.h>

void jsonw_init(struct jsonw *w, FILE *out)
{
	w->out = out;
	w->depth = 0;
	w->first[0] = true;
}

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Comma, newline and indent before a member; then its key, if any. */
static void member(struct jsonw *w, const char *key)
{
	if (w->depth > 0) {
		fputs(w->first[w->depth] ? "\n" : ",\n", w->out);
		fprintf(w->out, "%*s", 2 * w->depth, "");
	}
	w->first[w->depth] = false;
	if (key) {
		put_string(w->out, key);
		fputs(": ", w->out);
	}
}

static void open_container(struct jsonw *w, const char *key, char c)
{
	member(w, key);
	fputc(c, w->out);
	if (w->depth + 1 < JSONW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_container(struct jsonw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	fputc(c, w->out);
	if (w->depth == 0)
		fputc('\n', w->out);
}

void jsonw_object_begin(struct jsonw *w, const char *key)
{
	open_container(w, key, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	close_container(w, '}');
}

void jsonw_array_begin(struct jsonw *w, const char *key)
{
	open_container(w, key, '[');
}

void jsonw_array_end(struct jsonw *w)
{
	close_container(w, ']');
}

void jsonw_string(struct jsonw *w, const char *key, const char *value)
{
	member(w, key);
	put_string(w->out, value);
}

void jsonw_u64(struct jsonw *w, const char *key, uint64_t value)
{
	member(w, key);
	fprintf(w->out, "%" PRIu64, value);
}

void jsonw_hex(struct jsonw *w, const char *key, uint64_t value)
{
	member(w, key);
	fprintf(w->out, "\"0x%" PRIx64 "\"", value);
}

void jsonw_bytes_hex(struct jsonw *w, const char *key, const uint8_t *buf, size_t len)
{
	member(w, key);
	fputc('"', w->out);
	for (size_t i = 0; i < len; i++)
		fprintf(w->out, "%02x", buf[i]);
	fputc('"', w->out);
}

void jsonw_bool(struct jsonw *w, const char *key, bool value)
{
	member(w, key);
	fputs(value ? "true" : "false", w->out);
}

void jsonw_null(struct jsonw *w, const char *key)
{
	member(w, key);
	fputs("null", w->out);
}
