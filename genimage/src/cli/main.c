// SPDX-License-Identifier: MIT
/*
 * segen: build and inspect IBM Z Secure Execution images.
 * Invoked as "genprotimg", it behaves as "segen create" for existing scripts.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "base/log.h"

static const struct command commands[] = {
	{ "create", cmd_create, "build a Secure Execution image (genprotimg options)" },
	{ "info", cmd_info, "show the layout, flags and host-key slots of an image" },
	{ "verify", cmd_verify, "check an image as the Ultravisor would (test host key)" },
	{ "unpack", cmd_unpack, "verify, then write the guest memory as an ELF for QEMU" },
	{ "boot-test", cmd_boot_test, "unpack and boot under QEMU, wait for a console line" },
	{ "verify-hkd", cmd_verify_hkd, "check host-key documents against the IBM PKI" },
	{ "launch-config", cmd_launch_config, "print a QEMU command or libvirt domain for KVM" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: segen COMMAND [OPTION]...\n"
		     "Build and inspect IBM Z Secure Execution boot images.\n\nCommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-14s %s\n", c->name, c->summary);
	fprintf(out, "\nRun 'segen COMMAND --help' for the options of one command.\n"
		     "Options: --help, --version\n");
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	if (strcmp(base, "genprotimg") == 0) {
		log_set_program("genprotimg");
		for (const struct command *c = commands; c->name; c++)
			if (strcmp(c->name, "create") == 0)
				return c->run(argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("segen %s\n", SEGEN_VERSION);
		return EXIT_OK;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1);
	log_error("unknown command '%s' (see 'segen --help')", argv[1]);
	return EXIT_USAGE;
}
