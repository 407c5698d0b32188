// SPDX-License-Identifier: MIT
/*
 * Known-answer tests against tests/vectors: the SE header and every stored
 * component of the genprotimg-2.35 cases byte for byte, and the key slot of the
 * s390-tools assets.
 */
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crypto/comp.h"
#include "pki/hostkey.h"
#include "crypto/keyslot.h"
#include "format/sehdr.h"
#include "base/ssl_util.h"
#include "tap.h"
#include "vectors.h"

static void kat_case(const char *name)
{
	char rel[2048], *json;
	size_t json_len, len, hdr_len;
	struct vec_component comps[VEC_MAX_COMPONENTS];
	struct comp_pipeline *pipe = NULL;
	struct se_hdr hdr = { 0 };
	uint8_t header_key[SE_HEADER_KEY_LEN], *expected_hdr, *buf;
	uint8_t pld[SE_DIGEST_LEN], ald[SE_DIGEST_LEN], tld[SE_DIGEST_LEN], want[SE_DIGEST_LEN];
	uint8_t *image_key;
	uint64_t nr_pages = 0;
	EVP_PKEY *cust;
	struct errinfo err = { "" };
	size_t nr_comps;
	int memfd, rc;

	snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/vector.json", name);
	json = (char *)vec_read(rel, &json_len);
	nr_comps = vec_parse_components(json, comps);
	ok(nr_comps == 4, "%s: vector lists 4 components", name);

	image_key = vec_read("genprotimg-2.35/keys/image.key", &len);
	memcpy(hdr.xts_key, image_key, SE_XTS_KEY_LEN);
	hdr.pcf = json_u64(json, "pcf");
	hdr.scf = json_u64(json, "scf");
	hdr.psw_mask = json_u64(json_find(json, "psw"), "mask");
	hdr.psw_addr = json_u64(json_find(json, "psw"), "addr");

	memfd = memfd_create("kat", 0);
	rc = comp_pipeline_new(&pipe);
	ok(rc == 0, "%s: pipeline starts", name);
	for (size_t i = 0; i < nr_comps; i++) {
		uint8_t *plain, *stored;
		size_t plain_len, stored_len;
		struct comp_spec spec = {
			.addr = comps[i].addr,
			.tweak_prefix = comps[i].tweak_prefix,
			.transform = (hdr.pcf & SE_PCF_NO_DECRYPTION) ? COMP_STORE_PLAIN :
									COMP_ENCRYPT,
			.xts_key = hdr.xts_key,
		};
		struct comp_sink sink = { .fd = memfd, .offset = comps[i].addr, .name = "memfd" };
		struct comp_source src = { .fd = -1 };

		snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/components/%zu-%s.plain", name, i,
			 comps[i].name);
		plain = vec_read(rel, &plain_len);
		snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/components/%zu-%s.stored", name, i,
			 comps[i].name);
		stored = vec_read(rel, &stored_len);
		src.buf = plain;
		src.size = plain_len;
		src.name = comps[i].name;
		rc = comp_pipeline_run(pipe, &spec, &src, &sink, &err);
		rc = rc ?: comp_pipeline_drain(pipe, &err);
		ok(rc == 0, "%s: %s streams (%s)", name, comps[i].name, err.msg);
		buf = malloc(stored_len);
		fd_pread_full(memfd, buf, stored_len, comps[i].addr);
		ok(stored_len == comps[i].size, "%s: %s padded size", name, comps[i].name);
		is_mem(buf, stored, stored_len, comps[i].name);
		free(buf);
		free(plain);
		free(stored);
	}
	rc = comp_pipeline_finish(pipe, pld, ald, tld, &nr_pages, &err);
	ok(rc == 0, "%s: digests finish", name);
	comp_pipeline_free(pipe);
	close(memfd);
	ok(nr_pages == json_u64(json, "nep"), "%s: page count %llu", name,
	   (unsigned long long)nr_pages);
	json_hex(json, "pld", want, sizeof(want));
	is_mem(pld, want, sizeof(want), "PLD");
	json_hex(json, "ald", want, sizeof(want));
	is_mem(ald, want, sizeof(want), "ALD");
	json_hex(json, "tld", want, sizeof(want));
	is_mem(tld, want, sizeof(want), "TLD");

	/* The header, sealed from the same inputs. */
	hdr.version = SE_HDR_VERSION;
	hdr.nr_pages = nr_pages;
	json_hex(json, "iv", hdr.iv, sizeof(hdr.iv));
	json_hex(json, "cck_in_header", hdr.cck, sizeof(hdr.cck));
	memcpy(hdr.pld, pld, SE_DIGEST_LEN);
	memcpy(hdr.ald, ald, SE_DIGEST_LEN);
	memcpy(hdr.tld, tld, SE_DIGEST_LEN);
	cust = vec_private_key("genprotimg-2.35/keys/cust.pem");
	ec_p521_pubkey_xy(cust, hdr.cust_pub_xy);
	{
		uint8_t want_xy[EC_P521_XY_LEN];

		json_hex(json, "customer_public_xy", want_xy, sizeof(want_xy));
		is_mem(hdr.cust_pub_xy, want_xy, sizeof(want_xy), "customer public key X||Y");
	}
	buf = vec_read("genprotimg-2.35/keys/hdr.key", &len);
	memcpy(header_key, buf, sizeof(header_key));
	free(buf);
	for (const char *p = json_find(json, "slots"); (p = json_find(p, "host")); p++) {
		struct hostkey host;
		uint8_t kek[KEYSLOT_KEK_LEN];
		char *path;
		const char *end = strchr(p, '"');

		snprintf(rel, sizeof(rel), "genprotimg-2.35/keys/%.*s.crt", (int)(end - p), p);
		path = vec_path(rel);
		rc = hostkey_load_hkd(path, &host, &err);
		ok(rc == 0, "%s: load %s (%s)", name, rel, err.msg);
		rc = keyslot_derive_kek(cust, host.pkey, kek);
		rc = rc ?: keyslot_wrap(kek, host.hash, header_key, hdr.keyslots[hdr.nr_keyslots]);
		ok(rc == 0, "%s: key slot for %s", name, rel);
		hdr.nr_keyslots++;
		hostkey_done(&host);
		free(path);
	}
	snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/se-header.bin", name);
	expected_hdr = vec_read(rel, &hdr_len);
	ok(se_hdr_size(hdr.nr_keyslots) == hdr_len, "%s: header size %zu", name, hdr_len);
	buf = calloc(1, hdr_len);
	rc = se_hdr_seal(&hdr, header_key, buf, hdr_len);
	ok(rc == 0, "%s: header seals", name);
	is_mem(buf, expected_hdr, hdr_len, "SE header byte for byte");

	/* And back: parse and open what was sealed. */
	{
		struct se_hdr parsed;

		rc = se_hdr_parse(expected_hdr, hdr_len, &parsed, NULL, NULL, &err);
		rc = rc ?: se_hdr_open(expected_hdr, hdr_len, header_key, &parsed);
		ok(rc == 0 && parsed.psw_addr == hdr.psw_addr && parsed.scf == hdr.scf &&
			   !memcmp(parsed.xts_key, hdr.xts_key, SE_XTS_KEY_LEN),
		   "%s: header parses and opens", name);
		header_key[0] ^= 1;
		ok(se_hdr_open(expected_hdr, hdr_len, header_key, &parsed) == -EBADMSG,
		   "%s: wrong header key is rejected", name);
	}
	free(buf);
	free(expected_hdr);
	free(image_key);
	free(json);
	EVP_PKEY_free(cust);
}

/* The customer key of the s390-tools assets: raw scalar plus X||Y. */
static EVP_PKEY *assets_customer_key(void)
{
	size_t priv_len, pub_len;
	uint8_t *priv = vec_read("s390-tools-assets/keys/private_cust.bin", &priv_len);
	uint8_t *xy = vec_read("s390-tools-assets/keys/public_cust.bin", &pub_len);
	uint8_t point[1 + 2 * EC_P521_COORD_LEN];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *d = BN_bin2bn(priv, (int)priv_len, NULL);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM *params;
	EVP_PKEY *pkey = NULL;

	point[0] = 4;
	memcpy(point + 1, xy + 14, EC_P521_COORD_LEN);
	memcpy(point + 1 + EC_P521_COORD_LEN, xy + 80 + 14, EC_P521_COORD_LEN);
	OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp521r1", 0);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d);
	OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params = OSSL_PARAM_BLD_to_param(bld);
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		pkey = NULL;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(d);
	free(priv);
	free(xy);
	return pkey;
}

static void kat_assets_keyslot(void)
{
	static const char kek_hex[] =
		"753277558f3b6003419ef249ae3c4b55aad77d09d97fdd1fc88fd8f0cf22f149";
	uint8_t kek[KEYSLOT_KEK_LEN], want_kek[KEYSLOT_KEK_LEN], header_key[SE_HEADER_KEY_LEN];
	uint8_t slot[KEYSLOT_SIZE], unwrapped[SE_HEADER_KEY_LEN];
	EVP_PKEY *cust = assets_customer_key();
	struct errinfo err = { "" };
	struct hostkey host;
	uint8_t *want_slot;
	char *path;
	size_t len;
	int rc;

	ok(cust != NULL, "assets: customer key from private_cust.bin");
	path = vec_path("s390-tools-assets/keys/host.pem.crt");
	rc = hostkey_load_hkd(path, &host, &err);
	ok(rc == 0, "assets: host.pem.crt loads (%s)", err.msg);
	for (size_t i = 0; i < sizeof(want_kek); i++)
		sscanf(kek_hex + 2 * i, "%2hhx", &want_kek[i]);
	rc = keyslot_derive_kek(cust, host.pkey, kek);
	ok(rc == 0, "assets: KEK derives");
	is_mem(kek, want_kek, sizeof(kek), "assets: KEK");
	memset(header_key, 0x17, sizeof(header_key));
	rc = keyslot_wrap(kek, host.hash, header_key, slot);
	want_slot = vec_read("s390-tools-assets/exp/keyslot.bin", &len);
	ok(rc == 0 && len == KEYSLOT_SIZE, "assets: key slot wraps");
	is_mem(slot, want_slot, KEYSLOT_SIZE, "assets: key slot byte for byte");
	ok(keyslot_unwrap(kek, slot, unwrapped) == 0 &&
		   !memcmp(unwrapped, header_key, sizeof(header_key)),
	   "assets: key slot unwraps");
	slot[40] ^= 0x80;
	ok(keyslot_unwrap(kek, slot, unwrapped) == -EBADMSG, "assets: damaged slot is rejected");
	free(want_slot);
	free(path);
	hostkey_done(&host);
	EVP_PKEY_free(cust);
}

static void kat_assets_header(void)
{
	size_t len;
	uint8_t *buf = vec_read("s390-tools-assets/exp/secure_guest.hdr", &len);
	struct errinfo err = { "" };
	struct se_hdr hdr;
	uint16_t uv_rc = 0, uv_rrc = 0;
	int rc = se_hdr_parse(buf, len, &hdr, &uv_rc, &uv_rrc, &err);

	ok(rc == 0 && len == 640 && hdr.nr_keyslots == 1, "assets: secure_guest.hdr parses (%s)",
	   err.msg);
	buf[0x0b] ^= 1; /* version */
	rc = se_hdr_parse(buf, len, &hdr, &uv_rc, &uv_rrc, &err);
	ok(rc < 0 && uv_rc == 0x104, "assets: a changed version is refused with UV rc 0x104");
	free(buf);
}

int main(void)
{
	kat_case("basic");
	kat_case("three-hosts-dump");
	kat_case("no-decryption");
	kat_assets_keyslot();
	kat_assets_header();
	return done_testing();
}
