// SPDX-License-Identifier: MIT
/*
 * swiotlb-replay: replay a trace of SWIOTLB maps and unmaps against a pool
 * configuration, report what the pool went through, and recommend the
 * smallest swiotlb=<slabs>,<areas> that never fails on it.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define DEFAULT_SLABS 32768u /* the kernel's default: 64 MiB */

enum model {
	MODEL_LINUX61,
	MODEL_LIBSWIOTLB
};

struct options {
	const char *trace_path;
	struct swiotlb_config pool;
	unsigned int margin_pct;
	bool areas_given, recommend, json;
	enum model model;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: swiotlb-replay [OPTION]... TRACE\n"
		"Replay a trace of SWIOTLB maps and unmaps (kernel trace output or CSV; '-' for\n"
		"stdin) against a pool and recommend the smallest swiotlb= that never fails.\n\n"
		"  --swiotlb VALUE      the pool to replay: <slabs>[,<areas>] as on the kernel\n"
		"                       command line (default: 32768 slots, 64 MiB)\n"
		"  --areas N            areas (default: the CPUs in the trace, rounded up to a\n"
		"                       power of two)\n"
		"  --margin PCT         head room added to the recommendation (default 25)\n"
		"  --model NAME         allocator to model: linux-6.1 (default: what the guest\n"
		"                       kernel does) or libswiotlb\n"
		"  --no-recommend       replay only, no search for the smallest pool\n"
		"  --format text|json   output format (default text)\n"
		"  -h, --help           this text\n\n"
		"Exit status: 0 replayed, 1 unreadable or malformed trace, 2 usage error.\n");
}

static unsigned int round_up_pow2(unsigned int v)
{
	unsigned int p = 1;

	while (p < v && p < SWIOTLB_MAX_AREAS)
		p <<= 1;
	return p;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;

	errno = 0;
	*ret = strtoul(s, &end, 10);
	return errno || end == s || *end || *ret > max ? -EINVAL : 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "swiotlb", required_argument, NULL, 's' },
		{ "areas", required_argument, NULL, 'a' },
		{ "margin", required_argument, NULL, 'm' },
		{ "model", required_argument, NULL, 'M' },
		{ "no-recommend", no_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *why;
	unsigned long v;
	int c;

	*o = (struct options){ .pool = { .nslabs = DEFAULT_SLABS },
			       .margin_pct = 25,
			       .recommend = true };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (swiotlb_config_parse(optarg, &o->pool, &why) < 0) {
				fprintf(stderr, "swiotlb-replay: --swiotlb %s: %s\n", optarg, why);
				return EXIT_USAGE;
			}
			o->areas_given |= o->pool.nareas != 0;
			break;
		case 'a':
			if (parse_uint(optarg, SWIOTLB_MAX_AREAS, &v) < 0) {
				fprintf(stderr,
					"swiotlb-replay: --areas %s: not a number up to %u\n",
					optarg, SWIOTLB_MAX_AREAS);
				return EXIT_USAGE;
			}
			o->pool.nareas = (unsigned int)v;
			o->areas_given = true;
			break;
		case 'm':
			if (parse_uint(optarg, 1000, &v) < 0) {
				fprintf(stderr,
					"swiotlb-replay: --margin %s: a percentage 0..1000\n",
					optarg);
				return EXIT_USAGE;
			}
			o->margin_pct = (unsigned int)v;
			break;
		case 'M':
			if (!strcmp(optarg, "linux-6.1")) {
				o->model = MODEL_LINUX61;
			} else if (!strcmp(optarg, "libswiotlb")) {
				o->model = MODEL_LIBSWIOTLB;
			} else {
				fprintf(stderr,
					"swiotlb-replay: --model %s: linux-6.1 or libswiotlb\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			o->recommend = false;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "swiotlb-replay: --format %s: text or json\n",
					optarg);
				return EXIT_USAGE;
			}
			o->json = !strcmp(optarg, "json");
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "swiotlb-replay: expected one TRACE file (see --help)\n");
		return EXIT_USAGE;
	}
	o->trace_path = argv[optind];
	o->pool.allocator = o->model == MODEL_LINUX61 ? SWIOTLB_ALLOC_LINUX61 :
							SWIOTLB_ALLOC_BITMAP;
	return EXIT_OK;
}

struct recommendation {
	uint64_t min_ok;   /* smallest pool without a failure, 0 if none found */
	uint64_t one_less; /* the next smaller pool the kernel can have, which fails */
	uint64_t one_less_failures;
	uint64_t recommended; /* min_ok plus the margin, as the kernel will size it */
};

/*
 * The pool Linux 6.1 really makes for swiotlb=@nslabs: 128-slot aligned,
 * then, since an area count is always set (from the parameter or from the
 * CPUs), at least a segment per area and rounded up to a power of two
 * (round_up_default_nslabs()).
 */
static uint64_t linux61_pool_size(uint64_t nslabs, unsigned int nareas)
{
	uint64_t p = 1;

	nslabs = (nslabs + SWIOTLB_SEGMENT_SLOTS - 1) / SWIOTLB_SEGMENT_SLOTS *
		 SWIOTLB_SEGMENT_SLOTS;
	if (nslabs < (uint64_t)SWIOTLB_SEGMENT_SLOTS * nareas)
		nslabs = (uint64_t)SWIOTLB_SEGMENT_SLOTS * nareas;
	while (p < nslabs)
		p <<= 1;
	return p;
}

static int failures_at(const struct trace *t, const struct options *o, uint64_t nslabs,
		       uint64_t *ret_failures)
{
	struct replay_config rc = { .pool = o->pool };
	struct replay_result res;
	int r;

	rc.pool.nslabs = nslabs;
	r = trace_replay(t, &rc, &res);
	if (r < 0)
		return r;
	*ret_failures = res.failures;
	return 0;
}

/* The most mappings live at once in @t. */
static uint64_t max_live_maps(const struct trace *t)
{
	uint64_t live = 0, most = 0;

	for (size_t i = 0; i < t->nr_events; i++) {
		if (t->events[i].op == TRACE_MAP && !t->events[i].guest_failed)
			most = ++live > most ? live : most;
		else if (t->events[i].op == TRACE_UNMAP && live)
			live--;
	}
	return most;
}

/*
 * Binary search over multiples of one segment per area. The upper end
 * cannot fail but for a mapping no segment holds: with a segment more than
 * mappings live at once, some segment is always wholly free.
 */
static int recommend(const struct trace *t, const struct options *o, struct recommendation *rec)
{
	uint64_t step = (uint64_t)SWIOTLB_SEGMENT_SLOTS * o->pool.nareas, lo = 1, hi, f;
	uint64_t bound = (max_live_maps(t) + 1 + o->pool.nareas) * SWIOTLB_SEGMENT_SLOTS;
	int r;

	*rec = (struct recommendation){ 0 };
	hi = (bound + step - 1) / step;
	if (hi > SWIOTLB_MAX_SLABS / step)
		hi = SWIOTLB_MAX_SLABS / step;
	r = failures_at(t, o, hi * step, &f);
	if (r < 0 || f)
		return r; /* fails even at the largest pool: too big a mapping */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		r = failures_at(t, o, mid * step, &f);
		if (r < 0)
			return r;
		if (f)
			lo = mid + 1;
		else
			hi = mid;
	}
	rec->min_ok = lo * step;
	if (o->model == MODEL_LINUX61) {
		/* The kernel's pools are powers of two: find the smallest that works. */
		uint64_t pow2 = linux61_pool_size(rec->min_ok, o->pool.nareas);

		for (;;) {
			r = failures_at(t, o, pow2, &f);
			if (r < 0)
				return r;
			if (!f || pow2 >= SWIOTLB_MAX_SLABS)
				break;
			pow2 <<= 1;
		}
		if (pow2 / 2 >= step) {
			rec->one_less = pow2 / 2;
			r = failures_at(t, o, rec->one_less, &rec->one_less_failures);
			if (r < 0)
				return r;
		}
		rec->recommended = linux61_pool_size(rec->min_ok * (100u + o->margin_pct) / 100,
						     o->pool.nareas);
		if (rec->recommended < pow2)
			rec->recommended = pow2;
	} else {
		if (lo > 1) {
			rec->one_less = (lo - 1) * step;
			r = failures_at(t, o, rec->one_less, &rec->one_less_failures);
			if (r < 0)
				return r;
		}
		rec->recommended = (rec->min_ok * (100u + o->margin_pct) / 100 + step - 1) / step *
				   step;
	}
	if (rec->recommended > SWIOTLB_MAX_SLABS)
		rec->recommended = SWIOTLB_MAX_SLABS;
	return 0;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static json_object *extents_json(const struct swiotlb_free_extents *e)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "free_slots", json_object_new_uint64(e->free_slots));
	json_object_object_add(o, "free_runs", json_object_new_uint64(e->free_runs));
	json_object_object_add(o, "largest_run", json_object_new_uint64(e->largest_run));
	json_object_object_add(o, "free_segments", json_object_new_uint64(e->free_segments));
	return o;
}

static void print_json(const struct options *o, const struct trace *t,
		       const struct replay_result *res, const struct recommendation *rec)
{
	json_object *root = json_object_new_object(), *pool = json_object_new_object();
	json_object *occ = json_object_new_array();
	uint64_t total_ns = 0;

	for (int b = 0; b < REPLAY_OCCUPANCY_BUCKETS; b++)
		total_ns += res->ns_at[b];
	json_object_object_add(root, "trace", json_object_new_string(o->trace_path));
	json_object_object_add(root, "maps", json_object_new_uint64(res->maps));
	json_object_object_add(root, "unmaps", json_object_new_uint64(res->unmaps));
	json_object_object_add(root, "guest_failures", json_object_new_uint64(t->guest_failures));
	json_object_object_add(pool, "slabs", json_object_new_uint64(o->pool.nslabs));
	json_object_object_add(pool, "areas", json_object_new_uint64(o->pool.nareas));
	json_object_object_add(pool, "model",
			       json_object_new_string(o->model == MODEL_LINUX61 ? "linux-6.1" :
										  "libswiotlb"));
	json_object_object_add(root, "pool", pool);
	json_object_object_add(root, "failures", json_object_new_uint64(res->failures));
	json_object_object_add(root, "peak_slots", json_object_new_uint64(res->peak_slots));
	json_object_object_add(root, "at_peak", extents_json(&res->at_peak));
	if (res->first_failure_event)
		json_object_object_add(root, "at_first_failure", extents_json(&res->at_failure));
	for (int b = 0; b < REPLAY_OCCUPANCY_BUCKETS; b++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "from_pct", json_object_new_int(b * 10));
		json_object_object_add(e, "events_pct",
				       json_object_new_double(
					       pct(res->events_at[b], res->maps + res->unmaps)));
		if (t->has_time)
			json_object_object_add(e, "time_pct",
					       json_object_new_double(
						       pct(res->ns_at[b], total_ns)));
		json_object_array_add(occ, e);
	}
	json_object_object_add(root, "occupancy", occ);
	if (o->recommend) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "min_slabs", json_object_new_uint64(rec->min_ok));
		json_object_object_add(r, "margin_pct", json_object_new_int((int)o->margin_pct));
		json_object_object_add(r, "slabs", json_object_new_uint64(rec->recommended));
		if (rec->min_ok) {
			char arg[64];

			snprintf(arg, sizeof(arg), "swiotlb=%llu,%u",
				 (unsigned long long)rec->recommended, o->pool.nareas);
			json_object_object_add(r, "kernel_parameter", json_object_new_string(arg));
		}
		json_object_object_add(r, "one_step_smaller",
				       json_object_new_uint64(rec->one_less));
		json_object_object_add(r, "one_step_smaller_failures",
				       json_object_new_uint64(rec->one_less_failures));
		json_object_object_add(root, "recommendation", r);
	}
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

static void print_text(const struct options *o, const struct trace *t,
		       const struct replay_result *res, const struct recommendation *rec)
{
	uint64_t total_ns = 0;

	for (int b = 0; b < REPLAY_OCCUPANCY_BUCKETS; b++)
		total_ns += res->ns_at[b];
	printf("trace: %s: %llu maps, %llu unmaps, %llu maps failed in the guest\n", o->trace_path,
	       (unsigned long long)res->maps, (unsigned long long)res->unmaps,
	       (unsigned long long)t->guest_failures);
	printf("pool: %llu slots (%llu MiB), %u areas, %s allocator\n",
	       (unsigned long long)o->pool.nslabs, (unsigned long long)(o->pool.nslabs >> 9),
	       o->pool.nareas, o->model == MODEL_LINUX61 ? "Linux 6.1" : "libswiotlb");
	printf("replay: peak %llu slots (%.1f%%), %llu failures\n",
	       (unsigned long long)res->peak_slots, pct(res->peak_slots, o->pool.nslabs),
	       (unsigned long long)res->failures);
	printf("free space at the peak: %llu slots in %llu runs, largest run %llu slots, %llu "
	       "whole segments\n",
	       (unsigned long long)res->at_peak.free_slots,
	       (unsigned long long)res->at_peak.free_runs,
	       (unsigned long long)res->at_peak.largest_run,
	       (unsigned long long)res->at_peak.free_segments);
	if (res->first_failure_event)
		printf("first failure at event %llu: %llu slots free in %llu runs, largest %llu\n",
		       (unsigned long long)res->first_failure_event,
		       (unsigned long long)res->at_failure.free_slots,
		       (unsigned long long)res->at_failure.free_runs,
		       (unsigned long long)res->at_failure.largest_run);
	printf("occupancy (share of events%s):\n", t->has_time ? ", of trace time" : "");
	for (int b = 0; b < REPLAY_OCCUPANCY_BUCKETS; b++) {
		if (!res->events_at[b])
			continue;
		printf("  %3d-%3d%%  %5.1f%%", b * 10, b * 10 + 10,
		       pct(res->events_at[b], res->maps + res->unmaps));
		if (t->has_time)
			printf("  %5.1f%%", pct(res->ns_at[b], total_ns));
		putchar('\n');
	}
	if (!o->recommend)
		return;
	if (!rec->min_ok) {
		printf("recommend: none: the trace fails even with the largest pool (a mapping "
		       "larger than 256 KiB or one that no alignment allows)\n");
		return;
	}
	printf("recommend: swiotlb=%llu,%u (the trace needs %llu slots, %llu MiB; plus %u%% "
	       "margin%s)\n",
	       (unsigned long long)rec->recommended, o->pool.nareas,
	       (unsigned long long)rec->min_ok, (unsigned long long)(rec->min_ok >> 9),
	       o->margin_pct,
	       o->model == MODEL_LINUX61 ? ", rounded up to a power of two as Linux 6.1 does" : "");
	if (rec->one_less)
		printf("one step smaller, swiotlb=%llu,%u, fails %llu times\n",
		       (unsigned long long)rec->one_less, o->pool.nareas,
		       (unsigned long long)rec->one_less_failures);
}

int main(int argc, char **argv)
{
	struct options o;
	struct trace trace = { 0 };
	struct replay_result res;
	struct recommendation rec = { 0 };
	const char *why;
	char err[512];
	int r = parse_options(argc, argv, &o);

	if (r != EXIT_OK)
		return r;
	if (trace_load_file(o.trace_path, &trace, err, sizeof(err)) < 0) {
		fprintf(stderr, "swiotlb-replay: %s\n", err);
		trace_free(&trace); /* what parsed before the bad line */
		return EXIT_FAIL;
	}
	if (!o.areas_given)
		o.pool.nareas = round_up_pow2(trace.max_cpu + 1);
	if (o.model == MODEL_LINUX61 && o.pool.nslabs && o.pool.nareas &&
	    (o.pool.nareas & (o.pool.nareas - 1)) == 0 && o.pool.nareas <= SWIOTLB_MAX_AREAS) {
		uint64_t kernel_size = linux61_pool_size(o.pool.nslabs, o.pool.nareas);

		if (kernel_size != o.pool.nslabs && !o.json)
			printf("note: Linux 6.1 makes a pool of %llu slots for swiotlb=%llu,%u\n",
			       (unsigned long long)kernel_size, (unsigned long long)o.pool.nslabs,
			       o.pool.nareas);
		o.pool.nslabs = kernel_size;
	}
	if (swiotlb_config_check(&o.pool, &why) < 0) {
		fprintf(stderr, "swiotlb-replay: pool of %llu slots in %u areas: %s\n",
			(unsigned long long)o.pool.nslabs, o.pool.nareas, why);
		trace_free(&trace);
		return EXIT_USAGE;
	}
	struct replay_config rc = { .pool = o.pool };

	r = trace_replay(&trace, &rc, &res);
	if (r == 0 && o.recommend)
		r = recommend(&trace, &o, &rec);
	if (r < 0) {
		fprintf(stderr, "swiotlb-replay: replay failed: %s\n", strerror(-r));
		trace_free(&trace);
		return EXIT_FAIL;
	}
	if (o.json)
		print_json(&o, &trace, &res, &rec);
	else
		print_text(&o, &trace, &res, &rec);
	trace_free(&trace);
	return EXIT_OK;
}
