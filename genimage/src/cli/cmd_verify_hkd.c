// SPDX-License-Identifier: MIT
/* segen verify-hkd: the host-key document checks of segen create, on their own. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "pki/hkd_verify.h"
#include "pki/hostkey.h"
#include "base/log.h"
#include "pki/pki_load.h"
#include "base/ssl_util.h"

/* Documents one run checks; a data centre has a few dozen machines per image. */
#define VERIFY_HKD_MAX_DOCUMENTS 256

enum {
	OPT_CRL = 0x100,
	OPT_ROOT_CA,
	OPT_OFFLINE,
};

static const struct option verify_hkd_options[] = {
	{ "cert", required_argument, NULL, 'C' },
	{ "crl", required_argument, NULL, OPT_CRL },
	{ "root-ca", required_argument, NULL, OPT_ROOT_CA },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void verify_hkd_usage(FILE *out)
{
	fprintf(out,
		"Usage: segen verify-hkd HKD... -C CERT... [--crl FILE]... [--root-ca FILE] "
		"[--offline]\n"
		"Check host-key documents against the IBM Z PKI before an image is built for them.\n"
		"\n"
		"  -C, --cert FILE     the IBM Z signing key and the intermediate CA (repeatable)\n"
		"      --crl FILE      a certificate revocation list, PEM or DER (repeatable)\n"
		"      --root-ca FILE  trust this root CA instead of the system CA store\n"
		"      --offline       never download CRLs: use those of --crl, -C and --root-ca\n"
		"  -h, --help          show this help\n"
		"\n"
		"Prints one verdict per document, \"FILE: OK\" or \"FILE: INVALID: REASON\".\n"
		"Exit status: 0 all documents valid, 1 any invalid or the chain not trusted, "
		"2 usage.\n");
}

struct verify_hkd_args {
	const char *certs[HKD_VERIFY_MAX_FILES];
	const char *crls[HKD_VERIFY_MAX_FILES];
	struct hkd_verify_opts opts;
};

static int add_path(const char **paths, size_t *nr, const char *path, const char *option)
{
	if (*nr == HKD_VERIFY_MAX_FILES) {
		log_error("%s: at most %d files", option, HKD_VERIFY_MAX_FILES);
		return -1;
	}
	paths[(*nr)++] = path;
	return 0;
}

/* Returns -1 for a usage error, 1 when --help was shown, 0 to go on. */
static int parse_args(int argc, char **argv, struct verify_hkd_args *args)
{
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "C:h", verify_hkd_options, NULL)) != -1) {
		switch (opt) {
		case 'C':
			if (add_path(args->certs, &args->opts.nr_cert_paths, optarg, "-C"))
				return -1;
			break;
		case OPT_CRL:
			if (add_path(args->crls, &args->opts.nr_crl_paths, optarg, "--crl"))
				return -1;
			break;
		case OPT_ROOT_CA:
			if (args->opts.root_ca_path) {
				log_error("--root-ca: give one root CA");
				return -1;
			}
			args->opts.root_ca_path = optarg;
			break;
		case OPT_OFFLINE:
			args->opts.offline = true;
			break;
		case 'h':
			verify_hkd_usage(stdout);
			return 1;
		default:
			verify_hkd_usage(stderr);
			return -1;
		}
	}
	if (optind >= argc)
		log_error("no host-key document given");
	else if (argc - optind > VERIFY_HKD_MAX_DOCUMENTS)
		log_error("at most %d host-key documents", VERIFY_HKD_MAX_DOCUMENTS);
	else if (args->opts.nr_cert_paths == 0)
		log_error("-C is needed: the IBM Z signing key and the intermediate CA");
	else
		return 0;
	return -1;
}

/* The verdict line; the message names the file first, which the line already does. */
static void print_invalid(const char *path, const struct errinfo *err)
{
	const char *reason = err->msg;
	size_t len = strlen(path);

	if (strncmp(reason, path, len) == 0 && strncmp(reason + len, ": ", 2) == 0)
		reason += len + 2;
	printf("%s: INVALID: %s\n", path, reason);
}

static bool verify_one(struct hkd_verifier *verifier, const char *path)
{
	_cleanup_(x509_freep) X509 *hkd = NULL;
	struct errinfo err = { "" };
	int rc;

	rc = hostkey_load_hkd_cert(path, &hkd, &err);
	if (!rc)
		rc = hkd_verifier_check(verifier, hkd, path, &err);
	if (rc) {
		print_invalid(path, &err);
		return false;
	}
	printf("%s: OK\n", path);
	return true;
}

int cmd_verify_hkd(int argc, char **argv)
{
	struct verify_hkd_args args = { 0 };
	struct hkd_verifier *verifier = NULL;
	struct errinfo err = { "" };
	bool all_valid = true;
	int rc;

	args.opts.cert_paths = args.certs;
	args.opts.crl_paths = args.crls;
	rc = parse_args(argc, argv, &args);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	rc = hkd_verifier_new(&args.opts, &verifier, &err);
	if (rc) {
		log_error("%s", err.msg);
		return EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++)
		all_valid = verify_one(verifier, argv[i]) && all_valid;
	hkd_verifier_free(verifier);
	fflush(stdout);
	return all_valid ? EXIT_OK : EXIT_ERROR;
}
