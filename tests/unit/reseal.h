/* SPDX-License-Identifier: MIT */
/*
 * The re-seal fixture: open the SE header of an image whose host private key
 * the test holds, change a field of the plaintext part or of the encrypted
 * part, and seal it again with the header key, so the GCM tag is valid and
 * the check behind the tag is the one that has to refuse the change. A plain
 * byte flip in the header only ever reaches the tag check.
 *
 * Only the project's own APIs are used (format/sehdr, crypto/keyslot,
 * crypto/aead, inspect/image_read), so the fixture writes exactly what segen
 * would write for a header with that content.
 */
#ifndef TEST_RESEAL_H
#define TEST_RESEAL_H

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/ssl_util.h"
#include "crypto/aead.h"
#include "crypto/keyslot.h"
#include "format/sehdr.h"
#include "inspect/image_read.h"
#include "pki/hostkey.h"

struct reseal {
	int fd;
	uint64_t hdr_addr;
	size_t hdr_len; /* from the IPIB */
	uint64_t ipib_addr;
	struct ipib_info ipib;
	uint8_t header_key[SE_HEADER_KEY_LEN];
	struct se_hdr hdr; /* opened: secrets included */
};

/* Find @host's key slot in @hdr and unwrap the header key with it. */
static inline int reseal_header_key(const struct se_hdr *hdr, EVP_PKEY *host,
				    uint8_t ret_key[SE_HEADER_KEY_LEN])
{
	EVP_PKEY *cust = NULL;
	struct hostkey hk;
	uint8_t kek[KEYSLOT_KEK_LEN];
	int rc = -ENOKEY;

	if (hostkey_from_pkey(host, "host key", &hk, NULL))
		return -EINVAL;
	if (ec_p521_pubkey_from_xy(hdr->cust_pub_xy, &cust)) {
		hostkey_done(&hk);
		return -EINVAL;
	}
	for (size_t s = 0; s < hdr->nr_keyslots && rc == -ENOKEY; s++) {
		if (memcmp(hdr->keyslots[s], hk.hash, HOSTKEY_HASH_LEN))
			continue;
		rc = keyslot_derive_kek(host, cust, kek);
		rc = rc ?: keyslot_unwrap(kek, hdr->keyslots[s], ret_key);
		OPENSSL_cleanse(kek, sizeof(kek));
	}
	EVP_PKEY_free(cust);
	hostkey_done(&hk);
	return rc;
}

/* Open the header of the image in @fd (named @path) with @host's private key. */
static inline int reseal_open(struct reseal *r, int fd, const char *path, EVP_PKEY *host)
{
	struct image_view *v = calloc(1, sizeof(*v));
	struct errinfo err;
	int rc;

	if (!v)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	rc = image_open(path, v, &err);
	if (!rc) {
		r->hdr_addr = v->hdr_addr;
		r->hdr_len = v->hdr_len;
		r->ipib_addr = v->ipib_addr;
		r->ipib = v->ipib;
		rc = se_hdr_parse(v->hdr_buf, v->hdr_len, &r->hdr, NULL, NULL, &err);
		rc = rc ?: reseal_header_key(&r->hdr, host, r->header_key);
		rc = rc ?: se_hdr_open(v->hdr_buf, v->hdr_len, r->header_key, &r->hdr);
		image_close(v);
	}
	free(v);
	return rc;
}

/* Seal r->hdr (changed by the caller) with the header key and write it into the image. */
static inline int reseal_write(struct reseal *r)
{
	uint8_t buf[SE_HDR_MAX_SIZE];
	int rc;

	rc = se_hdr_seal(&r->hdr, r->header_key, buf, sizeof(buf));
	rc = rc ?: fd_pwrite_full(r->fd, buf, se_hdr_size(r->hdr.nr_keyslots), r->hdr_addr);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/*
 * Seal r->hdr, then overwrite @len bytes at header offset @off (a field the
 * model cannot express, such as the size or the key-slot count) and compute
 * the tag again over the changed plaintext part. The encrypted area stays
 * where r->hdr's key-slot count puts it.
 */
static inline int reseal_write_raw(struct reseal *r, size_t off, const void *bytes, size_t len)
{
	const size_t size = se_hdr_size(r->hdr.nr_keyslots);
	const size_t enc_off = size - SE_HDR_ENCRYPTED_SIZE - GCM_TAG_LEN;
	uint8_t buf[SE_HDR_MAX_SIZE], area[SE_HDR_ENCRYPTED_SIZE];
	int rc;

	if (off + len > enc_off)
		return -EINVAL;
	rc = se_hdr_seal(&r->hdr, r->header_key, buf, sizeof(buf));
	rc = rc	   ?:
		     gcm_decrypt(r->header_key, r->hdr.iv, buf, enc_off, buf + enc_off,
				 sizeof(area), area, buf + enc_off + sizeof(area));
	if (!rc) {
		memcpy(buf + off, bytes, len);
		rc = gcm_encrypt(r->header_key, r->hdr.iv, buf, enc_off, area, sizeof(area),
				 buf + enc_off, buf + enc_off + sizeof(area));
	}
	rc = rc ?: fd_pwrite_full(r->fd, buf, size, r->hdr_addr);
	OPENSSL_cleanse(area, sizeof(area));
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

static inline void reseal_done(struct reseal *r)
{
	se_hdr_wipe_secrets(&r->hdr);
	OPENSSL_cleanse(r->header_key, sizeof(r->header_key));
}

/* A copy of a whole image, to put back after each case. */
struct image_snapshot {
	uint8_t *data;
	size_t len;
};

static inline int snapshot_take(int fd, struct image_snapshot *ret_snap)
{
	off_t len = lseek(fd, 0, SEEK_END);

	if (len <= 0)
		return -EIO;
	ret_snap->len = (size_t)len;
	ret_snap->data = malloc(ret_snap->len);
	if (!ret_snap->data)
		return -ENOMEM;
	return fd_pread_full(fd, ret_snap->data, ret_snap->len, 0);
}

static inline int snapshot_restore(int fd, const struct image_snapshot *snap)
{
	if (ftruncate(fd, (off_t)snap->len))
		return -errno;
	return fd_pwrite_full(fd, snap->data, snap->len, 0);
}

#endif /* TEST_RESEAL_H */
