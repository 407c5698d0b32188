// SPDX-License-Identifier: MIT
#include "inspect/image_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/comp.h"
#include "base/fileio.h"
#include "stub-abi.h"
#include "stub-wait-codes.h"
#include "base/util.h"

/* How far the scan for an SE header or IPIB looks: the stub region plus slack. */
#define SCAN_LIMIT 0x40000u

static int read_at(struct image_view *v, void *buf, size_t len, uint64_t off, struct errinfo *err)
{
	int rc;

	if (off > v->size || len > v->size - off)
		return err_set(err, -EBADMSG, "%s: truncated (needs %zu bytes at 0x%llx)", v->path,
			       len, (unsigned long long)off);
	rc = fd_pread_full(v->fd, buf, len, off);
	return rc ? err_set(err, rc, "%s: %s", v->path, strerror(-rc)) : 0;
}

/* The first page-aligned SE header magic, or -ENOENT. */
static int scan_header(struct image_view *v, uint64_t *ret_addr)
{
	uint8_t magic[8];

	for (uint64_t a = 0; a < MIN(v->size, (uint64_t)SCAN_LIMIT); a += SE_PAGE_SIZE) {
		if (a + sizeof(magic) > v->size || fd_pread_full(v->fd, magic, sizeof(magic), a))
			break;
		if (!memcmp(magic, SE_HDR_MAGIC, sizeof(magic))) {
			*ret_addr = a;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The IPIB of the older C layout sits in the stub region, below the header,
 * with a PV parameter block type; newer images put it at the end, where the
 * metadata points.
 */
static int scan_ipib(struct image_view *v, uint64_t *ret_addr)
{
	uint8_t head[16];

	for (uint64_t a = SE_PAGE_SIZE; a < v->hdr_addr; a += SE_PAGE_SIZE) {
		if (fd_pread_full(v->fd, head, sizeof(head), a))
			break;
		if (head[0x0c] == IPIB_PBT_PV && get_be32(head) >= IPIB_MIN_SIZE &&
		    get_be32(head) <= IPIB_MAX_SIZE) {
			*ret_addr = a;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Whether segen's stage-a parameters lead to an SE header and a PV IPIB: then
 * they are what the boot uses, and the metadata at 0xC000 (for tools only) is
 * not consulted. Parameters that lead nowhere leave the image to the metadata,
 * so `info` still describes it; `verify` refuses it in
 * image_check_stage_a_params(), as stage-a would.
 */
static bool stage_a_params_locate(struct image_view *v)
{
	const struct stage_a_params_info *p = &v->stage_a;
	uint8_t magic[8], pbt;

	if (!v->has_stage_a_params || p->hdr_addr >= v->size || p->ipib_addr >= v->size ||
	    fd_pread_full(v->fd, magic, sizeof(magic), p->hdr_addr) ||
	    memcmp(magic, SE_HDR_MAGIC, sizeof(magic)) ||
	    fd_pread_full(v->fd, &pbt, 1, p->ipib_addr + IPIB_OFF_PBT) || pbt != IPIB_PBT_PV)
		return false;
	v->hdr_addr = p->hdr_addr;
	v->ipib_addr = p->ipib_addr;
	return true;
}

static int locate(struct image_view *v, struct errinfo *err)
{
	uint8_t meta[STUB_IMAGE_METADATA_SIZE];
	int rc;

	if (v->size >= STUB_IMAGE_METADATA_ADDR + sizeof(meta)) {
		uint64_t hdr_addr, ipib_addr;

		rc = read_at(v, meta, sizeof(meta), STUB_IMAGE_METADATA_ADDR, err);
		if (rc)
			return rc;
		rc = layout_parse_metadata(meta, sizeof(meta), &hdr_addr, &ipib_addr);
		v->has_metadata = rc == 0;
		if (stage_a_params_locate(v))
			return 0;
		if (rc == -EPROTONOSUPPORT)
			return err_set(err, rc, "%s: image metadata of an unknown version",
				       v->path);
		if (!rc) {
			v->hdr_addr = hdr_addr;
			v->ipib_addr = ipib_addr;
			return 0;
		}
	}
	if (scan_header(v, &v->hdr_addr))
		return err_set(err, -EBADMSG, "%s: not a Secure Execution image (no SE header)",
			       v->path);
	if (scan_ipib(v, &v->ipib_addr))
		return err_set(err, -EBADMSG, "%s: no IPIB found below the SE header", v->path);
	return 0;
}

static int read_stage_a_params(struct image_view *v, struct errinfo *err)
{
	uint8_t buf[STUB_STAGE_A_PARAMS_SIZE];
	int rc;

	if (v->size < STUB_STAGE_A_PARAMS_ADDR + sizeof(buf))
		return 0;
	rc = read_at(v, buf, sizeof(buf), STUB_STAGE_A_PARAMS_ADDR, err);
	if (rc)
		return rc;
	v->has_stage_a_params = layout_parse_stage_a_params(buf, sizeof(buf), &v->stage_a) == 0;
	return 0;
}

/*
 * Whether the image's stage-a code is @stage_a's: the blob is the image's
 * first @size bytes, and from its code on nothing else is written there.
 */
static bool has_stage_a_code(const struct image_view *v, const uint8_t *stage_a, size_t size)
{
	uint8_t buf[4096];

	if (!stage_a || size <= STUB_STAGE_A_CODE_ADDR || v->size < size)
		return false;
	for (size_t off = STUB_STAGE_A_CODE_ADDR; off < size; off += sizeof(buf)) {
		size_t n = MIN(sizeof(buf), size - off);

		if (fd_pread_full(v->fd, buf, n, off) || memcmp(buf, stage_a + off, n))
			return false;
	}
	return true;
}

/* A big-endian field of @len bytes at @off, or false when the file ends first. */
static bool read_be_at(const struct image_view *v, uint64_t off, size_t len, uint64_t *ret)
{
	uint8_t buf[8];
	uint64_t val = 0;

	if (off > v->size || len > v->size - off || fd_pread_full(v->fd, buf, len, off))
		return false;
	for (size_t i = 0; i < len; i++)
		val = val << 8 | buf[i];
	*ret = val;
	return true;
}

static int stage_a_stops(const struct image_view *v, unsigned int code, struct errinfo *err,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int stage_a_stops(const struct image_view *v, unsigned int code, struct errinfo *err,
			 const char *fmt, ...)
{
	char why[ERRINFO_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err_set(err, -EBADMSG, "%s: %s (stage-a would stop with 0x%x)", v->path, why, code);
}

/* Stage-a's checks (stub/stage-a/stage-a.c), in its order and with its wait codes. */
int image_check_stage_a_params(const struct image_view *v, const uint8_t *stage_a,
			       size_t stage_a_size, struct errinfo *err)
{
	const struct stage_a_params_info *p = &v->stage_a;
	uint64_t hdr_size = 0, len = 0, pbt = 0, ipib_hdr_addr = 0, ipib_hdr_len = 0;
	uint8_t magic[8];

	if (!v->has_stage_a_params) {
		/* IBM's loaders have no parameter block; segen's stage-a needs one. */
		if (has_stage_a_code(v, stage_a, stage_a_size))
			return stage_a_stops(v, STUB_WAIT_A_BAD_PARAMS, err,
					     "segen's stage-a, but no \"%s\" parameters at 0x%lx",
					     STUB_STAGE_A_PARAMS_MAGIC, STUB_STAGE_A_PARAMS_ADDR);
		return 0;
	}
	if (p->version != STUB_STAGE_A_PARAMS_VERSION || !p->reserved_zero)
		return stage_a_stops(v, STUB_WAIT_A_BAD_PARAMS_VERSION, err,
				     "stage-a parameters at 0x%lx: version %u%s, this segen writes "
				     "version %u with reserved fields 0",
				     STUB_STAGE_A_PARAMS_ADDR, p->version,
				     p->reserved_zero ? "" : " with non-zero reserved fields",
				     STUB_STAGE_A_PARAMS_VERSION);
	if (p->hdr_addr < STUB_SE_HEADER_MIN_ADDR)
		return stage_a_stops(
			v, STUB_WAIT_A_BAD_HEADER, err,
			"stage-a parameters put the SE header at 0x%llx, inside stage-a",
			(unsigned long long)p->hdr_addr);
	if (p->hdr_addr > v->size || v->size - p->hdr_addr < sizeof(magic) ||
	    fd_pread_full(v->fd, magic, sizeof(magic), p->hdr_addr) ||
	    memcmp(magic, SE_HDR_MAGIC, sizeof(magic))) {
		char elsewhere[64] = "";

		/* The view found a header through the metadata: say where, if elsewhere. */
		if (v->hdr_addr != p->hdr_addr)
			snprintf(elsewhere, sizeof(elsewhere), " (the image has one at 0x%llx)",
				 (unsigned long long)v->hdr_addr);
		return stage_a_stops(v, STUB_WAIT_A_BAD_HEADER, err,
				     "no SE header (magic \"%s\") at 0x%llx, where the stage-a "
				     "parameters point%s",
				     SE_HDR_MAGIC, (unsigned long long)p->hdr_addr, elsewhere);
	}
	if (!read_be_at(v, p->hdr_addr + SE_HDR_OFF_SIZE, 4, &hdr_size) || hdr_size != p->hdr_size)
		return stage_a_stops(v, STUB_WAIT_A_BAD_HEADER, err,
				     "stage-a parameters name the SE header at 0x%llx with %llu "
				     "bytes; it has %llu",
				     (unsigned long long)p->hdr_addr,
				     (unsigned long long)p->hdr_size, (unsigned long long)hdr_size);
	if (!IS_ALIGNED(p->ipib_addr, SE_PAGE_SIZE) || p->ipib_addr < STUB_SE_HEADER_MIN_ADDR)
		return stage_a_stops(v, STUB_WAIT_A_BAD_IPIB_ADDR, err,
				     "stage-a parameters put the IPIB at 0x%llx, %s",
				     (unsigned long long)p->ipib_addr,
				     IS_ALIGNED(p->ipib_addr, SE_PAGE_SIZE) ? "inside stage-a" :
									      "not page aligned");
	if (!read_be_at(v, p->ipib_addr + IPIB_OFF_LEN, 4, &len) ||
	    !read_be_at(v, p->ipib_addr + IPIB_OFF_PBT, 1, &pbt) ||
	    !read_be_at(v, p->ipib_addr + IPIB_OFF_HDR_ADDR, 8, &ipib_hdr_addr) ||
	    !read_be_at(v, p->ipib_addr + IPIB_OFF_HDR_LEN, 8, &ipib_hdr_len) ||
	    pbt != IPIB_PBT_PV || len < IPIB_STAGE_A_MIN_SIZE || len > IPIB_MAX_SIZE ||
	    len != p->ipib_size || ipib_hdr_addr != p->hdr_addr || ipib_hdr_len != p->hdr_size)
		return stage_a_stops(
			v, STUB_WAIT_A_BAD_IPIB, err,
			"stage-a parameters name an IPIB at 0x%llx of %u bytes for the "
			"SE header at 0x%llx (%llu bytes); there: type %llu, %llu bytes, "
			"SE header 0x%llx (%llu bytes)",
			(unsigned long long)p->ipib_addr, p->ipib_size,
			(unsigned long long)p->hdr_addr, (unsigned long long)p->hdr_size,
			(unsigned long long)pbt, (unsigned long long)len,
			(unsigned long long)ipib_hdr_addr, (unsigned long long)ipib_hdr_len);
	return 0;
}

int image_open(const char *path, struct image_view *ret_view, struct errinfo *err)
{
	struct image_view *v = ret_view;
	uint8_t ipib[IPIB_MAX_SIZE];
	size_t ipib_len;
	int rc;

	memset(v, 0, sizeof(*v));
	v->path = path;
	v->fd = -1;
	rc = file_open_regular(path, IMAGE_READ_MAX_SIZE, &v->fd, &v->size, err);
	if (rc)
		return rc;
	rc = read_stage_a_params(v, err);
	rc = rc ?: locate(v, err);
	if (rc)
		goto fail;
	if (!IS_ALIGNED(v->ipib_addr, SE_PAGE_SIZE)) {
		rc = err_set(err, -EBADMSG, "%s: IPIB address 0x%llx is not page aligned", path,
			     (unsigned long long)v->ipib_addr);
		goto fail;
	}
	if (v->ipib_addr >= v->size) {
		rc = err_set(err, -EBADMSG,
			     "%s: truncated: the IPIB at 0x%llx lies past the end of the file "
			     "(%llu bytes)",
			     path, (unsigned long long)v->ipib_addr, (unsigned long long)v->size);
		goto fail;
	}
	ipib_len = (size_t)MIN((uint64_t)IPIB_MAX_SIZE, v->size - v->ipib_addr);
	rc = read_at(v, ipib, ipib_len, v->ipib_addr, err);
	if (rc)
		goto fail;
	/* The C layout left the header address 0 and the length at 4096 for stage-a to fix. */
	v->legacy = !v->has_metadata && !v->has_stage_a_params && get_be64(ipib + 0x78) == 0;
	rc = layout_parse_ipib(ipib, ipib_len, v->size, v->legacy, &v->ipib, err);
	if (rc) {
		err_prefix(err, rc, "%s", path);
		goto fail;
	}
	if (!v->legacy && v->ipib.hdr_addr != v->hdr_addr) {
		rc = err_set(err, -EBADMSG,
			     "%s: IPIB names the SE header at 0x%llx, the %s at 0x%llx", path,
			     (unsigned long long)v->ipib.hdr_addr,
			     v->hdr_addr == v->stage_a.hdr_addr && v->has_stage_a_params ?
				     "stage-a parameters" :
				     "metadata",
			     (unsigned long long)v->hdr_addr);
		goto fail;
	}
	v->hdr_len = (size_t)v->ipib.hdr_size;
	rc = read_at(v, v->hdr_buf, v->hdr_len, v->hdr_addr, err);
	if (rc)
		goto fail;
	for (size_t i = 0; i < v->ipib.nr_comps; i++) {
		const struct layout_component *c = &v->ipib.comps[i];

		if (c->addr > v->size || c->size > v->size - c->addr) {
			rc = err_set(err, -EBADMSG,
				     "%s: IPIB component %zu (0x%llx, %llu bytes) is outside the "
				     "image",
				     path, i, (unsigned long long)c->addr,
				     (unsigned long long)c->size);
			goto fail;
		}
	}
	return 0;
fail:
	image_close(v);
	return rc;
}

void image_close(struct image_view *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

int image_with_view(const char *path,
		    int (*fn)(const struct image_view *view, void *ctx, struct errinfo *err),
		    void *ctx, struct errinfo *err)
{
	/* A view is large (it holds the whole IPIB table): not on the stack. */
	struct image_view *view = calloc(1, sizeof(*view));
	int rc;

	if (!view)
		return err_set(err, -ENOMEM, "out of memory");
	rc = image_open(path, view, err);
	if (!rc) {
		rc = fn(view, ctx, err);
		image_close(view);
	}
	free(view);
	return rc;
}
