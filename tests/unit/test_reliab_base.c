// SPDX-License-Identifier: MIT
/*
 * base/sigclean, base/keymem and the pipe side of base/fileio: a registered
 * path goes when a signal ends the process (and the status still says which),
 * key memory is zeroed and usable, a pipe is read whole and a silent or
 * oversized one ends in an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/keymem.h"
#include "base/sigclean.h"
#include "tap.h"

static void test_sigclean(int sig)
{
	char dir[] = "/tmp/test-sigclean.XXXXXX", file[64];
	int status = 0, ready[2];
	pid_t pid;
	char c;

	if (!mkdtemp(dir) || pipe(ready) < 0)
		exit(1);
	snprintf(file, sizeof(file), "%s/out.tmp", dir);
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		int fd = open(file, O_CREAT | O_WRONLY, 0600);

		setrlimit(RLIMIT_CORE, &no_core); /* SIGQUIT would dump one */
		/*
		 * A suite started in the background inherits SIGINT and SIGQUIT
		 * ignored, and sigclean rightly leaves an ignored signal ignored:
		 * model the foreground process the test is about.
		 */
		signal(sig, SIG_DFL);
		close(fd);
		sigclean_add(dir);
		sigclean_add(file);
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		pause();
		_exit(2);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		exit(1);
	kill(pid, sig);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == sig, "signal %d still ends the process", sig);
	ok(access(file, F_OK) < 0 && access(dir, F_OK) < 0,
	   "signal %d: the file and then its directory are gone", sig);
	unlink(file);
	rmdir(dir);
	close(ready[0]);
}

static void test_sigclean_forget(void)
{
	char path[] = "/tmp/test-sigclean-keep.XXXXXX";
	int fd = mkstemp(path), status = 0;
	pid_t pid;

	close(fd);
	pid = fork();
	if (pid == 0) {
		sigclean_forget(sigclean_add(path));
		raise(SIGTERM);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && access(path, F_OK) == 0, "a forgotten path survives");
	unlink(path);
}

static void test_keymem(void)
{
	uint8_t *k, copy[32];
	bool zero = true;

	ok(keymem_enter() == 0, "keymem_enter");
	ok(prctl(PR_GET_DUMPABLE) == 0, "not dumpable while keys are live");
	k = keymem_zalloc(64);
	ok(k != NULL, "keymem_zalloc");
	for (size_t i = 0; k && i < 64; i++)
		zero = zero && !k[i];
	ok(zero, "key memory starts zeroed");
	for (size_t i = 0; i < sizeof(copy); i++)
		copy[i] = (uint8_t)(i * 7 + 1);
	if (k)
		keymem_copy(k, copy, sizeof(copy));
	ok(k && !memcmp(k, copy, sizeof(copy)), "keymem_copy copies");
	keymem_free(k, 64);
	keymem_free(NULL, 0);
	keymem_leave();
	ok(prctl(PR_GET_DUMPABLE) == 1, "dumpable again after keymem_leave");
}

static void test_pipe_input(void)
{
	struct errinfo err = { "" };
	char path[64];
	int fds[2];
	uint8_t *buf = NULL;
	size_t len = 0;

	if (pipe(fds) < 0)
		exit(1);
	if (write(fds[1], "root=/dev/ram0", 14) != 14)
		exit(1);
	close(fds[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	ok(file_read_all(path, 4096, &buf, &len, &err) == 0 && len == 14 &&
		   !memcmp(buf, "root=/dev/ram0", 15),
	   "a pipe is read whole and NUL-terminated");
	free(buf);
	close(fds[0]);

	if (pipe(fds) < 0)
		exit(1);
	for (int i = 0; i < 3; i++)
		if (write(fds[1], "0123456789abcdef", 16) != 16)
			exit(1);
	close(fds[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	ok(file_read_all(path, 40, &buf, &len, &err) == -EFBIG && strstr(err.msg, "too large"),
	   "a pipe longer than the limit: %s", err.msg);
	close(fds[0]);

	snprintf(path, sizeof(path), "/dev/null");
	ok(file_read_all(path, 40, &buf, &len, &err) == -EINVAL &&
		   strstr(err.msg, "(a character device)"),
	   "a device is refused: %s", err.msg);
}

int main(void)
{
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		test_sigclean(sigs[i]);
	test_sigclean_forget();
	test_keymem();
	test_pipe_input();
	return done_testing();
}
