// SPDX-License-Identifier: MIT
#include "inspect/qemu_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

#define MAX_ARGS 64

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct qemu_proc {
	pid_t pid;
	int console_fd;
	int stderr_fd;
	int qmp_fd;	 /* our end of the QMP socket pair */
	int qmp_peer_fd; /* QEMU's end, until it is handed over */
	size_t stderr_len;
	char line[QEMU_LINE_MAX];
	size_t line_len;
	char qmp_buf[8192];
	size_t qmp_len;
};

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Let the child keep @fd across exec (the parent's copy stays close-on-exec). */
static void keep_in_child(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags >= 0)
		fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

/*
 * Nothing of the run touches a file system: QEMU reads the guest memory from
 * our memfd through /proc/self/fd/N, and QMP is one end of a socket pair,
 * already connected (QEMU's "fd=" socket chardev in client mode).
 */
static int spawn(const struct qemu_run_opts *o, struct qemu_proc *q, struct errinfo *err)
{
	char mem[16], qmp_arg[64], kernel_arg[48], name[48];
	const char *argv[MAX_ARGS];
	int out_pipe[2], err_pipe[2], exec_pipe[2], qmp_pair[2];
	size_t n = 0;
	int exec_errno = 0;
	ssize_t got;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp_pair) < 0)
		return err_set(err, -errno, "socketpair: %s", strerror(errno));
	q->qmp_fd = qmp_pair[0];
	q->qmp_peer_fd = qmp_pair[1];
	snprintf(mem, sizeof(mem), "%u", o->memory_mib);
	snprintf(qmp_arg, sizeof(qmp_arg), "socket,id=qmp,fd=%d", q->qmp_peer_fd);
	snprintf(kernel_arg, sizeof(kernel_arg), "/proc/self/fd/%d", o->elf_fd);
	argv[n++] = o->qemu;
	/* A name that tells whose QEMU this is (ps, and the tests). */
	snprintf(name, sizeof(name), "segen-boot-test-%d", (int)getpid());
	argv[n++] = "-name";
	argv[n++] = name;
	argv[n++] = "-machine";
	argv[n++] = o->machine ? o->machine : QEMU_DEFAULT_MACHINE;
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-serial";
	argv[n++] = "stdio";
	argv[n++] = "-no-reboot";
	/* Paused on a panic, so QMP can read the PSW before anything changes. */
	argv[n++] = "-action";
	argv[n++] = "panic=pause";
	argv[n++] = "-chardev";
	argv[n++] = qmp_arg;
	argv[n++] = "-mon";
	argv[n++] = "chardev=qmp,mode=control";
	argv[n++] = "-S"; /* start once QMP is connected: no event can be missed */
	argv[n++] = "-kernel";
	argv[n++] = kernel_arg;
	for (size_t i = 0; o->extra_args && o->extra_args[i] && n < MAX_ARGS - 1; i++)
		argv[n++] = o->extra_args[i];
	argv[n] = NULL;

	if (pipe2(out_pipe, O_CLOEXEC) < 0)
		return err_set(err, -errno, "pipe: %s", strerror(errno));
	if (pipe2(err_pipe, O_CLOEXEC) < 0 || pipe2(exec_pipe, O_CLOEXEC) < 0) {
		close(out_pipe[0]);
		close(out_pipe[1]);
		return err_set(err, -errno, "pipe: %s", strerror(errno));
	}
	q->pid = fork();
	if (q->pid < 0)
		return err_set(err, -errno, "fork: %s", strerror(errno));
	if (q->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* QEMU must never outlive us, whatever happens to us. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, STDIN_FILENO);
		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(err_pipe[1], STDERR_FILENO);
		keep_in_child(o->elf_fd);
		keep_in_child(q->qmp_peer_fd);
		execvp(o->qemu, (char *const *)argv);
		exec_errno = errno;
		if (write(exec_pipe[1], &exec_errno, sizeof(exec_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	close(exec_pipe[1]);
	close(q->qmp_peer_fd);
	q->qmp_peer_fd = -1;
	q->console_fd = out_pipe[0];
	q->stderr_fd = err_pipe[0];
	got = read(exec_pipe[0], &exec_errno, sizeof(exec_errno));
	close(exec_pipe[0]);
	if (got == sizeof(exec_errno)) {
		waitpid(q->pid, NULL, 0);
		q->pid = -1;
		return err_set(err, -exec_errno, "%s: %s%s", o->qemu, strerror(exec_errno),
			       exec_errno == ENOENT ? " (install qemu-system-misc)" : "");
	}
	return 0;
}

/*
 * Negotiate and start the CPU. QEMU reads these once its monitor is up; if it
 * ended first, the console's end of file tells (MSG_NOSIGNAL: no SIGPIPE).
 */
static void qmp_start(struct qemu_proc *q)
{
	static const char cmds[] = "{\"execute\":\"qmp_capabilities\"}\n"
				   "{\"execute\":\"cont\"}\n";

	if (send(q->qmp_fd, cmds, sizeof(cmds) - 1, MSG_NOSIGNAL) < 0) {
		/* Nothing to do: watch() sees QEMU's exit on the console. */
	}
}

static bool contains(const char *hay, size_t len, const char *needle)
{
	return needle && *needle && memmem(hay, len, needle, strlen(needle));
}

/* Hand one complete (or full, or matching partial) console line on. */
static bool end_line(const struct qemu_run_opts *o, struct qemu_proc *q, bool *ret_panic)
{
	bool matched;

	q->line[q->line_len] = 0;
	if (o->on_line)
		o->on_line(o->opaque, q->line);
	matched = contains(q->line, q->line_len, o->expect);
	if (contains(q->line, q->line_len, o->panic_text))
		*ret_panic = true;
	q->line_len = 0;
	return matched;
}

/*
 * Feed console bytes; true once a complete line showed the expected text.
 * @ret_partial tells whether the unfinished line already shows it (a prompt
 * may never end its line; the caller gives it a moment to finish).
 */
static bool feed_console(const struct qemu_run_opts *o, struct qemu_proc *q, const char *buf,
			 size_t len, bool *ret_panic, bool *ret_partial)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\r')
			continue;
		if (buf[i] != '\n') {
			q->line[q->line_len++] = buf[i];
			if (q->line_len < sizeof(q->line) - 1)
				continue;
		}
		if (end_line(o, q, ret_panic))
			return true;
	}
	*ret_partial = contains(q->line, q->line_len, o->expect);
	return false;
}

/* Look for GUEST_PANICKED (a disabled wait) and SHUTDOWN in complete QMP lines. */
static int feed_qmp(struct qemu_proc *q, struct qemu_run_result *res)
{
	char *nl;

	while ((nl = memchr(q->qmp_buf, '\n', q->qmp_len))) {
		const char *p;

		*nl = 0;
		if (strstr(q->qmp_buf, "\"GUEST_PANICKED\"")) {
			res->outcome = QEMU_DISABLED_WAIT;
			p = strstr(q->qmp_buf, "\"psw-mask\":");
			if (p)
				res->psw_mask = strtoull(p + 11, NULL, 0);
			p = strstr(q->qmp_buf, "\"psw-addr\":");
			if (p)
				res->psw_addr = strtoull(p + 11, NULL, 0);
			return 1;
		}
		q->qmp_len -= (size_t)(nl + 1 - q->qmp_buf);
		memmove(q->qmp_buf, nl + 1, q->qmp_len);
	}
	if (q->qmp_len == sizeof(q->qmp_buf))
		q->qmp_len = 0; /* a line longer than any event we care for */
	return 0;
}

static void drain_stderr(struct qemu_proc *q, struct qemu_run_result *res)
{
	char buf[512];
	ssize_t n = read(q->stderr_fd, buf, sizeof(buf));

	if (n <= 0)
		return;
	if (q->stderr_len < sizeof(res->qemu_stderr) - 1) {
		size_t take = MIN((size_t)n, sizeof(res->qemu_stderr) - 1 - q->stderr_len);

		memcpy(res->qemu_stderr + q->stderr_len, buf, take);
		q->stderr_len += take;
		res->qemu_stderr[q->stderr_len] = 0;
	}
}

/*
 * QMP and the console are separate pipes: the panic event can overtake the
 * guest's last lines. Read what is still on its way before reporting; true
 * when one of them shows the expected text (it came before the stop).
 */
static bool drain_console(const struct qemu_run_opts *o, struct qemu_proc *q, bool *panic)
{
	struct pollfd pfd = { .fd = q->console_fd, .events = POLLIN };
	bool partial = false, matched = false;
	char buf[4096];
	ssize_t n;

	while (!matched && poll(&pfd, 1, 200) > 0 &&
	       (n = read(q->console_fd, buf, sizeof(buf))) > 0)
		matched = feed_console(o, q, buf, (size_t)n, panic, &partial);
	if (!matched && q->line_len)
		matched = end_line(o, q, panic);
	return matched;
}

/* After a kernel panic line, how long the rest of its report may take to arrive. */
#define PANIC_GRACE_SEC 1.0
/* How long a line that already shows the expected text may take to end. */
#define LINE_GRACE_SEC 0.3

static int watch(const struct qemu_run_opts *o, struct qemu_proc *q, double deadline,
		 struct qemu_run_result *res)
{
	bool panic = false, partial = false;
	double partial_deadline = 0;
	char buf[4096];

	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = q->console_fd, .events = POLLIN },
			{ .fd = q->qmp_fd, .events = POLLIN },
			{ .fd = q->stderr_fd, .events = POLLIN },
		};
		double left = deadline - now_sec();
		ssize_t n;
		int rc;

		if (interrupted) {
			res->outcome = QEMU_INTERRUPTED;
			return 0;
		}
		if (partial && now_sec() >= partial_deadline) {
			end_line(o, q, &panic);
			res->outcome = QEMU_MATCHED;
			return 0;
		}
		if (left <= 0) {
			res->outcome = panic ? QEMU_GUEST_PANIC : QEMU_TIMEOUT;
			return 0;
		}
		if (partial)
			left = MIN(left, partial_deadline - now_sec());
		rc = poll(fds, 3, (int)(left * 1000) + 1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (fds[2].revents)
			drain_stderr(q, res);
		if (fds[1].revents & POLLIN) {
			n = read(q->qmp_fd, q->qmp_buf + q->qmp_len,
				 sizeof(q->qmp_buf) - q->qmp_len);
			if (n > 0) {
				q->qmp_len += (size_t)n;
				if (feed_qmp(q, res)) {
					if (drain_console(o, q, &panic))
						res->outcome = QEMU_MATCHED;
					else if (panic)
						res->outcome = QEMU_GUEST_PANIC;
					return 0;
				}
			}
		}
		if (!fds[0].revents)
			continue;
		n = read(q->console_fd, buf, sizeof(buf));
		if (n > 0) {
			bool was_panic = panic, was_partial = partial;

			if (feed_console(o, q, buf, (size_t)n, &panic, &partial)) {
				res->outcome = QEMU_MATCHED;
				return 0;
			}
			if (partial && !was_partial)
				partial_deadline = now_sec() + LINE_GRACE_SEC;
			if (panic && !was_panic)
				deadline = MIN(deadline, now_sec() + PANIC_GRACE_SEC);
		} else if (n == 0) {
			/* QEMU closed its stdout: it is exiting. */
			int status = 0;

			drain_stderr(q, res);
			waitpid(q->pid, &status, 0);
			q->pid = -1;
			res->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			res->exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
			res->outcome = panic		     ? QEMU_GUEST_PANIC :
				       res->exit_status == 0 ? QEMU_SHUTDOWN :
							       QEMU_EXITED;
			return 0;
		}
	}
}

static void cleanup(struct qemu_proc *q)
{
	if (q->pid > 0) {
		kill(q->pid, SIGKILL);
		waitpid(q->pid, NULL, 0);
	}
	if (q->console_fd >= 0)
		close(q->console_fd);
	if (q->stderr_fd >= 0)
		close(q->stderr_fd);
	if (q->qmp_fd >= 0)
		close(q->qmp_fd);
	if (q->qmp_peer_fd >= 0)
		close(q->qmp_peer_fd);
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

int qemu_run(const struct qemu_run_opts *opts, struct qemu_run_result *ret_result,
	     struct errinfo *err)
{
	struct qemu_run_opts o = *opts;
	struct qemu_proc *q = calloc(1, sizeof(*q));
	struct qemu_run_result res = { 0 };
	struct sigaction sa = { .sa_handler = on_signal }, old[ARRAY_SIZE(stop_signals)];
	double start;
	int rc;

	if (!q)
		return err_set(err, -ENOMEM, "out of memory");
	if (!o.qemu)
		o.qemu = QEMU_DEFAULT_BINARY;
	q->pid = -1;
	q->console_fd = q->stderr_fd = q->qmp_fd = q->qmp_peer_fd = -1;

	/* A stop request ends the run through cleanup(): QEMU is killed and reaped. */
	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &sa, &old[i]);
	start = now_sec();
	rc = spawn(&o, q, err);
	if (!rc) {
		qmp_start(q);
		rc = watch(&o, q, start + o.timeout_sec, &res);
		if (rc)
			err_set(err, rc, "poll: %s", strerror(-rc));
	}
	res.seconds = now_sec() - start;
	cleanup(q);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &old[i], NULL);
	free(q);
	if (!rc)
		*ret_result = res;
	return rc;
}
