// SPDX-License-Identifier: MIT
/* The pool configuration: the kernel's "swiotlb=" syntax and what a pool may be. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void set_reason(const char **reason, const char *text)
{
	if (reason)
		*reason = text;
}

/* A decimal or 0x-hex number as the kernel's simple_strtoul(.., 0) reads it. */
static int parse_number(const char **p, uint64_t limit, uint64_t *ret_value)
{
	const char *s = *p;
	uint64_t value = 0;
	unsigned int base = 10;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && isdigit((unsigned char)s[1])) {
		base = 8;
		s++;
	}
	for (; *s; s++) {
		unsigned int digit;

		if (isdigit((unsigned char)*s))
			digit = (unsigned int)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			digit = (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);
		else
			break;
		if (digit >= base)
			return -EINVAL;
		if (value > (limit - digit) / base)
			return -ERANGE;
		value = value * base + digit;
	}
	*p = s;
	*ret_value = value;
	return 0;
}

int swiotlb_config_parse(const char *value, struct swiotlb_config *cfg, const char **reason)
{
	const char *p = value;
	uint64_t nslabs, nareas;
	int r;

	if (!value || !cfg) {
		set_reason(reason, "no value given");
		return -EINVAL;
	}
	if (strncmp(p, "swiotlb=", 8) == 0)
		p += 8;
	r = parse_number(&p, SWIOTLB_MAX_SLABS, &nslabs);
	if (r < 0) {
		set_reason(reason, r == -ERANGE ?
					   "slot count too large" :
					   "expected <slots>[,<areas>] with a number of slots");
		return -EINVAL;
	}
	/* The kernel rounds up so that no segment is shorter than 128 slots. */
	nslabs = (nslabs + SWIOTLB_SEGMENT_SLOTS - 1) / SWIOTLB_SEGMENT_SLOTS *
		 SWIOTLB_SEGMENT_SLOTS;
	if (*p == ',') {
		p++;
		if (isdigit((unsigned char)*p)) {
			r = parse_number(&p, SWIOTLB_MAX_AREAS * 2ull, &nareas);
			if (r < 0) {
				set_reason(reason, "area count not a number or too large");
				return -EINVAL;
			}
			cfg->nareas = (unsigned int)nareas;
		}
		if (*p == ',')
			p++;
	}
	if (*p && strcmp(p, "force") != 0 && strcmp(p, "noforce") != 0) {
		set_reason(reason, "trailing text after <slots>[,<areas>][,force]");
		return -EINVAL;
	}
	cfg->nslabs = nslabs;
	return 0;
}

int swiotlb_config_check(const struct swiotlb_config *cfg, const char **reason)
{
	if (!cfg) {
		set_reason(reason, "no configuration");
		return -EINVAL;
	}
	if (cfg->nslabs == 0) {
		set_reason(reason, "zero slots: a pool needs at least one segment of 128 slots");
		return -EINVAL;
	}
	if (cfg->nslabs > SWIOTLB_MAX_SLABS) {
		set_reason(reason, "more than 33554432 slots (64 GiB)");
		return -EINVAL;
	}
	if (cfg->nslabs % SWIOTLB_SEGMENT_SLOTS) {
		set_reason(reason, "slot count is not a multiple of 128 (one segment)");
		return -EINVAL;
	}
	if (cfg->nareas == 0 || (cfg->nareas & (cfg->nareas - 1))) {
		set_reason(reason, "the number of areas must be a power of two (1, 2, 4, ...)");
		return -EINVAL;
	}
	if (cfg->nareas > SWIOTLB_MAX_AREAS) {
		set_reason(reason, "more than 1024 areas");
		return -EINVAL;
	}
	if (cfg->nslabs < (uint64_t)cfg->nareas * SWIOTLB_SEGMENT_SLOTS) {
		set_reason(reason, "more areas than segments: every area needs 128 slots or more");
		return -EINVAL;
	}
	if ((cfg->nslabs / cfg->nareas) % SWIOTLB_SEGMENT_SLOTS) {
		set_reason(reason, "areas would split a segment: slots must be a multiple of "
				   "128 times the number of areas");
		return -EINVAL;
	}
	if (cfg->dma_base % SWIOTLB_SEGMENT_SIZE) {
		set_reason(reason, "the pool's DMA address is not aligned to 256 KiB");
		return -EINVAL;
	}
	if (cfg->region && !cfg->dma_base && (uintptr_t)cfg->region % SWIOTLB_SEGMENT_SIZE) {
		set_reason(reason, "the pool's memory is not aligned to 256 KiB");
		return -EINVAL;
	}
	if (cfg->allocator != SWIOTLB_ALLOC_BITMAP && cfg->allocator != SWIOTLB_ALLOC_LINUX61) {
		set_reason(reason, "unknown allocator");
		return -EINVAL;
	}
	return 0;
}
