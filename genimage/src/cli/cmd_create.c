// SPDX-License-Identifier: MIT
/* segen create (and genprotimg): options in, one verified image out. */
#include <errno.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/create_opts.h"
#include "base/fileio.h"
#include "base/keymem.h"
#include "pki/hkd_verify.h"
#include "pki/hostkey.h"
#include "create/image_create.h"
#include "create/initramfs.h"
#include "base/log.h"
#include "base/outfile.h"
#include "format/stub_blobs.h"
#include "base/util.h"

/* The keys a user may give; generated ones never leave image_create(). */
struct create_keys {
	uint8_t cck[SE_CCK_LEN], hdr_key[SE_HEADER_KEY_LEN], image_key[SE_XTS_KEY_LEN];
};

/* Everything create holds, released in one place. */
struct create_ctx {
	struct create_opts opts;
	struct hostkey hosts[SE_HDR_MAX_KEYSLOTS];
	size_t nr_hosts;
	struct randsrc rand;
	struct create_keys *keys; /* in keymem */
	struct stub_blobs blobs;
	struct outfile out;
	struct timespec started, progress_last;
	enum image_phase progress_phase;
	bool progress_shown;
	bool progress_open; /* a progress line without its newline yet */
};

static void create_ctx_done(struct create_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nr_hosts; i++)
		hostkey_done(&ctx->hosts[i]);
	randsrc_done(&ctx->rand);
	keymem_free(ctx->keys, sizeof(*ctx->keys));
	ctx->keys = NULL;
	stub_blobs_done(&ctx->blobs);
	outfile_abort(&ctx->out);
	create_opts_done(&ctx->opts);
}

/* Below this much input create takes well under a second: no progress line. */
#define PROGRESS_MIN_BYTES (64ull << 20)
#define PROGRESS_INTERVAL_NS 200000000L

static int64_t elapsed_ns(const struct timespec *from, const struct timespec *to)
{
	return (int64_t)(to->tv_sec - from->tv_sec) * 1000000000L + (to->tv_nsec - from->tv_nsec);
}

/* One line on a terminal, rewritten in place; it ends when the last byte is in. */
static void report_progress(void *opaque, enum image_phase phase, uint64_t done, uint64_t total)
{
	struct create_ctx *ctx = opaque;
	struct timespec now;

	if (total < PROGRESS_MIN_BYTES)
		return;
	if (phase != ctx->progress_phase)
		ctx->progress_shown = false;
	ctx->progress_phase = phase;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && ctx->progress_shown &&
	    elapsed_ns(&ctx->progress_last, &now) < PROGRESS_INTERVAL_NS)
		return;
	ctx->progress_last = now;
	ctx->progress_shown = true;
	fprintf(stderr, "\r%s: %s %llu of %llu MiB (%llu%%)", log_program(),
		phase == IMAGE_PACKING ? "packing the ramdisk directory" : "encrypting",
		(unsigned long long)(done >> 20), (unsigned long long)(total >> 20),
		(unsigned long long)(done * 100 / total));
	ctx->progress_open = done < total;
	if (!ctx->progress_open)
		fputc('\n', stderr);
}

static int load_keys(struct create_ctx *ctx, struct errinfo *err)
{
	const struct create_opts *o = &ctx->opts;
	int rc = 0;

	if (o->nr_hkds > SE_HDR_MAX_KEYSLOTS)
		return err_set(err, -E2BIG,
			       "%zu host-key documents given; an image holds at most %u",
			       o->nr_hkds, SE_HDR_MAX_KEYSLOTS);
	for (size_t i = 0; i < o->nr_hkds; i++) {
		rc = hostkey_load_hkd(o->hkds[i], &ctx->hosts[i], err);
		if (rc)
			return rc;
		ctx->nr_hosts++;
		for (size_t j = 0; j < i; j++)
			if (!memcmp(ctx->hosts[j].hash, ctx->hosts[i].hash, HOSTKEY_HASH_LEN))
				log_warn("%s: same host key as %s; the image gets one slot each",
					 o->hkds[i], o->hkds[j]);
	}
	if (o->cck_path)
		rc = file_read_key(o->cck_path, ctx->keys->cck, SE_CCK_LEN, err);
	if (!rc && o->hdr_key_path)
		rc = file_read_key(o->hdr_key_path, ctx->keys->hdr_key, SE_HEADER_KEY_LEN, err);
	if (!rc && o->image_key_path)
		rc = file_read_key(o->image_key_path, ctx->keys->image_key, SE_XTS_KEY_LEN, err);
	if (rc)
		return rc;
	if (o->x_seed)
		return randsrc_init_seed(&ctx->rand, o->x_seed, err);
	randsrc_init_system(&ctx->rand);
	return 0;
}

static int verify_host_keys(struct create_ctx *ctx, struct errinfo *err)
{
	const struct create_opts *o = &ctx->opts;
	struct hkd_verify_opts vo = {
		.cert_paths = o->certs,
		.nr_cert_paths = o->nr_certs,
		.crl_paths = o->crls,
		.nr_crl_paths = o->nr_crls,
		.root_ca_path = o->root_ca,
		.offline = o->offline,
	};
	X509 *certs[SE_HDR_MAX_KEYSLOTS];

	if (o->no_verify)
		return 0;
	for (size_t i = 0; i < ctx->nr_hosts; i++)
		certs[i] = ctx->hosts[i].cert;
	return hkd_verify_documents(&vo, certs, o->hkds, ctx->nr_hosts, err);
}

static void print_summary(const struct create_ctx *ctx, const struct image_summary *sum,
			  uint64_t pcf, uint64_t scf)
{
	const struct image_layout *l = &sum->layout;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	log_notice("wrote %s: %zu host%s, %.1f MiB, %.1f s", ctx->opts.output, ctx->nr_hosts,
		   ctx->nr_hosts == 1 ? "" : "s", (double)l->image_size / (1 << 20),
		   (double)elapsed_ns(&ctx->started, &now) / 1e9);
	log_info("  %llu bytes, %llu encrypted pages", (unsigned long long)l->image_size,
		 (unsigned long long)sum->nr_pages);
	log_info("  SE header at 0x%llx (%llu bytes), IPIB at 0x%llx, PSW 0x%016llx/0x%llx",
		 (unsigned long long)l->hdr_addr, (unsigned long long)l->hdr_size,
		 (unsigned long long)l->ipib_addr, (unsigned long long)SE_PSW_MASK_64BIT,
		 (unsigned long long)sum->psw_addr);
	for (size_t i = 0; i < l->nr_comps; i++)
		log_info("  %-8s id %u at 0x%08llx, %llu bytes, tweak prefix %016llx",
			 l->comps[i].name, l->comps[i].id, (unsigned long long)l->comps[i].addr,
			 (unsigned long long)l->comps[i].size,
			 (unsigned long long)l->comps[i].tweak_prefix);
	log_info("  PCF 0x%016llx SCF 0x%016llx", (unsigned long long)pcf, (unsigned long long)scf);
	if (sum->cmdline_size)
		log_info("  command line: %llu of at most %llu bytes",
			 (unsigned long long)sum->cmdline_size,
			 (unsigned long long)sum->kernel_max_cmdline);
	if (sum->ramdisk_parts[0])
		log_info("  ramdisk: %s", sum->ramdisk_parts);
}

/*
 * The boot paths that cannot load an image of this size, one line each. The
 * image is still made: info and verify read it, and a loader that keeps its
 * firmware elsewhere may boot it.
 */
static void warn_boot_paths(const char *output, uint64_t image_size)
{
	unsigned long long size = (unsigned long long)image_size;
	const char *zipl_too = "";

	if (image_size > LAYOUT_ZIPL_MAX)
		zipl_too = ", and zipl refuses more than 0x7fff0000";
	if (image_size > LAYOUT_ZIPL_FIRMWARE_MAX)
		log_warn("%s: 0x%llx bytes: too large for a zipl boot disk: QEMU's firmware loads "
			 "at most 0x%llx bytes from one, with 2 GiB or more of guest memory%s "
			 "(docs/format.md)",
			 output, size, LAYOUT_ZIPL_FIRMWARE_MAX, zipl_too);
	if (image_size > LAYOUT_QEMU_KERNEL_MAX)
		log_warn("%s: 0x%llx bytes: too large for QEMU's -kernel: the image would overlap "
			 "QEMU's firmware at 0x%llx (docs/format.md)",
			 output, size, LAYOUT_QEMU_FIRMWARE_BASE);
}

/* Every file create reads, so that -o can never name one of them. */
static int refuse_output_over_input(const struct create_opts *o, struct errinfo *err)
{
	const char *inputs[7 + CREATE_MAX_HKD_ARGS + 2 * CREATE_MAX_CERT_ARGS];
	size_t n = 0;

	inputs[n++] = o->kernel;
	inputs[n++] = o->ramdisk;
	inputs[n++] = o->parmfile;
	inputs[n++] = o->cck_path;
	inputs[n++] = o->hdr_key_path;
	inputs[n++] = o->image_key_path;
	inputs[n++] = o->root_ca;
	for (size_t i = 0; i < o->nr_hkds; i++)
		inputs[n++] = o->hkds[i];
	for (size_t i = 0; i < o->nr_certs; i++)
		inputs[n++] = o->certs[i];
	for (size_t i = 0; i < o->nr_crls; i++)
		inputs[n++] = o->crls[i];
	return outfile_refuse_inputs(o->output, inputs, n, err);
}

static int run_create(struct create_ctx *ctx, struct errinfo *err)
{
	const struct create_opts *o = &ctx->opts;
	struct image_summary sum;
	struct image_spec spec = { 0 };
	int rc;

	if (keymem_enter() < 0 || !(ctx->keys = keymem_zalloc(sizeof(*ctx->keys))))
		return err_set(err, -ENOMEM, "out of memory for keys");
	rc = refuse_output_over_input(o, err);
	rc = rc ?: load_keys(ctx, err);
	rc = rc ?: verify_host_keys(ctx, err);
	rc = rc ?: stub_blobs_load(o->bootloader_dir, &ctx->blobs, err);
	if (rc)
		return rc;
	spec.kernel_path = o->kernel;
	spec.ramdisk_path = o->ramdisk;
	spec.ramdisk_dir = o->ramdisk_dir;
	if (o->ramdisk_dir) {
		rc = initramfs_parse_epoch(getenv("SOURCE_DATE_EPOCH"), &spec.ramdisk_mtime, err);
		if (rc)
			return rc;
	}
	spec.parmfile_path = o->parmfile;
	spec.hosts = ctx->hosts;
	spec.nr_hosts = ctx->nr_hosts;
	spec.cck = o->cck_path ? ctx->keys->cck : NULL;
	spec.hdr_key = o->hdr_key_path ? ctx->keys->hdr_key : NULL;
	spec.image_key = o->image_key_path ? ctx->keys->image_key : NULL;
	create_opts_flags(o, &spec.pcf, &spec.scf);
	spec.component_check = o->component_check;
	spec.have_psw_addr = o->have_x_psw;
	spec.psw_addr = o->x_psw;
	spec.inflater = o->inflater;
	spec.rand = &ctx->rand;
	spec.stage_a = ctx->blobs.stage_a;
	spec.stage_a_size = ctx->blobs.stage_a_size;
	spec.stage_b = ctx->blobs.stage_b;
	spec.stage_b_size = ctx->blobs.stage_b_size;
	spec.output_name = o->output;
	if (log_progress_enabled()) {
		spec.progress = report_progress;
		spec.progress_opaque = ctx;
	}

	rc = outfile_open(o->output, o->overwrite, &ctx->out, err);
	rc = rc ?: image_create(&spec, ctx->out.fd, &sum, err);
	rc = rc ?: outfile_commit(&ctx->out, err);
	if (rc)
		return rc;
	/* Said after success, so that a failed run prints exactly one line: the error. */
	if (o->no_verify)
		log_security_warning(
			"host-key document verification is disabled. Your workload is not "
			"secured: anyone who can swap a host-key document can read the image.");
	if (o->x_seed)
		log_security_warning("--x-seed: every key of this image derives from the seed; "
				     "the image is NOT secret. Use it for tests only.");
	warn_boot_paths(o->output, sum.layout.image_size);
	print_summary(ctx, &sum, spec.pcf, spec.scf);
	return 0;
}

int cmd_create(int argc, char **argv)
{
	const char *prog = log_program();
	bool genprotimg = strcmp(prog, "genprotimg") == 0;
	struct create_ctx *ctx = calloc(1, sizeof(*ctx));
	struct errinfo err = { "" };
	int rc, status;

	if (!ctx) {
		log_error("out of memory");
		return EXIT_ERROR;
	}
	ctx->out.fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &ctx->started);
	/* A file-size limit must end in a clean error, not a signal and a half-written file. */
	signal(SIGXFSZ, SIG_IGN);
	rc = create_opts_parse(argc, argv, genprotimg, &ctx->opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		fprintf(stderr, "Try '%s%s --help' for more information.\n", prog,
			genprotimg ? "" : " create");
		status = EXIT_USAGE;
	} else if (ctx->opts.help) {
		create_opts_usage(stdout, genprotimg ? prog : "segen create", ctx->opts.help);
		status = EXIT_OK;
	} else if (ctx->opts.version) {
		cli_print_version(stdout);
		status = EXIT_OK;
	} else {
		log_set_level(ctx->opts.verbosity < 0 ?
				      LOG_QUIET :
				      (enum log_level)(LOG_NORMAL + ctx->opts.verbosity));
		rc = run_create(ctx, &err);
		/* An error must not end up glued to a half-done progress line. */
		if (ctx->progress_open)
			fputc('\n', stderr);
		if (rc)
			log_error("%s", err.msg);
		status = rc ? EXIT_ERROR : EXIT_OK;
	}
	create_ctx_done(ctx);
	OPENSSL_cleanse(ctx, sizeof(*ctx));
	free(ctx);
	keymem_leave();
	return status;
}
