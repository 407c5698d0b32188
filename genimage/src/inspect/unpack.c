// SPDX-License-Identifier: MIT
#include "inspect/unpack.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "inspect/elf_out.h"
#include "base/fileio.h"
#include "base/outfile.h"
#include "base/util.h"

int unpack_to_elf_fd(const struct image_view *v, EVP_PKEY *const *keys, size_t nr_keys, int fd,
		     const char *name, struct uv_result *res, struct errinfo *err)
{
	struct elf_segment segs[IPIB_MAX_COMPONENTS];
	uint64_t offsets[IPIB_MAX_COMPONENTS], file_size;
	struct uv_unpack_target target;
	_cleanup_free_ uint8_t *headers = NULL;
	size_t nr = v->ipib.nr_comps;
	int rc;

	for (size_t i = 0; i < nr; i++) {
		segs[i].addr = v->ipib.comps[i].addr;
		segs[i].size = v->ipib.comps[i].size;
	}
	file_size = elf_out_plan(segs, nr);
	for (size_t i = 0; i < nr; i++)
		offsets[i] = segs[i].file_offset;
	headers = calloc(1, elf_out_headers_size(nr));
	if (!headers)
		return err_set(err, -ENOMEM, "out of memory");

	target = (struct uv_unpack_target){ .fd = fd, .offsets = offsets, .name = name };
	rc = uv_verify(v, keys, nr_keys, &target, res, err);
	if (rc)
		return rc;
	elf_out_headers(headers, res->hdr.psw_addr, segs, nr);
	rc = fd_pwrite_full(fd, headers, elf_out_headers_size(nr), 0);
	if (!rc && ftruncate(fd, (off_t)file_size) < 0)
		rc = -errno;
	if (rc)
		return err_set(err, rc, "%s: write failed: %s", name, strerror(-rc));
	return 0;
}

int unpack_to_elf(const struct image_view *v, EVP_PKEY *const *keys, size_t nr_keys,
		  const char *output, bool overwrite, struct uv_result *res, struct errinfo *err)
{
	struct outfile out = { .fd = -1 };
	int rc;

	rc = outfile_open(output, overwrite, &out, err);
	rc = rc ?: unpack_to_elf_fd(v, keys, nr_keys, out.fd, output, res, err);
	rc = rc ?: outfile_commit(&out, err);
	outfile_abort(&out);
	return rc;
}
