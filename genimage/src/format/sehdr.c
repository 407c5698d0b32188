// SPDX-License-Identifier: MIT
#include "format/sehdr.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <string.h>

#include "base/util.h"

/* Offsets of the on-disk header, docs/format.md. */
#define OFF_MAGIC 0x000
#define OFF_VERSION 0x008
#define OFF_SIZE SE_HDR_OFF_SIZE
#define OFF_IV 0x010
#define OFF_NKS 0x020
#define OFF_SEA 0x028
#define OFF_NEP 0x030
#define OFF_PCF 0x038
#define OFF_CUST_PUB 0x040
#define OFF_PLD 0x0e0
#define OFF_ALD 0x120
#define OFF_TLD 0x160
#define OFF_KEYSLOTS 0x1a0

/* Offsets inside the 128-byte encrypted area. */
#define ENC_OFF_CCK 0x00
#define ENC_OFF_XTS_KEY 0x20
#define ENC_OFF_PSW_MASK 0x60
#define ENC_OFF_PSW_ADDR 0x68
#define ENC_OFF_SCF 0x70
#define ENC_OFF_NR_OPT_ITEMS 0x78

_Static_assert(OFF_CUST_PUB + EC_P521_XY_LEN == OFF_PLD, "customer key field");
_Static_assert(OFF_TLD + SE_DIGEST_LEN == OFF_KEYSLOTS, "digest fields");
_Static_assert(ENC_OFF_NR_OPT_ITEMS + 8 == SE_HDR_ENCRYPTED_SIZE, "encrypted area");

static void write_encrypted_area(const struct se_hdr *hdr, uint8_t area[SE_HDR_ENCRYPTED_SIZE])
{
	memset(area, 0, SE_HDR_ENCRYPTED_SIZE);
	memcpy(area + ENC_OFF_CCK, hdr->cck, SE_CCK_LEN);
	memcpy(area + ENC_OFF_XTS_KEY, hdr->xts_key, SE_XTS_KEY_LEN);
	put_be64(area + ENC_OFF_PSW_MASK, hdr->psw_mask);
	put_be64(area + ENC_OFF_PSW_ADDR, hdr->psw_addr);
	put_be64(area + ENC_OFF_SCF, hdr->scf);
	put_be32(area + ENC_OFF_NR_OPT_ITEMS, hdr->nr_optional_items);
}

static void read_encrypted_area(const uint8_t area[SE_HDR_ENCRYPTED_SIZE], struct se_hdr *hdr)
{
	memcpy(hdr->cck, area + ENC_OFF_CCK, SE_CCK_LEN);
	memcpy(hdr->xts_key, area + ENC_OFF_XTS_KEY, SE_XTS_KEY_LEN);
	hdr->psw_mask = get_be64(area + ENC_OFF_PSW_MASK);
	hdr->psw_addr = get_be64(area + ENC_OFF_PSW_ADDR);
	hdr->scf = get_be64(area + ENC_OFF_SCF);
	hdr->nr_optional_items = get_be32(area + ENC_OFF_NR_OPT_ITEMS);
}

int se_hdr_seal(struct se_hdr *hdr, const uint8_t header_key[SE_HEADER_KEY_LEN], uint8_t *buf,
		size_t buf_len)
{
	uint8_t area[SE_HDR_ENCRYPTED_SIZE];
	size_t size, enc_off;
	int rc;

	if (hdr->nr_keyslots < 1 || hdr->nr_keyslots > SE_HDR_MAX_KEYSLOTS)
		return -EINVAL;
	size = se_hdr_size(hdr->nr_keyslots);
	if (buf_len < size)
		return -ENOBUFS;
	enc_off = OFF_KEYSLOTS + hdr->nr_keyslots * KEYSLOT_SIZE;

	memset(buf, 0, size);
	memcpy(buf + OFF_MAGIC, SE_HDR_MAGIC, 8);
	put_be32(buf + OFF_VERSION, hdr->version);
	put_be32(buf + OFF_SIZE, (uint32_t)size);
	memcpy(buf + OFF_IV, hdr->iv, GCM_IV_LEN);
	put_be64(buf + OFF_NKS, hdr->nr_keyslots);
	put_be64(buf + OFF_SEA, SE_HDR_ENCRYPTED_SIZE);
	put_be64(buf + OFF_NEP, hdr->nr_pages);
	put_be64(buf + OFF_PCF, hdr->pcf);
	memcpy(buf + OFF_CUST_PUB, hdr->cust_pub_xy, EC_P521_XY_LEN);
	memcpy(buf + OFF_PLD, hdr->pld, SE_DIGEST_LEN);
	memcpy(buf + OFF_ALD, hdr->ald, SE_DIGEST_LEN);
	memcpy(buf + OFF_TLD, hdr->tld, SE_DIGEST_LEN);
	memcpy(buf + OFF_KEYSLOTS, hdr->keyslots, hdr->nr_keyslots * KEYSLOT_SIZE);

	write_encrypted_area(hdr, area);
	rc = gcm_encrypt(header_key, hdr->iv, buf, enc_off, area, sizeof(area), buf + enc_off,
			 buf + size - GCM_TAG_LEN);
	OPENSSL_cleanse(area, sizeof(area));
	if (rc)
		return rc;
	memcpy(hdr->sealed_area, buf + enc_off, SE_HDR_ENCRYPTED_SIZE);
	memcpy(hdr->tag, buf + size - GCM_TAG_LEN, GCM_TAG_LEN);
	return 0;
}

static int parse_fail(uint16_t rc, uint16_t rrc, uint16_t *ret_rc, uint16_t *ret_rrc)
{
	if (ret_rc)
		*ret_rc = rc;
	if (ret_rrc)
		*ret_rrc = rrc;
	return -EBADMSG;
}

int se_hdr_parse(const uint8_t *buf, size_t len, struct se_hdr *ret_hdr, uint16_t *ret_uv_rc,
		 uint16_t *ret_uv_rrc, struct errinfo *err)
{
	uint64_t nks, sea, size;
	struct se_hdr hdr = { 0 };

	if (len < OFF_KEYSLOTS || memcmp(buf + OFF_MAGIC, SE_HDR_MAGIC, 8) != 0)
		return err_set(err, parse_fail(0, 0, ret_uv_rc, ret_uv_rrc),
			       "no SE header (magic %s not found)", SE_HDR_MAGIC);
	hdr.version = get_be32(buf + OFF_VERSION);
	if (hdr.version != SE_HDR_VERSION)
		return err_set(err, parse_fail(0x104, 0, ret_uv_rc, ret_uv_rrc),
			       "unsupported SE header version 0x%x", hdr.version);
	size = get_be32(buf + OFF_SIZE);
	nks = get_be64(buf + OFF_NKS);
	sea = get_be64(buf + OFF_SEA);
	if (nks == 0)
		return err_set(err, parse_fail(0x10a, 0x40, ret_uv_rc, ret_uv_rrc),
			       "SE header has no key slots");
	if (sea != SE_HDR_ENCRYPTED_SIZE)
		return err_set(err, parse_fail(0x10a, 0x39, ret_uv_rc, ret_uv_rrc),
			       "SE header encrypted area is %llu bytes, expected %u",
			       (unsigned long long)sea, SE_HDR_ENCRYPTED_SIZE);
	/*
	 * The UV reads exactly the length the IPIB gives (QEMU passes
	 * pv_header_len through KVM_PV_SET_SEC_PARMS unchanged); a header whose
	 * own length differs from it is the documented rrc 0x31, longer or shorter.
	 */
	if (nks > SE_HDR_MAX_KEYSLOTS || size != se_hdr_size(nks) || size != len ||
	    size > SE_HDR_MAX_SIZE)
		return err_set(err, parse_fail(0x10a, 0x31, ret_uv_rc, ret_uv_rrc),
			       "SE header length %llu does not fit %llu key slots and the IPIB's "
			       "%zu bytes",
			       (unsigned long long)size, (unsigned long long)nks, len);
	memcpy(hdr.iv, buf + OFF_IV, GCM_IV_LEN);
	hdr.nr_pages = get_be64(buf + OFF_NEP);
	hdr.pcf = get_be64(buf + OFF_PCF);
	memcpy(hdr.cust_pub_xy, buf + OFF_CUST_PUB, EC_P521_XY_LEN);
	memcpy(hdr.pld, buf + OFF_PLD, SE_DIGEST_LEN);
	memcpy(hdr.ald, buf + OFF_ALD, SE_DIGEST_LEN);
	memcpy(hdr.tld, buf + OFF_TLD, SE_DIGEST_LEN);
	hdr.nr_keyslots = (size_t)nks;
	memcpy(hdr.keyslots, buf + OFF_KEYSLOTS, hdr.nr_keyslots * KEYSLOT_SIZE);
	memcpy(hdr.sealed_area, buf + OFF_KEYSLOTS + hdr.nr_keyslots * KEYSLOT_SIZE,
	       SE_HDR_ENCRYPTED_SIZE);
	memcpy(hdr.tag, buf + size - GCM_TAG_LEN, GCM_TAG_LEN);
	*ret_hdr = hdr;
	return 0;
}

int se_hdr_open(const uint8_t *buf, size_t len, const uint8_t header_key[SE_HEADER_KEY_LEN],
		struct se_hdr *hdr)
{
	size_t enc_off = OFF_KEYSLOTS + hdr->nr_keyslots * KEYSLOT_SIZE;
	uint8_t area[SE_HDR_ENCRYPTED_SIZE];
	int rc;

	if (len < se_hdr_size(hdr->nr_keyslots))
		return -EINVAL;
	rc = gcm_decrypt(header_key, hdr->iv, buf, enc_off, buf + enc_off, sizeof(area), area,
			 buf + enc_off + sizeof(area));
	if (rc)
		return rc;
	read_encrypted_area(area, hdr);
	OPENSSL_cleanse(area, sizeof(area));
	return 0;
}

void se_hdr_wipe_secrets(struct se_hdr *hdr)
{
	OPENSSL_cleanse(hdr->cck, sizeof(hdr->cck));
	OPENSSL_cleanse(hdr->xts_key, sizeof(hdr->xts_key));
}
