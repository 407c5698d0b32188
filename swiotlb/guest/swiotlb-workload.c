// SPDX-License-Identifier: MIT
/*
 * /init of the guest that feeds swiotlb-replay: a disk workload through the
 * SWIOTLB pool of a (simulated) protected guest, optionally recorded with
 * the kprobe events of docs/swiotlb.md.
 *
 * Kernel command line:
 *   swtrace=1        record the trace and write it to /dev/vdb
 *   swdepth=N        processes issuing I/O at once (queue depth), default 8
 *   swrounds=N       rounds of the size list per process, default 6
 *
 * Every process reads and writes /dev/vda with O_DIRECT in sizes from 4 KiB
 * to 1 MiB, in its own region. Results go to the console as "SWTEST
 * key=value" lines: the pool size, its high-water mark and its allocation
 * failures (the kernel series' counters), and the trace's length on vdb.
 * Then the guest powers off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACING "/sys/kernel/tracing/"
#define SWIOTLB_DIR "/sys/kernel/debug/swiotlb/"
#define REGION (16u << 20) /* per process, on /dev/vda */
#define MAX_DEPTH 32
#define TRACE_HEADER 64

static const size_t sizes[] = { 4096, 16384, 65536, 262144, 1048576, 8192, 524288, 32768 };

static int write_text(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static long long counter(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoll(buf, NULL, 0) : -1;
}

static unsigned long cmdline_value(const char *cmdline, const char *key, unsigned long dflt)
{
	const char *at = strstr(cmdline, key);

	return at ? strtoul(at + strlen(key), NULL, 10) : dflt;
}

static int setup_trace(void)
{
	static const char *const probes[] = {
		"p:swiotlbrec/swiotlb_map swiotlb_tbl_map_single orig=%r3:x64 size=%r4:u64 "
		"alloc=%r5:u64 align=%r6:x32\n",
		"r:swiotlbrec/swiotlb_map_ret swiotlb_tbl_map_single tlb=$retval:x64\n",
		"p:swiotlbrec/swiotlb_unmap swiotlb_tbl_unmap_single tlb=%r3:x64 size=%r4:u64\n",
	};

	mount("tracefs", TRACING, "tracefs", 0, NULL);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (write_text(TRACING "kprobe_events", probes[i], O_APPEND) < 0) {
			printf("SWTEST trace_error=kprobe %zu refused\n", i);
			return -1;
		}
	write_text(TRACING "buffer_size_kb", "16384", 0);
	return write_text(TRACING "events/swiotlbrec/enable", "1", 0);
}

/* The events the ring buffer dropped, summed over the CPUs. */
static long long overruns(void)
{
	long long total = 0;

	for (int cpu = 0; cpu < 64; cpu++) {
		char path[96], buf[1024] = "", *at;
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), TRACING "per_cpu/cpu%d/stats", cpu);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		at = strstr(buf, "overrun:");
		if (at)
			total += strtoll(at + 8, NULL, 10);
	}
	return total;
}

/* Copy the trace text to /dev/vdb after a header naming its length. */
static void save_trace(void)
{
	char header[TRACE_HEADER], *buf = malloc(4u << 20);
	int in = open(TRACING "trace", O_RDONLY | O_CLOEXEC);
	int out = open("/dev/vdb", O_WRONLY | O_CLOEXEC);
	long long total = 0;
	ssize_t n;

	write_text(TRACING "events/swiotlbrec/enable", "0", 0);
	if (in < 0 || out < 0 || !buf) {
		printf("SWTEST trace_error=cannot open the trace or /dev/vdb\n");
		return;
	}
	lseek(out, TRACE_HEADER, SEEK_SET);
	while ((n = read(in, buf, 4u << 20)) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			printf("SWTEST trace_error=short write to /dev/vdb\n");
			break;
		}
		total += n;
	}
	memset(header, 0, sizeof(header));
	snprintf(header, sizeof(header), "SWTRACE %lld\n", total);
	if (pwrite(out, header, sizeof(header), 0) != (ssize_t)sizeof(header))
		printf("SWTEST trace_error=header not written\n");
	fsync(out);
	close(out);
	close(in);
	free(buf);
	printf("SWTEST trace_bytes=%lld\n", total);
	printf("SWTEST trace_overrun=%lld\n", overruns());
}

static int worker(unsigned int id, unsigned int rounds)
{
	int fd = open("/dev/vda", O_RDWR | O_DIRECT | O_CLOEXEC);
	void *buf;
	off_t base = (off_t)id * REGION;

	if (fd < 0 || posix_memalign(&buf, 4096, 1u << 20))
		return 1;
	memset(buf, (int)id, 1u << 20);
	/* Then all at the largest size at once, so every run reaches the same peak. */
	for (unsigned int r = 0; r < rounds * 4; r++) {
		off_t off = base + (off_t)(r % 8) * (1 << 20);

		if (pwrite(fd, buf, 1u << 20, off) != 1 << 20 ||
		    pread(fd, buf, 1u << 20, off) != 1 << 20)
			return 3;
	}
	for (unsigned int r = 0; r < rounds; r++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t size = sizes[(i + id) % (sizeof(sizes) / sizeof(sizes[0]))];
			off_t off = base + (off_t)((r * 4 + i) * size % (REGION - size));

			off -= off % 4096;
			if (pwrite(fd, buf, size, off) != (ssize_t)size ||
			    pread(fd, buf, size, off) != (ssize_t)size)
				return 2;
		}
	close(fd);
	return 0;
}

int main(void)
{
	char cmdline[4096] = "";
	unsigned long depth, rounds, trace;
	unsigned int failed = 0;
	int fd;

	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, cmdline, sizeof(cmdline) - 1);

		cmdline[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	depth = cmdline_value(cmdline, "swdepth=", 8);
	rounds = cmdline_value(cmdline, "swrounds=", 6);
	trace = cmdline_value(cmdline, "swtrace=", 0);
	if (depth < 1 || depth > MAX_DEPTH)
		depth = 8;
	printf("SWTEST depth=%lu rounds=%lu trace=%lu\n", depth, rounds, trace);
	if (trace && setup_trace() < 0)
		trace = 0;
	for (unsigned int i = 0; i < depth; i++)
		if (fork() == 0)
			_exit(worker(i, (unsigned int)rounds));
	for (unsigned int i = 0; i < depth; i++) {
		int status = 0;

		wait(&status);
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	printf("SWTEST workers_failed=%u\n", failed);
	if (trace)
		save_trace();
	printf("SWTEST nslabs=%lld\n", counter(SWIOTLB_DIR "io_tlb_nslabs"));
	printf("SWTEST hiwater=%lld\n", counter(SWIOTLB_DIR "io_tlb_used_hiwater"));
	printf("SWTEST alloc_failed=%lld\n", counter(SWIOTLB_DIR "io_tlb_alloc_failed"));
	printf("SWTEST done=1\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
