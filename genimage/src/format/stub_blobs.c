// SPDX-License-Identifier: MIT
#include "format/stub_blobs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "stub-abi.h"
#include "base/util.h"

/* Defined by the generated stub_blobs.S (genimage/stub_blobs.S.in). */
extern const uint8_t stub_stage_a_blob[], stub_stage_a_blob_end[];
extern const uint8_t stub_stage_b_blob[], stub_stage_b_blob_end[];

#define STUB_BLOB_MAX (1u << 20)

static int read_blob(const char *dir, const char *name, uint8_t **ret_buf, size_t *ret_len,
		     struct errinfo *err)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		path = NULL;
		return err_set(err, -ENOMEM, "out of memory");
	}
	return file_read_all(path, STUB_BLOB_MAX, ret_buf, ret_len, err);
}

int stub_blobs_load(const char *dir, struct stub_blobs *ret_blobs, struct errinfo *err)
{
	struct stub_blobs b = { 0 };
	int rc;

	if (!dir) {
		b.stage_a = stub_stage_a_blob;
		b.stage_a_size = (size_t)(stub_stage_a_blob_end - stub_stage_a_blob);
		b.stage_b = stub_stage_b_blob;
		b.stage_b_size = (size_t)(stub_stage_b_blob_end - stub_stage_b_blob);
		*ret_blobs = b;
		return 0;
	}
	rc = read_blob(dir, "stage-a.bin", &b.owned_a, &b.stage_a_size, err);
	rc = rc ?: read_blob(dir, "stage-b.bin", &b.owned_b, &b.stage_b_size, err);
	if (rc) {
		stub_blobs_done(&b);
		return rc;
	}
	b.stage_a = b.owned_a;
	b.stage_b = b.owned_b;
	*ret_blobs = b;
	return 0;
}

void stub_blobs_done(struct stub_blobs *blobs)
{
	free(blobs->owned_a);
	free(blobs->owned_b);
	memset(blobs, 0, sizeof(*blobs));
}
