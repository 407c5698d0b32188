// SPDX-License-Identifier: MIT
/*
 * The Ultravisor model: images made by segen open with the right key and no
 * other; every single-bit change in the SE header and the IPIB component
 * table, and random changes in component pages, are refused (and never
 * crash); the reference builder's images (older C layout) verify too.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "create/image_create.h"
#include "inspect/image_read.h"
#include "stub-abi.h"
#include "tap.h"
#include "base/util.h"
#include "inspect/uv.h"
#include "vectors.h"

static uint8_t stage_a[STUB_STAGE_A_CODE_ADDR + 0x1000];
static uint8_t stage_b[2 * 4096];

static void make_blobs(void)
{
	put_be64(stage_a, 0x0008000180011000ULL);
	memcpy(stage_a + STUB_STAGE_A_PARAMS_ADDR, STUB_STAGE_A_PARAMS_MAGIC, 8);
	put_be32(stage_a + STUB_STAGE_A_PARAMS_ADDR + 8, STUB_STAGE_A_PARAMS_VERSION);
	memset(stage_b, 0x5a, sizeof(stage_b));
	memset(stage_b + sizeof(stage_b) - STUB_STAGE_B_PARAMS_SIZE, 0, STUB_STAGE_B_PARAMS_SIZE);
	put_be64(stage_b + sizeof(stage_b) - STUB_STAGE_B_PARAMS_SIZE, STUB_STAGE_B_PARAMS_MAGIC);
}

/* A small image for hosts 1 and 2 in a memfd; returns its path under /proc. */
static int make_image(char *path, size_t path_len, uint64_t pcf)
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
		.pcf = pcf,
		.component_check = true,
		.rand = &rand,
		.stage_a = stage_a,
		.stage_a_size = sizeof(stage_a),
		.stage_b = stage_b,
		.stage_b_size = sizeof(stage_b),
		.output_name = "memfd",
	};
	int fd = memfd_create("image", 0), rc;

	rc = hostkey_load_hkd(crt1, &hosts[0], &err);
	rc = rc ?: hostkey_load_hkd(crt2, &hosts[1], &err);
	rc = rc ?: randsrc_init_seed(&rand, "5eed", &err);
	rc = rc ?: image_create(&spec, fd, &sum, &err);
	ok(rc == 0, "image for two hosts builds (%s)", err.msg);
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	hostkey_done(&hosts[0]);
	hostkey_done(&hosts[1]);
	free(kernel);
	free(initrd);
	free(parm);
	free(crt1);
	free(crt2);
	return fd;
}

static EVP_PKEY *host_key(const char *name)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "genprotimg-2.35/keys/%s.pem", name);
	return vec_private_key(rel);
}

/* Verify @path with @key; returns the uv_verify() result, the outcome in @res. */
static int verify_path(const char *path, EVP_PKEY *key, struct uv_result *res)
{
	struct image_view *view = calloc(1, sizeof(*view));
	struct errinfo err = { "" };
	int rc;

	rc = image_open(path, view, &err);
	if (!rc) {
		rc = uv_verify(view, &key, 1, NULL, res, &err);
		image_close(view);
	} else {
		/* Refused before the UV saw it: the hypervisor's IPIB checks. */
		res->rc = 0;
		snprintf(res->msg, sizeof(res->msg), "%s", err.msg);
	}
	free(view);
	return rc;
}

static void flip(int fd, uint64_t off, unsigned int bit)
{
	uint8_t b;

	fd_pread_full(fd, &b, 1, off);
	b ^= (uint8_t)(1u << bit);
	fd_pwrite_full(fd, &b, 1, off);
}

static void test_keys(const char *path, EVP_PKEY *k1, EVP_PKEY *k2, EVP_PKEY *k3)
{
	struct uv_result res;

	ok(verify_path(path, k1, &res) == 0 && res.rc == UV_RC_SUCCESS && res.slot_index == 0,
	   "host 1 opens the image through slot 0 (%s)", res.msg);
	ok(verify_path(path, k2, &res) == 0 && res.slot_index == 1,
	   "host 2 opens the image through slot 1 (%s)", res.msg);
	ok(verify_path(path, k3, &res) == -EBADMSG && res.rc == UV_RC_KEY &&
		   res.rrc == UV_RRC_NO_KEYSLOT,
	   "host 3 has no key slot: rc 0x108 rrc 0x05 (%s)", res.msg);
}

/* Flip each bit of [start, start + len) in turn; count the changes that were accepted. */
static unsigned int flip_range(int fd, const char *path, EVP_PKEY *key, uint64_t start,
			       uint64_t len, unsigned int step)
{
	unsigned int accepted = 0;
	struct uv_result res;

	for (uint64_t off = start; off < start + len; off++) {
		for (unsigned int bit = 0; bit < 8; bit += step) {
			flip(fd, off, bit);
			if (verify_path(path, key, &res) != -EBADMSG) {
				accepted++;
				printf("# accepted: bit %u of byte 0x%llx\n", bit,
				       (unsigned long long)off);
			}
			flip(fd, off, bit);
		}
	}
	return accepted;
}

static void test_flips(int fd, const char *path, EVP_PKEY *key)
{
	struct image_view *view = calloc(1, sizeof(*view));
	struct errinfo err;
	struct uv_result res;
	unsigned int accepted = 0, tries = 0;
	uint64_t table;

	image_open(path, view, &err);
	ok(flip_range(fd, path, key, view->hdr_addr, view->hdr_len, 1) == 0,
	   "every single-bit change in the %zu-byte SE header is refused", view->hdr_len);
	table = view->ipib_addr + IPIB_FIXED_SIZE;
	ok(flip_range(fd, path, key, table, view->ipib.nr_comps * IPIB_COMP_SIZE, 1) == 0,
	   "every single-bit change in the IPIB component table is refused");
	srand(12345);
	for (size_t i = 0; i < view->ipib.nr_comps; i++) {
		const struct layout_component *c = &view->ipib.comps[i];

		for (int n = 0; n < 60; n++, tries++) {
			uint64_t off = c->addr + (uint64_t)rand() % c->size;

			accepted += flip_range(fd, path, key, off, 1, 8);
			(void)res;
		}
	}
	ok(accepted == 0, "%u random bit changes in component pages are refused", tries);
	ok(verify_path(path, key, &res) == 0, "the unchanged image still verifies");
	image_close(view);
	free(view);
}

static void test_uv_codes(int fd, const char *path, EVP_PKEY *key)
{
	struct image_view *view = calloc(1, sizeof(*view));
	struct uv_result res;
	struct errinfo err;
	uint8_t orig[8];

	image_open(path, view, &err);
	/* The last page of the kernel: the PLD must catch it. */
	flip(fd, view->ipib.comps[0].addr + view->ipib.comps[0].size - 1, 0);
	ok(verify_path(path, key, &res) == -EBADMSG && res.rc == 0x102 && res.rrc == 0x1b,
	   "changed page: rc 0x102 rrc 0x1b page list digest mismatch (%s)", res.msg);
	flip(fd, view->ipib.comps[0].addr + view->ipib.comps[0].size - 1, 0);
	/* Swapping two IPIB component addresses: the ALD catches it. */
	fd_pread_full(fd, orig, 8, view->ipib_addr + IPIB_FIXED_SIZE + 8);
	fd_pwrite_full(fd, "\0\0\0\0\0\x02\x90\x00", 8, view->ipib_addr + IPIB_FIXED_SIZE + 8);
	ok(verify_path(path, key, &res) == -EBADMSG, "moved component refused (%s)", res.msg);
	fd_pwrite_full(fd, orig, 8, view->ipib_addr + IPIB_FIXED_SIZE + 8);
	/* Header version. */
	flip(fd, view->hdr_addr + 0x0a, 0);
	ok(verify_path(path, key, &res) == -EBADMSG && res.rc == 0x104,
	   "header version: rc 0x104 (%s)", res.msg);
	flip(fd, view->hdr_addr + 0x0a, 0);
	image_close(view);
	free(view);
}

/* Put a vector file at guest address @addr of the image in @fd. */
static void place_vec_file(int fd, const char *rel, uint64_t addr)
{
	size_t len;
	uint8_t *data = vec_read(rel, &len);

	fd_pwrite_full(fd, data, len, addr);
	free(data);
}

/* The reference builder's cases, reassembled into memory images of the C layout. */
static void test_reference_images(void)
{
	static const struct {
		const char *name;
		const char *hosts[3];
	} cases[] = {
		{ "basic", { "host1" } },
		{ "three-hosts-dump", { "host1", "host2", "host3" } },
		{ "no-decryption", { "host2" } },
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct vec_component comps[VEC_MAX_COMPONENTS];
		char rel[512], path[64], *json;
		size_t len, nr;
		int fd = memfd_create("ref", 0);

		snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/vector.json", cases[c].name);
		json = (char *)vec_read(rel, &len);
		snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/se-header.bin", cases[c].name);
		place_vec_file(fd, rel, json_u64(json, "header_addr"));
		snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/ipib.bin", cases[c].name);
		place_vec_file(fd, rel, json_u64(json, "ipib_addr"));
		nr = vec_parse_components(json, comps);
		for (size_t i = 0; i < nr; i++) {
			snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/%s", cases[c].name,
				 comps[i].stored);
			place_vec_file(fd, rel, comps[i].addr);
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		for (size_t h = 0; h < 3 && cases[c].hosts[h]; h++) {
			EVP_PKEY *key = host_key(cases[c].hosts[h]);
			struct uv_result res;
			int rc = verify_path(path, key, &res);

			ok(rc == 0 && res.rc == UV_RC_SUCCESS,
			   "reference image %s verifies with %s (%s)", cases[c].name,
			   cases[c].hosts[h], res.msg);
			EVP_PKEY_free(key);
		}
		close(fd);
		free(json);
	}
}

int main(void)
{
	EVP_PKEY *k1 = host_key("host1"), *k2 = host_key("host2"), *k3 = host_key("host3");
	char path[64];
	int fd;

	make_blobs();
	fd = make_image(path, sizeof(path), SE_PCF_DEFAULT);
	test_keys(path, k1, k2, k3);
	test_uv_codes(fd, path, k2);
	test_flips(fd, path, k2);
	close(fd);

	fd = make_image(path, sizeof(path), SE_PCF_DEFAULT | SE_PCF_NO_DECRYPTION);
	test_keys(path, k1, k2, k3);
	close(fd);

	test_reference_images();
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k3);
	return done_testing();
}
