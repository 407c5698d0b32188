/* SPDX-License-Identifier: MIT */
/*
 * The options of `segen create`, with IBM's names (genprotimg/pvimg) so
 * existing scripts work, and IBM's rules for which flags need which keys.
 */
#ifndef SEGEN_CREATE_OPTS_H
#define SEGEN_CREATE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "create/decomp.h"

/* More than the header can hold, so the "too many" check sees the real count. */
#define CREATE_MAX_HKD_ARGS 1024
#define CREATE_MAX_CERT_ARGS 64

/* A header flag option: unset, or explicitly enabled/disabled. */
enum tristate {
	FLAG_UNSET = 0,
	FLAG_ENABLE,
	FLAG_DISABLE,
};

/* What --help prints: genprotimg split the experimental options off. */
enum create_help {
	HELP_NONE = 0,
	HELP_USUAL,	   /* --help */
	HELP_EXPERIMENTAL, /* --help-experimental */
	HELP_ALL,	   /* --help-all */
};

struct create_opts {
	const char *kernel;
	const char *ramdisk;
	const char *ramdisk_dir;
	const char *parmfile;
	const char *output;
	const char *hkds[CREATE_MAX_HKD_ARGS];
	size_t nr_hkds;
	const char *certs[CREATE_MAX_CERT_ARGS];
	size_t nr_certs;
	const char *crls[CREATE_MAX_CERT_ARGS];
	size_t nr_crls;
	const char *root_ca;
	bool offline;
	bool no_verify;
	const char *cck_path;
	const char *hdr_key_path;
	const char *image_key_path;
	enum tristate dump, cck_ext_secret, cck_update, pckmo, pckmo_hmac, backup_keys,
		image_encryption;
	bool have_x_pcf, have_x_scf, have_x_psw;
	uint64_t x_pcf, x_scf, x_psw;
	const char *x_seed;
	const char *bootloader_dir;
	bool component_check;
	enum decomp_inflater inflater;
	bool overwrite;
	int verbosity; /* -1 quiet, 0 normal, 1.. verbose */
	enum create_help help;
	bool version;
	/* Copies of comma-separated arguments ("-k a,b"), which the lists point into. */
	char *split_args[CREATE_MAX_HKD_ARGS];
	size_t nr_split_args;
};

/*
 * Parse @argv (argv[0] is the command name). @genprotimg selects the behaviour
 * of the genprotimg name (an existing output is replaced). -EINVAL means a
 * usage error, described in @err.
 */
int create_opts_parse(int argc, char **argv, bool genprotimg, struct create_opts *ret_opts,
		      struct errinfo *err);

/* Release what create_opts_parse() allocated (the copies the lists point into). */
void create_opts_done(struct create_opts *opts);

/* The plaintext and secret control flags the options ask for. */
void create_opts_flags(const struct create_opts *opts, uint64_t *ret_pcf, uint64_t *ret_scf);

/* The --help text; @which selects the sections (HELP_USUAL if HELP_NONE). */
void create_opts_usage(FILE *out, const char *prog, enum create_help which);

#endif /* SEGEN_CREATE_OPTS_H */
