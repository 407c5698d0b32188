/* SPDX-License-Identifier: MIT */
/* A small open-addressing hash map from u64 to u64, for pairing trace events. */
#ifndef SWIOTLB_U64MAP_H
#define SWIOTLB_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys, *values;
	uint8_t *state; /* 0 empty, 1 used, 2 deleted */
	size_t cap, used, tombstones;
};

int u64map_init(struct u64map *m);
void u64map_free(struct u64map *m);
/* 0 and *ret_value (may be NULL) if present, -ENOENT if not. */
int u64map_get(const struct u64map *m, uint64_t key, uint64_t *ret_value);
/* Insert or replace. */
int u64map_put(struct u64map *m, uint64_t key, uint64_t value);
/* 0 if it was there, -ENOENT if not. */
int u64map_del(struct u64map *m, uint64_t key);

#endif
