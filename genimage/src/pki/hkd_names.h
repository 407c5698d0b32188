/* SPDX-License-Identifier: MIT */
/*
 * Names in the IBM Z host-key PKI: recognising the IBM Z signing key by its
 * subject, matching CRL issuers to certificates the way IBM's CRLs need, and
 * rendering names and times for messages.
 */
#ifndef SEGEN_HKD_NAMES_H
#define SEGEN_HKD_NAMES_H

#include <openssl/x509.h>
#include <stdbool.h>

/* Names longer than this are cut (and end in "...") in messages. */
#define NAME_STR_MAX 200
#define NAME_STR_SIZE (NAME_STR_MAX + 4)
#define TIME_STR_SIZE 32

/* Names with more attributes than this never compare equal; real ones have about six. */
#define NAME_MAX_ENTRIES 32

/*
 * Whether @name is the subject of an IBM Z signing key, by IBM's rule:
 * exactly the six attributes C=US, ST=New York, L=Poughkeepsie or Armonk, O
 * and CN "International Business Machines Corporation" (byte for byte), and
 * an OU whose UTF-8 form ends in "Key Signing Service". An OU with a NUL in
 * it is refused: IBM's C tool cuts it there, so the two tools would disagree.
 */
bool ibm_is_signing_subject(const X509_NAME *name);

/* Whether a value of @name holds a NUL character (which some readers cut at). */
bool x509_name_has_nul(const X509_NAME *name);

/*
 * The same attributes in any order, each value compared the way OpenSSL
 * compares names: in canonical form (UTF-8, case-insensitive for ASCII
 * letters, white space runs as one space), whatever the ASN.1 string type.
 */
bool x509_name_equal_unordered(const X509_NAME *a, const X509_NAME *b);

/*
 * Whether a CRL whose issuer is @crl_issuer may come from the CA @ca_subject:
 * x509_name_equal_unordered(), and when @ca_subject is an IBM Z signing key,
 * the locality Armonk stands for Poughkeepsie and the other way round (IBM's
 * CRLs name the key with the other locality and another attribute order).
 * Only the CRL's signature makes it trustworthy; this merely selects candidates.
 */
bool crl_issuer_matches(const X509_NAME *crl_issuer, const X509_NAME *ca_subject);

/* "C=US, O=..., CN=..." with control and non-ASCII characters escaped. */
void x509_name_to_str(const X509_NAME *name, char buf[NAME_STR_SIZE]);

/* "2024-03-20 15:52:39 UTC". */
void asn1_time_to_str(const ASN1_TIME *time, char buf[TIME_STR_SIZE]);

#endif /* SEGEN_HKD_NAMES_H */
