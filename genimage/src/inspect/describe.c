// SPDX-License-Identifier: MIT
#include "inspect/describe.h"

#include <string.h>

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

void describe_image_json(struct jsonw *w, const struct image_view *v, const struct se_hdr *hdr)
{
	char flags[256];

	jsonw_string(w, "image", v->path);
	jsonw_u64(w, "size", v->size);
	jsonw_string(w, "layout",
		     v->legacy	     ? "c-genprotimg" :
		     v->has_metadata ? "pvimg" :
				       "unknown");
	jsonw_object_begin(w, "se_header");
	jsonw_hex(w, "address", v->hdr_addr);
	jsonw_u64(w, "size", v->hdr_len);
	jsonw_hex(w, "version", hdr->version);
	jsonw_u64(w, "encrypted_pages", hdr->nr_pages);
	jsonw_hex(w, "pcf", hdr->pcf);
	describe_flags(hdr->pcf, 0, flags, sizeof(flags));
	jsonw_string(w, "pcf_flags", flags);
	jsonw_bytes_hex(w, "iv", hdr->iv, sizeof(hdr->iv));
	jsonw_bytes_hex(w, "pld", hdr->pld, SE_DIGEST_LEN);
	jsonw_bytes_hex(w, "ald", hdr->ald, SE_DIGEST_LEN);
	jsonw_bytes_hex(w, "tld", hdr->tld, SE_DIGEST_LEN);
	jsonw_array_begin(w, "host_key_hashes");
	for (size_t i = 0; i < hdr->nr_keyslots; i++)
		jsonw_bytes_hex(w, NULL, hdr->keyslots[i], KEYSLOT_HASH_LEN);
	jsonw_array_end(w);
	jsonw_object_end(w);
	jsonw_object_begin(w, "ipib");
	jsonw_hex(w, "address", v->ipib_addr);
	jsonw_u64(w, "size", v->ipib.len);
	jsonw_object_end(w);
	jsonw_array_begin(w, "components");
	for (size_t i = 0; i < v->ipib.nr_comps; i++) {
		const struct layout_component *c = &v->ipib.comps[i];

		jsonw_object_begin(w, NULL);
		jsonw_string(w, "name", describe_component_name(c->id, v->legacy));
		jsonw_u64(w, "id", c->id);
		jsonw_hex(w, "address", c->addr);
		jsonw_u64(w, "size", c->size);
		jsonw_hex(w, "tweak_prefix", c->tweak_prefix);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
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

void describe_guest_memory_json(struct jsonw *w, const struct guest_memory *m)
{
	jsonw_object_begin(w, "guest_memory");
	jsonw_u64(w, "minimum_mib", m->minimum_mib);
	jsonw_u64(w, "default_mib", m->default_mib);
	jsonw_string(w, "basis", guest_memory_basis_name(m->basis));
	jsonw_hex(w, "early_boot_end", m->early_boot_end);
	jsonw_object_end(w);
}
