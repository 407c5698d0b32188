// SPDX-License-Identifier: MIT
/* Names in the host-key PKI and loading mixed certificate/CRL bundles. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#include "base/fileio.h"
#include "pki/hkd_names.h"
#include "pki/pki_load.h"
#include "base/ssl_util.h"

#define IBM "International Business Machines Corporation"

DEFINE_POINTER_CLEANUP(X509_NAME, X509_NAME_free, x509_name_freep)

static char asset_dir[4096];

static const char *asset(const char *name)
{
	static char buf[4200];

	snprintf(buf, sizeof(buf), "%s/%s", asset_dir, name);
	return buf;
}

/* A name from "SN=value" pairs, in order; @type is the ASN.1 string type of every value. */
static X509_NAME *make_name(int type, const char *const *pairs, size_t nr)
{
	X509_NAME *name = X509_NAME_new();

	for (size_t i = 0; name && i < nr; i++) {
		char field[32];
		const char *eq = strchr(pairs[i], '=');
		size_t len = (size_t)(eq - pairs[i]);

		memcpy(field, pairs[i], len);
		field[len] = 0;
		if (!X509_NAME_add_entry_by_txt(name, field, type, (const unsigned char *)eq + 1,
						-1, -1, 0)) {
			X509_NAME_free(name);
			return NULL;
		}
	}
	return name;
}

/* Append an attribute as a BMPString (UTF-16BE), a type OpenSSL never picks itself. */
static void add_bmp_entry(X509_NAME *name, int nid, const char *ascii)
{
	unsigned char bmp[128];
	size_t len = strlen(ascii);

	for (size_t i = 0; i < len && i < sizeof(bmp) / 2; i++) {
		bmp[2 * i] = 0;
		bmp[2 * i + 1] = (unsigned char)ascii[i];
	}
	X509_NAME_add_entry_by_NID(name, nid, V_ASN1_BMPSTRING, bmp, (int)(2 * len), -1, 0);
}

static const char *const signing_subject[] = {
	"C=US",	       "O=" IBM,	 "CN=" IBM,
	"ST=New York", "L=Poughkeepsie", "OU=IBM Z Host Key Signing Service",
};
/* How IBM's CRLs name that key: other order, other locality. */
static const char *const signing_crl_issuer[] = {
	"C=US", "O=" IBM, "OU=IBM Z Host Key Signing Service", "L=Armonk", "ST=New York", "CN=" IBM,
};

static void test_signing_subject(void)
{
	static const struct {
		const char *file;
		bool is_signing_key;
	} certs[] = {
		{ "ibm.crt", true },	   { "ibm_armonk.crt", true },
		{ "der.crt", true },	   { "ibm_wrong_subject.crt", false },
		{ "inter_ca.crt", false }, { "root_ca.crt", false },
		{ "host.crt", false },
	};
	const char *moved[] = { "C=US",	       "O=" IBM,   "CN=" IBM,
				"ST=New York", "L=Boston", "OU=IBM Z Host Key Signing Service" };
	const char *extra[] = { "C=US",
				"O=" IBM,
				"CN=" IBM,
				"ST=New York",
				"L=Poughkeepsie",
				"OU=IBM Z Host Key Signing Service",
				"OU=Key Signing Service" };
	_cleanup_(x509_name_freep) X509_NAME *boston = make_name(MBSTRING_ASC, moved, 6);
	_cleanup_(x509_name_freep) X509_NAME *seven = make_name(MBSTRING_ASC, extra, 7);
	_cleanup_(x509_name_freep)
		X509_NAME *reordered = make_name(MBSTRING_ASC, signing_crl_issuer, 6);

	for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		_cleanup_(x509_freep) X509 *cert = NULL;
		struct errinfo err;

		if (pki_load_one_cert(asset(certs[i].file), &cert, &err)) {
			ok(false, "load %s: %s", certs[i].file, err.msg);
			continue;
		}
		ok(ibm_is_signing_subject(X509_get_subject_name(cert)) == certs[i].is_signing_key,
		   "%s %s an IBM Z signing key", certs[i].file,
		   certs[i].is_signing_key ? "is" : "is not");
	}
	ok(!ibm_is_signing_subject(boston), "locality other than Poughkeepsie/Armonk: no");
	ok(!ibm_is_signing_subject(seven), "a seventh attribute: no");
	ok(ibm_is_signing_subject(reordered), "attribute order does not matter");
	ok(!ibm_is_signing_subject(NULL), "no name: no");
}

/* The signing-key subject with @ou (@len bytes, NULs allowed) as the OU, of ASN.1 type @type. */
static X509_NAME *signing_name_with_ou(int type, const char *ou, int len)
{
	X509_NAME *name = make_name(MBSTRING_ASC, signing_subject, 5);

	if (name && type == V_ASN1_BMPSTRING)
		add_bmp_entry(name, NID_organizationalUnitName, ou);
	else if (name)
		X509_NAME_add_entry_by_NID(name, NID_organizationalUnitName, type,
					   (const unsigned char *)ou, len, -1, 0);
	return name;
}

static void test_signing_subject_rules(void)
{
	static const char nul_suffix[] = "IBM Z Host Key Signing Service\0x";
	static const char nul_prefix[] = "x\0IBM Z Host Key Signing Service";
	const char *lower_locality[] = { "C=US",	   "O=" IBM,
					 "CN=" IBM,	   "ST=New York",
					 "L=poughkeepsie", "OU=IBM Z Host Key Signing Service" };
	_cleanup_(x509_name_freep)
		X509_NAME *plain = signing_name_with_ou(MBSTRING_UTF8,
							"IBM Z Host Key Signing Service", -1);
	_cleanup_(x509_name_freep)
		X509_NAME *bmp = signing_name_with_ou(V_ASN1_BMPSTRING,
						      "IBM Z Host Key Signing Service", 0);
	_cleanup_(x509_name_freep)
		X509_NAME *cut_to_suffix = signing_name_with_ou(MBSTRING_UTF8, nul_suffix,
								(int)sizeof(nul_suffix) - 1);
	_cleanup_(x509_name_freep)
		X509_NAME *cut_to_prefix = signing_name_with_ou(MBSTRING_UTF8, nul_prefix,
								(int)sizeof(nul_prefix) - 1);
	_cleanup_(x509_name_freep) X509_NAME *lower = make_name(MBSTRING_ASC, lower_locality, 6);

	ok(ibm_is_signing_subject(plain), "signing subject built attribute by attribute");
	ok(ibm_is_signing_subject(bmp), "OU as BMPString: read as UTF-8, as IBM's tool does");
	ok(!ibm_is_signing_subject(cut_to_suffix),
	   "OU \"...Key Signing Service\\0x\" (IBM's C tool cuts at the NUL): refused");
	ok(!ibm_is_signing_subject(cut_to_prefix),
	   "OU \"x\\0...Key Signing Service\" (the bytes end right): refused");
	ok(!ibm_is_signing_subject(lower), "L=poughkeepsie: IBM's tool compares byte for byte");
	ok(x509_name_has_nul(cut_to_suffix) && x509_name_has_nul(cut_to_prefix) &&
		   !x509_name_has_nul(plain) && !x509_name_has_nul(bmp),
	   "a NUL in a value is found, the zero bytes of a BMPString are none");
}

static void test_name_equal(void)
{
	const char *abc[] = { "C=US", "O=Org", "CN=Name" };
	const char *cab[] = { "CN=Name", "C=US", "O=Org" };
	const char *ab[] = { "C=US", "O=Org" };
	const char *abx[] = { "C=US", "O=Org", "CN=Other" };
	const char *lower[] = { "C=us", "O=org", "CN=  name " };
	const char *ou_twice[] = { "OU=A", "OU=A", "CN=Name" };
	const char *ou_pair[] = { "OU=A", "OU=B", "CN=Name" };
	_cleanup_(x509_name_freep) X509_NAME *n_abc = make_name(MBSTRING_ASC, abc, 3);
	_cleanup_(x509_name_freep) X509_NAME *n_cab = make_name(MBSTRING_ASC, cab, 3);
	_cleanup_(x509_name_freep) X509_NAME *n_ab = make_name(MBSTRING_ASC, ab, 2);
	_cleanup_(x509_name_freep) X509_NAME *n_abx = make_name(MBSTRING_ASC, abx, 3);
	_cleanup_(x509_name_freep) X509_NAME *n_lower = make_name(MBSTRING_UTF8, lower, 3);
	_cleanup_(x509_name_freep) X509_NAME *n_bmp = X509_NAME_new();
	_cleanup_(x509_name_freep) X509_NAME *n_utf8 = make_name(MBSTRING_UTF8, cab, 3);
	_cleanup_(x509_name_freep) X509_NAME *n_twice = make_name(MBSTRING_ASC, ou_twice, 3);
	_cleanup_(x509_name_freep) X509_NAME *n_pair = make_name(MBSTRING_ASC, ou_pair, 3);

	ok(x509_name_equal_unordered(n_abc, n_cab), "names: order does not matter");
	ok(x509_name_equal_unordered(n_abc, n_utf8), "names: string type does not matter");
	ok(!x509_name_equal_unordered(n_abc, n_ab), "names: a missing attribute matters");
	ok(!x509_name_equal_unordered(n_ab, n_abc), "names: an extra attribute matters");
	ok(!x509_name_equal_unordered(n_abc, n_abx), "names: another value does not match");
	ok(x509_name_equal_unordered(n_lower, n_abc) && x509_name_equal_unordered(n_abc, n_lower),
	   "names: letter case and outer white space do not matter (OpenSSL's canonical form)");
	add_bmp_entry(n_bmp, NID_countryName, "US");
	add_bmp_entry(n_bmp, NID_organizationName, "Org");
	add_bmp_entry(n_bmp, NID_commonName, "Name");
	ok(X509_NAME_entry_count(n_bmp) == 3 && x509_name_equal_unordered(n_bmp, n_cab),
	   "names: BMPString values compare by their text");
	ok(!x509_name_equal_unordered(n_twice, n_pair) &&
		   !x509_name_equal_unordered(n_pair, n_twice),
	   "names: a repeated attribute pairs only once");
	ok(x509_name_equal_unordered(n_twice, n_twice), "names: a name equals itself");
	ok(!x509_name_equal_unordered(n_abc, NULL), "names: NULL equals nothing");
}

static void test_crl_issuer(void)
{
	const char *other_ou[] = { "C=US",     "O=" IBM,      "OU=IBM Z Other Key Signing Service",
				   "L=Armonk", "ST=New York", "CN=" IBM };
	const char *ca[] = { "C=US", "O=Org", "CN=Some CA" };
	const char *ca_reordered[] = { "CN=Some CA", "O=Org", "C=US" };
	const char *ca_moved[] = { "C=US", "O=Org", "CN=Some CA", "L=Armonk" };
	const char *lower_issuer[] = {
		"C=us",	       "O=international business machines corporation",
		"L=armonk",    "OU=ibm z host key signing service",
		"ST=new york", "CN=international business machines corporation"
	};
	const char *boston_issuer[] = {
		"C=US",	    "O=" IBM,	   "OU=IBM Z Host Key Signing Service",
		"L=Boston", "ST=New York", "CN=" IBM
	};
	_cleanup_(x509_name_freep) X509_NAME *subject = make_name(MBSTRING_ASC, signing_subject, 6);
	_cleanup_(x509_name_freep)
		X509_NAME *issuer = make_name(MBSTRING_UTF8, signing_crl_issuer, 6);
	_cleanup_(x509_name_freep) X509_NAME *other = make_name(MBSTRING_ASC, other_ou, 6);
	_cleanup_(x509_name_freep) X509_NAME *n_ca = make_name(MBSTRING_ASC, ca, 3);
	_cleanup_(x509_name_freep) X509_NAME *n_ca_re = make_name(MBSTRING_ASC, ca_reordered, 3);
	_cleanup_(x509_name_freep) X509_NAME *n_ca_moved = make_name(MBSTRING_ASC, ca_moved, 4);
	_cleanup_(x509_name_freep) X509_NAME *lower = make_name(MBSTRING_UTF8, lower_issuer, 6);
	_cleanup_(x509_name_freep) X509_NAME *boston = make_name(MBSTRING_ASC, boston_issuer, 6);

	ok(crl_issuer_matches(issuer, subject),
	   "IBM CRL issuer: reordered, Armonk for Poughkeepsie");
	ok(crl_issuer_matches(subject, issuer), "IBM CRL issuer: Poughkeepsie for Armonk");
	ok(!crl_issuer_matches(other, subject), "IBM CRL issuer: another OU does not match");
	ok(crl_issuer_matches(n_ca_re, n_ca), "CA CRL issuer: reordered matches");
	ok(!crl_issuer_matches(n_ca_moved, n_ca), "CA CRL issuer: no locality leeway for others");
	ok(!crl_issuer_matches(n_ca, subject), "CA CRL issuer: another CA does not match");
	ok(crl_issuer_matches(lower, subject),
	   "IBM CRL issuer in lower case, l=armonk: matches (canonical form)");
	ok(!crl_issuer_matches(boston, subject), "IBM CRL issuer with L=Boston does not match");
}

static void test_to_str(void)
{
	const char *ctrl[] = { "CN=evil\x1b[2Jname" };
	const char *plain[] = { "C=US", "CN=" IBM };
	char buf[NAME_STR_SIZE], when[TIME_STR_SIZE], unit[60];
	const char *units[8];
	_cleanup_(x509_name_freep) X509_NAME *n_ctrl = make_name(MBSTRING_ASC, ctrl, 1);
	_cleanup_(x509_name_freep) X509_NAME *n_plain = make_name(MBSTRING_ASC, plain, 2);
	_cleanup_(x509_name_freep) X509_NAME *n_long = NULL;
	ASN1_TIME *time = ASN1_TIME_new();

	x509_name_to_str(n_plain, buf);
	ok(strcmp(buf, "C=US, CN=" IBM) == 0, "name string: %s", buf);
	x509_name_to_str(n_ctrl, buf);
	ok(strchr(buf, '\x1b') == NULL && strstr(buf, "\\1B"), "name string escapes control: %s",
	   buf);
	/* Eight attributes of 50 characters each, far beyond what a message shows. */
	strcpy(unit, "OU=");
	memset(unit + 3, 'x', 50);
	unit[53] = 0;
	for (size_t i = 0; i < 8; i++)
		units[i] = unit;
	n_long = make_name(MBSTRING_ASC, units, 8);
	x509_name_to_str(n_long, buf);
	ok(strlen(buf) == NAME_STR_MAX + 3 && strcmp(buf + NAME_STR_MAX, "...") == 0,
	   "long name string cut to %d characters and ...", NAME_STR_MAX);
	ASN1_TIME_set_string(time, "20240320155239Z");
	asn1_time_to_str(time, when);
	ok(strcmp(when, "2024-03-20 15:52:39 UTC") == 0, "time string: %s", when);
	ASN1_TIME_free(time);
}

static void test_bundle(void)
{
	static const struct {
		const char *file;
		int certs;
		int crls;
	} bundles[] = {
		{ "ibm.chained.crt", 1, 1 }, /* CRL first, then the certificate */
		{ "root_ca.chained.crt", 1, 1 },
		{ "der.crt", 1, 0 },
		{ "der.crl", 0, 1 },
		{ "ibm.crl", 0, 1 },
		{ "host.crt", 1, 0 },
	};
	static const uint8_t junk[] = "neither PEM nor DER";
	STACK_OF(X509) *certs = NULL;
	STACK_OF(X509_CRL) *crls = NULL;
	struct errinfo err = { "" };
	uint8_t *der = NULL;
	size_t der_len;
	int rc;

	for (size_t i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++) {
		rc = pki_load_bundle(asset(bundles[i].file), &certs, &crls, &err);
		ok(rc == 0 && sk_X509_num(certs) == bundles[i].certs &&
			   sk_X509_CRL_num(crls) == bundles[i].crls,
		   "bundle %s: %d certificates, %d CRLs", bundles[i].file, bundles[i].certs,
		   bundles[i].crls);
		x509_stack_freep(&certs);
		x509_crl_stack_freep(&crls);
		certs = NULL;
		crls = NULL;
	}
	rc = pki_load_bundle(asset("ibm.key"), &certs, &crls, &err);
	ok(rc == -EINVAL && strstr(err.msg, "no certificate or CRL found"),
	   "bundle of a private key only: %s", err.msg);
	rc = pki_parse_bundle(junk, sizeof(junk), "junk", &certs, &crls, &err);
	ok(rc == -EINVAL && strcmp(err.msg, "junk: neither an X.509 certificate nor a CRL") == 0,
	   "bundle of junk: %s", err.msg);
	rc = pki_parse_bundle(junk, 0, "empty", &certs, &crls, &err);
	ok(rc == -EINVAL, "empty bundle: %s", err.msg);
	if (file_read_all(asset("der.crt"), PKI_FILE_MAX, &der, &der_len, &err) == 0) {
		uint8_t *longer = malloc(der_len + 1);

		memcpy(longer, der, der_len);
		longer[der_len] = 0;
		rc = pki_parse_bundle(longer, der_len + 1, "trailing", &certs, &crls, &err);
		ok(rc == -EINVAL, "DER with a trailing byte is refused: %s", err.msg);
		rc = pki_parse_certs(der, der_len, "der", &certs, &err);
		ok(rc == 0 && sk_X509_num(certs) == 1, "pki_parse_certs: DER certificate");
		x509_stack_freep(&certs);
		free(longer);
		free(der);
	}
}

int main(void)
{
	const char *vectors = getenv("VECTORS_DIR");

	snprintf(asset_dir, sizeof(asset_dir), "%s/s390-tools-assets/cert",
		 vectors ? vectors : "tests/vectors");
	test_name_equal();
	test_crl_issuer();
	test_signing_subject_rules();
	test_to_str();
	if (access(asset_dir, R_OK) == 0) {
		test_signing_subject();
		test_bundle();
	} else {
		ok(true, "# SKIP no test vectors at %s", asset_dir);
	}
	return done_testing();
}
