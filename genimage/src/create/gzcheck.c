// SPDX-License-Identifier: MIT
#include "create/gzcheck.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SCRATCH_SIZE (64u << 10)
/* Enough to recognise what follows a gzip member: the longest magic below. */
#define PROBE_LEN 6

enum gz_state {
	GZ_START,      /* nothing seen yet */
	GZ_NOT_GZIP,   /* the ramdisk is not gzip: nothing to check */
	GZ_IN_MEMBER,  /* inflating a member */
	GZ_BETWEEN,    /* a member ended: classify what follows */
	GZ_ZEROS,      /* only zero padding may follow */
	GZ_TRAILER_OK, /* another archive format follows: not ours to check */
};

struct gzcheck {
	const char *name;
	enum gz_state state;
	bool zs_ready;
	z_stream zs;
	uint64_t offset; /* bytes of the ramdisk consumed so far */
	uint8_t probe[PROBE_LEN];
	size_t probe_len;
	bool was_gzip;
	uint64_t inflated; /* bytes of every member once inflated */
	uint8_t scratch[SCRATCH_SIZE];
};

int gzcheck_new(const char *name, struct gzcheck **ret_check)
{
	struct gzcheck *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->name = name;
	*ret_check = c;
	return 0;
}

void gzcheck_free(struct gzcheck *c)
{
	if (!c)
		return;
	if (c->zs_ready)
		inflateEnd(&c->zs);
	free(c);
}

int gzcheck_was_gzip(const struct gzcheck *c)
{
	return c->was_gzip;
}

uint64_t gzcheck_inflated_size(const struct gzcheck *c)
{
	return c->inflated;
}

static bool is_gzip_magic(const uint8_t *p)
{
	return p[0] == 0x1f && p[1] == 0x8b;
}

/* Formats the kernel accepts after a gzip member (initramfs unpacking). */
static bool is_other_archive(const uint8_t *p, size_t len)
{
	static const struct {
		const char *magic;
		size_t len;
	} known[] = {
		{ "070701", 6 }, /* cpio newc */
		{ "070702", 6 }, /* cpio crc */
		{ "\xfd"
		  "7zXZ",
		  5 },			   /* xz */
		{ "\x28\xb5\x2f\xfd", 4 }, /* zstd */
		{ "BZh", 3 },		   /* bzip2 */
		{ "\x02\x21\x4c\x18", 4 }, /* lz4 legacy */
		{ "\x89LZO", 4 },	   /* lzo */
		{ "\x5d\x00\x00", 3 },	   /* lzma */
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (len >= known[i].len && memcmp(p, known[i].magic, known[i].len) == 0)
			return true;
	return false;
}

static int start_member(struct gzcheck *c, struct errinfo *err)
{
	int zrc = c->zs_ready ? inflateReset(&c->zs) : inflateInit2(&c->zs, 16 + MAX_WBITS);

	if (zrc != Z_OK)
		return err_set(err, -ENOMEM, "%s: cannot start zlib", c->name);
	c->zs_ready = true;
	c->state = GZ_IN_MEMBER;
	return 0;
}

/* Inflate @len bytes of the current member; returns how many were consumed. */
static int inflate_some(struct gzcheck *c, const uint8_t *buf, size_t len, size_t *consumed,
			struct errinfo *err)
{
	uInt in_len = len > UINT_MAX ? UINT_MAX : (uInt)len;
	int zrc;

	c->zs.next_in = (Bytef *)buf;
	c->zs.avail_in = in_len;
	do {
		c->zs.next_out = c->scratch;
		c->zs.avail_out = SCRATCH_SIZE;
		zrc = inflate(&c->zs, Z_NO_FLUSH);
		c->inflated += SCRATCH_SIZE - c->zs.avail_out;
	} while (zrc == Z_OK && (c->zs.avail_in || !c->zs.avail_out));
	*consumed = in_len - c->zs.avail_in;
	if (zrc == Z_STREAM_END) {
		c->state = GZ_BETWEEN;
		c->probe_len = 0;
		return 0;
	}
	if (zrc == Z_OK || zrc == Z_BUF_ERROR)
		return 0;
	return err_set(err, -EINVAL, "%s: corrupt gzip data near offset %llu (%s)", c->name,
		       (unsigned long long)(c->offset + *consumed),
		       c->zs.msg ? c->zs.msg : "inflate failed");
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Collect the first bytes after a member and decide what they are. */
static int classify_trailer(struct gzcheck *c, const uint8_t *buf, size_t len, size_t *consumed,
			    struct errinfo *err)
{
	size_t take = PROBE_LEN - c->probe_len, used;
	int rc;

	if (take > len)
		take = len;
	memcpy(c->probe + c->probe_len, buf, take);
	c->probe_len += take;
	*consumed = take;
	if (c->probe_len < 2)
		return 0;
	if (is_gzip_magic(c->probe)) {
		/* Another member: the probe bytes are its first bytes. */
		rc = start_member(c, err);
		return rc ?: inflate_some(c, c->probe, c->probe_len, &used, err);
	}
	if (c->probe_len < PROBE_LEN)
		return 0;
	if (is_other_archive(c->probe, c->probe_len)) {
		c->state = GZ_TRAILER_OK;
		return 0;
	}
	if (!all_zero(c->probe, c->probe_len))
		return err_set(err, -EINVAL,
			       "%s: unexpected data after the gzip stream at offset %llu", c->name,
			       (unsigned long long)(c->offset + take - c->probe_len));
	c->state = GZ_ZEROS;
	return 0;
}

int gzcheck_feed(void *opaque, const uint8_t *buf, size_t len, struct errinfo *err)
{
	struct gzcheck *c = opaque;

	while (len) {
		size_t used = 0;
		int rc = 0;

		switch (c->state) {
		case GZ_START:
			if (len >= 2 && is_gzip_magic(buf)) {
				c->was_gzip = true;
				rc = start_member(c, err);
			} else {
				c->state = GZ_NOT_GZIP;
			}
			break;
		case GZ_NOT_GZIP:
		case GZ_TRAILER_OK:
			used = len;
			break;
		case GZ_IN_MEMBER:
			rc = inflate_some(c, buf, len, &used, err);
			break;
		case GZ_BETWEEN:
			rc = classify_trailer(c, buf, len, &used, err);
			break;
		case GZ_ZEROS:
			if (!all_zero(buf, len))
				return err_set(err, -EINVAL,
					       "%s: unexpected data after the gzip stream",
					       c->name);
			used = len;
			break;
		}
		if (rc)
			return rc;
		c->offset += used;
		buf += used;
		len -= used;
	}
	return 0;
}

int gzcheck_finish(struct gzcheck *c, struct errinfo *err)
{
	if (c->state == GZ_IN_MEMBER)
		return err_set(err, -EINVAL, "%s: gzip data is truncated (ends at offset %llu)",
			       c->name, (unsigned long long)c->offset);
	if (c->state == GZ_BETWEEN && !all_zero(c->probe, c->probe_len) &&
	    !is_other_archive(c->probe, c->probe_len))
		return err_set(err, -EINVAL, "%s: unexpected data after the gzip stream", c->name);
	return 0;
}
