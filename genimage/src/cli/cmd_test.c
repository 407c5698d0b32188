// SPDX-License-Identifier: MIT
/*
 * segen test (pvimg test): which of the given hosts can run an image, by their
 * host-key documents or by the key hashes a machine reports
 * (/sys/firmware/uv/keys/). Exit 0 when at least one can, 1 when none can.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "base/log.h"
#include "inspect/image_read.h"
#include "inspect/uv_keys.h"
#include "pki/hostkey.h"

#define TEST_MAX_HKDS 95

struct test_opts {
	const char *image;
	char *hkd_list[TEST_MAX_HKDS]; /* copies: -k takes comma-separated lists */
	size_t nr_hkds;
	const char *key_hashes;
	bool quiet;
	bool help;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %1$s test IMAGE -k HKD[,HKD]... [-k ...]\n"
		"       %1$s test IMAGE --key-hashes[=FILE]\n"
		"Tell which of the given hosts can run IMAGE: whose host key has a key slot\n"
		"in its SE header. The header is not authenticated (segen info can).\n"
		"\n"
		"  -k, --host-key-document FILE  a host-key document; repeat it or give a\n"
		"                      comma-separated list\n"
		"  --key-hashes[=FILE] the key hashes a machine reports, one per line as in\n"
		"                      /sys/firmware/uv/keys/all (the default), host_key or\n"
		"                      backup_host_key\n"
		"  -q, --quiet         only errors\n"
		"  -v, --verbose, -V   accepted as pvimg accepts them; no more output\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 at least one host can run the image, 1 none can or an error,\n"
		"2 usage error.\n",
		log_program());
}

static void free_opts(struct test_opts *o)
{
	for (size_t i = 0; i < o->nr_hkds; i++)
		free(o->hkd_list[i]);
	o->nr_hkds = 0;
}

static int add_hkds(struct test_opts *o, const char *arg, struct errinfo *err)
{
	const char *p = arg;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (!len)
			return err_set(err, -EINVAL, "-k: empty file name in '%s'", arg);
		if (o->nr_hkds == TEST_MAX_HKDS)
			return err_set(err, -EINVAL, "at most %d host-key documents",
				       TEST_MAX_HKDS);
		o->hkd_list[o->nr_hkds] = strndup(p, len);
		if (!o->hkd_list[o->nr_hkds])
			return err_set(err, -ENOMEM, "out of memory");
		o->nr_hkds++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int parse(int argc, char **argv, struct test_opts *o, struct errinfo *err)
{
	enum {
		OPT_KEY_HASHES = 0x100
	};
	static const struct option long_opts[] = {
		{ "host-key-document", required_argument, NULL, 'k' },
		{ "key-hashes", optional_argument, NULL, OPT_KEY_HASHES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:qvVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			rc = add_hkds(o, optarg, err);
			if (rc)
				return rc;
			break;
		case OPT_KEY_HASHES:
			o->key_hashes = optarg ? optarg : UV_KEYS_DEFAULT_PATH;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
		case 'V':
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			return err_set(err, -EINVAL, "option %s needs an argument",
				       argv[optind - 1]);
		default:
			return err_set(err, -EINVAL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return err_set(err, -EINVAL, "expected exactly one IMAGE");
	o->image = argv[optind];
	if (o->nr_hkds && o->key_hashes)
		return err_set(err, -EINVAL, "-k and --key-hashes exclude each other");
	if (!o->nr_hkds && !o->key_hashes)
		return err_set(err, -EINVAL, "give -k HKD or --key-hashes[=FILE]");
	return 0;
}

/* The key slot holding @hash, or -1. */
static long find_slot(const struct se_hdr *hdr, const uint8_t hash[HOSTKEY_HASH_LEN])
{
	for (size_t i = 0; i < hdr->nr_keyslots; i++)
		if (!memcmp(hdr->keyslots[i], hash, HOSTKEY_HASH_LEN))
			return (long)i;
	return -1;
}

static void report(const struct test_opts *o, const char *what, long slot)
{
	if (o->quiet)
		return;
	if (slot >= 0)
		printf("%s: included (key slot %ld)\n", what, slot);
	else
		printf("%s: not included\n", what);
}

static int test_hkds(const struct test_opts *o, const struct se_hdr *hdr, size_t *ret_found,
		     struct errinfo *err)
{
	size_t found = 0;

	for (size_t i = 0; i < o->nr_hkds; i++) {
		struct hostkey key = { 0 };
		char what[4200];
		long slot;
		int rc;

		rc = hostkey_load_hkd(o->hkd_list[i], &key, err);
		if (rc)
			return rc;
		slot = find_slot(hdr, key.hash);
		hostkey_done(&key);
		snprintf(what, sizeof(what), "host-key document %s", o->hkd_list[i]);
		report(o, what, slot);
		found += slot >= 0;
	}
	*ret_found = found;
	return 0;
}

static int test_key_hashes(const struct test_opts *o, const struct se_hdr *hdr, size_t *ret_found,
			   struct errinfo *err)
{
	struct uv_key_hashes keys;
	size_t found = 0;
	int rc;

	rc = uv_keys_load(o->key_hashes, &keys, err);
	if (rc == -ENOENT && !strcmp(o->key_hashes, UV_KEYS_DEFAULT_PATH))
		return err_set(err, rc,
			       "%s: not found: this machine does not report its host keys (an IBM "
			       "Z with Query Ultravisor Keys is needed); give --key-hashes=FILE",
			       UV_KEYS_DEFAULT_PATH);
	if (rc)
		return rc;
	for (size_t i = 0; i < keys.nr; i++) {
		char what[128];
		long slot;

		if (uv_key_is_empty(keys.hash[i]))
			continue;
		slot = find_slot(hdr, keys.hash[i]);
		snprintf(what, sizeof(what), "%s hash ", uv_key_role(keys.nr, i));
		for (size_t j = 0; j < UV_KEY_HASH_LEN; j++)
			snprintf(what + strlen(what), sizeof(what) - strlen(what), "%02x",
				 keys.hash[i][j]);
		report(o, what, slot);
		found += slot >= 0;
	}
	*ret_found = found;
	return 0;
}

struct test_run {
	const struct test_opts *opts;
	size_t found;
};

static int test_view(const struct image_view *view, void *ctx, struct errinfo *err)
{
	struct test_run *t = ctx;
	struct se_hdr *hdr = calloc(1, sizeof(*hdr));
	int rc;

	if (!hdr)
		return err_set(err, -ENOMEM, "out of memory");
	rc = se_hdr_parse(view->hdr_buf, view->hdr_len, hdr, NULL, NULL, err);
	if (rc)
		err_prefix(err, rc, "%s", t->opts->image);
	else if (t->opts->nr_hkds)
		rc = test_hkds(t->opts, hdr, &t->found, err);
	else
		rc = test_key_hashes(t->opts, hdr, &t->found, err);
	free(hdr);
	return rc;
}

static int run_test(const struct test_opts *o, struct errinfo *err)
{
	struct test_run t = { .opts = o };
	int rc = image_with_view(o->image, test_view, &t, err);

	if (!rc && !t.found)
		rc = err_set(err, -ENOKEY, "%s: none of the given hosts can run this image",
			     o->image);
	return rc;
}

int cmd_test(int argc, char **argv)
{
	struct test_opts opts = { 0 };
	struct errinfo err = { "" };
	int rc, status = EXIT_OK;

	rc = parse(argc, argv, &opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		fprintf(stderr, "Try '%s test --help' for more information.\n", log_program());
		status = EXIT_USAGE;
	} else if (opts.help) {
		usage(stdout);
	} else if (run_test(&opts, &err)) {
		fflush(stdout); /* the per-host lines come before the verdict */
		log_error("%s", err.msg);
		status = EXIT_ERROR;
	}
	free_opts(&opts);
	return status;
}
