/* SPDX-License-Identifier: MIT */
/*
 * The contract between segen (the image builder, x86 host) and the boot stub
 * (s390x, freestanding). Both sides include this file, so it uses only
 * fixed-width types and no library. All multi-byte fields are big-endian on
 * disk; s390x reads them natively, segen goes through its BE accessors.
 *
 * Layout of an image (file offset = guest address), see docs/format.md:
 *   0x0      short IPL PSW from the stage-a blob
 *   0xC000   image metadata for tools, written by segen (stage-a never reads it)
 *   0x10000  stage-a blob: tiny entry, 0x10400..0x10FFF unused
 *   0x11000  stage-a parameters (struct stub_stage_a_params), written by segen
 *   0x11040  stage-a code and constants (clear text)
 *   0x14000  SE header
 *   ...      kernel, ramdisk, cmdline, stage-b (encrypted components)
 *   ...      IPIB
 */
#ifndef STUB_ABI_H
#define STUB_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* Fixed addresses every image uses. */
#define STUB_IMAGE_METADATA_ADDR 0xc000UL
#define STUB_STAGE_A_LOAD_ADDR 0x10000UL
#define STUB_STAGE_A_PARAMS_ADDR 0x11000UL
#define STUB_STAGE_A_CODE_ADDR 0x11040UL
#define STUB_SE_HEADER_MIN_ADDR 0x14000UL
/* Loaders write the Linux parameter area here; the stage-a blob keeps it zero. */
#define STUB_LINUX_PARM_AREA_START 0x10400UL
#define STUB_LINUX_PARM_AREA_END 0x11000UL

/*
 * Memory stage-a may use at run time for its stacks, SCCB and other
 * scratch data: above the 8 KiB lowcore, below the metadata page. It is not
 * part of what a loader must load (zipl loads only file offsets from
 * 0x10000 on, and its own loader has finished with this memory when the
 * image starts; docs/stub.md). Everything from 0xC000 up belongs to the
 * image and must stay intact until DIAGNOSE 308 subcode 10 has consumed it.
 */
#define STUB_STAGE_A_SCRATCH_START 0x2000UL
#define STUB_STAGE_A_SCRATCH_END 0xc000UL

/*
 * At 0xC000: how tools (segen info/verify, IBM's pvimg info) find the header
 * and the IPIB. Stage-a does not read it: loaders that start an image from
 * its file offset 0x10000 (zipl) do not load it.
 */
#define STUB_IMAGE_METADATA_MAGIC "SeImgLnx"
#define STUB_IMAGE_METADATA_VERSION 1
#define STUB_IMAGE_METADATA_SIZE 28
/*
 *   0x00  char[8]  magic "SeImgLnx"
 *   0x08  u64      SE header address
 *   0x10  u32      version, 1
 *   0x14  u64      IPIB address (unaligned u64: read it byte-wise)
 */
#define STUB_IMAGE_METADATA_OFF_MAGIC 0x00
#define STUB_IMAGE_METADATA_OFF_HDR 0x08
#define STUB_IMAGE_METADATA_OFF_VERSION 0x10
#define STUB_IMAGE_METADATA_OFF_IPIB 0x14

/*
 * Stage-a parameters at 0x11000: everything stage-a reads at run time apart
 * from the SE header and the IPIB themselves, inside the part of the image
 * every loader loads. The blob ships the magic and version with the rest
 * zero; segen fills in the addresses and sizes (and checks the magic and
 * version first, so a mismatched blob is refused at build time). Stage-a
 * refuses the block (STUB_WAIT_A_BAD_PARAMS, _BAD_PARAMS_VERSION) unless
 * magic, version and reserved fields match, and an image whose header or
 * IPIB disagree with it (STUB_WAIT_A_BAD_HEADER, _BAD_IPIB).
 */
#define STUB_STAGE_A_PARAMS_MAGIC "SeStageA"
#define STUB_STAGE_A_PARAMS_VERSION 1
#define STUB_STAGE_A_PARAMS_SIZE 64

#ifndef __ASSEMBLER__
struct stub_stage_a_params {
	char magic[8];	    /* STUB_STAGE_A_PARAMS_MAGIC, no NUL */
	uint32_t version;   /* STUB_STAGE_A_PARAMS_VERSION */
	uint32_t ipib_size; /* the IPIB's length field (bytes that count, not the page) */
	uint64_t hdr_addr;  /* guest address of the SE header */
	uint64_t hdr_size;  /* header bytes, not page-rounded: the IPIB's header length */
	uint64_t ipib_addr; /* guest address of the IPIB, page aligned */
	uint64_t reserved[3];
};

_Static_assert(sizeof(struct stub_stage_a_params) == STUB_STAGE_A_PARAMS_SIZE,
	       "stage-a parameter block size");
#endif

/*
 * Stage-b parameters: the last STUB_STAGE_B_PARAMS_SIZE bytes of the stage-b
 * blob. The blob ships them zeroed but for the magic; segen fills them in
 * before it encrypts the component. Stage-b refuses to run (wait code
 * STUB_WAIT_B_BAD_PARAMS) if the magic (its last byte is the version) does not
 * match, a reserved field or an unknown flag is set, or the entry address is
 * not an even address inside the placed payload.
 */
#define STUB_STAGE_B_PARAMS_MAGIC 0x5345474e53544202ULL /* "SEGNSTB", version 2 */
#define STUB_STAGE_B_PARAMS_SIZE 80

/*
 * Start any payload, not only a raw s390x Linux image: no S390EP check (set
 * by segen create --no-component-check, for kvm-unit-tests and other
 * freestanding programs, as IBM's loader does).
 */
#define STUB_STAGE_B_FLAG_ANY_PAYLOAD 0x1ULL
#define STUB_STAGE_B_FLAGS_KNOWN STUB_STAGE_B_FLAG_ANY_PAYLOAD

#ifndef __ASSEMBLER__
struct stub_stage_b_params {
	uint64_t magic;	       /* STUB_STAGE_B_PARAMS_MAGIC */
	uint64_t kernel_addr;  /* guest address of the kernel (payload) component */
	uint64_t kernel_size;  /* size of the kernel file, unpadded */
	uint64_t initrd_addr;  /* 0 when there is no ramdisk */
	uint64_t initrd_size;  /* unpadded */
	uint64_t cmdline_addr; /* 0 when there is no command line */
	uint64_t cmdline_size; /* bytes including the terminating NUL */
	uint64_t flags;	       /* STUB_STAGE_B_FLAG_* */
	uint64_t entry_addr;   /* start PSW address once placed: STUB_KERNEL_ENTRY or --x-psw */
	uint64_t reserved;     /* 0 */
};

_Static_assert(sizeof(struct stub_stage_b_params) == STUB_STAGE_B_PARAMS_SIZE,
	       "stage-b parameter block size");
#endif

/* Where the kernel starts once stage-b has placed it, unless --x-psw says otherwise. */
#define STUB_KERNEL_ENTRY 0x10000UL
#define STUB_KERNEL_PSW_MASK 0x0000000180000000ULL

/* Linux parameter area fields (raw s390x kernel image, and in memory). */
#define STUB_LINUX_INITRD_START 0x10408UL
#define STUB_LINUX_INITRD_SIZE 0x10410UL
#define STUB_LINUX_MAX_CMDLINE 0x10430UL
#define STUB_LINUX_CMDLINE 0x10480UL
#define STUB_LINUX_DEFAULT_MAX_CMDLINE 896UL

/*
 * The smallest kernel stage-b accepts: the 64 KiB it skips, then the entry,
 * "S390EP" at 0x10008 and the parameter area up to the command line.
 */
#define STUB_KERNEL_MIN_SIZE STUB_LINUX_CMDLINE
#define STUB_KERNEL_MAGIC_OFFSET 0x10008UL
#define STUB_KERNEL_MAGIC "S390EP"

#endif /* STUB_ABI_H */
