// SPDX-License-Identifier: MIT
#include "pki/hostkey.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/param_build.h>
#include <stdbool.h>
#include <string.h>

#include "base/fileio.h"
#include "pki/pki_load.h"
#include "base/ssl_util.h"

/* Uncompressed SEC1 point: 0x04 || X || Y. */
#define EC_P521_POINT_LEN (1 + 2 * EC_P521_COORD_LEN)

static int check_p521(EVP_PKEY *pkey, const char *what, struct errinfo *err)
{
	char group[64] = "";
	size_t len = 0;

	if (!EVP_PKEY_is_a(pkey, "EC"))
		return err_set(err, -EINVAL, "%s: key is %s, expected an EC secp521r1 key", what,
			       EVP_PKEY_get0_type_name(pkey) ?: "of an unknown type");
	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    &len))
		return err_set_ssl(err, -EINVAL, "%s: EC key without a named curve", what);
	if (strcmp(group, "secp521r1") != 0)
		return err_set(err, -EINVAL, "%s: key is on curve %s, expected secp521r1", what,
			       group);
	return 0;
}

int ec_p521_pubkey_xy(EVP_PKEY *pkey, uint8_t xy[EC_P521_XY_LEN])
{
	uint8_t point[EC_P521_POINT_LEN];
	size_t len = 0;
	const size_t pad = EC_P521_XY_FIELD_LEN - EC_P521_COORD_LEN;

	if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
					     &len))
		return -EINVAL;
	if (len != sizeof(point) || point[0] != 0x04)
		return -EINVAL;
	memset(xy, 0, EC_P521_XY_LEN);
	memcpy(xy + pad, point + 1, EC_P521_COORD_LEN);
	memcpy(xy + EC_P521_XY_FIELD_LEN + pad, point + 1 + EC_P521_COORD_LEN, EC_P521_COORD_LEN);
	return 0;
}

int ec_p521_pubkey_from_xy(const uint8_t xy[EC_P521_XY_LEN], EVP_PKEY **ret_pkey)
{
	_cleanup_(evp_pkey_ctx_freep) EVP_PKEY_CTX *ctx = NULL;
	const size_t pad = EC_P521_XY_FIELD_LEN - EC_P521_COORD_LEN;
	uint8_t point[EC_P521_POINT_LEN];
	char group[] = "secp521r1";
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM params[3];

	for (size_t i = 0; i < pad; i++)
		if (xy[i] || xy[EC_P521_XY_FIELD_LEN + i])
			return -EINVAL;
	point[0] = 0x04;
	memcpy(point + 1, xy + pad, EC_P521_COORD_LEN);
	memcpy(point + 1 + EC_P521_COORD_LEN, xy + EC_P521_XY_FIELD_LEN + pad, EC_P521_COORD_LEN);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point,
						      sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		return -EINVAL;
	*ret_pkey = pkey;
	return 0;
}

int hostkey_from_pkey(EVP_PKEY *pkey, const char *what, struct hostkey *ret_key,
		      struct errinfo *err)
{
	struct hostkey key = { 0 };
	unsigned int hash_len = 0;
	int rc;

	rc = check_p521(pkey, what, err);
	if (rc)
		return rc;
	if (ec_p521_pubkey_xy(pkey, key.xy) < 0)
		return err_set_ssl(err, -EINVAL, "%s: cannot read the EC public key", what);
	if (!EVP_Digest(key.xy, sizeof(key.xy), key.hash, &hash_len, EVP_sha256(), NULL))
		return err_set_ssl(err, -EIO, "%s: SHA-256 failed", what);
	key.path = strdup(what);
	if (!key.path)
		return err_set(err, -ENOMEM, "%s: out of memory", what);
	if (!EVP_PKEY_up_ref(pkey)) {
		free(key.path);
		return err_set_ssl(err, -ENOMEM, "%s: out of memory", what);
	}
	key.pkey = pkey;
	*ret_key = key;
	return 0;
}

int hostkey_load_hkd_cert(const char *path, X509 **ret_cert, struct errinfo *err)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *certs = NULL;
	int rc;

	rc = pki_load_certs(path, &certs, err);
	if (rc)
		return rc;
	/* IBM's tool takes the first and silently leaves the other hosts out of the image. */
	if (sk_X509_num(certs) != 1)
		return err_set(err, -EINVAL,
			       "%s: holds %d certificates; give one host-key document per file "
			       "and one -k per host",
			       path, sk_X509_num(certs));
	*ret_cert = sk_X509_shift(certs);
	return 0;
}

int hostkey_load_hkd(const char *path, struct hostkey *ret_key, struct errinfo *err)
{
	_cleanup_(x509_freep) X509 *cert = NULL;
	struct hostkey key;
	EVP_PKEY *pkey;
	int rc;

	rc = hostkey_load_hkd_cert(path, &cert, err);
	if (rc)
		return err_prefix(err, rc, "host-key document");
	pkey = X509_get0_pubkey(cert);
	if (!pkey)
		return err_set_ssl(err, -EINVAL, "host-key document %s: no usable public key",
				   path);
	rc = hostkey_from_pkey(pkey, path, &key, err);
	if (rc)
		return err_prefix(err, rc, "host-key document");
	key.cert = TAKE_PTR(cert);
	*ret_key = key;
	return 0;
}

/*
 * Never ask for a pass phrase: segen runs on CI without a terminal, and
 * OpenSSL's default prompt asked twice, then failed with an ASN.1 error.
 */
static int refuse_passphrase(char *buf, int size, int rwflag, void *opaque)
{
	bool *asked = opaque;

	(void)buf;
	(void)size;
	(void)rwflag;
	*asked = true;
	return -1;
}

int hostkey_load_private(const char *path, EVP_PKEY **ret_pkey, struct errinfo *err)
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *pkey = NULL;
	_cleanup_(bio_freep) BIO *bio = NULL;
	bool encrypted = false;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	rc = file_read_all(path, 64u << 10, &buf, &len, err);
	if (rc)
		return rc;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, refuse_passphrase, &encrypted);
	if (bio && !pkey && !encrypted) {
		ERR_clear_error();
		BIO_reset(bio);
		pkey = d2i_PrivateKey_bio(bio, NULL);
	}
	if (bio && !pkey && !encrypted) {
		/* Encrypted PKCS#8 in DER: an X509_SIG around the key. */
		X509_SIG *p8;

		BIO_reset(bio);
		p8 = d2i_PKCS8_bio(bio, NULL);
		encrypted = p8 != NULL;
		X509_SIG_free(p8);
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (encrypted) {
		ERR_clear_error();
		return err_set(err, -EINVAL,
			       "%s: the private key is encrypted; segen takes unencrypted keys "
			       "only (openssl pkey -in KEY -out PLAIN.pem)",
			       path);
	}
	if (!pkey)
		return err_set_ssl(err, -EINVAL, "%s: not a private key (PEM or DER)", path);
	rc = check_p521(pkey, path, err);
	if (rc)
		return rc;
	*ret_pkey = TAKE_PTR(pkey);
	return 0;
}

int hostkey_load_privates(const char *const *paths, size_t nr, EVP_PKEY **keys, struct errinfo *err)
{
	for (size_t i = 0; i < nr; i++) {
		int rc = hostkey_load_private(paths[i], &keys[i], err);

		if (rc)
			return rc;
	}
	return 0;
}

void hostkey_done(struct hostkey *key)
{
	free(key->path);
	X509_free(key->cert);
	EVP_PKEY_free(key->pkey);
	memset(key, 0, sizeof(*key));
}
