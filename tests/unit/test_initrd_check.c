// SPDX-License-Identifier: MIT
/*
 * The initrd check: every format the kernel unpacks is recognised and named,
 * concatenated parts (early cpio + compressed main part) are each checked,
 * with both inflaters (ISA-L and zlib) and with the data arriving in pieces of
 * every size; corrupt, truncated and trailing-junk parts are refused with the
 * part's offset.
 */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include "create/initrd_check.h"
#include "base/util.h"
#include "tap.h"

struct buf {
	uint8_t *data;
	size_t len;
};

static void put(struct buf *b, const void *p, size_t len)
{
	if (!len) /* an empty file's data: memcpy may not be handed NULL */
		return;
	b->data = realloc(b->data, b->len + len);
	memcpy(b->data + b->len, p, len);
	b->len += len;
}

static void put_zeros(struct buf *b, size_t len)
{
	b->data = realloc(b->data, b->len + len);
	memset(b->data + b->len, 0, len);
	b->len += len;
}

static void cpio_entry(struct buf *b, const char *name, const void *data, size_t len)
{
	char head[128];
	size_t start = b->len;

	snprintf(head, sizeof(head), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 1u, 0100644u, 0u, 0u, 1u, 0u, (unsigned int)len, 0u, 0u, 0u, 0u,
		 (unsigned int)strlen(name) + 1, 0u);
	put(b, head, 110);
	put(b, name, strlen(name) + 1);
	put_zeros(b, (4 - (b->len - start) % 4) % 4);
	put(b, data, len);
	put_zeros(b, (4 - len % 4) % 4);
}

/* A cpio archive of @nr_files files of text-like content, ending in its trailer. */
static struct buf make_cpio(unsigned int nr_files, size_t file_len, unsigned int seed)
{
	struct buf b = { 0 };
	uint8_t *content = malloc(file_len);

	srand(seed);
	for (unsigned int f = 0; f < nr_files; f++) {
		char name[32];

		for (size_t i = 0; i < file_len; i++)
			content[i] = (uint8_t)("abcdefgh \n"[rand() % 10]);
		snprintf(name, sizeof(name), "dir/file%u", f);
		cpio_entry(&b, name, content, file_len);
	}
	cpio_entry(&b, "TRAILER!!!", NULL, 0);
	free(content);
	return b;
}

static void put_gzip(struct buf *b, const struct buf *in)
{
	z_stream zs = { 0 };
	uLong bound;

	deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	bound = deflateBound(&zs, in->len) + 32;
	b->data = realloc(b->data, b->len + bound);
	zs.next_in = in->data;
	zs.avail_in = (uInt)in->len;
	zs.next_out = b->data + b->len;
	zs.avail_out = (uInt)bound;
	deflate(&zs, Z_FINISH);
	b->len += bound - zs.avail_out;
	deflateEnd(&zs);
}

static void put_zstd(struct buf *b, const struct buf *in)
{
	size_t bound = ZSTD_compressBound(in->len);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();

	/* As the zstd command writes it: with a content checksum. */
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	b->data = realloc(b->data, b->len + bound);
	b->len += ZSTD_compress2(cctx, b->data + b->len, bound, in->data, in->len);
	ZSTD_freeCCtx(cctx);
}

static void put_xz(struct buf *b, const struct buf *in, bool alone)
{
	size_t bound = lzma_stream_buffer_bound(in->len) + 64, pos = 0;
	lzma_stream ls = LZMA_STREAM_INIT;
	lzma_options_lzma opt;

	b->data = realloc(b->data, b->len + bound);
	if (alone) {
		lzma_lzma_preset(&opt, 6);
		if (lzma_alone_encoder(&ls, &opt) != LZMA_OK)
			abort();
		ls.next_in = in->data;
		ls.avail_in = in->len;
		ls.next_out = b->data + b->len;
		ls.avail_out = bound;
		while (lzma_code(&ls, LZMA_FINISH) == LZMA_OK)
			;
		pos = bound - ls.avail_out;
		lzma_end(&ls);
	} else {
		lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in->data, in->len,
					b->data + b->len, &pos, bound);
	}
	b->len += pos;
}

/* Run the check over @b in pieces of @chunk bytes; returns its result. */
static int check(const struct buf *b, size_t chunk, enum decomp_inflater inflater,
		 struct errinfo *err, char *summary, size_t summary_len)
{
	struct initrd_check *c;
	int rc = 0;

	if (initrd_check_new("initrd", inflater, &c))
		return -ENOMEM;
	for (size_t off = 0; off < b->len && !rc; off += chunk)
		rc = initrd_check_feed(c, b->data + off,
				       b->len - off < chunk ? b->len - off : chunk, err);
	rc = rc ?: initrd_check_finish(c, err);
	if (!rc && summary)
		initrd_check_describe(c, summary, summary_len);
	initrd_check_free(c);
	return rc;
}

static const size_t chunks[] = { 1, 3, 7, 64, 4093, 65536, 1 << 22 };

static void test_good(const char *what, const struct buf *b, const char *want_summary)
{
	const enum decomp_inflater inflaters[] = { DECOMP_INFLATER_ZLIB, DECOMP_INFLATER_ISAL };

	for (size_t i = 0; i < ARRAY_SIZE(inflaters); i++) {
		bool all_ok = true;
		char summary[640] = "";

		if (inflaters[i] == DECOMP_INFLATER_ISAL && !decomp_have_isal()) {
			/* `make deps` installs libisal-dev: only an ISAL=0 build gets here. */
			ok(true, "# SKIP %s: this build has no ISA-L (ISAL=0)", what);
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(chunks); k++) {
			struct errinfo err = { "" };
			int rc = check(b, chunks[k], inflaters[i], &err, summary, sizeof(summary));

			if (rc || strcmp(summary, want_summary)) {
				printf("# chunk %zu: rc %d: %s\n# summary: %s\n# want:    %s\n",
				       chunks[k], rc, err.msg, summary, want_summary);
				all_ok = false;
			}
		}
		ok(all_ok, "%s (%s, every piece size)", what, i ? "isal" : "zlib");
	}
}

static void test_bad(const char *what, const struct buf *b, const char *want_msg)
{
	bool all_ok = true;

	for (size_t k = 0; k < ARRAY_SIZE(chunks); k++) {
		struct errinfo err = { "" };
		int rc = check(b, chunks[k], DECOMP_INFLATER_DEFAULT, &err, NULL, 0);

		if (rc != -EINVAL || !strstr(err.msg, want_msg)) {
			printf("# chunk %zu: rc %d: '%s', want '%s'\n", chunks[k], rc, err.msg,
			       want_msg);
			all_ok = false;
		}
	}
	ok(all_ok, "%s is refused: %s", what, want_msg);
}

int main(void)
{
	struct buf early = make_cpio(2, 3000, 1), main_cpio = make_cpio(40, 20000, 2);
	struct buf b = { 0 }, bad;
	char want[640];
	size_t gz_at, gz_len;

	/* An uncompressed cpio alone, then padded to 512 as cpio(1) writes it. */
	b.len = 0;
	put(&b, early.data, early.len);
	snprintf(want, sizeof(want), "cpio at 0 (%zu bytes, checked)", early.len);
	test_good("an uncompressed cpio archive", &b, want);

	/* Early microcode cpio, padding, gzip main archive: what dracut makes. */
	put_zeros(&b, 512 - b.len % 512);
	gz_at = b.len;
	put_gzip(&b, &main_cpio);
	gz_len = b.len - gz_at;
	snprintf(want, sizeof(want),
		 "cpio at 0 (%zu bytes, checked), gzip at %zu (%zu bytes, checked)", early.len,
		 gz_at, gz_len);
	test_good("early cpio + gzip", &b, want);

	/* A corrupt byte in the middle of the gzip part; a truncated one. */
	bad = (struct buf){ malloc(b.len), b.len };
	memcpy(bad.data, b.data, b.len);
	for (size_t i = gz_at + gz_len / 2; i < gz_at + gz_len / 2 + 16; i++)
		bad.data[i] ^= 0x55;
	snprintf(want, sizeof(want), "(part 2: gzip from offset %zu)", gz_at);
	test_bad("a corrupt gzip part", &bad, want);
	bad.len = b.len - 5;
	memcpy(bad.data, b.data, b.len);
	test_bad("a truncated gzip part", &bad, "gzip data is truncated");
	/* A damaged CRC-32: only the trailer check can see it. */
	bad.len = b.len;
	bad.data[b.len - 6] ^= 1;
	test_bad("a gzip part with a wrong CRC", &bad, "corrupt gzip data");

	/* A damaged cpio header in the early part names the header's offset. */
	/* The second header: after 110 + "dir/file0\0" padded to 120, and 3000 data bytes. */
	memcpy(bad.data, b.data, b.len);
	bad.data[3120] = 'Z';
	test_bad("a damaged cpio header", &bad,
		 "corrupt cpio archive: no header magic at offset 3120 (part 1: cpio");
	memcpy(bad.data, b.data, b.len);
	bad.data[6] = 'x';
	test_bad("a cpio header with a non-hex field", &bad,
		 "corrupt cpio header: a field is not hex at offset 0 (part 1: cpio");

	/*
	 * Zeros between entries, keeping the next header 4-aligned: Linux's
	 * unpacker skips them (init/initramfs.c, do_reset()), so must the check.
	 */
	{
		struct buf z = { 0 };

		cpio_entry(&z, "a", "data", 4);
		put_zeros(&z, 8);
		cpio_entry(&z, "TRAILER!!!", NULL, 0);
		snprintf(want, sizeof(want), "cpio at 0 (%zu bytes, checked)", z.len);
		test_good("zeros between cpio entries", &z, want);
		free(z.data);
	}

	/* The cpio name length at its limit (4096 with the NUL) and past it; hex in either case. */
	{
		struct buf c = { 0 };
		static char name[4096];

		memset(name, 'n', sizeof(name) - 1);
		cpio_entry(&c, name, "fifteen bytes!!", 15);
		cpio_entry(&c, "TRAILER!!!", NULL, 0);
		snprintf(want, sizeof(want), "cpio at 0 (%zu bytes, checked)", c.len);
		test_good("a cpio name of 4096 bytes with its NUL, a file of 0xF bytes", &c, want);
		c.data[61] = 'f'; /* the file size field, 0000000F */
		test_good("the same with the size in lower-case hex", &c, want);
		/* The file's 15 bytes start at 4208 (110 + 4096, padded); its pad byte is skipped unread. */
		c.data[4208 + 15] = 0x5a;
		test_good("a file's padding is skipped whatever it holds", &c, want);
		c.data[4208 + 15] = 0;
		memcpy(c.data + 94, "00000000", 8); /* the name size field */
		test_bad("a cpio header with a name length of 0", &c,
			 "corrupt cpio header: bad name length at offset 0");
		memcpy(c.data + 94, "00001001", 8);
		test_bad("a cpio header with a name length of 4097", &c,
			 "corrupt cpio header: bad name length at offset 0");
		free(c.data);
	}

	/* Junk after the last part. */
	b.len = gz_at + gz_len;
	put(&b, "junk!!", 6);
	snprintf(want, sizeof(want), "unexpected data at offset %zu after part 2", gz_at + gz_len);
	test_bad("junk after the gzip part", &b, want);

	/* Two gzip members, zero padding, zstd, xz and lzma parts. */
	b.len = 0;
	put_gzip(&b, &early);
	gz_len = b.len;
	put_gzip(&b, &main_cpio);
	{
		size_t second = b.len - gz_len, zstd_at, xz_at, lzma_at;

		put_zeros(&b, 100);
		zstd_at = b.len;
		put_zstd(&b, &main_cpio);
		xz_at = b.len;
		put_xz(&b, &main_cpio, false);
		lzma_at = b.len;
		put_xz(&b, &early, true);
		snprintf(want, sizeof(want),
			 "gzip at 0 (%zu bytes, checked), gzip at %zu (%zu bytes, checked), zstd at "
			 "%zu (%zu bytes, checked), xz at %zu (%zu bytes, checked), lzma at %zu "
			 "(%zu bytes, checked)",
			 gz_len, gz_len, second, zstd_at, xz_at - zstd_at, xz_at, lzma_at - xz_at,
			 lzma_at, b.len - lzma_at);
		test_good("gzip members, zstd, xz and lzma parts", &b, want);

		free(bad.data);
		bad = (struct buf){ malloc(b.len), b.len };
		memcpy(bad.data, b.data, b.len);
		bad.data[zstd_at + (xz_at - zstd_at) / 2] ^= 0xff;
		snprintf(want, sizeof(want), "(part 3: zstd from offset %zu)", zstd_at);
		test_bad("a corrupt zstd part", &bad, want);
		memcpy(bad.data, b.data, b.len);
		bad.data[xz_at + (lzma_at - xz_at) / 2] ^= 0xff;
		snprintf(want, sizeof(want), "(part 4: xz from offset %zu)", xz_at);
		test_bad("a corrupt xz part", &bad, want);
		memcpy(bad.data, b.data, b.len);
		bad.len = lzma_at + 20;
		test_bad("a truncated lzma part", &bad, "lzma data is truncated");
	}

	/* Formats named but not checked; something that is no archive at all. */
	b.len = 0;
	put(&b, early.data, early.len);
	put(&b, "BZh91AY&SY", 10);
	put_zeros(&b, 300);
	snprintf(want, sizeof(want),
		 "cpio at 0 (%zu bytes, checked), bzip2 at %zu (310 bytes, not checked)", early.len,
		 early.len);
	test_good("a bzip2 part is named, not checked", &b, want);
	b.len = 0;
	put(&b, "\xeb\x3c\x90mkfs.fat", 11);
	put_zeros(&b, 1000);
	test_good("a filesystem image passes unchecked", &b,
		  "unknown at 0 (1011 bytes, no known format, not checked)");
	free(bad.data);
	free(b.data);
	free(early.data);
	free(main_cpio.data);
	return done_testing();
}
