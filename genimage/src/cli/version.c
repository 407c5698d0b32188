// SPDX-License-Identifier: MIT
/* segen's names and version lines, and the version command. */
#include <string.h>

#include "cli/commands.h"
#include "base/log.h"

bool cli_invoked_as(const char *name)
{
	return strcmp(log_program(), name) == 0;
}

const char *cli_tool_version(void)
{
	return S390_TOOLS_LEVEL "-segen-" SEGEN_VERSION;
}

void cli_print_version(FILE *out)
{
	if (cli_invoked_as("segen"))
		fprintf(out, "segen version %s\n", SEGEN_VERSION);
	else
		fprintf(out, "%s version %s\n", log_program(), cli_tool_version());
	fprintf(out,
		"segen %s, IBM Z Secure Execution guest toolkit; implements the command line of\n"
		"pvimg and genprotimg of s390-tools %s\n",
		SEGEN_VERSION, S390_TOOLS_LEVEL);
}

int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		log_error("version takes no arguments");
		return EXIT_USAGE;
	}
	cli_print_version(stdout);
	return EXIT_OK;
}
