// SPDX-License-Identifier: MIT
/*
 * libswiotlb at the edges of its rules: each limit at the value and one
 * past it, each copy direction, each counter, with the pool's memory
 * dirtied first so a missing clear or copy shows. Written against the
 * mutants of tests/mutation/mutants.txt (swl-*): each check fails when the
 * rule it names is broken.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "swiotlb.h"
#include "tap.h"

static const char *const alloc_names[] = { "bitmap", "linux-6.1" };
static enum swiotlb_allocator cur_alloc;

#define T(fmt, ...) "%s: " fmt, alloc_names[cur_alloc], ##__VA_ARGS__
#define KIB(n) ((size_t)(n) << 10)

static struct swiotlb_pool *new_pool(uint64_t nslabs, unsigned int nareas)
{
	struct swiotlb_config cfg = { .nslabs = nslabs, .nareas = nareas, .allocator = cur_alloc };
	struct swiotlb_pool *pool = NULL;
	int r = swiotlb_pool_new(&cfg, &pool);

	if (r < 0) {
		printf("Bail out! pool of %llu slots: %s\n", (unsigned long long)nslabs,
		       strerror(-r));
		exit(1);
	}
	return pool;
}

static void *page_buf(size_t size, int fill)
{
	uint8_t *p = aligned_alloc(SWIOTLB_PAGE_SIZE, size);

	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memset(p, fill, size);
	return p;
}

/* Leave @fill in every slot of a one-segment pool, as an earlier user would. */
static void dirty_segment(struct swiotlb_pool *pool, int fill)
{
	uint8_t *junk = page_buf(SWIOTLB_SEGMENT_SIZE, fill);
	uint64_t a;

	if (swiotlb_map(pool, NULL, junk, SWIOTLB_SEGMENT_SIZE, SWIOTLB_SEGMENT_SIZE, 0,
			SWIOTLB_TO_DEVICE, 0, &a) ||
	    swiotlb_unmap(pool, NULL, a, SWIOTLB_SEGMENT_SIZE, SWIOTLB_TO_DEVICE)) {
		printf("Bail out! cannot dirty the pool\n");
		exit(1);
	}
	free(junk);
}

static void test_size_limits(void)
{
	struct swiotlb_pool *pool = new_pool(512, 1);
	struct swiotlb_device nvme = { .min_align_mask = 0xfff };
	struct swiotlb_device tiny_boundary = { .seg_boundary_mask = 0x3ff };
	struct swiotlb_device slot_boundary = { .seg_boundary_mask = 0x7ff };
	struct swiotlb_device b64k = { .seg_boundary_mask = 0xffff };
	uint8_t *buf = page_buf(KIB(512), 0x5a);
	struct swiotlb_stats st;
	uint64_t a;
	int r;

	/*
	 * The minimum-alignment offset inside the first slot counts against
	 * the 256 KiB a segment holds.
	 */
	r = swiotlb_map(pool, &nvme, buf + 0x300, SWIOTLB_SEGMENT_SIZE - 0x300,
			SWIOTLB_SEGMENT_SIZE - 0x300, 0, SWIOTLB_TO_DEVICE, 0, &a);
	ok(r == 0 && (a & 0xfff) == 0x300 &&
		   swiotlb_unmap(pool, &nvme, a, SWIOTLB_SEGMENT_SIZE - 0x300, SWIOTLB_TO_DEVICE) ==
			   0,
	   T("256 KiB - 0x300 at offset 0x300 fills a segment exactly (%d)", r));
	r = swiotlb_map(pool, &nvme, buf + 0x300, SWIOTLB_SEGMENT_SIZE - 0x300 + 1,
			SWIOTLB_SEGMENT_SIZE - 0x300 + 1, 0, SWIOTLB_TO_DEVICE, 0, &a);
	swiotlb_get_stats(pool, &st);
	ok(r == -E2BIG && st.fail_too_big == 1,
	   T("one byte more at that offset is too big, counted as such (%d, %llu)", r,
	     (unsigned long long)st.fail_too_big));

	/* A segment boundary smaller than 256 KiB caps the mapping size too. */
	r = swiotlb_map(pool, &b64k, buf, KIB(64), KIB(64), 0, SWIOTLB_TO_DEVICE, 0, &a);
	ok(r == 0 && swiotlb_unmap(pool, &b64k, a, KIB(64), SWIOTLB_TO_DEVICE) == 0,
	   T("64 KiB fits a device with a 64 KiB boundary (%d)", r));
	r = swiotlb_map(pool, &b64k, buf, KIB(64) + 1, KIB(64) + 1, 0, SWIOTLB_TO_DEVICE, 0, &a);
	ok(r == -E2BIG, T("64 KiB + 1 with a 64 KiB boundary is too big, not a full pool (%d)", r));

	/* A boundary below one slot cannot be kept at all. */
	r = swiotlb_map(pool, &tiny_boundary, buf, 100, 100, 0, SWIOTLB_TO_DEVICE, 0, &a);
	ok(r == -EINVAL, T("a 1 KiB segment boundary is refused (%d)", r));
	r = swiotlb_map(pool, &slot_boundary, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 0, &a);
	ok(r == 0 && swiotlb_unmap(pool, &slot_boundary, a, 2048, SWIOTLB_TO_DEVICE) == 0,
	   T("a boundary of exactly one slot takes a one-slot mapping (%d)", r));

	/* The kernel's swiotlb_max_mapping_size(): the mask rounded up to a slot. */
	struct swiotlb_device m3ff = { .min_align_mask = 0x3ff };
	struct swiotlb_device m7ff = { .min_align_mask = 0x7ff };
	struct swiotlb_device m800 = { .min_align_mask = 0x800 };

	ok(swiotlb_max_mapping_size(NULL) == SWIOTLB_SEGMENT_SIZE &&
		   swiotlb_max_mapping_size(&m3ff) == SWIOTLB_SEGMENT_SIZE - 2048 &&
		   swiotlb_max_mapping_size(&m7ff) == SWIOTLB_SEGMENT_SIZE - 2048 &&
		   swiotlb_max_mapping_size(&m800) == SWIOTLB_SEGMENT_SIZE - 4096,
	   T("max mapping size: 256 KiB, 254 KiB for masks 0x3ff and 0x7ff, 252 KiB for 0x800 "
	     "(%zu %zu %zu)",
	     swiotlb_max_mapping_size(&m3ff), swiotlb_max_mapping_size(&m7ff),
	     swiotlb_max_mapping_size(&m800)));
	free(buf);
	swiotlb_pool_free(pool);
}

/* The bytes before the caller's data in the first slot are cleared as well. */
static void test_offset_prefix_cleared(void)
{
	struct swiotlb_pool *pool = new_pool(128, 1);
	struct swiotlb_device dev = { .min_align_mask = 0x7ff };
	uint8_t *buf = page_buf(8192, 0x11);
	uint8_t *run;
	uint64_t a;
	bool clear = true;

	dirty_segment(pool, 0xee);
	ok(swiotlb_map(pool, &dev, buf + 0x300, 100, 100, 0, SWIOTLB_FROM_DEVICE, 0, &a) == 0 &&
		   (a & 0x7ff) == 0x300,
	   T("a mapping at offset 0x300 keeps the offset (0x%llx)", (unsigned long long)a));
	run = swiotlb_dma_to_virt(pool, a - 0x300);
	for (size_t i = 0; run && i < 0x300; i++)
		clear &= run[i] == 0;
	ok(run && clear, T("the 0x300 bytes before it hold zeros, not an earlier user's data"));
	ok(memcmp(run + 0x300, buf + 0x300, 100) == 0, T("and the caller's 100 bytes follow"));
	swiotlb_unmap(pool, &dev, a, 100, SWIOTLB_FROM_DEVICE);
	free(buf);
	swiotlb_pool_free(pool);
}

/* The search starts in the CPU's own area. */
static void test_area_of_cpu(void)
{
	struct swiotlb_pool *pool = new_pool(512, 2);
	uint8_t buf[2048] = { 0 };
	uint64_t base, a0, a1;

	swiotlb_get_region(pool, NULL, &base, NULL);
	ok(swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 1, &a1) == 0 &&
		   a1 >= base + 256 * 2048,
	   T("CPU 1's first mapping is in area 1"));
	ok(swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 2, &a0) == 0 &&
		   a0 < base + 256 * 2048,
	   T("CPU 2 of a 2-area pool starts in area 0"));
	swiotlb_unmap(pool, NULL, a1, 2048, SWIOTLB_TO_DEVICE);
	swiotlb_unmap(pool, NULL, a0, 2048, SWIOTLB_TO_DEVICE);
	swiotlb_pool_free(pool);
}

static void test_directions(void)
{
	struct swiotlb_pool *pool = new_pool(256, 1);
	uint8_t *mine = page_buf(8192, 0x22), *dev;
	uint64_t a;

	swiotlb_map(pool, NULL, mine, 5000, 5000, 0, SWIOTLB_BIDIRECTIONAL, 0, &a);
	dev = swiotlb_dma_to_virt(pool, a);
	memset(dev, 0x99, 5000);
	ok(swiotlb_unmap(pool, NULL, a, 5000, SWIOTLB_BIDIRECTIONAL) == 0 && mine[0] == 0x99 &&
		   mine[4999] == 0x99 && mine[5000] == 0x22,
	   T("BIDIRECTIONAL: unmap copies the device's bytes back, exactly the mapping"));

	memset(mine, 0x22, 8192);
	swiotlb_map(pool, NULL, mine, 5000, 5000, 0, SWIOTLB_TO_DEVICE, 0, &a);
	dev = swiotlb_dma_to_virt(pool, a);
	memset(dev, 0x77, 5000);
	ok(swiotlb_sync_for_cpu(pool, NULL, a, 5000, SWIOTLB_TO_DEVICE) == 0 && mine[0] == 0x22,
	   T("sync_for_cpu of a TO_DEVICE mapping copies nothing back"));
	mine[100] = 0x44;
	ok(swiotlb_sync_for_device(pool, NULL, a + 100, 1, SWIOTLB_FROM_DEVICE) == 0 &&
		   dev[100] == 0x77,
	   T("sync_for_device of a FROM_DEVICE range copies nothing in"));
	ok(swiotlb_sync_for_device(pool, NULL, a + 100, 1, SWIOTLB_TO_DEVICE) == 0 &&
		   dev[100] == 0x44,
	   T("sync_for_device of a TO_DEVICE range copies the caller's byte in"));
	dev[200] = 0x55;
	ok(swiotlb_sync_for_cpu(pool, NULL, a + 200, 1, SWIOTLB_FROM_DEVICE) == 0 &&
		   mine[200] == 0x55,
	   T("sync_for_cpu of a FROM_DEVICE range copies the device's byte back"));

	/* The end of the mapping, exactly and one past it. */
	dev[4999] = 0x66;
	ok(swiotlb_sync_for_cpu(pool, NULL, a + 4990, 10, SWIOTLB_FROM_DEVICE) == 0 &&
		   mine[4999] == 0x66,
	   T("a sync up to the last byte of the mapping works"));
	mine[5000] = 0x22;
	ok(swiotlb_sync_for_cpu(pool, NULL, a + 4990, 11, SWIOTLB_FROM_DEVICE) == -EINVAL &&
		   mine[5000] == 0x22,
	   T("one byte more is refused and copies nothing"));
	ok(swiotlb_sync_for_cpu(pool, NULL, a + 5000, 0, SWIOTLB_FROM_DEVICE) == 0,
	   T("an empty sync at the very end is harmless"));
	/* Past the mapping but inside its slots: never write beyond the caller's buffer. */
	mine[5500] = 0x22;
	dev[5500] = 0x13;
	ok(swiotlb_sync_for_cpu(pool, NULL, a + 5500, 1, SWIOTLB_FROM_DEVICE) == -EINVAL &&
		   mine[5500] == 0x22,
	   T("a sync that starts past the mapping's end is refused"));
	swiotlb_unmap(pool, NULL, a, 5000, SWIOTLB_TO_DEVICE);
	free(mine);
	swiotlb_pool_free(pool);
}

static void test_counters(void)
{
	struct swiotlb_pool *pool = new_pool(128, 1);
	uint8_t *buf = page_buf(8192, 0);
	uint64_t addrs[128], a;
	struct swiotlb_stats st;
	unsigned int n = 0;

	while (n < 128 &&
	       swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 0, &addrs[n]) == 0)
		n++;
	/* Two slots free, not together: used + 2 is exactly the pool's size. */
	swiotlb_unmap(pool, NULL, addrs[5], 2048, SWIOTLB_TO_DEVICE);
	swiotlb_unmap(pool, NULL, addrs[9], 2048, SWIOTLB_TO_DEVICE);
	ok(n == 128 &&
		   swiotlb_map(pool, NULL, buf, 4096, 4096, 0, SWIOTLB_TO_DEVICE, 0, &a) == -ENOSPC,
	   T("126 of 128 slots used, 2 apart: a 2-slot mapping fails"));
	swiotlb_get_stats(pool, &st);
	ok(st.fail_fragmented == 1 && st.fail_full == 0,
	   T("counted as fragmentation: the free slots would have sufficed (%llu, %llu)",
	     (unsigned long long)st.fail_fragmented, (unsigned long long)st.fail_full));
	ok(swiotlb_map(pool, NULL, buf, 6000, 6000, 0, SWIOTLB_TO_DEVICE, 0, &a) == -ENOSPC,
	   T("a 3-slot mapping fails too"));
	swiotlb_get_stats(pool, &st);
	ok(st.fail_full == 1, T("and counts as a full pool: fewer free slots than asked for"));

	swiotlb_reset_high_water(pool);
	swiotlb_get_stats(pool, &st);
	ok(st.used == 126 && st.high_water == 126,
	   T("a high-water reset with 126 slots in use restarts from 126 (%llu)",
	     (unsigned long long)st.high_water));
	for (unsigned int i = 0; i < n; i++)
		if (i != 5 && i != 9)
			swiotlb_unmap(pool, NULL, addrs[i], 2048, SWIOTLB_TO_DEVICE);
	swiotlb_get_stats(pool, &st);
	ok(st.used == 0 && st.unmaps == 128 && st.maps == 128,
	   T("all given back: 128 maps, 128 unmaps, none in use"));
	free(buf);
	swiotlb_pool_free(pool);
}

/* The library's allocator: exact fits, and a segment that is free again is whole. */
static void test_bitmap_fits(void)
{
	struct swiotlb_pool *pool = new_pool(128, 1);
	struct swiotlb_device nvme = { .min_align_mask = 0xfff };
	uint8_t *buf = page_buf(KIB(256), 0x3c);
	uint64_t addrs[128], base, a;
	unsigned int n = 0;
	int r;

	swiotlb_get_region(pool, NULL, &base, NULL);
	ok(swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 0, &a) == 0 &&
		   swiotlb_unmap(pool, NULL, a, 2048, SWIOTLB_TO_DEVICE) == 0,
	   T("one slot used and given back"));
	r = swiotlb_map(pool, NULL, buf, SWIOTLB_SEGMENT_SIZE, SWIOTLB_SEGMENT_SIZE, 0,
			SWIOTLB_TO_DEVICE, 0, &a);
	ok(r == 0, T("the segment is whole again: a 256 KiB mapping fits (%d)", r));
	if (r == 0)
		swiotlb_unmap(pool, NULL, a, SWIOTLB_SEGMENT_SIZE, SWIOTLB_TO_DEVICE);

	/* Slots 0..124 taken; a 3-slot run that may start at an odd slot must fit 125..127. */
	while (n < 125 &&
	       swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, 0, &addrs[n]) == 0)
		n++;
	r = swiotlb_map(pool, &nvme, buf + 0x800, 5000, 5000, 0, SWIOTLB_TO_DEVICE, 0, &a);
	ok(n == 125 && r == 0 && a == base + 125 * 2048,
	   T("the last three slots take a 3-slot mapping (%d, slot %lld)", r,
	     r ? -1LL : (long long)((a - base) / 2048)));
	if (r == 0)
		swiotlb_unmap(pool, &nvme, a, 5000, SWIOTLB_TO_DEVICE);
	for (unsigned int i = 0; i < n; i++)
		swiotlb_unmap(pool, NULL, addrs[i], 2048, SWIOTLB_TO_DEVICE);
	free(buf);
	swiotlb_pool_free(pool);
}

static void test_config_limits(void)
{
	struct swiotlb_config cfg;
	const char *why = NULL;
	void *mem;
	int r;

	cfg = (struct swiotlb_config){ .nslabs = SWIOTLB_MAX_SLABS, .nareas = 1 };
	ok(swiotlb_config_check(&cfg, &why) == 0, "config: 64 GiB of slots is accepted");
	cfg.nslabs = SWIOTLB_MAX_SLABS + SWIOTLB_SEGMENT_SLOTS;
	why = NULL;
	r = swiotlb_config_check(&cfg, &why);
	ok(r == -EINVAL && why && strstr(why, "64 GiB"), "config: one segment more is refused: %s",
	   why ? why : "(no reason)");

	cfg = (struct swiotlb_config){ .nslabs = 1024 * SWIOTLB_SEGMENT_SLOTS, .nareas = 1024 };
	ok(swiotlb_config_check(&cfg, &why) == 0, "config: 1024 areas are accepted");
	cfg = (struct swiotlb_config){ .nslabs = 2048 * SWIOTLB_SEGMENT_SLOTS, .nareas = 2048 };
	why = NULL;
	r = swiotlb_config_check(&cfg, &why);
	ok(r == -EINVAL && why && strstr(why, "1024 areas"), "config: 2048 areas are refused: %s",
	   why ? why : "(no reason)");

	/* Caller memory: 256 KiB aligned, or a DMA address that is. */
	mem = mmap(NULL, 2 * SWIOTLB_SEGMENT_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem != MAP_FAILED) {
		uint8_t *aligned = (uint8_t *)(((uintptr_t)mem + SWIOTLB_SEGMENT_SIZE - 1) &
					       ~(uintptr_t)(SWIOTLB_SEGMENT_SIZE - 1));

		cfg = (struct swiotlb_config){ .nslabs = 128, .nareas = 1, .region = aligned };
		ok(swiotlb_config_check(&cfg, &why) == 0, "config: 256 KiB aligned memory taken");
		cfg.region = aligned + SWIOTLB_PAGE_SIZE;
		why = NULL;
		r = swiotlb_config_check(&cfg, &why);
		ok(r == -EINVAL && why && strstr(why, "memory is not aligned"),
		   "config: memory aligned to a page only is refused: %s", why ? why : "-");
		cfg.dma_base = 1ull << 30;
		ok(swiotlb_config_check(&cfg, &why) == 0,
		   "config: unless its DMA address is given, and aligned");
		munmap(mem, 2 * SWIOTLB_SEGMENT_SIZE);
	}

	cfg = (struct swiotlb_config){ .nareas = 1 };
	why = NULL;
	r = swiotlb_config_parse("08", &cfg, &why);
	ok(r == -EINVAL, "config: 08 is not an octal number (%d)", r);
	r = swiotlb_config_parse("07", &cfg, &why);
	ok(r == 0 && cfg.nslabs == 128, "config: 07 is (7 slots, rounded up to 128)");
	r = swiotlb_config_parse("0200", &cfg, &why);
	ok(r == 0 && cfg.nslabs == 128, "config: 0200 is octal 128 (%llu)",
	   (unsigned long long)cfg.nslabs);
	r = swiotlb_config_parse("129", &cfg, &why);
	ok(r == 0 && cfg.nslabs == 256, "config: 129 slots round up to two segments (%llu)",
	   (unsigned long long)cfg.nslabs);
}

int main(void)
{
	test_config_limits();
	for (cur_alloc = SWIOTLB_ALLOC_BITMAP; cur_alloc <= SWIOTLB_ALLOC_LINUX61; cur_alloc++) {
		test_size_limits();
		test_offset_prefix_cleared();
		test_area_of_cpu();
		test_directions();
		test_counters();
	}
	cur_alloc = SWIOTLB_ALLOC_BITMAP;
	test_bitmap_fits();
	return done_testing();
}
