/* SPDX-License-Identifier: MIT */
/*
 * Reading an existing image: find its SE header and IPIB the way a loader
 * would (the metadata at 0xC000, else a scan of page boundaries, which also
 * finds images of the older C layout) and read both. No key is needed.
 */
#ifndef SEGEN_IMAGE_READ_H
#define SEGEN_IMAGE_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "format/layout.h"
#include "format/sehdr.h"

/*
 * Any image the file system holds is inspected (reading streams through it):
 * an image made for a guest larger than segen would build is still looked at.
 */
#define IMAGE_READ_MAX_SIZE ((uint64_t)INT64_MAX)

struct image_view {
	const char *path;
	int fd;
	uint64_t size;
	bool has_metadata;	 /* the 0xC000 block was found */
	bool has_stage_a_params; /* segen's stage-a parameters at 0x11000 were found */
	bool legacy; /* IPIB of the older C layout (header address patched at run time) */
	struct stage_a_params_info stage_a; /* valid with has_stage_a_params */
	uint64_t hdr_addr;
	uint64_t ipib_addr;
	uint8_t hdr_buf[SE_HDR_MAX_SIZE];
	size_t hdr_len; /* from the IPIB */
	struct ipib_info ipib;
};

/*
 * Open @path and locate header and IPIB, applying the hypervisor's IPIB
 * checks. Failures name the file and what is wrong.
 */
int image_open(const char *path, struct image_view *ret_view, struct errinfo *err);

/*
 * What stage-a will check at boot, before the hypervisor sees anything, in its
 * order: its parameters (version, reserved fields) name an SE header of the
 * size they say and a PV IPIB for that header. An image without the parameter
 * block passes (IBM's loaders have none) unless its stage-a code is
 * @stage_a's (the blob of @stage_a_size bytes create puts at 0; NULL: no such check).
 * -EBADMSG with the reason and stage-a's wait code in @err.
 */
int image_check_stage_a_params(const struct image_view *view, const uint8_t *stage_a,
			       size_t stage_a_size, struct errinfo *err);

void image_close(struct image_view *view);

/*
 * What every command that reads one image does: open @path into a view of
 * its own, run @fn on it with @ctx, close it again. Returns what
 * image_open() or @fn returned.
 */
int image_with_view(const char *path,
		    int (*fn)(const struct image_view *view, void *ctx, struct errinfo *err),
		    void *ctx, struct errinfo *err);

#endif /* SEGEN_IMAGE_READ_H */
