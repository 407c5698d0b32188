/* SPDX-License-Identifier: MIT */
/* Messages to stderr for the command layer (libraries never print). */
#ifndef SEGEN_LOG_H
#define SEGEN_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_QUIET = 0,	 /* errors only */
	LOG_NORMAL = 1,	 /* plus warnings, the one-line result and progress */
	LOG_VERBOSE = 2, /* plus progress notes */
	LOG_DEBUG = 3,
};

void log_set_program(const char *name);
const char *log_program(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

__attribute__((format(printf, 1, 2))) void log_error(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warn(const char *fmt, ...);
/* A warning about the security of the result, louder than log_warn(); --quiet hides it too. */
__attribute__((format(printf, 1, 2))) void log_security_warning(const char *fmt, ...);
/* The one line a command says on success ("wrote IMAGE: ..."), unless quiet. */
__attribute__((format(printf, 1, 2))) void log_notice(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_debug(const char *fmt, ...);

/* Whether progress output is wanted: stderr is a terminal and not quiet. */
bool log_progress_enabled(void);

#endif /* SEGEN_LOG_H */
