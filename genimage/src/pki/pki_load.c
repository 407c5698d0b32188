// SPDX-License-Identifier: MIT
#include "pki/pki_load.h"

#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <string.h>

#include "base/fileio.h"
#include "base/ssl_util.h"

static bool looks_like_pem(const uint8_t *buf, size_t len)
{
	return memmem(buf, len, "-----BEGIN ", 11) != NULL;
}

int pki_load_certs(const char *path, STACK_OF(X509) * *ret_certs, struct errinfo *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int rc;

	rc = file_read_all(path, PKI_FILE_MAX, &buf, &len, err);
	if (rc)
		return rc;
	if (len == 0)
		return err_set(err, -EINVAL, "%s: empty file, expected a certificate", path);
	return pki_parse_certs(buf, len, path, ret_certs, err);
}

int pki_load_one_cert(const char *path, X509 **ret_cert, struct errinfo *err)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *certs = NULL;
	int rc;

	rc = pki_load_certs(path, &certs, err);
	if (rc)
		return rc;
	if (sk_X509_num(certs) != 1)
		return err_set(err, -EINVAL, "%s: holds %d certificates, expected one", path,
			       sk_X509_num(certs));
	*ret_cert = sk_X509_shift(certs);
	return 0;
}

int pki_load_crls(const char *path, STACK_OF(X509_CRL) * *ret_crls, struct errinfo *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int rc;

	rc = file_read_all(path, PKI_FILE_MAX, &buf, &len, err);
	if (rc)
		return rc;
	return pki_parse_crls(buf, len, path, ret_crls, err);
}

/* A DER object that must span all of @len: trailing bytes mean a damaged or foreign file. */
static X509 *d2i_cert_exact(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *cert;

	if (len > LONG_MAX)
		return NULL;
	cert = d2i_X509(NULL, &p, (long)len);
	if (cert && p != der + len) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static X509_CRL *d2i_crl_exact(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_CRL *crl;

	if (len > LONG_MAX)
		return NULL;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	if (crl && p != der + len) {
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

static int bundle_push_cert(STACK_OF(X509) * certs, X509 *cert, const char *what,
			    struct errinfo *err)
{
	if (!sk_X509_push(certs, cert)) {
		X509_free(cert);
		return err_set(err, -ENOMEM, "%s: out of memory", what);
	}
	return 0;
}

static int bundle_push_crl(STACK_OF(X509_CRL) * crls, X509_CRL *crl, const char *what,
			   struct errinfo *err)
{
	if (!sk_X509_CRL_push(crls, crl)) {
		X509_CRL_free(crl);
		return err_set(err, -ENOMEM, "%s: out of memory", what);
	}
	return 0;
}

/* Decode one PEM block by its label; labels that are neither certificate nor CRL are skipped. */
static int bundle_add_pem_block(const char *label, const uint8_t *der, size_t der_len,
				const char *what, STACK_OF(X509) * certs, STACK_OF(X509_CRL) * crls,
				struct errinfo *err)
{
	if (strcmp(label, PEM_STRING_X509) == 0 || strcmp(label, PEM_STRING_X509_OLD) == 0) {
		X509 *cert = d2i_cert_exact(der, der_len);

		if (!cert)
			return err_set_ssl(err, -EINVAL, "%s: invalid PEM certificate", what);
		return bundle_push_cert(certs, cert, what, err);
	}
	if (strcmp(label, PEM_STRING_X509_CRL) == 0) {
		X509_CRL *crl = d2i_crl_exact(der, der_len);

		if (!crl)
			return err_set_ssl(err, -EINVAL, "%s: invalid PEM CRL", what);
		return bundle_push_crl(crls, crl, what, err);
	}
	return 0;
}

static int bundle_parse_pem(BIO *bio, const char *what, STACK_OF(X509) * certs,
			    STACK_OF(X509_CRL) * crls, struct errinfo *err)
{
	for (unsigned int blocks = 0;; blocks++) {
		char *label = NULL, *header = NULL;
		unsigned char *der = NULL;
		long der_len = 0;
		int rc;

		if (!PEM_read_bio(bio, &label, &header, &der, &der_len)) {
			/* Running out of input is how every PEM file ends. */
			if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE) {
				ERR_clear_error();
				return 0;
			}
			return err_set_ssl(err, -EINVAL, "%s: invalid PEM data", what);
		}
		if (blocks >= PKI_BUNDLE_MAX_OBJECTS)
			rc = err_set(err, -E2BIG, "%s: more than %u PEM blocks", what,
				     PKI_BUNDLE_MAX_OBJECTS);
		else
			rc = bundle_add_pem_block(label, der, (size_t)der_len, what, certs, crls,
						  err);
		OPENSSL_free(label);
		OPENSSL_free(header);
		OPENSSL_free(der);
		if (rc)
			return rc;
	}
}

int pki_parse_bundle(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509) * *ret_certs,
		     STACK_OF(X509_CRL) * *ret_crls, struct errinfo *err)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *certs = sk_X509_new_null();
	_cleanup_(x509_crl_stack_freep) STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	_cleanup_(bio_freep) BIO *bio = NULL;
	int rc;

	if (!certs || !crls || len > INT32_MAX)
		return err_set(err, -ENOMEM, "%s: out of memory", what);
	if (len == 0)
		return err_set(err, -EINVAL, "%s: empty, expected certificates or CRLs", what);
	if (looks_like_pem(buf, len)) {
		bio = BIO_new_mem_buf(buf, (int)len);
		if (!bio)
			return err_set(err, -ENOMEM, "%s: out of memory", what);
		rc = bundle_parse_pem(bio, what, certs, crls, err);
		if (rc)
			return rc;
	} else {
		X509 *cert = d2i_cert_exact(buf, len);
		X509_CRL *crl = cert ? NULL : d2i_crl_exact(buf, len);

		ERR_clear_error();
		if (cert)
			rc = bundle_push_cert(certs, cert, what, err);
		else if (crl)
			rc = bundle_push_crl(crls, crl, what, err);
		else
			rc = err_set(err, -EINVAL, "%s: neither an X.509 certificate nor a CRL",
				     what);
		if (rc)
			return rc;
	}
	if (sk_X509_num(certs) == 0 && sk_X509_CRL_num(crls) == 0)
		return err_set(err, -EINVAL, "%s: no certificate or CRL found", what);
	*ret_certs = TAKE_PTR(certs);
	*ret_crls = TAKE_PTR(crls);
	return 0;
}

int pki_load_bundle(const char *path, STACK_OF(X509) * *ret_certs, STACK_OF(X509_CRL) * *ret_crls,
		    struct errinfo *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int rc;

	rc = file_read_all(path, PKI_FILE_MAX, &buf, &len, err);
	if (rc)
		return rc;
	return pki_parse_bundle(buf, len, path, ret_certs, ret_crls, err);
}

/*
 * The single-kind parsers are the bundle parser plus a check of what came out,
 * with the error a user expects when a file is not what an option wants.
 */
int pki_parse_certs(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509) * *ret_certs,
		    struct errinfo *err)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *certs = NULL;
	_cleanup_(x509_crl_stack_freep) STACK_OF(X509_CRL) *crls = NULL;
	int rc;

	rc = pki_parse_bundle(buf, len, what, &certs, &crls, err);
	if (rc == -EINVAL && len && !looks_like_pem(buf, len))
		return err_set(err, rc, "%s: not an X.509 certificate (PEM or DER)", what);
	if (rc)
		return rc;
	if (sk_X509_num(certs) == 0)
		return err_set(err, -EINVAL, "%s: no certificate found", what);
	*ret_certs = TAKE_PTR(certs);
	return 0;
}

int pki_parse_crls(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509_CRL) * *ret_crls,
		   struct errinfo *err)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *certs = NULL;
	_cleanup_(x509_crl_stack_freep) STACK_OF(X509_CRL) *crls = NULL;
	int rc;

	rc = pki_parse_bundle(buf, len, what, &certs, &crls, err);
	if (rc == -EINVAL && len && !looks_like_pem(buf, len))
		return err_set(err, rc, "%s: not an X.509 CRL (PEM or DER)", what);
	if (rc)
		return rc;
	if (sk_X509_CRL_num(crls) == 0)
		return err_set(err, -EINVAL, "%s: no CRL found", what);
	*ret_crls = TAKE_PTR(crls);
	return 0;
}
