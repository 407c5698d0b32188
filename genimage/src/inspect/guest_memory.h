/* SPDX-License-Identifier: MIT */
/*
 * How much memory a guest needs to boot an image (docs/launch.md): the image
 * itself, then what Linux's s390x decompressor claims above its own file (the
 * decompressed kernel, its BSS, the 31-bit area), the initrd it moves above
 * all that, and what the kernel needs to unpack the initramfs and reach init.
 *
 * The kernel's sizes are read from the kernel file itself at create time and
 * kept in a small clear-text note in the metadata page (GUEST_MEMORY_NOTE_ADDR),
 * so `info` can state the figure without a key. This module owns that note.
 */
#ifndef SEGEN_GUEST_MEMORY_H
#define SEGEN_GUEST_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "inspect/image_read.h"

#define MIB (1ULL << 20)

/* The note: in the metadata page, after the 28-byte metadata; for tools only. */
#define GUEST_MEMORY_NOTE_ADDR 0xc100UL
#define GUEST_MEMORY_NOTE_MAGIC "SeGenMem"
#define GUEST_MEMORY_NOTE_VERSION 1
#define GUEST_MEMORY_NOTE_SIZE 40
/*
 *   0x00  char[8]  magic "SeGenMem"
 *   0x08  u32      version, 1
 *   0x0C  u32      kernel kind (enum guest_kernel_kind)
 *   0x10  u64      first address the kernel's decompressor leaves free (0: unknown)
 *   0x18  u64      ramdisk size, unpadded
 *   0x20  u64      ramdisk contents once unpacked (0: unknown)
 */

/* How many bytes of a kernel file guest_memory_probe_kernel() looks at. */
#define GUEST_KERNEL_PROBE_MAX (4u << 20)

/*
 * What the kernel needs beyond the image, decompressor and initramfs: measured
 * with Debian's 6.1 s390x kernel (memblock, struct pages, slab, page tables up
 * to init); docs/launch.md shows the measurement.
 */
#define GUEST_KERNEL_RUNTIME_RESERVE (16 * MIB)
/* boot-test's default is never below what it always used. */
#define GUEST_MEMORY_DEFAULT_FLOOR_MIB 512u

enum guest_kernel_kind {
	GUEST_KERNEL_OTHER = 0,		/* no S390EP: a payload that is not Linux */
	GUEST_KERNEL_LINUX = 1,		/* decompressor sizes read from the kernel */
	GUEST_KERNEL_LINUX_UNKNOWN = 2, /* Linux, but a layout this module does not know */
};

/* Sizes of a raw s390x Linux image, from the decompressor's vmlinux_info. */
struct guest_kernel_facts {
	enum guest_kernel_kind kind;
	uint64_t file_size;
	uint64_t default_lma; /* where the decompressed kernel runs */
	uint64_t image_size;  /* decompressed kernel without BSS */
	uint64_t bss_size;
	uint64_t amode31_size; /* the 31-bit area placed after the kernel */
	uint64_t heap_size;    /* the decompressor's heap after its own image */
	uint64_t free_from;    /* the first byte the early boot leaves alone, 0: unknown */
};

/*
 * Read the sizes from the first @len bytes of a kernel file of @file_size
 * bytes (at most GUEST_KERNEL_PROBE_MAX are needed). Never fails: what it
 * cannot recognise is reported through ->kind.
 */
void guest_memory_probe_kernel(const uint8_t *buf, size_t len, uint64_t file_size,
			       struct guest_kernel_facts *ret_facts);

struct guest_memory_note {
	enum guest_kernel_kind kind;
	uint64_t free_from;
	uint64_t ramdisk_size;
	uint64_t ramdisk_unpacked;
};

void guest_memory_note_write(const struct guest_memory_note *note,
			     uint8_t buf[GUEST_MEMORY_NOTE_SIZE]);

/* -ENOENT without a note (images of other tools), -EINVAL for a damaged one. */
int guest_memory_note_parse(const uint8_t *buf, size_t len, struct guest_memory_note *ret_note);

enum guest_memory_basis {
	GUEST_MEMORY_FROM_KERNEL, /* the note, with the kernel's own sizes */
	GUEST_MEMORY_ESTIMATE,	  /* no note or an unknown kernel: from component sizes */
	GUEST_MEMORY_IMAGE_ONLY,  /* not Linux: the image itself */
};

struct guest_memory {
	enum guest_memory_basis basis;
	uint64_t image_end;	   /* the image as loaded: [0, image_end) */
	uint64_t early_boot_end;   /* the highest byte the decompressor touches */
	uint64_t ramdisk_unpacked; /* as used in the figure (estimated when unknown) */
	uint64_t minimum_bytes;
	unsigned int minimum_mib;
	unsigned int default_mib;
};

/*
 * The figure for an opened image: its note when it has one, else an estimate
 * from the component sizes. Fails only on a damaged note or a read error.
 */
int guest_memory_of_image(const struct image_view *view, struct guest_memory *ret_mem,
			  struct errinfo *err);

/* The same from a note (NULL: none) and the IPIB; for tests and create. */
void guest_memory_compute(const struct guest_memory_note *note, const struct ipib_info *ipib,
			  bool legacy, uint64_t image_end, struct guest_memory *ret_mem);

const char *guest_memory_basis_name(enum guest_memory_basis basis);

#endif /* SEGEN_GUEST_MEMORY_H */
