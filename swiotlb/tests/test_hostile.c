// SPDX-License-Identifier: MIT
/*
 * The pool against a device it cannot trust. The pool's memory is a memfd
 * that other processes map; they play the hypervisor's device model: they
 * see only that memory, address it by DMA address, and may read or write
 * any byte of it at any moment. The guest side runs several threads.
 *
 * - an honest device checks what it is given (no stale data, slack clear)
 *   and writes replies, while threads check every byte that comes back;
 * - a hostile device scribbles over the whole pool all the time and
 *   reports made-up lengths and addresses: private memory outside the
 *   mappings must never change, and made-up ranges must be refused;
 * - failed maps give every slot back; concurrent maps with mixed
 *   alignments never share a slot.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "swiotlb.h"
#include "tap.h"

#define NSLABS 4096u /* 8 MiB */
#define POOL_SIZE ((size_t)NSLABS * SWIOTLB_SLOT_SIZE)
#define DMA_BASE 0x40000000ull /* what the device calls the pool's first byte */
#define NTHREADS 4
#define ROUNDS 1500
#define CANARY 0xc5

enum device_op {
	DEV_CHECK = 1,
	DEV_FILL = 2,
	DEV_QUIT = 3
};

struct device_cmd {
	uint32_t op;
	uint32_t len;
	uint64_t dma_addr;
	uint64_t seed;
	uint64_t slack_end; /* DEV_CHECK: bytes up to here after the data must be zero */
};

struct device_reply {
	int32_t status; /* 0 ok, 1 data wrong, 2 stale slack */
	uint32_t reported_len;
	uint64_t reported_addr;
};

static int pool_fd = -1;

static uint8_t pattern_byte(uint64_t seed, size_t i)
{
	uint64_t x = seed + i * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	return (uint8_t)(x * 0xbf58476d1ce4e5b9ull >> 56);
}

static void *map_pool(void)
{
	uint8_t *reserve = mmap(NULL, POOL_SIZE + SWIOTLB_SEGMENT_SIZE, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t at;

	if (reserve == MAP_FAILED)
		return NULL;
	at = ((uintptr_t)reserve + SWIOTLB_SEGMENT_SIZE - 1) &
	     ~(uintptr_t)(SWIOTLB_SEGMENT_SIZE - 1);
	return mmap((void *)at, POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, pool_fd,
		    0);
}

/* The honest device: one process per guest thread, serving its socket. */
static void honest_device(int sock)
{
	uint8_t *mem = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, pool_fd, 0);
	struct device_cmd cmd;

	while (read(sock, &cmd, sizeof(cmd)) == sizeof(cmd) && cmd.op != DEV_QUIT) {
		struct device_reply reply = { 0 };
		uint8_t *p = mem + (cmd.dma_addr - DMA_BASE);

		if (cmd.op == DEV_CHECK) {
			for (size_t i = 0; i < cmd.len && !reply.status; i++)
				if (p[i] != pattern_byte(cmd.seed, i))
					reply.status = 1;
			for (size_t i = cmd.len; i < cmd.slack_end && !reply.status; i++)
				if (p[i])
					reply.status = 2;
		} else {
			for (size_t i = 0; i < cmd.len; i++)
				p[i] = pattern_byte(cmd.seed, i);
		}
		if (write(sock, &reply, sizeof(reply)) != sizeof(reply))
			break;
	}
	_exit(0);
}

/* The hostile device: writes garbage everywhere until killed. */
static void hostile_device(void)
{
	uint8_t *mem = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, pool_fd, 0);
	uint64_t x = 0x853c49e6748fea9bull;

	for (;;) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memset(mem + x % (POOL_SIZE - 512), (int)(x >> 56), 1 + (x >> 40) % 512);
	}
}

static pid_t spawn(void (*fn)(int), int arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* A device must not outlive a test that crashed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		fn(arg);
	}
	return pid;
}

static void hostile_entry(int unused)
{
	(void)unused;
	hostile_device();
}

struct worker {
	struct swiotlb_pool *pool;
	int sock;
	unsigned int id;
	unsigned int bad_out, bad_back, bad_slack, map_fail;
};

static uint64_t slack_end_for(uint64_t dma_addr, size_t len)
{
	uint64_t end = dma_addr + len;

	return ((end + SWIOTLB_SLOT_SIZE - 1) & ~(uint64_t)(SWIOTLB_SLOT_SIZE - 1)) - dma_addr;
}

static void *honest_worker(void *arg)
{
	struct worker *w = arg;
	uint8_t *out = malloc(70000), *in = malloc(70000);
	uint64_t x = 0x1234567ull + w->id;

	for (unsigned int round = 0; round < ROUNDS; round++) {
		struct device_cmd cmd;
		struct device_reply reply;
		size_t len;
		uint64_t a, b, seed_out, seed_in;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = 1 + (size_t)(x % (x & 1 ? 2048 : 65536));
		seed_out = x;
		seed_in = ~x;
		for (size_t i = 0; i < len; i++)
			out[i] = pattern_byte(seed_out, i);
		for (size_t i = 0; i < len; i++)
			in[i] = pattern_byte(seed_in ^ 0x77, i);
		if (swiotlb_map(w->pool, NULL, out, len, len, 0, SWIOTLB_TO_DEVICE, w->id, &a)) {
			w->map_fail++;
			continue;
		}
		if (swiotlb_map(w->pool, NULL, in, len, len, 0, SWIOTLB_FROM_DEVICE, w->id, &b)) {
			swiotlb_unmap(w->pool, NULL, a, len, SWIOTLB_TO_DEVICE);
			w->map_fail++;
			continue;
		}
		cmd = (struct device_cmd){ DEV_CHECK, (uint32_t)len, a, seed_out,
					   slack_end_for(a, len) };
		if (write(w->sock, &cmd, sizeof(cmd)) != sizeof(cmd) ||
		    read(w->sock, &reply, sizeof(reply)) != sizeof(reply))
			break;
		w->bad_out += reply.status == 1;
		w->bad_slack += reply.status == 2;
		/* A read too: the device must see the caller's own bytes, not old ones. */
		cmd = (struct device_cmd){ DEV_CHECK, (uint32_t)len, b, seed_in ^ 0x77,
					   slack_end_for(b, len) };
		if (write(w->sock, &cmd, sizeof(cmd)) != sizeof(cmd) ||
		    read(w->sock, &reply, sizeof(reply)) != sizeof(reply))
			break;
		w->bad_out += reply.status == 1;
		w->bad_slack += reply.status == 2;
		cmd = (struct device_cmd){ DEV_FILL, (uint32_t)len, b, seed_in, 0 };
		if (write(w->sock, &cmd, sizeof(cmd)) != sizeof(cmd) ||
		    read(w->sock, &reply, sizeof(reply)) != sizeof(reply))
			break;
		swiotlb_unmap(w->pool, NULL, a, len, SWIOTLB_TO_DEVICE);
		swiotlb_unmap(w->pool, NULL, b, len, SWIOTLB_FROM_DEVICE);
		for (size_t i = 0; i < len; i++)
			if (in[i] != pattern_byte(seed_in, i)) {
				w->bad_back++;
				break;
			}
	}
	free(out);
	free(in);
	return NULL;
}

static struct swiotlb_pool *shared_pool(void *region)
{
	struct swiotlb_config cfg = {
		.nslabs = NSLABS, .nareas = NTHREADS, .region = region, .dma_base = DMA_BASE
	};
	struct swiotlb_pool *pool = NULL;

	if (swiotlb_pool_new(&cfg, &pool) < 0) {
		printf("Bail out! cannot create the shared pool\n");
		exit(1);
	}
	return pool;
}

static void test_honest_device(void *region)
{
	struct swiotlb_pool *pool = shared_pool(region);
	struct worker workers[NTHREADS];
	pthread_t threads[NTHREADS];
	pid_t devices[NTHREADS];
	unsigned int bad_out = 0, bad_back = 0, bad_slack = 0, fails = 0;
	struct swiotlb_stats st;

	for (unsigned int i = 0; i < NTHREADS; i++) {
		int sv[2];

		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		devices[i] = spawn(honest_device, sv[1]);
		close(sv[1]);
		workers[i] = (struct worker){ .pool = pool, .sock = sv[0], .id = i };
	}
	for (unsigned int i = 0; i < NTHREADS; i++)
		pthread_create(&threads[i], NULL, honest_worker, &workers[i]);
	for (unsigned int i = 0; i < NTHREADS; i++) {
		struct device_cmd quit = { .op = DEV_QUIT };

		pthread_join(threads[i], NULL);
		if (write(workers[i].sock, &quit, sizeof(quit)) < 0)
			bad_out++;
		close(workers[i].sock);
		waitpid(devices[i], NULL, 0);
		bad_out += workers[i].bad_out;
		bad_back += workers[i].bad_back;
		bad_slack += workers[i].bad_slack;
		fails += workers[i].map_fail;
	}
	swiotlb_get_stats(pool, &st);
	ok(bad_out == 0 && fails == 0,
	   "honest device, %d threads x %d rounds: the device sees exactly the caller's bytes, "
	   "reads included (%u wrong, %u failed maps)",
	   NTHREADS, ROUNDS, bad_out, fails);
	ok(bad_slack == 0, "the device never sees stale bytes after a mapping (%u)", bad_slack);
	ok(bad_back == 0, "every byte the device wrote comes back intact (%u wrong)", bad_back);
	ok(st.used == 0 && st.maps == st.unmaps && st.maps == 2ull * NTHREADS * ROUNDS,
	   "every slot given back (%llu maps)", (unsigned long long)st.maps);
	swiotlb_pool_free(pool);
}

struct hostile_worker {
	struct swiotlb_pool *pool;
	unsigned int id;
	unsigned int canary_hits, bad_private, accepted_bogus, refused_good;
};

static void *hostile_guest(void *arg)
{
	struct hostile_worker *w = arg;
	enum {
		PAD = 64
	};
	uint8_t *buf = malloc(65536 + 2 * PAD);
	uint64_t x = 0xdeadbeefull * (w->id + 1);

	for (unsigned int round = 0; round < ROUNDS; round++) {
		size_t len;
		uint64_t a;
		enum swiotlb_dir dir;
		uint32_t reported;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = 1 + (size_t)(x % 65536);
		dir = x & 2 ? SWIOTLB_FROM_DEVICE : SWIOTLB_TO_DEVICE;
		memset(buf, CANARY, len + 2 * PAD);
		if (swiotlb_map(w->pool, NULL, buf + PAD, len, len, 0, dir, w->id, &a))
			continue;
		/* The device "completes" with a length of its choosing. */
		reported = (uint32_t)(x >> 32) % (x & 4 ? 131072 : (uint32_t)len + 1);
		if (swiotlb_sync_for_cpu(w->pool, NULL, a, reported, dir) == 0) {
			if (reported > len)
				w->accepted_bogus++;
		} else if (reported <= len) {
			w->refused_good++;
		}
		/*
		 * And names addresses of its choosing: outside the pool, or in
		 * this mapping's own slack; none may be accepted.
		 */
		if (swiotlb_sync_for_cpu(w->pool, NULL, DMA_BASE - 1 - (x >> 50), 1, dir) == 0 ||
		    swiotlb_sync_for_cpu(w->pool, NULL, DMA_BASE + POOL_SIZE + (x >> 50), 1, dir) ==
			    0 ||
		    swiotlb_unmap(w->pool, NULL, DMA_BASE + POOL_SIZE + (x >> 52), 1, dir) == 0 ||
		    swiotlb_sync_for_cpu(w->pool, NULL, a + len, 1, dir) == 0)
			w->accepted_bogus++;
		swiotlb_unmap(w->pool, NULL, a, len, dir);
		for (size_t i = 0; i < PAD; i++)
			if (buf[i] != CANARY || buf[PAD + len + i] != CANARY)
				w->canary_hits++;
		if (dir == SWIOTLB_TO_DEVICE)
			for (size_t i = 0; i < len; i++)
				if (buf[PAD + i] != CANARY) {
					w->bad_private++;
					break;
				}
	}
	free(buf);
	return NULL;
}

static void test_hostile_device(void *region)
{
	struct swiotlb_pool *pool = shared_pool(region);
	struct hostile_worker workers[NTHREADS];
	pthread_t threads[NTHREADS];
	unsigned int canary = 0, priv = 0, bogus = 0, refused = 0;
	struct swiotlb_stats st;
	pid_t device = spawn(hostile_entry, 0);

	for (unsigned int i = 0; i < NTHREADS; i++) {
		workers[i] = (struct hostile_worker){ .pool = pool, .id = i };
		pthread_create(&threads[i], NULL, hostile_guest, &workers[i]);
	}
	for (unsigned int i = 0; i < NTHREADS; i++) {
		pthread_join(threads[i], NULL);
		canary += workers[i].canary_hits;
		priv += workers[i].bad_private;
		bogus += workers[i].accepted_bogus;
		refused += workers[i].refused_good;
	}
	kill(device, SIGKILL);
	waitpid(device, NULL, 0);
	swiotlb_get_stats(pool, &st);
	ok(canary == 0, "hostile device: private memory around every mapping untouched (%u)",
	   canary);
	ok(priv == 0,
	   "hostile device: a TO_DEVICE buffer never changes, whatever the device "
	   "writes (%u)",
	   priv);
	ok(bogus == 0 && refused == 0,
	   "made-up lengths and addresses are refused, honest ones accepted (%u accepted, %u "
	   "refused)",
	   bogus, refused);
	ok(st.used == 0, "hostile device: every slot given back");
	swiotlb_pool_free(pool);
}

/* Failed maps of every kind must not keep a slot (CVE-2022-48890 class). */
static void test_error_paths(void *region)
{
	struct swiotlb_pool *pool = shared_pool(region);
	struct swiotlb_device tiny_boundary = { .seg_boundary_mask = 0x1fff };
	static uint8_t buf[300000];
	static uint64_t addrs[NSLABS];
	struct swiotlb_stats st;
	unsigned int n = 0, hold;
	uint64_t a = DMA_BASE;

	/* Fill most of the pool so that some maps fail for room. */
	for (hold = 0; hold < NSLABS - 100; hold++)
		swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, hold, &addrs[hold]);
	for (unsigned int i = 0; i < 2000; i++) {
		swiotlb_map(pool, NULL, buf, 300000, 300000, 0, SWIOTLB_TO_DEVICE, i, &a);
		swiotlb_map(pool, &tiny_boundary, buf, 16384, 16384, 0, SWIOTLB_TO_DEVICE, i, &a);
		swiotlb_map(pool, NULL, buf, 100, 10, 0, SWIOTLB_TO_DEVICE, i, &a);
		if (swiotlb_map(pool, NULL, buf, 65536, 65536, 0, SWIOTLB_TO_DEVICE, i, &a) == 0)
			swiotlb_unmap(pool, NULL, a, 65536, SWIOTLB_TO_DEVICE);
		swiotlb_unmap(pool, NULL, a + 4096, 1, SWIOTLB_TO_DEVICE);
	}
	for (unsigned int i = 0; i < hold; i++)
		swiotlb_unmap(pool, NULL, addrs[i], 2048, SWIOTLB_TO_DEVICE);
	swiotlb_get_stats(pool, &st);
	ok(st.used == 0 && st.fail_too_big >= 4000 && st.fail_invalid >= 2000,
	   "after %llu refused maps and unmaps, nothing is in use",
	   (unsigned long long)(st.fail_too_big + st.fail_invalid + st.fail_full +
				st.fail_fragmented));
	while (n < NSLABS &&
	       swiotlb_map(pool, NULL, buf, 2048, 2048, 0, SWIOTLB_TO_DEVICE, n, &addrs[n]) == 0)
		n++;
	ok(n == NSLABS, "and every one of the %u slots can still be mapped (%u)", NSLABS, n);
	for (unsigned int i = 0; i < n; i++)
		swiotlb_unmap(pool, NULL, addrs[i], 2048, SWIOTLB_TO_DEVICE);
	swiotlb_pool_free(pool);
}

struct mixed_worker {
	struct swiotlb_pool *pool;
	_Atomic uint8_t *owner;
	uint64_t dma_base;
	unsigned int id, overlaps;
};

static void *mixed_alignment_worker(void *arg)
{
	static const uint64_t min_aligns[] = { 0, 0xfff, 0x7ff, 0x3fff };
	static const uint64_t alloc_aligns[] = { 0, 0xfff, 0xffff };
	struct mixed_worker *w = arg;
	uint8_t *buf = malloc(200000);
	uint64_t x = 0x5555aaaaull + w->id;
	struct {
		uint64_t a, first, n;
		size_t len;
		struct swiotlb_device dev;
	} live[32];
	unsigned int nlive = 0;

	memset(buf, 1, 200000);
	for (unsigned int round = 0; round < 4 * ROUNDS; round++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (nlive == 32 || (nlive && x % 3 == 0)) {
			unsigned int k = (unsigned int)(x >> 20) % nlive;

			for (uint64_t s = live[k].first; s < live[k].first + live[k].n; s++)
				atomic_store(&w->owner[s], 0);
			swiotlb_unmap(w->pool, &live[k].dev, live[k].a, live[k].len,
				      SWIOTLB_TO_DEVICE);
			live[k] = live[--nlive];
			continue;
		}
		struct swiotlb_device dev = { .min_align_mask = min_aligns[(x >> 8) % 4] };
		size_t len = 1 + (size_t)((x >> 16) % 40000);
		uint8_t *orig = buf + (x >> 40) % 100000;
		uint64_t a, offset;

		if (swiotlb_map(w->pool, &dev, orig, len, len, alloc_aligns[(x >> 4) % 3],
				SWIOTLB_TO_DEVICE, w->id, &a))
			continue;
		offset = (uintptr_t)orig & dev.min_align_mask & 2047;
		live[nlive].a = a;
		live[nlive].len = len;
		live[nlive].dev = dev;
		live[nlive].first = (a - offset - w->dma_base) / 2048;
		live[nlive].n = (len + offset + 2047) / 2048;
		for (uint64_t s = live[nlive].first; s < live[nlive].first + live[nlive].n; s++)
			if (atomic_exchange(&w->owner[s], 1))
				w->overlaps++;
		nlive++;
	}
	while (nlive--) {
		for (uint64_t s = live[nlive].first; s < live[nlive].first + live[nlive].n; s++)
			atomic_store(&w->owner[s], 0);
		swiotlb_unmap(w->pool, &live[nlive].dev, live[nlive].a, live[nlive].len,
			      SWIOTLB_TO_DEVICE);
	}
	free(buf);
	return NULL;
}

static void test_mixed_alignments(void *region)
{
	struct swiotlb_pool *pool = shared_pool(region);
	_Atomic uint8_t *owner = calloc(NSLABS, 1);
	struct mixed_worker workers[NTHREADS];
	pthread_t threads[NTHREADS];
	unsigned int overlaps = 0;
	struct swiotlb_stats st;

	for (unsigned int i = 0; i < NTHREADS; i++) {
		workers[i] = (struct mixed_worker){
			.pool = pool, .owner = owner, .dma_base = DMA_BASE, .id = i
		};
		pthread_create(&threads[i], NULL, mixed_alignment_worker, &workers[i]);
	}
	for (unsigned int i = 0; i < NTHREADS; i++) {
		pthread_join(threads[i], NULL);
		overlaps += workers[i].overlaps;
	}
	swiotlb_get_stats(pool, &st);
	ok(overlaps == 0 && st.used == 0,
	   "%d threads with mixed alignments: no slot ever held twice (%u), all given back",
	   NTHREADS, overlaps);
	free((void *)owner);
	swiotlb_pool_free(pool);
}

int main(void)
{
	void *region;

	pool_fd = memfd_create("swiotlb-pool", MFD_CLOEXEC);
	if (pool_fd < 0 || ftruncate(pool_fd, (off_t)POOL_SIZE) < 0 || !(region = map_pool())) {
		printf("Bail out! no memfd for the pool: %s\n", strerror(errno));
		return 1;
	}
	test_honest_device(region);
	test_hostile_device(region);
	test_error_paths(region);
	test_mixed_alignments(region);
	return done_testing();
}
