// SPDX-License-Identifier: MIT
/*
 * inspect/guest_memory: reading a kernel's decompressor sizes, the note, and
 * the figure. Synthetic kernels pin the arithmetic; Debian's s390x kernel
 * (STUB_REAL_KERNEL, from `make test`) proves the probe on the real thing.
 */
#include <errno.h>
#include <stdlib.h>

#include "tap.h"

#include "base/fileio.h"
#include "base/util.h"
#include "format/layout.h"
#include "inspect/guest_memory.h"
#include "stub-abi.h"

#define KSIZE 0x200000u /* a 2 MiB synthetic kernel file */
#define INFO_AT 0x2e000u

struct info_words {
	uint64_t lma, entry, image_size, bss_size, boot_off, boot_size, pres_off, pres_size, dynsym,
		rela_start, rela_end, amode31;
};

static uint8_t *make_kernel(const struct info_words *w, const void *magic, size_t magic_len)
{
	uint8_t *k = calloc(1, KSIZE);
	const uint64_t *words = (const uint64_t *)w;

	memcpy(k + STUB_KERNEL_MAGIC_OFFSET, STUB_KERNEL_MAGIC, 6);
	if (w)
		for (size_t i = 0; i < 12; i++)
			put_be64(k + INFO_AT + 8 * i, words[i]);
	/* A symbol table, then the compressed payload at the next 8-byte boundary. */
	memcpy(k + INFO_AT + 96,
	       "\0"
	       "10000 14 startup",
	       17);
	if (magic)
		memcpy(k + INFO_AT + 96 + 24, magic, magic_len);
	return k;
}

static const struct info_words debian_like = {
	.lma = 0x100000,
	.entry = 0x100000,
	.image_size = 0x118e000,
	.bss_size = 0xad000,
	.boot_off = 0xf5e000,
	.boot_size = 0x5044,
	.pres_off = 0xf07000,
	.pres_size = 0x1188,
	.dynsym = 0xfe0200,
	.rela_start = 0xfe8078,
	.rela_end = 0x128dc58,
	.amode31 = 0x3000,
};

static void test_probe_synthetic(void)
{
	struct guest_kernel_facts f;
	struct info_words w = debian_like;
	uint8_t *k;

	k = make_kernel(&w, "\xfd\x37\x7a\x58\x5a\x00", 6);
	guest_memory_probe_kernel(k, KSIZE, KSIZE, &f);
	ok(f.kind == GUEST_KERNEL_LINUX, "a kernel with vmlinux_info is recognised");
	ok(f.image_size == 0x118e000 && f.bss_size == 0xad000 && f.amode31_size == 0x3000,
	   "image, BSS and 31-bit sizes are read");
	ok(f.heap_size == 0x10000, "an xz payload means the 64 KiB heap");
	/* Inflated behind file + heap: 0x210000 + 0x118e000 beats 0x100000 + image + BSS. */
	ok(f.free_from == 0x210000 + 0x118e000 + 0x3000, "free from %#llx",
	   (unsigned long long)f.free_from);
	free(k);

	k = make_kernel(&w, "BZh91AY&SY", 10);
	guest_memory_probe_kernel(k, KSIZE, KSIZE, &f);
	ok(f.heap_size == 0x400000 && f.free_from == 0x600000 + 0x118e000 + 0x3000,
	   "bzip2 payload: 4 MiB heap");
	free(k);

	k = make_kernel(&w, "\x28\xb5\x2f\xfd", 4);
	guest_memory_probe_kernel(k, KSIZE, KSIZE, &f);
	ok(f.heap_size == 0x30000, "zstd payload: 192 KiB heap");
	free(k);

	k = make_kernel(&w, NULL, 0);
	guest_memory_probe_kernel(k, KSIZE, KSIZE, &f);
	ok(f.heap_size == 0x400000, "an unknown payload gets the largest heap");
	free(k);

	/* A large BSS: the kernel at its link address ends higher than the inflate buffer. */
	w.bss_size = 0x2000000;
	k = make_kernel(&w, "\x1f\x8b", 2);
	guest_memory_probe_kernel(k, KSIZE, KSIZE, &f);
	ok(f.free_from == 0x100000 + 0x118e000 + 0x2000000 + 0x3000,
	   "the kernel's BSS at its link address can decide");
	free(k);

	w = debian_like;
	w.rela_end = w.lma + w.image_size + 8; /* past the image: not a vmlinux_info */
	k = make_kernel(&w, "\x1f\x8b", 2);
	guest_memory_probe_kernel(k, KSIZE, KSIZE, &f);
	ok(f.kind == GUEST_KERNEL_LINUX_UNKNOWN && !f.free_from,
	   "an implausible block is not taken for the sizes");
	free(k);

	k = make_kernel(NULL, NULL, 0);
	memset(k + STUB_KERNEL_MAGIC_OFFSET, 0, 6);
	guest_memory_probe_kernel(k, KSIZE, KSIZE, &f);
	ok(f.kind == GUEST_KERNEL_OTHER, "no S390EP: not Linux");
	guest_memory_probe_kernel(k, 0x100, 0x100, &f);
	ok(f.kind == GUEST_KERNEL_OTHER, "a tiny payload: not Linux");
	free(k);
}

static void test_probe_real_kernel(void)
{
	const char *path = getenv("STUB_REAL_KERNEL");
	struct guest_kernel_facts f;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct errinfo err;
	int rc;

	rc = path ? file_read_all(path, 64u << 20, &buf, &len, &err) : -ENOENT;
	if (!ok(rc == 0, "Debian's s390x kernel is readable (%s)", path ? path : "unset"))
		return;
	guest_memory_probe_kernel(buf, MIN(len, (size_t)GUEST_KERNEL_PROBE_MAX), len, &f);
	ok(f.kind == GUEST_KERNEL_LINUX, "Debian's kernel: vmlinux_info found");
	ok(f.default_lma == 0x100000, "it runs at 0x100000 (Linux 6.1's _stext)");
	ok(f.image_size > len && f.bss_size > 0, "it inflates to %#llx bytes + %#llx BSS",
	   (unsigned long long)f.image_size, (unsigned long long)f.bss_size);
	ok(f.heap_size == 0x10000, "its xz payload means the 64 KiB heap");
	ok(f.free_from == ALIGN_UP(ALIGN_UP((uint64_t)len, 4096) + 0x10000, 4096) + f.image_size +
				  f.amode31_size,
	   "free from %#llx", (unsigned long long)f.free_from);
	free(buf);
}

static void test_note(void)
{
	struct guest_memory_note n = { GUEST_KERNEL_LINUX, 0x1676000, 1005743, 2100000 }, got;
	uint8_t buf[GUEST_MEMORY_NOTE_SIZE];

	guest_memory_note_write(&n, buf);
	ok(!memcmp(buf, "SeGenMem", 8) && get_be32(buf + 8) == 1, "note: magic and version");
	ok(guest_memory_note_parse(buf, sizeof(buf), &got) == 0 && got.kind == n.kind &&
		   got.free_from == n.free_from && got.ramdisk_size == n.ramdisk_size &&
		   got.ramdisk_unpacked == n.ramdisk_unpacked,
	   "note: parse gives back what was written");
	buf[0] ^= 1;
	ok(guest_memory_note_parse(buf, sizeof(buf), &got) == -ENOENT, "note: absent");
	buf[0] ^= 1;
	put_be32(buf + 8, 2);
	ok(guest_memory_note_parse(buf, sizeof(buf), &got) == -EINVAL, "note: unknown version");
	put_be32(buf + 8, 1);
	put_be32(buf + 12, 7);
	ok(guest_memory_note_parse(buf, sizeof(buf), &got) == -EINVAL, "note: unknown kind");
	put_be32(buf + 12, GUEST_KERNEL_LINUX);
	put_be64(buf + 0x10, 0);
	ok(guest_memory_note_parse(buf, sizeof(buf), &got) == -EINVAL,
	   "note: Linux without its free address");
}

static struct ipib_info ipib_with(uint64_t kaddr, uint64_t ksize, uint64_t raddr, uint64_t rsize)
{
	struct ipib_info i = { .nr_comps = 0 };

	i.comps[i.nr_comps++] =
		(struct layout_component){ .id = SE_COMP_ID_KERNEL, .addr = kaddr, .size = ksize };
	if (rsize)
		i.comps[i.nr_comps++] = (struct layout_component){ .id = SE_COMP_ID_RAMDISK,
								   .addr = raddr,
								   .size = rsize };
	return i;
}

static void test_compute(void)
{
	struct guest_memory_note n = { GUEST_KERNEL_LINUX, 0x1676000, 0x100000, 0x200000 };
	struct ipib_info ipib = ipib_with(0x15000, 0x4d5000, 0x4ea000, 0x100000);
	struct guest_memory m;
	uint64_t want;

	guest_memory_compute(&n, &ipib, false, 0x600000, &m);
	/* The initrd lies below the free address: moved there. */
	want = 0x1676000 + 0x100000 + 0x200000 + 0x200000 / 4 + GUEST_KERNEL_RUNTIME_RESERVE;
	ok(m.basis == GUEST_MEMORY_FROM_KERNEL && m.early_boot_end == 0x1676000 + 0x100000 &&
		   m.minimum_bytes == want && m.minimum_mib == (want + MIB - 1) / MIB,
	   "initrd moved above the kernel: %u MiB", m.minimum_mib);
	ok(m.default_mib == 512, "small guests keep the 512 MiB default");

	ipib = ipib_with(0x15000, 0x4d5000, 0x2000000, 0x100000);
	guest_memory_compute(&n, &ipib, false, 0x2200000, &m);
	ok(m.early_boot_end == 0x2200000, "an initrd above the free address stays");

	n.ramdisk_unpacked = 0;
	ipib = ipib_with(0x15000, 0x4d5000, 0x4ea000, 0x100000);
	guest_memory_compute(&n, &ipib, false, 0x600000, &m);
	ok(m.ramdisk_unpacked == 4 * 0x100000, "unknown unpacked size: four times the ramdisk");

	n = (struct guest_memory_note){ GUEST_KERNEL_LINUX, 0x1676000, 600u << 20, 0 };
	ipib = ipib_with(0x15000, 0x4d5000, 0x4ea000, 600u << 20);
	guest_memory_compute(&n, &ipib, false, 0x4ea000 + (600u << 20), &m);
	ok(m.default_mib == ALIGN_UP(2 * m.minimum_mib, 64u) && m.default_mib > 512,
	   "large guests default to twice the minimum: %u MiB", m.default_mib);

	ipib = ipib_with(0x15000, 0x4d5000, 0x4ea000, 0x100000);
	guest_memory_compute(NULL, &ipib, false, 0x600000, &m);
	ok(m.basis == GUEST_MEMORY_ESTIMATE && m.minimum_mib > 40,
	   "without a note: an estimate (%u MiB)", m.minimum_mib);

	n = (struct guest_memory_note){ GUEST_KERNEL_OTHER, 0, 0, 0 };
	ipib = ipib_with(0x15000, 0x2000, 0, 0);
	guest_memory_compute(&n, &ipib, false, 0x300000 + 1, &m);
	ok(m.basis == GUEST_MEMORY_IMAGE_ONLY && m.minimum_mib == 4,
	   "not Linux: the image itself, rounded up to MiB");
}

int main(void)
{
	test_probe_synthetic();
	test_probe_real_kernel();
	test_note();
	test_compute();
	return done_testing();
}
