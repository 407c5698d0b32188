// SPDX-License-Identifier: MIT
#include "create/initrd_check.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Enough to recognise every format below: the longest magic. */
#define PROBE_LEN 6
/* cpio "newc": a 6-byte magic and 13 eight-digit hex fields. */
#define CPIO_HDR_LEN 110
#define CPIO_FIELD_FILESIZE 6
#define CPIO_FIELD_NAMESIZE 11
/* The kernel's initramfs unpacker refuses longer names (PATH_MAX). */
#define CPIO_NAME_MAX 4096
#define CPIO_TRAILER "TRAILER!!!"

enum walk_state {
	WALK_PROBE,  /* at a part boundary: zeros are skipped, then the magic is read */
	WALK_CPIO,   /* inside an uncompressed cpio archive */
	WALK_DECOMP, /* inside a compressed part */
	WALK_OPAQUE, /* after a part we cannot check: the rest passes unchecked */
};

enum cpio_state {
	CPIO_HEADER, /* collecting a header; zeros before it are padding */
	CPIO_NAME,   /* collecting the start of the name (enough to spot the trailer) */
	CPIO_SKIP,   /* skipping the rest of the name, the data and their padding */
};

struct initrd_check {
	const char *name;
	enum decomp_inflater inflater;
	enum walk_state state;
	uint64_t offset; /* file offset of the next byte to look at */
	uint8_t probe[PROBE_LEN];
	size_t probe_len;

	enum cpio_state cpio_state;
	uint8_t cpio_hdr[CPIO_HDR_LEN];
	size_t cpio_have;
	uint64_t cpio_hdr_offset;
	uint32_t cpio_name_len;
	uint8_t cpio_name[sizeof(CPIO_TRAILER)];
	size_t cpio_name_have;
	uint64_t cpio_skip;
	bool cpio_trailer;

	struct decomp *decomp[DECOMP_LZMA + 1]; /* one per format, made when first needed */
	struct decomp *cur_decomp;

	struct initrd_part part; /* the current part */
	struct initrd_part parts[INITRD_MAX_LISTED_PARTS];
	size_t nr_parts;     /* all parts started so far, listed or not */
	uint64_t cpio_bytes; /* in the uncompressed cpio parts */
	bool unchecked_part;
};

static const struct {
	enum initrd_format format;
	const char *magic;
	size_t len;
} magics[] = {
	{ INITRD_CPIO, "070701", 6 },
	{ INITRD_CPIO, "070702", 6 },
	{ INITRD_GZIP, "\x1f\x8b", 2 },
	{ INITRD_ZSTD, "\x28\xb5\x2f\xfd", 4 },
	{ INITRD_XZ,
	  "\xfd"
	  "7zXZ\x00",
	  6 },
	{ INITRD_LZMA, "\x5d\x00\x00", 3 },
	{ INITRD_BZIP2, "BZh", 3 },
	{ INITRD_LZ4, "\x02\x21\x4c\x18", 4 },
	{ INITRD_LZO, "\x89LZO", 4 },
};

const char *initrd_format_name(enum initrd_format format)
{
	static const char *const names[] = {
		[INITRD_UNKNOWN] = "unknown", [INITRD_CPIO] = "cpio", [INITRD_GZIP] = "gzip",
		[INITRD_ZSTD] = "zstd",	      [INITRD_XZ] = "xz",     [INITRD_LZMA] = "lzma",
		[INITRD_BZIP2] = "bzip2",     [INITRD_LZ4] = "lz4",   [INITRD_LZO] = "lzo",
	};

	return (size_t)format < ARRAY_SIZE(names) ? names[format] : "unknown";
}

int initrd_check_new(const char *name, enum decomp_inflater inflater,
		     struct initrd_check **ret_check)
{
	struct initrd_check *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->name = name;
	c->inflater = inflater;
	*ret_check = c;
	return 0;
}

void initrd_check_free(struct initrd_check *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(c->decomp); i++)
		decomp_free(c->decomp[i]);
	OPENSSL_cleanse(c, sizeof(*c)); /* cpio headers and names of the initrd */
	free(c);
}

static enum initrd_format classify(const uint8_t *p, size_t len, bool *ret_partial)
{
	*ret_partial = false;
	for (size_t i = 0; i < ARRAY_SIZE(magics); i++) {
		size_t n = MIN(len, magics[i].len);

		if (memcmp(p, magics[i].magic, n))
			continue;
		if (n == magics[i].len)
			return magics[i].format;
		*ret_partial = true;
	}
	return INITRD_UNKNOWN;
}

static void record_part(struct initrd_check *c)
{
	if (c->nr_parts <= INITRD_MAX_LISTED_PARTS)
		c->parts[c->nr_parts - 1] = c->part;
}

static void end_part(struct initrd_check *c)
{
	c->part.size = c->offset - c->part.offset;
	if (c->part.format == INITRD_CPIO)
		c->cpio_bytes += c->part.size;
	record_part(c);
	c->state = WALK_PROBE;
	c->probe_len = 0;
}

static int start_part(struct initrd_check *c, enum initrd_format format, struct errinfo *err)
{
	static const enum decomp_format decomp_of[] = {
		[INITRD_GZIP] = DECOMP_GZIP,
		[INITRD_ZSTD] = DECOMP_ZSTD,
		[INITRD_XZ] = DECOMP_XZ,
		[INITRD_LZMA] = DECOMP_LZMA,
	};
	int rc;

	c->part = (struct initrd_part){ .format = format, .offset = c->offset, .checked = true };
	c->nr_parts++;
	switch (format) {
	case INITRD_CPIO:
		c->state = WALK_CPIO;
		c->cpio_state = CPIO_HEADER;
		c->cpio_have = 0;
		c->cpio_trailer = false;
		break;
	case INITRD_GZIP:
	case INITRD_ZSTD:
	case INITRD_XZ:
	case INITRD_LZMA: {
		struct decomp **d = &c->decomp[decomp_of[format]];

		rc = *d ? decomp_reset(*d) : decomp_new(decomp_of[format], c->inflater, d);
		if (rc == -EOPNOTSUPP)
			return err_set(err, rc, "%s: this segen was built without ISA-L", c->name);
		if (rc)
			return err_set(err, rc, "%s: cannot start the %s decompressor", c->name,
				       initrd_format_name(format));
		c->cur_decomp = *d;
		c->state = WALK_DECOMP;
		break;
	}
	default:
		c->part.checked = false;
		c->unchecked_part = true;
		c->state = WALK_OPAQUE;
		break;
	}
	record_part(c);
	return 0;
}

static int part_error(struct initrd_check *c, const char *what, uint64_t at, struct errinfo *err)
{
	return err_set(err, -EINVAL, "%s: %s at offset %llu (part %zu: %s from offset %llu)",
		       c->name, what, (unsigned long long)at, c->nr_parts,
		       initrd_format_name(c->part.format), (unsigned long long)c->part.offset);
}

static int parse_hex8(const uint8_t *p, uint32_t *ret_value)
{
	uint32_t v = 0;

	for (size_t i = 0; i < 8; i++) {
		uint8_t ch = p[i];
		uint32_t digit;

		if (ch >= '0' && ch <= '9')
			digit = (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			digit = (uint32_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			digit = (uint32_t)(ch - 'A' + 10);
		else
			return -EINVAL;
		v = v << 4 | digit;
	}
	*ret_value = v;
	return 0;
}

static int cpio_header_done(struct initrd_check *c, struct errinfo *err)
{
	uint32_t fields[13];
	bool partial;

	if (classify(c->cpio_hdr, PROBE_LEN, &partial) != INITRD_CPIO)
		return part_error(c, "corrupt cpio archive: no header magic", c->cpio_hdr_offset,
				  err);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (parse_hex8(c->cpio_hdr + PROBE_LEN + 8 * i, &fields[i]))
			return part_error(c, "corrupt cpio header: a field is not hex",
					  c->cpio_hdr_offset, err);
	c->cpio_name_len = fields[CPIO_FIELD_NAMESIZE];
	if (c->cpio_name_len == 0 || c->cpio_name_len > CPIO_NAME_MAX)
		return part_error(c, "corrupt cpio header: bad name length", c->cpio_hdr_offset,
				  err);
	/* Name and data are each padded to 4 bytes from the header's start. */
	c->cpio_skip = ALIGN_UP((uint64_t)CPIO_HDR_LEN + c->cpio_name_len, 4) - CPIO_HDR_LEN +
		       ALIGN_UP((uint64_t)fields[CPIO_FIELD_FILESIZE], 4);
	c->cpio_name_have = 0;
	c->cpio_state = CPIO_NAME;
	return 0;
}

/* Walk cpio headers; returns the bytes consumed in *@used. */
static int feed_cpio(struct initrd_check *c, const uint8_t *buf, size_t len, size_t *used,
		     struct errinfo *err)
{
	size_t pos = 0, n;
	int rc;

	while (pos < len) {
		switch (c->cpio_state) {
		case CPIO_HEADER:
			if (c->cpio_have == 0) {
				while (pos < len && buf[pos] == 0)
					pos++;
				if (pos == len)
					break;
				c->cpio_hdr_offset = c->offset + pos;
			}
			n = MIN(len - pos, CPIO_HDR_LEN - c->cpio_have);
			memcpy(c->cpio_hdr + c->cpio_have, buf + pos, n);
			c->cpio_have += n;
			pos += n;
			if (c->cpio_have < CPIO_HDR_LEN)
				break;
			c->cpio_have = 0;
			c->offset += pos;
			len -= pos;
			buf += pos;
			*used += pos;
			pos = 0;
			rc = cpio_header_done(c, err);
			if (rc)
				return rc;
			break;
		case CPIO_NAME:
			n = MIN(len - pos, sizeof(c->cpio_name) - c->cpio_name_have);
			n = MIN(n, (size_t)c->cpio_name_len - c->cpio_name_have);
			memcpy(c->cpio_name + c->cpio_name_have, buf + pos, n);
			c->cpio_name_have += n;
			pos += n;
			c->cpio_skip -= n;
			if (c->cpio_name_have < MIN(sizeof(c->cpio_name), (size_t)c->cpio_name_len))
				break;
			c->cpio_trailer = c->cpio_name_len == sizeof(CPIO_TRAILER) &&
					  !memcmp(c->cpio_name, CPIO_TRAILER, sizeof(CPIO_TRAILER));
			c->cpio_state = CPIO_SKIP;
			break;
		case CPIO_SKIP:
			n = (size_t)MIN((uint64_t)(len - pos), c->cpio_skip);
			pos += n;
			c->cpio_skip -= n;
			if (c->cpio_skip)
				break;
			c->cpio_state = CPIO_HEADER;
			if (c->cpio_trailer) {
				c->offset += pos;
				*used += pos;
				end_part(c);
				return 0;
			}
			break;
		}
	}
	c->offset += pos;
	*used += pos;
	return 0;
}

static int feed_decomp(struct initrd_check *c, const uint8_t *buf, size_t len, size_t *used,
		       struct errinfo *err)
{
	const char *why = "";
	bool end = false;
	char what[160];
	int rc;

	rc = decomp_feed(c->cur_decomp, buf, len, used, &end, &why);
	if (rc) {
		snprintf(what, sizeof(what), "corrupt %s data (%s)",
			 initrd_format_name(c->part.format), why);
		return part_error(c, what, c->offset + *used, err);
	}
	c->offset += *used;
	if (end)
		end_part(c);
	else if (!*used)
		/* A decompressor that neither consumes nor ends would loop forever. */
		return part_error(c, "decompressor made no progress", c->offset, err);
	return 0;
}

static int process(struct initrd_check *c, const uint8_t *buf, size_t len, struct errinfo *err);

/* At a part boundary: skip zeros, collect the magic, start the part. */
static int feed_probe(struct initrd_check *c, const uint8_t *buf, size_t len, size_t *used,
		      struct errinfo *err)
{
	uint8_t probe[PROBE_LEN];
	enum initrd_format format;
	size_t pos = 0, n, probe_len;
	bool partial;
	int rc;

	if (c->probe_len == 0) {
		while (pos < len && buf[pos] == 0)
			pos++;
		c->offset += pos;
	}
	n = MIN(len - pos, PROBE_LEN - c->probe_len);
	memcpy(c->probe + c->probe_len, buf + pos, n);
	c->probe_len += n;
	*used = pos + n;
	if (c->probe_len < PROBE_LEN)
		return 0;
	format = classify(c->probe, c->probe_len, &partial);
	if (format == INITRD_UNKNOWN && c->nr_parts)
		return err_set(err, -EINVAL,
			       "%s: unexpected data at offset %llu after part %zu (%s from offset "
			       "%llu)",
			       c->name, (unsigned long long)c->offset, c->nr_parts,
			       initrd_format_name(c->part.format),
			       (unsigned long long)c->part.offset);
	rc = start_part(c, format, err);
	if (rc)
		return rc;
	/* The magic is the part's first bytes: run them through it again. */
	memcpy(probe, c->probe, PROBE_LEN);
	probe_len = c->probe_len;
	c->probe_len = 0;
	return process(c, probe, probe_len, err);
}

static int process(struct initrd_check *c, const uint8_t *buf, size_t len, struct errinfo *err)
{
	while (len) {
		size_t used = 0;
		int rc = 0;

		switch (c->state) {
		case WALK_PROBE:
			rc = feed_probe(c, buf, len, &used, err);
			break;
		case WALK_CPIO:
			rc = feed_cpio(c, buf, len, &used, err);
			break;
		case WALK_DECOMP:
			rc = feed_decomp(c, buf, len, &used, err);
			break;
		case WALK_OPAQUE:
			used = len;
			c->offset += len;
			break;
		}
		if (rc)
			return rc;
		buf += used;
		len -= used;
	}
	return 0;
}

int initrd_check_feed(void *opaque, const uint8_t *buf, size_t len, struct errinfo *err)
{
	return process(opaque, buf, len, err);
}

int initrd_check_finish(struct initrd_check *c, struct errinfo *err)
{
	enum initrd_format format;
	bool partial;
	char what[96];

	switch (c->state) {
	case WALK_PROBE:
		if (!c->probe_len)
			return 0;
		format = classify(c->probe, c->probe_len, &partial);
		if (format != INITRD_UNKNOWN || partial)
			return err_set(err, -EINVAL,
				       "%s: truncated: %zu bytes at offset %llu, too few for a part",
				       c->name, c->probe_len, (unsigned long long)c->offset);
		if (c->nr_parts)
			return err_set(err, -EINVAL,
				       "%s: unexpected data at offset %llu after part %zu (%s)",
				       c->name, (unsigned long long)c->offset, c->nr_parts,
				       initrd_format_name(c->part.format));
		/* A file of a few bytes and no known format: not ours to check. */
		start_part(c, INITRD_UNKNOWN, err);
		c->offset += c->probe_len;
		break;
	case WALK_CPIO:
		return part_error(c, "cpio archive is truncated (no trailer); the file ends",
				  c->offset, err);
	case WALK_DECOMP:
		snprintf(what, sizeof(what), "%s data is truncated; the file ends",
			 initrd_format_name(c->part.format));
		return part_error(c, what, c->offset, err);
	case WALK_OPAQUE:
		break;
	}
	c->part.size = c->offset - c->part.offset;
	record_part(c);
	return 0;
}

uint64_t initrd_check_unpacked_size(const struct initrd_check *c)
{
	uint64_t total = c->cpio_bytes;

	if (c->unchecked_part)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(c->decomp); i++)
		if (c->decomp[i])
			total += decomp_output_bytes(c->decomp[i]);
	return total;
}

const struct initrd_part *initrd_check_parts(const struct initrd_check *c, size_t *ret_listed,
					     size_t *ret_total)
{
	*ret_listed = MIN(c->nr_parts, (size_t)INITRD_MAX_LISTED_PARTS);
	*ret_total = c->nr_parts;
	return c->parts;
}

void initrd_check_describe(const struct initrd_check *c, char *buf, size_t len)
{
	size_t listed = MIN(c->nr_parts, (size_t)INITRD_MAX_LISTED_PARTS), used = 0;

	buf[0] = 0;
	if (!c->nr_parts && c->state == WALK_PROBE) {
		snprintf(buf, len, "empty or zeros only");
		return;
	}
	for (size_t i = 0; i < listed; i++) {
		const struct initrd_part *p = &c->parts[i];
		const char *verdict = p->checked		  ? "checked" :
				      p->format == INITRD_UNKNOWN ? "no known format, not checked" :
								    "not checked";

		used += (size_t)snprintf(buf + used, len > used ? len - used : 0,
					 "%s%s at %llu (%llu bytes, %s)", i ? ", " : "",
					 initrd_format_name(p->format),
					 (unsigned long long)p->offset, (unsigned long long)p->size,
					 verdict);
	}
	if (c->nr_parts > listed)
		snprintf(buf + MIN(used, len), len > used ? len - used : 0, " and %zu more",
			 c->nr_parts - listed);
}
