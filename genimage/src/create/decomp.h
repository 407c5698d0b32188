/* SPDX-License-Identifier: MIT */
/*
 * Streaming decompressors for the initrd check: each takes a compressed
 * stream in pieces of any size, checks it end to end (the format's own
 * checksum where it has one) and throws the output away. The caller learns
 * where the stream ended, so whatever follows it can be classified.
 *
 * gzip runs on ISA-L's igzip when segen was built with libisal (several times
 * zlib's speed), else on zlib; either can be chosen for tests and benchmarks.
 */
#ifndef SEGEN_DECOMP_H
#define SEGEN_DECOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum decomp_format {
	DECOMP_GZIP,
	DECOMP_ZSTD,
	DECOMP_XZ,
	DECOMP_LZMA,
};

enum decomp_inflater {
	DECOMP_INFLATER_DEFAULT, /* ISA-L when built in, else zlib */
	DECOMP_INFLATER_ZLIB,
	DECOMP_INFLATER_ISAL,
};

struct decomp;

/* Whether this build has ISA-L's inflater. */
bool decomp_have_isal(void);

/* The inflater DECOMP_INFLATER_DEFAULT stands for in this build. */
enum decomp_inflater decomp_default_inflater(void);

/* -EOPNOTSUPP for DECOMP_INFLATER_ISAL in a build without it; -ENOMEM. */
int decomp_new(enum decomp_format format, enum decomp_inflater inflater,
	       struct decomp **ret_decomp);

/* Start a new stream of the same format. */
int decomp_reset(struct decomp *d);

/*
 * Decompress from @buf. Sets *@ret_used to the bytes consumed and *@ret_end
 * when the stream (one gzip member, one zstd frame, one xz stream) is
 * complete and its checksum matched; bytes after the end are not consumed.
 * Returns 0, or -EINVAL for corrupt data with a short reason in *@ret_why
 * and the consumed count so far in *@ret_used.
 */
int decomp_feed(struct decomp *d, const uint8_t *buf, size_t len, size_t *ret_used, bool *ret_end,
		const char **ret_why);

/* Bytes decompressed so far, over every stream since decomp_new(). */
uint64_t decomp_output_bytes(const struct decomp *d);

void decomp_free(struct decomp *d);

#endif /* SEGEN_DECOMP_H */
