// SPDX-License-Identifier: MIT
/* The key-hash lists of /sys/firmware/uv/keys/: what parses, and how errors read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#include "inspect/uv_keys.h"

#define HASH_A "0b729fd62241b339840d61b964a06bb6a1fd4976d9ebea2b4fb48d44de3a2461"
#define HASH_B "8EC6BC2F77D5D6474B1417CF0A8C914F576245A5B9BB0EEFACC7B821483ECE7D"
#define ZERO "0000000000000000000000000000000000000000000000000000000000000000"

static int parse(const char *text, struct uv_key_hashes *keys, struct errinfo *err)
{
	return uv_keys_parse(text, strlen(text), "keys", keys, err);
}

/* The 15 lines the kernel writes to "all": host key, backup host key, 13 unused. */
static void all_file(char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s\n%s\n", HASH_A, HASH_B);

	for (int i = 0; i < 13; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s\n", ZERO);
}

static void test_all(void)
{
	static const uint8_t a0[] = { 0x0b, 0x72, 0x9f }, b_last[] = { 0x3e, 0xce, 0x7d };
	struct errinfo err = { "" };
	struct uv_key_hashes keys;
	char text[2048];

	all_file(text, sizeof(text));
	ok(parse(text, &keys, &err) == 0, "the 15 lines of 'all' parse (%s)", err.msg);
	ok(keys.nr == 15, "15 hashes");
	ok(!memcmp(keys.hash[0], a0, sizeof(a0)), "first hash decoded");
	ok(!memcmp(keys.hash[1] + 29, b_last, sizeof(b_last)), "upper-case hex decoded");
	ok(!strcmp(uv_key_role(keys.nr, 0), "host key") &&
		   !strcmp(uv_key_role(keys.nr, 1), "backup host key") &&
		   !strcmp(uv_key_role(keys.nr, 2), "key"),
	   "roles of the lines of 'all'");
	ok(uv_key_is_empty(keys.hash[14]) && !uv_key_is_empty(keys.hash[0]),
	   "zero lines are empty slots");
}

static void test_single(void)
{
	struct errinfo err = { "" };
	struct uv_key_hashes keys;

	ok(parse(HASH_A "\n", &keys, &err) == 0 && keys.nr == 1, "host_key: one line");
	ok(!strcmp(uv_key_role(keys.nr, 0), "key"), "one line has no role");
	ok(parse(HASH_A, &keys, &err) == 0 && keys.nr == 1, "no final newline");
}

static void test_errors(void)
{
	struct errinfo err = { "" };
	struct uv_key_hashes keys;
	char text[2048];

	ok(parse("", &keys, &err) < 0 && strstr(err.msg, "keys: no key hashes"), "empty: %s",
	   err.msg);
	ok(parse(HASH_A "\n" HASH_A "0\n", &keys, &err) < 0 &&
		   !strcmp(err.msg, "keys: line 2: not a key hash (64 hex digits expected)"),
	   "a long line is named: %s", err.msg);
	ok(parse(HASH_A "\n\n", &keys, &err) < 0 && strstr(err.msg, "line 2:"),
	   "an empty line is named: %s", err.msg);
	ok(parse("0b729fd62241b339840d61b964a06bb6a1fd4976d9ebea2b4fb48d44de3a246g\n", &keys,
		 &err) < 0 &&
		   strstr(err.msg, "line 1:"),
	   "a non-hex digit: %s", err.msg);
	ok(parse(HASH_A "\r\n", &keys, &err) < 0, "CR is not part of the format");
	all_file(text, sizeof(text));
	strcat(text, HASH_A "\n");
	ok(parse(text, &keys, &err) < 0 && strstr(err.msg, "line 16: more than 15"),
	   "sixteen lines: %s", err.msg);
}

static void test_load(void)
{
	char path[] = "/tmp/test_uv_keys.XXXXXX";
	struct errinfo err = { "" };
	struct uv_key_hashes keys;
	char text[2048];
	FILE *f;
	int fd;

	fd = mkstemp(path);
	ok(fd >= 0, "temporary file");
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	all_file(text, sizeof(text));
	fputs(text, f);
	fclose(f);
	ok(uv_keys_load(path, &keys, &err) == 0 && keys.nr == 15, "load a copy of 'all' (%s)",
	   err.msg);
	f = fopen(path, "w");
	for (int i = 0; i < 80; i++)
		fputs(HASH_A "\n", f);
	fclose(f);
	ok(uv_keys_load(path, &keys, &err) < 0 && strstr(err.msg, "too large"),
	   "a file past the size limit: %s", err.msg);
	unlink(path);
	ok(uv_keys_load(path, &keys, &err) < 0 && strstr(err.msg, "No such file"),
	   "a missing file is named: %s", err.msg);
}

int main(void)
{
	test_all();
	test_single();
	test_errors();
	test_load();
	return done_testing();
}
