/* SPDX-License-Identifier: MIT */
/*
 * Where everything goes in an image (docs/format.md, file offset = guest
 * address) and the small structures that describe it to the machine: the
 * image metadata at 0xC000, stage-a's parameters at 0x11000 and the IPIB.
 * This module owns these formats.
 */
#ifndef SEGEN_LAYOUT_H
#define SEGEN_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SE_COMP_ID_KERNEL 40
#define SE_COMP_ID_RAMDISK 50
#define SE_COMP_ID_CMDLINE 60
#define SE_COMP_ID_STAGE_B 70
#define LAYOUT_MAX_COMPONENTS 4
/* The older C layout's ids: 0 kernel, 1 command line, 2 ramdisk, 3 stage-b. */
#define SE_LEGACY_COMP_ID_STAGE_B 3

/* IPIB (IPL parameter block), PV type. */
#define IPIB_PBT_PV 5
#define IPIB_VERSION 1
#define IPIB_PV_VERSION 1
#define IPIB_FIXED_SIZE 0x88u
#define IPIB_COMP_SIZE 24u
#define IPIB_MIN_SIZE 148u /* what the hypervisor accepts at least */
#define IPIB_MAX_SIZE 4096u
#define IPIB_HDR_MAX_SIZE 8192u /* two pages: QEMU's and KVM's limit */
/* Stage-a wants the fixed part and at least one component entry. */
#define IPIB_STAGE_A_MIN_SIZE (IPIB_FIXED_SIZE + IPIB_COMP_SIZE)

/* IPIB offsets (big-endian), docs/format.md. */
#define IPIB_OFF_LEN 0x00
#define IPIB_OFF_VERSION 0x07
#define IPIB_OFF_BLOCK_LEN 0x08
#define IPIB_OFF_PBT 0x0c
#define IPIB_OFF_PV_VERSION 0x6f
#define IPIB_OFF_NR_COMPS 0x74
#define IPIB_OFF_HDR_ADDR 0x78
#define IPIB_OFF_HDR_LEN 0x80
#define IPIB_OFF_COMPS 0x88

/*
 * The highest guest address an image may reach. Nothing on the boot path stops
 * at 2 GiB: the IPIB and the stage-b parameters hold 64-bit addresses, stage-a
 * and stage-b run in 64-bit mode and Linux takes its initrd anywhere in memory
 * (docs/format.md). The loaders are the bound (below); 1 TiB keeps a limit
 * far beyond any initrd for the others.
 */
#define LAYOUT_MAX_ADDR (1ULL << 40)
/*
 * What QEMU's boot paths load (docs/format.md, "How large an image boots");
 * larger images are still made, with a warning naming the path. QEMU always
 * loads its s390-ccw firmware, at (min(RAM, 2 GiB) - 2 MiB) & ~0xffff, which
 * is 0x7fe00000 from 2 GiB of guest memory on, and no image may reach it:
 * -kernel places the file at 0 and refuses an overlap; on a zipl disk the
 * firmware loads the file at 0x10000 itself and would overwrite its own code.
 */
#define LAYOUT_QEMU_FIRMWARE_BASE 0x7fe00000ULL
#define LAYOUT_QEMU_KERNEL_MAX LAYOUT_QEMU_FIRMWARE_BASE
#define LAYOUT_ZIPL_LOAD_ADDR 0x10000ULL
#define LAYOUT_ZIPL_FIRMWARE_MAX (LAYOUT_QEMU_FIRMWARE_BASE - LAYOUT_ZIPL_LOAD_ADDR)
/* zipl itself refuses a component that ends above 2 GiB (its ADDRESS_LIMIT). */
#define LAYOUT_ZIPL_MAX (0x80000000ULL - LAYOUT_ZIPL_LOAD_ADDR)

struct layout_component {
	uint16_t id;
	const char *name;
	uint64_t addr;
	uint64_t size; /* unpadded */
	uint64_t tweak_prefix;
};

struct image_layout {
	uint64_t stage_a_size; /* bytes of the stage-a blob at address 0 */
	uint64_t hdr_addr;
	uint64_t hdr_size; /* header bytes, not page-rounded */
	size_t nr_comps;
	struct layout_component comps[LAYOUT_MAX_COMPONENTS];
	uint64_t ipib_addr;
	uint64_t ipib_size;
	uint64_t image_size; /* file size: through the IPIB page */
};

/*
 * Place the header and components. @comps holds id, name and unpadded size in
 * IPIB order (ascending ids); addresses are filled in. Fails when the image
 * would pass LAYOUT_MAX_ADDR.
 */
int layout_plan(uint64_t stage_a_size, uint64_t hdr_size, const struct layout_component *comps,
		size_t nr_comps, struct image_layout *ret_layout, struct errinfo *err);

/* The component with @id, or NULL. */
const struct layout_component *layout_find(const struct image_layout *l, uint16_t id);

/* The IPIB for @l into @buf (l->ipib_size bytes). */
void layout_write_ipib(const struct image_layout *l, uint8_t *buf);

/* The 28-byte image metadata for @l. */
void layout_write_metadata(const struct image_layout *l, uint8_t *buf);

/* Stage-a's 64-byte parameter block for @l (struct stub_stage_a_params, big-endian). */
void layout_write_stage_a_params(const struct image_layout *l, uint8_t *buf);

/* Stage-a's parameters as an image carries them at STUB_STAGE_A_PARAMS_ADDR. */
struct stage_a_params_info {
	uint32_t version;
	uint32_t ipib_size;
	uint64_t hdr_addr;
	uint64_t hdr_size;
	uint64_t ipib_addr;
	bool reserved_zero;
};

/*
 * Parse stage-a's parameter block (any version: the caller judges it).
 * -ENOENT without the magic (not segen's stage-a, e.g. IBM's).
 */
int layout_parse_stage_a_params(const uint8_t *buf, size_t len,
				struct stage_a_params_info *ret_info);

/* As many components as fit in one page of IPIB. */
#define IPIB_MAX_COMPONENTS ((IPIB_MAX_SIZE - IPIB_FIXED_SIZE) / IPIB_COMP_SIZE)

/* A parsed IPIB: the parts verification needs (component names stay NULL). */
struct ipib_info {
	uint32_t len;
	uint64_t hdr_addr;
	uint64_t hdr_size;
	size_t nr_comps;
	struct layout_component comps[IPIB_MAX_COMPONENTS];
};

/*
 * Parse an IPIB with exactly the checks the hypervisor (QEMU, KVM) applies
 * before it hands the image to the Ultravisor (docs/format.md). Component
 * sizes come back rounded up to pages, as the hypervisor passes them on. @guest_size bounds the header
 * address. @legacy accepts the older C layout (length field 4096, header
 * address 0, PV version 0), whose stage-a fixed those up at run time.
 */
int layout_parse_ipib(const uint8_t *buf, size_t len, uint64_t guest_size, bool legacy,
		      struct ipib_info *ret_info, struct errinfo *err);

/* Parse the metadata at 0xC000: header and IPIB addresses. -ENOENT if absent. */
int layout_parse_metadata(const uint8_t *buf, size_t len, uint64_t *ret_hdr_addr,
			  uint64_t *ret_ipib_addr);

#endif /* SEGEN_LAYOUT_H */
