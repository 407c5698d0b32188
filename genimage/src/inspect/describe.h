/* SPDX-License-Identifier: MIT */
/* Describing an image for people (text) and programs (JSON): info, verify, boot-test. */
#ifndef SEGEN_DESCRIBE_H
#define SEGEN_DESCRIBE_H

#include <stdio.h>

#include "inspect/guest_memory.h"
#include "inspect/image_read.h"
#include "base/jsonw.h"
#include "format/sehdr.h"

/* Names of the set control flags, comma-separated, into @buf ("none" if none). */
void describe_flags(uint64_t pcf, uint64_t scf, char *buf, size_t len);

/* Human name of a component id ("kernel", ...; "component" for unknown ids). */
const char *describe_component_name(uint16_t id, bool legacy);

/* Layout, header plaintext fields and key-slot hashes, as text. */
void describe_image_text(FILE *out, const struct image_view *v, const struct se_hdr *hdr);

/* The same as members of the current JSON object. */
void describe_image_json(struct jsonw *w, const struct image_view *v, const struct se_hdr *hdr);

/* The memory an image needs (inspect/guest_memory.h): a text line, a JSON object. */
void describe_guest_memory_text(FILE *out, const struct guest_memory *m);
void describe_guest_memory_json(struct jsonw *w, const struct guest_memory *m);

#endif /* SEGEN_DESCRIBE_H */
