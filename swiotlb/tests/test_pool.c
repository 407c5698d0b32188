// SPDX-License-Identifier: MIT
/*
 * libswiotlb unit tests. Every pool test runs against both allocators, the
 * library's and the Linux 6.1 baseline: they must keep the same promises.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "swiotlb.h"
#include "tap.h"

static const char *const alloc_names[] = { "bitmap", "linux-6.1" };
static enum swiotlb_allocator cur_alloc;

#define T(fmt, ...) "%s: " fmt, alloc_names[cur_alloc], ##__VA_ARGS__

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct swiotlb_pool *new_pool(uint64_t nslabs, unsigned int nareas)
{
	struct swiotlb_config cfg = { .nslabs = nslabs, .nareas = nareas, .allocator = cur_alloc };
	struct swiotlb_pool *pool = NULL;
	int r = swiotlb_pool_new(&cfg, &pool);

	if (r < 0) {
		printf("Bail out! pool of %llu slots, %u areas: %s\n", (unsigned long long)nslabs,
		       nareas, strerror(-r));
		exit(1);
	}
	return pool;
}

/* Run a parse or check first, so the message printed is the one it set. */
#define CONFIG_CASE(call, cond, name)                               \
	do {                                                        \
		why = NULL;                                         \
		int r_ = (call);                                    \
		ok((cond), name ": %s", why ? why : "(no reason)"); \
		(void)r_;                                           \
	} while (0)

static void test_config(void)
{
	struct swiotlb_config cfg = { .nareas = 1 };
	const char *why = NULL;

	CONFIG_CASE(swiotlb_config_parse("swiotlb=262144", &cfg, &why),
		    r_ == 0 && cfg.nslabs == 262144 && cfg.nareas == 1,
		    "config: swiotlb=262144 is 262144 slots, areas untouched");
	CONFIG_CASE(swiotlb_config_parse("1000,4", &cfg, &why),
		    r_ == 0 && cfg.nslabs == 1024 && cfg.nareas == 4,
		    "config: 1000,4 rounds up to 1024 slots as the kernel does, 4 areas");
	CONFIG_CASE(swiotlb_config_parse("0x8000,2,force", &cfg, &why),
		    r_ == 0 && cfg.nslabs == 32768 && cfg.nareas == 2,
		    "config: hex slots and a trailing force are read");
	CONFIG_CASE(swiotlb_config_parse("lots", &cfg, &why),
		    r_ == -EINVAL && why && strstr(why, "number of slots"),
		    "config: a word instead of a number is refused");
	CONFIG_CASE(swiotlb_config_parse("1024,2,fast", &cfg, &why),
		    r_ == -EINVAL && why && strstr(why, "trailing"),
		    "config: trailing text is refused");
	CONFIG_CASE(swiotlb_config_parse("99999999999999999999", &cfg, &why),
		    r_ == -EINVAL && why && strstr(why, "too large"),
		    "config: an overflowing count is refused");

	cfg = (struct swiotlb_config){ .nslabs = 0, .nareas = 1 };
	CONFIG_CASE(swiotlb_config_check(&cfg, &why), r_ == -EINVAL && strstr(why, "zero slots"),
		    "config: zero slots refused");
	cfg = (struct swiotlb_config){ .nslabs = 1024, .nareas = 3 };
	CONFIG_CASE(swiotlb_config_check(&cfg, &why), r_ == -EINVAL && strstr(why, "power of two"),
		    "config: 3 areas refused");
	cfg = (struct swiotlb_config){ .nslabs = 1024, .nareas = 16 };
	CONFIG_CASE(swiotlb_config_check(&cfg, &why),
		    r_ == -EINVAL && strstr(why, "more areas than"),
		    "config: 16 areas for 8 segments refused");
	cfg = (struct swiotlb_config){ .nslabs = 384, .nareas = 2 };
	CONFIG_CASE(swiotlb_config_check(&cfg, &why),
		    r_ == -EINVAL && strstr(why, "split a segment"),
		    "config: 3 segments in 2 areas refused");
	cfg = (struct swiotlb_config){ .nslabs = 1000, .nareas = 1 };
	CONFIG_CASE(swiotlb_config_check(&cfg, &why),
		    r_ == -EINVAL && strstr(why, "multiple of 128"),
		    "config: 1000 slots refused by the checker");
	cfg = (struct swiotlb_config){ .nslabs = 1024, .nareas = 0 };
	CONFIG_CASE(swiotlb_config_check(&cfg, &why), r_ == -EINVAL, "config: zero areas refused");
	cfg = (struct swiotlb_config){ .nslabs = 1024, .nareas = 2, .dma_base = 0x1000 };
	CONFIG_CASE(swiotlb_config_check(&cfg, &why), r_ == -EINVAL && strstr(why, "256 KiB"),
		    "config: an unaligned DMA address refused");
	cfg = (struct swiotlb_config){ .nslabs = 1024, .nareas = 8 };
	CONFIG_CASE(swiotlb_config_check(&cfg, &why), r_ == 0,
		    "config: 1024 slots in 8 areas accepted");
}

/* Fill with 2 KiB mappings until the pool says no; then give all back. */
static void test_fill_and_drain(void)
{
	struct swiotlb_pool *pool = new_pool(1024, 2);
	static uint8_t buf[2048];
	static uint64_t addrs[1025];
	struct swiotlb_stats st;
	unsigned int n = 0;
	int r = 0;

	while (n < 1025 && (r = swiotlb_map(pool, NULL, buf, sizeof(buf), sizeof(buf), 0,
					    SWIOTLB_TO_DEVICE, n & 1, &addrs[n])) == 0)
		n++;
	swiotlb_get_stats(pool, &st);
	ok(n == 1024 && r == -ENOSPC,
	   T("1024 one-slot mappings fit, the next fails (%u, %d)", n, r));
	ok(st.used == 1024 && st.high_water == 1024 && st.fail_full == 1 && st.maps == 1024,
	   T("stats: used %llu, high water %llu, full failures %llu", (unsigned long long)st.used,
	     (unsigned long long)st.high_water, (unsigned long long)st.fail_full));
	for (unsigned int i = 0; i < n; i++)
		if (swiotlb_unmap(pool, NULL, addrs[i], sizeof(buf), SWIOTLB_TO_DEVICE))
			r = -1;
	swiotlb_get_stats(pool, &st);
	ok(r != -1 && st.used == 0 && st.unmaps == 1024 && st.high_water == 1024,
	   T("all given back: used 0, the high-water mark stays at 1024"));
	swiotlb_reset_high_water(pool);
	swiotlb_get_stats(pool, &st);
	ok(st.high_water == 0, T("high-water reset starts again from the current use"));
	swiotlb_pool_free(pool);
}

static void test_sizes(void)
{
	struct swiotlb_pool *pool = new_pool(1024, 1);
	struct swiotlb_device nvme = { .min_align_mask = 0xfff };
	uint8_t *buf = aligned_alloc(4096, 512 << 10);
	uint64_t a;

	ok(swiotlb_map(pool, NULL, buf, 256 << 10, 256 << 10, 0, SWIOTLB_TO_DEVICE, 0, &a) == 0 &&
		   swiotlb_unmap(pool, NULL, a, 256 << 10, SWIOTLB_TO_DEVICE) == 0,
	   T("a 256 KiB mapping (one whole segment) works"));
	ok(swiotlb_map(pool, NULL, buf, (256 << 10) + 1, (256 << 10) + 1, 0, SWIOTLB_TO_DEVICE, 0,
		       &a) == -E2BIG,
	   T("256 KiB + 1 is too big"));
	ok(swiotlb_max_mapping_size(&nvme) == (256 << 10) - 4096,
	   T("max mapping size with min_align_mask 0xfff is 252 KiB"));
	ok(swiotlb_map(pool, &nvme, buf + 0x800, (252 << 10), (252 << 10), 0, SWIOTLB_TO_DEVICE, 0,
		       &a) == 0 &&
		   (a & 0xfff) == 0x800 && swiotlb_unmap(pool, &nvme, a, 252 << 10, 0) == 0,
	   T("252 KiB at offset 0x800 fits for a device with min_align_mask 0xfff"));
	ok(swiotlb_map(pool, NULL, buf, 100, 50, 0, SWIOTLB_TO_DEVICE, 0, &a) == -EINVAL,
	   T("mapping size larger than the allocation is refused"));
	ok(swiotlb_map(pool, NULL, buf, 0, 0, 0, SWIOTLB_TO_DEVICE, 0, &a) == -EINVAL,
	   T("an empty mapping is refused"));
	ok(swiotlb_map(pool, NULL, buf, 10, 10, 0, (enum swiotlb_dir)7, 0, &a) == -EINVAL,
	   T("an unknown direction is refused"));
	free(buf);
	swiotlb_pool_free(pool);
}

/* Map always copies in; unmap copies out only toward the CPU. */
static void test_copy_semantics(void)
{
	struct swiotlb_pool *pool = new_pool(256, 1);
	uint8_t orig[6000], mine[6000], *dev;
	uint64_t a;
	bool slack_clear = true;

	memset(orig, 0xaa, sizeof(orig));
	swiotlb_map(pool, NULL, orig, sizeof(orig), sizeof(orig), 0, SWIOTLB_TO_DEVICE, 0, &a);
	dev = swiotlb_dma_to_virt(pool, a);
	ok(dev && memcmp(dev, orig, sizeof(orig)) == 0, T("TO_DEVICE: the device sees the data"));
	memset(dev, 0x55, sizeof(orig));
	swiotlb_unmap(pool, NULL, a, sizeof(orig), SWIOTLB_TO_DEVICE);
	ok(orig[0] == 0xaa && orig[5999] == 0xaa, T("TO_DEVICE: unmap copies nothing back"));

	/* The same slots again, for a read: the earlier bytes must not show. */
	memset(mine, 0x11, sizeof(mine));
	swiotlb_map(pool, NULL, mine, 3000, 3000, 0, SWIOTLB_FROM_DEVICE, 0, &a);
	dev = swiotlb_dma_to_virt(pool, a);
	ok(memcmp(dev, mine, 3000) == 0,
	   T("FROM_DEVICE: map copies the caller's buffer in, no stale data (CVE-2022-0854)"));
	for (size_t i = 3000; i < 4096; i++)
		slack_clear &= dev[i] == 0;
	ok(slack_clear, T("the slack after the mapping is cleared"));
	memset(dev, 0x77, 1000); /* the device writes less than it was given */
	swiotlb_unmap(pool, NULL, a, 3000, SWIOTLB_FROM_DEVICE);
	ok(mine[0] == 0x77 && mine[999] == 0x77 && mine[1000] == 0x11 && mine[2999] == 0x11 &&
		   mine[3000] == 0x11,
	   T("FROM_DEVICE: unmap copies the device's bytes back, the rest is the caller's own"));

	memset(mine, 0x22, sizeof(mine));
	swiotlb_map(pool, NULL, mine, 5000, 5000, 0, SWIOTLB_BIDIRECTIONAL, 0, &a);
	dev = swiotlb_dma_to_virt(pool, a);
	dev[10] = 0x99;
	ok(swiotlb_sync_for_cpu(pool, NULL, a + 8, 4, SWIOTLB_BIDIRECTIONAL) == 0 &&
		   mine[10] == 0x99 && mine[7] == 0x22 && mine[12] == 0x22,
	   T("sync_for_cpu inside a mapping copies exactly that range"));
	mine[20] = 0x44;
	ok(swiotlb_sync_for_device(pool, NULL, a + 20, 1, SWIOTLB_BIDIRECTIONAL) == 0 &&
		   dev[20] == 0x44,
	   T("sync_for_device copies the caller's change in"));
	mine[5000] = 0x5a;
	dev[4999] = 0x33;
	dev[5000] = 0x66;
	ok(swiotlb_sync_for_cpu(pool, NULL, a + 4990, 20, SWIOTLB_FROM_DEVICE) == -EINVAL &&
		   mine[5000] == 0x5a && mine[4999] == 0x22,
	   T("a sync reaching past the mapping is refused and copies nothing"));
	ok(swiotlb_sync_for_cpu(pool, NULL, a + 4999, 1, SWIOTLB_TO_DEVICE) == 0 &&
		   mine[4999] == 0x22,
	   T("sync_for_cpu of a TO_DEVICE range copies nothing"));
	swiotlb_unmap(pool, NULL, a, 5000, SWIOTLB_BIDIRECTIONAL);
	swiotlb_pool_free(pool);
}

static void test_bad_unmaps(void)
{
	struct swiotlb_pool *pool = new_pool(256, 1);
	uint8_t buf[8192];
	struct swiotlb_stats st;
	uint64_t a;

	swiotlb_map(pool, NULL, buf, sizeof(buf), sizeof(buf), 0, SWIOTLB_FROM_DEVICE, 0, &a);
	ok(swiotlb_unmap(pool, NULL, a + 2048, 100, SWIOTLB_FROM_DEVICE) == -EINVAL,
	   T("unmap of an address inside a mapping is refused"));
	ok(swiotlb_unmap(pool, NULL, a, sizeof(buf) + 1, SWIOTLB_FROM_DEVICE) == -EINVAL,
	   T("unmap of more than was mapped is refused"));
	ok(swiotlb_unmap(pool, NULL, a + (1 << 20), 1, SWIOTLB_FROM_DEVICE) == -EINVAL,
	   T("unmap of an address outside the pool is refused"));
	ok(swiotlb_unmap(pool, NULL, a, sizeof(buf), SWIOTLB_FROM_DEVICE) == 0,
	   T("the real unmap still works"));
	ok(swiotlb_unmap(pool, NULL, a, sizeof(buf), SWIOTLB_FROM_DEVICE) == -EINVAL,
	   T("a second unmap of the same mapping is refused"));
	swiotlb_get_stats(pool, &st);
	ok(st.used == 0 && st.fail_invalid == 4, T("no slot leaked or freed twice; 4 refusals"));
	swiotlb_pool_free(pool);
}

/* Every mapping keeps the device's alignment rules and never overlaps another. */
static unsigned int random_alignment_run(bool combine_aligns, unsigned int *ret_maps,
					 unsigned int *ret_overlap, unsigned int *ret_bad_data,
					 uint64_t *ret_used)
{
	enum {
		NSLABS = 4096,
		MAX_LIVE = 200
	};
	static const uint64_t min_aligns[] = { 0, 0xfff, 0x7ff, 0x3fff };
	static const uint64_t alloc_aligns[] = { 0, 0xfff, 0xffff };
	static const uint64_t boundaries[] = { 0, 0xffff, 0x1ffff, 0xfffff };
	struct swiotlb_pool *pool = new_pool(NSLABS, 4);
	uint8_t *owner = calloc(NSLABS, 1);
	uint8_t *buf = malloc(1 << 20);
	struct {
		uint64_t addr, first, nslots;
		struct swiotlb_device dev;
		size_t size;
		uint8_t *orig;
	} live[MAX_LIVE];
	unsigned int nlive = 0, bad_align = 0, overlap = 0, bad_data = 0, fails = 0, maps = 0;
	struct swiotlb_stats st;
	uint64_t dma_base;

	swiotlb_get_region(pool, NULL, &dma_base, NULL);
	for (size_t i = 0; i < (1 << 20); i++)
		buf[i] = (uint8_t)rng();
	for (unsigned int iter = 0; iter < 20000; iter++) {
		if (nlive == MAX_LIVE || (nlive && rng() % 3 == 0)) {
			unsigned int k = (unsigned int)(rng() % nlive);

			for (uint64_t s = live[k].first; s < live[k].first + live[k].nslots; s++)
				owner[s] = 0;
			swiotlb_unmap(pool, &live[k].dev, live[k].addr, live[k].size,
				      SWIOTLB_TO_DEVICE);
			live[k] = live[--nlive];
			continue;
		}
		struct swiotlb_device dev = {
			.min_align_mask = min_aligns[rng() % 4],
			.seg_boundary_mask = boundaries[rng() % 4],
		};
		uint64_t align = alloc_aligns[rng() % 3], a, offset, start, last, nslots;

		if (!combine_aligns && dev.min_align_mask)
			align = 0;
		size_t size = 1 + (size_t)(rng() % (rng() % 4 ? 8192 : 65536));
		uint8_t *orig = buf + rng() % ((1 << 20) - 65536);
		int r = swiotlb_map(pool, &dev, orig, size, size, align, SWIOTLB_TO_DEVICE,
				    (unsigned int)rng(), &a);

		if (r) {
			fails++;
			continue;
		}
		maps++;
		offset = (uintptr_t)orig & dev.min_align_mask & 2047;
		nslots = (size + offset + 2047) / 2048;
		start = a - offset;
		last = start + nslots * 2048 - 1;
		/* The kernel leaves the bits the allocation alignment covers to it. */
		if ((a ^ (uintptr_t)orig) & dev.min_align_mask & (~align | 2047))
			bad_align++;
		if (start & align)
			bad_align++;
		if (dev.seg_boundary_mask &&
		    (start & ~dev.seg_boundary_mask) != (last & ~dev.seg_boundary_mask))
			bad_align++;
		if (size + offset >= 4096 && !dev.min_align_mask && (start & 0xfff))
			bad_align++;
		live[nlive].first = (start - dma_base) / 2048;
		live[nlive].nslots = nslots;
		for (uint64_t s = live[nlive].first; s < live[nlive].first + nslots; s++) {
			if (owner[s])
				overlap++;
			owner[s] = 1;
		}
		if (memcmp(swiotlb_dma_to_virt(pool, a), orig, size))
			bad_data++;
		live[nlive].addr = a;
		live[nlive].dev = dev;
		live[nlive].size = size;
		live[nlive].orig = orig;
		nlive++;
	}
	while (nlive) {
		nlive--;
		swiotlb_unmap(pool, &live[nlive].dev, live[nlive].addr, live[nlive].size,
			      SWIOTLB_TO_DEVICE);
	}
	swiotlb_get_stats(pool, &st);
	*ret_used = st.used;
	*ret_maps = maps;
	*ret_overlap = overlap;
	*ret_bad_data = bad_data;
	(void)fails;
	free(owner);
	free(buf);
	swiotlb_pool_free(pool);
	return bad_align;
}

static void test_random_alignment(void)
{
	unsigned int maps, overlap, bad_data, bad_align;
	uint64_t used;

	bad_align = random_alignment_run(false, &maps, &overlap, &bad_data, &used);
	ok(maps > 10000 && bad_align == 0,
	   T("%u random mappings: every one keeps min-align, alloc-align, boundary and page "
	     "rules (%u broke one)",
	     maps, bad_align));
	ok(overlap == 0,
	   T("no slot handed out twice (CVE-2024-35814 class): %u overlaps", overlap));
	ok(bad_data == 0, T("every mapping holds exactly its caller's bytes (%u wrong)", bad_data));
	ok(used == 0, T("all random mappings given back, nothing leaked"));

	/*
	 * A device minimum alignment together with an allocation alignment:
	 * 6.1 steps one slot after an alignment mismatch and then keeps
	 * striding from there, so the allocation alignment can be lost (fixed
	 * upstream in 6.3, "swiotlb: fix slot alignment checks"). The baseline
	 * must show that bug, the library must not.
	 */
	bad_align = random_alignment_run(true, &maps, &overlap, &bad_data, &used);
	if (cur_alloc == SWIOTLB_ALLOC_BITMAP)
		ok(bad_align == 0 && overlap == 0 && used == 0,
		   T("min-align with alloc-align: all rules kept (%u broken)", bad_align));
	else
		ok(bad_align > 0 && overlap == 0 && used == 0,
		   T("min-align with alloc-align: 6.1's known alignment loss reproduced (%u)",
		     bad_align));
}

struct share_log {
	unsigned int shared, unshared, fail_at;
};

static int log_share(void *ctx, void *page, uint64_t dma_addr)
{
	struct share_log *log = ctx;

	(void)page;
	(void)dma_addr;
	if (log->fail_at && log->shared + 1 == log->fail_at)
		return -EIO;
	log->shared++;
	return 0;
}

static int log_unshare(void *ctx, void *page, uint64_t dma_addr)
{
	struct share_log *log = ctx;

	(void)page;
	(void)dma_addr;
	log->unshared++;
	return 0;
}

static void test_share_callbacks(void)
{
	struct share_log log = { 0 };
	struct swiotlb_share_ops ops = { log_share, log_unshare, &log };
	struct swiotlb_config cfg = {
		.nslabs = 256, .nareas = 1, .share = &ops, .allocator = cur_alloc
	};
	struct swiotlb_pool *pool = NULL;

	ok(swiotlb_pool_new(&cfg, &pool) == 0 && log.shared == 128,
	   T("every 4 KiB page of a 512 KiB pool is shared once (%u)", log.shared));
	swiotlb_pool_free(pool);
	ok(log.unshared == 128, T("and unshared once when the pool goes (%u)", log.unshared));
	log = (struct share_log){ .fail_at = 40 };
	pool = NULL;
	ok(swiotlb_pool_new(&cfg, &pool) == -EIO && !pool && log.shared == 39 && log.unshared == 39,
	   T("a failing share fails the pool and unshares the 39 pages shared before it"));
}

static void test_areas_and_fragmentation(void)
{
	struct swiotlb_pool *pool = new_pool(512, 2);
	static uint8_t buf[4096];
	static uint64_t addrs[512];
	struct swiotlb_free_extents ext;
	struct swiotlb_stats st;
	uint64_t base, a;
	unsigned int in_first = 0, n = 0;

	swiotlb_get_region(pool, NULL, &base, NULL);
	for (unsigned int i = 0; i < 256; i++)
		if (swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 0, &addrs[n]) ==
		    0)
			in_first += addrs[n++] < base + 256 * 2048;
	ok(n == 256 && in_first == 256, T("CPU 0 fills its own area first (%u of 256)", in_first));
	ok(swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 0, &a) == 0 &&
		   a >= base + 256 * 2048,
	   T("with its area full, CPU 0 gets a slot from the other area"));
	swiotlb_unmap(pool, NULL, a, 2048, SWIOTLB_TO_DEVICE);
	for (unsigned int i = 0; i < 256; i++)
		if (swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 1, &addrs[n]) ==
		    0)
			n++;
	for (unsigned int i = 0; i < n; i += 2)
		swiotlb_unmap(pool, NULL, addrs[i], 2048, SWIOTLB_TO_DEVICE);
	swiotlb_get_free_extents(pool, &ext);
	ok(ext.free_slots == 256 && ext.largest_run == 1 && ext.free_runs == 256 &&
		   ext.free_segments == 0,
	   T("every other slot free: 256 free, largest run 1, no free segment"));
	ok(swiotlb_map(pool, NULL, buf, 4096, 4096, 0, SWIOTLB_TO_DEVICE, 0, &a) == -ENOSPC,
	   T("half the pool free but no two slots together: a 4 KiB mapping fails"));
	swiotlb_get_stats(pool, &st);
	ok(st.fail_fragmented == 1 && st.fail_full == 0,
	   T("counted as a fragmentation failure, not a full pool"));
	for (unsigned int i = 1; i < n; i += 2)
		swiotlb_unmap(pool, NULL, addrs[i], 2048, SWIOTLB_TO_DEVICE);
	swiotlb_get_free_extents(pool, &ext);
	ok(ext.free_slots == 512 && ext.free_segments == 4 && ext.largest_run == 128,
	   T("all given back: 4 whole segments free"));
	swiotlb_pool_free(pool);
}

int main(void)
{
	test_config();
	for (cur_alloc = SWIOTLB_ALLOC_BITMAP; cur_alloc <= SWIOTLB_ALLOC_LINUX61; cur_alloc++) {
		test_fill_and_drain();
		test_sizes();
		test_copy_semantics();
		test_bad_unmaps();
		test_random_alignment();
		test_share_callbacks();
		test_areas_and_fragmentation();
	}
	return done_testing();
}
