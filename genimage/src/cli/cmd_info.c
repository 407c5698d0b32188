// SPDX-License-Identifier: MIT
/*
 * segen info (pvimg info): the header and layout of an image, as text or as
 * pvimg's JSON document; with the header protection key, authenticated and
 * with the encrypted part.
 */
#include <errno.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "base/fileio.h"
#include "base/log.h"
#include "inspect/describe.h"
#include "inspect/image_read.h"

/* The JSON Schema of the document, genimage/schema/info-v1.schema.json, linked in. */
extern const char segen_info_schema[];
extern const char segen_info_schema_end[];

enum info_format {
	FORMAT_DEFAULT, /* text on a terminal for pvimg, else JSON; text for segen */
	FORMAT_TEXT,
	FORMAT_TEXT_FULL,
	FORMAT_JSON,
	FORMAT_JSON_MINIFY,
};

struct info_opts {
	const char *image;
	enum info_format format;
	const char *hdr_key;
	bool show_secrets;
	const char *print_schema; /* "text" or "json" */
	bool quiet;
	bool help;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %1$s info [OPTION]... IMAGE\n"
		"       %1$s info --print-schema json|text\n"
		"Show the SE header and layout of an image: flags, key-slot hashes, the header\n"
		"tag and the digests an attestation service checks against. Without --hdr-key\n"
		"nothing is authenticated.\n"
		"\n"
		"  --format text|text:full|json|json:pretty|json:minify\n"
		"                      json is json:pretty; default: text (for pvimg: text on a\n"
		"                      terminal, else json)\n"
		"  --hdr-key, --key FILE  the header protection key of the image (32 bytes, as\n"
		"                      given to create --hdr-key): authenticate the header and\n"
		"                      show its encrypted part (PSW, secret control flags)\n"
		"  --show-secrets      with --hdr-key, also show the keys in it: CCK and image\n"
		"                      key (trusted machines only)\n"
		"  --print-schema json|text  print the JSON Schema of the json output and exit\n"
		"  -q, --quiet         no warning about an unauthenticated header\n"
		"  -v, --verbose, -V   accepted as pvimg accepts them; no more output\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n",
		log_program());
}

static int parse_format(const char *arg, enum info_format *ret, struct errinfo *err)
{
	static const struct {
		const char *name;
		enum info_format format;
	} formats[] = {
		{ "text", FORMAT_TEXT },
		{ "text:default", FORMAT_TEXT },
		{ "text:full", FORMAT_TEXT_FULL },
		{ "json", FORMAT_JSON },
		{ "json:default", FORMAT_JSON },
		{ "json:pretty", FORMAT_JSON },
		{ "json:minify", FORMAT_JSON_MINIFY },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcasecmp(arg, formats[i].name)) {
			*ret = formats[i].format;
			return 0;
		}
	return err_set(err, -EINVAL,
		       "--format takes text, text:full, json, json:pretty or json:minify, not '%s'",
		       arg);
}

static int parse(int argc, char **argv, struct info_opts *o, struct errinfo *err)
{
	enum {
		OPT_FORMAT = 0x100,
		OPT_HDR_KEY,
		OPT_SHOW_SECRETS,
		OPT_PRINT_SCHEMA
	};
	static const struct option long_opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "hdr-key", required_argument, NULL, OPT_HDR_KEY },
		{ "key", required_argument, NULL, OPT_HDR_KEY },
		{ "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
		{ "print-schema", required_argument, NULL, OPT_PRINT_SCHEMA },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool format_given = false;
	int c, rc;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qvVh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			rc = parse_format(optarg, &o->format, err);
			if (rc)
				return rc;
			format_given = true;
			break;
		case OPT_HDR_KEY:
			o->hdr_key = optarg;
			break;
		case OPT_SHOW_SECRETS:
			o->show_secrets = true;
			break;
		case OPT_PRINT_SCHEMA:
			if (strcasecmp(optarg, "json") && strcasecmp(optarg, "text"))
				return err_set(err, -EINVAL, "--print-schema takes json or text");
			o->print_schema = optarg;
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
	if (o->print_schema) {
		if (optind != argc || format_given || o->hdr_key || o->show_secrets)
			return err_set(err, -EINVAL,
				       "--print-schema takes no IMAGE, --format, --hdr-key or "
				       "--show-secrets");
		return 0;
	}
	if (optind != argc - 1)
		return err_set(err, -EINVAL, "expected exactly one IMAGE");
	o->image = argv[optind];
	if (o->show_secrets && !o->hdr_key)
		return err_set(err, -EINVAL, "--show-secrets needs --hdr-key FILE");
	return 0;
}

static enum info_format resolve_format(enum info_format f)
{
	if (f != FORMAT_DEFAULT)
		return f;
	if (cli_invoked_as("pvimg"))
		return isatty(STDOUT_FILENO) ? FORMAT_TEXT : FORMAT_JSON;
	return FORMAT_TEXT;
}

static int print_schema(const char *format)
{
	if (strcasecmp(format, "json")) {
		printf("The text format has no schema: it is meant for people and may change.\n");
		return EXIT_OK;
	}
	if (fwrite(segen_info_schema, 1, (size_t)(segen_info_schema_end - segen_info_schema),
		   stdout) != (size_t)(segen_info_schema_end - segen_info_schema) ||
	    fflush(stdout)) {
		log_error("writing the schema: %s", strerror(errno));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* Authenticate the header with the key in @o->hdr_key and decrypt its encrypted part. */
static int open_header(const struct info_opts *o, const struct image_view *v, struct se_hdr *hdr,
		       struct errinfo *err)
{
	uint8_t key[SE_HEADER_KEY_LEN];
	int rc;

	rc = file_read_key(o->hdr_key, key, sizeof(key), err);
	if (rc)
		return rc;
	rc = se_hdr_open(v->hdr_buf, v->hdr_len, key, hdr);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc == -EBADMSG)
		return err_set(err, rc,
			       "%s: the header key %s does not open the SE header (wrong key, or "
			       "the header was changed)",
			       v->path, o->hdr_key);
	if (rc)
		return err_set(err, rc, "%s: opening the SE header: %s", v->path, strerror(-rc));
	return 0;
}

static int show(const struct image_view *v, void *ctx, struct errinfo *err)
{
	const struct info_opts *o = ctx;
	enum info_format format = resolve_format(o->format);
	struct describe_info_opts d = {
		.trust = DESCRIBE_UNVERIFIED,
		.full = format == FORMAT_TEXT_FULL,
		.tool_version = cli_tool_version(),
		.now = time(NULL),
	};
	_cleanup_json_ json_object *doc = NULL;
	struct guest_memory memory;
	struct se_hdr hdr;
	int rc;

	rc = se_hdr_parse(v->hdr_buf, v->hdr_len, &hdr, NULL, NULL, err);
	if (rc)
		return err_prefix(err, rc, "%s", v->path);
	rc = guest_memory_of_image(v, &memory, err);
	if (rc)
		return rc;
	d.memory = &memory;
	if (o->hdr_key) {
		rc = open_header(o, v, &hdr, err);
		if (rc)
			return rc;
		d.trust = o->show_secrets ? DESCRIBE_DECRYPTED : DESCRIBE_VERIFIED;
		if (!o->show_secrets)
			se_hdr_wipe_secrets(&hdr);
	} else if (!o->quiet) {
		log_warn("%s: the SE header is not authenticated; give --hdr-key to verify it, "
			 "and do not trust these values until then",
			 v->path);
	}
	if (format == FORMAT_TEXT || format == FORMAT_TEXT_FULL) {
		describe_info_text(stdout, v, &hdr, &d);
	} else {
		rc = describe_info_json(v, &hdr, &d, &doc);
		if (!rc)
			rc = json_write(stdout, doc, format == FORMAT_JSON_MINIFY);
		if (rc)
			err_set(err, rc, "%s: writing the JSON document: %s", v->path,
				strerror(-rc));
	}
	se_hdr_wipe_secrets(&hdr);
	return rc;
}

int cmd_info(int argc, char **argv)
{
	struct errinfo err = { "" };
	struct info_opts opts;
	int rc;

	rc = parse(argc, argv, &opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		fprintf(stderr, "Try '%s info --help' for more information.\n", log_program());
		return EXIT_USAGE;
	}
	if (opts.help) {
		usage(stdout);
		return EXIT_OK;
	}
	if (opts.print_schema)
		return print_schema(opts.print_schema);
	rc = image_with_view(opts.image, show, &opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
