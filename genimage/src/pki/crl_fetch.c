// SPDX-License-Identifier: MIT
#include "pki/crl_fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "pki/pki_load.h"
#include "base/ssl_util.h"

#define CRL_FETCH_USER_AGENT "segen/" SEGEN_VERSION
#define DOWNLOAD_INITIAL_CAP (16u << 10)

struct fetch_result {
	char *url;
	int rc;
	struct errinfo err; /* why it failed, when rc < 0 */
	STACK_OF(X509_CRL) * crls;
};

struct crl_fetcher {
	long timeout_ms;
	size_t max_size;
	char *tls_ca_file;
	struct fetch_result results[CRL_FETCH_MAX_URLS];
	size_t nr_results;
	unsigned int nr_downloads;
};

struct download_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	bool too_large;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

DEFINE_POINTER_CLEANUP(CURL, curl_easy_cleanup, curl_easy_cleanupp)

int crl_fetcher_new(const struct crl_fetch_opts *opts, struct crl_fetcher **ret_fetcher)
{
	struct crl_fetcher *fetcher;

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK)
		return -EIO;
	fetcher = calloc(1, sizeof(*fetcher));
	if (!fetcher)
		return -ENOMEM;
	fetcher->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms :
							     CRL_FETCH_TIMEOUT_MS;
	fetcher->max_size = opts && opts->max_size ? opts->max_size : CRL_FETCH_MAX_SIZE;
	if (opts && opts->tls_ca_file) {
		fetcher->tls_ca_file = strdup(opts->tls_ca_file);
		if (!fetcher->tls_ca_file) {
			free(fetcher);
			return -ENOMEM;
		}
	}
	*ret_fetcher = fetcher;
	return 0;
}

void crl_fetcher_free(struct crl_fetcher *fetcher)
{
	if (!fetcher)
		return;
	for (size_t i = 0; i < fetcher->nr_results; i++) {
		free(fetcher->results[i].url);
		if (fetcher->results[i].crls)
			sk_X509_CRL_pop_free(fetcher->results[i].crls, X509_CRL_free);
	}
	free(fetcher->tls_ca_file);
	free(fetcher);
}

unsigned int crl_fetcher_nr_downloads(const struct crl_fetcher *fetcher)
{
	return fetcher->nr_downloads;
}

bool crl_url_fetchable(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

/*
 * URLs come from certificates, so they end up in messages: allow printable
 * ASCII only (RFC 3986 has no use for anything else in a CRL URL).
 */
static bool url_printable(const char *url)
{
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	return true;
}

static size_t download_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct download_buf *buf = userdata;
	size_t n = size * nmemb;

	if (n > buf->max - buf->len) {
		buf->too_large = true;
		return 0;
	}
	if (buf->len + n > buf->cap) {
		size_t cap = MAX(MAX(buf->cap * 2, buf->len + n), (size_t)DOWNLOAD_INITIAL_CAP);
		uint8_t *data;

		cap = MIN(cap, buf->max);
		data = realloc(buf->data, cap);
		if (!data)
			return 0;
		buf->data = data;
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, ptr, n);
	buf->len += n;
	return n;
}

static CURLcode download_setup(CURL *curl, const struct crl_fetcher *fetcher, const char *url,
			       struct download_buf *buf, char *errbuf)
{
	CURLcode rc = CURLE_OK;

#define SETOPT(opt, val)                                       \
	do {                                                   \
		if (rc == CURLE_OK)                            \
			rc = curl_easy_setopt(curl, opt, val); \
	} while (0)
	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(CURLOPT_MAXREDIRS, CRL_FETCH_MAX_REDIRECTS);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, MIN(fetcher->timeout_ms, CRL_FETCH_CONNECT_TIMEOUT_MS));
	/* Less than one byte per second over the whole silence limit: gone. */
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SETOPT(CURLOPT_LOW_SPEED_TIME, MAX(fetcher->timeout_ms / 1000, 1L));
	SETOPT(CURLOPT_TIMEOUT_MS, MAX(fetcher->timeout_ms, CRL_FETCH_TOTAL_TIMEOUT_MS));
	SETOPT(CURLOPT_USERAGENT, CRL_FETCH_USER_AGENT);
	SETOPT(CURLOPT_FAILONERROR, 1L);
	/* Timeouts must not rely on SIGALRM: segen may run threads. */
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)fetcher->max_size);
	SETOPT(CURLOPT_WRITEFUNCTION, download_write);
	SETOPT(CURLOPT_WRITEDATA, buf);
	SETOPT(CURLOPT_ERRORBUFFER, errbuf);
	if (fetcher->tls_ca_file)
		SETOPT(CURLOPT_CAINFO, fetcher->tls_ca_file);
#undef SETOPT
	return rc;
}

static int download(const struct crl_fetcher *fetcher, const char *url, struct download_buf *buf,
		    struct errinfo *err)
{
	_cleanup_(curl_easy_cleanupp) CURL *curl = curl_easy_init();
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_off_t elapsed_us = 0;
	CURLcode rc;

	if (!curl)
		return err_set(err, -ENOMEM, "%s: cannot set up a download", url);
	rc = download_setup(curl, fetcher, url, buf, errbuf);
	if (rc != CURLE_OK)
		return err_set(err, -EIO, "%s: cannot set up a download: %s", url,
			       curl_easy_strerror(rc));
	rc = curl_easy_perform(curl);
	if (buf->too_large || rc == CURLE_FILESIZE_EXCEEDED)
		return err_set(err, -EFBIG, "%s: download larger than %zu bytes", url,
			       fetcher->max_size);
	if (rc == CURLE_OPERATION_TIMEDOUT &&
	    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &elapsed_us) == CURLE_OK &&
	    elapsed_us >= CRL_FETCH_TOTAL_TIMEOUT_MS * 1000)
		return err_set(err, -ETIMEDOUT, "%s: not done within %ld ms", url,
			       CRL_FETCH_TOTAL_TIMEOUT_MS);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return err_set(err, -ETIMEDOUT, "%s: no answer within %ld ms", url,
			       fetcher->timeout_ms);
	if (rc != CURLE_OK)
		return err_set(err, -EIO, "%s: download failed: %s", url,
			       errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return 0;
}

static int fetch_and_parse(struct crl_fetcher *fetcher, struct fetch_result *result)
{
	struct download_buf buf = { .max = fetcher->max_size };
	int rc;

	fetcher->nr_downloads++;
	rc = download(fetcher, result->url, &buf, &result->err);
	if (!rc)
		rc = pki_parse_crls(buf.data, buf.len, result->url, &result->crls, &result->err);
	free(buf.data);
	return rc;
}

int crl_fetch(struct crl_fetcher *fetcher, const char *url, STACK_OF(X509_CRL) * *ret_crls,
	      struct errinfo *err)
{
	struct fetch_result *result = NULL;

	if (strlen(url) > CRL_URL_MAX || !url_printable(url))
		return err_set(err, -EINVAL, "CRL distribution point is not a usable URL");
	if (!crl_url_fetchable(url))
		return err_set(err, -EPROTONOSUPPORT, "%s: only http and https URLs are fetched",
			       url);
	for (size_t i = 0; i < fetcher->nr_results && !result; i++)
		if (strcmp(fetcher->results[i].url, url) == 0)
			result = &fetcher->results[i];
	if (!result) {
		if (fetcher->nr_results == CRL_FETCH_MAX_URLS)
			return err_set(err, -E2BIG, "%s: more than %d CRL URLs in one run", url,
				       CRL_FETCH_MAX_URLS);
		result = &fetcher->results[fetcher->nr_results];
		result->url = strdup(url);
		if (!result->url)
			return err_set(err, -ENOMEM, "%s: out of memory", url);
		fetcher->nr_results++;
		result->rc = fetch_and_parse(fetcher, result);
	}
	if (result->rc) {
		if (err)
			*err = result->err;
		return result->rc;
	}
	*ret_crls = result->crls;
	return 0;
}
