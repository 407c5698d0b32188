// SPDX-License-Identifier: MIT
/* Trace parsing (kernel kprobe output and CSV) and replay. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "trace.h"

static int parse(const char *text, struct trace *t, char *err)
{
	*t = (struct trace){ 0 };
	return trace_parse(text, strlen(text), t, err, 256);
}

/* What the kprobe events of docs/swiotlb.md print, with other events between. */
static const char kernel_trace[] =
	"# tracer: nop\n"
	"#\n"
	"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
	"   kworker/u4:2-45      [001] d..1.    12.000100: swiotlb_map: "
	"(swiotlb_tbl_map_single+0x0/0x3b0) orig=0x1f23800 size=4096 alloc=4096 align=0x0\n"
	"   kworker/u4:2-45      [001] d..1.    12.000150: swiotlb_map_ret: "
	"(swiotlb_map+0x8a/0x2f0 <- swiotlb_tbl_map_single) tlb=0x7c000000\n"
	"          <idle>-0       [000] d.h1.    12.000200: irq_handler_entry: irq=5 name=virtio\n"
	"            sh-80      [000] d..1.    12.000300: swiotlb_map: "
	"(swiotlb_tbl_map_single+0x0/0x3b0) orig=0x2000000 size=65536 alloc=65536 align=0x0\n"
	"            sh-80      [000] d..1.    12.000310: swiotlb_map_ret: "
	"(swiotlb_map+0x8a/0x2f0 <- swiotlb_tbl_map_single) tlb=0xffffffffffffffff\n"
	"   kworker/u4:2-45      [001] d..1.    12.000900: swiotlb_unmap: "
	"(swiotlb_tbl_unmap_single+0x0/0x98) tlb=0x7c000000 size=4096\n"
	"   kworker/u4:2-45      [001] d..1.    12.001000: swiotlb_unmap: "
	"(swiotlb_tbl_unmap_single+0x0/0x98) tlb=0x7d000000 size=512\n";

static void test_kernel_format(void)
{
	struct trace t;
	char err[256];
	int r = parse(kernel_trace, &t, err);

	ok(r == 0 && t.nr_events == 3, "kernel trace: 2 maps and 1 paired unmap (%d, %zu: %s)", r,
	   t.nr_events, err);
	ok(t.nr_events == 3 && t.events[0].size == 4096 && t.events[0].cpu == 1 &&
		   t.events[0].time_ns == 12000100000ull && t.events[0].orig_addr == 0x1f23800,
	   "kernel trace: size, CPU, time stamp and original address read");
	ok(t.nr_events == 3 && t.events[1].guest_failed && t.guest_failures == 1,
	   "a map whose return is DMA_MAPPING_ERROR is recorded as failed in the guest");
	ok(t.nr_events == 3 && t.events[2].op == TRACE_UNMAP && t.events[2].id == t.events[0].id,
	   "the unmap is paired with its map through the bounce address");
	ok(t.max_cpu == 1 && t.has_time, "two CPUs seen, time stamps present");
	trace_free(&t);

	r = parse("  kworker-45 [001] d..1. 12.0001: swiotlb_map: (x+0/0) orig=0x1 alloc=4096\n",
		  &t, err);
	ok(r == -EINVAL && strstr(err, "line 1") && strstr(err, "size="),
	   "a map event without size= is refused with its line: %s", err);
	trace_free(&t);
	r = parse("# x\n  kworker-45 001] d..1. 12.0001: swiotlb_map: (x) size=1\n", &t, err);
	ok(r == -EINVAL && strstr(err, "line 2") && strstr(err, "CPU"),
	   "a line without [CPU] is refused with its line: %s", err);
	trace_free(&t);
	r = parse("  kworker-45 [001] d..1. 12.x: swiotlb_unmap: (y) tlb=0x1\n", &t, err);
	ok(r == -EINVAL && strstr(err, "time stamp"), "a bad time stamp is refused: %s", err);
	trace_free(&t);
}

static void test_csv_format(void)
{
	struct trace t;
	char err[256];
	int r;

	r = parse("op,id,size\nmap,1,2048\nmap,2,8192,8192,0xfff,0,0,1,100\nunmap,1,200\n"
		  "unmap,2\n",
		  &t, err);
	ok(r == 0 && t.nr_events == 4 && t.events[1].alloc_align_mask == 0xfff &&
		   t.events[1].cpu == 1 && t.events[2].op == TRACE_UNMAP,
	   "CSV: header, short and long map lines, unmaps (%s)", err);
	trace_free(&t);
	r = parse("map,1,2048\nmpa,2,2048\n", &t, err);
	ok(r == -EINVAL && strstr(err, "line 2") && strstr(err, "unknown operation"),
	   "CSV: a misspelt operation is refused with its line: %s", err);
	trace_free(&t);
	r = parse("map,1,2048\nunmap,7\n", &t, err);
	ok(r == -EINVAL && strstr(err, "line 2") && strstr(err, "not mapped"),
	   "CSV: an unmap of an unknown id is refused: %s", err);
	trace_free(&t);
	r = parse("map,1,2048\nmap,1,4096\n", &t, err);
	ok(r == -EINVAL && strstr(err, "already live"), "CSV: a reused live id is refused: %s",
	   err);
	trace_free(&t);
	r = parse("map,1,0\n", &t, err);
	ok(r == -EINVAL && strstr(err, "size"), "CSV: size 0 is refused: %s", err);
	trace_free(&t);
	r = parse("map,1,2048,1024,0,0,0,0\n", &t, err);
	ok(r == -EINVAL && strstr(err, "allocation size"),
	   "CSV: an allocation smaller than the mapping is refused: %s", err);
	trace_free(&t);
	r = parse("map,1,20x48\n", &t, err);
	ok(r == -EINVAL && strstr(err, "field 3"), "CSV: a bad number names its field: %s", err);
	trace_free(&t);
	r = parse("map,1,2048\nmap,2,2048\0,3\n", &t, err);
	ok(r == 0, "CSV: parsing stops at the given length");
	trace_free(&t);
}

/* A trace that needs exactly 4 segments at its peak: 4 x 128 slots live at once. */
static void test_replay(void)
{
	struct trace t = { 0 };
	char *text = malloc(1 << 20), err[256];
	size_t len = 0;
	struct replay_result res;
	struct replay_config rc = {
		.pool = { .nslabs = 1024, .nareas = 1, .allocator = SWIOTLB_ALLOC_LINUX61 }
	};

	for (int i = 0; i < 4; i++)
		len += (size_t)sprintf(text + len, "map,%d,262144\n", i);
	for (int i = 0; i < 4; i++)
		len += (size_t)sprintf(text + len, "unmap,%d\n", i);
	for (int i = 10; i < 600; i++)
		len += (size_t)sprintf(text + len, "map,%d,2048\nunmap,%d\n", i, i);
	ok(trace_parse(text, len, &t, err, sizeof(err)) == 0, "a synthetic trace parses");
	ok(trace_replay(&t, &rc, &res) == 0 && res.failures == 0 && res.peak_slots == 512,
	   "replay on 1024 slots: peak 512, no failure (%llu)", (unsigned long long)res.failures);
	rc.pool.nslabs = 384;
	ok(trace_replay(&t, &rc, &res) == 0 && res.failures == 1 && res.first_failure_event == 4,
	   "replay on 384 slots: the fourth 256 KiB map fails, first failure at event 4");
	ok(res.unmaps == 3 + 590, "the unmap of the failed map is dropped (%llu unmaps)",
	   (unsigned long long)res.unmaps);
	ok(res.at_failure.free_slots == 0, "free space at the failure: none left");
	trace_free(&t);
	free(text);
}

int main(void)
{
	test_kernel_format();
	test_csv_format();
	test_replay();
	return done_testing();
}
