// SPDX-License-Identifier: MIT
#include "inspect/guest_memory.h"

#include <errno.h>
#include <string.h>

#include "base/fileio.h"
#include "base/util.h"
#include "format/layout.h"
#include "stub-abi.h"

#define PAGE 4096ULL
/* struct vmlinux_info of Linux 5.x to 6.9: twelve 64-bit words, more appended later. */
#define VMLINUX_INFO_WORDS 12
#define VMLINUX_INFO_LEN (VMLINUX_INFO_WORDS * 8)
/* How far behind the info block the compressed kernel may start (symbol table between). */
#define COMPRESSED_SEARCH_LEN (1u << 20)
/* Heaps of the decompressor (arch/s390/boot/decompressor.c): bzip2, zstd, the others. */
#define HEAP_BZIP2 0x400000ULL
#define HEAP_ZSTD 0x30000ULL
#define HEAP_OTHER 0x10000ULL
/* Without the kernel's sizes: an xz kernel grows about 3.6 times; allow 6. */
#define ESTIMATE_KERNEL_GROWTH 6
/* Without the initramfs' own size: gzip of binaries shrinks 2 to 3 times; allow 4. */
#define ESTIMATE_RAMDISK_GROWTH 4
#define SANE_SIZE (1ULL << 30)

static bool in_image(uint64_t addr, uint64_t lma, uint64_t size)
{
	return addr >= lma && addr - lma < size;
}

/* Whether the twelve words at @p can be a vmlinux_info of a real kernel. */
static bool plausible_info(const uint8_t *p, struct guest_kernel_facts *f)
{
	uint64_t w[VMLINUX_INFO_WORDS];

	for (size_t i = 0; i < VMLINUX_INFO_WORDS; i++)
		w[i] = get_be64(p + 8 * i);
	/* default_lma, entry, image_size, bss_size, bootdata_off/size, preserved_off/size,
	 * dynsym_start, rela_dyn_start, rela_dyn_end, amode31_size */
	if (!w[0] || !IS_ALIGNED(w[0], PAGE) || w[0] >= LAYOUT_MAX_ADDR)
		return false;
	if (!w[2] || !IS_ALIGNED(w[2], PAGE) || w[2] > SANE_SIZE || w[3] > SANE_SIZE)
		return false;
	if (!in_image(w[1], w[0], w[2]) || !in_image(w[4], w[0], w[2]) ||
	    !in_image(w[6], w[0], w[2]) || !in_image(w[8], w[0], w[2]))
		return false;
	if (!w[5] || w[5] > MIB || !w[7] || w[7] > MIB)
		return false;
	if (!in_image(w[9], w[0], w[2]) || w[10] < w[9] || w[10] > w[0] + w[2])
		return false;
	if (!IS_ALIGNED(w[11], PAGE) || w[11] > 16 * MIB)
		return false;
	f->default_lma = w[0];
	f->image_size = w[2];
	f->bss_size = w[3];
	f->amode31_size = w[11];
	return true;
}

/* The decompressor's heap follows from the compression of the payload behind the info. */
static uint64_t heap_for_payload(const uint8_t *buf, size_t len, size_t from)
{
	static const struct {
		const char *magic;
		size_t len;
		uint64_t heap;
	} formats[] = {
		{ "BZh", 3, HEAP_BZIP2 },
		{ "\x28\xb5\x2f\xfd", 4, HEAP_ZSTD },
		{ "\x1f\x8b", 2, HEAP_OTHER },		       /* gzip */
		{ "\xfd\x37\x7a\x58\x5a\x00", 6, HEAP_OTHER }, /* xz */
		{ "\x89LZO", 4, HEAP_OTHER },		       /* lzo */
		{ "\x02\x21\x4c\x18", 4, HEAP_OTHER },	       /* lz4 */
		{ "\x5d\0\0", 3, HEAP_OTHER },		       /* lzma */
	};
	size_t end = len - from > COMPRESSED_SEARCH_LEN ? from + COMPRESSED_SEARCH_LEN : len;

	for (size_t off = ALIGN_UP(from, (size_t)8); off + 8 <= end; off += 8)
		for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
			if (!memcmp(buf + off, formats[i].magic, formats[i].len))
				return formats[i].heap;
	return HEAP_BZIP2; /* not recognised: the largest */
}

void guest_memory_probe_kernel(const uint8_t *buf, size_t len, uint64_t file_size,
			       struct guest_kernel_facts *ret_facts)
{
	struct guest_kernel_facts f = { .kind = GUEST_KERNEL_OTHER, .file_size = file_size };
	uint64_t decompress_at;

	if (len > file_size)
		len = (size_t)file_size;
	if (len < STUB_KERNEL_MIN_SIZE ||
	    memcmp(buf + STUB_KERNEL_MAGIC_OFFSET, STUB_KERNEL_MAGIC, strlen(STUB_KERNEL_MAGIC))) {
		*ret_facts = f;
		return;
	}
	f.kind = GUEST_KERNEL_LINUX_UNKNOWN;
	/* The info block lies in the decompressor, behind its code at 0x11000. */
	for (size_t off = 0x11000; off + VMLINUX_INFO_LEN <= len; off += 8) {
		if (!plausible_info(buf + off, &f))
			continue;
		f.kind = GUEST_KERNEL_LINUX;
		f.heap_size = heap_for_payload(buf, len, off + VMLINUX_INFO_LEN);
		break;
	}
	if (f.kind == GUEST_KERNEL_LINUX) {
		/*
		 * The decompressor's image ends with the file; the kernel is inflated
		 * behind its heap, then moved to default_lma where its BSS follows; the
		 * 31-bit area comes after whichever ends higher (mem_safe_offset(),
		 * reserve_amode31()).
		 */
		decompress_at = ALIGN_UP(ALIGN_UP(file_size, PAGE) + f.heap_size, PAGE);
		f.free_from = MAX(decompress_at + f.image_size,
				  f.default_lma + f.image_size + f.bss_size);
		f.free_from = ALIGN_UP(f.free_from, PAGE) + f.amode31_size;
	}
	*ret_facts = f;
}

void guest_memory_note_write(const struct guest_memory_note *note,
			     uint8_t buf[GUEST_MEMORY_NOTE_SIZE])
{
	memset(buf, 0, GUEST_MEMORY_NOTE_SIZE);
	memcpy(buf, GUEST_MEMORY_NOTE_MAGIC, 8);
	put_be32(buf + 0x08, GUEST_MEMORY_NOTE_VERSION);
	put_be32(buf + 0x0c, (uint32_t)note->kind);
	put_be64(buf + 0x10, note->free_from);
	put_be64(buf + 0x18, note->ramdisk_size);
	put_be64(buf + 0x20, note->ramdisk_unpacked);
}

int guest_memory_note_parse(const uint8_t *buf, size_t len, struct guest_memory_note *ret_note)
{
	struct guest_memory_note n;
	uint32_t kind;

	if (len < GUEST_MEMORY_NOTE_SIZE || memcmp(buf, GUEST_MEMORY_NOTE_MAGIC, 8))
		return -ENOENT;
	kind = get_be32(buf + 0x0c);
	if (get_be32(buf + 0x08) != GUEST_MEMORY_NOTE_VERSION || kind > GUEST_KERNEL_LINUX_UNKNOWN)
		return -EINVAL;
	n.kind = (enum guest_kernel_kind)kind;
	n.free_from = get_be64(buf + 0x10);
	n.ramdisk_size = get_be64(buf + 0x18);
	n.ramdisk_unpacked = get_be64(buf + 0x20);
	if (n.free_from >= LAYOUT_MAX_ADDR * 4 || n.ramdisk_size >= LAYOUT_MAX_ADDR ||
	    n.ramdisk_unpacked >= 64 * LAYOUT_MAX_ADDR ||
	    (n.kind == GUEST_KERNEL_LINUX && !n.free_from))
		return -EINVAL;
	*ret_note = n;
	return 0;
}

static const struct layout_component *find_comp(const struct ipib_info *ipib, bool legacy,
						uint16_t id)
{
	if (legacy) {
		/* The older C layout: 0 kernel, 1 command line, 2 ramdisk, 3 stage-b. */
		if (id == SE_COMP_ID_KERNEL)
			return ipib->nr_comps ? &ipib->comps[0] : NULL;
		if (id == SE_COMP_ID_RAMDISK)
			return ipib->nr_comps == 4 ? &ipib->comps[2] : NULL;
		return NULL;
	}
	for (size_t i = 0; i < ipib->nr_comps; i++)
		if (ipib->comps[i].id == id)
			return &ipib->comps[i];
	return NULL;
}

void guest_memory_compute(const struct guest_memory_note *note, const struct ipib_info *ipib,
			  bool legacy, uint64_t image_end, struct guest_memory *ret_mem)
{
	const struct layout_component *kernel = find_comp(ipib, legacy, SE_COMP_ID_KERNEL);
	const struct layout_component *ramdisk = find_comp(ipib, legacy, SE_COMP_ID_RAMDISK);
	struct guest_memory m = { .image_end = image_end };
	enum guest_kernel_kind kind;
	uint64_t free_from = 0, rd_size = 0, need;

	if (note)
		kind = note->kind;
	else
		kind = kernel ? GUEST_KERNEL_LINUX_UNKNOWN : GUEST_KERNEL_OTHER;
	if (ramdisk)
		rd_size = note ? MIN(note->ramdisk_size, ramdisk->size) : ramdisk->size;

	if (kind == GUEST_KERNEL_OTHER) {
		/* Nothing moves or inflates: the payload runs where the image put it. */
		m.basis = GUEST_MEMORY_IMAGE_ONLY;
		m.early_boot_end = image_end;
		need = image_end;
	} else {
		if (kind == GUEST_KERNEL_LINUX && note->free_from) {
			m.basis = GUEST_MEMORY_FROM_KERNEL;
			free_from = note->free_from;
		} else {
			uint64_t ksize = kernel ? kernel->size : 0;

			m.basis = GUEST_MEMORY_ESTIMATE;
			free_from = ALIGN_UP(ksize + HEAP_BZIP2, PAGE) +
				    ESTIMATE_KERNEL_GROWTH * ksize;
		}
		/* rescue_initrd(): an initrd below that address is moved up to it. */
		m.early_boot_end = free_from;
		if (rd_size)
			m.early_boot_end = ramdisk->addr < free_from ? free_from + rd_size :
								       ramdisk->addr + rd_size;
		m.early_boot_end = MAX(m.early_boot_end, image_end);
		m.ramdisk_unpacked = note && note->ramdisk_unpacked ?
					     note->ramdisk_unpacked :
					     ESTIMATE_RAMDISK_GROWTH * rd_size;
		/* The unpacked files live in page cache, with some bookkeeping on top. */
		need = m.early_boot_end + m.ramdisk_unpacked + m.ramdisk_unpacked / 4 +
		       GUEST_KERNEL_RUNTIME_RESERVE;
	}
	m.minimum_bytes = need;
	m.minimum_mib = (unsigned int)((need + MIB - 1) / MIB);
	m.default_mib = (unsigned int)MAX((uint64_t)GUEST_MEMORY_DEFAULT_FLOOR_MIB,
					  ALIGN_UP(2 * (uint64_t)m.minimum_mib, 64ULL));
	*ret_mem = m;
}

int guest_memory_of_image(const struct image_view *view, struct guest_memory *ret_mem,
			  struct errinfo *err)
{
	uint8_t buf[GUEST_MEMORY_NOTE_SIZE];
	struct guest_memory_note note;
	bool have_note = false;
	int rc;

	if (view->size >= GUEST_MEMORY_NOTE_ADDR + sizeof(buf)) {
		rc = fd_pread_full(view->fd, buf, sizeof(buf), GUEST_MEMORY_NOTE_ADDR);
		if (rc)
			return err_set(err, rc, "%s: %s", view->path, strerror(-rc));
		rc = guest_memory_note_parse(buf, sizeof(buf), &note);
		if (rc == -EINVAL)
			return err_set(err, rc, "%s: damaged guest memory note at 0x%lx",
				       view->path, GUEST_MEMORY_NOTE_ADDR);
		have_note = !rc;
	}
	guest_memory_compute(have_note ? &note : NULL, &view->ipib, view->legacy, view->size,
			     ret_mem);
	return 0;
}

const char *guest_memory_basis_name(enum guest_memory_basis basis)
{
	switch (basis) {
	case GUEST_MEMORY_FROM_KERNEL:
		return "kernel";
	case GUEST_MEMORY_ESTIMATE:
		return "estimate";
	case GUEST_MEMORY_IMAGE_ONLY:
		return "image";
	}
	return "unknown";
}
