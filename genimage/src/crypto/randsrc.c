// SPDX-License-Identifier: MIT
#include "crypto/randsrc.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <string.h>

#include "base/ssl_util.h"

#define DOMAIN_LABEL "segen x-seed v1"
#define P521_SCALAR_LEN 66

void randsrc_init_system(struct randsrc *src)
{
	memset(src, 0, sizeof(*src));
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int randsrc_init_seed(struct randsrc *src, const char *hex, struct errinfo *err)
{
	size_t len = strlen(hex);

	memset(src, 0, sizeof(*src));
	if (len == 0 || len % 2 || len / 2 > RANDSRC_SEED_MAX)
		return err_set(err, -EINVAL,
			       "--x-seed: expected an even number of hex digits, 2 to %d",
			       2 * RANDSRC_SEED_MAX);
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_nibble(hex[i]), lo = hex_nibble(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return err_set(err, -EINVAL, "--x-seed: '%s' is not hexadecimal", hex);
		src->seed[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	src->seed_len = len / 2;
	src->deterministic = true;
	return 0;
}

int randsrc_bytes(const struct randsrc *src, const char *label, uint8_t *buf, size_t len)
{
	_cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = NULL;
	static const uint8_t zero;

	if (!src->deterministic)
		return RAND_priv_bytes(buf, (int)len) == 1 ? 0 : -EIO;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(ctx, EVP_shake256(), NULL) ||
	    !EVP_DigestUpdate(ctx, DOMAIN_LABEL, strlen(DOMAIN_LABEL)) ||
	    !EVP_DigestUpdate(ctx, &zero, 1) || !EVP_DigestUpdate(ctx, src->seed, src->seed_len) ||
	    !EVP_DigestUpdate(ctx, &zero, 1) || !EVP_DigestUpdate(ctx, label, strlen(label)) ||
	    !EVP_DigestFinalXOF(ctx, buf, len))
		return -EIO;
	return 0;
}

/*
 * A seeded P-521 key: the private scalar is d = (s mod (n - 1)) + 1 for 66 + 16
 * generator bytes s, so d is in [1, n - 1] with negligible bias; the public
 * point is d * G.
 */
static int seeded_p521_key(const struct randsrc *src, const char *label, EVP_PKEY **ret_pkey)
{
	uint8_t s[P521_SCALAR_LEN + 16], priv[P521_SCALAR_LEN], pub[1 + 2 * P521_SCALAR_LEN];
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_secp521r1);
	BN_CTX *bn_ctx = BN_CTX_new();
	BIGNUM *d = BN_secure_new(), *n_minus_1 = BN_new();
	EC_POINT *point = group ? EC_POINT_new(group) : NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = -EIO;

	if (!group || !bn_ctx || !d || !n_minus_1 || !point || !bld) {
		rc = -ENOMEM;
		goto out;
	}
	rc = randsrc_bytes(src, label, s, sizeof(s));
	if (rc)
		goto out;
	rc = -EIO;
	if (!BN_copy(n_minus_1, EC_GROUP_get0_order(group)) || !BN_sub_word(n_minus_1, 1) ||
	    !BN_bin2bn(s, sizeof(s), d) || !BN_mod(d, d, n_minus_1, bn_ctx) || !BN_add_word(d, 1))
		goto out;
	if (!EC_POINT_mul(group, point, d, NULL, NULL, bn_ctx) ||
	    EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
			       bn_ctx) != sizeof(pub) ||
	    BN_bn2binpad(d, priv, sizeof(priv)) != sizeof(priv))
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp521r1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		goto out;
	*ret_pkey = pkey;
	rc = 0;
out:
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(priv, sizeof(priv));
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(point);
	BN_clear_free(d);
	BN_free(n_minus_1);
	BN_CTX_free(bn_ctx);
	EC_GROUP_free(group);
	return rc;
}

int randsrc_p521_key(const struct randsrc *src, const char *label, EVP_PKEY **ret_pkey)
{
	EVP_PKEY *pkey;

	if (src->deterministic)
		return seeded_p521_key(src, label, ret_pkey);
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	if (!pkey)
		return -EIO;
	*ret_pkey = pkey;
	return 0;
}

void randsrc_done(struct randsrc *src)
{
	OPENSSL_cleanse(src, sizeof(*src));
}
