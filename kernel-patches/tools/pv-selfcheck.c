// SPDX-License-Identifier: MIT
/*
 * pv-selfcheck: run inside an s390x guest, report whether it follows the
 * I/O rules of a protected (Secure Execution) guest, exit 1 on a finding.
 *
 * Reads only sysfs and debugfs: /sys/firmware/uv (protected or not, the
 * Ultravisor query values, host-key hashes), /sys/bus/virtio/devices
 * (negotiated features), debugfs swiotlb/ (bounce-buffer pool) and
 * s390/pv/ (simulation mode and validator counters of the segen patches).
 *
 * debugfs must be mounted for the SWIOTLB and validator state. When it is
 * not mounted at the default place, pv-selfcheck (run as root in the
 * guest) mounts it; if that fails, or --debugfs names a directory with
 * nothing in it, that is reported as its own finding, never as a guest
 * without SWIOTLB.
 *
 * Exit codes: 0 no finding, 1 at least one finding, 2 usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

/* Every sysfs or debugfs value we read is a short line. */
#define VALUE_MAX 4096
/* Guard against a runaway directory listing. */
#define ENTRIES_MAX 1024

#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_STATUS_FAILED 0x80u
#define DEBUGFS_MAGIC 0x64626720
#define DEFAULT_DEBUGFS "/sys/kernel/debug"

struct paths {
	const char *sysfs;
	const char *debugfs;
};

struct report {
	unsigned int findings;
};

static void finding(struct report *r, const char *what)
{
	r->findings++;
	printf("FINDING: %s\n", what);
}

/* Reads a small file into buf without its trailing newline. */
static int read_value(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int join(char *out, size_t size, const char *a, const char *b, const char *c)
{
	int n = snprintf(out, size, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int read_u64(const char *dir, const char *name, uint64_t *ret_value)
{
	char path[PATH_MAX], buf[VALUE_MAX], *end;
	unsigned long long v;
	int rc;

	rc = join(path, sizeof(path), dir, name, NULL);
	if (rc < 0)
		return rc;
	rc = read_value(path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	*ret_value = v;
	return 0;
}

/* Prints every regular file of a directory as "prefix name: value". */
static void print_dir_values(const char *prefix, const char *dir)
{
	char path[PATH_MAX], buf[VALUE_MAX];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && n++ < ENTRIES_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if (join(path, sizeof(path), dir, de->d_name, NULL) < 0)
			continue;
		if (read_value(path, buf, sizeof(buf)) < 0)
			continue;
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		printf("%s %s: %s\n", prefix, de->d_name, buf);
	}
	closedir(d);
}

/* Returns whether the guest says it is protected. */
static bool check_uv(const struct paths *p)
{
	char dir[PATH_MAX];
	uint64_t guest = 0;

	if (join(dir, sizeof(dir), p->sysfs, "firmware/uv", NULL) < 0 || access(dir, F_OK) < 0) {
		printf("protected: no (no ultravisor call facility, %s/firmware/uv absent)\n",
		       p->sysfs);
		return false;
	}
	if (read_u64(dir, "prot_virt_guest", &guest) < 0)
		guest = 0;
	printf("protected: %s\n", guest ? "yes" : "no");
	if (join(dir, sizeof(dir), p->sysfs, "firmware/uv", "query") == 0)
		print_dir_values("uv query", dir);
	if (join(dir, sizeof(dir), p->sysfs, "firmware/uv", "keys") == 0) {
		if (access(dir, F_OK) == 0)
			print_dir_values("uv host key", dir);
		else
			printf("uv host keys: not reported by this kernel\n");
	}
	return guest != 0;
}

static bool check_simulation(const struct paths *p)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[VALUE_MAX];

	if (join(dir, sizeof(dir), p->debugfs, "s390/pv", NULL) < 0 ||
	    join(path, sizeof(path), dir, "simulation", NULL) < 0 ||
	    read_value(path, buf, sizeof(buf)) < 0) {
		printf("simulation: not available\n");
		return false;
	}
	printf("simulation: %s\n", buf[0] == 'Y' ? "on" : "off");
	return buf[0] == 'Y';
}

static bool feature_bit(const char *features, unsigned int bit)
{
	return strlen(features) > bit && features[bit] == '1';
}

static void check_virtio_device(const char *dir, const char *name, bool rules_apply,
				struct report *r)
{
	char path[PATH_MAX], features[VALUE_MAX], devid[VALUE_MAX], msg[PATH_MAX + 128];
	bool version_1, access_platform, judged;
	uint64_t status = 0;

	if (join(path, sizeof(path), dir, name, "features") < 0 ||
	    read_value(path, features, sizeof(features)) < 0)
		features[0] = '\0';
	if (join(path, sizeof(path), dir, name, "device") < 0 ||
	    read_value(path, devid, sizeof(devid)) < 0)
		snprintf(devid, sizeof(devid), "?");
	if (join(path, sizeof(path), dir, name, NULL) == 0)
		(void)read_u64(path, "status", &status);
	version_1 = feature_bit(features, VIRTIO_F_VERSION_1);
	access_platform = feature_bit(features, VIRTIO_F_ACCESS_PLATFORM);
	/* Features are negotiated when a driver probes; without one there is nothing to judge. */
	judged = (status & VIRTIO_STATUS_FAILED) ||
		 (join(path, sizeof(path), dir, name, "driver") == 0 && access(path, F_OK) == 0);
	printf("virtio %s: device id %s, status %#" PRIx64 "%s, VERSION_1 %s, ACCESS_PLATFORM %s\n",
	       name, devid, status, (status & VIRTIO_STATUS_FAILED) ? " (failed)" : "",
	       judged ? (version_1 ? "yes" : "no") : "not negotiated",
	       judged ? (access_platform ? "yes" : "no") : "not negotiated");
	if (!rules_apply || !judged)
		return;
	if (!version_1 || !access_platform) {
		snprintf(msg, sizeof(msg), "virtio %s lacks %s%s%s", name,
			 version_1 ? "" : "VERSION_1",
			 (!version_1 && !access_platform) ? " and " : "",
			 access_platform ? "" : "ACCESS_PLATFORM");
		finding(r, msg);
	}
}

static void check_virtio(const struct paths *p, bool rules_apply, struct report *r)
{
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned int n = 0, seen = 0;
	DIR *d;

	if (join(dir, sizeof(dir), p->sysfs, "bus/virtio/devices", NULL) < 0)
		return;
	d = opendir(dir);
	if (!d) {
		printf("virtio: no virtio bus\n");
		return;
	}
	while ((de = readdir(d)) && n++ < ENTRIES_MAX) {
		if (de->d_name[0] == '.')
			continue;
		seen++;
		check_virtio_device(dir, de->d_name, rules_apply, r);
	}
	closedir(d);
	if (!seen)
		printf("virtio: no devices\n");
}

static void check_swiotlb(const struct paths *p, bool rules_apply, struct report *r)
{
	uint64_t nslabs = 0, used = 0, hiwater = 0, failed = 0;
	char dir[PATH_MAX], msg[128];

	if (join(dir, sizeof(dir), p->debugfs, "swiotlb", NULL) < 0 ||
	    read_u64(dir, "io_tlb_nslabs", &nslabs) < 0 || !nslabs) {
		printf("swiotlb: not set up\n");
		if (rules_apply)
			finding(r, "SWIOTLB is not set up, virtio DMA cannot be bounced");
		return;
	}
	(void)read_u64(dir, "io_tlb_used", &used);
	(void)read_u64(dir, "io_tlb_alloc_failed", &failed);
	if (read_u64(dir, "io_tlb_used_hiwater", &hiwater) < 0)
		printf("swiotlb: size %" PRIu64 " KiB (%" PRIu64 " slots), used %" PRIu64
		       " slots, high-water mark not reported by this kernel\n",
		       nslabs * 2, nslabs, used);
	else
		printf("swiotlb: size %" PRIu64 " KiB (%" PRIu64 " slots), used %" PRIu64
		       " slots, high-water mark %" PRIu64 " slots, allocation failures %" PRIu64
		       "\n",
		       nslabs * 2, nslabs, used, hiwater, failed);
	if (failed) {
		snprintf(msg, sizeof(msg),
			 "SWIOTLB allocations failed %" PRIu64 " times, try swiotlb=%" PRIu64,
			 failed, nslabs * 2);
		finding(r, msg);
	}
}

static void check_validator(const struct paths *p, struct report *r)
{
	uint64_t ccw_checked = 0, ccw_bad = 0, dma_checked = 0, dma_bad = 0;
	char dir[PATH_MAX], path[PATH_MAX], buf[VALUE_MAX], msg[128];

	if (join(dir, sizeof(dir), p->debugfs, "s390/pv", NULL) < 0 ||
	    join(path, sizeof(path), dir, "validator", NULL) < 0 ||
	    read_value(path, buf, sizeof(buf)) < 0) {
		printf("validator: not available\n");
		return;
	}
	if (buf[0] != 'Y') {
		printf("validator: off\n");
		return;
	}
	(void)read_u64(dir, "ccw_checked", &ccw_checked);
	(void)read_u64(dir, "ccw_violations", &ccw_bad);
	(void)read_u64(dir, "dma_checked", &dma_checked);
	(void)read_u64(dir, "dma_violations", &dma_bad);
	printf("validator: on, channel programs checked %" PRIu64 ", violations %" PRIu64
	       "; DMA addresses checked %" PRIu64 ", violations %" PRIu64 "\n",
	       ccw_checked, ccw_bad, dma_checked, dma_bad);
	if (ccw_bad || dma_bad) {
		snprintf(msg, sizeof(msg),
			 "I/O validator found %" PRIu64 " channel program and %" PRIu64
			 " DMA violations",
			 ccw_bad, dma_bad);
		finding(r, msg);
	}
}

static bool is_debugfs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == DEBUGFS_MAGIC;
}

static bool has_entries(const char *path)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(path);

	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return found;
}

/*
 * Returns whether the debugfs tree can be read. The default place is
 * mounted when it is not yet; a directory given with --debugfs may also be
 * a copy of a debugfs tree, so there it only has to hold something.
 */
static bool prepare_debugfs(const struct paths *p, bool given, struct report *r)
{
	char msg[PATH_MAX + 128];
	int err;

	if (is_debugfs(p->debugfs)) {
		printf("debugfs: mounted at %s\n", p->debugfs);
		return true;
	}
	if (given) {
		if (has_entries(p->debugfs)) {
			printf("debugfs: reading the tree at %s\n", p->debugfs);
			return true;
		}
		printf("debugfs: not mounted at %s (nothing there)\n", p->debugfs);
		snprintf(msg, sizeof(msg),
			 "debugfs not mounted at %s: SWIOTLB and validator state unknown",
			 p->debugfs);
		finding(r, msg);
		return false;
	}
	if (mount("debugfs", p->debugfs, "debugfs", 0, NULL) == 0) {
		printf("debugfs: was not mounted, mounted it at %s\n", p->debugfs);
		return true;
	}
	err = errno;
	printf("debugfs: not mounted at %s, mounting it failed: %s\n", p->debugfs, strerror(err));
	snprintf(msg, sizeof(msg),
		 "debugfs not mounted at %s (mount: %s): SWIOTLB and validator state unknown",
		 p->debugfs, strerror(err));
	finding(r, msg);
	return false;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: pv-selfcheck [--sysfs DIR] [--debugfs DIR]\n"
		   "Report whether this s390x guest follows the I/O rules of a protected guest.\n"
		   "debugfs is mounted at " DEFAULT_DEBUGFS " if it is not (needs root).\n"
		   "Exit 0: no finding, 1: finding, 2: usage error.\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "sysfs", required_argument, NULL, 's' },
		{ "debugfs", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct paths p = { .sysfs = "/sys", .debugfs = DEFAULT_DEBUGFS };
	struct report r = { 0 };
	bool protected, simulated = false, debugfs_given = false, have_debugfs;
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 's':
			p.sysfs = optarg;
			break;
		case 'd':
			p.debugfs = optarg;
			debugfs_given = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	protected = check_uv(&p);
	have_debugfs = prepare_debugfs(&p, debugfs_given, &r);
	if (have_debugfs)
		simulated = check_simulation(&p);
	else
		printf("simulation: unknown, debugfs not mounted\n");
	check_virtio(&p, protected || simulated, &r);
	if (have_debugfs) {
		check_swiotlb(&p, protected || simulated, &r);
		check_validator(&p, &r);
	} else {
		printf("swiotlb: unknown, debugfs not mounted\n");
		printf("validator: unknown, debugfs not mounted\n");
	}
	printf("pv-selfcheck: %u finding%s\n", r.findings, r.findings == 1 ? "" : "s");
	return r.findings ? 1 : 0;
}
