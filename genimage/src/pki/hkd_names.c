// SPDX-License-Identifier: MIT
#include "pki/hkd_names.h"

#include <openssl/bio.h>
#include <openssl/err.h>
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

/* The value of the only attribute @nid in @name; NULL when it is missing or repeated. */
static const ASN1_STRING *name_sole_value(const X509_NAME *name, int nid)
{
	int pos = X509_NAME_get_index_by_NID(name, nid, -1);

	if (pos < 0 || X509_NAME_get_index_by_NID(name, nid, pos) >= 0)
		return NULL;
	return X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos));
}

/*
 * IBM's tools read the OU as UTF-8 and, in C, cut it at the first NUL: an OU
 * "X\0... Key Signing Service" would pass a byte-wise suffix check here but
 * not there, and "...Key Signing Service\0X" the other way round. A NUL has
 * no business in a name, so either is refused.
 */
static bool ou_is_signing_service(const ASN1_STRING *ou)
{
	unsigned char *utf8 = NULL;
	bool match;
	int len;

	if (!ou)
		return false;
	len = ASN1_STRING_to_UTF8(&utf8, ou);
	if (len < 0) {
		ERR_clear_error();
		return false;
	}
	match = memchr(utf8, 0, (size_t)len) == NULL &&
		(size_t)len >= strlen(IBM_SIGNING_OU_SUFFIX) &&
		memcmp(utf8 + (size_t)len - strlen(IBM_SIGNING_OU_SUFFIX), IBM_SIGNING_OU_SUFFIX,
		       strlen(IBM_SIGNING_OU_SUFFIX)) == 0;
	OPENSSL_free(utf8);
	return match;
}

bool x509_name_has_nul(const X509_NAME *name)
{
	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		unsigned char *utf8 = NULL;
		int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
							     X509_NAME_get_entry(name, i)));
		bool nul = len > 0 && memchr(utf8, 0, (size_t)len);

		ERR_clear_error();
		OPENSSL_free(utf8);
		if (nul)
			return true;
	}
	return false;
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
	    !ou_is_signing_service(name_sole_value(name, NID_organizationalUnitName)))
		return false;
	locality = name_sole_value(name, NID_localityName);
	for (size_t i = 0; i < ARRAY_SIZE(ibm_localities); i++)
		known_locality = known_locality || data_equals(locality, ibm_localities[i]);
	return known_locality;
}

/*
 * Every attribute of a name as a name of its own, so that OpenSSL's
 * X509_NAME_cmp() compares attributes one by one in its canonical form (UTF-8,
 * ASCII letters folded to lower case, runs of white space as one space) while
 * the order stays free.
 */
struct name_parts {
	X509_NAME *parts[NAME_MAX_ENTRIES];
	int count;
};

static void name_parts_done(struct name_parts *np)
{
	for (int i = 0; i < np->count; i++)
		X509_NAME_free(np->parts[i]);
	np->count = 0;
}

static bool name_parts_init(struct name_parts *np, const X509_NAME *name)
{
	int count = X509_NAME_entry_count(name);

	np->count = 0;
	if (count < 0 || count > NAME_MAX_ENTRIES)
		return false;
	for (int i = 0; i < count; i++) {
		X509_NAME *part = X509_NAME_new();

		if (!part)
			goto fail;
		np->parts[np->count++] = part;
		if (!X509_NAME_add_entry(part, X509_NAME_get_entry(name, i), -1, 0))
			goto fail;
	}
	return true;
fail:
	ERR_clear_error();
	name_parts_done(np);
	return false;
}

static bool part_is_ibm_locality(const X509_NAME *part, const struct name_parts *localities)
{
	for (int i = 0; i < localities->count; i++)
		if (X509_NAME_cmp(part, localities->parts[i]) == 0)
			return true;
	return false;
}

/* Pair each attribute of @a with its own attribute of @b, so repeats must match too. */
static bool parts_pair_up(const struct name_parts *a, const struct name_parts *b,
			  const struct name_parts *localities)
{
	bool used[NAME_MAX_ENTRIES] = { false };

	if (a->count != b->count)
		return false;
	for (int i = 0; i < a->count; i++) {
		bool paired = false;

		for (int j = 0; j < b->count && !paired; j++) {
			if (used[j])
				continue;
			paired = X509_NAME_cmp(a->parts[i], b->parts[j]) == 0 ||
				 (localities && part_is_ibm_locality(a->parts[i], localities) &&
				  part_is_ibm_locality(b->parts[j], localities));
			used[j] = paired;
		}
		if (!paired)
			return false;
	}
	return true;
}

static X509_NAME *locality_part(const char *locality)
{
	X509_NAME *part = X509_NAME_new();

	if (part && X509_NAME_add_entry_by_NID(part, NID_localityName, MBSTRING_ASC,
					       (const unsigned char *)locality, -1, -1, 0))
		return part;
	X509_NAME_free(part);
	return NULL;
}

static bool names_match(const X509_NAME *a, const X509_NAME *b, bool ibm_locality_leeway)
{
	struct name_parts pa, pb, localities = { .count = 0 };
	bool equal = false;

	if (!a || !b || X509_NAME_entry_count(a) != X509_NAME_entry_count(b))
		return false;
	if (!name_parts_init(&pa, a))
		return false;
	if (!name_parts_init(&pb, b)) {
		name_parts_done(&pa);
		return false;
	}
	if (ibm_locality_leeway) {
		for (size_t i = 0; i < ARRAY_SIZE(ibm_localities); i++) {
			X509_NAME *part = locality_part(ibm_localities[i]);

			if (!part)
				break;
			localities.parts[localities.count++] = part;
		}
		ERR_clear_error();
	}
	if (!ibm_locality_leeway || localities.count == (int)ARRAY_SIZE(ibm_localities))
		equal = parts_pair_up(&pa, &pb, ibm_locality_leeway ? &localities : NULL);
	name_parts_done(&localities);
	name_parts_done(&pb);
	name_parts_done(&pa);
	return equal;
}

bool x509_name_equal_unordered(const X509_NAME *a, const X509_NAME *b)
{
	return names_match(a, b, false);
}

bool crl_issuer_matches(const X509_NAME *crl_issuer, const X509_NAME *ca_subject)
{
	return names_match(crl_issuer, ca_subject, ibm_is_signing_subject(ca_subject));
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
