// SPDX-License-Identifier: MIT
/*
 * Fuzz target: info's description of whatever header parses (text and the
 * JSON document in every shape), so no parsed header makes it read out of
 * bounds or fail. Run with `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "inspect/describe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct image_view view;
	static FILE *sink;
	struct se_hdr hdr;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink || size > sizeof(view.hdr_buf) ||
	    se_hdr_parse(data, size, &hdr, NULL, NULL, NULL) != 0)
		return 0;
	memset(&view, 0, sizeof(view));
	memcpy(view.hdr_buf, data, size);
	view.path = "fuzz.img";
	view.hdr_len = size;
	view.hdr_addr = 0x14000;
	for (int trust = DESCRIBE_UNVERIFIED; trust <= DESCRIBE_DECRYPTED; trust++) {
		struct describe_info_opts o = {
			.trust = (enum describe_trust)trust,
			.full = true,
			.tool_version = "fuzz",
		};
		json_object *doc = NULL;

		describe_info_text(sink, &view, &hdr, &o);
		if (describe_info_json(&view, &hdr, &o, &doc) != 0 ||
		    json_write(sink, doc, trust == DESCRIBE_VERIFIED))
			__builtin_trap();
		json_object_put(doc);
	}
	return 0;
}
