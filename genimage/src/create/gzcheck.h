/* SPDX-License-Identifier: MIT */
/*
 * Proving a gzip initrd intact while it streams past: every gzip member is
 * inflated end to end (zlib checks CRC-32 and length of each), so a truncated
 * or corrupted ramdisk is refused at build time instead of failing inside a
 * guest nobody can see. Non-gzip ramdisks pass through unchecked.
 */
#ifndef SEGEN_GZCHECK_H
#define SEGEN_GZCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct gzcheck;

int gzcheck_new(const char *name, struct gzcheck **ret_check);

/* Feed the next bytes of the ramdisk (a comp_inspect_fn). */
int gzcheck_feed(void *check, const uint8_t *buf, size_t len, struct errinfo *err);

/* After the last byte: a member still open is a truncated file. */
int gzcheck_finish(struct gzcheck *check, struct errinfo *err);

/* Whether the ramdisk started as gzip (and so was checked). */
int gzcheck_was_gzip(const struct gzcheck *check);

/* Bytes the gzip members inflate to (0 when it was not gzip). */
uint64_t gzcheck_inflated_size(const struct gzcheck *check);

void gzcheck_free(struct gzcheck *check);

#endif /* SEGEN_GZCHECK_H */
