/* SPDX-License-Identifier: MIT */
/*
 * A model of what the Ultravisor does with an image, for hosts whose private
 * key we hold (test hosts): header checks, key-slot unwrapping, header
 * decryption, decryption of every component page and the digests. Failures
 * carry the UV's return and reason code where one is documented (docs/format.md).
 */
#ifndef SEGEN_UV_H
#define SEGEN_UV_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "inspect/image_read.h"
#include "format/sehdr.h"

#define UV_RC_SUCCESS 0x0001
#define UV_RC_DIGEST 0x0102
#define UV_RRC_ALD 0x1a
#define UV_RRC_PLD 0x1b
#define UV_RRC_TLD 0x1c
#define UV_RRC_NR_PAGES 0x1d
#define UV_RC_HDR_VERSION 0x0104
#define UV_RC_PCF 0x0106
#define UV_RC_KEY 0x0108
#define UV_RRC_NO_KEYSLOT 0x05
#define UV_RRC_CUST_KEY 0x0b
#define UV_RC_SCF 0x0109

/* The UV command that refuses, as the hypervisor reports it (docs/format.md section 6). */
#define UV_CMD_SET_PARAMS 2
#define UV_CMD_UNPACK 3
#define UV_CMD_VERIFY 4

/* Supported control flags: everything else is refused as the UV does. */
#define UV_PCF_KNOWN                                                                           \
	(SE_PCF_ALLOW_DUMP | SE_PCF_NO_DECRYPTION | SE_PCF_PCKMO_DEA_TDEA | SE_PCF_PCKMO_AES | \
	 SE_PCF_PCKMO_ECC | SE_PCF_PCKMO_HMAC | SE_PCF_BACKUP_KEYS)
#define UV_SCF_KNOWN (SE_SCF_CCK_EXTENSION_SECRET | SE_SCF_CCK_UPDATE)

struct uv_result {
	uint16_t cmd; /* with a refusal: the UV_CMD_* that refused */
	uint16_t rc;  /* UV_RC_SUCCESS, a documented code, or 0 when none is documented */
	uint16_t rrc;
	char msg[ERRINFO_MAX]; /* one sentence on the outcome */
	size_t key_index;      /* which of the given keys opened the image */
	size_t slot_index;     /* and through which key slot */
	struct se_hdr hdr;     /* the opened header; secrets wiped before return */
	size_t stage_b_index;  /* IPIB index of the component the PSW points into */
};

/* Where unpack puts each component's plaintext: @offsets[i] in @fd. */
struct uv_unpack_target {
	int fd;
	const uint64_t *offsets;
	const char *name;
};

/*
 * Do the UV's work on @view with the host private keys @keys. Returns 0 when
 * the image would start; -EBADMSG when the UV would refuse it (@res says how);
 * other errors (I/O) in @err. With @target, the plaintext goes there.
 */
int uv_verify(const struct image_view *view, EVP_PKEY *const *keys, size_t nr_keys,
	      const struct uv_unpack_target *target, struct uv_result *res, struct errinfo *err);

/*
 * The same on guest memory, for a hypervisor that plays the UV (QEMU's
 * pv-sim, docs/pv-sim.md): @ipib_buf is the IPIB the guest set with DIAGNOSE
 * 308 subcode 8, the header and components are read from @ram (guest
 * addresses from 0, @ram_size bytes) and decrypted in place. On a refusal
 * after decryption began, every component is wiped, as a destroyed secure
 * configuration leaves nothing readable. @res->hdr keeps the start PSW.
 */
int uv_unpack_guest(uint8_t *ram, uint64_t ram_size, const uint8_t *ipib_buf, size_t ipib_len,
		    EVP_PKEY *key, struct uv_result *res, struct errinfo *err);

/* Put a refusal into @err as the UV would say it: "IMAGE: rc 0x102 rrc 0x1b: ...". */
int uv_refusal_to_err(const struct uv_result *res, const char *image, struct errinfo *err);

#endif /* SEGEN_UV_H */
