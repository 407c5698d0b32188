// SPDX-License-Identifier: MIT
#include "inspect/uv.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crypto/comp.h"
#include "pki/hostkey.h"
#include "crypto/keyslot.h"
#include "format/layout.h"
#include "base/ssl_util.h"
#include "base/util.h"

/*
 * What the model works on: the header, the IPIB and where the components'
 * stored bytes are, either in an image file at their addresses or in guest
 * memory, where they are decrypted in place as the UV does.
 */
struct uv_input {
	const char *name;
	const uint8_t *hdr_buf;
	size_t hdr_len;
	const struct ipib_info *ipib;
	bool legacy;
	int fd;	      /* the image file, or -1 with ram */
	uint8_t *ram; /* guest memory from address 0 */
	uint64_t ram_size;
};

__attribute__((format(printf, 4, 5))) static int refuse(struct uv_result *res, uint16_t rc,
							uint16_t rrc, const char *fmt, ...)
{
	va_list ap;

	res->rc = rc;
	res->rrc = rrc;
	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* Find a given key whose public half has a key slot; unwrap the header key. */
static int open_keyslot(EVP_PKEY *const *keys, size_t nr_keys, struct uv_result *res,
			uint8_t header_key[SE_HEADER_KEY_LEN])
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *cust = NULL;
	const struct se_hdr *hdr = &res->hdr;
	uint8_t kek[KEYSLOT_KEK_LEN];

	for (size_t k = 0; k < nr_keys; k++) {
		struct hostkey host;
		int rc;

		if (hostkey_from_pkey(keys[k], "host key", &host, NULL))
			continue;
		for (size_t s = 0; s < hdr->nr_keyslots; s++) {
			if (memcmp(hdr->keyslots[s], host.hash, HOSTKEY_HASH_LEN))
				continue;
			if (!cust && ec_p521_pubkey_from_xy(hdr->cust_pub_xy, &cust)) {
				hostkey_done(&host);
				return refuse(res, UV_RC_KEY, UV_RRC_CUST_KEY,
					      "the customer public key is not a valid P-521 point");
			}
			rc = keyslot_derive_kek(keys[k], cust, kek);
			rc = rc ?: keyslot_unwrap(kek, hdr->keyslots[s], header_key);
			OPENSSL_cleanse(kek, sizeof(kek));
			hostkey_done(&host);
			if (rc)
				return refuse(res, 0, 0,
					      "key slot %zu does not unwrap with this host key "
					      "(damaged slot or customer key)",
					      s);
			res->key_index = k;
			res->slot_index = s;
			return 0;
		}
		hostkey_done(&host);
	}
	return refuse(res, UV_RC_KEY, UV_RRC_NO_KEYSLOT,
		      "no key slot for this host: the image was not made for %s",
		      nr_keys == 1 ? "this key" : "any of these keys");
}

/*
 * The component the start PSW must point into: the one whose tweak prefix
 * carries stage-b's id (3 in the older C layout, whose ids count kernel,
 * command line, ramdisk, stage-b whether or not each is there), else the last.
 */
static size_t stage_b_index(const struct uv_input *in)
{
	const uint16_t id = in->legacy ? SE_LEGACY_COMP_ID_STAGE_B : SE_COMP_ID_STAGE_B;

	for (size_t i = 0; i < in->ipib->nr_comps; i++)
		if (in->ipib->comps[i].id == id)
			return i;
	return in->ipib->nr_comps - 1;
}

static int check_psw(const struct uv_input *in, struct uv_result *res)
{
	const struct layout_component *c;

	res->stage_b_index = stage_b_index(in);
	c = &in->ipib->comps[res->stage_b_index];
	if (res->hdr.psw_mask != SE_PSW_MASK_64BIT)
		return refuse(res, 0, 0, "start PSW mask 0x%016llx is not 64-bit mode, DAT off",
			      (unsigned long long)res->hdr.psw_mask);
	if (res->hdr.psw_addr < c->addr || res->hdr.psw_addr >= c->addr + c->size)
		return refuse(res, 0, 0,
			      "start PSW address 0x%llx is outside the stage-b component "
			      "(0x%llx..0x%llx)",
			      (unsigned long long)res->hdr.psw_addr, (unsigned long long)c->addr,
			      (unsigned long long)(c->addr + c->size));
	return 0;
}

/* Decrypt (or read) every page as the UV does and recompute the digests. */
static int check_pages(const struct uv_input *in, const struct uv_unpack_target *target,
		       struct uv_result *res, struct errinfo *err)
{
	const bool plain = res->hdr.pcf & SE_PCF_NO_DECRYPTION;
	uint8_t pld[SE_DIGEST_LEN], ald[SE_DIGEST_LEN], tld[SE_DIGEST_LEN];
	struct comp_pipeline *pipe = NULL;
	uint64_t nr_pages = 0;
	int rc;

	rc = comp_pipeline_new(&pipe);
	if (rc)
		return err_set(err, rc, "cannot start the decryption pipeline");
	for (size_t i = 0; i < in->ipib->nr_comps && !rc; i++) {
		const struct layout_component *c = &in->ipib->comps[i];
		char name[64];
		struct comp_spec spec = {
			.addr = c->addr,
			.tweak_prefix = c->tweak_prefix,
			.transform = plain ? COMP_VERIFY_PLAIN : COMP_DECRYPT,
			.xts_key = res->hdr.xts_key,
		};
		struct comp_source src = { .fd = in->fd, .offset = c->addr, .size = c->size };
		struct comp_sink sink = { .fd = -1 };

		snprintf(name, sizeof(name), "%s: component %zu", in->name, i);
		src.name = name;
		if (in->ram) {
			src.buf = in->ram + c->addr;
			sink.buf = in->ram + c->addr;
			sink.name = name;
		} else if (target) {
			sink.fd = target->fd;
			sink.offset = target->offsets[i];
			sink.name = target->name;
		}
		rc = comp_pipeline_run(pipe, &spec, &src, &sink, err);
		if (rc == -EINVAL)
			rc = refuse(res, 0, 0, "components overlap or are out of address order");
	}
	if (!rc)
		rc = comp_pipeline_finish(pipe, pld, ald, tld, &nr_pages, err);
	comp_pipeline_free(pipe);
	if (rc)
		return rc;
	res->cmd = UV_CMD_VERIFY;
	if (memcmp(ald, res->hdr.ald, SE_DIGEST_LEN))
		return refuse(res, UV_RC_DIGEST, UV_RRC_ALD, "address list digest mismatch");
	if (memcmp(pld, res->hdr.pld, SE_DIGEST_LEN))
		return refuse(res, UV_RC_DIGEST, UV_RRC_PLD, "page list digest mismatch");
	if (memcmp(tld, res->hdr.tld, SE_DIGEST_LEN))
		return refuse(res, UV_RC_DIGEST, UV_RRC_TLD, "tweak list digest mismatch");
	if (nr_pages != res->hdr.nr_pages)
		return refuse(res, UV_RC_DIGEST, UV_RRC_NR_PAGES,
			      "the image has %llu encrypted pages, the header says %llu",
			      (unsigned long long)nr_pages, (unsigned long long)res->hdr.nr_pages);
	return 0;
}

static int uv_run(const struct uv_input *in, EVP_PKEY *const *keys, size_t nr_keys,
		  const struct uv_unpack_target *target, struct uv_result *res, struct errinfo *err)
{
	uint8_t header_key[SE_HEADER_KEY_LEN];
	struct errinfo parse_err;
	int rc;

	res->cmd = UV_CMD_SET_PARAMS;
	rc = se_hdr_parse(in->hdr_buf, in->hdr_len, &res->hdr, &res->rc, &res->rrc, &parse_err);
	if (rc) {
		snprintf(res->msg, sizeof(res->msg), "%s", parse_err.msg);
		return -EBADMSG;
	}
	if (res->hdr.pcf & ~UV_PCF_KNOWN)
		return refuse(res, UV_RC_PCF, 0, "unsupported plaintext control flags 0x%llx",
			      (unsigned long long)(res->hdr.pcf & ~UV_PCF_KNOWN));
	rc = open_keyslot(keys, nr_keys, res, header_key);
	if (rc)
		return rc;
	rc = se_hdr_open(in->hdr_buf, in->hdr_len, header_key, &res->hdr);
	OPENSSL_cleanse(header_key, sizeof(header_key));
	if (rc == -EBADMSG)
		return refuse(res, 0, 0, "SE header authentication failed (GCM tag mismatch)");
	if (rc)
		return err_set_ssl(err, rc, "%s: cannot decrypt the SE header", in->name);
	if (res->hdr.scf & ~UV_SCF_KNOWN)
		return refuse(res, UV_RC_SCF, 0, "unsupported secret control flags 0x%llx",
			      (unsigned long long)(res->hdr.scf & ~UV_SCF_KNOWN));
	if (res->hdr.nr_optional_items)
		return refuse(res, 0, 0, "the header lists %u optional items; none are supported",
			      res->hdr.nr_optional_items);
	rc = check_psw(in, res);
	if (!rc)
		res->cmd = UV_CMD_UNPACK;
	rc = rc ?: check_pages(in, target, res, err);
	if (rc)
		return rc;
	res->rc = UV_RC_SUCCESS;
	res->cmd = 0;
	snprintf(res->msg, sizeof(res->msg), "the image would start");
	return 0;
}

int uv_verify(const struct image_view *v, EVP_PKEY *const *keys, size_t nr_keys,
	      const struct uv_unpack_target *target, struct uv_result *res, struct errinfo *err)
{
	const struct uv_input in = {
		.name = v->path,
		.hdr_buf = v->hdr_buf,
		.hdr_len = v->hdr_len,
		.ipib = &v->ipib,
		.legacy = v->legacy,
		.fd = v->fd,
	};
	int rc;

	memset(res, 0, sizeof(*res));
	rc = uv_run(&in, keys, nr_keys, target, res, err);
	se_hdr_wipe_secrets(&res->hdr);
	return rc;
}

/* The components lie inside guest memory: anything else the UV cannot unpack. */
static int check_in_ram(const struct ipib_info *ipib, uint64_t ram_size, struct uv_result *res)
{
	for (size_t i = 0; i < ipib->nr_comps; i++) {
		const struct layout_component *c = &ipib->comps[i];

		if (c->addr > ram_size || c->size > ram_size - c->addr)
			return refuse(res, 0, 0,
				      "component %zu (0x%llx..0x%llx) is outside guest memory "
				      "(0x%llx bytes)",
				      i, (unsigned long long)c->addr,
				      (unsigned long long)(c->addr + c->size),
				      (unsigned long long)ram_size);
	}
	return 0;
}

int uv_unpack_guest(uint8_t *ram, uint64_t ram_size, const uint8_t *ipib_buf, size_t ipib_len,
		    EVP_PKEY *key, struct uv_result *res, struct errinfo *err)
{
	struct ipib_info ipib;
	struct errinfo ipib_err;
	struct uv_input in = {
		.name = "guest memory",
		.ipib = &ipib,
		.fd = -1,
		.ram = ram,
		.ram_size = ram_size,
	};
	int rc;

	memset(res, 0, sizeof(*res));
	res->cmd = UV_CMD_SET_PARAMS;
	if (layout_parse_ipib(ipib_buf, ipib_len, ram_size, false, &ipib, &ipib_err)) {
		snprintf(res->msg, sizeof(res->msg), "%s", ipib_err.msg);
		return -EBADMSG;
	}
	if (ipib.hdr_size > SE_HDR_MAX_SIZE || ipib.hdr_addr > ram_size ||
	    ipib.hdr_size > ram_size - ipib.hdr_addr)
		return refuse(res, 0, 0,
			      "the SE header (0x%llx bytes at 0x%llx) is not in guest memory",
			      (unsigned long long)ipib.hdr_size, (unsigned long long)ipib.hdr_addr);
	in.hdr_buf = ram + ipib.hdr_addr;
	in.hdr_len = (size_t)ipib.hdr_size;
	rc = check_in_ram(&ipib, ram_size, res);
	if (rc) {
		res->cmd = UV_CMD_UNPACK;
		return rc;
	}
	rc = uv_run(&in, &key, 1, NULL, res, err);
	se_hdr_wipe_secrets(&res->hdr);
	/* A secure configuration that does not start is destroyed: no plaintext is left. */
	if (rc && res->cmd != UV_CMD_SET_PARAMS)
		for (size_t i = 0; i < ipib.nr_comps; i++)
			OPENSSL_cleanse(ram + ipib.comps[i].addr, (size_t)ipib.comps[i].size);
	return rc;
}

int uv_refusal_to_err(const struct uv_result *res, const char *image, struct errinfo *err)
{
	if (res->rc)
		return err_set(err, -EBADMSG, "%s: rc 0x%x rrc 0x%x: %s", image, res->rc, res->rrc,
			       res->msg);
	return err_set(err, -EBADMSG, "%s: refused: %s", image, res->msg);
}
