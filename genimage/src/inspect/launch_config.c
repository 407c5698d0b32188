// SPDX-License-Identifier: MIT
#include "inspect/launch_config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Characters a shell word may hold unquoted. */
#define SHELL_SAFE "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=:,@%+-"
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

bool launch_name_valid(const char *name)
{
	size_t len = strlen(name);

	return len && len <= LAUNCH_NAME_MAX && name[0] != '.' && strspn(name, NAME_CHARS) == len;
}

/* One shell word: bare when safe, else in single quotes with ' written as '\''. */
static void shell_word(FILE *out, const char *word)
{
	if (*word && strspn(word, SHELL_SAFE) == strlen(word)) {
		fputs(word, out);
		return;
	}
	fputc('\'', out);
	for (const char *p = word; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", out);
		else
			fputc(*p, out);
	}
	fputc('\'', out);
}

/*
 * One QEMU option value inside a key=value list: QEMU reads ",," as a comma
 * that does not end the value.
 */
static void qemu_value(FILE *out, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == ',')
			fputc(',', out);
		fputc(*p, out);
	}
}

/* An option and its argument on a line of their own, the argument as one shell word. */
static void qemu_opt(FILE *out, const char *opt, const char *arg)
{
	fprintf(out, " \\\n    %s ", opt);
	shell_word(out, arg);
}

/* A key=value list whose one free-text value (@value) is comma-escaped. */
static int qemu_kv(FILE *out, const char *opt, const char *before, const char *value,
		   const char *after)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *s = open_memstream(&buf, &len);

	if (!s)
		return -ENOMEM;
	fputs(before, s);
	qemu_value(s, value);
	fputs(after, s);
	if (fclose(s)) {
		free(buf);
		return -ENOMEM;
	}
	qemu_opt(out, opt, buf);
	free(buf);
	return 0;
}

static int render_qemu(FILE *out, const struct launch_spec *s)
{
	char num[32];
	int rc = 0;

	shell_word(out, s->qemu);
	rc = rc ?: qemu_kv(out, "-name", "guest=", s->name, "");
	qemu_opt(out, "-machine", "s390-ccw-virtio,accel=kvm,confidential-guest-support=pv0");
	qemu_opt(out, "-object", "s390-pv-guest,id=pv0");
	qemu_opt(out, "-cpu", "host");
	snprintf(num, sizeof(num), "%u", s->cpus);
	qemu_opt(out, "-smp", num);
	snprintf(num, sizeof(num), "%u", s->memory_mib);
	qemu_opt(out, "-m", num);
	/* No default devices: every virtio device below is ours, IOMMU on. */
	fputs(" \\\n    -nodefaults -display none", out);
	qemu_opt(out, "-serial", "mon:stdio");
	if (s->boot == LAUNCH_BOOT_KERNEL)
		qemu_opt(out, "-kernel", s->image);
	if (s->disk) {
		char tail[64];

		snprintf(tail, sizeof(tail), ",if=none,id=disk0,format=%s", s->disk_format);
		rc = rc ?: qemu_kv(out, "-drive", "file=", s->disk, tail);
		qemu_opt(out, "-device",
			 s->boot == LAUNCH_BOOT_DISK ?
				 "virtio-blk-ccw,drive=disk0,iommu_platform=on,bootindex=1" :
				 "virtio-blk-ccw,drive=disk0,iommu_platform=on");
	}
	switch (s->net) {
	case LAUNCH_NET_NONE:
		break;
	case LAUNCH_NET_USER:
		qemu_opt(out, "-netdev", "user,id=net0");
		break;
	case LAUNCH_NET_BRIDGE:
		rc = rc ?: qemu_kv(out, "-netdev", "bridge,id=net0,br=", s->net_source, "");
		break;
	case LAUNCH_NET_NETWORK:
		return -EINVAL; /* refused by the caller: a libvirt network */
	}
	if (s->net != LAUNCH_NET_NONE)
		qemu_opt(out, "-device", "virtio-net-ccw,netdev=net0,iommu_platform=on");
	fputc('\n', out);
	return rc;
}

static void xml_text(FILE *out, const char *text)
{
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

static void render_libvirt(FILE *out, const struct launch_spec *s)
{
	fputs("<domain type='kvm'>\n  <name>", out);
	xml_text(out, s->name);
	fprintf(out,
		"</name>\n"
		"  <memory unit='MiB'>%u</memory>\n"
		"  <vcpu>%u</vcpu>\n"
		"  <os>\n"
		"    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n",
		s->memory_mib, s->cpus);
	if (s->boot == LAUNCH_BOOT_KERNEL) {
		fputs("    <kernel>", out);
		xml_text(out, s->image);
		fputs("</kernel>\n", out);
	}
	/* host-model carries the unpack facility the secure reboot needs. */
	fputs("  </os>\n"
	      "  <cpu mode='host-model'/>\n"
	      "  <devices>\n",
	      out);
	if (s->disk) {
		fputs("    <disk type='file' device='disk'>\n"
		      "      <driver name='qemu' type='",
		      out);
		xml_text(out, s->disk_format);
		fputs("' iommu='on'/>\n      <source file='", out);
		xml_text(out, s->disk);
		fputs("'/>\n      <target dev='vda' bus='virtio'/>\n", out);
		if (s->boot == LAUNCH_BOOT_DISK)
			fputs("      <boot order='1'/>\n", out);
		fputs("    </disk>\n", out);
	}
	if (s->net != LAUNCH_NET_NONE) {
		static const char *const types[] = {
			[LAUNCH_NET_USER] = "user",
			[LAUNCH_NET_BRIDGE] = "bridge",
			[LAUNCH_NET_NETWORK] = "network",
		};

		fprintf(out, "    <interface type='%s'>\n", types[s->net]);
		if (s->net != LAUNCH_NET_USER) {
			fprintf(out, "      <source %s='", types[s->net]);
			xml_text(out, s->net_source);
			fputs("'/>\n", out);
		}
		fputs("      <model type='virtio'/>\n"
		      "      <driver iommu='on'/>\n"
		      "    </interface>\n",
		      out);
	}
	/* A balloon would be one more virtio device; a protected guest gains nothing by it. */
	fputs("    <console type='pty'>\n"
	      "      <target type='sclp' port='0'/>\n"
	      "    </console>\n"
	      "    <memballoon model='none'/>\n"
	      "  </devices>\n"
	      "  <launchSecurity type='s390-pv'/>\n"
	      "</domain>\n",
	      out);
}

int launch_config_render(const struct launch_spec *spec, char **ret_text, struct errinfo *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int rc = 0;

	if (!launch_name_valid(spec->name))
		return err_set(err, -EINVAL, "--name: 1 to %d of A-Z a-z 0-9 . _ -, not '.' first",
			       LAUNCH_NAME_MAX);
	if (spec->format == LAUNCH_QEMU && spec->net == LAUNCH_NET_NETWORK)
		return err_set(err, -EINVAL,
			       "--network network:NAME is a libvirt network; "
			       "use bridge:NAME or user with --format qemu");
	if (spec->boot == LAUNCH_BOOT_DISK && !spec->disk)
		return err_set(err, -EINVAL, "--boot disk needs --disk PATH");
	out = open_memstream(&buf, &len);
	if (!out)
		return err_set(err, -ENOMEM, "out of memory");
	if (spec->format == LAUNCH_QEMU)
		rc = render_qemu(out, spec);
	else
		render_libvirt(out, spec);
	if (fclose(out) && !rc)
		rc = -ENOMEM;
	if (rc) {
		free(buf);
		return err_set(err, rc, "out of memory");
	}
	*ret_text = buf;
	return 0;
}
