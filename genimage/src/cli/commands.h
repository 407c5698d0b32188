/* SPDX-License-Identifier: MIT */
/* The subcommands of segen; each returns the process exit code (0 ok, 1 error, 2 usage). */
#ifndef SEGEN_COMMANDS_H
#define SEGEN_COMMANDS_H

#define EXIT_OK 0
#define EXIT_ERROR 1
#define EXIT_USAGE 2

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

#endif /* SEGEN_COMMANDS_H */
