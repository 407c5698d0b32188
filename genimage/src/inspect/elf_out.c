// SPDX-License-Identifier: MIT
#include "inspect/elf_out.h"

#include <string.h>

#include "base/util.h"

#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define ELF_PAGE 4096u
#define EM_S390_ID 22
#define ET_EXEC_TYPE 2
#define PT_LOAD_TYPE 1
#define PF_RWX 7

size_t elf_out_headers_size(size_t nr)
{
	return EHDR_SIZE + nr * PHDR_SIZE;
}

uint64_t elf_out_plan(struct elf_segment *segs, size_t nr)
{
	uint64_t off = ALIGN_UP((uint64_t)elf_out_headers_size(nr), ELF_PAGE);

	for (size_t i = 0; i < nr; i++) {
		segs[i].file_offset = off;
		off += ALIGN_UP(segs[i].size, ELF_PAGE);
	}
	return off;
}

void elf_out_headers(uint8_t *buf, uint64_t entry, const struct elf_segment *segs, size_t nr)
{
	memset(buf, 0, elf_out_headers_size(nr));
	memcpy(buf, "\177ELF", 4);
	buf[4] = 2; /* ELFCLASS64 */
	buf[5] = 2; /* ELFDATA2MSB */
	buf[6] = 1; /* EV_CURRENT */
	put_be16(buf + 16, ET_EXEC_TYPE);
	put_be16(buf + 18, EM_S390_ID);
	put_be32(buf + 20, 1);
	put_be64(buf + 24, entry);
	put_be64(buf + 32, EHDR_SIZE); /* e_phoff */
	put_be16(buf + 52, EHDR_SIZE);
	put_be16(buf + 54, PHDR_SIZE);
	put_be16(buf + 56, (uint16_t)nr);
	for (size_t i = 0; i < nr; i++) {
		uint8_t *ph = buf + EHDR_SIZE + i * PHDR_SIZE;

		put_be32(ph, PT_LOAD_TYPE);
		put_be32(ph + 4, PF_RWX);
		put_be64(ph + 8, segs[i].file_offset);
		put_be64(ph + 16, segs[i].addr); /* p_vaddr */
		put_be64(ph + 24, segs[i].addr); /* p_paddr */
		put_be64(ph + 32, segs[i].size); /* p_filesz */
		put_be64(ph + 40, segs[i].size); /* p_memsz */
		put_be64(ph + 48, ELF_PAGE);
	}
}
