// SPDX-License-Identifier: MIT
/*
 * The library's allocator: one 128-bit free map per segment, and per area
 * eight summaries over its segments: "has a free run of at least 2^k slots",
 * k = 0 (some slot free) to 7 (all 128 free).
 *
 * A mapping never crosses a segment, so finding a run is a question per
 * segment: which start positions p have slots p..p+n-1 free, and satisfy
 * the alignment rules? Both are 128-bit masks: the first comes from the
 * free map by log2(n) shift-and-AND steps, the second depends only on the
 * request (the pool and every segment are 256 KiB aligned, so a slot's
 * address bits 11..17 are its position in the segment). Their AND, lowest
 * bit first, is the address-ordered first fit in that segment. For n slots
 * the search reads only the summary for 2^floor(log2 n), a word per 64
 * segments, so segments whose runs are all too short (most of them in a
 * fragmented pool) cost nothing; a candidate costs a handful of word
 * operations instead of a walk over slots. The result is the same first
 * fit a scan of every segment would find. docs/swiotlb.md explains the algorithm and why it never
 * hands out a slot twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef unsigned __int128 segmap_t;

#define SEG_ADDR_BITS 0x3f800ull /* address bits 11..17: the slot inside a segment */

#define RUN_CLASSES 8 /* runs of at least 1, 2, 4, ... 128 slots */

struct bitmap_area {
	struct spinlock lock;
	uint64_t first_slot;
	uint64_t used;
	uint32_t nsegs;
	uint32_t nwords;
	segmap_t *free; /* per segment: bit p set = slot p free */
	/*
	 * [w][k]: bit b set = segment 64w+b has a free run of at least 2^k
	 * slots. The classes of 64 segments share one cache line, so a
	 * segment's update touches one line.
	 */
	uint64_t (*has_run)[RUN_CLASSES];
} __attribute__((aligned(CACHE_LINE)));

_Static_assert(sizeof(uint64_t[RUN_CLASSES]) == CACHE_LINE, "one line per 64 segments");

struct bitmap_state {
	const struct swiotlb_pool *pool;
	struct bitmap_area *areas;
	/* Start positions allowed when only address bits 11..17 must be zero. */
	segmap_t zero_patterns[SWIOTLB_SEGMENT_SLOTS];
};

static inline unsigned int ctz128(segmap_t v)
{
	uint64_t low = (uint64_t)v;

	return low ? (unsigned int)__builtin_ctzll(low) :
		     64 + (unsigned int)__builtin_ctzll((uint64_t)(v >> 64));
}

static inline segmap_t run_mask(unsigned int n)
{
	return n >= 128 ? ~(segmap_t)0 : ((segmap_t)1 << n) - 1;
}

/* Positions p where slots p..p+n-1 are all free in @free. */
static inline segmap_t run_starts(segmap_t free, unsigned int n)
{
	segmap_t starts = free;

	for (unsigned int have = 1; have < n;) {
		unsigned int step = have < n - have ? have : n - have;

		starts &= starts >> step;
		have += step;
	}
	return starts;
}

/*
 * The start positions inside any segment that @req allows: the address
 * bits 11..17 rules and a boundary smaller than a segment. The rules on
 * higher bits are per segment (segment_allowed()).
 */
static segmap_t allowed_starts(const struct bitmap_state *st, const struct alloc_request *req)
{
	uint64_t zero_low = (req->zero_mask & SEG_ADDR_BITS) >> SWIOTLB_SLOT_SHIFT;
	uint64_t match_low = (req->iotlb_align_mask & SEG_ADDR_BITS) >> SWIOTLB_SLOT_SHIFT;
	uint64_t want_low = (req->orig_addr & req->iotlb_align_mask & SEG_ADDR_BITS) >>
			    SWIOTLB_SLOT_SHIFT;
	uint64_t boundary_slots = 0;
	segmap_t allowed = 0;

	if (req->boundary_mask && req->boundary_mask < SWIOTLB_SEGMENT_SIZE - 1)
		boundary_slots = (req->boundary_mask + 1) >> SWIOTLB_SLOT_SHIFT;
	if (!match_low && !boundary_slots)
		return st->zero_patterns[zero_low];
	for (unsigned int p = 0; p < SWIOTLB_SEGMENT_SLOTS; p++) {
		if (p & zero_low || (p & match_low) != want_low)
			continue;
		if (boundary_slots && (p & (boundary_slots - 1)) + req->nslots > boundary_slots)
			continue;
		allowed |= (segmap_t)1 << p;
	}
	return allowed;
}

/* Do the rules on address bits above a segment allow segment @seg of @a? */
static bool segment_allowed(const struct bitmap_state *st, const struct bitmap_area *a,
			    uint32_t seg, const struct alloc_request *req)
{
	uint64_t base = slot_dma_addr(st->pool,
				      a->first_slot + (uint64_t)seg * SWIOTLB_SEGMENT_SLOTS);
	uint64_t high = ~(SEG_ADDR_BITS | (SWIOTLB_SLOT_SIZE - 1));

	return !(base & req->zero_mask & high) &&
	       !((base ^ req->orig_addr) & req->iotlb_align_mask & high);
}

/* Bring the run-class summaries of segment @seg up to date with its free map. */
static void update_classes(struct bitmap_area *a, uint32_t seg)
{
	uint64_t *classes = a->has_run[seg / 64], bit = 1ull << (seg % 64);
	segmap_t starts = a->free[seg];

	/* starts: where a run of at least 2^k begins; one shift-and-AND per class. */
	for (unsigned int k = 0; k < RUN_CLASSES; k++) {
		if (starts)
			classes[k] |= bit;
		else
			classes[k] &= ~bit;
		/* A shift by 128, after the last class, would be undefined. */
		if (k + 1 < RUN_CLASSES)
			starts &= starts >> (1u << k);
	}
}

static void take(struct bitmap_area *a, uint32_t seg, unsigned int pos, unsigned int n)
{
	a->free[seg] &= ~(run_mask(n) << pos);
	update_classes(a, seg);
	a->used += n;
}

static int64_t bitmap_find(void *state, const struct alloc_request *req, unsigned int area)
{
	struct bitmap_state *st = state;
	struct bitmap_area *a = &st->areas[area];
	segmap_t allowed = allowed_starts(st, req);
	unsigned int n = req->nslots;
	int64_t found = -ENOSPC;
	unsigned int class;

	if (!allowed || n == 0 || n > SWIOTLB_SEGMENT_SLOTS)
		return -ENOSPC;
	spin_lock(&a->lock);
	if ((uint64_t)a->nsegs * SWIOTLB_SEGMENT_SLOTS - a->used < n)
		goto out;
	/* Segments with a run of 2^floor(log2 n) slots; the run test below asks for n. */
	class = (unsigned int)(31 - __builtin_clz(n));
	for (uint32_t w = 0; w < a->nwords; w++) {
		for (uint64_t bits = a->has_run[w][class]; bits; bits &= bits - 1) {
			uint32_t seg = w * 64 + (uint32_t)__builtin_ctzll(bits);
			segmap_t cand;

			if (!segment_allowed(st, a, seg, req))
				continue;
			cand = run_starts(a->free[seg], n) & allowed;
			if (!cand)
				continue;
			take(a, seg, ctz128(cand), n);
			found = (int64_t)(a->first_slot + (uint64_t)seg * SWIOTLB_SEGMENT_SLOTS +
					  ctz128(cand));
			goto out;
		}
	}
out:
	spin_unlock(&a->lock);
	return found;
}

static void bitmap_release(void *state, uint64_t index, unsigned int nslots)
{
	struct bitmap_state *st = state;
	struct bitmap_area *a = &st->areas[index / st->pool->area_nslabs];
	uint64_t rel = index - a->first_slot;
	uint32_t seg = (uint32_t)(rel / SWIOTLB_SEGMENT_SLOTS);
	unsigned int pos = (unsigned int)(rel % SWIOTLB_SEGMENT_SLOTS);

	spin_lock(&a->lock);
	a->free[seg] |= run_mask(nslots) << pos;
	update_classes(a, seg);
	a->used -= nslots;
	spin_unlock(&a->lock);
}

static bool bitmap_slot_is_free(void *state, uint64_t index)
{
	struct bitmap_state *st = state;
	struct bitmap_area *a = &st->areas[index / st->pool->area_nslabs];
	uint64_t rel = index - a->first_slot;
	bool is_free;

	spin_lock(&a->lock);
	is_free = (a->free[rel / SWIOTLB_SEGMENT_SLOTS] >> (rel % SWIOTLB_SEGMENT_SLOTS)) & 1;
	spin_unlock(&a->lock);
	return is_free;
}

static void bitmap_fini(void *state)
{
	struct bitmap_state *st = state;

	if (!st)
		return;
	for (unsigned int i = 0; st->areas && i < st->pool->nareas; i++) {
		free(st->areas[i].free);
		free(st->areas[i].has_run);
	}
	free(st->areas);
	free(st);
}

static int bitmap_init(const struct swiotlb_pool *pool, void **ret_state)
{
	struct bitmap_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	st->pool = pool;
	st->areas = aligned_alloc(CACHE_LINE, pool->nareas * sizeof(*st->areas));
	if (!st->areas) {
		free(st);
		return -ENOMEM;
	}
	memset(st->areas, 0, pool->nareas * sizeof(*st->areas));
	for (unsigned int i = 0; i < pool->nareas; i++) {
		struct bitmap_area *a = &st->areas[i];

		spin_init(&a->lock);
		a->first_slot = i * pool->area_nslabs;
		a->nsegs = (uint32_t)(pool->area_nslabs / SWIOTLB_SEGMENT_SLOTS);
		a->nwords = (a->nsegs + 63) / 64;
		a->free = malloc(a->nsegs * sizeof(*a->free));
		a->has_run = aligned_alloc(CACHE_LINE, a->nwords * sizeof(*a->has_run));
		if (!a->free || !a->has_run) {
			bitmap_fini(st);
			return -ENOMEM;
		}
		memset(a->has_run, 0, a->nwords * sizeof(*a->has_run));
		for (uint32_t s = 0; s < a->nsegs; s++) {
			a->free[s] = ~(segmap_t)0;
			update_classes(a, s);
		}
	}
	for (unsigned int zero = 0; zero < SWIOTLB_SEGMENT_SLOTS; zero++)
		for (unsigned int p = 0; p < SWIOTLB_SEGMENT_SLOTS; p++)
			if (!(p & zero))
				st->zero_patterns[zero] |= (segmap_t)1 << p;
	*ret_state = st;
	return 0;
}

const struct alloc_ops alloc_bitmap_ops = {
	.name = "bitmap",
	.init = bitmap_init,
	.fini = bitmap_fini,
	.find = bitmap_find,
	.release = bitmap_release,
	.slot_is_free = bitmap_slot_is_free,
};
