// SPDX-License-Identifier: MIT
/*
 * segen extract-header: write the SE header of an image, byte for byte, to a
 * file (what an attestation set-up needs). Under the name pvextract-hdr it
 * takes the options of IBM's script of that name.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/outfile.h"
#include "inspect/image_read.h"

#define PAGE_SIZE_BYTES 4096ULL
/* pvextract-hdr's defaults: output name, and the pages it searches. */
#define PVEXTRACT_DEFAULT_OUTPUT "sehdr.bin"

struct extract_opts {
	const char *image;
	const char *output;
	bool overwrite;
	bool have_window; /* -s/-l given: the header must start in these pages */
	uint64_t skip_pages, nr_pages;
	bool help;
};

static void usage(FILE *out, bool pvextract)
{
	if (pvextract)
		fprintf(out,
			"Usage: pvextract-hdr [-o sehdr.bin] [-s SKIP] [-l LEN] IMAGE\n"
			"Write the SE header of IMAGE to a file (default sehdr.bin, replaced if it\n"
			"exists). The header is found through the image's metadata or IPIB; with\n"
			"-s/-l it must also start within LEN pages after the first SKIP pages.\n");
	else
		fprintf(out,
			"Usage: %s extract-header IMAGE -o HEADER [--overwrite]\n"
			"Write the SE header of IMAGE, byte for byte, to HEADER: the input of\n"
			"attestation tools (pvattest, Trustee). Works on images of both layouts.\n"
			"\n"
			"  -o, --output FILE   the header file to write\n"
			"      --overwrite     replace an existing FILE\n"
			"  -h, --help          this help\n",
			log_program());
	fprintf(out, "\nExit status: 0 success, 1 error, 2 usage error.\n");
}

static int parse_pages(const char *opt, const char *arg, uint64_t *ret, struct errinfo *err)
{
	char *end;

	errno = 0;
	*ret = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-' || *ret > (1ULL << 40))
		return err_set(err, -EINVAL, "%s: '%s' is not a page count", opt, arg);
	return 0;
}

static int parse(int argc, char **argv, bool pvextract, struct extract_opts *o, struct errinfo *err)
{
	enum {
		OPT_OVERWRITE = 0x100
	};
	static const struct option long_opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->skip_pages = 0x14;
	o->nr_pages = 4;
	if (pvextract) {
		o->output = PVEXTRACT_DEFAULT_OUTPUT;
		o->overwrite = true;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, pvextract ? ":o:s:l:h" : ":o:h", long_opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 's':
		case 'l':
			rc = parse_pages(c == 's' ? "-s" : "-l", optarg,
					 c == 's' ? &o->skip_pages : &o->nr_pages, err);
			if (rc)
				return rc;
			o->have_window = true;
			break;
		case OPT_OVERWRITE:
			o->overwrite = true;
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
	if (!o->output)
		return err_set(err, -EINVAL, "missing -o HEADER");
	return 0;
}

static int extract(const struct image_view *v, void *ctx, struct errinfo *err)
{
	const struct extract_opts *o = ctx;
	struct outfile out = { .fd = -1 };
	struct se_hdr *hdr = calloc(1, sizeof(*hdr));
	size_t size;
	int rc;

	if (!hdr)
		return err_set(err, -ENOMEM, "out of memory");
	rc = se_hdr_parse(v->hdr_buf, v->hdr_len, hdr, NULL, NULL, err);
	size = rc ? 0 : se_hdr_size(hdr->nr_keyslots);
	free(hdr);
	if (rc)
		return err_prefix(err, rc, "%s", v->path);
	if (o->have_window && (v->hdr_addr < o->skip_pages * PAGE_SIZE_BYTES ||
			       v->hdr_addr >= (o->skip_pages + o->nr_pages) * PAGE_SIZE_BYTES))
		return err_set(err, -ENOENT,
			       "%s: the SE header is at 0x%llx, outside pages 0x%llx to 0x%llx",
			       v->path, (unsigned long long)v->hdr_addr,
			       (unsigned long long)o->skip_pages,
			       (unsigned long long)(o->skip_pages + o->nr_pages - 1));
	rc = outfile_open(o->output, o->overwrite, &out, err);
	if (rc)
		return rc;
	rc = fd_write_full(out.fd, v->hdr_buf, size);
	if (rc)
		err_set(err, rc, "%s: %s", o->output, strerror(-rc));
	else
		rc = outfile_commit(&out, err);
	outfile_abort(&out);
	return rc;
}

int cmd_extract_header(int argc, char **argv)
{
	bool pvextract = cli_invoked_as("pvextract-hdr");
	struct errinfo err = { "" };
	struct extract_opts opts;
	int rc;

	rc = parse(argc, argv, pvextract, &opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		fprintf(stderr, "Try '%s%s --help' for more information.\n", log_program(),
			pvextract ? "" : " extract-header");
		return EXIT_USAGE;
	}
	if (opts.help) {
		usage(stdout, pvextract);
		return EXIT_OK;
	}
	rc = image_with_view(opts.image, extract, &opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
