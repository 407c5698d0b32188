// SPDX-License-Identifier: MIT
#include "inspect/elf_out.h"

#include <elf.h>
#include <stddef.h>
#include <string.h>

#include "base/util.h"

/*
 * The file is big-endian whatever the build machine is, so the structures of
 * <elf.h> give the sizes and field offsets and every field is stored with
 * put_be*() at its offsetof().
 */
#define EHDR_SIZE sizeof(Elf64_Ehdr)
#define PHDR_SIZE sizeof(Elf64_Phdr)
#define ELF_PAGE 4096u

#define EH(field) offsetof(Elf64_Ehdr, field)
#define PH(field) offsetof(Elf64_Phdr, field)

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
	memcpy(buf + EH(e_ident), ELFMAG, SELFMAG);
	buf[EI_CLASS] = ELFCLASS64;
	buf[EI_DATA] = ELFDATA2MSB;
	buf[EI_VERSION] = EV_CURRENT;
	put_be16(buf + EH(e_type), ET_EXEC);
	put_be16(buf + EH(e_machine), EM_S390);
	put_be32(buf + EH(e_version), EV_CURRENT);
	put_be64(buf + EH(e_entry), entry);
	put_be64(buf + EH(e_phoff), EHDR_SIZE);
	put_be16(buf + EH(e_ehsize), EHDR_SIZE);
	put_be16(buf + EH(e_phentsize), PHDR_SIZE);
	put_be16(buf + EH(e_phnum), (uint16_t)nr);
	for (size_t i = 0; i < nr; i++) {
		uint8_t *ph = buf + EHDR_SIZE + i * PHDR_SIZE;

		put_be32(ph + PH(p_type), PT_LOAD);
		put_be32(ph + PH(p_flags), PF_R | PF_W | PF_X);
		put_be64(ph + PH(p_offset), segs[i].file_offset);
		put_be64(ph + PH(p_vaddr), segs[i].addr);
		put_be64(ph + PH(p_paddr), segs[i].addr);
		put_be64(ph + PH(p_filesz), segs[i].size);
		put_be64(ph + PH(p_memsz), segs[i].size);
		put_be64(ph + PH(p_align), ELF_PAGE);
	}
}
