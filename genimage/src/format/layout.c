// SPDX-License-Identifier: MIT
#include "format/layout.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "crypto/comp.h"
#include "stub-abi.h"
#include "base/util.h"

_Static_assert(IPIB_OFF_COMPS == IPIB_FIXED_SIZE, "IPIB component table");

int layout_plan(uint64_t stage_a_size, uint64_t hdr_size, const struct layout_component *comps,
		size_t nr_comps, struct image_layout *ret_layout, struct errinfo *err)
{
	struct image_layout l = { 0 };
	uint64_t addr;

	if (nr_comps == 0 || nr_comps > LAYOUT_MAX_COMPONENTS)
		return err_set(err, -EINVAL, "image needs 1 to %d components",
			       LAYOUT_MAX_COMPONENTS);
	l.stage_a_size = stage_a_size;
	l.hdr_addr = MAX((uint64_t)STUB_SE_HEADER_MIN_ADDR, ALIGN_UP(stage_a_size, SE_PAGE_SIZE));
	l.hdr_size = hdr_size;
	addr = l.hdr_addr + ALIGN_UP(hdr_size, SE_PAGE_SIZE);
	for (size_t i = 0; i < nr_comps; i++) {
		uint64_t pages = comp_nr_pages(comps[i].size);

		if (pages > LAYOUT_MAX_ADDR / SE_PAGE_SIZE)
			return err_set(err, -EFBIG, "%s: too large for a guest image",
				       comps[i].name);
		l.comps[i] = comps[i];
		l.comps[i].addr = addr;
		addr += pages * SE_PAGE_SIZE;
	}
	l.nr_comps = nr_comps;
	l.ipib_addr = addr;
	l.ipib_size = IPIB_FIXED_SIZE + nr_comps * IPIB_COMP_SIZE;
	l.image_size = addr + SE_PAGE_SIZE;
	if (l.image_size > LAYOUT_MAX_ADDR)
		return err_set(err, -EFBIG,
			       "the image would be %llu MiB; everything must fit below %llu GiB",
			       (unsigned long long)(l.image_size >> 20),
			       (unsigned long long)(LAYOUT_MAX_ADDR >> 30));
	*ret_layout = l;
	return 0;
}

const struct layout_component *layout_find(const struct image_layout *l, uint16_t id)
{
	for (size_t i = 0; i < l->nr_comps; i++)
		if (l->comps[i].id == id)
			return &l->comps[i];
	return NULL;
}

void layout_write_ipib(const struct image_layout *l, uint8_t *buf)
{
	memset(buf, 0, l->ipib_size);
	put_be32(buf + IPIB_OFF_LEN, (uint32_t)l->ipib_size);
	buf[IPIB_OFF_VERSION] = IPIB_VERSION;
	put_be32(buf + IPIB_OFF_BLOCK_LEN, (uint32_t)l->ipib_size - 8);
	buf[IPIB_OFF_PBT] = IPIB_PBT_PV;
	buf[IPIB_OFF_PV_VERSION] = IPIB_PV_VERSION;
	put_be32(buf + IPIB_OFF_NR_COMPS, (uint32_t)l->nr_comps);
	put_be64(buf + IPIB_OFF_HDR_ADDR, l->hdr_addr);
	put_be64(buf + IPIB_OFF_HDR_LEN, l->hdr_size);
	for (size_t i = 0; i < l->nr_comps; i++) {
		uint8_t *c = buf + IPIB_OFF_COMPS + i * IPIB_COMP_SIZE;

		put_be64(c, l->comps[i].tweak_prefix);
		put_be64(c + 8, l->comps[i].addr);
		put_be64(c + 16, comp_nr_pages(l->comps[i].size) * SE_PAGE_SIZE);
	}
}

void layout_write_metadata(const struct image_layout *l, uint8_t *buf)
{
	memset(buf, 0, STUB_IMAGE_METADATA_SIZE);
	memcpy(buf + STUB_IMAGE_METADATA_OFF_MAGIC, STUB_IMAGE_METADATA_MAGIC, 8);
	put_be64(buf + STUB_IMAGE_METADATA_OFF_HDR, l->hdr_addr);
	put_be32(buf + STUB_IMAGE_METADATA_OFF_VERSION, STUB_IMAGE_METADATA_VERSION);
	put_be64(buf + STUB_IMAGE_METADATA_OFF_IPIB, l->ipib_addr);
}

void layout_write_stage_a_params(const struct image_layout *l, uint8_t *buf)
{
	memset(buf, 0, STUB_STAGE_A_PARAMS_SIZE);
	memcpy(buf + offsetof(struct stub_stage_a_params, magic), STUB_STAGE_A_PARAMS_MAGIC, 8);
	put_be32(buf + offsetof(struct stub_stage_a_params, version), STUB_STAGE_A_PARAMS_VERSION);
	put_be32(buf + offsetof(struct stub_stage_a_params, ipib_size), (uint32_t)l->ipib_size);
	put_be64(buf + offsetof(struct stub_stage_a_params, hdr_addr), l->hdr_addr);
	put_be64(buf + offsetof(struct stub_stage_a_params, hdr_size), l->hdr_size);
	put_be64(buf + offsetof(struct stub_stage_a_params, ipib_addr), l->ipib_addr);
}

int layout_parse_stage_a_params(const uint8_t *buf, size_t len,
				struct stage_a_params_info *ret_info)
{
	struct stage_a_params_info info;

	if (len < STUB_STAGE_A_PARAMS_SIZE ||
	    memcmp(buf + offsetof(struct stub_stage_a_params, magic), STUB_STAGE_A_PARAMS_MAGIC,
		   8) != 0)
		return -ENOENT;
	info.version = get_be32(buf + offsetof(struct stub_stage_a_params, version));
	info.ipib_size = get_be32(buf + offsetof(struct stub_stage_a_params, ipib_size));
	info.hdr_addr = get_be64(buf + offsetof(struct stub_stage_a_params, hdr_addr));
	info.hdr_size = get_be64(buf + offsetof(struct stub_stage_a_params, hdr_size));
	info.ipib_addr = get_be64(buf + offsetof(struct stub_stage_a_params, ipib_addr));
	info.reserved_zero = true;
	for (size_t off = offsetof(struct stub_stage_a_params, reserved);
	     off < STUB_STAGE_A_PARAMS_SIZE; off++)
		info.reserved_zero &= buf[off] == 0;
	*ret_info = info;
	return 0;
}

int layout_parse_metadata(const uint8_t *buf, size_t len, uint64_t *ret_hdr_addr,
			  uint64_t *ret_ipib_addr)
{
	if (len < STUB_IMAGE_METADATA_SIZE ||
	    memcmp(buf + STUB_IMAGE_METADATA_OFF_MAGIC, STUB_IMAGE_METADATA_MAGIC, 8) != 0)
		return -ENOENT;
	if (get_be32(buf + STUB_IMAGE_METADATA_OFF_VERSION) != STUB_IMAGE_METADATA_VERSION)
		return -EPROTONOSUPPORT;
	*ret_hdr_addr = get_be64(buf + STUB_IMAGE_METADATA_OFF_HDR);
	*ret_ipib_addr = get_be64(buf + STUB_IMAGE_METADATA_OFF_IPIB);
	return 0;
}

/*
 * The hypervisor's checks, as QEMU 7.2 makes them before it hands an IPIB to
 * KVM (hw/s390x/ipl.h: iplb_valid_len(), iplb_valid_pv(), ipl_valid_pv_header(),
 * ipl_valid_pv_components()) and as KVM makes them on the way to the UV
 * (arch/s390/kvm: KVM_PV_SET_SEC_PARMS takes at most two pages of header,
 * kvm_s390_pv_unpack() refuses a size of zero). Nothing more: fields the
 * hypervisor never reads (block length, versions, loadparm) are not checked,
 * so that verify accepts what a host accepts.
 */
int layout_parse_ipib(const uint8_t *buf, size_t len, uint64_t guest_size, bool legacy,
		      struct ipib_info *ret_info, struct errinfo *err)
{
	struct ipib_info info = { 0 };
	uint32_t nr;

	if (len < IPIB_FIXED_SIZE)
		return err_set(err, -EBADMSG, "IPIB truncated: %zu of at least %u bytes", len,
			       IPIB_MIN_SIZE);
	info.len = get_be32(buf + IPIB_OFF_LEN);
	/* iplb_valid_len(), iplb_valid_pv(): S390_IPLB_MIN_PV_LEN..sizeof(IplParameterBlock). */
	if (info.len < IPIB_MIN_SIZE || info.len > IPIB_MAX_SIZE)
		return err_set(err, -EBADMSG, "IPIB length %u outside %u..%u", info.len,
			       IPIB_MIN_SIZE, IPIB_MAX_SIZE);
	if (info.len > len)
		return err_set(err, -EBADMSG, "IPIB truncated: its length is %u bytes, %zu remain",
			       info.len, len);
	if (buf[IPIB_OFF_PBT] != IPIB_PBT_PV)
		return err_set(err, -EBADMSG, "IPIB type %u, expected %u (PV)", buf[IPIB_OFF_PBT],
			       IPIB_PBT_PV);
	/* ipl_valid_pv_components(): at least one, and the table within the length. */
	nr = get_be32(buf + IPIB_OFF_NR_COMPS);
	if (nr == 0)
		return err_set(err, -EBADMSG, "IPIB lists no components");
	if (nr > IPIB_MAX_COMPONENTS || IPIB_FIXED_SIZE + (uint64_t)nr * IPIB_COMP_SIZE > info.len)
		return err_set(err, -EBADMSG,
			       "IPIB component table (%u entries) exceeds its length", nr);
	info.hdr_addr = get_be64(buf + IPIB_OFF_HDR_ADDR);
	info.hdr_size = get_be64(buf + IPIB_OFF_HDR_LEN);
	/*
	 * ipl_valid_pv_header(): pv_header_len <= 2 * TARGET_PAGE_SIZE, as KVM's
	 * KVM_PV_SET_SEC_PARMS. An empty header reaches the UV, which has nothing
	 * to read: refused too. The header must lie in guest memory, which holds
	 * the image; beyond the image it would be zeros without a magic.
	 */
	if (info.hdr_size > IPIB_HDR_MAX_SIZE || info.hdr_size == 0)
		return err_set(err, -EBADMSG, "IPIB header length %llu outside 1..%u",
			       (unsigned long long)info.hdr_size, IPIB_HDR_MAX_SIZE);
	if (!legacy && (info.hdr_addr >= guest_size || info.hdr_size > guest_size - info.hdr_addr))
		return err_set(err, -EBADMSG, "IPIB header address 0x%llx is outside the image",
			       (unsigned long long)info.hdr_addr);
	info.nr_comps = nr;
	for (size_t i = 0; i < nr; i++) {
		const uint8_t *c = buf + IPIB_OFF_COMPS + i * IPIB_COMP_SIZE;
		struct layout_component *comp = &info.comps[i];
		uint64_t size;

		comp->tweak_prefix = get_be64(c);
		comp->addr = get_be64(c + 8);
		size = get_be64(c + 16);
		comp->id = (uint16_t)(comp->tweak_prefix >> 48);
		if (!IS_ALIGNED(comp->addr, SE_PAGE_SIZE))
			return err_set(err, -EBADMSG,
				       "IPIB component %zu address 0x%llx not page aligned", i,
				       (unsigned long long)comp->addr);
		/*
		 * s390_ipl_pv_unpack() passes TARGET_PAGE_ALIGN(size) to KVM, whose
		 * kvm_s390_pv_unpack() refuses zero: a size of 0, or one that
		 * rounds past the address space, never reaches the UV.
		 */
		if (size == 0 || size > UINT64_MAX - (SE_PAGE_SIZE - 1))
			return err_set(err, -EBADMSG, "IPIB component %zu size %llu is not usable",
				       i, (unsigned long long)size);
		comp->size = ALIGN_UP(size, (uint64_t)SE_PAGE_SIZE);
		if (i && comp->tweak_prefix <= info.comps[i - 1].tweak_prefix)
			return err_set(err, -EBADMSG,
				       "IPIB component %zu tweak prefix does not increase", i);
	}
	*ret_info = info;
	return 0;
}
