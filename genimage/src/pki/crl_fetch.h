/* SPDX-License-Identifier: MIT */
/*
 * Downloading CRLs from the distribution points certificates name (libcurl,
 * http and https only). A fetcher downloads every URL at most once and keeps
 * the outcome, failures included, so a run never asks a server twice and can
 * say afterwards why a CRL is missing.
 */
#ifndef SEGEN_CRL_FETCH_H
#define SEGEN_CRL_FETCH_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/*
 * A server that sends nothing for this long is treated as down. The limit is
 * on silence, not on the whole transfer, so that a big CRL on a slow link
 * still arrives; a server that trickles gets CRL_FETCH_TOTAL_TIMEOUT_MS.
 */
#define CRL_FETCH_TIMEOUT_MS 5000L
#define CRL_FETCH_CONNECT_TIMEOUT_MS 3000L
#define CRL_FETCH_TOTAL_TIMEOUT_MS 60000L
/* Same cap as for CRL files: IBM's CRLs are a few KiB, big public CAs' a few MiB. */
#define CRL_FETCH_MAX_SIZE (16u << 20)
#define CRL_FETCH_MAX_REDIRECTS 5L
/* URLs one fetcher remembers; a run needs about one per certificate. */
#define CRL_FETCH_MAX_URLS 64
#define CRL_URL_MAX 2048

struct crl_fetch_opts {
	long timeout_ms;	 /* longest silence, whole seconds; 0: CRL_FETCH_TIMEOUT_MS */
	size_t max_size;	 /* 0: CRL_FETCH_MAX_SIZE */
	const char *tls_ca_file; /* whom to trust for https; NULL: the system CA store */
};

struct crl_fetcher;

/* @opts may be NULL for the defaults. */
int crl_fetcher_new(const struct crl_fetch_opts *opts, struct crl_fetcher **ret_fetcher);
void crl_fetcher_free(struct crl_fetcher *fetcher);

/* Whether @url is one a fetcher downloads from: it starts with http:// or https://. */
bool crl_url_fetchable(const char *url);

/*
 * The CRLs published at @url. The first call downloads them (following
 * redirects, within the time and size limits); later calls answer from the
 * cache, failures included. *ret_crls stays owned by the fetcher.
 */
int crl_fetch(struct crl_fetcher *fetcher, const char *url, STACK_OF(X509_CRL) * *ret_crls,
	      struct errinfo *err);

/* Downloads actually attempted so far (cache hits do not count). */
unsigned int crl_fetcher_nr_downloads(const struct crl_fetcher *fetcher);

#endif /* SEGEN_CRL_FETCH_H */
