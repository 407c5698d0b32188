// SPDX-License-Identifier: MIT
/*
 * /init of the issue-5 test guest. Runs one scenario, chosen by
 * "pvtest=<name>" on the kernel command line, prints its measurements as
 * "PVTEST key=value" lines on the console for the host script to judge,
 * and powers the guest off.
 *
 *   io        write a pattern of PVTEST_IO_BYTES to /dev/vda with O_DIRECT,
 *             read it back and compare; SWIOTLB and validator counters,
 *             the SWIOTLB high-water reset, CPUs and virtio-blk queues;
 *             "pvtest_maxkb=N" caps the request size first; then
 *             pv-selfcheck with debugfs unmounted and with an empty
 *             --debugfs directory
 *   refused   whether /dev/vda exists (it must not without ACCESS_PLATFORM)
 *   selftest  every case of the validator's test trigger on device
 *             0.0.0002, with the number of validator warnings each gave
 *
 * Every scenario ends by running /bin/pv-selfcheck. Its output is framed
 * by "PVTEST selfcheck_begin=LABEL" and "PVTEST selfcheck_end=LABEL".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#define PVTEST_IO_BYTES (32u << 20)
#define PVTEST_CHUNK (1u << 20)
#define PVTEST_SEED UINT64_C(0x5345472d50562d31)
#define KMSG_RECORD_MAX 8192
#define SELFTEST_DEVICE "0.0.0002"
#define SELFTEST_BURST 30
#define DEBUGFS "/sys/kernel/debug"
#define SWIOTLB_DIR DEBUGFS "/swiotlb/"
#define PV_DIR DEBUGFS "/s390/pv/"
#define EMPTY_DIR "/nodebugfs"
#define REREAD_BYTES (1u << 20)

/* The pattern word at byte offset off; the host computes the same. */
static uint64_t pattern_word(uint64_t off)
{
	uint64_t x = (off / 8) ^ PVTEST_SEED;

	x ^= x >> 31;
	x *= UINT64_C(0x9e3779b97f4a7c15);
	x ^= x >> 29;
	return x;
}

static void fill_pattern(uint64_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len / 8; i++)
		buf[i] = pattern_word(off + i * 8);
}

static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

/* A counter from debugfs, or -1 if it cannot be read. */
static long long counter(const char *path)
{
	char buf[64], *end;
	long long v;

	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	v = strtoll(buf, &end, 0);
	return end == buf ? -1 : v;
}

static void report_counter(const char *key, const char *path)
{
	printf("PVTEST %s=%lld\n", key, counter(path));
}

/*
 * Counts the kernel log records that contain needle, from the start of
 * the log, and keeps the text of the last one.
 */
static int count_kmsg(const char *needle, char *ret_last, size_t last_size)
{
	char rec[KMSG_RECORD_MAX];
	int fd, count = 0;
	ssize_t n;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0) {
			if (errno == EPIPE)
				continue;
			break;
		}
		rec[n] = '\0';
		if (strstr(rec, needle)) {
			char *text = strchr(rec, ';');
			char *nl;

			count++;
			if (ret_last && text) {
				nl = strchr(++text, '\n');
				if (nl)
					*nl = '\0';
				snprintf(ret_last, last_size, "%s", text);
			}
		}
	}
	close(fd);
	return count;
}

/* Runs pv-selfcheck with at most one option and its value. */
static void run_selfcheck_as(const char *label, const char *opt, const char *val)
{
	pid_t pid;
	int status, code = -1;

	printf("PVTEST selfcheck_begin=%s\n", label);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/pv-selfcheck", "pv-selfcheck", opt, val, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	printf("PVTEST selfcheck_end=%s\n", label);
	if (strcmp(label, "final"))
		printf("PVTEST selfcheck_%s_exit=%d\n", label, code);
	else
		printf("PVTEST selfcheck_exit=%d\n", code);
}

static void run_selfcheck(void)
{
	run_selfcheck_as("final", NULL, NULL);
}

/* The value of "NAME=" on the kernel command line, or NULL. */
static const char *cmdline_param(const char *name, char *buf, size_t size)
{
	char key[64], *p, *end;

	if (read_file("/proc/cmdline", buf, size) < 0)
		return NULL;
	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(buf, key);
	if (!p)
		return NULL;
	p += strlen(key);
	end = strchr(p, ' ');
	if (end)
		*end = '\0';
	return p;
}

/* Counts the entries of a directory but . and .., -1 if it cannot be read. */
static int count_entries(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * pv-selfcheck must tell an unmounted debugfs from a guest without
 * SWIOTLB: with debugfs unmounted it mounts it itself, and pointed at an
 * empty directory it says that debugfs is not mounted there.
 */
static void selfcheck_debugfs(void)
{
	printf("PVTEST debugfs_umount=%d\n", umount(DEBUGFS) ? -errno : 0);
	run_selfcheck_as("unmounted", NULL, NULL);
	mkdir(EMPTY_DIR, 0755);
	run_selfcheck_as("empty", "--debugfs", EMPTY_DIR);
	/* whatever the tool did, the rest of the scenario needs debugfs */
	mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
}

/* Writes 0 to the high-water mark, then a value it must refuse. */
static void hiwater_reset(int fd)
{
	void *buf = NULL;

	report_counter("hiwater_before_reset", SWIOTLB_DIR "io_tlb_used_hiwater");
	printf("PVTEST hiwater_reset_rc=%d\n", write_file(SWIOTLB_DIR "io_tlb_used_hiwater", "0"));
	report_counter("hiwater_after_reset", SWIOTLB_DIR "io_tlb_used_hiwater");
	report_counter("used_after_reset", SWIOTLB_DIR "io_tlb_used");
	printf("PVTEST hiwater_write7_rc=%d\n", write_file(SWIOTLB_DIR "io_tlb_used_hiwater", "7"));
	/* one more read must raise it again */
	if (posix_memalign(&buf, 4096, REREAD_BYTES) == 0 &&
	    pread(fd, buf, REREAD_BYTES, 0) == (ssize_t)REREAD_BYTES)
		report_counter("hiwater_after_reread", SWIOTLB_DIR "io_tlb_used_hiwater");
	else
		printf("PVTEST hiwater_after_reread=-1\n");
	free(buf);
}

static void report_io_counters(const char *when)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_mappings", when);
	report_counter(key, SWIOTLB_DIR "io_tlb_mappings");
	snprintf(key, sizeof(key), "%s_mapped_bytes", when);
	report_counter(key, SWIOTLB_DIR "io_tlb_mapped_bytes");
	snprintf(key, sizeof(key), "%s_ccw_checked", when);
	report_counter(key, PV_DIR "ccw_checked");
	snprintf(key, sizeof(key), "%s_dma_checked", when);
	report_counter(key, PV_DIR "dma_checked");
	snprintf(key, sizeof(key), "%s_violations_ccw", when);
	report_counter(key, PV_DIR "ccw_violations");
	snprintf(key, sizeof(key), "%s_violations_dma", when);
	report_counter(key, PV_DIR "dma_violations");
}

/* Writes and reads back the pattern; returns the number of bad chunks. */
static int scenario_io(void)
{
	uint64_t *wbuf = NULL, *rbuf = NULL;
	char cmdline[4096], last[512] = "";
	const char *maxkb;
	unsigned int bad = 0;
	int fd;

	maxkb = cmdline_param("pvtest_maxkb", cmdline, sizeof(cmdline));
	if (maxkb)
		printf("PVTEST maxkb_rc=%d\n",
		       write_file("/sys/block/vda/queue/max_sectors_kb", maxkb));
	printf("PVTEST cpus=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("PVTEST vda_queues=%d\n", count_entries("/sys/block/vda/mq"));
	report_counter("swiotlb_failed_before", SWIOTLB_DIR "io_tlb_alloc_failed");
	report_io_counters("before");
	report_counter("swiotlb_nslabs", SWIOTLB_DIR "io_tlb_nslabs");
	if (write_file(SWIOTLB_DIR "io_tlb_used_hiwater", "0") < 0)
		printf("PVTEST hiwater_reset=failed\n");
	if (posix_memalign((void **)&wbuf, 4096, PVTEST_CHUNK) ||
	    posix_memalign((void **)&rbuf, 4096, PVTEST_CHUNK)) {
		printf("PVTEST io_error=no memory\n");
		return 1;
	}
	fd = open("/dev/vda", O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		printf("PVTEST io_error=open /dev/vda: %s\n", strerror(errno));
		return 1;
	}
	for (uint64_t off = 0; off < PVTEST_IO_BYTES; off += PVTEST_CHUNK) {
		fill_pattern(wbuf, off, PVTEST_CHUNK);
		if (pwrite(fd, wbuf, PVTEST_CHUNK, (off_t)off) != (ssize_t)PVTEST_CHUNK) {
			printf("PVTEST io_error=write at %" PRIu64 ": %s\n", off, strerror(errno));
			return 1;
		}
	}
	if (fsync(fd) < 0)
		printf("PVTEST io_error=fsync: %s\n", strerror(errno));
	for (uint64_t off = 0; off < PVTEST_IO_BYTES; off += PVTEST_CHUNK) {
		memset(rbuf, 0, PVTEST_CHUNK);
		if (pread(fd, rbuf, PVTEST_CHUNK, (off_t)off) != (ssize_t)PVTEST_CHUNK) {
			printf("PVTEST io_error=read at %" PRIu64 ": %s\n", off, strerror(errno));
			return 1;
		}
		fill_pattern(wbuf, off, PVTEST_CHUNK);
		if (memcmp(wbuf, rbuf, PVTEST_CHUNK))
			bad++;
	}
	free(wbuf);
	free(rbuf);
	printf("PVTEST io_bytes=%u\n", PVTEST_IO_BYTES);
	printf("PVTEST io_bad_chunks=%u\n", bad);
	report_io_counters("after");
	report_counter("swiotlb_hiwater", SWIOTLB_DIR "io_tlb_used_hiwater");
	report_counter("swiotlb_alloc_failed", SWIOTLB_DIR "io_tlb_alloc_failed");
	printf("PVTEST pv_io_warnings=%d\n", count_kmsg("pv-io:", NULL, 0));
	printf("PVTEST swiotlb_full_messages=%d\n",
	       count_kmsg("swiotlb buffer is full", last, sizeof(last)));
	printf("PVTEST swiotlb_full_last=%s\n", last);
	hiwater_reset(fd);
	close(fd);
	selfcheck_debugfs();
	return 0;
}

static void scenario_refused(void)
{
	struct stat st;

	printf("PVTEST vda_present=%d\n", stat("/sys/block/vda", &st) == 0);
	printf("PVTEST refusal_messages=%d\n",
	       count_kmsg("device must provide VIRTIO_F_ACCESS_PLATFORM", NULL, 0));
}

static void selftest_case(const char *label, const char *name, unsigned int runs)
{
	char cmd[64], result[256], last[512] = "", key[64];
	long long before, after, dma_before, dma_after, dmachk_before, dmachk_after;
	int w_before, w_after, rc;

	dma_before = counter(PV_DIR "dma_violations");
	dmachk_before = counter(PV_DIR "dma_checked");
	before = counter(PV_DIR "ccw_violations");
	w_before = count_kmsg("pv-io:", NULL, 0);
	snprintf(cmd, sizeof(cmd), "%s %s %u", SELFTEST_DEVICE, name, runs);
	rc = write_file(PV_DIR "io_selftest", cmd);
	if (read_file(PV_DIR "io_selftest", result, sizeof(result)) < 0)
		snprintf(result, sizeof(result), "unreadable");
	after = counter(PV_DIR "ccw_violations");
	dma_after = counter(PV_DIR "dma_violations");
	dmachk_after = counter(PV_DIR "dma_checked");
	w_after = count_kmsg("pv-io:", last, sizeof(last));
	snprintf(key, sizeof(key), "%s", label);
	for (char *p = key; *p; p++)
		if (*p == '-')
			*p = '_';
	printf("PVTEST st_%s_rc=%d\n", key, rc);
	printf("PVTEST st_%s_result=%s\n", key, result);
	printf("PVTEST st_%s_violations=%lld\n", key, after - before);
	printf("PVTEST st_%s_dma_violations=%lld\n", key, dma_after - dma_before);
	printf("PVTEST st_%s_dma_checked=%lld\n", key, dmachk_after - dmachk_before);
	printf("PVTEST st_%s_warnings=%d\n", key, w_after - w_before);
	printf("PVTEST st_%s_last_warning=%s\n", key, w_after > w_before ? last : "");
}

static void scenario_selftest(void)
{
	/* Each group gives at most 10 warnings, the rate limit's burst. */
	static const char *const first[] = {
		"clean",	"ccw-private", "key",	    "data-private", "dc-private",
		"idaw-private", "tic-private", "data-high", "vq-private",   "ind-private",
	};
	static const char *const second[] = {
		"adapter-private", "idaw-high",		"dma-ops-iova",
		"dma-noncontig",   "dma-pool-unshared",
	};

	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		selftest_case(first[i], first[i], 1);
	/* Wait out the rate limit's interval so that the next group starts afresh. */
	sleep(6);
	for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++)
		selftest_case(second[i], second[i], 1);
	printf("PVTEST burst_runs=%u\n", SELFTEST_BURST);
	selftest_case("burst", "ccw-private", SELFTEST_BURST);
}

static const char *scenario_from_cmdline(char *buf, size_t size)
{
	char *p, *end;

	if (read_file("/proc/cmdline", buf, size) < 0)
		return "";
	p = strstr(buf, "pvtest=");
	if (!p)
		return "";
	p += strlen("pvtest=");
	end = strchr(p, ' ');
	if (end)
		*end = '\0';
	return p;
}

int main(void)
{
	char cmdline[4096];
	const char *scenario;

	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	scenario = scenario_from_cmdline(cmdline, sizeof(cmdline));
	printf("PVTEST scenario=%s\n", scenario);
	if (!strcmp(scenario, "io"))
		scenario_io();
	else if (!strcmp(scenario, "refused"))
		scenario_refused();
	else if (!strcmp(scenario, "selftest"))
		scenario_selftest();
	run_selfcheck();
	printf("PVTEST done=1\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
