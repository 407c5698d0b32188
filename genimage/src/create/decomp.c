// SPDX-License-Identifier: MIT
#include "create/decomp.h"

#include <errno.h>
#include <limits.h>
#include <lzma.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>
#ifdef SEGEN_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

/* Output goes here and is dropped: large enough that each call does real work. */
#define SCRATCH_SIZE (256u << 10)
/* Pieces handed to libraries with 32-bit counters. */
#define PIECE_MAX (1u << 30)

/* The most memory an xz or lzma part may need to be checked. */
#define DECOMP_LZMA_MEMLIMIT (256ull << 20)

struct decomp {
	enum decomp_format format;
	enum decomp_inflater inflater;
	bool zlib_ready, lzma_ready;
	uint64_t output_bytes;
	z_stream zs;
	lzma_stream ls;
	ZSTD_DStream *zstd;
#ifdef SEGEN_HAVE_ISAL
	struct inflate_state isal;
#endif
	uint8_t scratch[SCRATCH_SIZE];
};

bool decomp_have_isal(void)
{
#ifdef SEGEN_HAVE_ISAL
	return true;
#else
	return false;
#endif
}

enum decomp_inflater decomp_default_inflater(void)
{
	return decomp_have_isal() ? DECOMP_INFLATER_ISAL : DECOMP_INFLATER_ZLIB;
}

int decomp_reset(struct decomp *d)
{
	switch (d->format) {
	case DECOMP_GZIP:
#ifdef SEGEN_HAVE_ISAL
		if (d->inflater == DECOMP_INFLATER_ISAL) {
			isal_inflate_init(&d->isal);
			d->isal.crc_flag = ISAL_GZIP;
			return 0;
		}
#endif
		if (d->zlib_ready)
			return inflateReset(&d->zs) == Z_OK ? 0 : -ENOMEM;
		if (inflateInit2(&d->zs, 16 + MAX_WBITS) != Z_OK)
			return -ENOMEM;
		d->zlib_ready = true;
		return 0;
	case DECOMP_ZSTD:
		if (!d->zstd)
			d->zstd = ZSTD_createDStream();
		if (!d->zstd || ZSTD_isError(ZSTD_DCtx_reset(d->zstd, ZSTD_reset_session_only)))
			return -ENOMEM;
		return 0;
	case DECOMP_XZ:
	case DECOMP_LZMA:
		/*
		 * lzma_*_decoder() reuses the allocations of a stream it set up
		 * before. The header names the dictionary size, up to 4 GiB, so
		 * cap what a part may make us allocate (xz -9e needs 65 MiB).
		 */
		if ((d->format == DECOMP_XZ ?
			     lzma_stream_decoder(&d->ls, DECOMP_LZMA_MEMLIMIT, 0) :
			     lzma_alone_decoder(&d->ls, DECOMP_LZMA_MEMLIMIT)) != LZMA_OK)
			return -ENOMEM;
		d->lzma_ready = true;
		return 0;
	}
	return -EINVAL;
}

int decomp_new(enum decomp_format format, enum decomp_inflater inflater, struct decomp **ret_decomp)
{
	struct decomp *d;
	int rc;

	if (inflater == DECOMP_INFLATER_DEFAULT)
		inflater = decomp_default_inflater();
	if (inflater == DECOMP_INFLATER_ISAL && !decomp_have_isal())
		return -EOPNOTSUPP;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->format = format;
	d->inflater = inflater;
	d->ls = (lzma_stream)LZMA_STREAM_INIT;
	rc = decomp_reset(d);
	if (rc) {
		decomp_free(d);
		return rc;
	}
	*ret_decomp = d;
	return 0;
}

uint64_t decomp_output_bytes(const struct decomp *d)
{
	return d->output_bytes;
}

void decomp_free(struct decomp *d)
{
	if (!d)
		return;
	if (d->zlib_ready)
		inflateEnd(&d->zs);
	if (d->lzma_ready)
		lzma_end(&d->ls);
	ZSTD_freeDStream(d->zstd);
	/* The scratch buffer and ISA-L's window held plaintext of the initrd. */
	OPENSSL_cleanse(d, sizeof(*d));
	free(d);
}

static int feed_zlib(struct decomp *d, const uint8_t *buf, uInt len, size_t *used, bool *end,
		     const char **why)
{
	int zrc;

	d->zs.next_in = (Bytef *)buf;
	d->zs.avail_in = len;
	do {
		d->zs.next_out = d->scratch;
		d->zs.avail_out = SCRATCH_SIZE;
		zrc = inflate(&d->zs, Z_NO_FLUSH);
		d->output_bytes += SCRATCH_SIZE - d->zs.avail_out;
	} while (zrc == Z_OK && (d->zs.avail_in || !d->zs.avail_out));
	*used = len - d->zs.avail_in;
	*end = zrc == Z_STREAM_END;
	if (zrc == Z_OK || zrc == Z_BUF_ERROR || zrc == Z_STREAM_END)
		return 0;
	*why = d->zs.msg ? d->zs.msg : "inflate failed";
	return -EINVAL;
}

#ifdef SEGEN_HAVE_ISAL
static const char *isal_reason(int rc)
{
	switch (rc) {
	case ISAL_INVALID_BLOCK:
		return "invalid deflate block";
	case ISAL_INVALID_SYMBOL:
		return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK:
		return "invalid distance too far back";
	case ISAL_INVALID_WRAPPER:
		return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD:
		return "unknown compression method";
	case ISAL_INCORRECT_CHECKSUM:
		return "incorrect data check";
	default:
		return "inflate failed";
	}
}

static int feed_isal(struct decomp *d, const uint8_t *buf, uint32_t len, size_t *used, bool *end,
		     const char **why)
{
	int rc;

	d->isal.next_in = (uint8_t *)buf;
	d->isal.avail_in = len;
	do {
		d->isal.next_out = d->scratch;
		d->isal.avail_out = SCRATCH_SIZE;
		rc = isal_inflate(&d->isal);
		d->output_bytes += SCRATCH_SIZE - d->isal.avail_out;
	} while (rc == ISAL_DECOMP_OK && d->isal.block_state != ISAL_BLOCK_FINISH &&
		 (d->isal.avail_in || !d->isal.avail_out));
	*used = len - d->isal.avail_in;
	*end = rc == ISAL_DECOMP_OK && d->isal.block_state == ISAL_BLOCK_FINISH;
	if (rc == ISAL_DECOMP_OK || rc == ISAL_END_INPUT)
		return 0;
	*why = isal_reason(rc);
	return -EINVAL;
}
#endif

static int feed_zstd(struct decomp *d, const uint8_t *buf, size_t len, size_t *used, bool *end,
		     const char **why)
{
	ZSTD_inBuffer in = { .src = buf, .size = len, .pos = 0 };

	for (;;) {
		ZSTD_outBuffer out = { .dst = d->scratch, .size = SCRATCH_SIZE, .pos = 0 };
		size_t left = ZSTD_decompressStream(d->zstd, &out, &in);

		d->output_bytes += out.pos;

		if (ZSTD_isError(left)) {
			*used = in.pos;
			*why = ZSTD_getErrorName(left);
			return -EINVAL;
		}
		/* 0: the frame is complete and flushed. */
		*end = left == 0;
		/* A full output buffer may hide more output for the same input. */
		if (*end || (in.pos == in.size && out.pos < out.size))
			break;
	}
	*used = in.pos;
	return 0;
}

static const char *lzma_reason(lzma_ret rc)
{
	switch (rc) {
	case LZMA_DATA_ERROR:
		return "compressed data is corrupt";
	case LZMA_FORMAT_ERROR:
		return "file format not recognized";
	case LZMA_OPTIONS_ERROR:
		return "unsupported options";
	case LZMA_MEM_ERROR:
		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:
		return "its dictionary needs more than 256 MiB to decompress";
	case LZMA_BUF_ERROR:
		return "compressed data is truncated or corrupt";
	default:
		return "decompression failed";
	}
}

static int feed_lzma(struct decomp *d, const uint8_t *buf, size_t len, size_t *used, bool *end,
		     const char **why)
{
	lzma_ret rc;

	d->ls.next_in = buf;
	d->ls.avail_in = len;
	do {
		d->ls.next_out = d->scratch;
		d->ls.avail_out = SCRATCH_SIZE;
		rc = lzma_code(&d->ls, LZMA_RUN);
		d->output_bytes += SCRATCH_SIZE - d->ls.avail_out;
	} while (rc == LZMA_OK && (d->ls.avail_in || !d->ls.avail_out));
	*used = len - d->ls.avail_in;
	*end = rc == LZMA_STREAM_END;
	if (rc == LZMA_OK || rc == LZMA_STREAM_END)
		return 0;
	*why = lzma_reason(rc);
	return -EINVAL;
}

int decomp_feed(struct decomp *d, const uint8_t *buf, size_t len, size_t *ret_used, bool *ret_end,
		const char **ret_why)
{
	size_t total = 0;
	bool end = false;
	int rc = 0;

	while (!rc && !end && total < len) {
		size_t piece = len - total < PIECE_MAX ? len - total : PIECE_MAX, used = 0;

		switch (d->format) {
		case DECOMP_GZIP:
#ifdef SEGEN_HAVE_ISAL
			if (d->inflater == DECOMP_INFLATER_ISAL) {
				rc = feed_isal(d, buf + total, (uint32_t)piece, &used, &end,
					       ret_why);
				break;
			}
#endif
			rc = feed_zlib(d, buf + total, (uInt)piece, &used, &end, ret_why);
			break;
		case DECOMP_ZSTD:
			rc = feed_zstd(d, buf + total, piece, &used, &end, ret_why);
			break;
		case DECOMP_XZ:
		case DECOMP_LZMA:
			rc = feed_lzma(d, buf + total, piece, &used, &end, ret_why);
			break;
		}
		total += used;
		if (!rc && !end && used < piece)
			break; /* the library keeps the rest buffered */
	}
	*ret_used = total;
	*ret_end = end;
	return rc;
}
