/* SPDX-License-Identifier: MIT */
/*
 * Components: streaming every page of an image component exactly once through
 * pad -> transform (AES-256-XTS encrypt or decrypt, or none) -> digests
 * (PLD over the stored bytes, ALD over page addresses, TLD over tweaks).
 *
 * The PLD is one SHA-512 over all stored bytes, which no amount of parallelism
 * can shorten, so it runs on its own thread while the caller's thread reads and
 * encrypts the next chunk; writing the output and checking the plaintext (an
 * initrd's decompression) have a thread each too. Memory is bounded:
 * COMP_NR_SLOTS chunks.
 */
#ifndef SEGEN_COMP_H
#define SEGEN_COMP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "format/sehdr.h"

#define SE_PAGE_SIZE 4096u
#define COMP_CHUNK_SIZE (2u << 20)
#define COMP_NR_SLOTS 4u

enum comp_transform {
	COMP_ENCRYPT,	   /* plaintext in, ciphertext stored */
	COMP_STORE_PLAIN,  /* plaintext in, padded plaintext stored (PCF bit 35) */
	COMP_DECRYPT,	   /* stored ciphertext in, plaintext out (verification) */
	COMP_VERIFY_PLAIN, /* stored plaintext in, the same out (verification, PCF bit 35) */
};

/* Where a component's bytes come from: a file range or a memory buffer. */
struct comp_source {
	int fd; /* -1: read from buf */
	uint64_t offset;
	const uint8_t *buf;
	uint64_t size;	  /* unpadded; 0 still makes one page */
	const char *name; /* for messages */
};

/*
 * Where the output pages go: a file at an offset, memory (fd -1 and buf), or
 * nowhere (fd -1, buf NULL). The memory may be the source's own bytes: each
 * chunk is written back only after it was read, so decrypting in place works.
 */
struct comp_sink {
	int fd;
	uint64_t offset;
	uint8_t *buf;
	const char *name; /* for messages */
};

/*
 * Sees the plaintext in order, padding excluded, on the pipeline's inspector
 * thread. A negative return (with @err set) aborts the run: the next
 * comp_pipeline_run(), _drain() or _finish() returns it.
 */
typedef int (*comp_inspect_fn)(void *opaque, const uint8_t *buf, size_t len, struct errinfo *err);

struct comp_spec {
	uint64_t addr;	       /* guest address of the first page */
	uint64_t tweak_prefix; /* BE16 component id || 6 random bytes */
	enum comp_transform transform;
	const uint8_t *xts_key; /* SE_XTS_KEY_LEN bytes; unused for the plain transforms */
	comp_inspect_fn inspect;
	void *inspect_opaque;
};

struct comp_pipeline;

typedef void (*comp_progress_fn)(void *opaque, uint64_t bytes_done);

int comp_pipeline_new(struct comp_pipeline **ret_pipeline);

/* Report progress (bytes read so far over all components) after each chunk. */
void comp_pipeline_set_progress(struct comp_pipeline *p, comp_progress_fn fn, void *opaque);

/*
 * Stream one component; components must come in ascending address order. With
 * spec->inspect, the check has seen every byte of the component on return.
 */
int comp_pipeline_run(struct comp_pipeline *p, const struct comp_spec *spec,
		      const struct comp_source *src, const struct comp_sink *sink,
		      struct errinfo *err);

/* Wait until every chunk streamed so far is hashed and written. */
int comp_pipeline_drain(struct comp_pipeline *p, struct errinfo *err);

/* Wait for the workers and return the digests and the page count. */
int comp_pipeline_finish(struct comp_pipeline *p, uint8_t pld[SE_DIGEST_LEN],
			 uint8_t ald[SE_DIGEST_LEN], uint8_t tld[SE_DIGEST_LEN],
			 uint64_t *ret_nr_pages, struct errinfo *err);

void comp_pipeline_free(struct comp_pipeline *p);

/* Number of pages a component of @size bytes occupies (at least one). */
static inline uint64_t comp_nr_pages(uint64_t size)
{
	return size ? (size + SE_PAGE_SIZE - 1) / SE_PAGE_SIZE : 1;
}

/* The 16-byte XTS tweak of page @index of a component. */
void comp_page_tweak(uint64_t tweak_prefix, uint64_t index, uint8_t tweak[16]);

#endif /* SEGEN_COMP_H */
