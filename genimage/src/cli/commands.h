/* SPDX-License-Identifier: MIT */
/* The subcommands of segen; each returns the process exit code (0 ok, 1 error, 2 usage). */
#ifndef SEGEN_COMMANDS_H
#define SEGEN_COMMANDS_H

#define EXIT_OK 0
#define EXIT_ERROR 1
#define EXIT_USAGE 2

#include <stdbool.h>
#include <stdio.h>

/*
 * The s390-tools release whose pvimg/genprotimg command line segen implements;
 * version lines read "NAME version 2.43.0-segen-0.1.0" so that probes taking
 * the text between "version " and the first "-" get this level, as they do
 * from IBM's "pvimg version 2.43.0-build-DATE".
 */
#define S390_TOOLS_LEVEL "2.43.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_create(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
int cmd_boot_test(int argc, char **argv);
int cmd_verify_hkd(int argc, char **argv);
int cmd_launch_config(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_extract_header(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* The name segen runs under ("segen", "pvimg", "genprotimg", "pvextract-hdr"). */
bool cli_invoked_as(const char *name);
/* "2.43.0-segen-0.1.0": the level of IBM's tools and segen's own version. */
const char *cli_tool_version(void);
/* The version lines for --version and the version command. */
void cli_print_version(FILE *out);

#endif /* SEGEN_COMMANDS_H */
