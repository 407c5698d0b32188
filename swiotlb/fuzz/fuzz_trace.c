// SPDX-License-Identifier: MIT
/* Fuzz target: the trace parser (kernel format and CSV), then a replay of what parsed. */
#include <stdint.h>
#include <stdlib.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace t = { 0 };
	char err[256];

	if (trace_parse((const char *)data, size, &t, err, sizeof(err)) == 0 && t.nr_events) {
		struct replay_config rc = {
			.pool = { .nslabs = 1024, .nareas = 2, .allocator = SWIOTLB_ALLOC_BITMAP },
		};
		struct replay_result res;

		if (trace_replay(&t, &rc, &res) < 0)
			abort();
		/* The pool can never report more in use than it has. */
		if (res.peak_slots > 1024)
			abort();
	}
	trace_free(&t);
	return 0;
}
