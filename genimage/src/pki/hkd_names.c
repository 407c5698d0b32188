// SPDX-License-Identifier: MIT
#include "pki/hkd_names.h"

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <string.h>
#include <time.h>

#include "base/ssl_util.h"

#define IBM_COUNTRY "US"
#define IBM_STATE "New York"
#define IBM_ORGANIZATION "International Business Machines Corporation"
#define IBM_SIGNING_OU_SUFFIX "Key Signing Service"
#define IBM_SIGNING_SUBJECT_ENTRIES 6

static const char *const ibm_localities[] = { "Poughkeepsie", "Armonk" };

static bool data_equals(const ASN1_STRING *data, const char *want)
{
	size_t want_len = strlen(want);

	return data && (size_t)ASN1_STRING_length(data) == want_len &&
	       memcmp(ASN1_STRING_get0_data(data), want, want_len) == 0;
}

static bool data_ends_with(const ASN1_STRING *data, const char *suffix)
{
	size_t suffix_len = strlen(suffix);
	size_t len;

	if (!data || ASN1_STRING_length(data) < 0)
		return false;
	len = (size_t)ASN1_STRING_length(data);
	return len >= suffix_len &&
	       memcmp(ASN1_STRING_get0_data(data) + len - suffix_len, suffix, suffix_len) == 0;
}

/* The value of the only attribute @nid in @name; NULL when it is missing or repeated. */
static const ASN1_STRING *name_sole_value(const X509_NAME *name, int nid)
{
	int pos = X509_NAME_get_index_by_NID(name, nid, -1);

	if (pos < 0 || X509_NAME_get_index_by_NID(name, nid, pos) >= 0)
		return NULL;
	return X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos));
}

bool ibm_is_signing_subject(const X509_NAME *name)
{
	const ASN1_STRING *locality;
	bool known_locality = false;

	if (!name || X509_NAME_entry_count(name) != IBM_SIGNING_SUBJECT_ENTRIES)
		return false;
	if (!data_equals(name_sole_value(name, NID_countryName), IBM_COUNTRY) ||
	    !data_equals(name_sole_value(name, NID_stateOrProvinceName), IBM_STATE) ||
	    !data_equals(name_sole_value(name, NID_organizationName), IBM_ORGANIZATION) ||
	    !data_equals(name_sole_value(name, NID_commonName), IBM_ORGANIZATION) ||
	    !data_ends_with(name_sole_value(name, NID_organizationalUnitName),
			    IBM_SIGNING_OU_SUFFIX))
		return false;
	locality = name_sole_value(name, NID_localityName);
	for (size_t i = 0; i < sizeof(ibm_localities) / sizeof(ibm_localities[0]); i++)
		known_locality = known_locality || data_equals(locality, ibm_localities[i]);
	return known_locality;
}

/* Byte-wise: IBM's names use PrintableString in one place and UTF8String in another. */
static bool values_equal(const ASN1_STRING *a, const ASN1_STRING *b)
{
	int len;

	if (!a || !b)
		return false;
	len = ASN1_STRING_length(a);
	return len >= 0 && len == ASN1_STRING_length(b) &&
	       memcmp(ASN1_STRING_get0_data(a), ASN1_STRING_get0_data(b), (size_t)len) == 0;
}

static bool entries_equal(const X509_NAME_ENTRY *a, const X509_NAME_ENTRY *b)
{
	return OBJ_cmp(X509_NAME_ENTRY_get_object(a), X509_NAME_ENTRY_get_object(b)) == 0 &&
	       values_equal(X509_NAME_ENTRY_get_data(a), X509_NAME_ENTRY_get_data(b));
}

bool x509_name_equal_unordered(const X509_NAME *a, const X509_NAME *b)
{
	bool used[NAME_MAX_ENTRIES] = { false };
	int count;

	if (!a || !b)
		return false;
	count = X509_NAME_entry_count(a);
	if (count != X509_NAME_entry_count(b) || count > NAME_MAX_ENTRIES)
		return false;
	/* Each attribute of @a pairs with its own attribute of @b, so repeats must match too. */
	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *entry = X509_NAME_get_entry(a, i);
		bool paired = false;

		for (int j = 0; j < count && !paired; j++) {
			if (used[j] || !entries_equal(entry, X509_NAME_get_entry(b, j)))
				continue;
			used[j] = true;
			paired = true;
		}
		if (!paired)
			return false;
	}
	return true;
}

bool crl_issuer_matches(const X509_NAME *crl_issuer, const X509_NAME *ca_subject)
{
	if (x509_name_equal_unordered(crl_issuer, ca_subject))
		return true;
	if (!ibm_is_signing_subject(crl_issuer) || !ibm_is_signing_subject(ca_subject))
		return false;
	/* All else is fixed for a signing-key subject, so the OU alone tells them apart. */
	return values_equal(name_sole_value(crl_issuer, NID_organizationalUnitName),
			    name_sole_value(ca_subject, NID_organizationalUnitName));
}

void x509_name_to_str(const X509_NAME *name, char buf[NAME_STR_SIZE])
{
	const unsigned long flags = XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ;
	_cleanup_(bio_freep) BIO *bio = BIO_new(BIO_s_mem());
	int len;

	strcpy(buf, "(unprintable name)");
	if (!bio || !name || X509_NAME_print_ex(bio, name, 0, flags) < 0)
		return;
	len = BIO_read(bio, buf, NAME_STR_MAX + 1);
	if (len < 0)
		len = 0;
	if (len > NAME_STR_MAX)
		strcpy(buf + NAME_STR_MAX, "...");
	else
		buf[len] = 0;
}

void asn1_time_to_str(const ASN1_TIME *time, char buf[TIME_STR_SIZE])
{
	struct tm tm;

	if (!time || !ASN1_TIME_to_tm(time, &tm) ||
	    !strftime(buf, TIME_STR_SIZE, "%Y-%m-%d %H:%M:%S UTC", &tm))
		strcpy(buf, "(invalid time)");
}
