// SPDX-License-Identifier: MIT
/* Parsing SWIOTLB traces (kernel kprobe output or CSV). Replay is in replay.c. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"
#include "u64map.h"

#define MAX_PENDING 1024u
#define DMA_MAPPING_ERROR (~0ull)
#define MAX_EVENT_SIZE (16u << 20)

enum mode {
	MODE_UNKNOWN,
	MODE_CSV,
	MODE_KERNEL
};

struct pending_map {
	uint64_t pid;
	size_t event;
};

struct parser {
	struct trace *trace;
	enum mode mode;
	unsigned long line;
	struct u64map live_ids; /* CSV: ids of live mappings; kernel: tlb -> id */
	struct pending_map pending[MAX_PENDING];
	size_t nr_pending;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "line %lu: ", p->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int push_event(struct parser *p, const struct trace_event *ev)
{
	struct trace *t = p->trace;

	if (t->nr_events == TRACE_MAX_EVENTS)
		return fail(p, "more than %u events", TRACE_MAX_EVENTS);
	if (t->nr_events == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct trace_event *events = realloc(t->events, cap * sizeof(*events));

		if (!events)
			return -ENOMEM;
		t->events = events;
		t->cap = cap;
	}
	t->events[t->nr_events++] = *ev;
	if (ev->cpu > t->max_cpu)
		t->max_cpu = ev->cpu;
	return 0;
}

/*
 * A whole token as a number: decimal (leading zeros too, never octal) or
 * 0x hex; false if anything else is in it.
 */
static bool parse_u64(const char *s, size_t len, uint64_t *ret)
{
	char buf[32], *end;
	int base = 10;

	if (!len || len >= sizeof(buf) || !isdigit((unsigned char)s[0]))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
		base = 16;
	if (!isxdigit((unsigned char)buf[base == 16 ? 2 : 0]))
		return false;
	errno = 0;
	*ret = strtoull(buf, &end, base);
	return !errno && *end == '\0';
}

/* ---- CSV ---------------------------------------------------------------- */

static int parse_csv(struct parser *p, const char *line, size_t len)
{
	const char *field[10];
	size_t flen[10], nf = 0;
	uint64_t v[10] = { 0 };
	struct trace_event ev = { 0 };
	bool is_map;

	for (size_t i = 0, start = 0; i <= len; i++) {
		if (i == len || line[i] == ',') {
			if (nf == 10)
				return fail(p, "more than 9 fields");
			field[nf] = line + start;
			flen[nf++] = i - start;
			start = i + 1;
		}
	}
	is_map = flen[0] == 3 && !memcmp(field[0], "map", 3);
	if (!is_map && !(flen[0] == 5 && !memcmp(field[0], "unmap", 5)))
		return fail(p, "unknown operation \"%.*s\" (map or unmap)", (int)flen[0], field[0]);
	for (size_t i = 1; i < nf; i++)
		if (!parse_u64(field[i], flen[i], &v[i]))
			return fail(p, "field %zu is not a number", i + 1);
	ev.id = v[1];
	if (is_map) {
		if (nf != 3 && nf != 8 && nf != 9)
			return fail(p, "a map has 3, 8 or 9 fields, not %zu", nf);
		if (!v[2] || v[2] > MAX_EVENT_SIZE)
			return fail(p, "size %llu outside 1..%u", (unsigned long long)v[2],
				    MAX_EVENT_SIZE);
		ev.op = TRACE_MAP;
		ev.size = (uint32_t)v[2];
		ev.alloc_size = nf > 3 ? (uint32_t)v[3] : ev.size;
		if (nf > 3 && (v[3] < v[2] || v[3] > MAX_EVENT_SIZE))
			return fail(p, "allocation size smaller than the mapping or too large");
		ev.alloc_align_mask = v[4];
		ev.min_align_mask = v[5];
		ev.boundary_mask = v[6];
		if (v[7] > 65535)
			return fail(p, "cpu %llu out of range", (unsigned long long)v[7]);
		ev.cpu = (uint32_t)v[7];
		ev.time_ns = v[8];
		if (u64map_get(&p->live_ids, ev.id, NULL) == 0)
			return fail(p, "map id %llu is already live", (unsigned long long)ev.id);
		if (u64map_put(&p->live_ids, ev.id, 1) < 0)
			return -ENOMEM;
	} else {
		if (nf != 2 && nf != 3)
			return fail(p, "an unmap has 2 or 3 fields, not %zu", nf);
		ev.op = TRACE_UNMAP;
		ev.time_ns = v[2];
		if (u64map_del(&p->live_ids, ev.id) < 0)
			return fail(p, "unmap of id %llu, which is not mapped",
				    (unsigned long long)ev.id);
	}
	if (nf == 9 || (!is_map && nf == 3))
		p->trace->has_time = 1;
	return push_event(p, &ev);
}

/* ---- kernel trace ------------------------------------------------------- */

/* The value of KEY= among the space-separated pairs in [s, end). */
static bool find_value(const char *s, const char *end, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);

	for (const char *q = s; q + klen < end; q++) {
		if ((q == s || q[-1] == ' ') && !memcmp(q, key, klen) && q[klen] == '=') {
			const char *v = q + klen + 1, *ve = v;

			while (ve < end && *ve != ' ')
				ve++;
			return parse_u64(v, (size_t)(ve - v), ret);
		}
	}
	return false;
}

struct kline {
	uint64_t pid, time_ns;
	uint32_t cpu;
	const char *args, *end;
};

/* "COMM-PID [CPU] FLAGS SECS.USECS: EVENT: (where) args": the fixed parts. */
static int split_kernel_line(struct parser *p, const char *line, size_t len, const char *event,
			     struct kline *ret)
{
	const char *end = line + len, *name, *lb, *rb, *colon, *dash;
	uint64_t cpu, secs, frac;
	size_t frac_len;

	name = strstr(line, event); /* callers checked it is there and bounded */
	lb = line;
	rb = NULL;
	for (const char *q = line; q < name; q++)
		if (*q == '[' && q > line && q[-1] == ' ') {
			lb = q;
			rb = memchr(q, ']', (size_t)(name - q));
			break;
		}
	if (!rb || !parse_u64(lb + 1, (size_t)(rb - lb - 1), &cpu) || cpu > 65535)
		return fail(p, "no [CPU] field before the event");
	{
		const char *pid_end = lb;

		while (pid_end > line && pid_end[-1] == ' ')
			pid_end--;
		for (dash = pid_end - 1; dash > line && *dash != '-'; dash--)
			;
		if (*dash != '-' || !parse_u64(dash + 1, (size_t)(pid_end - dash - 1), &ret->pid))
			return fail(p, "no TASK-PID field before [CPU]");
	}
	/* The time stamp ends with ": " right before the event name. */
	colon = name - 2;
	if (colon <= rb || colon[0] != ':' || colon[1] != ' ')
		return fail(p, "no time stamp before the event");
	{
		const char *ts = colon, *dot = NULL;

		while (ts > rb && ts[-1] != ' ') {
			ts--;
			if (*ts == '.')
				dot = ts;
		}
		frac_len = dot ? (size_t)(colon - dot - 1) : 0;
		if (!dot || !parse_u64(ts, (size_t)(dot - ts), &secs) ||
		    !parse_u64(dot + 1, frac_len, &frac) || frac_len > 9 || secs > 1ull << 33)
			return fail(p, "malformed time stamp");
		while (frac_len++ < 9)
			frac *= 10;
		ret->time_ns = secs * 1000000000ull + frac;
	}
	ret->cpu = (uint32_t)cpu;
	ret->args = memchr(name, ')', (size_t)(end - name));
	if (!ret->args)
		return fail(p, "no (probe location) after the event name");
	ret->args++;
	ret->end = end;
	return 0;
}

static const char *event_in(const char *line, size_t len, const char *event)
{
	const char *at = line;
	size_t elen = strlen(event);

	while ((at = memmem(at, len - (size_t)(at - line), event, elen))) {
		if (at >= line + 2 && at[-1] == ' ' && at[-2] == ':')
			return at;
		at += elen;
	}
	return NULL;
}

static int parse_kernel(struct parser *p, const char *line, size_t len)
{
	struct trace_event ev = { 0 };
	struct kline kl;
	uint64_t v, tlb;
	int r;

	if (event_in(line, len, "swiotlb_map: ")) {
		if ((r = split_kernel_line(p, line, len, "swiotlb_map: ", &kl)))
			return r;
		if (!find_value(kl.args, kl.end, "size", &v) || !v || v > MAX_EVENT_SIZE)
			return fail(p, "swiotlb_map without a valid size=");
		ev.op = TRACE_MAP;
		ev.size = (uint32_t)v;
		ev.alloc_size = ev.size;
		if (find_value(kl.args, kl.end, "alloc", &v)) {
			if (v < ev.size || v > MAX_EVENT_SIZE)
				return fail(p, "alloc= smaller than size= or too large");
			ev.alloc_size = (uint32_t)v;
		}
		find_value(kl.args, kl.end, "align", &ev.alloc_align_mask);
		find_value(kl.args, kl.end, "orig", &ev.orig_addr);
		ev.cpu = kl.cpu;
		ev.time_ns = kl.time_ns;
		ev.id = p->trace->nr_events;
		if (p->nr_pending == MAX_PENDING)
			return fail(p,
				    "%u maps without a return: is the swiotlb_map_ret probe set?",
				    MAX_PENDING);
		p->pending[p->nr_pending++] = (struct pending_map){ kl.pid, p->trace->nr_events };
		p->trace->has_time = 1;
		return push_event(p, &ev);
	}
	if (event_in(line, len, "swiotlb_map_ret: ")) {
		size_t k;

		if ((r = split_kernel_line(p, line, len, "swiotlb_map_ret: ", &kl)))
			return r;
		if (!find_value(kl.args, kl.end, "tlb", &tlb))
			return fail(p, "swiotlb_map_ret without tlb=");
		for (k = p->nr_pending; k > 0 && p->pending[k - 1].pid != kl.pid; k--)
			;
		if (k == 0)
			return 0; /* its entry was before the trace started */
		ev = p->trace->events[p->pending[k - 1].event];
		memmove(&p->pending[k - 1], &p->pending[k],
			(p->nr_pending - k) * sizeof(p->pending[0]));
		p->nr_pending--;
		if (tlb == DMA_MAPPING_ERROR) {
			p->trace->events[ev.id].guest_failed = 1;
			p->trace->guest_failures++;
			return 0;
		}
		return u64map_put(&p->live_ids, tlb, ev.id) < 0 ? -ENOMEM : 0;
	}
	if (event_in(line, len, "swiotlb_unmap: ")) {
		if ((r = split_kernel_line(p, line, len, "swiotlb_unmap: ", &kl)))
			return r;
		if (!find_value(kl.args, kl.end, "tlb", &tlb))
			return fail(p, "swiotlb_unmap without tlb=");
		if (u64map_get(&p->live_ids, tlb, &ev.id) < 0)
			return 0; /* mapped before the trace started */
		u64map_del(&p->live_ids, tlb);
		ev.op = TRACE_UNMAP;
		ev.cpu = kl.cpu;
		ev.time_ns = kl.time_ns;
		return push_event(p, &ev);
	}
	return 0; /* another event */
}

static int parse_line(struct parser *p, const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	while (len && (*line == ' ' || *line == '\t') && p->mode != MODE_KERNEL) {
		line++;
		len--;
	}
	if (!len || line[0] == '#')
		return 0;
	if (len > TRACE_MAX_LINE)
		return fail(p, "longer than %u bytes", TRACE_MAX_LINE);
	if (memchr(line, '\0', len))
		return fail(p, "contains a NUL byte");
	if (p->mode == MODE_UNKNOWN) {
		if (len >= 3 && !memcmp(line, "op,", 3))
			return (p->mode = MODE_CSV), 0; /* a header line */
		p->mode = (len >= 4 && !memcmp(line, "map,", 4)) ||
					  (len >= 6 && !memcmp(line, "unmap,", 6)) ?
				  MODE_CSV :
				  MODE_KERNEL;
	}
	return p->mode == MODE_CSV ? parse_csv(p, line, len) : parse_kernel(p, line, len);
}

int trace_parse(const char *text, size_t len, struct trace *trace, char *err, size_t errlen)
{
	struct parser p = { .trace = trace, .err = err, .errlen = errlen };
	int r = 0;

	if (errlen)
		err[0] = '\0';
	if (u64map_init(&p.live_ids) < 0)
		return -ENOMEM;
	for (size_t pos = 0; pos < len && r == 0;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (text + pos)) : len - pos;

		p.line++;
		r = parse_line(&p, text + pos, llen);
		pos += llen + 1;
	}
	u64map_free(&p.live_ids);
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return r;
}

int trace_load_file(const char *path, struct trace *trace, char *err, size_t errlen)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : 0;
	char *buf = NULL, msg[200];
	size_t len = 0, cap = 0;
	struct stat st;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "not a file");
		if (fd > 0)
			close(fd);
		return -EINVAL;
	}
	if (fd > 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= TRACE_MAX_FILE) {
				snprintf(err, errlen, "%s: larger than 4 GiB", path);
				r = -EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 1 << 20;
			nb = realloc(buf, cap);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	r = trace_parse(buf, len, trace, msg, sizeof(msg));
	if (r < 0)
		snprintf(err, errlen, "%s: %s", path, msg);
out:
	free(buf);
	if (fd > 0)
		close(fd);
	return r;
}

void trace_free(struct trace *trace)
{
	free(trace->events);
	free(trace->map_sizes);
	*trace = (struct trace){ 0 };
}

const uint32_t *trace_map_sizes(struct trace *trace, size_t *ret_nr)
{
	uint32_t *sizes;
	size_t n = 0;

	free(trace->map_sizes);
	sizes = trace->map_sizes = malloc((trace->nr_events + 1) * sizeof(*sizes));
	if (!sizes) {
		*ret_nr = 0;
		return NULL;
	}
	for (size_t i = 0; i < trace->nr_events; i++)
		if (trace->events[i].op == TRACE_MAP)
			sizes[n++] = trace->events[i].size;
	*ret_nr = n;
	return sizes;
}
