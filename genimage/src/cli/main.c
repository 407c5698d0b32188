// SPDX-License-Identifier: MIT
/*
 * segen: build and inspect IBM Z Secure Execution images.
 * It answers to IBM's names too: "pvimg" has pvimg's subcommands (and segen's),
 * "genprotimg" behaves as the C genprotimg (create, an existing output is
 * replaced), "pvextract-hdr" as IBM's header extraction script.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "base/log.h"

static const struct command commands[] = {
	{ "create", cmd_create, "build a Secure Execution image (genprotimg options)" },
	{ "info", cmd_info, "show the header, layout and attestation values of an image" },
	{ "test", cmd_test, "tell which of the given hosts can run an image" },
	{ "extract-header", cmd_extract_header, "write the SE header to a file (attestation)" },
	{ "verify", cmd_verify, "check an image as the Ultravisor would (test host key)" },
	{ "unpack", cmd_unpack, "verify, then write the guest memory as an ELF for QEMU" },
	{ "boot-test", cmd_boot_test, "unpack and boot under QEMU, wait for a console line" },
	{ "verify-hkd", cmd_verify_hkd, "check host-key documents against the IBM PKI" },
	{ "launch-config", cmd_launch_config, "print a QEMU command or libvirt domain for KVM" },
	{ NULL, NULL, NULL },
};

/* Names under which one command is the whole program. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} single_command_names[] = {
	{ "genprotimg", cmd_create },
	{ "pvextract-hdr", cmd_extract_header },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s COMMAND [OPTION]...\n"
		"Build and inspect IBM Z Secure Execution boot images.\n\nCommands:\n",
		log_program());
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-15s %s\n", c->name, c->summary);
	fprintf(out,
		"\nRun '%s COMMAND --help' for the options of one command.\n"
		"Options: --help, --version\n",
		log_program());
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	if (strcmp(base, "pvimg") == 0)
		log_set_program("pvimg");
	for (size_t i = 0; i < sizeof(single_command_names) / sizeof(single_command_names[0]);
	     i++) {
		if (strcmp(base, single_command_names[i].name))
			continue;
		log_set_program(single_command_names[i].name);
		return single_command_names[i].run(argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	/* A command as in pvimg, which does not list it either. */
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1);
	log_error("unknown command '%s' (see '%s --help')", argv[1], log_program());
	return EXIT_USAGE;
}
