// SPDX-License-Identifier: MIT
/*
 * info's JSON document (inspect/describe.c) built from IBM's reference header,
 * and the json-c helpers under it (base/json_out.c).
 */
#include <string.h>

#include "tap.h"
#include "vectors.h"

#include "base/json_out.h"
#include "inspect/describe.h"

static const char *member(json_object *obj, const char *path)
{
	char buf[256], *save = NULL;
	json_object *cur = obj;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *key = strtok_r(buf, ".", &save); key && cur; key = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(cur, key, &cur))
			return NULL;
	return cur ? json_object_get_string(cur) : NULL;
}

static bool has(json_object *obj, const char *key)
{
	return json_object_object_get_ex(obj, key, NULL);
}

static void test_helpers(void)
{
	static const uint8_t bytes[] = { 0x00, 0xab, 0x10 };
	_cleanup_json_ json_object *o = json_object_new_object();
	char *text;
	size_t len;
	FILE *f;

	ok(!json_put_hex_bytes(o, "h", bytes, sizeof(bytes)), "hex bytes");
	ok(!json_put_hex_u64(o, "u", 0xe0), "hex u64");
	ok(!json_put_hex_num(o, "n", 0x14000), "hex number");
	ok(!json_put_base64(o, "b", (const uint8_t *)"foob", 4), "base64");
	ok(!json_put_u64(o, "big", UINT64_MAX), "u64");
	ok(!json_put_str(o, "p", "a/b"), "string");
	ok(!strcmp(member(o, "h"), "00ab10"), "hex digits, lower case, no 0x");
	ok(!strcmp(member(o, "u"), "00000000000000e0"), "16 digits for a flag word");
	ok(!strcmp(member(o, "n"), "0x14000"), "0x string for a number");
	ok(!strcmp(member(o, "b"), "Zm9vYg=="), "standard Base64 with padding");
	f = open_memstream(&text, &len);
	ok(json_write(f, o, true) == 0, "minified write");
	fclose(f);
	ok(!strcmp(text, "{\"h\":\"00ab10\",\"u\":\"00000000000000e0\",\"n\":\"0x14000\","
			 "\"b\":\"Zm9vYg==\",\"big\":18446744073709551615,\"p\":\"a/b\"}\n"),
	   "one line, slashes unescaped, full 64-bit number: %s", text);
	free(text);
}

/* An image view around the reference header, as image_open() would leave it. */
static struct image_view *reference_view(const char *name)
{
	struct image_view *v = calloc(1, sizeof(*v));
	char rel[128];
	uint8_t *buf;
	size_t len;

	snprintf(rel, sizeof(rel), "genprotimg-2.35/%s/se-header.bin", name);
	buf = vec_read(rel, &len);
	memcpy(v->hdr_buf, buf, len);
	free(buf);
	v->path = "ref.img";
	v->size = 0x30000;
	v->legacy = true;
	v->hdr_addr = 0x14000;
	v->hdr_len = len;
	v->ipib_addr = 0x13000;
	v->ipib.len = 4096;
	return v;
}

static void test_info_document(const char *name)
{
	struct describe_info_opts o = { .tool_version = "2.43.0-segen-test", .now = 86400 };
	_cleanup_json_ json_object *vec = NULL;
	struct image_view *v = reference_view(name);
	uint8_t key[SE_HEADER_KEY_LEN], *key_file;
	struct errinfo err = { "" };
	size_t key_len;
	json_object *doc = NULL, *data, *slots, *slot0, *want_slot0;
	struct se_hdr hdr;
	char rel[128];

	snprintf(rel, sizeof(rel), "%s/genprotimg-2.35/%s/vector.json", vectors_dir(), name);
	vec = json_object_from_file(rel);
	ok(vec != NULL, "%s: vector.json", name);
	ok(!se_hdr_parse(v->hdr_buf, v->hdr_len, &hdr, NULL, NULL, &err), "%s: parse (%s)", name,
	   err.msg);
	ok(!describe_info_json(v, &hdr, &o, &doc), "%s: unverified document", name);
	data = json_object_object_get(doc, "data");
	ok(!strcmp(member(doc, "meta.time"), "1970-01-02 00:00:00+0000") &&
		   !strcmp(member(doc, "meta.version"), "2.43.0-segen-test") &&
		   json_object_get_int(json_object_object_get(json_object_object_get(doc, "meta"),
							      "api_level")) == 1,
	   "%s: meta", name);
	ok(!strcmp(member(data, "kind"), "se_hdr") && !strcmp(member(data, "verified"), "false"),
	   "%s: unverified se_hdr", name);
	ok(!strcmp(member(data, "iv_hex"), member(vec, "iv")) &&
		   !strcmp(member(data, "pld_hex"), member(vec, "pld")) &&
		   !strcmp(member(data, "ald_hex"), member(vec, "ald")) &&
		   !strcmp(member(data, "tld_hex"), member(vec, "tld")) &&
		   !strcmp(member(data, "tag_hex"), member(vec, "tag")),
	   "%s: IV, digests and tag are IBM's", name);
	ok(!strcmp(member(data, "pcf_hex"), member(vec, "pcf") + 2), "%s: pcf_hex", name);
	ok(!strcmp(member(data, "nks"), member(vec, "nks")) &&
		   !strcmp(member(data, "nep"), member(vec, "nep")),
	   "%s: nks, nep", name);
	slots = json_object_object_get(data, "keyslots");
	slot0 = json_object_array_get_idx(slots, 0);
	want_slot0 = json_object_array_get_idx(json_object_object_get(vec, "slots"), 0);
	ok(!strcmp(member(slot0, "phkh_hex"), member(want_slot0, "phkh")) &&
		   strlen(member(slot0, "wrpk_hex")) == 64 &&
		   strlen(member(slot0, "kst_hex")) == 32,
	   "%s: key slot 0", name);
	ok(has(data, "cipher_data_b64") && !has(data, "cck_hex") && !has(data, "psw"),
	   "%s: sealed: no secrets", name);
	ok(!strcmp(member(doc, "segen.layout"), "c-genprotimg"), "%s: segen's extras", name);
	ok(!has(json_object_object_get(doc, "segen"), "encrypted_part"),
	   "%s: nothing of the encrypted part unverified", name);
	json_object_put(doc);

	key_file = vec_read("genprotimg-2.35/keys/hdr.key", &key_len);
	memcpy(key, key_file, sizeof(key));
	free(key_file);
	ok(!se_hdr_open(v->hdr_buf, v->hdr_len, key, &hdr), "%s: open with the header key", name);
	o.trust = DESCRIBE_DECRYPTED;
	ok(!describe_info_json(v, &hdr, &o, &doc), "%s: decrypted document", name);
	data = json_object_object_get(doc, "data");
	ok(!strcmp(member(data, "kind"), "decrypted_se_hdr") &&
		   !strcmp(member(data, "verified"), "true") && !has(data, "cipher_data_b64"),
	   "%s: decrypted_se_hdr", name);
	ok(!strcmp(member(doc, "segen.encrypted_part.psw.addr_hex"), member(data, "psw.addr_hex")),
	   "%s: segen's view of the encrypted part", name);
	ok(!strcmp(member(data, "scf_hex"), member(vec, "scf") + 2) &&
		   !strcmp(member(data, "psw.mask_hex"), member(vec, "psw.mask") + 2),
	   "%s: SCF and PSW mask", name);
	if (!strcmp(name, "three-hosts-dump"))
		ok(!strcmp(member(data, "cck_hex"), member(vec, "keys.cck_in_header")),
		   "%s: the CCK given to the reference builder", name);
	json_object_put(doc);
	se_hdr_wipe_secrets(&hdr);
	free(v);
}

int main(void)
{
	test_helpers();
	test_info_document("basic");
	test_info_document("three-hosts-dump");
	return done_testing();
}
