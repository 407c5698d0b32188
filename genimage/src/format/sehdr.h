/* SPDX-License-Identifier: MIT */
/*
 * The SE header (docs/format.md): its in-memory model, sealing into the on-disk
 * form and the reverse (parsing the plaintext part, opening the encrypted
 * part). This module owns the layout; nothing else computes header offsets.
 */
#ifndef SEGEN_SEHDR_H
#define SEGEN_SEHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "base/err.h"
#include "pki/hostkey.h"
#include "crypto/keyslot.h"

#define SE_HDR_MAGIC "IBMSecEx"
#define SE_HDR_OFF_SIZE 0x00cu /* big-endian u32: the header's own length */
#define SE_HDR_VERSION 0x00000100u
#define SE_HDR_FIXED_SIZE 0x1a0u /* up to the first key slot */
#define SE_HDR_ENCRYPTED_SIZE 128u
#define SE_HDR_MAX_KEYSLOTS 95u
#define SE_HDR_MAX_SIZE 8192u
#define SE_DIGEST_LEN 64 /* SHA-512 */
#define SE_CCK_LEN 32
#define SE_XTS_KEY_LEN 64
#define SE_PSW_MASK_64BIT 0x0000000180000000ULL

/* Plaintext control flags (PCF). */
#define SE_PCF_ALLOW_DUMP 0x20000000ULL
#define SE_PCF_NO_DECRYPTION 0x10000000ULL
#define SE_PCF_PCKMO_DEA_TDEA 0x80ULL
#define SE_PCF_PCKMO_AES 0x40ULL
#define SE_PCF_PCKMO_ECC 0x20ULL
#define SE_PCF_PCKMO_HMAC 0x10ULL
#define SE_PCF_BACKUP_KEYS 0x2ULL
#define SE_PCF_DEFAULT (SE_PCF_PCKMO_DEA_TDEA | SE_PCF_PCKMO_AES | SE_PCF_PCKMO_ECC)
/* Secret control flags (SCF). */
#define SE_SCF_CCK_EXTENSION_SECRET 0x4000000000000000ULL
#define SE_SCF_CCK_UPDATE 0x2000000000000000ULL

/* Header size for @nr_keyslots slots: 560 + 80 n. */
static inline size_t se_hdr_size(size_t nr_keyslots)
{
	return SE_HDR_FIXED_SIZE + nr_keyslots * KEYSLOT_SIZE + SE_HDR_ENCRYPTED_SIZE + GCM_TAG_LEN;
}

struct se_hdr {
	/* plaintext, authenticated */
	uint32_t version;
	uint8_t iv[GCM_IV_LEN];
	uint64_t nr_pages; /* NEP: encrypted pages of all components */
	uint64_t pcf;
	uint8_t cust_pub_xy[EC_P521_XY_LEN];
	uint8_t pld[SE_DIGEST_LEN];
	uint8_t ald[SE_DIGEST_LEN];
	uint8_t tld[SE_DIGEST_LEN];
	size_t nr_keyslots;
	uint8_t keyslots[SE_HDR_MAX_KEYSLOTS][KEYSLOT_SIZE];
	/* encrypted area; secret: wipe with se_hdr_wipe_secrets() */
	uint8_t cck[SE_CCK_LEN];
	uint8_t xts_key[SE_XTS_KEY_LEN];
	uint64_t psw_mask;
	uint64_t psw_addr;
	uint64_t scf;
	uint32_t nr_optional_items;
	/* the sealed form of the encrypted area and its tag, filled by seal and parse */
	uint8_t sealed_area[SE_HDR_ENCRYPTED_SIZE];
	uint8_t tag[GCM_TAG_LEN];
};

/*
 * Serialise @hdr and seal it with @header_key into @buf (se_hdr_size() bytes).
 * The tag is stored in @hdr->tag too.
 */
int se_hdr_seal(struct se_hdr *hdr, const uint8_t header_key[SE_HEADER_KEY_LEN], uint8_t *buf,
		size_t buf_len);

/*
 * Read the plaintext part of an on-disk header (no key needed), with the
 * checks the Ultravisor does before it looks for a key slot. On failure, @err
 * says what is wrong and @ret_uv_rc/@ret_uv_rrc (when not NULL) get the UV's
 * return and reason code for it (0 where no documented code exists).
 */
int se_hdr_parse(const uint8_t *buf, size_t len, struct se_hdr *ret_hdr, uint16_t *ret_uv_rc,
		 uint16_t *ret_uv_rrc, struct errinfo *err);

/* Decrypt the encrypted area of @buf with @header_key into @hdr; -EBADMSG on a bad tag. */
int se_hdr_open(const uint8_t *buf, size_t len, const uint8_t header_key[SE_HEADER_KEY_LEN],
		struct se_hdr *hdr);

/* Wipe the secret fields (CCK, XTS key) of @hdr. */
void se_hdr_wipe_secrets(struct se_hdr *hdr);

#endif /* SEGEN_SEHDR_H */
