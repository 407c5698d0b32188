// SPDX-License-Identifier: MIT
/*
 * --ramdisk-dir: the archive read back with libarchive's reader (names in
 * order, owners, times, links, device numbers, contents), the same bytes from
 * two differently made copies of one tree, and every limit.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/util.h"
#include "create/initramfs.h"
#include "tap.h"

#define MAX_OUT (64u << 20)

static char base[] = "/tmp/test-initramfs-XXXXXX";

/* Run the shell command @tmpl with every "%s" in it replaced by @arg. */
static void run(const char *tmpl, const char *arg)
{
	char cmd[4096] = "";
	size_t n = 0, alen = strlen(arg);

	for (const char *p = tmpl; *p && n + alen + 1 < sizeof(cmd); p++) {
		if (p[0] == '%' && p[1] == 's') {
			memcpy(cmd + n, arg, alen);
			n += alen;
			p++;
		} else {
			cmd[n++] = *p;
		}
	}
	cmd[n] = '\0';
	if (system(cmd) != 0) {
		printf("Bail out! %s\n", cmd);
		exit(1);
	}
}

/* The tree every test starts from; @reversed makes it in another order, without the blob. */
static void make_tree(const char *dir, bool reversed)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", base, dir);
	if (!reversed)
		run("mkdir -p %s/bin %s/etc/deep && cd %s && printf 'hello\\n' > etc/motd && "
		    "ln -s ../etc/motd bin/motd-link && ln etc/motd etc/motd-hard && "
		    "head -c 300000 /dev/urandom > etc/deep/blob",
		    path);
	else
		run("mkdir -p %s/etc/deep %s/bin && cd %s && printf 'hello\\n' > etc/motd-hard && "
		    "ln etc/motd-hard etc/motd && ln -s ../etc/motd bin/motd-link",
		    path);
}

static int build(const char *dir, uint64_t mtime, uint64_t max, uint8_t **ret_buf, size_t *ret_len,
		 struct errinfo *err)
{
	char path[512];
	uint64_t size;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", base, dir);
	rc = initramfs_build(path, mtime, max, NULL, NULL, &fd, &size, err);
	if (rc)
		return rc;
	*ret_buf = malloc(size ? size : 1);
	rc = fd_pread_full(fd, *ret_buf, size, 0);
	close(fd);
	*ret_len = size;
	return rc;
}

struct seen {
	char names[16][64];
	unsigned int nr;
	bool owners_zero, times_ok, hard_ok, link_ok, data_ok, dev_ok;
};

static void read_back(const uint8_t *buf, size_t len, uint64_t mtime, struct seen *s)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int64_t hard_ino = -1;

	memset(s, 0, sizeof(*s));
	s->owners_zero = s->times_ok = true;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		printf("# %s\n", archive_error_string(a));
		archive_read_free(a);
		return;
	}
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		char data[16] = "";

		if (s->nr < 16)
			snprintf(s->names[s->nr++], sizeof(s->names[0]), "%s", name);
		s->owners_zero &= archive_entry_uid(e) == 0 && archive_entry_gid(e) == 0;
		s->times_ok &= (uint64_t)archive_entry_mtime(e) == mtime;
		if (!strcmp(name, "bin/motd-link"))
			s->link_ok = archive_entry_filetype(e) == AE_IFLNK &&
				     !strcmp(archive_entry_symlink(e), "../etc/motd");
		if (!strcmp(name, "etc/motd") || !strcmp(name, "etc/motd-hard")) {
			if (hard_ino < 0)
				hard_ino = archive_entry_ino64(e);
			else
				s->hard_ok = archive_entry_ino64(e) == hard_ino &&
					     archive_entry_nlink(e) == 2;
		}
		if (!strcmp(name, "etc/motd-hard"))
			s->data_ok = archive_read_data(a, data, sizeof(data)) == 6 &&
				     !memcmp(data, "hello\n", 6);
		if (!strcmp(name, "dev/null"))
			s->dev_ok = archive_entry_filetype(e) == AE_IFCHR &&
				    archive_entry_rdevmajor(e) == 1 &&
				    archive_entry_rdevminor(e) == 3;
	}
	archive_read_free(a);
}

static void test_contents(void)
{
	struct errinfo err = { "" };
	struct seen s;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	make_tree("one", false);
	char dev[512];

	/* Device nodes need CAP_MKNOD; without it that one check is skipped, visibly. */
	snprintf(dev, sizeof(dev), "%s/one/dev", base);
	mkdir(dev, 0755);
	strcat(dev, "/null");
	bool have_dev = mknod(dev, S_IFCHR | 0644, makedev(1, 3)) == 0;

	rc = build("one", 1700000000, MAX_OUT, &buf, &len, &err);
	if (!ok(rc == 0, "a tree with a symlink, a hard link and a device builds")) {
		printf("# %s\n", err.msg);
		return;
	}
	ok(len > 18 && buf[0] == 0x1f && buf[1] == 0x8b && !memcmp(buf + 4, "\0\0\0\0", 4),
	   "gzip, without a time in its header");
	read_back(buf, len, 1700000000, &s);
	ok(s.nr == (have_dev ? 9 : 8), "every name is in the archive (%u)", s.nr);
	bool sorted = true;

	for (unsigned int i = 1; i < s.nr; i++)
		sorted &= strcmp(s.names[i - 1], s.names[i]) < 0;
	ok(sorted && !strcmp(s.names[0], "bin"), "entries in byte order of their names");
	ok(s.owners_zero, "every entry is owned by 0:0");
	ok(s.times_ok, "every entry has the given time");
	ok(s.link_ok, "the symlink stays a symlink to its target");
	ok(s.hard_ok, "hard links share an inode and count 2 links");
	ok(s.data_ok, "the last name of a hard-linked file carries its contents");
	if (have_dev)
		ok(s.dev_ok, "a device node keeps its type and numbers");
	else
		ok(true, "a device node keeps its type and numbers # SKIP mknod needs root");
	free(buf);
}

static void test_reproducible(void)
{
	struct errinfo err = { "" };
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	int rc;

	make_tree("first", false);
	make_tree("second", true);
	/* Same contents, other inodes, other times, other creation order. */
	run("cp %s/first/etc/deep/blob %s/second/etc/deep/blob", base);
	run("touch -h -d @1000 $(find %s/second) && touch -d @2000000000 %s/first/etc/motd", base);
	rc = build("first", 0, MAX_OUT, &a, &alen, &err);
	rc = rc ?: build("second", 0, MAX_OUT, &b, &blen, &err);
	if (!ok(rc == 0, "two copies of a tree build")) {
		printf("# %s\n", err.msg);
	} else {
		ok(alen == blen, "the same size (%zu, %zu)", alen, blen);
		is_mem(a, b, MIN(alen, blen), "the same bytes from two copies of one tree");
	}
	free(a);
	free(b);
	a = b = NULL;
	rc = build("first", 0, MAX_OUT, &a, &alen, &err);
	rc = rc ?: build("first", 5, MAX_OUT, &b, &blen, &err);
	ok(rc == 0 && (alen != blen || memcmp(a, b, alen) != 0), "another time, other bytes (%s)",
	   err.msg);
	free(a);
	free(b);
}

static void test_limits(void)
{
	struct errinfo err = { "" };
	char path[600];
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/deep", base);
	mkdir(path, 0755);
	for (unsigned int i = 0; i < INITRAMFS_MAX_DEPTH; i++) {
		size_t n = strlen(path);

		if (n + 3 >= sizeof(path))
			break;
		strcat(path, "/d");
		mkdir(path, 0755);
	}
	rc = build("deep", 0, MAX_OUT, &buf, &len, &err);
	ok(rc == 0, "%u nested directories are fine", INITRAMFS_MAX_DEPTH);
	free(buf);
	strcat(path, "/d");
	mkdir(path, 0755);
	rc = build("deep", 0, MAX_OUT, &buf, &len, &err);
	ok(rc == -ELOOP && strstr(err.msg, "nested deeper than"), "one more is refused: %s",
	   err.msg);

	rc = build("first", 0, 4096, &buf, &len, &err);
	ok(rc == -EFBIG && strstr(err.msg, "grows past"), "a result over the limit: %s", err.msg);

	rc = build("first/etc/motd", 0, MAX_OUT, &buf, &len, &err);
	ok(rc == -ENOTDIR && strstr(err.msg, "motd: not a directory"), "a file: %s", err.msg);
	rc = build("missing", 0, MAX_OUT, &buf, &len, &err);
	ok(rc == -ENOENT && strstr(err.msg, "missing: No such file"), "a missing one: %s", err.msg);
}

struct progress_seen {
	unsigned int calls;
	uint64_t last_done, last_total;
	bool ascending;
};

static void note_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct progress_seen *p = opaque;

	p->ascending &= done > p->last_done && done <= total;
	p->calls++;
	p->last_done = done;
	p->last_total = total;
}

static void test_progress(void)
{
	struct progress_seen p = { .ascending = true };
	struct errinfo err = { "" };
	char path[512];
	uint64_t size;
	int fd, rc;

	/* "first": hello\n (twice linked, stored once) and the 300000-byte blob. */
	snprintf(path, sizeof(path), "%s/first", base);
	rc = initramfs_build(path, 0, MAX_OUT, note_progress, &p, &fd, &size, &err);
	if (rc == 0)
		close(fd);
	ok(rc == 0 && p.calls >= 2 && p.ascending, "progress after every chunk (%u calls)",
	   p.calls);
	ok(p.last_done == 300006 && p.last_total == 300006,
	   "it ends at the contents' size, hard links counted once (%llu of %llu)",
	   (unsigned long long)p.last_done, (unsigned long long)p.last_total);
}

static void test_epoch(void)
{
	struct errinfo err = { "" };
	uint64_t t = 99;

	ok(initramfs_parse_epoch(NULL, &t, &err) == 0 && t == 0, "unset: 0");
	ok(initramfs_parse_epoch("", &t, &err) == 0 && t == 0, "empty: 0");
	ok(initramfs_parse_epoch("1700000000", &t, &err) == 0 && t == 1700000000, "seconds");
	ok(initramfs_parse_epoch("4294967295", &t, &err) == 0 && t == 0xffffffffu, "the maximum");
	t = 7;
	ok(initramfs_parse_epoch("4294967296", &t, &err) == -EINVAL && t == 7, "past 32 bits: %s",
	   err.msg);
	ok(initramfs_parse_epoch("-1", &t, &err) == -EINVAL, "negative");
	ok(initramfs_parse_epoch("12abc", &t, &err) == -EINVAL, "trailing junk");
	ok(initramfs_parse_epoch(" 12", &t, &err) == -EINVAL, "leading space");
}

int main(void)
{
	if (!mkdtemp(base)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_contents();
	test_reproducible();
	test_limits();
	test_progress();
	test_epoch();
	run("rm -rf %s", base);
	return done_testing();
}
