/* SPDX-License-Identifier: MIT */
/*
 * Running qemu-system-s390x (software emulation) on an ELF and watching it:
 * the SCLP console line by line, and QEMU's machine protocol (QMP) for how
 * the guest stopped (a disabled wait carries the stub's wait code in its
 * PSW). Always bounded in time; QEMU never outlives the run.
 */
#ifndef SEGEN_QEMU_RUN_H
#define SEGEN_QEMU_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define QEMU_DEFAULT_BINARY "qemu-system-s390x"
#define QEMU_DEFAULT_MACHINE "s390-ccw-virtio"
#define QEMU_LINE_MAX 1024

enum qemu_outcome {
	QEMU_MATCHED, /* the console showed the expected text */
	QEMU_TIMEOUT,
	QEMU_GUEST_PANIC,   /* the guest kernel printed a panic */
	QEMU_DISABLED_WAIT, /* the CPU stopped in a disabled wait (not a clean shutdown) */
	QEMU_SHUTDOWN,	    /* the guest shut down (0xFFF wait) before the text appeared */
	QEMU_EXITED,	    /* QEMU ended on its own, e.g. a bad command line */
	QEMU_INTERRUPTED,   /* we got SIGINT, SIGTERM, SIGHUP or SIGQUIT */
};

struct qemu_run_opts {
	const char *qemu;    /* binary; NULL: QEMU_DEFAULT_BINARY from PATH */
	const char *machine; /* -machine value; NULL: QEMU_DEFAULT_MACHINE */
	int elf_fd; /* for -kernel (an ELF, or an image stage-a starts), as /proc/self/fd/N */
	unsigned int memory_mib;
	unsigned int timeout_sec;
	const char *expect;	       /* console text to wait for */
	const char *panic_text;	       /* console text that means failure, e.g. "Kernel panic" */
	const char *const *extra_args; /* more QEMU arguments, NULL-terminated, may be NULL */
	void (*on_line)(void *opaque, const char *line); /* each console line */
	void *opaque;
};

struct qemu_run_result {
	enum qemu_outcome outcome;
	double seconds;		     /* until the outcome */
	uint64_t psw_mask, psw_addr; /* for QEMU_DISABLED_WAIT */
	int exit_status;	     /* for QEMU_EXITED: its exit code, -1 if killed */
	int exit_signal;	     /* for QEMU_EXITED: the signal that killed it, or 0 */
	char qemu_stderr[1024];	     /* the start of what QEMU itself said */
};

int qemu_run(const struct qemu_run_opts *opts, struct qemu_run_result *ret_result,
	     struct errinfo *err);

#endif /* SEGEN_QEMU_RUN_H */
