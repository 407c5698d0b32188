/* SPDX-License-Identifier: MIT */
/*
 * How to start an image on a KVM host with Secure Execution (IBM z15 or later):
 * a qemu-system-s390x command line or a libvirt domain, both with the
 * s390-pv-guest confidential-guest-support object (libvirt: launchSecurity
 * s390-pv) and the IOMMU on every virtio device, which a protected guest needs
 * for its I/O through shared pages (docs/launch.md).
 */
#ifndef SEGEN_LAUNCH_CONFIG_H
#define SEGEN_LAUNCH_CONFIG_H

#include <stdbool.h>

#include "base/err.h"

#define LAUNCH_NAME_MAX 64

enum launch_format {
	LAUNCH_QEMU,
	LAUNCH_LIBVIRT,
};

enum launch_boot {
	LAUNCH_BOOT_KERNEL, /* the image itself, loaded whole by QEMU (-kernel) */
	LAUNCH_BOOT_DISK,   /* a disk on which zipl installed the image */
};

enum launch_net {
	LAUNCH_NET_NONE,
	LAUNCH_NET_USER,    /* QEMU's user-mode network */
	LAUNCH_NET_BRIDGE,  /* a host bridge, by name */
	LAUNCH_NET_NETWORK, /* a libvirt network, by name (libvirt only) */
};

struct launch_spec {
	enum launch_format format;
	enum launch_boot boot;
	const char *qemu;	 /* the binary of the QEMU form */
	const char *name;	 /* checked by launch_name_valid() */
	const char *image;	 /* absolute paths: libvirt insists */
	const char *disk;	 /* NULL: no disk */
	const char *disk_format; /* raw or qcow2 */
	enum launch_net net;
	const char *net_source; /* bridge or network name */
	unsigned int cpus;
	unsigned int memory_mib;
};

/* Names the two forms accept alike: 1 to LAUNCH_NAME_MAX of [A-Za-z0-9._-], not "." first. */
bool launch_name_valid(const char *name);

/*
 * The configuration for @spec as text: a shell command (every word quoted so
 * that any path survives) or a domain XML (every value escaped). On success
 * *ret_text is malloc()ed and complete; nothing is returned half made.
 */
int launch_config_render(const struct launch_spec *spec, char **ret_text, struct errinfo *err);

#endif /* SEGEN_LAUNCH_CONFIG_H */
