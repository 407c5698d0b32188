// SPDX-License-Identifier: MIT
/*
 * The pool: slot memory, what is mapped where, the copy semantics and the
 * statistics. Which free run a mapping gets is the allocator's business
 * (alloc_bitmap.c, or the Linux 6.1 baseline).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define NO_HEAD UINT32_MAX

static const struct swiotlb_device no_device;

static const struct alloc_ops *pick_ops(enum swiotlb_allocator allocator)
{
	if (allocator == SWIOTLB_ALLOC_BITMAP)
		return &alloc_bitmap_ops;
	return &alloc_linux61_ops ? &alloc_linux61_ops : NULL;
}

static void unshare_pages(struct swiotlb_pool *pool, size_t upto)
{
	if (!pool->share.unshare)
		return;
	for (size_t off = 0; off < upto; off += SWIOTLB_PAGE_SIZE)
		pool->share.unshare(pool->share.ctx, pool->vaddr + off, pool->dma_base + off);
}

static int share_pages(struct swiotlb_pool *pool)
{
	if (!pool->share.share)
		return 0;
	for (size_t off = 0; off < pool->size; off += SWIOTLB_PAGE_SIZE) {
		int r = pool->share.share(pool->share.ctx, pool->vaddr + off, pool->dma_base + off);

		if (r < 0) {
			unshare_pages(pool, off);
			return r;
		}
	}
	return 0;
}

/* Anonymous memory aligned to a segment, so the alignment math holds. */
static void *map_aligned(size_t size)
{
	size_t span = size + SWIOTLB_SEGMENT_SIZE;
	uint8_t *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start, end;

	if (raw == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)raw + SWIOTLB_SEGMENT_SIZE - 1) &
		~(uintptr_t)(SWIOTLB_SEGMENT_SIZE - 1);
	end = start + size;
	if (start > (uintptr_t)raw)
		munmap(raw, start - (uintptr_t)raw);
	if ((uintptr_t)raw + span > end)
		munmap((void *)end, (uintptr_t)raw + span - end);
	return (void *)start;
}

int swiotlb_pool_new(const struct swiotlb_config *cfg, struct swiotlb_pool **ret_pool)
{
	struct swiotlb_pool *pool;
	int r = swiotlb_config_check(cfg, NULL);

	if (r < 0)
		return r;
	if (!pick_ops(cfg->allocator))
		return -EOPNOTSUPP;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->nslabs = cfg->nslabs;
	pool->nareas = cfg->nareas;
	pool->area_nslabs = cfg->nslabs / cfg->nareas;
	pool->size = (size_t)cfg->nslabs << SWIOTLB_SLOT_SHIFT;
	pool->ops = pick_ops(cfg->allocator);
	if (cfg->share)
		pool->share = *cfg->share;
	if (cfg->region) {
		pool->vaddr = cfg->region;
	} else {
		pool->vaddr = map_aligned(pool->size);
		pool->own_region = true;
		if (!pool->vaddr) {
			r = -ENOMEM;
			goto fail;
		}
	}
	pool->dma_base = cfg->dma_base ? cfg->dma_base : (uintptr_t)pool->vaddr;
	pool->heads = malloc(cfg->nslabs * sizeof(*pool->heads));
	pool->maps = calloc(cfg->nslabs, sizeof(*pool->maps));
	pool->counters = aligned_alloc(CACHE_LINE, cfg->nareas * sizeof(*pool->counters));
	if (!pool->heads || !pool->maps || !pool->counters) {
		r = -ENOMEM;
		goto fail;
	}
	for (uint64_t i = 0; i < cfg->nslabs; i++)
		pool->heads[i] = NO_HEAD;
	memset(pool->counters, 0, cfg->nareas * sizeof(*pool->counters));
	atomic_init(&pool->high_water, 0);
	r = pool->ops->init(pool, &pool->alloc_state);
	if (r < 0)
		goto fail;
	r = share_pages(pool);
	if (r < 0) {
		pool->ops->fini(pool->alloc_state);
		goto fail;
	}
	pool->shared = true;
	/* Whatever the memory held before, the device starts from zeros. */
	if (!pool->own_region)
		memset(pool->vaddr, 0, pool->size);
	*ret_pool = pool;
	return 0;
fail:
	if (pool->own_region && pool->vaddr)
		munmap(pool->vaddr, pool->size);
	free(pool->heads);
	free(pool->maps);
	free(pool->counters);
	free(pool);
	return r;
}

void swiotlb_pool_free(struct swiotlb_pool *pool)
{
	if (!pool)
		return;
	if (pool->shared)
		unshare_pages(pool, pool->size);
	pool->ops->fini(pool->alloc_state);
	if (pool->own_region)
		munmap(pool->vaddr, pool->size);
	free(pool->heads);
	free(pool->maps);
	free(pool->counters);
	free(pool);
}

static bool dir_is_valid(enum swiotlb_dir dir)
{
	return dir == SWIOTLB_BIDIRECTIONAL || dir == SWIOTLB_TO_DEVICE ||
	       dir == SWIOTLB_FROM_DEVICE;
}

static struct area_counters *counters_for(struct swiotlb_pool *pool, unsigned int cpu)
{
	return &pool->counters[cpu & (pool->nareas - 1)];
}

static void count(_Atomic uint64_t *counter)
{
	atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

size_t swiotlb_max_mapping_size(const struct swiotlb_device *dev)
{
	uint64_t min_align = 0;

	if (dev && dev->min_align_mask)
		min_align = (dev->min_align_mask + SWIOTLB_SLOT_SIZE) &
			    ~(uint64_t)(SWIOTLB_SLOT_SIZE - 1);
	if (min_align >= SWIOTLB_SEGMENT_SIZE)
		return 0;
	return SWIOTLB_SEGMENT_SIZE - (size_t)min_align;
}

/*
 * The constraints of Linux 6.1's swiotlb_do_find_slots(): the device's
 * minimum alignment applies to the address bits above the slot offset not
 * already covered by the allocation alignment; buffers of a page or more
 * start page aligned when nothing else constrains them.
 */
static void build_request(const struct swiotlb_device *dev, uint64_t orig_addr, size_t total,
			  uint64_t alloc_align_mask, unsigned int nslots, struct alloc_request *req)
{
	uint64_t align_mask = alloc_align_mask | (SWIOTLB_SLOT_SIZE - 1);
	uint64_t iotlb_align_mask = dev->min_align_mask & ~align_mask;
	uint64_t stride = (iotlb_align_mask >> SWIOTLB_SLOT_SHIFT) + 1;
	uint64_t zero_mask = align_mask;

	if (total >= SWIOTLB_PAGE_SIZE) {
		stride = stride > (stride << 1) ? stride : stride << 1;
		if (!iotlb_align_mask)
			zero_mask |= SWIOTLB_PAGE_SIZE - 1;
	}
	if (stride < (align_mask >> SWIOTLB_SLOT_SHIFT) + 1)
		stride = (align_mask >> SWIOTLB_SLOT_SHIFT) + 1;
	*req = (struct alloc_request){
		.nslots = nslots,
		.stride = stride > UINT32_MAX ? UINT32_MAX : (unsigned int)stride,
		.iotlb_align_mask = iotlb_align_mask,
		.zero_mask = zero_mask & ~iotlb_align_mask & ~(uint64_t)(SWIOTLB_SLOT_SIZE - 1),
		.orig_addr = orig_addr,
		.boundary_mask = dev->seg_boundary_mask,
	};
}

/* Slots in use in the whole pool: the areas' counts added up. */
static uint64_t pool_used(const struct swiotlb_pool *pool)
{
	uint64_t used = 0;

	for (unsigned int i = 0; i < pool->nareas; i++)
		used += atomic_load_explicit(&pool->counters[i].used, memory_order_relaxed);
	return used;
}

static struct area_counters *counters_of_slot(struct swiotlb_pool *pool, uint64_t index)
{
	return &pool->counters[index / pool->area_nslabs];
}

/*
 * Exact for one CPU; with several, the sum may miss what other CPUs map or
 * release at the same instant, as any reading of a moving total does.
 */
static void account_used(struct swiotlb_pool *pool, uint64_t index, unsigned int nslots)
{
	uint64_t now, high;

	atomic_fetch_add_explicit(&counters_of_slot(pool, index)->used, nslots,
				  memory_order_relaxed);
	now = pool_used(pool);
	high = atomic_load_explicit(&pool->high_water, memory_order_relaxed);
	while (now > high &&
	       !atomic_compare_exchange_weak_explicit(&pool->high_water, &high, now,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

int swiotlb_map(struct swiotlb_pool *pool, const struct swiotlb_device *dev, void *orig,
		size_t mapping_size, size_t alloc_size, uint64_t alloc_align_mask,
		enum swiotlb_dir dir, unsigned int cpu, uint64_t *ret_dma_addr)
{
	struct area_counters *ctr = counters_for(pool, cpu);
	uint64_t orig_addr = (uintptr_t)orig, offset, total, max_total;
	struct alloc_request req;
	struct mapping_record *head;
	unsigned int nslots, area = cpu & (pool->nareas - 1);
	uint8_t *tlb, *run;
	int64_t index = -ENOSPC;

	if (!dev)
		dev = &no_device;
	if (!orig || !mapping_size || mapping_size > alloc_size || !dir_is_valid(dir) ||
	    (dev->seg_boundary_mask && dev->seg_boundary_mask < SWIOTLB_SLOT_SIZE - 1)) {
		count(&ctr->fail_invalid);
		return -EINVAL;
	}
	offset = orig_addr & dev->min_align_mask & (SWIOTLB_SLOT_SIZE - 1);
	max_total = SWIOTLB_SEGMENT_SIZE;
	if (dev->seg_boundary_mask && dev->seg_boundary_mask + 1 < max_total)
		max_total = dev->seg_boundary_mask + 1;
	if (alloc_size > max_total || offset + alloc_size > max_total) {
		count(&ctr->fail_too_big);
		return -E2BIG;
	}
	total = alloc_size + offset;
	nslots = (unsigned int)((total + SWIOTLB_SLOT_SIZE - 1) >> SWIOTLB_SLOT_SHIFT);
	build_request(dev, orig_addr, total, alloc_align_mask, nslots, &req);
	for (unsigned int i = 0; i < pool->nareas && index < 0; i++)
		index = pool->ops->find(pool->alloc_state, &req, (area + i) & (pool->nareas - 1));
	if (index < 0) {
		if (pool_used(pool) + nslots > pool->nslabs)
			count(&ctr->fail_full);
		else
			count(&ctr->fail_fragmented);
		return -ENOSPC;
	}
	/*
	 * Count before copying: a locked instruction waits until every store
	 * before it has drained, and after a large copy that is most of it.
	 */
	account_used(pool, (uint64_t)index, nslots);
	count(&ctr->maps);

	head = &pool->maps[index];
	head->orig = orig;
	head->mapping_size = (uint32_t)mapping_size;
	head->alloc_size = (uint32_t)alloc_size;
	head->offset = (uint32_t)offset;
	head->nslots = nslots;
	for (unsigned int i = 0; i < nslots; i++)
		pool->heads[index + i] = (uint32_t)index;

	/*
	 * Always copy the original in, whatever the direction: a device that
	 * writes less than it was given must leave the caller's own bytes, not
	 * an earlier mapping's (CVE-2022-0854). Clear the slack too, so the
	 * device never sees what an earlier user left in these slots.
	 */
	run = pool->vaddr + ((uint64_t)index << SWIOTLB_SLOT_SHIFT);
	tlb = run + offset;
	memset(run, 0, offset);
	memcpy(tlb, orig, mapping_size);
	memset(tlb + mapping_size, 0,
	       ((size_t)nslots << SWIOTLB_SLOT_SHIFT) - offset - mapping_size);
	*ret_dma_addr = slot_dma_addr(pool, (uint64_t)index) + offset;
	return 0;
}

/* The live mapping @dma_addr points into, and the byte position inside it. */
static struct mapping_record *find_mapping(struct swiotlb_pool *pool, uint64_t dma_addr,
					   uint64_t *ret_index, uint64_t *ret_pos)
{
	uint64_t index, start;
	struct mapping_record *head;

	if (dma_addr < pool->dma_base || dma_addr - pool->dma_base >= pool->size)
		return NULL;
	index = (dma_addr - pool->dma_base) >> SWIOTLB_SLOT_SHIFT;
	if (pool->heads[index] == NO_HEAD)
		return NULL;
	index = pool->heads[index];
	head = &pool->maps[index];
	start = slot_dma_addr(pool, index) + head->offset;
	if (dma_addr < start)
		return NULL;
	*ret_index = index;
	*ret_pos = dma_addr - start;
	return head;
}

static void bounce(struct swiotlb_pool *pool, uint64_t index, uint64_t pos, size_t size,
		   enum swiotlb_dir to)
{
	const struct mapping_record *head = &pool->maps[index];
	uint8_t *tlb = pool->vaddr + (index << SWIOTLB_SLOT_SHIFT) + head->offset + pos;
	uint8_t *orig = (uint8_t *)head->orig + pos;

	if (to == SWIOTLB_TO_DEVICE)
		memcpy(tlb, orig, size);
	else
		memcpy(orig, tlb, size);
}

int swiotlb_unmap(struct swiotlb_pool *pool, const struct swiotlb_device *dev, uint64_t dma_addr,
		  size_t mapping_size, enum swiotlb_dir dir)
{
	struct area_counters *ctr;
	struct mapping_record *head;
	uint64_t pos, index = 0;
	unsigned int nslots;

	(void)dev;
	head = find_mapping(pool, dma_addr, &index, &pos);
	ctr = counters_for(pool, (unsigned int)(index / pool->area_nslabs));
	if (!head || pos != 0 || mapping_size > head->mapping_size || !dir_is_valid(dir)) {
		count(&ctr->fail_invalid);
		return -EINVAL;
	}
	if (dir == SWIOTLB_FROM_DEVICE || dir == SWIOTLB_BIDIRECTIONAL)
		bounce(pool, index, 0, mapping_size, SWIOTLB_FROM_DEVICE);
	nslots = head->nslots;
	for (unsigned int i = 0; i < nslots; i++)
		pool->heads[index + i] = NO_HEAD;
	head->orig = NULL;
	pool->ops->release(pool->alloc_state, index, nslots);
	atomic_fetch_sub_explicit(&counters_of_slot(pool, index)->used, nslots,
				  memory_order_relaxed);
	count(&ctr->unmaps);
	return 0;
}

static int sync(struct swiotlb_pool *pool, uint64_t dma_addr, size_t size, enum swiotlb_dir dir,
		enum swiotlb_dir to)
{
	struct mapping_record *head;
	uint64_t pos, index;

	if (!dir_is_valid(dir))
		return -EINVAL;
	head = find_mapping(pool, dma_addr, &index, &pos);
	/* Never copy outside the original buffer, whatever the caller says. */
	if (!head || pos > head->mapping_size || size > head->mapping_size - pos)
		return -EINVAL;
	if (dir == to || dir == SWIOTLB_BIDIRECTIONAL)
		bounce(pool, index, pos, size, to);
	return 0;
}

int swiotlb_sync_for_cpu(struct swiotlb_pool *pool, const struct swiotlb_device *dev,
			 uint64_t dma_addr, size_t size, enum swiotlb_dir dir)
{
	(void)dev;
	return sync(pool, dma_addr, size, dir, SWIOTLB_FROM_DEVICE);
}

int swiotlb_sync_for_device(struct swiotlb_pool *pool, const struct swiotlb_device *dev,
			    uint64_t dma_addr, size_t size, enum swiotlb_dir dir)
{
	(void)dev;
	return sync(pool, dma_addr, size, dir, SWIOTLB_TO_DEVICE);
}

void swiotlb_get_region(const struct swiotlb_pool *pool, void **ret_vaddr, uint64_t *ret_dma_base,
			size_t *ret_size)
{
	if (ret_vaddr)
		*ret_vaddr = pool->vaddr;
	if (ret_dma_base)
		*ret_dma_base = pool->dma_base;
	if (ret_size)
		*ret_size = pool->size;
}

void *swiotlb_dma_to_virt(const struct swiotlb_pool *pool, uint64_t dma_addr)
{
	if (dma_addr < pool->dma_base || dma_addr - pool->dma_base >= pool->size)
		return NULL;
	return pool->vaddr + (dma_addr - pool->dma_base);
}

void swiotlb_get_stats(const struct swiotlb_pool *pool, struct swiotlb_stats *ret_stats)
{
	struct swiotlb_stats s = {
		.nslabs = pool->nslabs,
		.used = pool_used(pool),
		.high_water = atomic_load_explicit(&pool->high_water, memory_order_relaxed),
	};

	for (unsigned int i = 0; i < pool->nareas; i++) {
		struct area_counters *c = &pool->counters[i];

		s.maps += atomic_load_explicit(&c->maps, memory_order_relaxed);
		s.unmaps += atomic_load_explicit(&c->unmaps, memory_order_relaxed);
		s.fail_too_big += atomic_load_explicit(&c->fail_too_big, memory_order_relaxed);
		s.fail_full += atomic_load_explicit(&c->fail_full, memory_order_relaxed);
		s.fail_fragmented += atomic_load_explicit(&c->fail_fragmented,
							  memory_order_relaxed);
		s.fail_invalid += atomic_load_explicit(&c->fail_invalid, memory_order_relaxed);
	}
	*ret_stats = s;
}

void swiotlb_reset_high_water(struct swiotlb_pool *pool)
{
	atomic_store_explicit(&pool->high_water, pool_used(pool), memory_order_relaxed);
}

void swiotlb_get_free_extents(const struct swiotlb_pool *pool,
			      struct swiotlb_free_extents *ret_extents)
{
	struct swiotlb_free_extents e = { 0 };

	for (uint64_t seg = 0; seg < pool->nslabs; seg += SWIOTLB_SEGMENT_SLOTS) {
		uint64_t run = 0, seg_free = 0;

		for (uint64_t i = seg; i < seg + SWIOTLB_SEGMENT_SLOTS; i++) {
			if (pool->ops->slot_is_free(pool->alloc_state, i)) {
				if (run++ == 0)
					e.free_runs++;
				seg_free++;
				if (run > e.largest_run)
					e.largest_run = run;
			} else {
				run = 0;
			}
		}
		e.free_slots += seg_free;
		if (seg_free == SWIOTLB_SEGMENT_SLOTS)
			e.free_segments++;
	}
	*ret_extents = e;
}
