// SPDX-License-Identifier: MIT
#include "create/image_create.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "create/initramfs.h"
#include "create/initrd_check.h"
#include "create/inputs.h"
#include "inspect/guest_memory.h"
#include "crypto/keyslot.h"
#include "base/ssl_util.h"
#include "base/keymem.h"
#include "stub-abi.h"
#include "base/util.h"

/* Components larger than this cannot be placed in an image anyway. */
#define COMPONENT_FILE_MAX LAYOUT_MAX_ADDR

/* Everything secret that image_create() holds, wiped in one place. */
struct image_secrets {
	uint8_t hdr_key[SE_HEADER_KEY_LEN];
	struct se_hdr hdr; /* its encrypted area holds the CCK and the XTS key */
};

struct image_inputs {
	int kernel_fd;
	uint64_t entry_addr; /* where stage-b starts the placed kernel */
	int ramdisk_fd;
	uint64_t ramdisk_size;
	struct kernel_info kernel;
	uint8_t *cmdline;
	size_t cmdline_size;
	uint8_t *stage_b;
	struct initrd_check *initrd;
	const char *ramdisk_name; /* the file or directory, for messages */
};

static void image_inputs_done(struct image_inputs *in)
{
	if (in->kernel_fd >= 0)
		close(in->kernel_fd);
	if (in->ramdisk_fd >= 0)
		close(in->ramdisk_fd);
	if (in->cmdline)
		OPENSSL_cleanse(in->cmdline, in->cmdline_size);
	free(in->cmdline);
	if (in->stage_b)
		OPENSSL_cleanse(in->stage_b, STUB_STAGE_B_PARAMS_SIZE);
	free(in->stage_b);
	initrd_check_free(in->initrd);
}

static int check_stub_blobs(const struct image_spec *spec, struct errinfo *err)
{
	const uint8_t *stage_a_params = spec->stage_a + STUB_STAGE_A_PARAMS_ADDR;

	if (spec->stage_a_size < STUB_STAGE_A_CODE_ADDR ||
	    spec->stage_a_size > STUB_SE_HEADER_MIN_ADDR)
		return err_set(err, -EINVAL,
			       "stage-a boot loader has an unexpected size (%zu bytes)",
			       spec->stage_a_size);
	if (memcmp(stage_a_params, STUB_STAGE_A_PARAMS_MAGIC, 8) != 0 ||
	    get_be32(stage_a_params + offsetof(struct stub_stage_a_params, version)) !=
		    STUB_STAGE_A_PARAMS_VERSION)
		return err_set(err, -EINVAL,
			       "stage-a boot loader has no parameter block of version %u at 0x%lx "
			       "(wrong boot loader?)",
			       STUB_STAGE_A_PARAMS_VERSION, STUB_STAGE_A_PARAMS_ADDR);
	if (spec->stage_b_size < STUB_STAGE_B_PARAMS_SIZE ||
	    get_be64(spec->stage_b + spec->stage_b_size - STUB_STAGE_B_PARAMS_SIZE) !=
		    STUB_STAGE_B_PARAMS_MAGIC)
		return err_set(err, -EINVAL,
			       "stage-b boot loader has no parameter block (wrong boot loader?)");
	return 0;
}

/*
 * Stage-b moves kernel bytes [0x10000, size) to 0x10000 and loads a PSW
 * with this address: it must be an instruction of what was placed there.
 */
static int check_psw_addr(const struct image_spec *spec, uint64_t kernel_size, uint64_t *ret_addr,
			  struct errinfo *err)
{
	uint64_t addr = spec->have_psw_addr ? spec->psw_addr : STUB_KERNEL_ENTRY;

	if (addr % 2)
		return err_set(err, -EINVAL,
			       "--x-psw 0x%llx: the start address is odd (instructions are at even "
			       "addresses)",
			       (unsigned long long)addr);
	if (addr < STUB_KERNEL_ENTRY || addr >= kernel_size)
		return err_set(err, -EINVAL,
			       "--x-psw 0x%llx: the start address is outside the payload %s, which "
			       "stage-b places at [0x%lx, 0x%llx)",
			       (unsigned long long)addr, spec->kernel_path, STUB_KERNEL_ENTRY,
			       (unsigned long long)kernel_size);
	*ret_addr = addr;
	return 0;
}

struct progress_relay {
	const struct image_spec *spec;
	uint64_t total;
};

static void relay_progress(void *opaque, uint64_t done)
{
	const struct progress_relay *r = opaque;

	r->spec->progress(r->spec->progress_opaque, IMAGE_ENCRYPTING, done, r->total);
}

static void relay_packing(void *opaque, uint64_t done, uint64_t total)
{
	const struct image_spec *spec = opaque;

	spec->progress(spec->progress_opaque, IMAGE_PACKING, done, total);
}

static int open_inputs(const struct image_spec *spec, struct image_inputs *in, struct errinfo *err)
{
	uint64_t kernel_size;
	int rc;

	rc = file_open_regular(spec->kernel_path, COMPONENT_FILE_MAX, &in->kernel_fd, &kernel_size,
			       err);
	if (rc)
		return rc;
	rc = kernel_check(in->kernel_fd, kernel_size, spec->kernel_path, spec->component_check,
			  &in->kernel, err);
	rc = rc ?: check_psw_addr(spec, kernel_size, &in->entry_addr, err);
	if (rc)
		return rc;
	if (spec->parmfile_path) {
		rc = cmdline_load(spec->parmfile_path,
				  spec->component_check ? in->kernel.max_cmdline : 0, &in->cmdline,
				  &in->cmdline_size, err);
		if (rc)
			return rc;
	}
	if (spec->ramdisk_dir) {
		in->ramdisk_name = spec->ramdisk_dir;
		rc = initramfs_build(spec->ramdisk_dir, spec->ramdisk_mtime, COMPONENT_FILE_MAX,
				     spec->progress ? relay_packing : NULL, (void *)spec,
				     &in->ramdisk_fd, &in->ramdisk_size, err);
	} else if (spec->ramdisk_path) {
		in->ramdisk_name = spec->ramdisk_path;
		rc = file_open_regular(spec->ramdisk_path, COMPONENT_FILE_MAX, &in->ramdisk_fd,
				       &in->ramdisk_size, err);
	}
	if (rc)
		return rc;
	if (in->ramdisk_fd >= 0) {
		if (spec->component_check) {
			rc = initrd_check_new(in->ramdisk_name, spec->inflater, &in->initrd);
			if (rc)
				return err_set(err, rc, "out of memory");
		}
	}
	in->stage_b = malloc(spec->stage_b_size);
	if (!in->stage_b)
		return err_set(err, -ENOMEM, "out of memory");
	memcpy(in->stage_b, spec->stage_b, spec->stage_b_size);
	return 0;
}

static int plan_layout(const struct image_spec *spec, const struct image_inputs *in,
		       struct image_layout *ret_layout, struct errinfo *err)
{
	struct layout_component comps[LAYOUT_MAX_COMPONENTS];
	size_t n = 0;
	int rc;

	comps[n++] = (struct layout_component){ .id = SE_COMP_ID_KERNEL,
						.name = "kernel",
						.size = in->kernel.size };
	if (in->ramdisk_fd >= 0)
		comps[n++] = (struct layout_component){ .id = SE_COMP_ID_RAMDISK,
							.name = "ramdisk",
							.size = in->ramdisk_size };
	if (spec->parmfile_path)
		comps[n++] = (struct layout_component){ .id = SE_COMP_ID_CMDLINE,
							.name = "cmdline",
							.size = in->cmdline_size };
	comps[n++] = (struct layout_component){ .id = SE_COMP_ID_STAGE_B,
						.name = "stage-b",
						.size = spec->stage_b_size };
	/* Tweak prefix: BE16 component id || 6 random bytes; ids ascend, so prefixes do too. */
	for (size_t i = 0; i < n; i++) {
		uint8_t prefix[8];
		char label[32];

		put_be16(prefix, comps[i].id);
		snprintf(label, sizeof(label), "tweak-%u", comps[i].id);
		rc = randsrc_bytes(spec->rand, label, prefix + 2, 6);
		if (rc)
			return err_set(err, rc, "random number generator failed");
		comps[i].tweak_prefix = get_be64(prefix);
	}
	return layout_plan(spec->stage_a_size, se_hdr_size(spec->nr_hosts), comps, n, ret_layout,
			   err);
}

/* Tell stage-b where the UV will have left everything (docs/format.md). */
static void patch_stage_b(const struct image_spec *spec, uint8_t *stage_b, size_t size,
			  const struct image_layout *l, const struct image_inputs *in)
{
	uint8_t *p = stage_b + size - STUB_STAGE_B_PARAMS_SIZE;
	const struct layout_component *kernel = layout_find(l, SE_COMP_ID_KERNEL);
	const struct layout_component *ramdisk = layout_find(l, SE_COMP_ID_RAMDISK);
	const struct layout_component *cmdline = layout_find(l, SE_COMP_ID_CMDLINE);

	put_be64(p + offsetof(struct stub_stage_b_params, magic), STUB_STAGE_B_PARAMS_MAGIC);
	put_be64(p + offsetof(struct stub_stage_b_params, kernel_addr), kernel->addr);
	put_be64(p + offsetof(struct stub_stage_b_params, kernel_size), in->kernel.size);
	put_be64(p + offsetof(struct stub_stage_b_params, initrd_addr),
		 ramdisk ? ramdisk->addr : 0);
	put_be64(p + offsetof(struct stub_stage_b_params, initrd_size),
		 ramdisk ? in->ramdisk_size : 0);
	put_be64(p + offsetof(struct stub_stage_b_params, cmdline_addr),
		 cmdline ? cmdline->addr : 0);
	put_be64(p + offsetof(struct stub_stage_b_params, cmdline_size),
		 cmdline ? in->cmdline_size : 0);
	put_be64(p + offsetof(struct stub_stage_b_params, flags),
		 spec->component_check ? 0 : (uint64_t)STUB_STAGE_B_FLAG_ANY_PAYLOAD);
	put_be64(p + offsetof(struct stub_stage_b_params, entry_addr), in->entry_addr);
	put_be64(p + offsetof(struct stub_stage_b_params, reserved), 0);
}

static int make_keys(const struct image_spec *spec, struct image_secrets *sec, struct errinfo *err)
{
	const struct randsrc *rand = spec->rand;
	int rc = 0;

	if (spec->hdr_key)
		keymem_copy(sec->hdr_key, spec->hdr_key, SE_HEADER_KEY_LEN);
	else
		rc = randsrc_bytes(rand, "header-key", sec->hdr_key, SE_HEADER_KEY_LEN);
	if (!rc && spec->image_key)
		keymem_copy(sec->hdr.xts_key, spec->image_key, SE_XTS_KEY_LEN);
	else if (!rc)
		rc = randsrc_bytes(rand, "image-key", sec->hdr.xts_key, SE_XTS_KEY_LEN);
	if (!rc && spec->cck)
		keymem_copy(sec->hdr.cck, spec->cck, SE_CCK_LEN);
	else if (!rc)
		rc = randsrc_bytes(rand, "cck", sec->hdr.cck, SE_CCK_LEN);
	if (!rc)
		rc = randsrc_bytes(rand, "iv", sec->hdr.iv, GCM_IV_LEN);
	if (rc)
		return err_set(err, rc, "random number generator failed");
	/* XTS needs two different key halves; OpenSSL refuses equal ones. */
	if (!memcmp(sec->hdr.xts_key, sec->hdr.xts_key + 32, 32))
		return err_set(err, -EINVAL, "image key: both 32-byte halves are equal");
	return 0;
}

static int stream_components(const struct image_spec *spec, struct image_inputs *in,
			     const struct image_layout *l, const uint8_t *xts_key, int out_fd,
			     struct se_hdr *hdr, struct errinfo *err)
{
	struct comp_pipeline *pipe = NULL;
	struct progress_relay relay = { .spec = spec };
	int rc;

	rc = comp_pipeline_new(&pipe);
	if (rc)
		return err_set(err, rc, "cannot start the encryption pipeline: %s", strerror(-rc));
	if (spec->progress) {
		for (size_t i = 0; i < l->nr_comps; i++)
			relay.total += l->comps[i].size;
		comp_pipeline_set_progress(pipe, relay_progress, &relay);
	}
	for (size_t i = 0; i < l->nr_comps && !rc; i++) {
		const struct layout_component *c = &l->comps[i];
		struct comp_spec cs = {
			.addr = c->addr,
			.tweak_prefix = c->tweak_prefix,
			.transform = (spec->pcf & SE_PCF_NO_DECRYPTION) ? COMP_STORE_PLAIN :
									  COMP_ENCRYPT,
			.xts_key = xts_key,
		};
		struct comp_source src = { .fd = -1, .size = c->size, .name = c->name };
		struct comp_sink sink = { .fd = out_fd,
					  .offset = c->addr,
					  .name = spec->output_name };

		switch (c->id) {
		case SE_COMP_ID_KERNEL:
			src.fd = in->kernel_fd;
			src.name = spec->kernel_path;
			break;
		case SE_COMP_ID_RAMDISK:
			src.fd = in->ramdisk_fd;
			src.name = in->ramdisk_name;
			if (in->initrd) {
				cs.inspect = initrd_check_feed;
				cs.inspect_opaque = in->initrd;
			}
			break;
		case SE_COMP_ID_CMDLINE:
			src.buf = in->cmdline;
			break;
		default:
			src.buf = in->stage_b;
			break;
		}
		rc = comp_pipeline_run(pipe, &cs, &src, &sink, err);
		if (!rc && cs.inspect)
			rc = initrd_check_finish(in->initrd, err);
	}
	if (!rc)
		rc = comp_pipeline_finish(pipe, hdr->pld, hdr->ald, hdr->tld, &hdr->nr_pages, err);
	comp_pipeline_free(pipe);
	return rc;
}

static int seal_header(const struct image_spec *spec, struct image_secrets *sec, uint8_t *buf,
		       size_t len, struct errinfo *err)
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *cust = NULL;
	uint8_t kek[KEYSLOT_KEK_LEN];
	int rc;

	rc = randsrc_p521_key(spec->rand, "customer-key", &cust);
	if (rc)
		return err_set_ssl(err, rc, "cannot generate the customer key");
	rc = ec_p521_pubkey_xy(cust, sec->hdr.cust_pub_xy);
	if (rc)
		return err_set_ssl(err, rc, "cannot encode the customer key");
	for (size_t i = 0; i < spec->nr_hosts; i++) {
		rc = keyslot_derive_kek(cust, spec->hosts[i].pkey, kek);
		rc = rc	   ?:
			     keyslot_wrap(kek, spec->hosts[i].hash, sec->hdr_key,
					  sec->hdr.keyslots[i]);
		OPENSSL_cleanse(kek, sizeof(kek));
		if (rc)
			return err_set_ssl(err, rc, "%s: cannot wrap the header key",
					   spec->hosts[i].path);
	}
	sec->hdr.nr_keyslots = spec->nr_hosts;
	rc = se_hdr_seal(&sec->hdr, sec->hdr_key, buf, len);
	if (rc)
		return err_set_ssl(err, rc, "cannot seal the SE header");
	return 0;
}

static int write_at(const struct image_spec *spec, int fd, const void *buf, size_t len,
		    uint64_t off, struct errinfo *err)
{
	int rc = fd_pwrite_full(fd, buf, len, off);

	return rc ? err_set(err, rc, "%s: write failed: %s", spec->output_name, strerror(-rc)) : 0;
}

/* The guest memory note for `info`: the kernel's own sizes, read from its file. */
static int write_memory_note(const struct image_spec *spec, const struct image_inputs *in,
			     int out_fd, struct errinfo *err)
{
	size_t len = (size_t)MIN(in->kernel.size, (uint64_t)GUEST_KERNEL_PROBE_MAX);
	uint8_t note_buf[GUEST_MEMORY_NOTE_SIZE];
	struct guest_kernel_facts facts;
	struct guest_memory_note note;
	uint8_t *head = malloc(len);
	int rc;

	if (!head)
		return err_set(err, -ENOMEM, "out of memory");
	rc = fd_pread_full(in->kernel_fd, head, len, 0);
	if (rc) {
		free(head);
		return err_set(err, rc, "%s: %s", spec->kernel_path, strerror(-rc));
	}
	guest_memory_probe_kernel(head, len, in->kernel.size, &facts);
	free(head);
	note = (struct guest_memory_note){
		.kind = facts.kind,
		.free_from = facts.free_from,
		.ramdisk_size = in->ramdisk_size,
		.ramdisk_unpacked = in->initrd ? initrd_check_unpacked_size(in->initrd) : 0,
	};
	guest_memory_note_write(&note, note_buf);
	return write_at(spec, out_fd, note_buf, sizeof(note_buf), GUEST_MEMORY_NOTE_ADDR, err);
}

int image_create(const struct image_spec *spec, int out_fd, struct image_summary *ret_summary,
		 struct errinfo *err)
{
	struct image_inputs in = { .kernel_fd = -1, .ramdisk_fd = -1 };
	struct image_secrets *sec = NULL;
	uint8_t hdr_buf[SE_HDR_MAX_SIZE], meta[STUB_IMAGE_METADATA_SIZE];
	uint8_t stage_a_params[STUB_STAGE_A_PARAMS_SIZE];
	uint8_t ipib[SE_PAGE_SIZE] = { 0 };
	struct image_summary sum = { 0 };
	struct image_layout *l = &sum.layout;
	int rc;

	if (spec->nr_hosts < 1 || spec->nr_hosts > SE_HDR_MAX_KEYSLOTS)
		return err_set(err, -E2BIG, "%zu host keys given; an image takes 1 to %u",
			       spec->nr_hosts, SE_HDR_MAX_KEYSLOTS);
	rc = check_stub_blobs(spec, err);
	if (rc)
		return rc;
	sec = keymem_zalloc(sizeof(*sec));
	if (!sec)
		return err_set(err, -ENOMEM, "out of memory");
	rc = open_inputs(spec, &in, err);
	if (rc)
		goto out;
	rc = plan_layout(spec, &in, l, err);
	if (rc)
		goto out;
	patch_stage_b(spec, in.stage_b, spec->stage_b_size, l, &in);
	rc = make_keys(spec, sec, err);
	if (rc)
		goto out;
	sec->hdr.version = SE_HDR_VERSION;
	sec->hdr.pcf = spec->pcf;
	sec->hdr.scf = spec->scf;
	sec->hdr.psw_mask = SE_PSW_MASK_64BIT;
	sec->hdr.psw_addr = layout_find(l, SE_COMP_ID_STAGE_B)->addr;

	/*
	 * Stage-a first: it covers addresses 0.., then the metadata (for tools)
	 * and stage-a's own parameters inside its range.
	 */
	layout_write_metadata(l, meta);
	layout_write_stage_a_params(l, stage_a_params);
	rc = write_at(spec, out_fd, spec->stage_a, spec->stage_a_size, 0, err);
	rc = rc ?: write_at(spec, out_fd, meta, sizeof(meta), STUB_IMAGE_METADATA_ADDR, err);
	rc = rc	   ?:
		     write_at(spec, out_fd, stage_a_params, sizeof(stage_a_params),
			      STUB_STAGE_A_PARAMS_ADDR, err);
	rc = rc ?: stream_components(spec, &in, l, sec->hdr.xts_key, out_fd, &sec->hdr, err);
	rc = rc ?: write_memory_note(spec, &in, out_fd, err);
	rc = rc ?: seal_header(spec, sec, hdr_buf, sizeof(hdr_buf), err);
	rc = rc ?: write_at(spec, out_fd, hdr_buf, l->hdr_size, l->hdr_addr, err);
	if (rc)
		goto out;
	layout_write_ipib(l, ipib);
	rc = write_at(spec, out_fd, ipib, sizeof(ipib), l->ipib_addr, err);
	if (rc)
		goto out;

	sum.nr_pages = sec->hdr.nr_pages;
	sum.kernel_max_cmdline = in.kernel.max_cmdline;
	sum.cmdline_size = in.cmdline_size;
	if (in.initrd)
		initrd_check_describe(in.initrd, sum.ramdisk_parts, sizeof(sum.ramdisk_parts));
	sum.psw_addr = sec->hdr.psw_addr;
	sum.input_bytes = in.kernel.size + in.ramdisk_size + in.cmdline_size;
	*ret_summary = sum;
out:
	image_inputs_done(&in);
	keymem_free(sec, sizeof(*sec));
	return rc;
}
