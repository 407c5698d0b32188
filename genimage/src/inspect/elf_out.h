/* SPDX-License-Identifier: MIT */
/*
 * A minimal ELF64 big-endian s390x executable: one PT_LOAD per memory range,
 * entry at a given address. QEMU's -kernel loads such a file at the physical
 * addresses and starts the CPU at the entry in 64-bit mode, which is how
 * `segen unpack` hands the guest memory the UV would leave over to QEMU.
 */
#ifndef SEGEN_ELF_OUT_H
#define SEGEN_ELF_OUT_H

#include <stddef.h>
#include <stdint.h>

#define ELF_OUT_MAX_SEGMENTS 256

struct elf_segment {
	uint64_t addr;
	uint64_t size;
	uint64_t file_offset; /* filled by elf_out_plan() */
};

/* Assign page-aligned file offsets after the headers; returns the file size. */
uint64_t elf_out_plan(struct elf_segment *segs, size_t nr);

/* The ELF and program headers (file offsets 0..) into @buf of elf_out_headers_size() bytes. */
size_t elf_out_headers_size(size_t nr);
void elf_out_headers(uint8_t *buf, uint64_t entry, const struct elf_segment *segs, size_t nr);

#endif /* SEGEN_ELF_OUT_H */
