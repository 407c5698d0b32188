// SPDX-License-Identifier: MIT
/*
 * segen launch-config: print how to start an image on a KVM host with Secure
 * Execution, as a qemu-system-s390x command line or a libvirt domain XML,
 * with the memory the image needs (inspect/guest_memory.h).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "cli/commands.h"
#include "inspect/guest_memory.h"
#include "inspect/image_read.h"
#include "inspect/launch_config.h"

#define MAX_CPUS 248 /* what QEMU's s390-ccw-virtio machine accepts */
#define MAX_MEMORY_MIB (4u << 20)

struct launch_opts {
	struct launch_spec spec;
	const char *image_arg;
	const char *disk_arg;
	char default_name[LAUNCH_NAME_MAX + 1];
	bool help;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: segen launch-config IMAGE [--format qemu|libvirt] [--boot kernel|disk]\n"
		"                           [--disk PATH] [--disk-format raw|qcow2] [--name NAME]\n"
		"                           [--cpus N] [--memory MIB] [--network SPEC] [--qemu PATH]\n"
		"Print how to start IMAGE as a Secure Execution guest on a KVM host (IBM z15 or\n"
		"later, prot_virt=1): a qemu-system-s390x command line (default) or a libvirt\n"
		"domain XML. Both turn on protected virtualization (QEMU object s390-pv-guest,\n"
		"libvirt launchSecurity s390-pv), the IOMMU on every virtio device, the SCLP\n"
		"console, and the memory IMAGE needs ('segen info' shows it).\n"
		"\n"
		"  --format qemu|libvirt   a shell command, or a domain for 'virsh define'\n"
		"  --boot kernel           QEMU loads IMAGE whole (-kernel; libvirt <kernel>), default\n"
		"  --boot disk             boot from --disk, where zipl installed IMAGE\n"
		"  --disk PATH             a virtio-blk disk (the boot disk with --boot disk)\n"
		"  --disk-format FMT       raw (default) or qcow2\n"
		"  --name NAME             guest name, A-Z a-z 0-9 . _ - (default: from IMAGE)\n"
		"  --cpus N                virtual CPUs, 1 to %d (default 2)\n"
		"  --memory MIB            guest memory (default: the image's default); less than\n"
		"                          the image needs is refused\n"
		"  --network SPEC          none (default), user, bridge:BRIDGE or, for libvirt,\n"
		"                          network:NAME; a virtio-net device\n"
		"  --qemu PATH             the QEMU binary of the command (qemu-system-s390x)\n"
		"\nExit status: 0 printed, 1 IMAGE unreadable or --memory too small, 2 usage error.\n",
		MAX_CPUS);
}

static int parse_number(const char *opt, const char *arg, unsigned int max, unsigned int *ret,
			struct errinfo *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v == 0 || v > max)
		return err_set(err, -EINVAL, "%s: expected a number from 1 to %u", opt, max);
	*ret = (unsigned int)v;
	return 0;
}

static int parse_network(const char *arg, struct launch_spec *s, struct errinfo *err)
{
	static const struct {
		const char *prefix;
		enum launch_net net;
	} kinds[] = { { "bridge:", LAUNCH_NET_BRIDGE }, { "network:", LAUNCH_NET_NETWORK } };

	if (!strcmp(arg, "none") || !strcmp(arg, "user")) {
		s->net = arg[0] == 'n' ? LAUNCH_NET_NONE : LAUNCH_NET_USER;
		return 0;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (strncmp(arg, kinds[i].prefix, n))
			continue;
		if (!launch_name_valid(arg + n))
			return err_set(err, -EINVAL, "--network %s: a name of A-Z a-z 0-9 . _ -",
				       arg);
		s->net = kinds[i].net;
		s->net_source = arg + n;
		return 0;
	}
	return err_set(err, -EINVAL, "--network takes none, user, bridge:NAME or network:NAME");
}

/* The image's file name without directory and extension, made a valid name. */
static void name_from_image(const char *image, char *buf, size_t len)
{
	const char *base = strrchr(image, '/') ? strrchr(image, '/') + 1 : image;
	size_t n = 0;

	for (const char *p = base; *p && *p != '.' && n + 1 < len; p++)
		buf[n++] = launch_name_valid((char[]){ *p, 0 }) ? *p : '-';
	buf[n] = 0;
	if (!n)
		snprintf(buf, len, "segen-guest");
}

static int parse(int argc, char **argv, struct launch_opts *o, struct errinfo *err)
{
	static const struct option long_opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "boot", required_argument, NULL, 'b' },
		{ "disk", required_argument, NULL, 'd' },
		{ "disk-format", required_argument, NULL, 'F' },
		{ "name", required_argument, NULL, 'n' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "network", required_argument, NULL, 'N' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct launch_spec *s = &o->spec;
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	s->qemu = "qemu-system-s390x";
	s->disk_format = "raw";
	s->cpus = 2;
	optind = 0;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "qemu") && strcmp(optarg, "libvirt"))
				return err_set(err, -EINVAL, "--format takes qemu or libvirt");
			s->format = optarg[0] == 'q' ? LAUNCH_QEMU : LAUNCH_LIBVIRT;
			break;
		case 'b':
			if (strcmp(optarg, "kernel") && strcmp(optarg, "disk"))
				return err_set(err, -EINVAL, "--boot takes kernel or disk");
			s->boot = optarg[0] == 'k' ? LAUNCH_BOOT_KERNEL : LAUNCH_BOOT_DISK;
			break;
		case 'd':
			if (!*optarg)
				return err_set(err, -EINVAL, "--disk needs a path");
			o->disk_arg = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "raw") && strcmp(optarg, "qcow2"))
				return err_set(err, -EINVAL, "--disk-format takes raw or qcow2");
			s->disk_format = optarg;
			break;
		case 'n':
			if (!launch_name_valid(optarg))
				return err_set(err, -EINVAL,
					       "--name: 1 to %d of A-Z a-z 0-9 . _ -, not '.' first",
					       LAUNCH_NAME_MAX);
			s->name = optarg;
			break;
		case 'c':
			rc = parse_number("--cpus", optarg, MAX_CPUS, &s->cpus, err);
			break;
		case 'm':
			rc = parse_number("--memory", optarg, MAX_MEMORY_MIB, &s->memory_mib, err);
			break;
		case 'N':
			rc = parse_network(optarg, s, err);
			break;
		case 'Q':
			if (!*optarg)
				return err_set(err, -EINVAL, "--qemu needs a path");
			s->qemu = optarg;
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
	o->image_arg = argv[optind];
	if (s->boot == LAUNCH_BOOT_DISK && !o->disk_arg)
		return err_set(err, -EINVAL, "--boot disk needs --disk PATH");
	if (s->format == LAUNCH_QEMU && s->net == LAUNCH_NET_NETWORK)
		return err_set(err, -EINVAL,
			       "--network network:NAME is for --format libvirt; "
			       "use bridge:NAME or user with qemu");
	if (!s->name) {
		name_from_image(o->image_arg, o->default_name, sizeof(o->default_name));
		s->name = o->default_name;
	}
	return 0;
}

/* An absolute form of @path (which need not exist yet: a disk may be made later). */
static int absolute_path(const char *path, char **ret, struct errinfo *err)
{
	char cwd[PATH_MAX];
	char *abs = realpath(path, NULL);

	if (!abs && path[0] == '/')
		abs = strdup(path);
	if (!abs) {
		if (!getcwd(cwd, sizeof(cwd)))
			return err_set(err, -errno, "current directory: %s", strerror(errno));
		if (asprintf(&abs, "%s/%s", cwd, path) < 0)
			abs = NULL;
	}
	if (!abs)
		return err_set(err, -ENOMEM, "out of memory");
	*ret = abs;
	return 0;
}

static int memory_of_view(const struct image_view *view, void *ret_mem, struct errinfo *err)
{
	return guest_memory_of_image(view, ret_mem, err);
}

static int run(struct launch_opts *o, struct errinfo *err)
{
	char *image = NULL, *disk = NULL, *text = NULL;
	struct guest_memory mem;
	int rc;

	rc = image_with_view(o->image_arg, memory_of_view, &mem, err);
	if (rc)
		goto out;
	if (!o->spec.memory_mib) {
		o->spec.memory_mib = mem.default_mib;
	} else if (o->spec.memory_mib < mem.minimum_mib) {
		rc = err_set(err, -EINVAL,
			     "%s: needs at least %u MiB of guest memory, --memory %u is too small",
			     o->image_arg, mem.minimum_mib, o->spec.memory_mib);
		goto out;
	}
	rc = absolute_path(o->image_arg, &image, err);
	if (!rc && o->disk_arg)
		rc = absolute_path(o->disk_arg, &disk, err);
	if (rc)
		goto out;
	o->spec.image = image;
	o->spec.disk = disk;
	rc = launch_config_render(&o->spec, &text, err);
	if (rc)
		goto out;
	fputs(text, stdout);
	if (fflush(stdout))
		rc = err_set(err, -errno, "standard output: %s", strerror(errno));
out:
	free(text);
	free(image);
	free(disk);
	return rc;
}

int cmd_launch_config(int argc, char **argv)
{
	struct errinfo err = { "" };
	struct launch_opts opts;
	int rc;

	rc = parse(argc, argv, &opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		fprintf(stderr, "Try 'segen launch-config --help' for more information.\n");
		return EXIT_USAGE;
	}
	if (opts.help) {
		usage(stdout);
		return EXIT_OK;
	}
	rc = run(&opts, &err);
	if (rc) {
		log_error("%s", err.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
