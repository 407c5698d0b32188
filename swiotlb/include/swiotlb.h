/* SPDX-License-Identifier: MIT */
/*
 * libswiotlb: the bounce-buffer pool a protected guest does all its I/O
 * through, as a portable library. It follows the Linux kernel's rules (2 KiB
 * slots, segments of 128 slots, per-CPU areas, the device's minimum
 * alignment mask, the allocation alignment, the segment boundary mask, at
 * most 256 KiB per mapping) and its copy semantics (map always copies the
 * original buffer in), and lets the caller decide what "shared" means.
 *
 * Every function returns 0 or a negative errno; outputs are written only on
 * success. The pool is safe to use from several threads at once; the caller
 * names the CPU (any number; it picks the area the search starts in).
 */
#ifndef SWIOTLB_H
#define SWIOTLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWIOTLB_SLOT_SHIFT 11
#define SWIOTLB_SLOT_SIZE (1u << SWIOTLB_SLOT_SHIFT)
#define SWIOTLB_SEGMENT_SLOTS 128u
#define SWIOTLB_SEGMENT_SIZE (SWIOTLB_SLOT_SIZE * SWIOTLB_SEGMENT_SLOTS)
#define SWIOTLB_PAGE_SIZE 4096u
/* Limits of a pool this library accepts: 1 segment to 64 GiB, 1 to 1024 areas. */
#define SWIOTLB_MAX_SLABS (1ull << 25)
#define SWIOTLB_MAX_AREAS 1024u

/* The kernel's enum dma_data_direction, same values. */
enum swiotlb_dir {
	SWIOTLB_BIDIRECTIONAL = 0,
	SWIOTLB_TO_DEVICE = 1,
	SWIOTLB_FROM_DEVICE = 2,
};

enum swiotlb_allocator {
	/* This library's allocator (docs/swiotlb.md). */
	SWIOTLB_ALLOC_BITMAP = 0,
	/*
	 * The Linux 6.1 allocator re-implemented, for comparison and for
	 * modelling a guest kernel. Only present when the baseline object is
	 * linked in (tests, the benchmark, swiotlb-replay).
	 */
	SWIOTLB_ALLOC_LINUX61 = 1,
};

/*
 * Called once for every 4 KiB page of the pool when it is created (share)
 * and destroyed (unshare), like set_memory_decrypted()/encrypted() in a
 * protected guest. A failing share makes pool creation fail; the pages
 * shared so far are unshared again.
 */
struct swiotlb_share_ops {
	int (*share)(void *ctx, void *page, uint64_t dma_addr);
	int (*unshare)(void *ctx, void *page, uint64_t dma_addr);
	void *ctx;
};

struct swiotlb_config {
	uint64_t nslabs;     /* slots of 2 KiB: a multiple of 128 */
	unsigned int nareas; /* a power of two; every area holds whole segments */
	/*
	 * Memory for the slots, nslabs * 2 KiB, aligned to 256 KiB; or NULL
	 * for memory of the pool's own. A caller-provided region can be a
	 * shared mapping another process sees (a memfd).
	 */
	void *region;
	/* DMA address of the region's first byte; 0 means the address itself. */
	uint64_t dma_base;
	const struct swiotlb_share_ops *share;
	enum swiotlb_allocator allocator;
};

/* What the kernel knows of the device doing the DMA. */
struct swiotlb_device {
	uint64_t min_align_mask;    /* dma_get_min_align_mask(); 0 for most devices */
	uint64_t seg_boundary_mask; /* dma_get_seg_boundary(); 0 means none */
};

struct swiotlb_stats {
	uint64_t nslabs;
	uint64_t used;	     /* slots in use now */
	uint64_t high_water; /* most slots in use at once since creation or reset */
	uint64_t maps;	     /* successful maps */
	uint64_t unmaps;
	uint64_t fail_too_big;	  /* mapping larger than a segment allows */
	uint64_t fail_full;	  /* fewer free slots than asked for */
	uint64_t fail_fragmented; /* enough free slots, but no run that fits */
	uint64_t fail_invalid;	  /* bad arguments: unknown address, sizes, direction */
};

/* Free-space shape of the pool, for sizing and fragmentation reports. */
struct swiotlb_free_extents {
	uint64_t free_slots;
	uint64_t free_runs;	/* maximal runs of free slots inside segments */
	uint64_t largest_run;	/* in slots, at most 128 */
	uint64_t free_segments; /* segments with every slot free */
};

struct swiotlb_pool;

/*
 * Parse the value of the kernel parameter "swiotlb=<slabs>[,<areas>][,force]"
 * into @cfg (nslabs, nareas; other fields untouched) with the kernel's
 * rounding: slabs up to a multiple of 128, areas up to a power of two.
 * A missing area count leaves cfg->nareas alone. Returns -EINVAL with a
 * one-line reason in @reason (may be NULL).
 */
int swiotlb_config_parse(const char *value, struct swiotlb_config *cfg, const char **reason);

/* Is @cfg a pool this library can build? -EINVAL and a one-line reason if not. */
int swiotlb_config_check(const struct swiotlb_config *cfg, const char **reason);

int swiotlb_pool_new(const struct swiotlb_config *cfg, struct swiotlb_pool **ret_pool);
void swiotlb_pool_free(struct swiotlb_pool *pool);

/*
 * Map @mapping_size bytes at @orig for DMA through a bounce buffer of
 * @alloc_size bytes (>= mapping_size; the kernel's alloc_size), aligned as
 * @alloc_align_mask asks. The original bytes are always copied in, whatever
 * the direction, so the device never sees what an earlier user left there;
 * the rest of the bounce buffer is cleared. @cpu picks the area the search
 * starts in. Returns -E2BIG when no segment can hold it, -ENOSPC when the
 * pool has no room, -EINVAL on bad arguments.
 */
int swiotlb_map(struct swiotlb_pool *pool, const struct swiotlb_device *dev, void *orig,
		size_t mapping_size, size_t alloc_size, uint64_t alloc_align_mask,
		enum swiotlb_dir dir, unsigned int cpu, uint64_t *ret_dma_addr);

/*
 * Copy back (FROM_DEVICE, BIDIRECTIONAL) and release a mapping. @dma_addr
 * must be what swiotlb_map() returned and @mapping_size at most what was
 * mapped; anything else is refused with -EINVAL and changes nothing.
 */
int swiotlb_unmap(struct swiotlb_pool *pool, const struct swiotlb_device *dev, uint64_t dma_addr,
		  size_t mapping_size, enum swiotlb_dir dir);

/*
 * Partial syncs inside a live mapping: @dma_addr may point anywhere in it,
 * @size must stay inside it. for_cpu copies device data back (FROM_DEVICE,
 * BIDIRECTIONAL); for_device copies the original in (TO_DEVICE,
 * BIDIRECTIONAL).
 */
int swiotlb_sync_for_cpu(struct swiotlb_pool *pool, const struct swiotlb_device *dev,
			 uint64_t dma_addr, size_t size, enum swiotlb_dir dir);
int swiotlb_sync_for_device(struct swiotlb_pool *pool, const struct swiotlb_device *dev,
			    uint64_t dma_addr, size_t size, enum swiotlb_dir dir);

/* Where the pool's memory is: its address here, its DMA address, its size. */
void swiotlb_get_region(const struct swiotlb_pool *pool, void **ret_vaddr, uint64_t *ret_dma_base,
			size_t *ret_size);

/* The pool's memory at @dma_addr (what the device sees), or NULL outside it. */
void *swiotlb_dma_to_virt(const struct swiotlb_pool *pool, uint64_t dma_addr);

/* The largest mapping a device can get (the kernel's swiotlb_max_mapping_size()). */
size_t swiotlb_max_mapping_size(const struct swiotlb_device *dev);

void swiotlb_get_stats(const struct swiotlb_pool *pool, struct swiotlb_stats *ret_stats);
/* Restart the high-water mark from the current use (debugfs io_tlb_used_hiwater). */
void swiotlb_reset_high_water(struct swiotlb_pool *pool);
/* Walk the pool's free space; not atomic against concurrent maps. */
void swiotlb_get_free_extents(const struct swiotlb_pool *pool,
			      struct swiotlb_free_extents *ret_extents);

#endif /* SWIOTLB_H */
