// SPDX-License-Identifier: MIT
/*
 * create's options: pvimg's comma-separated lists and --crt, --ramdisk-dir
 * against -r, and which help sections --help, --help-experimental and
 * --help-all select.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/create_opts.h"
#include "tap.h"

#define BASE "create", "-i", "vmlinuz", "-o", "out.img"

static int parse(struct create_opts *o, struct errinfo *err, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	memset(o, 0, sizeof(*o));
	return create_opts_parse(argc, argv, false, o, err);
}

#define PARSE(o, err, ...) parse(o, err, (char *[]){ __VA_ARGS__, NULL })

static void test_lists(void)
{
	struct create_opts o;
	struct errinfo err = { "" };
	int rc;

	rc = PARSE(&o, &err, BASE, "--no-verify", "-k", "a.crt,b.crt", "-k", "c.crt",
		   "--host-key-document=d.crt,e.crt");
	ok(rc == 0 && o.nr_hkds == 5, "-k lists and single names add up (%zu)", o.nr_hkds);
	ok(rc == 0 && !strcmp(o.hkds[0], "a.crt") && !strcmp(o.hkds[1], "b.crt") &&
		   !strcmp(o.hkds[2], "c.crt") && !strcmp(o.hkds[4], "e.crt"),
	   "in the order given");
	create_opts_done(&o);

	rc = PARSE(&o, &err, BASE, "-k", "h.crt", "--crt", "ibm.crt,inter.crt", "-C", "x.crt",
		   "--crl", "a.crl,b.crl", "--offline");
	ok(rc == 0 && o.nr_certs == 3 && !strcmp(o.certs[1], "inter.crt"),
	   "--crt is -C, and takes a list");
	ok(rc == 0 && o.nr_crls == 2 && !strcmp(o.crls[1], "b.crl"), "--crl takes a list");
	create_opts_done(&o);

	static const char *const bad[] = { "a.crt,,b.crt", ",a.crt", "a.crt,", "," };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = PARSE(&o, &err, BASE, "--no-verify", "-k", (char *)bad[i]);
		ok(rc == -EINVAL && strstr(err.msg, "empty file name in the list"),
		   "'%s' is refused: %s", bad[i], err.msg);
	}

	rc = PARSE(&o, &err, BASE, "--no-verify", "-k", "");
	ok(rc == -EINVAL && !strcmp(err.msg, "-k: empty file name"), "an empty name: %s", err.msg);

	/* More names than the option takes, given as lists. */
	size_t len = CREATE_MAX_HKD_ARGS * 2 + 2;
	char *many = malloc(len);

	many[0] = '\0';
	for (size_t i = 0; i <= CREATE_MAX_HKD_ARGS; i++)
		strcat(many, i ? ",h" : "h");
	rc = PARSE(&o, &err, BASE, "--no-verify", "-k", many);
	ok(rc == -EINVAL && strstr(err.msg, "more than 1024"), "too many names: %s", err.msg);
	free(many);
}

static void test_ramdisk_dir(void)
{
	struct create_opts o;
	struct errinfo err = { "" };
	int rc;

	rc = PARSE(&o, &err, BASE, "--no-verify", "-k", "h.crt", "--ramdisk-dir", "root/");
	ok(rc == 0 && o.ramdisk_dir && !strcmp(o.ramdisk_dir, "root/") && !o.ramdisk,
	   "--ramdisk-dir DIR");
	create_opts_done(&o);
	rc = PARSE(&o, &err, BASE, "--no-verify", "-k", "h.crt", "--ramdisk-dir", "root/", "-r",
		   "initrd");
	ok(rc == -EINVAL && strstr(err.msg, "exclude each other"), "not with -r: %s", err.msg);
}

static bool usage_has(enum create_help which, const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool found;

	create_opts_usage(f, "segen create", which);
	fclose(f);
	found = strstr(buf, text) != NULL;
	free(buf);
	return found;
}

static void test_help(void)
{
	struct create_opts o;
	struct errinfo err = { "" };

	ok(PARSE(&o, &err, "create", "-h") == 0 && o.help == HELP_USUAL, "-h");
	ok(PARSE(&o, &err, "create", "--help-experimental") == 0 && o.help == HELP_EXPERIMENTAL,
	   "--help-experimental");
	ok(PARSE(&o, &err, "create", "--help-all", "--help") == 0 && o.help == HELP_ALL,
	   "--help-all wins over --help");
	ok(usage_has(HELP_USUAL, "--ramdisk-dir") && !usage_has(HELP_USUAL, "--x-pcf"),
	   "--help: the usual options only");
	ok(usage_has(HELP_EXPERIMENTAL, "--x-bootloader-directory") &&
		   !usage_has(HELP_EXPERIMENTAL, "--ramdisk-dir"),
	   "--help-experimental: the experimental ones only");
	ok(usage_has(HELP_ALL, "--x-seed") && usage_has(HELP_ALL, "--enable-pckmo-hmac"),
	   "--help-all: both");
}

int main(void)
{
	test_lists();
	test_ramdisk_dir();
	test_help();
	return done_testing();
}
