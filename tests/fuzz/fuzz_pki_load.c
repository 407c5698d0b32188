// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: certificates and CRLs from untrusted bytes (a CRL
 * download, a -C or --crl file), and the name handling verification applies
 * to what they contain.
 *
 *   clang -fsanitize=fuzzer,address -std=gnu11 -D_GNU_SOURCE -Igenimage/src \
 *       tests/fuzz/fuzz_pki_load.c genimage/src/pki/pki_load.c genimage/src/pki/hkd_names.c \
 *       genimage/src/base/err.c genimage/src/base/fileio.c -lcrypto -o fuzz_pki_load
 *   ./fuzz_pki_load -max_len=65536 CORPUS_DIR tests/vectors/s390-tools-assets/cert
 */
#include <openssl/err.h>
#include <stdint.h>

#include "pki/hkd_names.h"
#include "pki/pki_load.h"
#include "base/ssl_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise_name(const X509_NAME *name)
{
	char buf[NAME_STR_SIZE];

	x509_name_to_str(name, buf);
	(void)ibm_is_signing_subject(name);
	(void)x509_name_equal_unordered(name, name);
}

static void exercise_time(const ASN1_TIME *time)
{
	char buf[TIME_STR_SIZE];

	asn1_time_to_str(time, buf);
}

static void exercise_crls(STACK_OF(X509_CRL) * crls)
{
	for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(crls, i);

		exercise_name(X509_CRL_get_issuer(crl));
		exercise_time(X509_CRL_get0_lastUpdate(crl));
		exercise_time(X509_CRL_get0_nextUpdate(crl));
	}
}

static void exercise_certs(STACK_OF(X509) * certs)
{
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *cert = sk_X509_value(certs, i);

		exercise_name(X509_get_subject_name(cert));
		exercise_name(X509_get_issuer_name(cert));
		(void)crl_issuer_matches(X509_get_issuer_name(cert), X509_get_subject_name(cert));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	STACK_OF(X509_CRL) *crls = NULL;
	STACK_OF(X509) *certs = NULL;
	struct errinfo err;

	if (pki_parse_crls(data, size, "fuzz", &crls, &err) == 0) {
		exercise_crls(crls);
		x509_crl_stack_freep(&crls);
	}
	if (pki_parse_certs(data, size, "fuzz", &certs, &err) == 0) {
		exercise_certs(certs);
		x509_stack_freep(&certs);
	}
	crls = NULL;
	certs = NULL;
	if (pki_parse_bundle(data, size, "fuzz", &certs, &crls, &err) == 0) {
		exercise_certs(certs);
		exercise_crls(crls);
		/* What the revocation check does first: does this CRL name that CA? */
		for (int i = 0; i < sk_X509_CRL_num(crls); i++)
			for (int j = 0; j < sk_X509_num(certs); j++)
				(void)crl_issuer_matches(
					X509_CRL_get_issuer(sk_X509_CRL_value(crls, i)),
					X509_get_subject_name(sk_X509_value(certs, j)));
		x509_stack_freep(&certs);
		x509_crl_stack_freep(&crls);
	}
	ERR_clear_error();
	return 0;
}
