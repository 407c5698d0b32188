// SPDX-License-Identifier: MIT
/*
 * Replaying a trace against a pool: every map and unmap in trace order, on
 * the CPU that made it, with its sizes and alignments. A map the pool
 * refuses is a failure, and the later unmap of it is dropped. A map that
 * failed in the guest is tried too; if it fits here it is released at once,
 * since the guest never used it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "u64map.h"

/*
 * Original buffers: their address bits below 256 KiB are what alignment
 * sees; no map copies more than a segment.
 */
#define SCRATCH_SIZE (3 * SWIOTLB_SEGMENT_SIZE)

static unsigned int bucket_of(uint64_t used, uint64_t nslabs)
{
	uint64_t b = used * REPLAY_OCCUPANCY_BUCKETS / nslabs;

	return b >= REPLAY_OCCUPANCY_BUCKETS ? REPLAY_OCCUPANCY_BUCKETS - 1 : (unsigned int)b;
}

int trace_replay(const struct trace *trace, const struct replay_config *cfg,
		 struct replay_result *ret_result)
{
	struct replay_result res = { 0 };
	struct swiotlb_pool *pool = NULL;
	struct u64map live;
	uint8_t *scratch, *base;
	uint64_t extents_at = 0;
	int r;

	r = swiotlb_pool_new(&cfg->pool, &pool);
	if (r < 0)
		return r;
	scratch = calloc(1, SCRATCH_SIZE);
	if (!scratch || u64map_init(&live) < 0) {
		free(scratch);
		swiotlb_pool_free(pool);
		return -ENOMEM;
	}
	base = (uint8_t *)(((uintptr_t)scratch + SWIOTLB_SEGMENT_SIZE - 1) &
			   ~(uintptr_t)(SWIOTLB_SEGMENT_SIZE - 1));
	for (size_t i = 0; i < trace->nr_events; i++) {
		const struct trace_event *ev = &trace->events[i];
		struct swiotlb_stats st;
		uint64_t addr;

		if (ev->op == TRACE_MAP) {
			struct swiotlb_device dev = { ev->min_align_mask, ev->boundary_mask };
			uint8_t *orig = base + (ev->orig_addr & (SWIOTLB_SEGMENT_SIZE - 1));

			res.maps++;
			r = swiotlb_map(pool, &dev, orig, ev->size, ev->alloc_size,
					ev->alloc_align_mask, SWIOTLB_TO_DEVICE, ev->cpu, &addr);
			if (r == 0 && ev->guest_failed) {
				swiotlb_unmap(pool, &dev, addr, ev->size, SWIOTLB_TO_DEVICE);
			} else if (r == 0) {
				if (u64map_put(&live, ev->id, addr) < 0) {
					r = -ENOMEM;
					break;
				}
			} else {
				res.failures++;
				if (!res.first_failure_event) {
					res.first_failure_event = i + 1;
					swiotlb_get_free_extents(pool, &res.at_failure);
				}
			}
			r = 0;
		} else if (u64map_get(&live, ev->id, &addr) == 0) {
			u64map_del(&live, ev->id);
			/* Size 1: unmap checks only the address; no copy back is needed. */
			swiotlb_unmap(pool, NULL, addr, 1, SWIOTLB_TO_DEVICE);
			res.unmaps++;
		}
		swiotlb_get_stats(pool, &st);
		if (st.used > res.peak_slots) {
			res.peak_slots = st.used;
			/* Walking the pool is costly: only when the peak grew by 1%. */
			if (st.used >= extents_at + cfg->pool.nslabs / 100 || !extents_at) {
				swiotlb_get_free_extents(pool, &res.at_peak);
				extents_at = st.used;
			}
		}
		res.events_at[bucket_of(st.used, cfg->pool.nslabs)]++;
		if (trace->has_time && i + 1 < trace->nr_events &&
		    trace->events[i + 1].time_ns > ev->time_ns)
			res.ns_at[bucket_of(st.used, cfg->pool.nslabs)] +=
				trace->events[i + 1].time_ns - ev->time_ns;
	}
	u64map_free(&live);
	free(scratch);
	swiotlb_pool_free(pool);
	if (r < 0)
		return r;
	*ret_result = res;
	return 0;
}
