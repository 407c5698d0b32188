// SPDX-License-Identifier: MIT
/*
 * Runs a fuzz target without libFuzzer, as a regression test in `make test`:
 * every seed file given, then ROUNDS deterministic mutations of them (bit
 * flips, truncations, byte runs, splices). Prints TAP: one line per target.
 *   fuzz_driver_<target> NAME SEED... (ROUNDS from FUZZ_DRIVER_ROUNDS, default 3000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEDS 256 /* seeds plus the in-tree corpus */
#define MAX_INPUT (256u << 10)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t mutate(uint8_t *buf, size_t len, const uint8_t *other, size_t other_len)
{
	switch (rng() % 5) {
	case 0: /* flip a few bits */
		for (int i = 0, n = 1 + (int)(rng() % 4); len && i < n; i++)
			buf[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
		return len;
	case 1: /* truncate */
		return len ? (size_t)(rng() % len) : 0;
	case 2: /* overwrite a run with one value */
		if (len) {
			size_t at = (size_t)(rng() % len), n = (size_t)(rng() % 64);
			uint8_t v = (uint8_t)(rng() % 3 == 0 ? 0xff : rng());

			memset(buf + at, v, at + n > len ? len - at : n);
		}
		return len;
	case 3: /* splice the tail of another seed */
		if (other_len && len) {
			size_t at = (size_t)(rng() % len), from = (size_t)(rng() % other_len);
			size_t n = other_len - from;

			if (at + n > MAX_INPUT)
				n = MAX_INPUT - at;
			memcpy(buf + at, other + from, n);
			return at + n;
		}
		return len;
	default: /* set a big-endian word to an edge value */
		if (len >= 8) {
			static const uint64_t edges[] = { 0, 1, 0xff, 0x1000, 0x7fffffff, ~0ULL };
			size_t at = (size_t)(rng() % (len - 7));
			uint64_t v = edges[rng() % 6];

			for (size_t i = 0; i < 8; i++)
				buf[at + i] = (uint8_t)(v >> (56 - 8 * i));
		}
		return len;
	}
}

int main(int argc, char **argv)
{
	uint8_t *seeds[MAX_SEEDS], *buf = malloc(MAX_INPUT);
	size_t lens[MAX_SEEDS], nr = 0;
	const char *env = getenv("FUZZ_DRIVER_ROUNDS");
	long rounds = env ? atol(env) : 3000;

	if (argc < 2 || !buf)
		return 2;
	for (int i = 2; i < argc && nr < MAX_SEEDS; i++) {
		struct errinfo err;

		if (file_read_all(argv[i], MAX_INPUT, &seeds[nr], &lens[nr], &err) == 0)
			nr++;
		else
			fprintf(stderr, "# skipping seed: %s\n", err.msg);
	}
	printf("1..1\n");
	for (size_t i = 0; i < nr; i++)
		LLVMFuzzerTestOneInput(seeds[i], lens[i]);
	for (long r = 0; nr && r < rounds; r++) {
		size_t s = (size_t)(rng() % nr), o = (size_t)(rng() % nr), len = lens[s];

		memcpy(buf, seeds[s], len);
		for (int k = 0, n = 1 + (int)(rng() % 3); k < n; k++)
			len = mutate(buf, len, seeds[o], lens[o]);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("ok 1 - %s: %zu seeds and %ld mutations without a crash\n", argv[1], nr,
	       nr ? rounds : 0);
	for (size_t i = 0; i < nr; i++)
		free(seeds[i]);
	free(buf);
	return 0;
}
