// SPDX-License-Identifier: MIT
/*
 * Baseline for tests and the benchmark: the slot search of Linux 6.1
 * (kernel/dma/swiotlb.c, as in Debian's linux-source-6.1), written here
 * from its behaviour. Per area a spin lock, a "next search" index and a
 * use count; per slot a count of the free slots that follow it inside its
 * segment. A search walks the area from the index, wrapping once, in steps
 * of the stride (one slot after an alignment mismatch); a release walks
 * back to merge with the free slots before it.
 *
 * One deliberate difference: 6.1 stops the walk only when it comes back to
 * its starting index, which a step of one after a mismatch can skip past
 * (the loop then never ends; fixed upstream in 6.3 by counting the slots
 * checked). This copy stops at either condition.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct linux61_area {
	struct spinlock lock;
	uint64_t used;
	uint64_t index;
} __attribute__((aligned(CACHE_LINE)));

struct linux61_state {
	const struct swiotlb_pool *pool;
	struct linux61_area *areas;
	uint32_t *list; /* per slot: free slots from here to the end of its segment, or 0 */
};

static inline uint64_t segment_offset(uint64_t index)
{
	return index & (SWIOTLB_SEGMENT_SLOTS - 1);
}

static inline uint64_t wrap_area_index(const struct swiotlb_pool *pool, uint64_t index)
{
	return index >= pool->area_nslabs ? 0 : index;
}

/* iommu_is_span_boundary(): would the run cross a multiple of boundary_size? */
static inline bool is_span_boundary(uint64_t index, uint64_t nr, uint64_t shift,
				    uint64_t boundary_size)
{
	uint64_t offset = (shift + index) & (boundary_size - 1);

	return offset + nr > boundary_size;
}

static int64_t linux61_find(void *state, const struct alloc_request *req, unsigned int area_index)
{
	struct linux61_state *st = state;
	const struct swiotlb_pool *pool = st->pool;
	struct linux61_area *area = &st->areas[area_index];
	uint64_t boundary_mask = req->boundary_mask ? req->boundary_mask : ~0ull;
	uint64_t tbl_dma_addr = pool->dma_base & boundary_mask;
	uint64_t max_slots = boundary_mask == ~0ull ? 1ull << (64 - SWIOTLB_SLOT_SHIFT) :
						      (boundary_mask + 1) >> SWIOTLB_SLOT_SHIFT;
	uint64_t nslots = req->nslots, stride = req->stride;
	uint64_t slot_base, index, wrap, slot_index, checked = 0, count = 0;

	spin_lock(&area->lock);
	if (nslots > pool->area_nslabs - area->used)
		goto not_found;
	slot_base = area_index * pool->area_nslabs;
	index = wrap = wrap_area_index(pool, (area->index + stride - 1) / stride * stride);
	do {
		slot_index = slot_base + index;
		if (req->orig_addr &&
		    ((tbl_dma_addr + (slot_index << SWIOTLB_SLOT_SHIFT)) & req->iotlb_align_mask) !=
			    (req->orig_addr & req->iotlb_align_mask)) {
			index = wrap_area_index(pool, index + 1);
			checked++;
			continue;
		}
		if (!is_span_boundary(slot_index, nslots, tbl_dma_addr >> SWIOTLB_SLOT_SHIFT,
				      max_slots) &&
		    st->list[slot_index] >= nslots)
			goto found;
		index = wrap_area_index(pool, index + stride);
		checked += stride;
	} while (index != wrap && checked < pool->area_nslabs);

not_found:
	spin_unlock(&area->lock);
	return -ENOSPC;

found:
	for (uint64_t i = slot_index; i < slot_index + nslots; i++)
		st->list[i] = 0;
	/* The free slots before the run now end where it starts. */
	for (uint64_t i = slot_index - 1;
	     segment_offset(i) != SWIOTLB_SEGMENT_SLOTS - 1 && st->list[i]; i--)
		st->list[i] = (uint32_t)++count;
	area->index = index + nslots < pool->area_nslabs ? index + nslots : 0;
	area->used += nslots;
	spin_unlock(&area->lock);
	return (int64_t)slot_index;
}

static void linux61_release(void *state, uint64_t index, unsigned int nslots)
{
	struct linux61_state *st = state;
	struct linux61_area *area = &st->areas[index / st->pool->area_nslabs];
	uint64_t count = 0, seg_end = (index / SWIOTLB_SEGMENT_SLOTS + 1) * SWIOTLB_SEGMENT_SLOTS;

	spin_lock(&area->lock);
	if (index + nslots < seg_end)
		count = st->list[index + nslots];
	for (uint64_t i = index + nslots; i-- > index;)
		st->list[i] = (uint32_t)++count;
	for (uint64_t i = index - 1; segment_offset(i) != SWIOTLB_SEGMENT_SLOTS - 1 && st->list[i];
	     i--)
		st->list[i] = (uint32_t)++count;
	area->used -= nslots;
	spin_unlock(&area->lock);
}

static bool linux61_slot_is_free(void *state, uint64_t index)
{
	struct linux61_state *st = state;
	struct linux61_area *area = &st->areas[index / st->pool->area_nslabs];
	bool is_free;

	spin_lock(&area->lock);
	is_free = st->list[index] != 0;
	spin_unlock(&area->lock);
	return is_free;
}

static void linux61_fini(void *state)
{
	struct linux61_state *st = state;

	if (!st)
		return;
	free(st->areas);
	free(st->list);
	free(st);
}

static int linux61_init(const struct swiotlb_pool *pool, void **ret_state)
{
	struct linux61_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	st->pool = pool;
	st->areas = aligned_alloc(CACHE_LINE, pool->nareas * sizeof(*st->areas));
	st->list = malloc(pool->nslabs * sizeof(*st->list));
	if (!st->areas || !st->list) {
		linux61_fini(st);
		return -ENOMEM;
	}
	memset(st->areas, 0, pool->nareas * sizeof(*st->areas));
	for (unsigned int i = 0; i < pool->nareas; i++)
		spin_init(&st->areas[i].lock);
	for (uint64_t i = 0; i < pool->nslabs; i++)
		st->list[i] = (uint32_t)(SWIOTLB_SEGMENT_SLOTS - segment_offset(i));
	*ret_state = st;
	return 0;
}

const struct alloc_ops alloc_linux61_ops = {
	.name = "linux-6.1",
	.init = linux61_init,
	.fini = linux61_fini,
	.find = linux61_find,
	.release = linux61_release,
	.slot_is_free = linux61_slot_is_free,
};
