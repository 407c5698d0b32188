// SPDX-License-Identifier: MIT
/*
 * Every limit of the inputs, the gzip check, the layout, the output file and
 * the --x-seed option, probed at the limit, one under and one over, straight
 * through the module APIs (the CLI's messages are in tests/cli).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/outfile.h"
#include "base/util.h"
#include "create/inputs.h"
#include "crypto/comp.h"
#include "crypto/randsrc.h"
#include "format/layout.h"
#include "stub-abi.h"
#include "tap.h"

/*
 * open() as the file system of the test wants it: with @refuse_tmpfile set,
 * O_TMPFILE fails with that errno, as on file systems without it. segen's
 * objects resolve open() to this definition, the rest goes to the kernel.
 */
static int refuse_tmpfile;

int open(const char *path, int flags, ...);
int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | __O_TMPFILE))
		mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	if (refuse_tmpfile && (flags & O_TMPFILE) == O_TMPFILE) {
		errno = refuse_tmpfile;
		return -1;
	}
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

static char scratch[] = "/tmp/segen-limits-XXXXXX";

static const char *scratch_file(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	return path;
}

static void write_file(const char *name, const void *data, size_t len)
{
	int fd = open(scratch_file(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || fd_pwrite_full(fd, data, len, 0)) {
		printf("Bail out! cannot write %s\n", scratch_file(name));
		exit(1);
	}
	close(fd);
}

/* A command line of @len bytes of 'x', optionally with a final NUL. */
static int load_cmdline(size_t len, bool final_nul, uint64_t max, size_t *ret_size,
			struct errinfo *err)
{
	uint8_t *text = malloc(len + 1), *buf = NULL;
	int rc;

	memset(text, 'x', len);
	text[len] = 0;
	write_file("parm", text, len + final_nul);
	free(text);
	rc = cmdline_load(scratch_file("parm"), max, &buf, ret_size, err);
	free(buf);
	return rc;
}

static void test_cmdline(void)
{
	struct errinfo err = { "" };
	size_t size = 0;

	ok(load_cmdline(895, false, 896, &size, &err) == 0 && size == 896,
	   "895 characters fit a kernel maximum of 896 (%s)", err.msg);
	ok(load_cmdline(896, false, 896, &size, &err) == -EINVAL &&
		   strstr(err.msg, "command line is 896 bytes, the kernel accepts at most 895"),
	   "896 characters do not (%s)", err.msg);
	ok(load_cmdline(894, false, 896, &size, &err) == 0 && size == 895, "894 characters fit");
	ok(load_cmdline(895, true, 896, &size, &err) == 0 && size == 896,
	   "895 characters and a final NUL fit (%s)", err.msg);
	ok(load_cmdline(0, false, 896, &size, &err) == 0 && size == 1, "an empty file is a NUL");
	/* Only one final NUL is allowed: two at the end are a NUL inside the text. */
	{
		uint8_t *buf = NULL;

		write_file("parm", "abc\0\0", 5);
		ok(cmdline_load(scratch_file("parm"), 896, &buf, &size, &err) == -EINVAL &&
			   strstr(err.msg, "holds a NUL byte at offset 3"),
		   "two final NULs: refused (%s)", err.msg);
		free(buf);
	}

	/* The file limit: 1 MiB, the most stage-b takes with the NUL (no kernel maximum). */
	ok(load_cmdline(CMDLINE_FILE_MAX - 1, false, 0, &size, &err) == 0 &&
		   size == CMDLINE_FILE_MAX,
	   "1 MiB - 1 characters: 1 MiB with the NUL (%s)", err.msg);
	ok(load_cmdline(CMDLINE_FILE_MAX - 1, true, 0, &size, &err) == 0 &&
		   size == CMDLINE_FILE_MAX,
	   "1 MiB - 1 characters and a final NUL (%s)", err.msg);
	ok(load_cmdline(CMDLINE_FILE_MAX, true, 0, &size, &err) == -EFBIG &&
		   strstr(err.msg, "command line file too large (at most 1048576 bytes)"),
	   "a file of 1 MiB + 1 is refused (%s)", err.msg);
	err.msg[0] = 0;
	ok(load_cmdline(CMDLINE_FILE_MAX, false, 0, &size, &err) == -EINVAL &&
		   strstr(err.msg, "command line is 1048576 bytes, at most 1048575 fit in 1 MiB"),
	   "1 MiB of characters: 1 MiB + 1 with the NUL, more than stage-b takes (%s)", err.msg);
}

/* A raw kernel of @size bytes with S390EP, and @max at the command-line maximum field. */
static int check_kernel_of(uint64_t size, uint64_t max, bool strict, struct kernel_info *info,
			   struct errinfo *err)
{
	uint8_t *k = calloc(1, size + 8);
	int fd, rc;

	if (size >= STUB_KERNEL_MAGIC_OFFSET + 6)
		memcpy(k + STUB_KERNEL_MAGIC_OFFSET, STUB_KERNEL_MAGIC, 6);
	if (size >= STUB_LINUX_MAX_CMDLINE + 8)
		put_be64(k + STUB_LINUX_MAX_CMDLINE, max);
	write_file("kernel", k, size);
	free(k);
	fd = open(scratch_file("kernel"), O_RDONLY | O_CLOEXEC);
	rc = kernel_check(fd, size, "kernel", strict, info, err);
	close(fd);
	return rc;
}

static void test_kernel(void)
{
	struct kernel_info info;
	struct errinfo err = { "" };

	ok(check_kernel_of(KERNEL_MIN_SIZE, 4096, true, &info, &err) == 0,
	   "a kernel of exactly 0x%x bytes is accepted (%s)", KERNEL_MIN_SIZE, err.msg);
	ok(check_kernel_of(KERNEL_MIN_SIZE - 1, 4096, true, &info, &err) != 0 &&
		   strstr(err.msg, "kernel"),
	   "one byte less is refused (%s)", err.msg);
	ok(check_kernel_of(KERNEL_MIN_SIZE - 1, 4096, false, &info, &err) != 0,
	   "also without the component check (%s)", err.msg);
	ok(check_kernel_of(KERNEL_MIN_SIZE + 1, 4096, true, &info, &err) == 0,
	   "one byte more is accepted (%s)", err.msg);
	/* All six bytes of S390EP count: the last one changed is no kernel. */
	ok(check_kernel_of(KERNEL_MIN_SIZE, 4096, true, &info, &err) == 0, "S390EP: a kernel");
	{
		int fd = open(scratch_file("kernel"), O_WRONLY | O_CLOEXEC);

		fd_pwrite_full(fd, "X", 1, STUB_KERNEL_MAGIC_OFFSET + 5);
		close(fd);
		fd = open(scratch_file("kernel"), O_RDONLY | O_CLOEXEC);
		ok(kernel_check(fd, KERNEL_MIN_SIZE, "kernel", true, &info, &err) != 0 &&
			   strstr(err.msg, "S390EP"),
		   "S390EX: refused (%s)", err.msg);
		close(fd);
	}
	/* The maximum field is 8 bytes at 0x10430: present from 0x10438 bytes on. */
	ok(check_kernel_of(STUB_LINUX_MAX_CMDLINE + 8, 2048, true, &info, &err) == 0 ||
		   KERNEL_MIN_SIZE > STUB_LINUX_MAX_CMDLINE + 8,
	   "a kernel that just holds the maximum field");
	ok(check_kernel_of(KERNEL_MIN_SIZE, 2048, true, &info, &err) == 0 &&
		   info.max_cmdline == 2048,
	   "the kernel's maximum is read: 2048");
	ok(check_kernel_of(KERNEL_MIN_SIZE, 0, true, &info, &err) == 0 &&
		   info.max_cmdline == STUB_LINUX_DEFAULT_MAX_CMDLINE,
	   "a maximum of 0 means the default, 896");
	ok(check_kernel_of(KERNEL_MIN_SIZE, 1, true, &info, &err) == 0 && info.max_cmdline == 1,
	   "a maximum of 1 is taken as it is");
}

static void test_layout(void)
{
	const uint64_t stage_a = STUB_SE_HEADER_MIN_ADDR, hdr = 720;
	struct layout_component comps[LAYOUT_MAX_COMPONENTS + 1] = {
		{ .id = SE_COMP_ID_KERNEL, .name = "kernel", .size = 1 },
		{ .id = SE_COMP_ID_RAMDISK, .name = "ramdisk", .size = 0 },
		{ .id = SE_COMP_ID_CMDLINE, .name = "cmdline", .size = 10 },
		{ .id = SE_COMP_ID_STAGE_B, .name = "stage-b", .size = 8192 },
		{ .id = 80, .name = "fifth", .size = 1 },
	};
	struct image_layout l;
	struct errinfo err = { "" };
	uint64_t fixed, room;

	ok(layout_plan(stage_a, hdr, comps, 0, &l, &err) == -EINVAL, "no component: refused");
	ok(layout_plan(stage_a, hdr, comps, 1, &l, &err) == 0, "one component");
	ok(layout_plan(stage_a, hdr, comps, LAYOUT_MAX_COMPONENTS, &l, &err) == 0,
	   "four components");
	ok(layout_plan(stage_a, hdr, comps, LAYOUT_MAX_COMPONENTS + 1, &l, &err) == -EINVAL,
	   "five components: refused (%s)", err.msg);
	/* Everything but the ramdisk's pages, then the ramdisk that exactly fills 2 GiB. */
	layout_plan(stage_a, hdr, comps, LAYOUT_MAX_COMPONENTS, &l, &err);
	fixed = l.image_size - SE_PAGE_SIZE; /* a 0-byte ramdisk still takes one page */
	room = LAYOUT_MAX_ADDR - fixed;
	comps[1].size = room;
	ok(layout_plan(stage_a, hdr, comps, LAYOUT_MAX_COMPONENTS, &l, &err) == 0 &&
		   l.image_size == LAYOUT_MAX_ADDR,
	   "an image of exactly LAYOUT_MAX_ADDR (%s)", err.msg);
	comps[1].size = room - 1;
	ok(layout_plan(stage_a, hdr, comps, LAYOUT_MAX_COMPONENTS, &l, &err) == 0, "one byte less");
	comps[1].size = room + 1;
	ok(layout_plan(stage_a, hdr, comps, LAYOUT_MAX_COMPONENTS, &l, &err) == -EFBIG &&
		   strstr(err.msg, "everything must fit below"),
	   "one byte more: refused (%s)", err.msg);
	comps[1].size = LAYOUT_MAX_ADDR + 1;
	ok(layout_plan(stage_a, hdr, comps, LAYOUT_MAX_COMPONENTS, &l, &err) == -EFBIG &&
		   strstr(err.msg, "ramdisk: too large"),
	   "a ramdisk of LAYOUT_MAX_ADDR + 1: too large by itself (%s)", err.msg);
	comps[1].size = 0;
	ok(layout_plan(stage_a - 1, hdr, comps, 4, &l, &err) == 0 &&
		   l.hdr_addr == STUB_SE_HEADER_MIN_ADDR,
	   "the header never goes below 0x%lx", STUB_SE_HEADER_MIN_ADDR);
	ok(layout_plan(stage_a + 1, hdr, comps, 4, &l, &err) == 0 &&
		   l.hdr_addr == stage_a + SE_PAGE_SIZE,
	   "a stage-a one byte longer moves the header by a page");
}

/* A PV IPIB of @len bytes with one component, of which @buf_len are given. */
static int parse_ipib_in(uint32_t len, size_t buf_len, struct errinfo *err)
{
	static uint8_t buf[2 * IPIB_MAX_SIZE];
	struct ipib_info info;

	memset(buf, 0, sizeof(buf));
	put_be32(buf, len);
	buf[0x07] = IPIB_VERSION;
	put_be32(buf + 0x08, len - 8);
	buf[0x0c] = IPIB_PBT_PV;
	buf[0x6f] = IPIB_PV_VERSION;
	put_be32(buf + 0x74, 1);
	put_be64(buf + 0x78, 0x14000);
	put_be64(buf + 0x80, 720);
	put_be64(buf + IPIB_FIXED_SIZE, (uint64_t)SE_COMP_ID_KERNEL << 48);
	put_be64(buf + IPIB_FIXED_SIZE + 8, 0x15000);
	put_be64(buf + IPIB_FIXED_SIZE + 16, SE_PAGE_SIZE);
	return layout_parse_ipib(buf, buf_len, 1u << 20, false, &info, err);
}

/* ... in a buffer of 8 KiB. */
static int parse_ipib_of(uint32_t len, struct errinfo *err)
{
	return parse_ipib_in(len, 2 * IPIB_MAX_SIZE, err);
}

/* The IPIB length limits when the buffer is larger than the IPIB may be. */
static void test_ipib_length(void)
{
	struct errinfo err = { "" };

	ok(parse_ipib_of(IPIB_MAX_SIZE, &err) == 0, "an IPIB of 4096 bytes (%s)", err.msg);
	ok(parse_ipib_of(IPIB_MAX_SIZE - 1, &err) == 0, "4095 bytes");
	ok(parse_ipib_of(IPIB_MAX_SIZE + 1, &err) == -EBADMSG &&
		   strstr(err.msg, "IPIB length 4097 outside 148..4096"),
	   "4097 bytes in a larger buffer: refused (%s)", err.msg);
	/* 148 passes the length check; one component needs 160, which the table check says. */
	ok(parse_ipib_of(IPIB_MIN_SIZE, &err) == -EBADMSG &&
		   strstr(err.msg, "IPIB component table (1 entries) exceeds its length"),
	   "148 bytes: past the length check (%s)", err.msg);
	ok(parse_ipib_of(IPIB_MIN_SIZE - 1, &err) == -EBADMSG &&
		   strstr(err.msg, "IPIB length 147 outside 148..4096"),
	   "147 bytes: refused (%s)", err.msg);
	/* The buffer (what the image holds from the IPIB's address on) at the length. */
	ok(parse_ipib_in(200, 200, &err) == 0, "an IPIB of 200 bytes in 200 (%s)", err.msg);
	ok(parse_ipib_in(200, 199, &err) == -EBADMSG &&
		   strstr(err.msg, "IPIB truncated: its length is 200 bytes, 199 remain"),
	   "an IPIB of 200 bytes in 199: truncated (%s)", err.msg);
}

static void test_seed(void)
{
	char hex[2 * RANDSRC_SEED_MAX + 3];
	struct randsrc r;
	struct errinfo err = { "" };

	memset(hex, 'a', sizeof(hex));
	hex[2 * RANDSRC_SEED_MAX] = 0;
	ok(randsrc_init_seed(&r, hex, &err) == 0, "a seed of 64 bytes (%s)", err.msg);
	hex[2 * RANDSRC_SEED_MAX - 2] = 0;
	ok(randsrc_init_seed(&r, hex, &err) == 0, "63 bytes");
	memset(hex, 'a', sizeof(hex));
	hex[2 * RANDSRC_SEED_MAX + 2] = 0;
	ok(randsrc_init_seed(&r, hex, &err) == -EINVAL && strstr(err.msg, "--x-seed"),
	   "65 bytes: refused (%s)", err.msg);
	ok(randsrc_init_seed(&r, "00", &err) == 0, "one byte");
	ok(randsrc_init_seed(&r, "", &err) == -EINVAL, "no byte: refused");
	ok(randsrc_init_seed(&r, "abc", &err) == -EINVAL, "an odd number of digits: refused");
	ok(randsrc_init_seed(&r, "zz", &err) == -EINVAL && strstr(err.msg, "--x-seed"),
	   "two non-hex characters: refused (%s)", err.msg);
	ok(randsrc_init_seed(&r, "0g", &err) == -EINVAL, "a non-hex second digit: refused");
	ok(randsrc_init_seed(&r, "AbCd", &err) == 0, "upper and lower case hex");
}

static size_t files_in_scratch(void)
{
	DIR *d = opendir(scratch);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

static void test_outfile(int tmpfile_errno, const char *how)
{
	struct outfile out;
	struct errinfo err = { "" };
	const char *path = scratch_file("image");
	char back[8] = "";
	size_t before;
	int fd;

	unlink(path);
	refuse_tmpfile = tmpfile_errno;
	before = files_in_scratch();
	ok(outfile_open(path, false, &out, &err) == 0, "%s: output opened (%s)", how, err.msg);
	ok((out.tmp_path != NULL) == (tmpfile_errno != 0), "%s: %s", how,
	   tmpfile_errno ? "a named temporary file" : "an O_TMPFILE file");
	fd_pwrite_full(out.fd, "image", 5, 0);
	ok(access(path, F_OK) != 0, "%s: nothing at the name before the commit", how);
	ok(outfile_commit(&out, &err) == 0, "%s: committed (%s)", how, err.msg);
	outfile_abort(&out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ok(fd >= 0 && read(fd, back, sizeof(back)) == 5 && !memcmp(back, "image", 5),
	   "%s: the output holds what was written", how);
	if (fd >= 0)
		close(fd);
	ok(files_in_scratch() == before + 1, "%s: no temporary file is left", how);

	ok(outfile_open(path, false, &out, &err) == -EEXIST, "%s: an existing output is kept", how);
	ok(outfile_open(path, true, &out, &err) == 0, "%s: --overwrite opens it", how);
	fd_pwrite_full(out.fd, "new", 3, 0);
	outfile_abort(&out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ok(fd >= 0 && read(fd, back, sizeof(back)) == 5, "%s: an aborted overwrite keeps the old",
	   how);
	if (fd >= 0)
		close(fd);
	ok(files_in_scratch() == before + 1, "%s: the aborted temporary file is gone", how);
	ok(outfile_open(path, true, &out, &err) == 0, "%s: overwrite again", how);
	fd_pwrite_full(out.fd, "new", 3, 0);
	ok(outfile_commit(&out, &err) == 0, "%s: the overwrite is committed (%s)", how, err.msg);
	outfile_abort(&out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ok(fd >= 0 && read(fd, back, sizeof(back)) == 3 && !memcmp(back, "new", 3),
	   "%s: the overwrite replaced the output", how);
	if (fd >= 0)
		close(fd);
	ok(files_in_scratch() == before + 1, "%s: still one file", how);
	unlink(path);
	refuse_tmpfile = 0;
}

static void test_outfile_errors(void)
{
	struct outfile out;
	struct errinfo err = { "" };

	refuse_tmpfile = EACCES;
	ok(outfile_open(scratch_file("image"), false, &out, &err) == -EACCES &&
		   strstr(err.msg, "cannot create a file in"),
	   "O_TMPFILE refused for lack of permission: no fallback (%s)", err.msg);
	refuse_tmpfile = 0;
	ok(outfile_open(scratch, true, &out, &err) == -EISDIR, "a directory is refused (%s)",
	   err.msg);
}

int main(void)
{
	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	test_cmdline();
	test_kernel();
	test_layout();
	test_ipib_length();
	test_seed();
	test_outfile(0, "O_TMPFILE");
	test_outfile(EOPNOTSUPP, "without O_TMPFILE (EOPNOTSUPP)");
	test_outfile(EISDIR, "without O_TMPFILE (EISDIR)");
	test_outfile(EINVAL, "without O_TMPFILE (EINVAL)");
	test_outfile_errors();
	unlink(scratch_file("parm"));
	unlink(scratch_file("kernel"));
	rmdir(scratch);
	return done_testing();
}
