// SPDX-License-Identifier: MIT
/*
 * CRL downloads against tests/http/crl_server.py on 127.0.0.1: plain, DER,
 * redirects, the cache, a server that is down, slow or serves garbage, size
 * caps, https with and without a trusted server certificate.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#include "pki/crl_fetch.h"

#define SERVER_PY "tests/http/crl_server.py"

struct server {
	pid_t pid;
	int port;
	int dead_port;
	char log[4200];
};

static struct server servers[2] = { { .pid = -1 }, { .pid = -1 } };
static char state_dir[] = "/tmp/segen-crl-fetch-XXXXXX";

static void stop_servers(void)
{
	for (size_t i = 0; i < 2; i++) {
		if (servers[i].pid <= 0)
			continue;
		kill(servers[i].pid, SIGTERM);
		waitpid(servers[i].pid, NULL, 0);
		servers[i].pid = -1;
	}
}

static void remove_state_dir(void)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", state_dir);
}

/* Start crl_server.py, with https when given a certificate; 0 once it listens. */
static int start_server(struct server *srv, const char *name, const char *tls_cert,
			const char *tls_key)
{
	char port_file[4200], root[4200];
	FILE *f;

	snprintf(port_file, sizeof(port_file), "%s/%s.port", state_dir, name);
	snprintf(root, sizeof(root), "%s/www", state_dir);
	snprintf(srv->log, sizeof(srv->log), "%s/%s.log", state_dir, name);
	srv->pid = fork();
	if (srv->pid < 0)
		return -errno;
	if (srv->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (tls_cert)
			execlp("python3", "python3", SERVER_PY, "--root", root, "--port-file",
			       port_file, "--log", srv->log, "--tls-cert", tls_cert, "--tls-key",
			       tls_key, (char *)NULL);
		else
			execlp("python3", "python3", SERVER_PY, "--root", root, "--port-file",
			       port_file, "--log", srv->log, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		struct timespec pause = { .tv_nsec = 100 * 1000 * 1000 };

		f = fopen(port_file, "r");
		if (f) {
			int n = fscanf(f, "%d %d", &srv->port, &srv->dead_port);

			fclose(f);
			return n == 2 ? 0 : -EIO;
		}
		if (waitpid(srv->pid, NULL, WNOHANG) == srv->pid) {
			srv->pid = -1;
			return -ECHILD;
		}
		nanosleep(&pause, NULL);
	}
	return -ETIMEDOUT;
}

/* Lines of the server's request log that contain @needle. */
static int log_count(const struct server *srv, const char *needle)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(srv->log, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int setup(void)
{
	const char *vectors = getenv("VECTORS_DIR");
	char cmd[9000], src[4200], dst[4200];
	const char *files[] = { "ibm.crl", "der.crl" };

	if (!mkdtemp(state_dir))
		return -errno;
	atexit(remove_state_dir);
	snprintf(dst, sizeof(dst), "%s/www", state_dir);
	if (mkdir(dst, 0700) < 0)
		return -errno;
	for (size_t i = 0; i < 2; i++) {
		snprintf(src, sizeof(src), "%s/s390-tools-assets/cert/%s",
			 vectors ? vectors : "tests/vectors", files[i]);
		snprintf(dst, sizeof(dst), "%s/www/%s", state_dir, files[i]);
		if (symlink(src, dst) < 0)
			return -errno;
	}
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout %s/tls.key -out %s/tls.crt -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -days 2 2>/dev/null",
		 state_dir, state_dir);
	if (system(cmd) != 0)
		return -EIO;
	atexit(stop_servers);
	if (start_server(&servers[0], "http", NULL, NULL))
		return -EIO;
	snprintf(src, sizeof(src), "%s/tls.crt", state_dir);
	snprintf(dst, sizeof(dst), "%s/tls.key", state_dir);
	return start_server(&servers[1], "https", src, dst);
}

static void url(char *buf, size_t size, const char *scheme, int port, const char *path)
{
	snprintf(buf, size, "%s://127.0.0.1:%d/%s", scheme, port, path);
}

static void test_plain_and_cache(void)
{
	const struct server *srv = &servers[0];
	STACK_OF(X509_CRL) *crls = NULL, *again = NULL;
	struct crl_fetcher *fetcher = NULL;
	struct errinfo err = { "" };
	char u[256];
	int rc;

	crl_fetcher_new(NULL, &fetcher);
	url(u, sizeof(u), "http", srv->port, "ibm.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == 0 && sk_X509_CRL_num(crls) == 1, "PEM CRL downloaded (%s)", err.msg);
	rc = crl_fetch(fetcher, u, &again, &err);
	ok(rc == 0 && again == crls && crl_fetcher_nr_downloads(fetcher) == 1,
	   "second fetch of the same URL comes from the cache");
	ok(log_count(srv, "GET /ibm.crl ") == 1, "the server saw one request");
	ok(log_count(srv, "GET /ibm.crl segen/" SEGEN_VERSION "\n") == 1,
	   "user agent is segen/" SEGEN_VERSION);
	url(u, sizeof(u), "http", srv->port, "der.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == 0 && sk_X509_CRL_num(crls) == 1, "DER CRL downloaded (%s)", err.msg);
	url(u, sizeof(u), "http", srv->port, "redirect/der.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == 0 && sk_X509_CRL_num(crls) == 1 && log_count(srv, "GET /der.crl ") == 2,
	   "redirect followed (%s)", err.msg);
	url(u, sizeof(u), "HTTP", srv->port, "ibm.crl");
	ok(crl_url_fetchable(u), "the scheme is case-insensitive");
	crl_fetcher_free(fetcher);
}

static void test_failures(void)
{
	const struct server *srv = &servers[0];
	struct crl_fetch_opts opts = { .timeout_ms = 1000, .max_size = 1 << 20 };
	STACK_OF(X509_CRL) *crls = NULL;
	struct crl_fetcher *fetcher = NULL;
	struct errinfo err = { "" };
	unsigned int downloads;
	double start;
	char u[256];
	int rc;

	crl_fetcher_new(&opts, &fetcher);
	url(u, sizeof(u), "http", srv->port, "missing.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -EIO && strstr(err.msg, u) && strstr(err.msg, "404"), "404: %s", err.msg);
	downloads = crl_fetcher_nr_downloads(fetcher);
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -EIO && crl_fetcher_nr_downloads(fetcher) == downloads,
	   "failures are cached too: %s", err.msg);

	url(u, sizeof(u), "http", srv->port, "garbage/ibm.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -EINVAL && strstr(err.msg, "not an X.509 CRL"), "garbage: %s", err.msg);

	url(u, sizeof(u), "http", srv->dead_port, "ibm.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -EIO && strstr(err.msg, u) && strstr(err.msg, "download failed"),
	   "server down: %s", err.msg);

	url(u, sizeof(u), "http", srv->port, "slow/ibm.crl");
	start = now_seconds();
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -ETIMEDOUT && strstr(err.msg, "no answer within 1000 ms"), "slow server: %s",
	   err.msg);
	ok(now_seconds() - start < 4.0, "gave up after %.1f s", now_seconds() - start);

	url(u, sizeof(u), "http", srv->port, "huge/ibm.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -EFBIG && strstr(err.msg, "larger than 1048576 bytes"),
	   "endless body stops at the cap: %s", err.msg);

	url(u, sizeof(u), "http", srv->port, "redirect-file/ibm.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -EIO, "redirect to file:// refused: %s", err.msg);

	downloads = crl_fetcher_nr_downloads(fetcher);
	rc = crl_fetch(fetcher, "ldap://127.0.0.1/cn=crl", &crls, &err);
	ok(rc == -EPROTONOSUPPORT && crl_fetcher_nr_downloads(fetcher) == downloads,
	   "ldap is not fetched: %s", err.msg);
	rc = crl_fetch(fetcher, "http://127.0.0.1/a b.crl", &crls, &err);
	ok(rc == -EINVAL, "a URL with a space is refused: %s", err.msg);
	rc = crl_fetch(fetcher, "http://127.0.0.1/\x1b[2J.crl", &crls, &err);
	ok(rc == -EINVAL && !strchr(err.msg, '\x1b'), "a URL with a control character is refused");
	crl_fetcher_free(fetcher);
}

static void test_limits(void)
{
	const struct server *srv = &servers[0];
	struct crl_fetch_opts opts = { .max_size = 1000 };
	STACK_OF(X509_CRL) *crls = NULL;
	struct crl_fetcher *fetcher = NULL;
	struct errinfo err = { "" };
	char u[256];
	int rc = 0;

	crl_fetcher_new(&opts, &fetcher);
	url(u, sizeof(u), "http", srv->port, "ibm.crl");
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -EFBIG, "a 1263-byte CRL over a 1000-byte cap: %s", err.msg);
	for (int i = 1; i < CRL_FETCH_MAX_URLS; i++) {
		snprintf(u, sizeof(u), "http://127.0.0.1:%d/%d.crl", srv->dead_port, i);
		rc = crl_fetch(fetcher, u, &crls, &err);
		if (rc != -EIO)
			break;
	}
	ok(rc == -EIO, "%d URLs remembered", CRL_FETCH_MAX_URLS);
	rc = crl_fetch(fetcher, "http://127.0.0.1/one-too-many.crl", &crls, &err);
	ok(rc == -E2BIG, "one more is refused: %s", err.msg);
	crl_fetcher_free(fetcher);
}

static void test_https(void)
{
	const struct server *srv = &servers[1];
	char ca[4200], u[256];
	struct crl_fetch_opts opts = { .tls_ca_file = ca };
	STACK_OF(X509_CRL) *crls = NULL;
	struct crl_fetcher *fetcher = NULL;
	struct errinfo err = { "" };
	int rc;

	snprintf(ca, sizeof(ca), "%s/tls.crt", state_dir);
	url(u, sizeof(u), "https", srv->port, "ibm.crl");
	crl_fetcher_new(&opts, &fetcher);
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == 0 && sk_X509_CRL_num(crls) == 1, "https with a trusted server: %s", err.msg);
	crl_fetcher_free(fetcher);

	crl_fetcher_new(NULL, &fetcher);
	rc = crl_fetch(fetcher, u, &crls, &err);
	ok(rc == -EIO && log_count(srv, "GET ") == 1,
	   "https with an unknown server certificate fails before any request: %s", err.msg);
	crl_fetcher_free(fetcher);
}

int main(void)
{
	int rc;

	if (access(SERVER_PY, R_OK) != 0 || system("python3 -c '' 2>/dev/null") != 0) {
		printf("1..0 # SKIP needs python3 and %s (run from the top directory)\n",
		       SERVER_PY);
		return 0;
	}
	rc = setup();
	if (!ok(rc == 0, "CRL servers started (%d)", rc))
		return done_testing();
	test_plain_and_cache();
	test_failures();
	test_limits();
	test_https();
	stop_servers();
	return done_testing();
}
