// SPDX-License-Identifier: MIT
#include "inspect/describe.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "crypto/comp.h"
#include "format/layout.h"
#include "base/util.h"

static const struct {
	uint64_t bit;
	bool scf;
	const char *name;
} flag_names[] = {
	{ SE_PCF_ALLOW_DUMP, false, "dump" },
	{ SE_PCF_NO_DECRYPTION, false, "no-image-encryption" },
	{ SE_PCF_PCKMO_DEA_TDEA, false, "pckmo-dea-tdea" },
	{ SE_PCF_PCKMO_AES, false, "pckmo-aes" },
	{ SE_PCF_PCKMO_ECC, false, "pckmo-ecc" },
	{ SE_PCF_PCKMO_HMAC, false, "pckmo-hmac" },
	{ SE_PCF_BACKUP_KEYS, false, "backup-keys" },
	{ SE_SCF_CCK_EXTENSION_SECRET, true, "cck-extension-secret" },
	{ SE_SCF_CCK_UPDATE, true, "cck-update" },
};

void describe_flags(uint64_t pcf, uint64_t scf, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++) {
		uint64_t word = flag_names[i].scf ? scf : pcf;

		if (!(word & flag_names[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, len > used ? len - used : 0, "%s%s",
					 used ? "," : "", flag_names[i].name);
	}
	if (!used)
		snprintf(buf, len, "none");
}

const char *describe_component_name(uint16_t id, bool legacy)
{
	/* The C layout numbered components by type, so its ids name them too. */
	static const char *const legacy_names[] = { "kernel", "cmdline", "ramdisk", "stage-b" };

	if (legacy)
		return id < ARRAY_SIZE(legacy_names) ? legacy_names[id] : "component";
	switch (id) {
	case SE_COMP_ID_KERNEL:
		return "kernel";
	case SE_COMP_ID_RAMDISK:
		return "ramdisk";
	case SE_COMP_ID_CMDLINE:
		return "cmdline";
	case SE_COMP_ID_STAGE_B:
		return "stage-b";
	default:
		return "component";
	}
}

static void hex(FILE *out, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x", buf[i]);
}

static void hex_line(FILE *out, const char *label, const uint8_t *buf, size_t len)
{
	fprintf(out, "%s", label);
	hex(out, buf, len);
	fputc('\n', out);
}

static const char *const trust_text[] = {
	[DESCRIBE_UNVERIFIED] = "NOT verified (give --hdr-key to authenticate the header)",
	[DESCRIBE_VERIFIED] = "integrity and authenticity verified with the header key",
	[DESCRIBE_DECRYPTED] = "integrity and authenticity verified, keys shown",
};

void describe_image_text(FILE *out, const struct image_view *v, const struct se_hdr *hdr)
{
	char flags[256];

	fprintf(out, "image: %s (%llu bytes%s)\n", v->path, (unsigned long long)v->size,
		v->legacy ? ", older C layout" : "");
	fprintf(out, "SE header: 0x%llx, %zu bytes, version 0x%x, %llu encrypted pages\n",
		(unsigned long long)v->hdr_addr, v->hdr_len, hdr->version,
		(unsigned long long)hdr->nr_pages);
	describe_flags(hdr->pcf, 0, flags, sizeof(flags));
	fprintf(out, "PCF: 0x%016llx (%s)\n", (unsigned long long)hdr->pcf, flags);
	fprintf(out, "IPIB: 0x%llx, %u bytes\n", (unsigned long long)v->ipib_addr, v->ipib.len);
	fprintf(out, "components:\n");
	for (size_t i = 0; i < v->ipib.nr_comps; i++) {
		const struct layout_component *c = &v->ipib.comps[i];

		fprintf(out, "  %-9s 0x%08llx %10llu bytes  tweak %016llx\n",
			describe_component_name(c->id, v->legacy), (unsigned long long)c->addr,
			(unsigned long long)c->size, (unsigned long long)c->tweak_prefix);
	}
	fprintf(out, "host key slots: %zu\n", hdr->nr_keyslots);
	for (size_t i = 0; i < hdr->nr_keyslots; i++) {
		fprintf(out, "  %2zu  ", i);
		hex(out, hdr->keyslots[i], KEYSLOT_HASH_LEN);
		fputc('\n', out);
	}
}

void describe_info_text(FILE *out, const struct image_view *v, const struct se_hdr *hdr,
			const struct describe_info_opts *o)
{
	char flags[256];

	describe_image_text(out, v, hdr);
	if (o->memory)
		describe_guest_memory_text(out, o->memory);
	fprintf(out, "header: %s\n", trust_text[o->trust]);
	fprintf(out, "attestation reference values (and the key-slot hashes above):\n");
	hex_line(out, "  header tag: ", hdr->tag, sizeof(hdr->tag));
	hex_line(out, "  PLD: ", hdr->pld, SE_DIGEST_LEN);
	hex_line(out, "  ALD: ", hdr->ald, SE_DIGEST_LEN);
	hex_line(out, "  TLD: ", hdr->tld, SE_DIGEST_LEN);
	if (o->full) {
		hex_line(out, "IV: ", hdr->iv, GCM_IV_LEN);
		hex_line(out, "customer public key (X||Y): ", hdr->cust_pub_xy, EC_P521_XY_LEN);
		for (size_t i = 0; i < hdr->nr_keyslots; i++) {
			fprintf(out, "key slot %zu: wrapped key ", i);
			hex(out, hdr->keyslots[i] + KEYSLOT_HASH_LEN, KEYSLOT_WRAPPED_LEN);
			fprintf(out, " tag ");
			hex(out, hdr->keyslots[i] + KEYSLOT_HASH_LEN + KEYSLOT_WRAPPED_LEN,
			    KEYSLOT_TAG_LEN);
			fputc('\n', out);
		}
		if (o->trust != DESCRIBE_DECRYPTED)
			hex_line(out, "encrypted part: ", hdr->sealed_area, SE_HDR_ENCRYPTED_SIZE);
	}
	if (o->trust == DESCRIBE_UNVERIFIED)
		return;
	describe_flags(0, hdr->scf, flags, sizeof(flags));
	fprintf(out, "SCF: 0x%016llx (%s)\n", (unsigned long long)hdr->scf, flags);
	fprintf(out, "PSW: mask 0x%016llx address 0x%016llx\n", (unsigned long long)hdr->psw_mask,
		(unsigned long long)hdr->psw_addr);
	if (o->trust != DESCRIBE_DECRYPTED)
		return;
	hex_line(out, "CCK: ", hdr->cck, SE_CCK_LEN);
	hex_line(out, "image key (AES-XTS): ", hdr->xts_key, SE_XTS_KEY_LEN);
}

/* pvimg's "data": the header as its fields, in pvimg's names and order. */
static int info_data_json(const struct se_hdr *hdr, enum describe_trust trust,
			  json_object **ret_data)
{
	_cleanup_json_ json_object *data = json_object_new_object();
	json_object *pub, *slots, *psw;
	int rc = 0;

	if (!data)
		return -ENOMEM;
	rc |= json_put_str(data, "kind",
			   trust == DESCRIBE_DECRYPTED ? "decrypted_se_hdr" : "se_hdr");
	rc |= json_put_bool(data, "verified", trust != DESCRIBE_UNVERIFIED);
	rc |= json_put_hex_bytes(data, "magic_hex", (const uint8_t *)SE_HDR_MAGIC, 8);
	rc |= json_put_str(data, "version", "V1");
	rc |= json_put_u64(data, "sehs", se_hdr_size(hdr->nr_keyslots));
	rc |= json_put_hex_bytes(data, "iv_hex", hdr->iv, GCM_IV_LEN);
	rc |= json_put_u64(data, "nks", hdr->nr_keyslots);
	rc |= json_put_u64(data, "sea", SE_HDR_ENCRYPTED_SIZE);
	rc |= json_put_u64(data, "nep", hdr->nr_pages);
	rc |= json_put_hex_u64(data, "pcf_hex", hdr->pcf);
	pub = json_object_new_object();
	rc |= json_put(data, "cust_pub_key", pub);
	if (pub)
		rc |= json_put_hex_bytes(pub, "coord_hex", hdr->cust_pub_xy, EC_P521_XY_LEN);
	rc |= json_put_hex_bytes(data, "pld_hex", hdr->pld, SE_DIGEST_LEN);
	rc |= json_put_hex_bytes(data, "ald_hex", hdr->ald, SE_DIGEST_LEN);
	rc |= json_put_hex_bytes(data, "tld_hex", hdr->tld, SE_DIGEST_LEN);
	slots = json_object_new_array();
	rc |= json_put(data, "keyslots", slots);
	for (size_t i = 0; slots && i < hdr->nr_keyslots; i++) {
		const uint8_t *slot = hdr->keyslots[i];
		json_object *s = json_object_new_object();

		rc |= json_put(slots, NULL, s);
		if (!s)
			break;
		rc |= json_put_hex_bytes(s, "phkh_hex", slot, KEYSLOT_HASH_LEN);
		rc |= json_put_hex_bytes(s, "wrpk_hex", slot + KEYSLOT_HASH_LEN,
					 KEYSLOT_WRAPPED_LEN);
		rc |= json_put_hex_bytes(s, "kst_hex",
					 slot + KEYSLOT_HASH_LEN + KEYSLOT_WRAPPED_LEN,
					 KEYSLOT_TAG_LEN);
	}
	if (trust == DESCRIBE_DECRYPTED) {
		rc |= json_put_hex_bytes(data, "cck_hex", hdr->cck, SE_CCK_LEN);
		rc |= json_put_hex_bytes(data, "xts_hex", hdr->xts_key, SE_XTS_KEY_LEN);
		psw = json_object_new_object();
		rc |= json_put(data, "psw", psw);
		if (psw) {
			rc |= json_put_hex_u64(psw, "mask_hex", hdr->psw_mask);
			rc |= json_put_hex_u64(psw, "addr_hex", hdr->psw_addr);
		}
		rc |= json_put_hex_u64(data, "scf_hex", hdr->scf);
	} else {
		rc |= json_put_base64(data, "cipher_data_b64", hdr->sealed_area,
				      SE_HDR_ENCRYPTED_SIZE);
	}
	rc |= json_put_hex_bytes(data, "tag_hex", hdr->tag, GCM_TAG_LEN);
	if (rc)
		return -ENOMEM;
	*ret_data = TAKE_PTR(data);
	return 0;
}

static int info_meta_json(const struct describe_info_opts *o, json_object **ret_meta)
{
	_cleanup_json_ json_object *meta = json_object_new_object();
	char host[256] = "unknown", when[64] = "";
	struct tm tm;
	int rc = 0;

	if (!meta)
		return -ENOMEM;
	if (gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "unknown");
	if (gmtime_r(&o->now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S%z", &tm);
	rc |= json_put_u64(meta, "api_level", DESCRIBE_INFO_API_LEVEL);
	rc |= json_put_str(meta, "version", o->tool_version);
	rc |= json_put_str(meta, "host", host);
	rc |= json_put_u64(meta, "time_epoch", o->now < 0 ? 0 : (uint64_t)o->now);
	rc |= json_put_str(meta, "time", when);
	if (rc)
		return -ENOMEM;
	*ret_meta = TAKE_PTR(meta);
	return 0;
}

static int flag_list_json(uint64_t pcf, uint64_t scf, json_object **ret_list)
{
	json_object *list = json_object_new_array();
	int rc = 0;

	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
		if ((flag_names[i].scf ? scf : pcf) & flag_names[i].bit)
			rc |= json_put_str(list, NULL, flag_names[i].name);
	if (rc) {
		json_object_put(list);
		return -ENOMEM;
	}
	*ret_list = list;
	return 0;
}

int describe_image_json(json_object *obj, const struct image_view *v, const struct se_hdr *hdr,
			bool header_fields)
{
	json_object *sehdr, *ipib, *comps, *flags = NULL;
	char flag_text[256];
	int rc = 0;

	rc |= json_put_str(obj, "image", v->path);
	rc |= json_put_u64(obj, "size", v->size);
	rc |= json_put_str(obj, "layout",
			   v->legacy	   ? "c-genprotimg" :
			   v->has_metadata ? "pvimg" :
					     "unknown");
	sehdr = json_object_new_object();
	rc |= json_put(obj, "se_header", sehdr);
	if (!sehdr)
		return -ENOMEM;
	rc |= json_put_hex_num(sehdr, "address", v->hdr_addr);
	rc |= json_put_u64(sehdr, "size", v->hdr_len);
	if (header_fields) {
		rc |= json_put_hex_num(sehdr, "version", hdr->version);
		rc |= json_put_u64(sehdr, "encrypted_pages", hdr->nr_pages);
		rc |= json_put_hex_num(sehdr, "pcf", hdr->pcf);
		describe_flags(hdr->pcf, 0, flag_text, sizeof(flag_text));
		rc |= json_put_str(sehdr, "pcf_flags", flag_text);
		rc |= json_put_hex_bytes(sehdr, "iv", hdr->iv, sizeof(hdr->iv));
		rc |= json_put_hex_bytes(sehdr, "pld", hdr->pld, SE_DIGEST_LEN);
		rc |= json_put_hex_bytes(sehdr, "ald", hdr->ald, SE_DIGEST_LEN);
		rc |= json_put_hex_bytes(sehdr, "tld", hdr->tld, SE_DIGEST_LEN);
		json_object *hashes = json_object_new_array();

		rc |= json_put(sehdr, "host_key_hashes", hashes);
		for (size_t i = 0; hashes && i < hdr->nr_keyslots; i++)
			rc |= json_put_hex_bytes(hashes, NULL, hdr->keyslots[i], KEYSLOT_HASH_LEN);
	} else {
		rc |= flag_list_json(hdr->pcf, 0, &flags);
		rc |= json_put(sehdr, "pcf_flags", flags);
	}
	ipib = json_object_new_object();
	rc |= json_put(obj, "ipib", ipib);
	if (ipib) {
		rc |= json_put_hex_num(ipib, "address", v->ipib_addr);
		rc |= json_put_u64(ipib, "size", v->ipib.len);
	}
	comps = json_object_new_array();
	rc |= json_put(obj, "components", comps);
	for (size_t i = 0; comps && i < v->ipib.nr_comps; i++) {
		const struct layout_component *c = &v->ipib.comps[i];
		json_object *comp = json_object_new_object();

		rc |= json_put(comps, NULL, comp);
		if (!comp)
			break;
		rc |= json_put_str(comp, "name", describe_component_name(c->id, v->legacy));
		rc |= json_put_u64(comp, "id", c->id);
		rc |= json_put_hex_num(comp, "address", c->addr);
		rc |= json_put_u64(comp, "size", c->size);
		rc |= json_put_hex_num(comp, "tweak_prefix", c->tweak_prefix);
	}
	return rc ? -ENOMEM : 0;
}

/*
 * The opened encrypted part without its keys, which pvimg shows only with the
 * secrets: start PSW and secret control flags.
 */
static int encrypted_part_json(json_object *extras, const struct se_hdr *hdr)
{
	json_object *part = json_object_new_object(), *psw, *flags = NULL;
	int rc;

	rc = json_put(extras, "encrypted_part", part);
	if (rc)
		return rc;
	psw = json_object_new_object();
	rc |= json_put(part, "psw", psw);
	if (psw) {
		rc |= json_put_hex_u64(psw, "mask_hex", hdr->psw_mask);
		rc |= json_put_hex_u64(psw, "addr_hex", hdr->psw_addr);
	}
	rc |= json_put_hex_u64(part, "scf_hex", hdr->scf);
	rc |= flag_list_json(0, hdr->scf, &flags);
	rc |= json_put(part, "scf_flags", flags);
	return rc ? -ENOMEM : 0;
}

int describe_info_json(const struct image_view *v, const struct se_hdr *hdr,
		       const struct describe_info_opts *o, json_object **ret_doc)
{
	_cleanup_json_ json_object *doc = json_object_new_object();
	json_object *meta = NULL, *data = NULL, *extras;
	int rc;

	if (!doc)
		return -ENOMEM;
	rc = info_meta_json(o, &meta);
	if (!rc)
		rc = json_put(doc, "meta", meta);
	if (!rc)
		rc = info_data_json(hdr, o->trust, &data);
	if (!rc)
		rc = json_put(doc, "data", data);
	if (rc)
		return rc;
	extras = json_object_new_object();
	rc = json_put(doc, "segen", extras);
	if (rc)
		return rc;
	rc |= json_put_str(extras, "version", SEGEN_VERSION);
	rc |= describe_image_json(extras, v, hdr, false);
	if (o->memory)
		rc |= describe_guest_memory_json(extras, o->memory);
	if (o->trust != DESCRIBE_UNVERIFIED)
		rc |= encrypted_part_json(extras, hdr);
	if (rc)
		return -ENOMEM;
	*ret_doc = TAKE_PTR(doc);
	return 0;
}

/* The memory figure of guest_memory.h: a line of its own, or one JSON object. */
void describe_guest_memory_text(FILE *out, const struct guest_memory *m)
{
	fprintf(out, "guest memory: at least %u MiB (boot-test default %u MiB; %s)\n",
		m->minimum_mib, m->default_mib,
		m->basis == GUEST_MEMORY_FROM_KERNEL ? "from the kernel's own sizes" :
		m->basis == GUEST_MEMORY_ESTIMATE    ? "estimated from the component sizes" :
						       "the image itself, not a Linux kernel");
}

int describe_guest_memory_json(json_object *obj, const struct guest_memory *m)
{
	json_object *mem = json_object_new_object();
	int rc;

	rc = json_put(obj, "guest_memory", mem);
	if (rc)
		return rc;
	rc |= json_put_u64(mem, "minimum_mib", m->minimum_mib);
	rc |= json_put_u64(mem, "default_mib", m->default_mib);
	rc |= json_put_str(mem, "basis", guest_memory_basis_name(m->basis));
	rc |= json_put_hex_num(mem, "early_boot_end", m->early_boot_end);
	return rc ? -ENOMEM : 0;
}
