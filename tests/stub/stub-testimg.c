// SPDX-License-Identifier: MIT
/*
 * stub-testimg: builds the boot images the stub's QEMU tests start, without
 * segen (which lives elsewhere and encrypts). Test-only; never part of an image.
 *
 *   stub-testimg stage-a-image --stage-a BLOB -o OUT [--params-magic STR]
 *           [--params-version N] [--params-hdr ADDR] [--params-hdr-size N]
 *           [--params-ipib ADDR] [--params-ipib-size N] [--params-reserved N]
 *           [--hdr-magic STR] [--ipib-type N] [--ipib-len N] [--ipib-hdr ADDR]
 *           [--ipib-hdr-len N] [--wipe-low]
 *       A flat image: stage-a at 0 with its parameters at 0x11000, the metadata
 *       for tools at 0xC000, a fake SE header at 0x14000 and a PV IPIB at
 *       0x15000 (what stage-a checks before DIAG 308); --ipib-len, --ipib-hdr
 *       and --ipib-hdr-len set the IPIB's own length and SE header fields,
 *       apart from the parameters' values. --wipe-low zeroes everything below
 *       0x10000 but the IPL PSW, as zipl leaves an image.
 *
 *   stub-testimg fake-kernel --code BIN -o OUT [--max-cmdline N] [--payload N]
 *       A raw "kernel": 64 KiB of filler, the test kernel (linked at 0x10000),
 *       N bytes of pseudo-random payload; its size is patched in at 0x10010 and
 *       the maximum command-line size at 0x10430.
 *
 *   stub-testimg stage-b-elf --stage-b BLOB --kernel FILE [--initrd FILE]
 *           [--cmdline FILE] -o OUT [--kernel-addr A] [--initrd-addr A]
 *           [--cmdline-addr A] [--stage-b-addr A] [--set FIELD=VALUE]...
 *       An ELF whose segments put the components where the Ultravisor would
 *       leave them after the unpack, with stage-b's parameters filled in
 *       (--set overrides one after the layout) and its entry as ELF entry.
 *       The command line file is used byte for byte: no NUL is added.
 *
 *   stub-testimg fnv FILE [OFFSET [LENGTH]]
 *       FNV-1a 64 of a file range, as the test kernel computes it.
 *
 * Exit status: 0 ok, 1 error, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stub-abi.h"

#define PAGE_SIZE 4096UL
#define MAX_INPUT_SIZE (256UL << 20)
#define GUEST_MEMORY_LIMIT (2UL << 30)

#define TEST_HDR_ADDR 0x14000UL
#define TEST_HDR_SIZE 0x280UL /* one key slot */
#define TEST_IPIB_SIZE (136UL + 24)
#define TEST_IPIB_ADDR 0x15000UL
#define TEST_IMAGE_SIZE 0x16000UL
#define FAKE_KERNEL_SIZE_FIELD 0x10010UL
#define FAKE_KERNEL_FILLER 0xee

struct buf {
	uint8_t *data;
	size_t len;
};

static void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

static const char *error_file;

static int fail(const char *file, int err)
{
	error_file = file;
	return -err;
}

static int read_file(const char *path, struct buf *ret)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return fail(path, errno);
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *grown;

			if (cap >= MAX_INPUT_SIZE) {
				free(data);
				fclose(f);
				return fail(path, EFBIG);
			}
			cap = cap ? cap * 2 : 65536;
			grown = realloc(data, cap);
			if (!grown) {
				free(data);
				fclose(f);
				return fail(path, ENOMEM);
			}
			data = grown;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(data);
		fclose(f);
		return fail(path, EIO);
	}
	fclose(f);
	ret->data = data;
	ret->len = len;
	return 0;
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return fail(path, errno);
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
		return fail(path, EIO);
	return 0;
}

static void put_be(uint8_t *p, uint64_t value, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		p[i] = (uint8_t)(value >> (8 * (len - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, unsigned int len)
{
	uint64_t value = 0;

	for (unsigned int i = 0; i < len; i++)
		value = value << 8 | p[i];
	return value;
}

static uint64_t fnv1a64(const uint8_t *data, size_t len)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		hash ^= data[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

static uint64_t page_align(uint64_t value)
{
	return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static bool parse_u64(const char *str, uint64_t *ret)
{
	char *end;
	unsigned long long value;

	errno = 0;
	value = strtoull(str, &end, 0);
	if (errno || end == str || *end)
		return false;
	*ret = value;
	return true;
}

/* ---- stage-a-image ---------------------------------------------------- */

struct stage_a_image {
	const char *params_magic;
	uint64_t params_version;
	uint64_t params_hdr;
	uint64_t params_hdr_size;
	uint64_t params_ipib;
	uint64_t params_ipib_size;
	uint64_t params_reserved;
	const char *hdr_magic;
	uint64_t ipib_type;
	uint64_t ipib_len;
	uint64_t ipib_hdr;
	uint64_t ipib_hdr_len;
	bool wipe_low;
};

static int make_stage_a_image(const char *stage_a, const char *out, const struct stage_a_image *a)
{
	struct buf blob = { 0 };
	uint8_t *img, *meta, *params, *ipib;
	int rc;

	rc = read_file(stage_a, &blob);
	if (rc)
		return rc;
	if (blob.len > STUB_SE_HEADER_MIN_ADDR) {
		buf_free(&blob);
		return fail(stage_a, EFBIG);
	}
	img = calloc(1, TEST_IMAGE_SIZE);
	if (!img) {
		buf_free(&blob);
		return fail(out, ENOMEM);
	}
	memcpy(img, blob.data, blob.len);
	buf_free(&blob);

	meta = img + STUB_IMAGE_METADATA_ADDR;
	memcpy(meta + STUB_IMAGE_METADATA_OFF_MAGIC, STUB_IMAGE_METADATA_MAGIC, 8);
	put_be(meta + STUB_IMAGE_METADATA_OFF_HDR, TEST_HDR_ADDR, 8);
	put_be(meta + STUB_IMAGE_METADATA_OFF_VERSION, STUB_IMAGE_METADATA_VERSION, 4);
	put_be(meta + STUB_IMAGE_METADATA_OFF_IPIB, TEST_IPIB_ADDR, 8);
	if (a->wipe_low)
		memset(img + 8, 0, STUB_STAGE_A_LOAD_ADDR - 8);

	params = img + STUB_STAGE_A_PARAMS_ADDR;
	memset(params, 0, STUB_STAGE_A_PARAMS_SIZE);
	memcpy(params + offsetof(struct stub_stage_a_params, magic), a->params_magic,
	       strnlen(a->params_magic, 8));
	put_be(params + offsetof(struct stub_stage_a_params, version), a->params_version, 4);
	put_be(params + offsetof(struct stub_stage_a_params, ipib_size), a->params_ipib_size, 4);
	put_be(params + offsetof(struct stub_stage_a_params, hdr_addr), a->params_hdr, 8);
	put_be(params + offsetof(struct stub_stage_a_params, hdr_size), a->params_hdr_size, 8);
	put_be(params + offsetof(struct stub_stage_a_params, ipib_addr), a->params_ipib, 8);
	put_be(params + offsetof(struct stub_stage_a_params, reserved), a->params_reserved, 8);

	memcpy(img + TEST_HDR_ADDR, a->hdr_magic, strnlen(a->hdr_magic, 8));
	put_be(img + TEST_HDR_ADDR + 0x08, 0x100, 4);
	put_be(img + TEST_HDR_ADDR + 0x0c, TEST_HDR_SIZE, 4);

	/* A PV IPIB with one component, laid out as in docs/format.md section 4. */
	ipib = img + TEST_IPIB_ADDR;
	put_be(ipib + 0x00, a->ipib_len, 4);
	ipib[0x07] = 1;
	put_be(ipib + 0x08, TEST_IPIB_SIZE - 8, 4);
	ipib[0x0c] = (uint8_t)a->ipib_type;
	ipib[0x6f] = 1;
	put_be(ipib + 0x74, 1, 4);
	put_be(ipib + 0x78, a->ipib_hdr, 8);
	put_be(ipib + 0x80, a->ipib_hdr_len, 8);
	put_be(ipib + 0x88, 0x0028000000000000ULL, 8);
	put_be(ipib + 0x90, TEST_IMAGE_SIZE, 8);
	put_be(ipib + 0x98, PAGE_SIZE, 8);

	rc = write_file(out, img, TEST_IMAGE_SIZE);
	free(img);
	return rc;
}

/* ---- fake-kernel ------------------------------------------------------ */

static int make_fake_kernel(const char *code, const char *out, uint64_t max_cmdline, bool set_max,
			    uint64_t payload)
{
	struct buf bin = { 0 };
	uint64_t state = 0x9e3779b97f4a7c15ULL;
	size_t size;
	uint8_t *img;
	int rc;

	rc = read_file(code, &bin);
	if (rc)
		return rc;
	if (bin.len < STUB_LINUX_CMDLINE - STUB_KERNEL_ENTRY || payload > MAX_INPUT_SIZE) {
		buf_free(&bin);
		return fail(code, EINVAL);
	}
	size = STUB_KERNEL_ENTRY + bin.len + payload;
	img = malloc(size);
	if (!img) {
		buf_free(&bin);
		return fail(out, ENOMEM);
	}
	memset(img, FAKE_KERNEL_FILLER, STUB_KERNEL_ENTRY);
	memcpy(img + STUB_KERNEL_ENTRY, bin.data, bin.len);
	buf_free(&bin);
	for (size_t i = size - payload; i < size; i++) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		img[i] = (uint8_t)state;
	}
	put_be(img + FAKE_KERNEL_SIZE_FIELD, size, 8);
	if (set_max)
		put_be(img + STUB_LINUX_MAX_CMDLINE, max_cmdline, 8);
	rc = write_file(out, img, size);
	free(img);
	return rc;
}

/* ---- stage-b-elf ------------------------------------------------------ */

#define ELF_HEADER_SIZE 64
#define ELF_PHDR_SIZE 56
#define MAX_SEGMENTS 4

struct segment {
	uint64_t addr;
	const struct buf *data;
};

static int write_elf(const char *out, uint64_t entry, const struct segment *segs, size_t nr)
{
	uint64_t offset = page_align(ELF_HEADER_SIZE + nr * ELF_PHDR_SIZE), size;
	uint64_t offsets[MAX_SEGMENTS];
	uint8_t *elf;
	int rc;

	for (size_t i = 0; i < nr; i++) {
		offsets[i] = offset;
		offset = page_align(offset + segs[i].data->len);
	}
	size = offset;
	elf = calloc(1, size);
	if (!elf)
		return fail(out, ENOMEM);

	memcpy(elf, "\177ELF", 4);
	elf[4] = 2;		 /* ELFCLASS64 */
	elf[5] = 2;		 /* ELFDATA2MSB */
	elf[6] = 1;		 /* EV_CURRENT */
	put_be(elf + 16, 2, 2);	 /* ET_EXEC */
	put_be(elf + 18, 22, 2); /* EM_S390 */
	put_be(elf + 20, 1, 4);
	put_be(elf + 24, entry, 8);
	put_be(elf + 32, ELF_HEADER_SIZE, 8);
	put_be(elf + 52, ELF_HEADER_SIZE, 2);
	put_be(elf + 54, ELF_PHDR_SIZE, 2);
	put_be(elf + 56, nr, 2);
	put_be(elf + 58, 64, 2);
	for (size_t i = 0; i < nr; i++) {
		uint8_t *ph = elf + ELF_HEADER_SIZE + i * ELF_PHDR_SIZE;

		put_be(ph + 0, 1, 4); /* PT_LOAD */
		put_be(ph + 4, 7, 4); /* RWX */
		put_be(ph + 8, offsets[i], 8);
		put_be(ph + 16, segs[i].addr, 8);
		put_be(ph + 24, segs[i].addr, 8);
		put_be(ph + 32, segs[i].data->len, 8);
		put_be(ph + 40, segs[i].data->len, 8);
		put_be(ph + 48, PAGE_SIZE, 8);
		memcpy(elf + offsets[i], segs[i].data->data, segs[i].data->len);
	}
	rc = write_file(out, elf, size);
	free(elf);
	return rc;
}

struct param_field {
	const char *name;
	size_t offset;
};

static const struct param_field param_fields[] = {
	{ "magic", offsetof(struct stub_stage_b_params, magic) },
	{ "kernel_addr", offsetof(struct stub_stage_b_params, kernel_addr) },
	{ "kernel_size", offsetof(struct stub_stage_b_params, kernel_size) },
	{ "initrd_addr", offsetof(struct stub_stage_b_params, initrd_addr) },
	{ "initrd_size", offsetof(struct stub_stage_b_params, initrd_size) },
	{ "cmdline_addr", offsetof(struct stub_stage_b_params, cmdline_addr) },
	{ "cmdline_size", offsetof(struct stub_stage_b_params, cmdline_size) },
	{ "flags", offsetof(struct stub_stage_b_params, flags) },
	{ "entry_addr", offsetof(struct stub_stage_b_params, entry_addr) },
	{ "reserved", offsetof(struct stub_stage_b_params, reserved) },
};

/* FIELD=VALUE: writes VALUE big-endian into the parameter block at params. */
static int set_param(uint8_t *params, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	uint64_t value;

	if (!eq || !parse_u64(eq + 1, &value))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(param_fields) / sizeof(param_fields[0]); i++) {
		if (strlen(param_fields[i].name) == (size_t)(eq - assignment) &&
		    !strncmp(param_fields[i].name, assignment, (size_t)(eq - assignment))) {
			put_be(params + param_fields[i].offset, value, 8);
			return 0;
		}
	}
	return -EINVAL;
}

struct stage_b_layout {
	const char *stage_b, *kernel, *initrd, *cmdline, *out;
	uint64_t stage_b_addr, kernel_addr, initrd_addr, cmdline_addr;
	const char *sets[16];
	size_t nr_sets;
};

static int make_stage_b_elf(const struct stage_b_layout *l)
{
	struct buf stage_b = { 0 }, kernel = { 0 }, initrd = { 0 }, cmdline = { 0 };
	struct segment segs[MAX_SEGMENTS];
	uint64_t next, kernel_addr, initrd_addr = 0, cmdline_addr = 0, stage_b_addr;
	uint8_t *params;
	size_t nr = 0;
	int rc;

	rc = read_file(l->stage_b, &stage_b);
	if (!rc)
		rc = read_file(l->kernel, &kernel);
	if (!rc && l->initrd)
		rc = read_file(l->initrd, &initrd);
	if (!rc && l->cmdline)
		rc = read_file(l->cmdline, &cmdline);
	if (rc)
		goto out;
	if (stage_b.len < STUB_STAGE_B_PARAMS_SIZE) {
		rc = fail(l->stage_b, EINVAL);
		goto out;
	}
	params = stage_b.data + stage_b.len - STUB_STAGE_B_PARAMS_SIZE;
	if (get_be(params, 8) != STUB_STAGE_B_PARAMS_MAGIC) {
		rc = fail(l->stage_b, EBADMSG);
		goto out;
	}

	/* Default layout as segen makes it: kernel, initrd, cmdline, stage-b. */
	kernel_addr = l->kernel_addr ? l->kernel_addr : TEST_HDR_ADDR + PAGE_SIZE;
	next = page_align(kernel_addr + kernel.len);
	if (l->initrd) {
		initrd_addr = l->initrd_addr ? l->initrd_addr : next;
		next = page_align(initrd_addr + initrd.len);
	}
	if (l->cmdline) {
		cmdline_addr = l->cmdline_addr ? l->cmdline_addr : next;
		next = page_align(cmdline_addr + (cmdline.len ? cmdline.len : 1));
	}
	stage_b_addr = l->stage_b_addr ? l->stage_b_addr : next;
	if (stage_b_addr + stage_b.len > GUEST_MEMORY_LIMIT) {
		rc = fail(l->out, ERANGE);
		goto out;
	}

	put_be(params + offsetof(struct stub_stage_b_params, kernel_addr), kernel_addr, 8);
	put_be(params + offsetof(struct stub_stage_b_params, kernel_size), kernel.len, 8);
	put_be(params + offsetof(struct stub_stage_b_params, initrd_addr), initrd_addr, 8);
	put_be(params + offsetof(struct stub_stage_b_params, initrd_size), initrd.len, 8);
	put_be(params + offsetof(struct stub_stage_b_params, cmdline_addr), cmdline_addr, 8);
	put_be(params + offsetof(struct stub_stage_b_params, cmdline_size), cmdline.len, 8);
	put_be(params + offsetof(struct stub_stage_b_params, entry_addr), STUB_KERNEL_ENTRY, 8);
	for (size_t i = 0; i < l->nr_sets; i++) {
		rc = set_param(params, l->sets[i]);
		if (rc) {
			rc = fail(l->sets[i], EINVAL);
			goto out;
		}
	}

	segs[nr++] = (struct segment){ kernel_addr, &kernel };
	if (l->initrd && initrd.len)
		segs[nr++] = (struct segment){ initrd_addr, &initrd };
	if (l->cmdline && cmdline.len)
		segs[nr++] = (struct segment){ cmdline_addr, &cmdline };
	segs[nr++] = (struct segment){ stage_b_addr, &stage_b };
	rc = write_elf(l->out, stage_b_addr, segs, nr);
out:
	buf_free(&stage_b);
	buf_free(&kernel);
	buf_free(&initrd);
	buf_free(&cmdline);
	return rc;
}

/* ---- fnv -------------------------------------------------------------- */

static int print_fnv(const char *path, uint64_t offset, uint64_t len, bool whole)
{
	struct buf b = { 0 };
	int rc;

	rc = read_file(path, &b);
	if (rc)
		return rc;
	if (offset > b.len || (!whole && len > b.len - offset)) {
		buf_free(&b);
		return fail(path, ERANGE);
	}
	if (whole)
		len = b.len - offset;
	printf("0x%016" PRIx64 "\n", fnv1a64(b.data + offset, (size_t)len));
	buf_free(&b);
	return 0;
}

/* ---- command line ----------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr, "usage: stub-testimg stage-a-image|fake-kernel|stage-b-elf|fnv ...\n"
			"       (see the comment at the top of tests/stub/stub-testimg.c)\n");
	return 2;
}

enum {
	OPT_STAGE_A = 256,
	OPT_STAGE_B,
	OPT_PARAMS_MAGIC,
	OPT_PARAMS_VERSION,
	OPT_PARAMS_HDR,
	OPT_PARAMS_HDR_SIZE,
	OPT_PARAMS_IPIB,
	OPT_PARAMS_IPIB_SIZE,
	OPT_PARAMS_RESERVED,
	OPT_WIPE_LOW,
	OPT_HDR_MAGIC,
	OPT_IPIB_TYPE,
	OPT_IPIB_LEN,
	OPT_IPIB_HDR,
	OPT_IPIB_HDR_LEN,
	OPT_CODE,
	OPT_MAX_CMDLINE,
	OPT_PAYLOAD,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_KERNEL_ADDR,
	OPT_INITRD_ADDR,
	OPT_CMDLINE_ADDR,
	OPT_STAGE_B_ADDR,
	OPT_SET,
};

static const struct option options[] = {
	{ "stage-a", required_argument, NULL, OPT_STAGE_A },
	{ "stage-b", required_argument, NULL, OPT_STAGE_B },
	{ "params-magic", required_argument, NULL, OPT_PARAMS_MAGIC },
	{ "params-version", required_argument, NULL, OPT_PARAMS_VERSION },
	{ "params-hdr", required_argument, NULL, OPT_PARAMS_HDR },
	{ "params-hdr-size", required_argument, NULL, OPT_PARAMS_HDR_SIZE },
	{ "params-ipib", required_argument, NULL, OPT_PARAMS_IPIB },
	{ "params-ipib-size", required_argument, NULL, OPT_PARAMS_IPIB_SIZE },
	{ "params-reserved", required_argument, NULL, OPT_PARAMS_RESERVED },
	{ "wipe-low", no_argument, NULL, OPT_WIPE_LOW },
	{ "hdr-magic", required_argument, NULL, OPT_HDR_MAGIC },
	{ "ipib-type", required_argument, NULL, OPT_IPIB_TYPE },
	{ "ipib-len", required_argument, NULL, OPT_IPIB_LEN },
	{ "ipib-hdr", required_argument, NULL, OPT_IPIB_HDR },
	{ "ipib-hdr-len", required_argument, NULL, OPT_IPIB_HDR_LEN },
	{ "code", required_argument, NULL, OPT_CODE },
	{ "max-cmdline", required_argument, NULL, OPT_MAX_CMDLINE },
	{ "payload", required_argument, NULL, OPT_PAYLOAD },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "kernel-addr", required_argument, NULL, OPT_KERNEL_ADDR },
	{ "initrd-addr", required_argument, NULL, OPT_INITRD_ADDR },
	{ "cmdline-addr", required_argument, NULL, OPT_CMDLINE_ADDR },
	{ "stage-b-addr", required_argument, NULL, OPT_STAGE_B_ADDR },
	{ "set", required_argument, NULL, OPT_SET },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

static bool is_numeric_option(int opt)
{
	switch (opt) {
	case OPT_PARAMS_VERSION:
	case OPT_PARAMS_HDR:
	case OPT_PARAMS_HDR_SIZE:
	case OPT_PARAMS_IPIB:
	case OPT_PARAMS_IPIB_SIZE:
	case OPT_PARAMS_RESERVED:
	case OPT_IPIB_TYPE:
	case OPT_IPIB_LEN:
	case OPT_IPIB_HDR:
	case OPT_IPIB_HDR_LEN:
	case OPT_MAX_CMDLINE:
	case OPT_PAYLOAD:
	case OPT_KERNEL_ADDR:
	case OPT_INITRD_ADDR:
	case OPT_CMDLINE_ADDR:
	case OPT_STAGE_B_ADDR:
		return true;
	default:
		return false;
	}
}

int main(int argc, char **argv)
{
	const char *cmd, *stage_a = NULL, *code = NULL;
	struct stage_a_image a = {
		.params_magic = STUB_STAGE_A_PARAMS_MAGIC,
		.params_version = STUB_STAGE_A_PARAMS_VERSION,
		.params_hdr = TEST_HDR_ADDR,
		.params_hdr_size = TEST_HDR_SIZE,
		.params_ipib = TEST_IPIB_ADDR,
		.params_ipib_size = TEST_IPIB_SIZE,
		.hdr_magic = "IBMSecEx",
		.ipib_type = 5,
		.ipib_len = TEST_IPIB_SIZE,
		.ipib_hdr = TEST_HDR_ADDR,
		.ipib_hdr_len = TEST_HDR_SIZE,
	};
	uint64_t max_cmdline = 0, payload = 256 * 1024;
	struct stage_b_layout layout = { 0 };
	bool set_max = false;
	int opt, rc;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (!strcmp(cmd, "fnv")) {
		uint64_t offset = 0, len = 0;

		if (argc < 3 || argc > 5 || (argc > 3 && !parse_u64(argv[3], &offset)) ||
		    (argc > 4 && !parse_u64(argv[4], &len)))
			return usage();
		rc = print_fnv(argv[2], offset, len, argc < 5);
		goto done;
	}

	optind = 2;
	while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		uint64_t value = 0;

		if (is_numeric_option(opt) && !parse_u64(optarg, &value)) {
			fprintf(stderr, "stub-testimg: %s: not a number\n", optarg);
			return 2;
		}
		switch (opt) {
		case OPT_STAGE_A:
			stage_a = optarg;
			break;
		case OPT_STAGE_B:
			layout.stage_b = optarg;
			break;
		case OPT_PARAMS_MAGIC:
			a.params_magic = optarg;
			break;
		case OPT_PARAMS_VERSION:
			a.params_version = value;
			break;
		case OPT_PARAMS_HDR:
			a.params_hdr = value;
			break;
		case OPT_PARAMS_HDR_SIZE:
			a.params_hdr_size = value;
			break;
		case OPT_PARAMS_IPIB:
			a.params_ipib = value;
			break;
		case OPT_PARAMS_IPIB_SIZE:
			a.params_ipib_size = value;
			break;
		case OPT_PARAMS_RESERVED:
			a.params_reserved = value;
			break;
		case OPT_WIPE_LOW:
			a.wipe_low = true;
			break;
		case OPT_HDR_MAGIC:
			a.hdr_magic = optarg;
			break;
		case OPT_IPIB_TYPE:
			a.ipib_type = value;
			break;
		case OPT_IPIB_LEN:
			a.ipib_len = value;
			break;
		case OPT_IPIB_HDR:
			a.ipib_hdr = value;
			break;
		case OPT_IPIB_HDR_LEN:
			a.ipib_hdr_len = value;
			break;
		case OPT_CODE:
			code = optarg;
			break;
		case OPT_MAX_CMDLINE:
			max_cmdline = value;
			set_max = true;
			break;
		case OPT_PAYLOAD:
			payload = value;
			break;
		case OPT_KERNEL:
			layout.kernel = optarg;
			break;
		case OPT_INITRD:
			layout.initrd = optarg;
			break;
		case OPT_CMDLINE:
			layout.cmdline = optarg;
			break;
		case OPT_KERNEL_ADDR:
			layout.kernel_addr = value;
			break;
		case OPT_INITRD_ADDR:
			layout.initrd_addr = value;
			break;
		case OPT_CMDLINE_ADDR:
			layout.cmdline_addr = value;
			break;
		case OPT_STAGE_B_ADDR:
			layout.stage_b_addr = value;
			break;
		case OPT_SET:
			if (layout.nr_sets == sizeof(layout.sets) / sizeof(layout.sets[0]))
				return usage();
			layout.sets[layout.nr_sets++] = optarg;
			break;
		case 'o':
			layout.out = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || !layout.out)
		return usage();

	if (!strcmp(cmd, "stage-a-image") && stage_a)
		rc = make_stage_a_image(stage_a, layout.out, &a);
	else if (!strcmp(cmd, "fake-kernel") && code)
		rc = make_fake_kernel(code, layout.out, max_cmdline, set_max, payload);
	else if (!strcmp(cmd, "stage-b-elf") && layout.stage_b && layout.kernel)
		rc = make_stage_b_elf(&layout);
	else
		return usage();
done:
	if (rc) {
		fprintf(stderr, "stub-testimg: %s: %s\n", error_file ? error_file : cmd,
			strerror(-rc));
		return 1;
	}
	return 0;
}
