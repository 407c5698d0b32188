// SPDX-License-Identifier: MIT
#include "pki_load.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <string.h>

#include "fileio.h"
#include "ssl_util.h"

static bool looks_like_pem(const uint8_t *buf, size_t len)
{
	return memmem(buf, len, "-----BEGIN ", 11) != NULL;
}

static int parse_certs(const uint8_t *buf, size_t len, const char *what,
		       STACK_OF(X509) * *ret_certs, struct errinfo *err)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *certs = sk_X509_new_null();
	_cleanup_(bio_freep) BIO *bio = NULL;

	if (!certs || len > INT32_MAX)
		return err_set(err, -ENOMEM, "%s: out of memory", what);
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return err_set(err, -ENOMEM, "%s: out of memory", what);
	if (looks_like_pem(buf, len)) {
		X509 *cert;

		while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
			if (!sk_X509_push(certs, cert)) {
				X509_free(cert);
				return err_set(err, -ENOMEM, "%s: out of memory", what);
			}
		}
		/* Reaching the end of the input is how the loop above ends. */
		if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE)
			ERR_clear_error();
		if (ERR_peek_last_error())
			return err_set_ssl(err, -EINVAL, "%s: invalid PEM certificate", what);
	} else {
		X509 *cert = d2i_X509_bio(bio, NULL);

		if (!cert)
			return err_set_ssl(err, -EINVAL,
					   "%s: not an X.509 certificate (PEM or DER)", what);
		if (!sk_X509_push(certs, cert)) {
			X509_free(cert);
			return err_set(err, -ENOMEM, "%s: out of memory", what);
		}
	}
	if (sk_X509_num(certs) == 0)
		return err_set(err, -EINVAL, "%s: no certificate found", what);
	*ret_certs = TAKE_PTR(certs);
	return 0;
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
	return parse_certs(buf, len, path, ret_certs, err);
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

int pki_parse_crls(const uint8_t *buf, size_t len, const char *what, STACK_OF(X509_CRL) * *ret_crls,
		   struct errinfo *err)
{
	_cleanup_(x509_crl_stack_freep) STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	_cleanup_(bio_freep) BIO *bio = NULL;

	if (!crls || len > INT32_MAX)
		return err_set(err, -ENOMEM, "%s: out of memory", what);
	if (len == 0)
		return err_set(err, -EINVAL, "%s: empty, expected a CRL", what);
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return err_set(err, -ENOMEM, "%s: out of memory", what);
	if (looks_like_pem(buf, len)) {
		X509_CRL *crl;

		while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL))) {
			if (!sk_X509_CRL_push(crls, crl)) {
				X509_CRL_free(crl);
				return err_set(err, -ENOMEM, "%s: out of memory", what);
			}
		}
		if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE)
			ERR_clear_error();
		if (ERR_peek_last_error())
			return err_set_ssl(err, -EINVAL, "%s: invalid PEM CRL", what);
	} else {
		X509_CRL *crl = d2i_X509_CRL_bio(bio, NULL);

		if (!crl)
			return err_set_ssl(err, -EINVAL, "%s: not an X.509 CRL (PEM or DER)", what);
		if (!sk_X509_CRL_push(crls, crl)) {
			X509_CRL_free(crl);
			return err_set(err, -ENOMEM, "%s: out of memory", what);
		}
	}
	if (sk_X509_CRL_num(crls) == 0)
		return err_set(err, -EINVAL, "%s: no CRL found", what);
	*ret_crls = TAKE_PTR(crls);
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
