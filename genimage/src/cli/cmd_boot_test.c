// SPDX-License-Identifier: MIT
/*
 * segen boot-test: unpack an image with a test host key as the Ultravisor
 * would, start the result under qemu-system-s390x (software emulation) and
 * wait for the guest to show a line. Bounded in time; QEMU never outlives the
 * command, and the decrypted guest never reaches a file system.
 *
 * With --pv-sim, segen unpacks nothing: QEMU with the pv-sim patches
 * (qemu-patches/, docs/pv-sim.md) starts the image itself at stage-a, whose
 * DIAGNOSE 308 subcode 10 makes QEMU play the Ultravisor with the key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "pki/hostkey.h"
#include "inspect/guest_memory.h"
#include "inspect/image_read.h"
#include "base/keymem.h"
#include "base/log.h"
#include "inspect/qemu_run.h"
#include "stub-wait-codes.h"
#include "inspect/unpack.h"
#include "base/util.h"

#define MAX_HOST_KEYS 16
#define MAX_QEMU_ARGS 32
#define TAIL_LINES 25
/* The kernel reaching its init: init/main.c says so at KERN_INFO. */
#define DEFAULT_EXPECT "as init process"
#define PANIC_TEXT "Kernel panic"
/* "s390-ccw-virtio,pv-sim=on,pv-sim-key=" and the key's path, commas doubled */
#define PV_SIM_MACHINE_MAX (64 + 2 * PATH_MAX)

struct boot_test_opts {
	const char *image;
	const char *host_keys[MAX_HOST_KEYS];
	size_t nr_host_keys;
	const char *expect;
	unsigned int timeout_sec;
	unsigned int memory_mib; /* 0: the image's default */
	const char *qemu;
	const char *qemu_args[MAX_QEMU_ARGS + 1];
	size_t nr_qemu_args;
	bool pv_sim;
	bool quiet;
	bool help;
};

struct console_tail {
	char lines[TAIL_LINES][QEMU_LINE_MAX];
	size_t next, count;
	bool echo;
	bool qemu_ran; /* a tail is worth showing */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: segen boot-test IMAGE --host-key PRIVATE.pem [--pv-sim] [--expect TEXT]\n"
		"                       [--timeout SEC] [--memory MIB] [--qemu PATH]\n"
		"                       [--qemu-arg ARG]... [-q]\n"
		"Unpack IMAGE with a TEST host's private key, as the Ultravisor would, and boot\n"
		"the result under qemu-system-s390x (software emulation, SCLP console).\n"
		"With --pv-sim, segen unpacks nothing: a QEMU built by 'make qemu' (give it\n"
		"with --qemu) boots IMAGE itself through stage-a's secure reboot and plays the\n"
		"Ultravisor with the one --host-key (docs/pv-sim.md). Succeeds\n"
		"when the console shows TEXT (default: the kernel starting init, '%s');\n"
		"fails with the reason and the console tail on a panic, a disabled wait (the\n"
		"boot stub's wait codes are decoded), QEMU exiting, or the timeout (default 60 s).\n"
		"Guest lines go to stdout unless -q.\n"
		"The guest gets --memory MIB; the default and the least accepted follow from\n"
		"the image ('segen info' shows both): a smaller --memory is refused before\n"
		"QEMU starts.\n"
		"\nExit status: 0 TEXT seen, 1 failure (--memory too small included),\n"
		"2 usage error (a malformed --memory included).\n",
		DEFAULT_EXPECT);
}

static int parse_uint(const char *opt, const char *arg, unsigned int max, unsigned int *ret,
		      struct errinfo *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v == 0 || v > max)
		return err_set(err, -EINVAL, "%s: expected a number from 1 to %u", opt, max);
	*ret = (unsigned int)v;
	return 0;
}

static int parse(int argc, char **argv, struct boot_test_opts *o, struct errinfo *err)
{
	static const struct option long_opts[] = {
		{ "host-key", required_argument, NULL, 'K' },
		{ "expect", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },
		{ "memory", required_argument, NULL, 'm' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "qemu-arg", required_argument, NULL, 'A' },
		{ "pv-sim", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	o->expect = DEFAULT_EXPECT;
	o->timeout_sec = 60;
	optind = 0;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'K':
			if (o->nr_host_keys >= MAX_HOST_KEYS)
				return err_set(err, -EINVAL, "at most %d --host-key options",
					       MAX_HOST_KEYS);
			o->host_keys[o->nr_host_keys++] = optarg;
			break;
		case 'e':
			if (!*optarg || strlen(optarg) >= QEMU_LINE_MAX)
				return err_set(err, -EINVAL, "--expect: 1 to %d characters",
					       QEMU_LINE_MAX - 1);
			o->expect = optarg;
			break;
		case 't':
			rc = parse_uint("--timeout", optarg, 3600, &o->timeout_sec, err);
			break;
		case 'm':
			rc = parse_uint("--memory", optarg, 65536, &o->memory_mib, err);
			break;
		case 'Q':
			o->qemu = optarg;
			break;
		case 'A':
			if (o->nr_qemu_args >= MAX_QEMU_ARGS)
				return err_set(err, -EINVAL, "at most %d --qemu-arg options",
					       MAX_QEMU_ARGS);
			o->qemu_args[o->nr_qemu_args++] = optarg;
			break;
		case 'P':
			o->pv_sim = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			return err_set(err, -EINVAL, "option %s needs an argument",
				       argv[optind - 1]);
		default:
			return err_set(err, -EINVAL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (rc)
		return rc;
	if (optind != argc - 1)
		return err_set(err, -EINVAL, "expected exactly one IMAGE");
	o->image = argv[optind];
	if (!o->nr_host_keys)
		return err_set(err, -EINVAL, "missing --host-key PRIVATE.pem");
	if (o->pv_sim && o->nr_host_keys != 1)
		return err_set(err, -EINVAL,
			       "--pv-sim takes exactly one --host-key: QEMU plays "
			       "one host");
	return 0;
}

static void on_line(void *opaque, const char *line)
{
	struct console_tail *t = opaque;

	if (t->echo) {
		printf("%s\n", line);
		fflush(stdout);
	}
	snprintf(t->lines[t->next], QEMU_LINE_MAX, "%s", line);
	t->next = (t->next + 1) % TAIL_LINES;
	if (t->count < TAIL_LINES)
		t->count++;
}

static void print_tail(const struct console_tail *t)
{
	size_t first = (t->next + TAIL_LINES - t->count) % TAIL_LINES;

	if (!t->count) {
		fprintf(stderr, "(the guest printed nothing on its console)\n");
		return;
	}
	fprintf(stderr, "last %zu console line(s):\n", t->count);
	for (size_t i = 0; i < t->count; i++)
		fprintf(stderr, "  | %s\n", t->lines[(first + i) % TAIL_LINES]);
}

/* Say why the boot failed, in one line; returns -1 for any failure. */
static int report(const struct boot_test_opts *o, const struct qemu_run_result *r,
		  struct errinfo *err)
{
	const char *meaning;

	switch (r->outcome) {
	case QEMU_MATCHED:
		return 0;
	case QEMU_TIMEOUT:
		return err_set(err, -ETIMEDOUT, "%s: '%s' did not appear within %u s", o->image,
			       o->expect, o->timeout_sec);
	case QEMU_GUEST_PANIC:
		return err_set(err, -EIO, "%s: the guest kernel panicked after %.1f s", o->image,
			       r->seconds);
	case QEMU_DISABLED_WAIT:
		meaning = stub_wait_code_meaning(r->psw_addr);
		return err_set(err, -EIO,
			       "%s: the guest stopped in a disabled wait, PSW %016llx %llx%s%s",
			       o->image, (unsigned long long)r->psw_mask,
			       (unsigned long long)r->psw_addr, meaning ? ": " : "",
			       meaning ? meaning : "");
	case QEMU_SHUTDOWN:
		return err_set(err, -EIO, "%s: the guest shut down before '%s' appeared", o->image,
			       o->expect);
	case QEMU_EXITED:
		if (r->exit_signal)
			return err_set(err, -EIO, "%s: QEMU was killed by signal %d (%s)%s%.*s",
				       o->image, r->exit_signal, strsignal(r->exit_signal),
				       r->qemu_stderr[0] ? ": " : "",
				       (int)strcspn(r->qemu_stderr, "\n"), r->qemu_stderr);
		return err_set(err, -EIO, "%s: QEMU exited with status %d%s%.*s", o->image,
			       r->exit_status, r->qemu_stderr[0] ? ": " : "",
			       (int)strcspn(r->qemu_stderr, "\n"), r->qemu_stderr);
	case QEMU_INTERRUPTED:
		return err_set(err, -EINTR, "%s: interrupted", o->image);
	}
	return err_set(err, -EIO, "%s: unknown outcome", o->image);
}

/* --memory, or the image's default; refuses less than the image needs. */
static int pick_memory(const struct boot_test_opts *o, const struct image_view *view,
		       unsigned int *ret_mib, struct errinfo *err)
{
	struct guest_memory mem;
	int rc;

	rc = guest_memory_of_image(view, &mem, err);
	if (rc)
		return rc;
	if (!o->memory_mib) {
		*ret_mib = mem.default_mib;
		return 0;
	}
	if (o->memory_mib < mem.minimum_mib)
		return err_set(err, -EINVAL,
			       "%s: needs at least %u MiB of guest memory, --memory %u is too small",
			       o->image, mem.minimum_mib, o->memory_mib);
	*ret_mib = o->memory_mib;
	return 0;
}

/*
 * Earlier versions unpacked into TMPDIR/segen-boot-test.XXXXXX/memory.elf and
 * put QMP in /tmp/segen-qemu.XXXXXX/qmp.sock; a run killed by SIGKILL left
 * them, plaintext included. Remove such directories of ours once no run can
 * still use them (older than the longest --timeout).
 */
#define STALE_AGE_SEC (2 * 3600)

DEFINE_POINTER_CLEANUP(DIR, closedir, closedirp)

static void sweep_stale_dirs(const char *parent, const char *prefix, const char *file)
{
	_cleanup_(closedirp) DIR *d = opendir(parent);
	time_t now = time(NULL);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX], inner[PATH_MAX + 32];
		struct stat st;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    strlen(de->d_name) != strlen(prefix) + 6)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", parent, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    st.st_mtime > now - STALE_AGE_SEC)
			continue;
		snprintf(inner, sizeof(inner), "%s/%s", path, file);
		unlink(inner);
		if (rmdir(path) == 0)
			log_info("removed %s, left by an interrupted boot-test", path);
	}
}

static int run_qemu(const struct boot_test_opts *o, const char *machine, int kernel_fd,
		    unsigned int memory_mib, struct console_tail *tail, struct errinfo *err)
{
	struct qemu_run_result run;
	struct qemu_run_opts qo = {
		.qemu = o->qemu,
		.machine = machine,
		.elf_fd = kernel_fd,
		.memory_mib = memory_mib,
		.timeout_sec = o->timeout_sec,
		.expect = o->expect,
		.panic_text = PANIC_TEXT,
		.extra_args = o->qemu_args,
		.on_line = on_line,
		.opaque = tail,
	};
	int rc;

	rc = qemu_run(&qo, &run, err);
	if (rc)
		return rc;
	tail->qemu_ran = true;
	rc = report(o, &run, err);
	if (!rc && !o->quiet)
		fprintf(stderr, "%s: boot-test: '%s' appeared after %.1f s\n", log_program(),
			o->expect, run.seconds);
	return rc;
}

/* QEMU's option syntax: a comma inside a value is written twice. */
static int pv_sim_machine(const char *key, char *buf, size_t size, struct errinfo *err)
{
	static const char prefix[] = QEMU_DEFAULT_MACHINE ",pv-sim=on,pv-sim-key=";
	char abs_key[PATH_MAX];
	size_t n = sizeof(prefix) - 1;

	if (!realpath(key, abs_key))
		return err_set(err, -errno, "%s: %s", key, strerror(errno));
	memcpy(buf, prefix, n);
	for (const char *p = abs_key; *p; p++) {
		if (n + 3 > size)
			return err_set(err, -ENAMETOOLONG, "%s: path too long", key);
		buf[n++] = *p;
		if (*p == ',')
			buf[n++] = ',';
	}
	buf[n] = '\0';
	return 0;
}

/*
 * --pv-sim: the image as it is, from address 0, as QEMU's -kernel loads a file
 * that is not an ELF; stage-a asks QEMU for the secure reboot.
 */
static int run_pv_sim(const struct boot_test_opts *o, struct console_tail *tail,
		      struct errinfo *err)
{
	struct image_view *view = calloc(1, sizeof(*view));
	char *machine = malloc(PV_SIM_MACHINE_MAX);
	_cleanup_close_ int image_fd = -1;
	unsigned int memory_mib = 0;
	int rc;

	if (!view || !machine) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = image_open(o->image, view, err);
	if (rc)
		goto out;
	rc = pick_memory(o, view, &memory_mib, err);
	image_close(view);
	if (rc)
		goto out;
	rc = pv_sim_machine(o->host_keys[0], machine, PV_SIM_MACHINE_MAX, err);
	if (rc)
		goto out;
	image_fd = open(o->image, O_RDONLY | O_CLOEXEC);
	if (image_fd < 0) {
		rc = err_set(err, -errno, "%s: %s", o->image, strerror(errno));
		goto out;
	}
	log_info("%s: booting under QEMU's Ultravisor simulation with %u MiB (timeout %u s)",
		 o->image, memory_mib, o->timeout_sec);
	rc = run_qemu(o, machine, image_fd, memory_mib, tail, err);
out:
	free(view);
	free(machine);
	return rc;
}

static int run_boot_test(const struct boot_test_opts *o, struct console_tail *tail,
			 struct errinfo *err)
{
	EVP_PKEY *keys[MAX_HOST_KEYS] = { 0 };
	struct image_view *view = calloc(1, sizeof(*view));
	/* Keys, the decrypted header and the guest in memory stay out of cores. */
	struct uv_result *res = keymem_enter() < 0 ? NULL : keymem_zalloc(sizeof(*res));
	const char *tmpdir = getenv("TMPDIR");
	_cleanup_close_ int memory_fd = -1;
	unsigned int memory_mib = 0;
	int rc;

	sweep_stale_dirs(tmpdir && *tmpdir ? tmpdir : "/tmp", "segen-boot-test.", "memory.elf");
	sweep_stale_dirs("/tmp", "segen-qemu.", "qmp.sock");
	if (!view || !res) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = hostkey_load_privates(o->host_keys, o->nr_host_keys, keys, err);
	if (rc)
		goto out;
	/*
	 * The decrypted guest lives in memory only: no file system ever holds it,
	 * and it is gone with the last descriptor, however the run ends.
	 */
	memory_fd = memfd_create("segen-guest-memory", MFD_CLOEXEC);
	if (memory_fd < 0) {
		rc = err_set(err, -errno, "memfd_create: %s", strerror(errno));
		goto out;
	}
	rc = image_open(o->image, view, err);
	if (rc)
		goto out;
	rc = pick_memory(o, view, &memory_mib, err);
	if (rc) {
		image_close(view);
		goto out;
	}
	rc = unpack_to_elf_fd(view, keys, o->nr_host_keys, memory_fd, "guest memory", res, err);
	image_close(view);
	if (rc == -EBADMSG) {
		uv_refusal_to_err(res, o->image, err);
		goto out;
	}
	if (rc)
		goto out;
	log_info("%s: unpacked as the UV would; booting under QEMU with %u MiB (timeout %u s)",
		 o->image, memory_mib, o->timeout_sec);
	rc = run_qemu(o, NULL, memory_fd, memory_mib, tail, err);
out:
	for (size_t i = 0; i < o->nr_host_keys; i++)
		EVP_PKEY_free(keys[i]);
	free(view);
	keymem_free(res, sizeof(*res));
	return rc;
}

int cmd_boot_test(int argc, char **argv)
{
	struct boot_test_opts opts;
	struct console_tail *tail;
	struct errinfo err = { "" };
	int rc;

	rc = parse(argc, argv, &opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		fprintf(stderr, "Try 'segen boot-test --help' for more information.\n");
		return EXIT_USAGE;
	}
	if (opts.help) {
		usage(stdout);
		return EXIT_OK;
	}
	tail = calloc(1, sizeof(*tail));
	if (!tail) {
		log_error("out of memory");
		return EXIT_ERROR;
	}
	tail->echo = !opts.quiet;
	rc = opts.pv_sim ? run_pv_sim(&opts, tail, &err) : run_boot_test(&opts, tail, &err);
	if (rc) {
		log_error("%s", err.msg);
		if (tail->qemu_ran)
			print_tail(tail);
	}
	free(tail);
	return rc ? EXIT_ERROR : EXIT_OK;
}
