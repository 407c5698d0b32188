// SPDX-License-Identifier: MIT
/*
 * Every rule of verify's Ultravisor model, reached past the header's GCM tag:
 * the re-seal fixture (reseal.h) changes one field and seals the header again,
 * so only the rule under test can refuse it. Each case asserts the exact
 * refusal: rc/rrc where docs/format.md documents one, the reason otherwise,
 * and next to each refusal the nearest accepted value, so a check that is too
 * strict fails as well as one that is missing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "create/image_create.h"
#include "format/layout.h"
#include "inspect/uv.h"
#include "reseal.h"
#include "stub-abi.h"
#include "tap.h"
#include "base/util.h"
#include "vectors.h"

/* Header offsets of docs/format.md the model has no field for. */
#define HDR_OFF_VERSION 0x008
#define HDR_OFF_SIZE 0x00c
#define HDR_OFF_NKS 0x020
#define HDR_OFF_SEA 0x028
static uint8_t stage_a[STUB_STAGE_A_CODE_ADDR + 0x1000];
static uint8_t stage_b[2 * 4096];

static int image_fd;
static char image_path[64];
static struct image_snapshot pristine;
static EVP_PKEY *host1, *host2;

static void make_blobs(void)
{
	put_be64(stage_a, 0x0008000180011000ULL);
	memcpy(stage_a + STUB_STAGE_A_PARAMS_ADDR, STUB_STAGE_A_PARAMS_MAGIC, 8);
	put_be32(stage_a + STUB_STAGE_A_PARAMS_ADDR + 8, STUB_STAGE_A_PARAMS_VERSION);
	memset(stage_b, 0x5a, sizeof(stage_b));
	memset(stage_b + sizeof(stage_b) - STUB_STAGE_B_PARAMS_SIZE, 0, STUB_STAGE_B_PARAMS_SIZE);
	put_be64(stage_b + sizeof(stage_b) - STUB_STAGE_B_PARAMS_SIZE, STUB_STAGE_B_PARAMS_MAGIC);
}

/* An image of the vector inputs for hosts 1 and 2, with a fixed seed. */
static void make_image(void)
{
	struct hostkey hosts[2];
	struct randsrc rand;
	struct image_summary sum;
	struct errinfo err = { "" };
	char *kernel = vec_path("genprotimg-2.35/inputs/kernel.bin");
	char *initrd = vec_path("genprotimg-2.35/inputs/initrd.bin");
	char *parm = vec_path("genprotimg-2.35/inputs/parmfile");
	char *crt1 = vec_path("genprotimg-2.35/keys/host1.crt");
	char *crt2 = vec_path("genprotimg-2.35/keys/host2.crt");
	struct image_spec spec = {
		.kernel_path = kernel,
		.ramdisk_path = initrd,
		.parmfile_path = parm,
		.hosts = hosts,
		.nr_hosts = 2,
		.pcf = SE_PCF_DEFAULT,
		.component_check = true,
		.rand = &rand,
		.stage_a = stage_a,
		.stage_a_size = sizeof(stage_a),
		.stage_b = stage_b,
		.stage_b_size = sizeof(stage_b),
		.output_name = "memfd",
	};
	int rc;

	image_fd = memfd_create("image", 0);
	rc = hostkey_load_hkd(crt1, &hosts[0], &err);
	rc = rc ?: hostkey_load_hkd(crt2, &hosts[1], &err);
	rc = rc ?: randsrc_init_seed(&rand, "0123456789abcdef", &err);
	rc = rc ?: image_create(&spec, image_fd, &sum, &err);
	rc = rc ?: snapshot_take(image_fd, &pristine);
	if (rc) {
		printf("Bail out! cannot build the test image: %s\n", err.msg);
		exit(1);
	}
	snprintf(image_path, sizeof(image_path), "/proc/self/fd/%d", image_fd);
	hostkey_done(&hosts[0]);
	hostkey_done(&hosts[1]);
	free(kernel);
	free(initrd);
	free(parm);
	free(crt1);
	free(crt2);
}

static EVP_PKEY *host_key(const char *name)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "genprotimg-2.35/keys/%s.pem", name);
	return vec_private_key(rel);
}

/* The outcome of verifying the image: the model's result, or image_open's refusal. */
struct outcome {
	int rc;
	bool opened; /* image_open accepted the IPIB and found the header */
	struct uv_result res;
	char text[ERRINFO_MAX]; /* what `segen verify` prints for a refusal */
};

static void verify_with(EVP_PKEY *key, struct outcome *out)
{
	struct image_view *view = calloc(1, sizeof(*view));
	struct errinfo err = { "" };

	memset(out, 0, sizeof(*out));
	out->rc = image_open(image_path, view, &err);
	if (!out->rc) {
		out->opened = true;
		out->rc = uv_verify(view, &key, 1, NULL, &out->res, &err);
		if (out->rc == -EBADMSG)
			uv_refusal_to_err(&out->res, "image", &err);
		image_close(view);
	}
	snprintf(out->text, sizeof(out->text), "%s", out->rc ? err.msg : out->res.msg);
	free(view);
}

/* Put the image back as it was built and open its header with host 1's key. */
static void fresh(struct reseal *r)
{
	if (snapshot_restore(image_fd, &pristine) || reseal_open(r, image_fd, image_path, host1)) {
		printf("Bail out! cannot open the test image's header\n");
		exit(1);
	}
}

static void expect_code(const char *what, uint16_t rc, uint16_t rrc)
{
	struct outcome o;
	char said[40];

	/* What `segen verify` prints: "image: rc 0x102 rrc 0x1b: ...". */
	snprintf(said, sizeof(said), "image: rc 0x%x rrc 0x%x: ", rc, rrc);
	verify_with(host1, &o);
	ok(o.opened && o.rc == -EBADMSG && o.res.rc == rc && o.res.rrc == rrc &&
		   (!rc || strstr(o.text, said) == o.text),
	   "%s: rc 0x%x rrc 0x%x (%s)", what, rc, rrc, o.text);
}

/* A refusal without a documented code: "refused: <@reason...>". */
static void expect_refused(const char *what, const char *reason)
{
	struct outcome o;

	verify_with(host1, &o);
	ok(o.opened && o.rc == -EBADMSG && o.res.rc == 0 && strstr(o.text, "refused: ") &&
		   strstr(o.text, reason),
	   "%s: refused, %s (%s)", what, reason, o.text);
}

/* Refused by the hypervisor's IPIB checks before the UV sees the image. */
static void expect_ipib_refusal(const char *what, const char *reason)
{
	struct outcome o;

	verify_with(host1, &o);
	ok(!o.opened && o.rc == -EBADMSG && strstr(o.text, reason), "%s: %s (%s)", what, reason,
	   o.text);
}

static void expect_start(const char *what)
{
	struct outcome o;

	verify_with(host1, &o);
	ok(o.rc == 0 && o.res.rc == UV_RC_SUCCESS, "%s: the image would start (%s)", what, o.text);
}

static void write_be32(uint64_t off, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	fd_pwrite_full(image_fd, b, sizeof(b), off);
}

static void write_be64(uint64_t off, uint64_t v)
{
	uint8_t b[8];

	put_be64(b, v);
	fd_pwrite_full(image_fd, b, sizeof(b), off);
}

static void raw_be32(struct reseal *r, size_t off, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	ok(reseal_write_raw(r, off, b, sizeof(b)) == 0, "re-sealed with 0x%x at 0x%zx", v, off);
}

static void raw_be64(struct reseal *r, size_t off, uint64_t v)
{
	uint8_t b[8];

	put_be64(b, v);
	ok(reseal_write_raw(r, off, b, sizeof(b)) == 0, "re-sealed with 0x%llx at 0x%zx",
	   (unsigned long long)v, off);
}

static void test_fixture(void)
{
	struct reseal r;
	struct outcome o;

	fresh(&r);
	expect_start("the built image");
	ok(reseal_write(&r) == 0, "re-sealing the unchanged header works");
	expect_start("the re-sealed unchanged header");
	r.hdr.iv[0] ^= 1;
	reseal_write(&r);
	expect_start("a new IV, sealed again");
	/* The same change without a new tag: the GCM check is what refuses it. */
	fresh(&r);
	r.hdr.psw_addr += 8;
	reseal_write(&r);
	write_be64(r.hdr_addr + se_hdr_size(r.hdr.nr_keyslots) - 8, 0);
	expect_refused("damaged tag", "SE header authentication failed (GCM tag mismatch)");
	reseal_done(&r);
	/* Host 2 opens the header through the second slot, host 1 through the first. */
	fresh(&r);
	verify_with(host2, &o);
	ok(o.rc == 0 && o.res.slot_index == 1, "host 2 opens the image through slot 1 (%s)",
	   o.text);
	reseal_done(&r);
}

static void test_plaintext_fields(void)
{
	struct reseal r;

	fresh(&r);
	r.hdr.version = SE_HDR_VERSION + 1;
	reseal_write(&r);
	expect_code("header version 0x101", UV_RC_HDR_VERSION, 0);

	fresh(&r);
	raw_be64(&r, HDR_OFF_NKS, 0);
	expect_code("no key slots", 0x10a, 0x40);
	fresh(&r);
	raw_be64(&r, HDR_OFF_NKS, 3);
	expect_code("three key slots in a header sized for two", 0x10a, 0x31);
	fresh(&r);
	raw_be64(&r, HDR_OFF_NKS, 1);
	expect_code("one key slot in a header sized for two", 0x10a, 0x31);

	fresh(&r);
	raw_be64(&r, HDR_OFF_SEA, SE_HDR_ENCRYPTED_SIZE - 16);
	expect_code("encrypted area of 112 bytes", 0x10a, 0x39);
	fresh(&r);
	raw_be64(&r, HDR_OFF_SEA, SE_HDR_ENCRYPTED_SIZE + 16);
	expect_code("encrypted area of 144 bytes", 0x10a, 0x39);

	fresh(&r);
	raw_be32(&r, HDR_OFF_SIZE, (uint32_t)se_hdr_size(2) + KEYSLOT_SIZE);
	expect_code("header size one key slot too large", 0x10a, 0x31);
	fresh(&r);
	raw_be32(&r, HDR_OFF_SIZE, (uint32_t)se_hdr_size(2) - 1);
	expect_code("header size one byte short", 0x10a, 0x31);
	reseal_done(&r);
}

/*
 * 95 key slots are the most a header can have (8160 bytes); 96 would need
 * 8240, more than the IPIB may name, so the parser's slot limit and its size
 * limit each refuse what the other would: both are asserted on a buffer large
 * enough for 96 slots, the IPIB limit on the image.
 */
static void test_keyslot_limit(void)
{
	struct reseal r;
	const uint32_t size96 = (uint32_t)se_hdr_size(SE_HDR_MAX_KEYSLOTS + 1);
	const uint32_t size95 = (uint32_t)se_hdr_size(SE_HDR_MAX_KEYSLOTS);
	struct se_hdr *parsed = calloc(1, sizeof(*parsed));
	uint16_t rc = 0, rrc = 0;
	uint8_t *buf = calloc(1, size96);
	struct errinfo err = { "" };

	ok(size95 <= SE_HDR_MAX_SIZE && size96 > SE_HDR_MAX_SIZE,
	   "95 key slots fit in %u header bytes, 96 do not (%u)", size95, size96);
	fresh(&r);
	write_be64(r.hdr_addr + HDR_OFF_NKS, SE_HDR_MAX_KEYSLOTS + 1);
	write_be32(r.hdr_addr + HDR_OFF_SIZE, size96);
	write_be64(r.ipib_addr + IPIB_OFF_HDR_LEN, size96);
	expect_ipib_refusal("96 key slots", "IPIB header length 8240 outside 1..8192");
	reseal_done(&r);

	memcpy(buf, SE_HDR_MAGIC, 8);
	put_be32(buf + HDR_OFF_VERSION, SE_HDR_VERSION);
	put_be32(buf + HDR_OFF_SIZE, size95);
	put_be64(buf + HDR_OFF_NKS, SE_HDR_MAX_KEYSLOTS);
	put_be64(buf + HDR_OFF_SEA, SE_HDR_ENCRYPTED_SIZE);
	ok(se_hdr_parse(buf, size95, parsed, &rc, &rrc, &err) == 0 &&
		   parsed->nr_keyslots == SE_HDR_MAX_KEYSLOTS,
	   "95 key slots parse (%s)", err.msg);
	ok(se_hdr_parse(buf, size95 - 1, parsed, &rc, &rrc, &err) == -EBADMSG && rc == 0x10a &&
		   rrc == 0x31,
	   "95 key slots in one byte less do not parse: rc 0x%x rrc 0x%x", rc, rrc);
	put_be64(buf + HDR_OFF_NKS, SE_HDR_MAX_KEYSLOTS + 1);
	put_be32(buf + HDR_OFF_SIZE, size96);
	rc = rrc = 0;
	ok(se_hdr_parse(buf, size96, parsed, &rc, &rrc, &err) == -EBADMSG && rc == 0x10a &&
		   rrc == 0x31,
	   "96 key slots do not parse: rc 0x%x rrc 0x%x", rc, rrc);
	free(parsed);
	free(buf);
}

/* The header length in the IPIB against the header's own size field. */
static void test_ipib_header_length(void)
{
	struct reseal r;
	size_t size;

	fresh(&r);
	size = se_hdr_size(r.hdr.nr_keyslots);
	write_be64(r.ipib_addr + IPIB_OFF_HDR_LEN, size - 1);
	expect_code("IPIB header length one byte short of the header", 0x10a, 0x31);
	/* KVM hands the UV exactly the IPIB's length: a longer one is refused too. */
	write_be64(r.ipib_addr + IPIB_OFF_HDR_LEN, size + 1);
	expect_code("IPIB header length one byte more than the header", 0x10a, 0x31);
	write_be64(r.ipib_addr + IPIB_OFF_HDR_LEN, SE_HDR_MAX_SIZE);
	expect_code("IPIB header length 8192", 0x10a, 0x31);
	write_be64(r.ipib_addr + IPIB_OFF_HDR_LEN, SE_HDR_MAX_SIZE + 1);
	expect_ipib_refusal("IPIB header length 8193", "IPIB header length 8193 outside 1..8192");
	write_be64(r.ipib_addr + IPIB_OFF_HDR_LEN, 0);
	expect_ipib_refusal("IPIB header length 0", "IPIB header length 0 outside 1..8192");
	reseal_done(&r);
}

static void test_control_flags(void)
{
	static const uint64_t unknown_pcf[] = {
		0x1, 0x4, 0x8, 0x100, 0x08000000ULL, 0x40000000ULL, 0x8000000000000000ULL
	};
	static const uint64_t known_pcf[] = { SE_PCF_ALLOW_DUMP, SE_PCF_PCKMO_HMAC,
					      SE_PCF_BACKUP_KEYS, 0 };
	static const uint64_t unknown_scf[] = { 0x1, 0x1000000000000000ULL, 0x8000000000000000ULL };
	static const uint64_t known_scf[] = { SE_SCF_CCK_EXTENSION_SECRET, SE_SCF_CCK_UPDATE };
	struct reseal r;
	char what[64];

	for (size_t i = 0; i < ARRAY_SIZE(unknown_pcf); i++) {
		fresh(&r);
		r.hdr.pcf |= unknown_pcf[i];
		reseal_write(&r);
		snprintf(what, sizeof(what), "unknown PCF bit 0x%llx",
			 (unsigned long long)unknown_pcf[i]);
		expect_code(what, UV_RC_PCF, 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(known_pcf); i++) {
		fresh(&r);
		r.hdr.pcf = SE_PCF_DEFAULT | known_pcf[i];
		reseal_write(&r);
		snprintf(what, sizeof(what), "PCF 0x%llx", (unsigned long long)r.hdr.pcf);
		expect_start(what);
	}
	for (size_t i = 0; i < ARRAY_SIZE(unknown_scf); i++) {
		fresh(&r);
		r.hdr.scf |= unknown_scf[i];
		reseal_write(&r);
		snprintf(what, sizeof(what), "unknown SCF bit 0x%llx",
			 (unsigned long long)unknown_scf[i]);
		expect_code(what, UV_RC_SCF, 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(known_scf); i++) {
		fresh(&r);
		r.hdr.scf = known_scf[i];
		reseal_write(&r);
		snprintf(what, sizeof(what), "SCF 0x%llx", (unsigned long long)r.hdr.scf);
		expect_start(what);
	}
	reseal_done(&r);
}

static void test_optional_items(void)
{
	struct reseal r;

	fresh(&r);
	r.hdr.nr_optional_items = 1;
	reseal_write(&r);
	expect_refused("one optional item",
		       "the header lists 1 optional items; none are supported");
	fresh(&r);
	r.hdr.nr_optional_items = 0x80000000u;
	reseal_write(&r);
	expect_refused("2^31 optional items", "optional items; none are supported");
	reseal_done(&r);
}

static void test_psw(void)
{
	struct reseal r;
	const struct layout_component *b, *k;
	char reason[160];

	fresh(&r);
	b = &r.ipib.comps[r.ipib.nr_comps - 1];
	k = &r.ipib.comps[0];
	ok(b->id == SE_COMP_ID_STAGE_B && r.hdr.psw_addr == b->addr,
	   "the PSW starts stage-b, the last component");

	r.hdr.psw_mask = 0x0000000080000000ULL;
	reseal_write(&r);
	expect_refused("31-bit PSW mask",
		       "start PSW mask 0x0000000080000000 is not 64-bit mode, DAT off");
	fresh(&r);
	r.hdr.psw_mask = SE_PSW_MASK_64BIT | 0x0400000000000000ULL;
	reseal_write(&r);
	expect_refused("PSW mask with DAT on", "start PSW mask 0x0400000180000000");
	fresh(&r);
	r.hdr.psw_mask = 0;
	reseal_write(&r);
	expect_refused("PSW mask 0", "start PSW mask 0x0000000000000000");

	snprintf(reason, sizeof(reason), "is outside the stage-b component (0x%llx..0x%llx)",
		 (unsigned long long)b->addr, (unsigned long long)(b->addr + b->size));
	fresh(&r);
	r.hdr.psw_addr = b->addr - 2;
	reseal_write(&r);
	expect_refused("PSW address just below stage-b", reason);
	fresh(&r);
	r.hdr.psw_addr = b->addr + b->size;
	reseal_write(&r);
	expect_refused("PSW address at the end of stage-b", reason);
	fresh(&r);
	r.hdr.psw_addr = k->addr;
	reseal_write(&r);
	expect_refused("PSW address at the kernel", reason);
	fresh(&r);
	r.hdr.psw_addr = b->addr + b->size - 2;
	reseal_write(&r);
	expect_start("PSW address at the last halfword of stage-b");
	fresh(&r);
	r.hdr.psw_addr = b->addr + 0x100;
	reseal_write(&r);
	expect_start("PSW address inside stage-b");
	reseal_done(&r);
}

static void test_digests(void)
{
	struct reseal r;

	fresh(&r);
	r.hdr.ald[0] ^= 1;
	reseal_write(&r);
	expect_code("ALD first byte", UV_RC_DIGEST, UV_RRC_ALD);
	fresh(&r);
	r.hdr.ald[SE_DIGEST_LEN - 1] ^= 0x80;
	reseal_write(&r);
	expect_code("ALD last byte", UV_RC_DIGEST, UV_RRC_ALD);
	fresh(&r);
	r.hdr.pld[0] ^= 1;
	reseal_write(&r);
	expect_code("PLD first byte", UV_RC_DIGEST, UV_RRC_PLD);
	fresh(&r);
	r.hdr.pld[SE_DIGEST_LEN - 1] ^= 0x80;
	reseal_write(&r);
	expect_code("PLD last byte", UV_RC_DIGEST, UV_RRC_PLD);
	fresh(&r);
	r.hdr.tld[0] ^= 1;
	reseal_write(&r);
	expect_code("TLD first byte", UV_RC_DIGEST, UV_RRC_TLD);
	fresh(&r);
	r.hdr.tld[SE_DIGEST_LEN - 1] ^= 0x80;
	reseal_write(&r);
	expect_code("TLD last byte", UV_RC_DIGEST, UV_RRC_TLD);
	/* All three wrong: the UV names the ALD first. */
	fresh(&r);
	r.hdr.ald[5] ^= 1;
	r.hdr.pld[5] ^= 1;
	r.hdr.tld[5] ^= 1;
	reseal_write(&r);
	expect_code("all three digests", UV_RC_DIGEST, UV_RRC_ALD);
	fresh(&r);
	r.hdr.pld[5] ^= 1;
	r.hdr.tld[5] ^= 1;
	reseal_write(&r);
	expect_code("PLD and TLD", UV_RC_DIGEST, UV_RRC_PLD);

	fresh(&r);
	r.hdr.nr_pages += 1;
	reseal_write(&r);
	expect_code("one page more in the header", UV_RC_DIGEST, UV_RRC_NR_PAGES);
	fresh(&r);
	r.hdr.nr_pages -= 1;
	reseal_write(&r);
	expect_code("one page less in the header", UV_RC_DIGEST, UV_RRC_NR_PAGES);
	fresh(&r);
	r.hdr.nr_pages = 0;
	reseal_write(&r);
	expect_code("no pages in the header", UV_RC_DIGEST, UV_RRC_NR_PAGES);
	reseal_done(&r);
}

static void test_keys(void)
{
	struct reseal r;
	struct outcome o;
	uint8_t *pad;

	fresh(&r);
	r.hdr.keyslots[0][3] ^= 1;
	reseal_write(&r);
	expect_code("host 1's slot hash changed", UV_RC_KEY, UV_RRC_NO_KEYSLOT);
	verify_with(host2, &o);
	ok(o.rc == 0 && o.res.slot_index == 1, "host 2 still opens it (%s)", o.text);
	fresh(&r);
	r.hdr.keyslots[0][HOSTKEY_HASH_LEN - 1] ^= 0x80;
	reseal_write(&r);
	expect_code("the last byte of host 1's slot hash changed", UV_RC_KEY, UV_RRC_NO_KEYSLOT);

	fresh(&r);
	r.hdr.keyslots[0][KEYSLOT_HASH_LEN] ^= 1;
	reseal_write(&r);
	expect_refused("host 1's wrapped key changed", "key slot 0 does not unwrap");
	fresh(&r);
	r.hdr.keyslots[0][KEYSLOT_SIZE - 1] ^= 1;
	reseal_write(&r);
	expect_refused("host 1's key slot tag changed", "key slot 0 does not unwrap");

	/* The P-521 coordinates are 66 bytes, right-aligned in 80-byte fields. */
	pad = r.hdr.cust_pub_xy;
	fresh(&r);
	pad[0] = 1;
	reseal_write(&r);
	expect_code("customer key X padding, first byte", UV_RC_KEY, UV_RRC_CUST_KEY);
	fresh(&r);
	pad[EC_P521_XY_FIELD_LEN - EC_P521_COORD_LEN - 1] = 1;
	reseal_write(&r);
	expect_code("customer key X padding, last byte", UV_RC_KEY, UV_RRC_CUST_KEY);
	fresh(&r);
	pad[EC_P521_XY_FIELD_LEN] = 1;
	reseal_write(&r);
	expect_code("customer key Y padding, first byte", UV_RC_KEY, UV_RRC_CUST_KEY);
	fresh(&r);
	pad[2 * EC_P521_XY_FIELD_LEN - EC_P521_COORD_LEN - 1] = 1;
	reseal_write(&r);
	expect_code("customer key Y padding, last byte", UV_RC_KEY, UV_RRC_CUST_KEY);
	fresh(&r);
	pad[EC_P521_XY_LEN - 1] ^= 1;
	reseal_write(&r);
	expect_code("customer key not on the curve", UV_RC_KEY, UV_RRC_CUST_KEY);
	reseal_done(&r);
}

static void test_ipib(void)
{
	struct reseal r;
	uint64_t t, len;
	char reason[96];

	fresh(&r);
	t = r.ipib_addr + IPIB_FIXED_SIZE;
	len = r.ipib.len;
	ok(len == IPIB_FIXED_SIZE + r.ipib.nr_comps * IPIB_COMP_SIZE, "IPIB of %llu bytes",
	   (unsigned long long)len);

	write_be32(r.ipib_addr + IPIB_OFF_LEN, IPIB_MAX_SIZE);
	write_be32(r.ipib_addr + IPIB_OFF_BLOCK_LEN, IPIB_MAX_SIZE - 8);
	expect_start("IPIB length 4096");
	write_be32(r.ipib_addr + IPIB_OFF_LEN, IPIB_MAX_SIZE + 1);
	write_be32(r.ipib_addr + IPIB_OFF_BLOCK_LEN, IPIB_MAX_SIZE - 7);
	expect_ipib_refusal("IPIB length 4097", "IPIB length 4097 outside 148..4096");
	write_be32(r.ipib_addr + IPIB_OFF_LEN, IPIB_MIN_SIZE - 1);
	write_be32(r.ipib_addr + IPIB_OFF_BLOCK_LEN, IPIB_MIN_SIZE - 9);
	expect_ipib_refusal("IPIB length 147", "IPIB length 147 outside 148..4096");
	write_be32(r.ipib_addr + IPIB_OFF_LEN, (uint32_t)len - 1);
	write_be32(r.ipib_addr + IPIB_OFF_BLOCK_LEN, (uint32_t)len - 9);
	expect_ipib_refusal("IPIB one byte short of its table",
			    "IPIB component table (4 entries) exceeds its length");
	write_be32(r.ipib_addr + IPIB_OFF_LEN, (uint32_t)len);
	/* Neither QEMU nor KVM looks at the block length. */
	write_be32(r.ipib_addr + IPIB_OFF_BLOCK_LEN, (uint32_t)len - 7);
	expect_start("IPIB block length one more");
	write_be32(r.ipib_addr + IPIB_OFF_BLOCK_LEN, (uint32_t)len - 9);
	expect_start("IPIB block length one less");

	fresh(&r);
	fd_pwrite_full(image_fd, "\x04", 1, r.ipib_addr + IPIB_OFF_PBT);
	expect_ipib_refusal("IPIB type 4", "IPIB type 4, expected 5 (PV)");
	fresh(&r);
	write_be32(r.ipib_addr + IPIB_OFF_NR_COMPS, 0);
	expect_ipib_refusal("IPIB without components", "IPIB lists no components");
	fresh(&r);
	write_be32(r.ipib_addr + IPIB_OFF_NR_COMPS, (uint32_t)r.ipib.nr_comps + 1);
	expect_ipib_refusal("IPIB with one component more than its table",
			    "IPIB component table (5 entries) exceeds its length");
	fresh(&r);
	write_be32(r.ipib_addr + IPIB_OFF_NR_COMPS, (uint32_t)r.ipib.nr_comps - 1);
	expect_code("IPIB without stage-b: the PSW is outside the last component", 0, 0);

	fresh(&r);
	write_be64(r.ipib_addr + IPIB_OFF_HDR_ADDR, pristine.len);
	expect_ipib_refusal("header address at the end of the image", "is outside the image");
	write_be64(r.ipib_addr + IPIB_OFF_HDR_ADDR, pristine.len - r.hdr_len + 1);
	expect_ipib_refusal("header running one byte past the end", "is outside the image");
	write_be64(r.ipib_addr + IPIB_OFF_HDR_ADDR, r.hdr_addr + SE_PAGE_SIZE);
	expect_ipib_refusal("header address not the metadata's", "IPIB names the SE header at");

	/* A whole, valid IPIB 8 bytes into its page, and the metadata pointing there. */
	fresh(&r);
	{
		uint8_t ipib[IPIB_MAX_SIZE];

		fd_pread_full(image_fd, ipib, len, r.ipib_addr);
		fd_pwrite_full(image_fd, ipib, len, r.ipib_addr + 8);
		write_be64(STUB_IMAGE_METADATA_ADDR + STUB_IMAGE_METADATA_OFF_IPIB,
			   r.ipib_addr + 8);
	}
	snprintf(reason, sizeof(reason), "IPIB address 0x%llx is not page aligned",
		 (unsigned long long)(r.ipib_addr + 8));
	expect_ipib_refusal("IPIB 8 bytes off its page", reason);

	fresh(&r);
	write_be64(t + 8, r.ipib.comps[0].addr + 8);
	expect_ipib_refusal("component address not page aligned", "not page aligned");
	fresh(&r);
	write_be64(t + 16, 0);
	expect_ipib_refusal("component of 0 bytes", "size 0 is not usable");
	/* QEMU rounds a component up to whole pages, the same pages here. */
	fresh(&r);
	write_be64(t + 16, r.ipib.comps[0].size - 1);
	expect_start("component size not a page multiple");
	fresh(&r);
	write_be64(t + IPIB_COMP_SIZE, r.ipib.comps[0].tweak_prefix);
	expect_ipib_refusal("equal tweak prefixes",
			    "IPIB component 1 tweak prefix does not increase");
	fresh(&r);
	write_be64(t + 3 * IPIB_COMP_SIZE + 16, pristine.len - r.ipib.comps[3].addr + SE_PAGE_SIZE);
	expect_ipib_refusal("last component one page past the end", "is outside the image");
	fresh(&r);
	write_be64(t + 3 * IPIB_COMP_SIZE + 16, pristine.len - r.ipib.comps[3].addr);
	expect_code("last component reaching the end of the image", UV_RC_DIGEST, UV_RRC_ALD);
	fresh(&r);
	write_be64(t + IPIB_COMP_SIZE + 8, r.ipib.comps[0].addr);
	expect_refused("two components at one address",
		       "components overlap or are out of address order");
	fresh(&r);
	write_be64(t + IPIB_COMP_SIZE + 8,
		   r.ipib.comps[0].addr + r.ipib.comps[0].size - SE_PAGE_SIZE);
	expect_refused("the ramdisk over the kernel's last page",
		       "components overlap or are out of address order");

	reseal_done(&r);
}

int main(void)
{
	(void)vec_read; /* vectors.h's reader: this test needs paths only */
	make_blobs();
	host1 = host_key("host1");
	host2 = host_key("host2");
	make_image();
	test_fixture();
	test_plaintext_fields();
	test_keyslot_limit();
	test_ipib_header_length();
	test_control_flags();
	test_optional_items();
	test_psw();
	test_digests();
	test_keys();
	test_ipib();
	EVP_PKEY_free(host1);
	EVP_PKEY_free(host2);
	free(pristine.data);
	close(image_fd);
	return done_testing();
}
