/* SPDX-License-Identifier: MIT */
/*
 * What the pool (pool.c) and its allocators share. The pool owns the slot
 * memory, the per-slot record of what is mapped where, the statistics and
 * the copy semantics; an allocator owns only the question "which run of
 * free slots", behind struct alloc_ops.
 */
#ifndef SWIOTLB_INTERNAL_H
#define SWIOTLB_INTERNAL_H

#include <stdatomic.h>

#include "spinlock.h"
#include "swiotlb.h"

#define CACHE_LINE 64

/*
 * One run of slots to find. All addresses are DMA addresses; the
 * constraints are the kernel's (swiotlb_do_find_slots() in Linux 6.1).
 */
struct alloc_request {
	unsigned int nslots;
	/* Start positions searched: every stride-th slot of an area. */
	unsigned int stride;
	/* Bits of a slot's address that must equal those of orig_addr. */
	uint64_t iotlb_align_mask;
	/*
	 * Bits of the run's first address that must be zero: the allocation
	 * alignment, and page alignment for buffers of a page or more. The
	 * baseline expresses the same through stride, as 6.1 does.
	 */
	uint64_t zero_mask;
	uint64_t orig_addr;
	/* The run must not cross a multiple of boundary_mask + 1 (0: no limit). */
	uint64_t boundary_mask;
};

struct alloc_ops {
	const char *name;
	int (*init)(const struct swiotlb_pool *pool, void **ret_state);
	void (*fini)(void *state);
	/* A free run for @req, marked used; its first slot index, or -ENOSPC. */
	int64_t (*find)(void *state, const struct alloc_request *req, unsigned int area);
	void (*release)(void *state, uint64_t index, unsigned int nslots);
	/* Is slot @index free? For statistics and tests; takes the area's lock. */
	bool (*slot_is_free)(void *state, uint64_t index);
};

/*
 * What is mapped at a run of slots, kept at the run's first slot and valid
 * only there. Written by the mapping's owner only, between find and release.
 */
struct mapping_record {
	void *orig;	       /* the caller's buffer */
	uint32_t mapping_size; /* bytes copied in and out */
	uint32_t alloc_size;   /* bytes asked for, >= mapping_size */
	uint32_t offset;       /* the minimum-alignment offset into the first slot */
	uint32_t nslots;
};

/* Counters kept per area so threads on different areas do not share lines. */
struct area_counters {
	/* Slots in use in this area: by slot, not by the CPU that mapped them. */
	_Atomic uint64_t used;
	_Atomic uint64_t maps;
	_Atomic uint64_t unmaps;
	_Atomic uint64_t fail_too_big;
	_Atomic uint64_t fail_full;
	_Atomic uint64_t fail_fragmented;
	_Atomic uint64_t fail_invalid;
} __attribute__((aligned(CACHE_LINE)));

struct swiotlb_pool {
	uint8_t *vaddr;
	size_t size;
	uint64_t dma_base;
	bool own_region;
	uint64_t nslabs;
	unsigned int nareas;
	uint64_t area_nslabs;
	struct swiotlb_share_ops share;
	bool shared;

	/* Per slot: the first slot of the mapping it belongs to, or NO_HEAD. */
	uint32_t *heads;
	struct mapping_record *maps; /* indexed by first slot */
	const struct alloc_ops *ops;
	void *alloc_state;

	struct area_counters *counters; /* nareas of them */
	/*
	 * Most slots in use at once. Only a new maximum writes it; use itself
	 * is counted per area, so CPUs mapping in their own areas do not
	 * contend for one line on every map and unmap.
	 */
	_Atomic uint64_t high_water __attribute__((aligned(CACHE_LINE)));
};

extern const struct alloc_ops alloc_bitmap_ops;
/* Weak: present only when the baseline library is linked. */
extern const struct alloc_ops alloc_linux61_ops __attribute__((weak));

static inline uint64_t slot_dma_addr(const struct swiotlb_pool *pool, uint64_t index)
{
	return pool->dma_base + (index << SWIOTLB_SLOT_SHIFT);
}

/* Does a run of @nslots from slot @index cross the request's boundary? */
static inline bool crosses_boundary(const struct swiotlb_pool *pool, uint64_t index,
				    unsigned int nslots, uint64_t boundary_mask)
{
	uint64_t first = slot_dma_addr(pool, index);
	uint64_t last = first + ((uint64_t)nslots << SWIOTLB_SLOT_SHIFT) - 1;

	return boundary_mask && (first & ~boundary_mask) != (last & ~boundary_mask);
}

#endif /* SWIOTLB_INTERNAL_H */
