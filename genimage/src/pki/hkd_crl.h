/* SPDX-License-Identifier: MIT */
/*
 * Revocation checks against CRLs from any source (--crl files, chained
 * certificate files, downloads): take the CRLs that name the issuer, keep the
 * current ones the issuer really signed, and look the certificate up in them.
 */
#ifndef SEGEN_HKD_CRL_H
#define SEGEN_HKD_CRL_H

#include <openssl/x509.h>
#include <stddef.h>

#include "base/err.h"

/* CRLs one pool holds; a run needs one or two per certificate in the chain. */
#define CRL_POOL_MAX 1024

struct crl_source {
	X509_CRL *crl;
	char *source; /* file or URL, for messages */
};

struct crl_pool {
	struct crl_source *items;
	size_t nr;
	size_t cap;
};

/* Add every CRL of @crls (the pool takes its own references); @source names where they came from. */
int crl_pool_add(struct crl_pool *pool, STACK_OF(X509_CRL) * crls, const char *source,
		 struct errinfo *err);
void crl_pool_done(struct crl_pool *pool);

/*
 * Check @cert, issued by @issuer, against the CRLs in @pool. A CRL counts when
 * its issuer name matches @issuer (see crl_issuer_matches()), its authority key
 * identifier (if any) is @issuer's and @issuer's key verifies its signature;
 * only counting CRLs that are current (lastUpdate <= now < nextUpdate) are used.
 * Returns
 *   0             a current CRL covers @cert (complete, or partitioned to
 *                 include it) and no current CRL lists it;
 *   -EKEYREVOKED  a current CRL of @issuer, of whatever kind, lists @cert;
 *   -EKEYEXPIRED  counting CRLs that would cover @cert exist, none current
 *                 ("CRL outdated");
 *   -ENOENT       no CRL counts ("no CRL found"; err says what was seen instead).
 * err gets the reason without naming @cert (callers put that in front);
 * @issuer_desc names the issuer in it (its file, say).
 */
int crl_check_revocation(const struct crl_pool *pool, X509 *cert, X509 *issuer,
			 const char *issuer_desc, struct errinfo *err);

#endif /* SEGEN_HKD_CRL_H */
