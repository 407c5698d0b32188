// SPDX-License-Identifier: MIT
/*
 * segen verify / unpack: with a test host's private key, do what the
 * Ultravisor would do to an image and report like it; unpack writes the guest
 * memory the UV would leave as an ELF that QEMU can start.
 */
#include <errno.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "inspect/describe.h"
#include "inspect/elf_out.h"
#include "base/fileio.h"
#include "base/keymem.h"
#include "pki/hostkey.h"
#include "inspect/image_read.h"
#include "base/json_out.h"
#include "base/log.h"
#include "base/outfile.h"
#include "inspect/unpack.h"
#include "format/stub_blobs.h"
#include "inspect/uv.h"

#define MAX_HOST_KEYS 16

enum image_cmd {
	CMD_VERIFY,
	CMD_UNPACK,
};

struct image_cmd_opts {
	enum image_cmd cmd;
	const char *image;
	const char *host_keys[MAX_HOST_KEYS];
	size_t nr_host_keys;
	const char *output;
	bool overwrite;
	bool json;
	bool quiet;
	bool help;
	bool json_printed; /* the verdict went out; an error needs no JSON of its own */
};

static const char *const cmd_names[] = { "verify", "unpack" };

static void usage(FILE *out, enum image_cmd cmd)
{
	switch (cmd) {
	case CMD_VERIFY:
		fprintf(out,
			"Usage: segen verify IMAGE --host-key PRIVATE.pem [--host-key ...]\n"
			"                    [--format text|json]\n"
			"Do every check the Ultravisor does before it starts an image, with the\n"
			"private key of a TEST host: header, key slot, header decryption, every\n"
			"component page, the page, address and tweak list digests and the start\n"
			"PSW. A refusal is reported as the UV would: rc, rrc and a sentence.\n");
		break;
	case CMD_UNPACK:
		fprintf(out,
			"Usage: segen unpack IMAGE --host-key PRIVATE.pem -o MEMORY.elf [--overwrite]\n"
			"Verify like 'segen verify', then write the guest memory the Ultravisor\n"
			"would leave (decrypted components at their addresses) as an ELF whose entry\n"
			"is the start PSW: qemu-system-s390x -kernel MEMORY.elf starts stage-b.\n");
		break;
	}
	fprintf(out, "\nExit status: 0 success, 1 error or refused image, 2 usage error.\n");
}

static int parse(int argc, char **argv, enum image_cmd cmd, struct image_cmd_opts *o,
		 struct errinfo *err)
{
	static const struct option long_opts[] = {
		{ "host-key", required_argument, NULL, 'K' },
		{ "output", required_argument, NULL, 'o' },
		{ "overwrite", no_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'K':
			if (o->nr_host_keys >= MAX_HOST_KEYS)
				return err_set(err, -EINVAL, "at most %d --host-key options",
					       MAX_HOST_KEYS);
			o->host_keys[o->nr_host_keys++] = optarg;
			break;
		case 'o':
			if (cmd != CMD_UNPACK)
				return err_set(err, -EINVAL, "-o is for unpack");
			o->output = optarg;
			break;
		case 'O':
			o->overwrite = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return err_set(err, -EINVAL, "--format takes text or json");
			o->json = !strcmp(optarg, "json");
			break;
		case 'q':
			o->quiet = true;
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
	if (!o->nr_host_keys)
		return err_set(err, -EINVAL, "missing --host-key PRIVATE.pem");
	if (cmd == CMD_UNPACK && !o->output)
		return err_set(err, -EINVAL, "missing -o MEMORY.elf");
	return 0;
}

/* With --format json, stdout carries JSON whatever happened: here, the error. */
static void print_error_json(const struct image_cmd_opts *o, const char *msg)
{
	_cleanup_json_ json_object *doc = json_object_new_object();

	if (!doc || (json_put_str(doc, "result", "error") | json_put_str(doc, "image", o->image) |
		     json_put_str(doc, "message", msg)))
		return;
	json_write(stdout, doc, false);
}

static int print_verdict_json(const struct image_cmd_opts *o, const struct image_view *v,
			      const struct uv_result *res, bool ok)
{
	_cleanup_json_ json_object *doc = json_object_new_object();
	char flags[256];
	int rc = 0;

	if (!doc)
		return -ENOMEM;
	rc |= json_put_str(doc, "result", ok ? "ok" : "refused");
	if (res->rc)
		rc |= json_put_hex_num(doc, "uv_rc", res->rc);
	else
		rc |= json_put_null(doc, "uv_rc");
	rc |= json_put_hex_num(doc, "uv_rrc", res->rrc);
	rc |= json_put_str(doc, "message", res->msg);
	if (ok) {
		rc |= json_put_str(doc, "host_key", o->host_keys[res->key_index]);
		rc |= json_put_u64(doc, "key_slot", res->slot_index);
		rc |= json_put_hex_num(doc, "scf", res->hdr.scf);
		describe_flags(0, res->hdr.scf, flags, sizeof(flags));
		rc |= json_put_str(doc, "scf_flags", flags);
		rc |= json_put_hex_num(doc, "psw_mask", res->hdr.psw_mask);
		rc |= json_put_hex_num(doc, "psw_address", res->hdr.psw_addr);
		rc |= describe_image_json(doc, v, &res->hdr, true);
	} else {
		rc |= json_put_str(doc, "image", v->path);
	}
	if (rc)
		return -ENOMEM;
	return json_write(stdout, doc, false);
}

static void print_verdict_text(const struct image_cmd_opts *o, const struct image_view *v,
			       const struct uv_result *res)
{
	char flags[256];

	printf("%s: %s (UV rc 0x%04x)\n", v->path, res->msg, res->rc);
	printf("opened with %s through key slot %zu of %zu\n", o->host_keys[res->key_index],
	       res->slot_index, res->hdr.nr_keyslots);
	describe_flags(0, res->hdr.scf, flags, sizeof(flags));
	printf("SCF: 0x%016llx (%s)\n", (unsigned long long)res->hdr.scf, flags);
	printf("start PSW: 0x%016llx 0x%llx (in the %s component)\n",
	       (unsigned long long)res->hdr.psw_mask, (unsigned long long)res->hdr.psw_addr,
	       describe_component_name(v->ipib.comps[res->stage_b_index].id, v->legacy));
	printf("digests: PLD, ALD and TLD match; %llu pages\n",
	       (unsigned long long)res->hdr.nr_pages);
	describe_image_text(stdout, v, &res->hdr);
}

static int run_verify(const struct image_view *v, void *ctx, struct errinfo *err)
{
	struct image_cmd_opts *o = ctx;
	EVP_PKEY *keys[MAX_HOST_KEYS] = { 0 };
	struct uv_result *res;
	int rc;

	/* Stage-a runs first: an image it would stop is refused before any key is used. */
	if (o->cmd == CMD_VERIFY) {
		struct stub_blobs blobs;

		/* This segen's own stage-a tells its images from IBM's without the block. */
		rc = stub_blobs_load(NULL, &blobs, err);
		rc = rc ?: image_check_stage_a_params(v, blobs.stage_a, blobs.stage_a_size, err);
		if (rc)
			return rc;
	}
	/* The host private keys, the header key and the decrypted header stay out of cores. */
	if (keymem_enter() < 0 || !(res = keymem_zalloc(sizeof(*res))))
		return err_set(err, -ENOMEM, "out of memory for keys");
	rc = hostkey_load_privates(o->host_keys, o->nr_host_keys, keys, err);
	if (!rc && o->cmd == CMD_UNPACK) {
		const char *inputs[MAX_HOST_KEYS + 1] = { o->image };

		for (size_t i = 0; i < o->nr_host_keys; i++)
			inputs[i + 1] = o->host_keys[i];
		rc = outfile_refuse_inputs(o->output, inputs, o->nr_host_keys + 1, err);
	}
	if (!rc && o->cmd == CMD_UNPACK)
		rc = unpack_to_elf(v, keys, o->nr_host_keys, o->output, o->overwrite, res, err);
	else if (!rc)
		rc = uv_verify(v, keys, o->nr_host_keys, NULL, res, err);
	if (rc == -EBADMSG || rc == 0) {
		if (o->json) {
			int json_rc = print_verdict_json(o, v, res, rc == 0);

			if (json_rc && !rc)
				rc = err_set(err, json_rc, "%s: writing the JSON document: %s",
					     v->path, strerror(-json_rc));
			o->json_printed = true;
		} else if (rc == 0 && !o->quiet && o->cmd == CMD_VERIFY)
			print_verdict_text(o, v, res);
	}
	if (rc == -EBADMSG)
		uv_refusal_to_err(res, v->path, err);
	for (size_t i = 0; i < o->nr_host_keys; i++)
		EVP_PKEY_free(keys[i]);
	keymem_free(res, sizeof(*res));
	keymem_leave();
	return rc;
}

static int image_command(int argc, char **argv, enum image_cmd cmd)
{
	struct image_cmd_opts opts;
	struct errinfo err = { "" };
	int rc;

	rc = parse(argc, argv, cmd, &opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		fprintf(stderr, "Try 'segen %s --help' for more information.\n", cmd_names[cmd]);
		return EXIT_USAGE;
	}
	if (opts.help) {
		usage(stdout, cmd);
		return EXIT_OK;
	}
	rc = image_with_view(opts.image, run_verify, &opts, &err);
	if (rc) {
		if (opts.json && !opts.json_printed)
			print_error_json(&opts, err.msg);
		log_error("%s", err.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	return image_command(argc, argv, CMD_VERIFY);
}

int cmd_unpack(int argc, char **argv)
{
	return image_command(argc, argv, CMD_UNPACK);
}
