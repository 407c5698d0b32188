// SPDX-License-Identifier: MIT
#include "u64map.h"

#include <errno.h>
#include <stdlib.h>

static size_t slot_of(const struct u64map *m, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & (m->cap - 1);
}

static int alloc_table(struct u64map *m, size_t cap)
{
	m->keys = malloc(cap * sizeof(*m->keys));
	m->values = malloc(cap * sizeof(*m->values));
	m->state = calloc(cap, 1);
	m->cap = cap;
	m->used = m->tombstones = 0;
	if (!m->keys || !m->values || !m->state) {
		u64map_free(m);
		return -ENOMEM;
	}
	return 0;
}

int u64map_init(struct u64map *m)
{
	return alloc_table(m, 1024);
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->values);
	free(m->state);
	*m = (struct u64map){ 0 };
}

/* The slot holding @key, or the first free one on its probe path. */
static size_t find(const struct u64map *m, uint64_t key, int *ret_found)
{
	size_t i = slot_of(m, key), first_free = SIZE_MAX;

	for (;; i = (i + 1) & (m->cap - 1)) {
		if (m->state[i] == 0) {
			*ret_found = 0;
			return first_free != SIZE_MAX ? first_free : i;
		}
		if (m->state[i] == 2) {
			if (first_free == SIZE_MAX)
				first_free = i;
		} else if (m->keys[i] == key) {
			*ret_found = 1;
			return i;
		}
	}
}

int u64map_get(const struct u64map *m, uint64_t key, uint64_t *ret_value)
{
	int found;
	size_t i = find(m, key, &found);

	if (!found)
		return -ENOENT;
	if (ret_value)
		*ret_value = m->values[i];
	return 0;
}

static int grow(struct u64map *m)
{
	struct u64map old = *m;
	int r = alloc_table(m, (old.used + 1) * 4 > old.cap ? old.cap * 2 : old.cap);

	if (r < 0) {
		*m = old;
		return r;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.state[i] == 1)
			u64map_put(m, old.keys[i], old.values[i]);
	u64map_free(&old);
	return 0;
}

int u64map_put(struct u64map *m, uint64_t key, uint64_t value)
{
	int found;
	size_t i;

	if ((m->used + m->tombstones + 1) * 4 > m->cap * 3) {
		int r = grow(m);

		if (r < 0)
			return r;
	}
	i = find(m, key, &found);
	if (!found) {
		if (m->state[i] == 2)
			m->tombstones--;
		m->state[i] = 1;
		m->keys[i] = key;
		m->used++;
	}
	m->values[i] = value;
	return 0;
}

int u64map_del(struct u64map *m, uint64_t key)
{
	int found;
	size_t i = find(m, key, &found);

	if (!found)
		return -ENOENT;
	m->state[i] = 2;
	m->used--;
	m->tombstones++;
	return 0;
}
