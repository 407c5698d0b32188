// SPDX-License-Identifier: MIT
/*
 * libswiotlb against the Linux 6.1 allocator, side by side in one run.
 *
 * Every thread keeps a window of live mappings, as a block device keeps a
 * queue: each operation completes one live mapping chosen at random (I/O
 * completes out of order) and starts a new one, so the pool stays at a set
 * occupancy. An operation is one unmap (copy back for reads) plus one map
 * (copy in), the real cost of a bounced I/O. Each round runs both
 * allocators back to back on the same seed; the ratio is taken per round.
 *
 *   swiotlb-bench [--rounds N] [--ops N] [--occupancy PCT] [--trace CSV]
 *
 * Prints a table, then key=value lines: swiotlb_<mix>_<T>t_ratio (median
 * ops/s of the library over the baseline), swiotlb_1t_ratio and
 * swiotlb_2t_ratio (the mixed-size figures), and failure counts of both.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "swiotlb.h"
#include "trace.h"

#define NSLABS 32768u /* the kernel's default 64 MiB pool */
#define NAREAS 2u     /* one per CPU of a 2-CPU guest, the kernel's default */
#define MAX_ROUNDS 50

enum mix {
	MIX_2K,
	MIX_MIXED,
	MIX_TRACE,
	NR_MIXES
};
static const char *const mix_names[] = { "2k", "mixed", "trace" };

struct size_source {
	enum mix mix;
	const uint32_t *trace_sizes;
	size_t nr_trace_sizes;
};

struct thread_ctx {
	struct swiotlb_pool *pool; /* NULL: the copy floor, no pool at all */
	uint8_t *floor_region;	   /* the floor's stand-in for the slots */
	size_t floor_size;
	const struct size_source *src;
	unsigned int id, window;
	uint64_t ops, failures, seed;
	uint8_t *buf;
};

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static size_t pick_size(const struct size_source *src, uint64_t *x, uint64_t n)
{
	uint64_t r = next_rand(x);

	switch (src->mix) {
	case MIX_2K:
		return 2048;
	case MIX_MIXED: /* log-uniform from 512 B to 64 KiB */
		return (size_t)(512u << (r % 8)) + (size_t)((r >> 8) % (512u << (r % 8)));
	default:
		return src->trace_sizes[n % src->nr_trace_sizes];
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct live {
	uint64_t addr;
	uint32_t size;
	uint8_t dir;
};

static void *run_thread(void *arg)
{
	struct thread_ctx *t = arg;
	struct live *live = calloc(t->window, sizeof(*live));
	uint64_t x = t->seed, n = 0;
	size_t floor_pos = 0;

	for (uint64_t op = 0; op < t->ops + t->window; op++) {
		unsigned int k = op < t->window ? (unsigned int)op :
						  (unsigned int)(next_rand(&x) % t->window);
		size_t size;
		enum swiotlb_dir dir;

		if (live[k].size && !t->pool) {
			if (live[k].dir == SWIOTLB_FROM_DEVICE)
				memcpy(t->buf, t->floor_region + live[k].addr, live[k].size);
		} else if (live[k].size) {
			swiotlb_unmap(t->pool, NULL, live[k].addr, live[k].size,
				      (enum swiotlb_dir)live[k].dir);
		}
		live[k].size = 0;
		size = pick_size(t->src, &x, n++);
		dir = next_rand(&x) & 1 ? SWIOTLB_TO_DEVICE : SWIOTLB_FROM_DEVICE;
		if (!t->pool) {
			/* What every allocator must do: copy in, clear the slot's slack. */
			size_t slots = (size + 2047) & ~(size_t)2047;

			if (floor_pos + slots > t->floor_size)
				floor_pos = 0;
			memcpy(t->floor_region + floor_pos, t->buf, size);
			memset(t->floor_region + floor_pos + size, 0, slots - size);
			live[k] = (struct live){ .addr = floor_pos,
						 .size = (uint32_t)size,
						 .dir = (uint8_t)dir };
			floor_pos += slots;
		} else if (swiotlb_map(t->pool, NULL, t->buf, size, size, 0, dir, t->id,
				       &live[k].addr) == 0) {
			live[k].size = (uint32_t)size;
			live[k].dir = (uint8_t)dir;
		} else if (op >= t->window) {
			t->failures++;
		}
	}
	for (unsigned int k = 0; k < t->window && t->pool; k++)
		if (live[k].size)
			swiotlb_unmap(t->pool, NULL, live[k].addr, live[k].size,
				      (enum swiotlb_dir)live[k].dir);
	free(live);
	return NULL;
}

/*
 * One measurement: ops per second of @alloc with @threads threads, or with
 * @copy_floor the same copies into plain memory with no allocator at all:
 * what no allocator that keeps the kernel's copy rules can beat.
 */
static double measure(enum swiotlb_allocator alloc, bool copy_floor, const struct size_source *src,
		      unsigned int threads, uint64_t ops, unsigned int occupancy, uint64_t seed,
		      uint64_t *ret_failures)
{
	struct swiotlb_config cfg = { .nslabs = NSLABS, .nareas = NAREAS, .allocator = alloc };
	struct thread_ctx ctx[2];
	pthread_t tid[2];
	struct swiotlb_pool *pool;
	double mean_slots, start, elapsed;
	uint64_t failures = 0;

	if (swiotlb_pool_new(&cfg, &pool) < 0) {
		fprintf(stderr, "swiotlb-bench: cannot create a pool\n");
		exit(1);
	}
	/* Enough live mappings to hold the pool at the asked occupancy. */
	{
		uint64_t x = seed, total = 0;

		for (unsigned int i = 0; i < 4096; i++)
			total += (pick_size(src, &x, i) + 2047) / 2048;
		mean_slots = (double)total / 4096.0;
	}
	for (unsigned int i = 0; i < threads; i++) {
		ctx[i] = (struct thread_ctx){
			.pool = copy_floor ? NULL : pool,
			.floor_size = (size_t)NSLABS * 2048 / threads,
			.src = src,
			.id = i,
			.window = (unsigned int)(NSLABS * occupancy / 100.0 / mean_slots / threads),
			.ops = ops / threads,
			.seed = seed + i * 0x9e3779b97f4a7c15ull,
			.buf = malloc(256 << 10),
		};
		memset(ctx[i].buf, (int)i, 256 << 10);
		if (copy_floor) {
			/* The pool's own memory, split between the threads. */
			swiotlb_get_region(pool, (void **)&ctx[i].floor_region, NULL, NULL);
			ctx[i].floor_region += i * ctx[i].floor_size;
		}
		if (!ctx[i].window)
			ctx[i].window = 1;
	}
	start = now();
	for (unsigned int i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, run_thread, &ctx[i]);
	for (unsigned int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		failures += ctx[i].failures;
		free(ctx[i].buf);
	}
	elapsed = now() - start;
	swiotlb_pool_free(pool);
	*ret_failures = failures;
	return (double)(ops / threads * threads) / elapsed;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The failure count of a single-threaded replay of @trace, for both allocators. */
static void replay_failures(const struct trace *trace)
{
	for (int alloc = 0; alloc < 2; alloc++) {
		struct replay_result res;
		struct replay_config rc = {
			.pool = { .nslabs = 32768,
				  .nareas = 1,
				  .allocator = (enum swiotlb_allocator)alloc },
		};

		if (trace_replay(trace, &rc, &res) == 0)
			printf("swiotlb_trace_%s_failures=%llu\n", alloc ? "baseline" : "lib",
			       (unsigned long long)res.failures);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "ops", required_argument, NULL, 'n' },
		{ "occupancy", required_argument, NULL, 'o' },
		{ "trace", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int rounds = 5, occupancy = 75;
	uint64_t ops = 400000;
	const char *trace_path = NULL;
	struct trace trace = { 0 };
	struct size_source sources[NR_MIXES] = { { .mix = MIX_2K },
						 { .mix = MIX_MIXED },
						 { .mix = MIX_TRACE } };
	int c, nr_mixes = 2;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rounds = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			ops = strtoull(optarg, NULL, 10);
			break;
		case 'o':
			occupancy = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 't':
			trace_path = optarg;
			break;
		default:
			fprintf(stderr, "Usage: swiotlb-bench [--rounds N] [--ops N] "
					"[--occupancy PCT] [--trace FILE]\n");
			return 2;
		}
	}
	if (!rounds || rounds > MAX_ROUNDS || !ops || occupancy < 1 || occupancy > 95) {
		fprintf(stderr, "swiotlb-bench: rounds 1..50, ops > 0, occupancy 1..95\n");
		return 2;
	}
	if (trace_path) {
		char err[256];

		if (trace_load_file(trace_path, &trace, err, sizeof(err)) < 0) {
			fprintf(stderr, "swiotlb-bench: %s\n", err);
			trace_free(&trace);
			return 1;
		}
		sources[MIX_TRACE].trace_sizes =
			trace_map_sizes(&trace, &sources[MIX_TRACE].nr_trace_sizes);
		if (sources[MIX_TRACE].nr_trace_sizes)
			nr_mixes = 3;
	}

	printf("%-6s %-3s %14s %14s %10s %10s %9s %9s %14s %8s %8s\n", "mix", "thr", "lib ops/s",
	       "baseline ops/s", "ratio min", "ratio med", "fail lib", "fail base", "floor ops/s",
	       "ceiling", "of floor");
	for (int m = 0; m < nr_mixes; m++) {
		for (unsigned int threads = 1; threads <= 2; threads++) {
			double ratio[MAX_ROUNDS], ceiling[MAX_ROUNDS], of_floor[MAX_ROUNDS];
			double lib_best = 0, base_best = 0, floor_best = 0;
			uint64_t lib_fail = 0, base_fail = 0, no_fail;

			for (unsigned int r = 0; r < rounds; r++) {
				uint64_t seed = 0x1234 + r, f1, f2;
				double lib, base, floor_ops;

				/* Alternate the order so drift hits both alike. */
				if (r & 1) {
					base = measure(SWIOTLB_ALLOC_LINUX61, false, &sources[m],
						       threads, ops, occupancy, seed, &f2);
					lib = measure(SWIOTLB_ALLOC_BITMAP, false, &sources[m],
						      threads, ops, occupancy, seed, &f1);
				} else {
					lib = measure(SWIOTLB_ALLOC_BITMAP, false, &sources[m],
						      threads, ops, occupancy, seed, &f1);
					base = measure(SWIOTLB_ALLOC_LINUX61, false, &sources[m],
						       threads, ops, occupancy, seed, &f2);
				}
				floor_ops = measure(SWIOTLB_ALLOC_BITMAP, true, &sources[m],
						    threads, ops, occupancy, seed, &no_fail);
				ratio[r] = lib / base;
				ceiling[r] = floor_ops / base;
				of_floor[r] = lib / floor_ops;
				lib_best = lib > lib_best ? lib : lib_best;
				base_best = base > base_best ? base : base_best;
				floor_best = floor_ops > floor_best ? floor_ops : floor_best;
				lib_fail += f1;
				base_fail += f2;
			}
			qsort(ratio, rounds, sizeof(ratio[0]), cmp_double);
			qsort(ceiling, rounds, sizeof(ceiling[0]), cmp_double);
			qsort(of_floor, rounds, sizeof(of_floor[0]), cmp_double);
			printf("%-6s %-3u %14.0f %14.0f %10.2f %10.2f %9llu %9llu %14.0f %8.2f %8.2f\n",
			       mix_names[m], threads, lib_best, base_best, ratio[0],
			       ratio[rounds / 2], (unsigned long long)lib_fail,
			       (unsigned long long)base_fail, floor_best, ceiling[rounds / 2],
			       of_floor[rounds / 2]);
			printf("swiotlb_%s_%ut_ratio=%.2f\n", mix_names[m], threads,
			       ratio[rounds / 2]);
			/* The most any allocator could reach here, and how near the library is. */
			printf("swiotlb_%s_%ut_ceiling=%.2f\nswiotlb_%s_%ut_lib_of_floor=%.2f\n",
			       mix_names[m], threads, ceiling[rounds / 2], mix_names[m], threads,
			       of_floor[rounds / 2]);
			printf("swiotlb_%s_%ut_failures_lib=%llu\nswiotlb_%s_%ut_failures_baseline=%llu\n",
			       mix_names[m], threads, (unsigned long long)lib_fail, mix_names[m],
			       threads, (unsigned long long)base_fail);
			if (m == MIX_MIXED)
				printf("swiotlb_%ut_ratio=%.2f\n", threads, ratio[rounds / 2]);
		}
	}
	if (trace_path)
		replay_failures(&trace);
	trace_free(&trace);
	return 0;
}
