/* SPDX-License-Identifier: MIT */
/*
 * Proving an initrd intact while it streams past, the way the kernel will
 * unpack it: an initrd is a sequence of parts (an uncompressed cpio archive,
 * such as early microcode, then a compressed main archive, as dracut and
 * initramfs-tools make them), with zero padding allowed between parts. Each
 * part's format is recognised by its magic; cpio archives are walked header by
 * header to their trailer, gzip, zstd, xz and lzma parts are decompressed end
 * to end with their checksums checked. A corrupt or truncated part is refused
 * with its offset at build time instead of failing inside a guest nobody can
 * see. bzip2, lz4 and lzo parts are named but not checked (nor is what follows
 * them); an initrd whose start is no known format (a filesystem image) passes
 * unchecked.
 */
#ifndef SEGEN_INITRD_CHECK_H
#define SEGEN_INITRD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "create/decomp.h"

enum initrd_format {
	INITRD_UNKNOWN,
	INITRD_CPIO,
	INITRD_GZIP,
	INITRD_ZSTD,
	INITRD_XZ,
	INITRD_LZMA,
	INITRD_BZIP2,
	INITRD_LZ4,
	INITRD_LZO,
};

/* Parts beyond this many are counted, not listed. */
#define INITRD_MAX_LISTED_PARTS 8

struct initrd_part {
	enum initrd_format format;
	uint64_t offset;
	uint64_t size; /* up to the end of the file for an unchecked part */
	bool checked;
};

struct initrd_check;

int initrd_check_new(const char *name, enum decomp_inflater inflater,
		     struct initrd_check **ret_check);

/* Feed the next bytes of the initrd (a comp_inspect_fn). */
int initrd_check_feed(void *check, const uint8_t *buf, size_t len, struct errinfo *err);

/* After the last byte: a part still open is a truncated file. */
int initrd_check_finish(struct initrd_check *check, struct errinfo *err);

/* The parts found (at most INITRD_MAX_LISTED_PARTS); *@ret_total counts all. */
const struct initrd_part *initrd_check_parts(const struct initrd_check *check, size_t *ret_listed,
					     size_t *ret_total);

/*
 * What the initramfs unpacks from: the bytes of the cpio parts plus what the
 * compressed parts decompress to; 0 (unknown) when a part was not checked.
 */
uint64_t initrd_check_unpacked_size(const struct initrd_check *check);

/* "cpio", "gzip", ...; "unknown" */
const char *initrd_format_name(enum initrd_format format);

/* One line for create's summary: "cpio at 0 (checked), gzip at 0x5200 (checked)". */
void initrd_check_describe(const struct initrd_check *check, char *buf, size_t len);

void initrd_check_free(struct initrd_check *check);

#endif /* SEGEN_INITRD_CHECK_H */
