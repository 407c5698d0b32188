// SPDX-License-Identifier: MIT
/*
 * The UV model on guest memory (inspect/uv_sim.h, what QEMU's pv-sim links):
 * an image loaded at address 0 is decrypted in place to exactly what
 * uv_verify() unpacks; the wrong key, a changed page, an IPIB the hypervisor
 * would not pass on and components beyond guest memory are refused with the
 * UV command, rc and rrc, and a refusal after decryption leaves no plaintext.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/util.h"
#include "create/image_create.h"
#include "format/layout.h"
#include "inspect/image_read.h"
#include "inspect/uv.h"
#include "inspect/uv_sim.h"
#include "stub-abi.h"
#include "tap.h"
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

/* A small image for host 1 in a memfd. */
static int make_image(char *path, size_t path_len)
{
	struct hostkey host;
	struct randsrc rand;
	struct image_summary sum;
	struct errinfo err = { "" };
	char *kernel = vec_path("genprotimg-2.35/inputs/kernel.bin");
	char *initrd = vec_path("genprotimg-2.35/inputs/initrd.bin");
	char *parm = vec_path("genprotimg-2.35/inputs/parmfile");
	char *crt = vec_path("genprotimg-2.35/keys/host1.crt");
	struct image_spec spec = {
		.kernel_path = kernel,
		.ramdisk_path = initrd,
		.parmfile_path = parm,
		.hosts = &host,
		.nr_hosts = 1,
		.pcf = SE_PCF_DEFAULT,
		.component_check = true,
		.rand = &rand,
		.stage_a = stage_a,
		.stage_a_size = sizeof(stage_a),
		.stage_b = stage_b,
		.stage_b_size = sizeof(stage_b),
		.output_name = "memfd",
	};
	int fd = memfd_create("image", 0), rc;

	rc = hostkey_load_hkd(crt, &host, &err);
	rc = rc ?: randsrc_init_seed(&rand, "5eed", &err);
	rc = rc ?: image_create(&spec, fd, &sum, &err);
	ok(rc == 0, "image for host 1 builds (%s)", err.msg);
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	hostkey_done(&host);
	free(kernel);
	free(initrd);
	free(parm);
	free(crt);
	return fd;
}

struct guest {
	uint8_t *ram;
	uint64_t ram_size;
	struct image_view view; /* where header, IPIB and components are */
};

/* Load the image at address 0 of @ram_size bytes of guest memory, as QEMU's -kernel does. */
static void load_guest(const char *path, int fd, uint64_t ram_size, struct guest *g)
{
	struct errinfo err = { "" };
	uint64_t size;

	ok(image_open(path, &g->view, &err) == 0, "the image opens (%s)", err.msg);
	size = g->view.size;
	image_close(&g->view);
	g->ram_size = ram_size;
	g->ram = calloc(1, ram_size);
	fd_pread_full(fd, g->ram, MIN(size, ram_size), 0);
}

static int unpack(struct guest *g, const char *key, struct segen_uv_sim_outcome *out)
{
	char *key_path = vec_path(key);
	const uint8_t *ipib = g->ram + g->view.ipib_addr;
	int rc;

	rc = segen_uv_sim_unpack(key_path, g->ram, g->ram_size, ipib, get_be32(ipib), out);
	free(key_path);
	return rc;
}

/* What uv_verify() unpacks: the plaintext of every component at its address. */
static uint8_t *reference_plaintext(const char *path, uint64_t ram_size)
{
	struct image_view *v = calloc(1, sizeof(*v));
	EVP_PKEY *key = vec_private_key("genprotimg-2.35/keys/host1.pem");
	uint64_t offsets[IPIB_MAX_COMPONENTS];
	struct uv_result res;
	struct errinfo err = { "" };
	uint8_t *buf = calloc(1, ram_size);
	int out = memfd_create("plain", 0);
	struct uv_unpack_target target = { .fd = out, .offsets = offsets, .name = "memfd" };

	image_open(path, v, &err);
	for (size_t i = 0; i < v->ipib.nr_comps; i++)
		offsets[i] = v->ipib.comps[i].addr;
	ok(uv_verify(v, &key, 1, &target, &res, &err) == 0, "uv_verify unpacks it (%s)", res.msg);
	fd_pread_full(out, buf, ram_size, 0);
	image_close(v);
	free(v);
	close(out);
	EVP_PKEY_free(key);
	return buf;
}

static bool components_equal(const struct guest *g, const uint8_t *expected)
{
	for (size_t i = 0; i < g->view.ipib.nr_comps; i++) {
		const struct layout_component *c = &g->view.ipib.comps[i];

		if (memcmp(g->ram + c->addr, expected + c->addr, c->size))
			return false;
	}
	return true;
}

static bool components_zero(const struct guest *g)
{
	for (size_t i = 0; i < g->view.ipib.nr_comps; i++) {
		const struct layout_component *c = &g->view.ipib.comps[i];

		for (uint64_t b = 0; b < c->size; b++)
			if (g->ram[c->addr + b])
				return false;
	}
	return true;
}

int main(void)
{
	const uint64_t ram_size = 32u << 20;
	struct segen_uv_sim_outcome out;
	struct guest g, before;
	uint8_t *plain;
	char path[64], msg[SEGEN_UV_SIM_MSG_MAX];
	const struct layout_component *last;
	char *key_path;
	int fd, rc;

	make_blobs();
	fd = make_image(path, sizeof(path));
	plain = reference_plaintext(path, ram_size);

	load_guest(path, fd, ram_size, &g);
	rc = unpack(&g, "genprotimg-2.35/keys/host1.pem", &out);
	ok(rc == 0, "host 1's key starts the guest (%s)", out.msg);
	ok(components_equal(&g, plain), "every component is decrypted in place to what uv_verify "
					"unpacks");
	{
		size_t len;
		uint8_t *initrd = vec_read("genprotimg-2.35/inputs/initrd.bin", &len);

		ok(g.view.ipib.comps[1].id == SE_COMP_ID_RAMDISK &&
			   !memcmp(g.ram + g.view.ipib.comps[1].addr, initrd, len),
		   "the ramdisk component is the initrd file, byte for byte");
		free(initrd);
	}
	last = &g.view.ipib.comps[g.view.ipib.nr_comps - 1];
	ok(out.psw_mask == SE_PSW_MASK_64BIT && out.psw_addr >= last->addr &&
		   out.psw_addr < last->addr + last->size,
	   "the start PSW is the header's, 64-bit, in stage-b (0x%llx)",
	   (unsigned long long)out.psw_addr);
	free(g.ram);

	load_guest(path, fd, ram_size, &g);
	load_guest(path, fd, ram_size, &before);
	rc = unpack(&g, "genprotimg-2.35/keys/host3.pem", &out);
	ok(rc == -EBADMSG && out.cmd == UV_CMD_SET_PARAMS && out.rc == UV_RC_KEY &&
		   out.rrc == UV_RRC_NO_KEYSLOT,
	   "host 3's key: set parameters refuses with rc 0x108 rrc 0x05 (%s)", out.msg);
	ok(!memcmp(g.ram, before.ram, ram_size), "nothing in guest memory changed");
	free(g.ram);

	load_guest(path, fd, ram_size, &g);
	g.ram[g.view.ipib.comps[0].addr + 100] ^= 0x10;
	rc = unpack(&g, "genprotimg-2.35/keys/host1.pem", &out);
	ok(rc == -EBADMSG && out.cmd == UV_CMD_VERIFY && out.rc == UV_RC_DIGEST &&
		   out.rrc == UV_RRC_PLD,
	   "a changed page: verify refuses with rc 0x102 rrc 0x1b (%s)", out.msg);
	ok(components_zero(&g), "after that refusal every component is wiped");
	ok(!memcmp(g.ram, before.ram, g.view.ipib.comps[0].addr),
	   "below the components nothing changed");
	free(g.ram);

	load_guest(path, fd, ram_size, &g);
	put_be32(g.ram + g.view.ipib_addr + IPIB_OFF_NR_COMPS, 0);
	rc = unpack(&g, "genprotimg-2.35/keys/host1.pem", &out);
	ok(rc == -EBADMSG && out.cmd == UV_CMD_SET_PARAMS && !out.rc,
	   "an IPIB without components is refused (%s)", out.msg);
	free(g.ram);

	/* Guest memory ends inside the last component. */
	load_guest(path, fd, ram_size, &g);
	rc = segen_uv_sim_unpack("/nonexistent", g.ram, g.ram_size, g.ram + g.view.ipib_addr,
				 get_be32(g.ram + g.view.ipib_addr), &out);
	ok(rc < 0 && rc != -EBADMSG && strstr(out.msg, "/nonexistent"),
	   "a key file that is not there is an error, not a refusal (%s)", out.msg);
	key_path = vec_path("genprotimg-2.35/keys/host1.pem");
	rc = segen_uv_sim_unpack(key_path, g.ram, last->addr + 4096, g.ram + g.view.ipib_addr,
				 get_be32(g.ram + g.view.ipib_addr), &out);
	ok(rc == -EBADMSG && out.cmd == UV_CMD_UNPACK && strstr(out.msg, "outside guest memory"),
	   "a component beyond guest memory is refused (%s)", out.msg);
	ok(!memcmp(g.ram, before.ram, ram_size), "and nothing was decrypted");

	ok(segen_uv_sim_check_key(key_path, msg, sizeof(msg)) == 0, "the test key loads");
	ok(segen_uv_sim_check_key("/nonexistent", msg, sizeof(msg)) < 0 &&
		   strstr(msg, "/nonexistent"),
	   "a missing key is named (%s)", msg);
	ok(segen_uv_sim_supported_pcf() == UV_PCF_KNOWN,
	   "the query reports the control flags the model accepts");
	free(key_path);
	free(g.ram);
	free(before.ram);
	free(plain);
	close(fd);
	return done_testing();
}
