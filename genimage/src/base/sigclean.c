// SPDX-License-Identifier: MIT
#include "base/sigclean.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT };

/* Written with the signals blocked, read by the handler: no torn entry is ever seen. */
static char *volatile registered[SIGCLEAN_MAX];
static bool installed;

/* Files first, directories after: a directory can only go once it is empty. */
static void remove_registered(void)
{
	for (int i = 0; i < SIGCLEAN_MAX; i++)
		if (registered[i])
			unlink(registered[i]);
	for (int i = 0; i < SIGCLEAN_MAX; i++)
		if (registered[i])
			rmdir(registered[i]);
}

static void on_fatal_signal(int sig)
{
	int saved_errno = errno;

	remove_registered();
	/* End the way the signal would have: the parent sees "killed by SIGxxx". */
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved_errno;
}

static void block_fatal(sigset_t *ret_old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaddset(&set, fatal_signals[i]);
	sigprocmask(SIG_BLOCK, &set, ret_old);
}

static void install(void)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal }, old;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaddset(&sa.sa_mask, fatal_signals[i]);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		if (sigaction(fatal_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(fatal_signals[i], &sa, NULL);
	}
	installed = true;
}

int sigclean_add(const char *path)
{
	char *copy = strdup(path);
	sigset_t old;
	int slot = -ENOSPC;

	if (!copy)
		return -ENOMEM;
	block_fatal(&old);
	if (!installed)
		install();
	for (int i = 0; i < SIGCLEAN_MAX; i++) {
		if (!registered[i]) {
			registered[i] = copy;
			slot = i;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (slot < 0)
		free(copy);
	return slot;
}

void sigclean_forget(int slot)
{
	sigset_t old;
	char *path;

	if (slot < 0 || slot >= SIGCLEAN_MAX)
		return;
	block_fatal(&old);
	path = registered[slot];
	registered[slot] = NULL;
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(path);
}
