/* SPDX-License-Identifier: MIT */
/*
 * Traces of SWIOTLB map and unmap events, and their replay against a pool.
 * Two input formats (docs/swiotlb.md has the exact commands that record the
 * first in a guest):
 *  - the kernel's trace output with three kprobe events on
 *    swiotlb_tbl_map_single (entry and return) and swiotlb_tbl_unmap_single;
 *  - CSV: "map,ID,SIZE[,ALLOC_SIZE,ALLOC_ALIGN_MASK,MIN_ALIGN_MASK,
 *    BOUNDARY_MASK,CPU[,TIME_NS]]" and "unmap,ID[,TIME_NS]", '#' comments.
 * A malformed line is refused with its line number; lines of other trace
 * events, comments and blank lines are ignored.
 */
#ifndef SWIOTLB_TRACE_H
#define SWIOTLB_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "swiotlb.h"

#define TRACE_MAX_EVENTS (64u << 20)
#define TRACE_MAX_FILE (4ull << 30)
#define TRACE_MAX_LINE 4096u

enum trace_op {
	TRACE_MAP,
	TRACE_UNMAP
};

struct trace_event {
	uint64_t time_ns;
	uint64_t id; /* pairs an unmap with its map */
	uint64_t orig_addr;
	uint64_t alloc_align_mask;
	uint64_t min_align_mask;
	uint64_t boundary_mask;
	uint32_t size;
	uint32_t alloc_size;
	uint32_t cpu;
	uint8_t op;
	uint8_t guest_failed; /* the recorded map failed in the guest */
};

struct trace {
	struct trace_event *events;
	size_t nr_events, cap;
	uint32_t max_cpu;
	uint64_t guest_failures;
	int has_time;
	uint32_t *map_sizes; /* trace_map_sizes() */
};

/*
 * Parse @len bytes of trace text. On a malformed line, -EINVAL and
 * "line N: reason" in @err. Appends to @trace (zeroed before the first call).
 */
int trace_parse(const char *text, size_t len, struct trace *trace, char *err, size_t errlen);

/* Read and parse a file (or "-" for stdin); errors name the file and line. */
int trace_load_file(const char *path, struct trace *trace, char *err, size_t errlen);

void trace_free(struct trace *trace);

/* The sizes of all map events, in order (points into a cache kept in @trace). */
const uint32_t *trace_map_sizes(struct trace *trace, size_t *ret_nr);

#define REPLAY_OCCUPANCY_BUCKETS 10

struct replay_config {
	struct swiotlb_config pool;
};

struct replay_result {
	uint64_t maps, unmaps, failures;
	uint64_t first_failure_event; /* index + 1, 0 when none */
	uint64_t peak_slots;
	/* The free space when the peak was reached, and at the first failure. */
	struct swiotlb_free_extents at_peak, at_failure;
	/* Share of events, and of trace time, spent at each tenth of occupancy. */
	uint64_t events_at[REPLAY_OCCUPANCY_BUCKETS];
	uint64_t ns_at[REPLAY_OCCUPANCY_BUCKETS];
};

/* Replay @trace in order against a new pool built from @cfg. */
int trace_replay(const struct trace *trace, const struct replay_config *cfg,
		 struct replay_result *ret_result);

#endif /* SWIOTLB_TRACE_H */
