/* SPDX-License-Identifier: MIT */
/*
 * Describing an image for people (text) and programs (JSON): info, verify.
 * The JSON of info is pvimg's document (meta + data, docs/info-json.md) with
 * segen's own facts under "segen"; verify has its own flat document.
 */
#ifndef SEGEN_DESCRIBE_H
#define SEGEN_DESCRIBE_H

#include <stdio.h>
#include <time.h>

#include "base/json_out.h"
#include "format/sehdr.h"
#include "inspect/guest_memory.h"
#include "inspect/image_read.h"

/* pvimg's "api_level" of the info document this module writes. */
#define DESCRIBE_INFO_API_LEVEL 1

/* How much of the header info could check and may show. */
enum describe_trust {
	DESCRIBE_UNVERIFIED, /* no header key: the plaintext part, not authenticated */
	DESCRIBE_VERIFIED,   /* opened with the header key: PSW and SCF, not the keys */
	DESCRIBE_DECRYPTED,  /* opened, and the keys were asked for (--show-secrets) */
};

struct describe_info_opts {
	enum describe_trust trust;
	bool full;			   /* text: every field (pvimg's text:full) */
	const char *tool_version;	   /* meta.version */
	time_t now;			   /* meta.time_epoch */
	const struct guest_memory *memory; /* the memory the image needs, or NULL */
};

/* Names of the set control flags, comma-separated, into @buf ("none" if none). */
void describe_flags(uint64_t pcf, uint64_t scf, char *buf, size_t len);

/* Human name of a component id ("kernel", ...; "component" for unknown ids). */
const char *describe_component_name(uint16_t id, bool legacy);

/* Layout, header plaintext fields and key-slot hashes, as text (info, verify). */
void describe_image_text(FILE *out, const struct image_view *v, const struct se_hdr *hdr);

/* info as text: layout, header fields, key slots, the attestation reference values. */
void describe_info_text(FILE *out, const struct image_view *v, const struct se_hdr *hdr,
			const struct describe_info_opts *o);

/* info as pvimg's JSON document { "meta", "data", "segen" }. */
int describe_info_json(const struct image_view *v, const struct se_hdr *hdr,
		       const struct describe_info_opts *o, json_object **ret_doc);

/*
 * segen's facts about the image as members of @obj: path, size, layout, where the
 * header and IPIB are, the component table. With @header_fields also the
 * plaintext header fields (verify's document, which has no pvimg "data").
 */
int describe_image_json(json_object *obj, const struct image_view *v, const struct se_hdr *hdr,
			bool header_fields);

/* The memory an image needs (inspect/guest_memory.h): a text line, a JSON object. */
void describe_guest_memory_text(FILE *out, const struct guest_memory *m);
int describe_guest_memory_json(json_object *obj, const struct guest_memory *m);

#endif /* SEGEN_DESCRIBE_H */
