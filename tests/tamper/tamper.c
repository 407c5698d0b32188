// SPDX-License-Identifier: MIT
/*
 * The tamper and malformed-input sweep: take a valid image, change it one bit
 * at a time (every bit of the IPIB and the metadata, one bit of every byte of
 * the SE header, the
 * first and last page of every component at a stride of 13, stage-a and
 * padding at larger strides)
 * and truncate it at every structure boundary; each variant goes through
 * image_open() and uv_verify(), as `segen verify` runs them.
 *
 * The expected verdict of each change is stated here, independently of the
 * code under test: what the Ultravisor (and, for the IPIB, QEMU and KVM)
 * would refuse must be refused, with the documented rc/rrc where there is
 * one; what neither ever reads (stage-a, padding, IPIB fields the hypervisor
 * ignores) must be accepted.
 *
 *   tamper IMAGE HOST-KEY.pem [REPORT]
 * TAMPER_STRIDE=1 changes every byte of the sampled regions too (slow).
 * REPORT gets one line per region: name, bytes, changes, refused, accepted,
 * expectation, reason (tab-separated), for docs/reliability.md.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/util.h"
#include "crypto/comp.h"
#include "format/layout.h"
#include "format/stub_blobs.h"
#include "inspect/image_read.h"
#include "inspect/uv.h"
#include "pki/hostkey.h"
#include "stub-abi.h"
#include "stub-wait-codes.h"
#include "tap.h"

enum expect {
	REFUSE,		/* any refusal */
	ACCEPT,		/* must verify */
	BY_IPIB,	/* decided per change by ipib_accepts() */
	REFUSE_PLD,	/* rc 0x102 rrc 0x1b */
	REFUSE_CODE,	/* the region's rc, and its rrc unless that is ANY_RRC */
	REFUSE_STAGE_A, /* before any key: the wait code stage-a would stop with */
	BY_PCF,		/* a known flag: the GCM tag fails; an unknown one: rc 0x106 */
};

#define ANY_RRC 0xffffu

struct region {
	const char *name;
	uint64_t start, end; /* file offsets */
	uint64_t stride;     /* 1: every byte */
	enum expect expect;
	const char *why;
	bool every_bit;		/* all 8 bits of each byte, not one */
	uint16_t rc, rrc;	/* REFUSE_CODE */
	unsigned int wait_code; /* REFUSE_STAGE_A */
};

struct outcome {
	bool accepted;
	uint16_t rc, rrc;
	char msg[ERRINFO_MAX];
};

static uint8_t *image;
static uint64_t image_size;
static int image_fd = -1;
static char image_path[64];
static EVP_PKEY *host_key;
static struct stub_blobs blobs; /* segen's own stage-a, as `segen verify` knows it */
static struct uv_result *res;

/* The memfd holds the variant: byte @off changed, or the image cut to @size. */
static void sync_byte(uint64_t off)
{
	if (fd_pwrite_full(image_fd, image + off, 1, off)) {
		printf("Bail out! cannot write the variant\n");
		exit(1);
	}
}

static void set_size(uint64_t size)
{
	if (ftruncate(image_fd, (off_t)size) < 0 || fd_pwrite_full(image_fd, image, size, 0)) {
		printf("Bail out! cannot write the variant\n");
		exit(1);
	}
}

static void run_verify(struct outcome *out)
{
	struct image_view *v = calloc(1, sizeof(*v));
	struct errinfo err = { "" };
	int rc;

	if (!v) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memset(out, 0, sizeof(*out));
	rc = image_open(image_path, v, &err);
	if (!rc) {
		/* As segen verify: stage-a's parameters first, then the UV's work. */
		rc = image_check_stage_a_params(v, blobs.stage_a, blobs.stage_a_size, &err);
		if (!rc) {
			rc = uv_verify(v, &host_key, 1, NULL, res, &err);
			if (rc == -EBADMSG)
				uv_refusal_to_err(res, "image", &err);
		}
		out->rc = res->rc;
		out->rrc = res->rrc;
		image_close(v);
	}
	out->accepted = rc == 0;
	snprintf(out->msg, sizeof(out->msg), "%s", err.msg);
	free(v);
}

/*
 * QEMU 7.2 and KVM on an IPIB (hw/s390x/ipl.h, arch/s390/kvm): they read the
 * type, length, component count, header address and length, and the
 * component table; the flags, block length, loadparm, reserved bytes and
 * versions never. A changed length would pass the hypervisor when it stays
 * within 148..4096 and covers the table, but segen's stage-a compares it
 * with the IPIB size in its parameters and stops: refused as well.
 */
static bool ipib_accepts(uint64_t field_off)
{
	return (field_off >= 0x04 && field_off < 0x0c) || (field_off > 0x0c && field_off < 0x74);
}

static const char *expect_name(enum expect e)
{
	switch (e) {
	case REFUSE:
		return "refused";
	case ACCEPT:
		return "accepted";
	case BY_IPIB:
		return "as the hypervisor decides";
	case REFUSE_PLD:
		return "refused, rc 0x102 rrc 0x1b";
	case REFUSE_CODE:
		return "refused with the region's rc/rrc";
	case REFUSE_STAGE_A:
		return "refused: stage-a's wait code";
	case BY_PCF:
		return "refused: rc 0x106 for an unknown flag";
	}
	return "?";
}

/* What @r expects, for the report: the code itself where there is one. */
static const char *expected_text(const struct region *r, char *buf, size_t len)
{
	if (r->expect == REFUSE_CODE && r->rc == 0)
		snprintf(buf, len, "refused, no documented code");
	else if (r->expect == REFUSE_CODE && r->rrc == ANY_RRC)
		snprintf(buf, len, "refused, rc 0x%x", r->rc);
	else if (r->expect == REFUSE_CODE)
		snprintf(buf, len, "refused, rc 0x%x rrc 0x%x", r->rc, r->rrc);
	else if (r->expect == REFUSE_STAGE_A)
		snprintf(buf, len, "refused, stage-a wait 0x%x", r->wait_code);
	else
		snprintf(buf, len, "%s", expect_name(r->expect));
	return buf;
}

/* Whether a refusal is the one @r expects for flipping @flip at @off. */
static bool refusal_matches(const struct region *r, const struct outcome *out, uint64_t off,
			    uint8_t flip)
{
	char wait[64];

	switch (r->expect) {
	case REFUSE_PLD:
		return out->rc == UV_RC_DIGEST && out->rrc == UV_RRC_PLD;
	case REFUSE_CODE:
		return out->rc == r->rc && (r->rrc == ANY_RRC || out->rrc == r->rrc);
	case REFUSE_STAGE_A:
		snprintf(wait, sizeof(wait), "(stage-a would stop with 0x%x)", r->wait_code);
		return strstr(out->msg, wait) != NULL;
	case BY_PCF: {
		/* The PCF is big-endian at header offset 0x38: which bit did we flip? */
		unsigned int bit = (unsigned int)(7 - (off - r->start)) * 8 +
				   (unsigned int)__builtin_ctz(flip);

		if ((UV_PCF_KNOWN >> bit) & 1)
			return out->rc == 0 && strstr(out->msg, "GCM tag") != NULL;
		return out->rc == UV_RC_PCF;
	}
	default:
		return true;
	}
}

static void sweep(const struct region *r, const struct image_view *orig, FILE *report)
{
	uint64_t changes = 0, refused = 0, accepted = 0, wrong = 0;
	char first_wrong[ERRINFO_MAX + 64] = "", expected[64];
	uint64_t stride = r->stride;
	const char *env = getenv("TAMPER_STRIDE");

	if (env && *env)
		stride = MIN(stride, strtoull(env, NULL, 0) ?: 1);
	for (uint64_t n = 0; r->start + n / (r->every_bit ? 8 : 1) * stride < r->end; n++) {
		uint64_t off = r->start + n / (r->every_bit ? 8 : 1) * stride;
		uint8_t saved = image[off];
		/* Else a different bit for each byte, so that every bit position is changed. */
		uint8_t flip = (uint8_t)(1u << (r->every_bit ? n % 8 : off % 8));
		struct outcome out;
		bool want_accept;

		image[off] ^= flip;
		sync_byte(off);
		run_verify(&out);
		changes++;
		if (out.accepted)
			accepted++;
		else
			refused++;
		switch (r->expect) {
		case ACCEPT:
			want_accept = true;
			break;
		case BY_IPIB:
			want_accept = ipib_accepts(off - orig->ipib_addr);
			break;
		default:
			want_accept = false;
		}
		if (out.accepted != want_accept ||
		    (!out.accepted && !refusal_matches(r, &out, off, flip))) {
			if (!wrong++)
				snprintf(first_wrong, sizeof(first_wrong),
					 "offset 0x%llx bit %u: %s (rc 0x%x rrc 0x%x)",
					 (unsigned long long)off, flip,
					 out.accepted ? "accepted" : out.msg, out.rc, out.rrc);
		}
		image[off] = saved;
		sync_byte(off);
	}
	ok(wrong == 0, "%s: %llu changes, %llu refused, %llu accepted; expected %s", r->name,
	   (unsigned long long)changes, (unsigned long long)refused, (unsigned long long)accepted,
	   expected_text(r, expected, sizeof(expected)));
	if (wrong)
		printf("# %llu unexpected, first: %s\n", (unsigned long long)wrong, first_wrong);
	if (report)
		fprintf(report, "%s\t%llu\t%llu\t%llu\t%llu\t%s\t%s\n", r->name,
			(unsigned long long)(r->end - r->start), (unsigned long long)changes,
			(unsigned long long)refused, (unsigned long long)accepted,
			expected_text(r, expected, sizeof(expected)), r->why);
}

/* Truncations at every boundary: refused with a message that says so, or accepted. */
static void truncations(const struct image_view *v, FILE *report)
{
	uint64_t cuts[64];
	size_t n = 0, wrong = 0, refused = 0;
	char first_wrong[ERRINFO_MAX + 64] = "";
	uint64_t ipib_end = v->ipib_addr + v->ipib.len;

	cuts[n++] = 0;
	cuts[n++] = 1;
	cuts[n++] = STUB_IMAGE_METADATA_ADDR;
	cuts[n++] = STUB_IMAGE_METADATA_ADDR + STUB_IMAGE_METADATA_SIZE - 1;
	cuts[n++] = STUB_STAGE_A_LOAD_ADDR;
	cuts[n++] = STUB_STAGE_A_PARAMS_ADDR + STUB_STAGE_A_PARAMS_SIZE - 1;
	cuts[n++] = v->hdr_addr;
	cuts[n++] = v->hdr_addr + v->hdr_len - 1;
	cuts[n++] = v->hdr_addr + v->hdr_len;
	for (size_t i = 0; i < v->ipib.nr_comps && n < ARRAY_SIZE(cuts) - 6; i++) {
		cuts[n++] = v->ipib.comps[i].addr;
		cuts[n++] = v->ipib.comps[i].addr + v->ipib.comps[i].size - 1;
	}
	cuts[n++] = v->ipib_addr;
	cuts[n++] = v->ipib_addr + IPIB_FIXED_SIZE - 1;
	cuts[n++] = ipib_end - 1;
	for (size_t i = 0; i < n; i++) {
		struct outcome out;

		set_size(cuts[i]);
		run_verify(&out);
		if (!out.accepted)
			refused++;
		/* Cut before the IPIB's end: nothing can boot. A message never says "needs 0". */
		if (out.accepted || strstr(out.msg, "needs 0 bytes") || !*out.msg) {
			if (!wrong++)
				snprintf(first_wrong, sizeof(first_wrong), "at 0x%llx: %s",
					 (unsigned long long)cuts[i],
					 out.accepted ? "accepted" : out.msg);
		}
	}
	ok(wrong == 0, "truncation at %zu structure boundaries: %zu refused with a clear message",
	   n, refused);
	if (wrong)
		printf("# %zu unexpected, first: %s\n", wrong, first_wrong);
	/* What follows the IPIB is padding: an image cut right after it still boots. */
	{
		struct outcome out;

		set_size(ipib_end);
		run_verify(&out);
		ok(out.accepted, "cut right after the IPIB (%llu bytes): accepted",
		   (unsigned long long)ipib_end);
	}
	set_size(image_size);
	if (report)
		fprintf(report, "truncation\t%llu\t%zu\t%zu\t%zu\t%s\t%s\n",
			(unsigned long long)image_size, n + 1, refused, n + 1 - refused,
			"refused before the IPIB's end",
			"a cut anywhere before the end of the IPIB loses a structure the boot "
			"needs; the rest of the IPIB page is padding");
}

int main(int argc, char **argv)
{
	struct image_view *v = calloc(1, sizeof(*v));
	struct errinfo err = { "" };
	struct outcome base;
	FILE *report = NULL;
	uint64_t hdr_end, ipib_end, hdr_page_end;
	size_t nr_regions = 0;
	struct region regions[48];
	size_t len;

	if (argc < 3) {
		fprintf(stderr, "usage: tamper IMAGE HOST-KEY.pem [REPORT]\n");
		return 2;
	}
	res = calloc(1, sizeof(*res));
	if (!v || !res || file_read_all(argv[1], 64u << 20, &image, &len, &err) ||
	    hostkey_load_private(argv[2], &host_key, &err) || stub_blobs_load(NULL, &blobs, &err)) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	image_size = len;
	image_fd = memfd_create("tamper-image", MFD_CLOEXEC);
	snprintf(image_path, sizeof(image_path), "/proc/self/fd/%d", image_fd);
	if (argc > 3)
		report = fopen(argv[3], "w");

	set_size(image_size);
	run_verify(&base);
	if (!ok(base.accepted, "the untouched image verifies")) {
		printf("Bail out! %s\n", base.msg);
		return 1;
	}
	if (image_open(image_path, v, &err)) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	image_close(v);
	hdr_end = v->hdr_addr + v->hdr_len;
	hdr_page_end = ALIGN_UP(hdr_end, (uint64_t)SE_PAGE_SIZE);
	ipib_end = v->ipib_addr + v->ipib.len;

#define REGION(...) (regions[nr_regions++] = (struct region){ __VA_ARGS__, false, 0, 0, 0 })
#define REGION_EVERY_BIT(...) \
	(regions[nr_regions++] = (struct region){ __VA_ARGS__, true, 0, 0, 0 })
	/* The header field by field: where the UV documents a code, that code. */
	if (v->hdr_len != SE_HDR_FIXED_SIZE + 80 + SE_HDR_ENCRYPTED_SIZE + 16) {
		printf("Bail out! the sweep's header regions are for an image for one host\n");
		return 1;
	}
#define HDR_CODE(name_, from, to, stride_, rc_, rrc_, why_)                      \
	(regions[nr_regions++] = (struct region){ .name = (name_),               \
						  .start = v->hdr_addr + (from), \
						  .end = v->hdr_addr + (to),     \
						  .stride = (stride_),           \
						  .expect = REFUSE_CODE,         \
						  .why = (why_),                 \
						  .every_bit = true,             \
						  .rc = (rc_),                   \
						  .rrc = (rrc_) })
	regions[nr_regions++] = (struct region){
		.name = "SE header: magic and length",
		.start = v->hdr_addr,
		.end = v->hdr_addr + 0x08,
		.stride = 1,
		.expect = REFUSE_STAGE_A,
		.why = "stage-a finds no header where its parameters point (0xa030)",
		.every_bit = true,
		.wait_code = STUB_WAIT_A_BAD_HEADER
	};
	HDR_CODE("SE header: version", 0x08, 0x0c, 1, UV_RC_HDR_VERSION, 0,
		 "rc 0x104: header version not supported");
	regions[nr_regions++] = (struct region){
		.name = "SE header: length field",
		.start = v->hdr_addr + 0x0c,
		.end = v->hdr_addr + 0x10,
		.stride = 1,
		.expect = REFUSE_STAGE_A,
		.why = "stage-a compares it with its parameters' header size (0xa030)",
		.every_bit = true,
		.wait_code = STUB_WAIT_A_BAD_HEADER
	};
	HDR_CODE("SE header: IV and reserved", 0x10, 0x20, 1, 0, 0,
		 "no documented code: the GCM tag fails");
	HDR_CODE("SE header: key-slot count", 0x20, 0x28, 1, 0x10a, ANY_RRC,
		 "rc 0x10a: the length no longer fits the slots (rrc 0x31) or none (0x40)");
	HDR_CODE("SE header: encrypted-area size", 0x28, 0x30, 1, 0x10a, 0x39, "rc 0x10a rrc 0x39");
	HDR_CODE("SE header: page count", 0x30, 0x38, 1, 0, 0,
		 "no documented code: authenticated data, the GCM tag fails");
	regions[nr_regions++] = (struct region){
		.name = "SE header: plaintext control flags",
		.start = v->hdr_addr + 0x38,
		.end = v->hdr_addr + 0x40,
		.stride = 1,
		.expect = BY_PCF,
		.why = "an unknown flag: rc 0x106; a known one: authenticated, the GCM tag fails",
		.every_bit = true
	};
	HDR_CODE("SE header: customer public key", 0x40, 0xe0, 3, UV_RC_KEY, UV_RRC_CUST_KEY,
		 "rc 0x108 rrc 0x0b: no longer a P-521 point");
	HDR_CODE("SE header: PLD, ALD, TLD", 0xe0, 0x1a0, 5, 0, 0,
		 "no documented code: authenticated data, the GCM tag fails");
	HDR_CODE("SE header: key slot host hash", 0x1a0, 0x1c0, 1, UV_RC_KEY, UV_RRC_NO_KEYSLOT,
		 "rc 0x108 rrc 0x05: no slot for this host");
	HDR_CODE("SE header: key slot wrapped key and tag", 0x1c0, 0x1f0, 1, 0, 0,
		 "no documented code: the slot does not unwrap");
	HDR_CODE("SE header: encrypted part and tag", 0x1f0, v->hdr_len, 1, 0, 0,
		 "no documented code: the GCM tag fails");
#undef HDR_CODE
	REGION_EVERY_BIT(
		"IPIB", v->ipib_addr, ipib_end, 1, BY_IPIB,
		"QEMU and KVM check type, length, header address and length, component "
		"addresses, sizes and tweaks; flags, block length, loadparm and versions are "
		"never read");
	REGION_EVERY_BIT("image metadata", STUB_IMAGE_METADATA_ADDR,
			 STUB_IMAGE_METADATA_ADDR + STUB_IMAGE_METADATA_SIZE, 1, ACCEPT,
			 "for tools only: stage-a finds the header and the IPIB through its own "
			 "parameters, and so does verify when they lead to both");
	REGION_EVERY_BIT("stage-a parameters: magic", STUB_STAGE_A_PARAMS_ADDR,
			 STUB_STAGE_A_PARAMS_ADDR + 8, 1, REFUSE,
			 "segen's stage-a stops without its parameter block (0xa010); verify knows "
			 "segen's stage-a code and refuses, where IBM's loaders need no block");
	REGION_EVERY_BIT("stage-a parameters: the rest", STUB_STAGE_A_PARAMS_ADDR + 8,
			 STUB_STAGE_A_PARAMS_ADDR + STUB_STAGE_A_PARAMS_SIZE, 1, REFUSE,
			 "stage-a checks them against the header and the IPIB and stops in a wait "
			 "when they disagree");
	for (size_t i = 0; i < v->ipib.nr_comps; i++) {
		const struct layout_component *c = &v->ipib.comps[i];
		static char names[2 * IPIB_MAX_COMPONENTS][64];
		char *first = names[2 * i], *last = names[2 * i + 1];

		snprintf(first, sizeof(names[0]), "component %zu (id %u), first page", i, c->id);
		snprintf(last, sizeof(names[0]), "component %zu (id %u), last page", i, c->id);
		REGION(first, c->addr, c->addr + SE_PAGE_SIZE, 13, REFUSE_PLD,
		       "encrypted with AES-XTS; any change alters the page's plaintext digest");
		if (c->size > SE_PAGE_SIZE && nr_regions < ARRAY_SIZE(regions) - 8)
			REGION(last, c->addr + c->size - SE_PAGE_SIZE, c->addr + c->size, 13,
			       REFUSE_PLD,
			       "encrypted with AES-XTS; any change alters the page's plaintext digest");
	}
	REGION("below the metadata", 0, STUB_IMAGE_METADATA_ADDR, 127, ACCEPT,
	       "scratch memory for stage-a at run time; zipl does not even load it");
	REGION("after the metadata, below stage-a",
	       STUB_IMAGE_METADATA_ADDR + STUB_IMAGE_METADATA_SIZE, STUB_STAGE_A_LOAD_ADDR, 61,
	       ACCEPT, "read by nothing");
	REGION("stage-a entry and the Linux parameter area", STUB_STAGE_A_LOAD_ADDR,
	       STUB_STAGE_A_PARAMS_ADDR, 31, ACCEPT,
	       "clear boot code, which the hypervisor may change anyway, and the area loaders "
	       "write; the UV never sees them");
	REGION("stage-a code and padding up to the header", STUB_STAGE_A_CODE_ADDR, v->hdr_addr, 61,
	       ACCEPT, "clear boot code and zeros; the UV never sees them");
	if (hdr_page_end > hdr_end)
		REGION("padding after the SE header", hdr_end, hdr_page_end, 7, ACCEPT,
		       "the hypervisor passes only the IPIB's header length to the UV");
	REGION("padding after the IPIB", ipib_end, image_size, 17, ACCEPT,
	       "beyond the IPIB's length; the hypervisor copies only that much");
#undef REGION
#undef REGION_EVERY_BIT

	for (size_t i = 0; i < nr_regions; i++)
		sweep(&regions[i], v, report);
	truncations(v, report);
	if (report)
		fclose(report);
	close(image_fd);
	EVP_PKEY_free(host_key);
	free(image);
	free(res);
	free(v);
	return done_testing();
}
