/* SPDX-License-Identifier: MIT */
/*
 * --ramdisk-dir: a directory turned into the initramfs Linux unpacks (newc
 * cpio, gzip). The archive depends only on the tree's names, types, modes,
 * link targets and contents: entries sorted by name, owners 0:0, one
 * timestamp for all, inode numbers counted from 1. So the same tree gives the
 * same bytes whoever builds it, whenever, from whatever copy of it.
 */
#ifndef SEGEN_INITRAMFS_H
#define SEGEN_INITRAMFS_H

#include <stdint.h>

#include "base/err.h"

#define INITRAMFS_MAX_DEPTH 64u
#define INITRAMFS_MAX_ENTRIES (1u << 20)
/* The file contents together; the compressed result must also fit @max_size. */
#define INITRAMFS_MAX_INPUT_BYTES (8ULL << 30)
/* newc stores times in 32 bits. */
#define INITRAMFS_MAX_MTIME 0xffffffffULL

/* @done of @total bytes of file contents archived so far. */
typedef void (*initramfs_progress_fn)(void *opaque, uint64_t done, uint64_t total);

/*
 * Archive the tree under @dir into a new anonymous memory file (memfd), gzip
 * compressed, every entry stamped with @mtime. Regular files, directories,
 * symlinks (kept as links), device nodes, FIFOs and sockets are stored; hard
 * links inside the tree stay hard links. The result must not exceed
 * @max_size bytes. @progress (may be NULL) hears about every chunk read.
 * Returns the descriptor, positioned anywhere, and the size.
 */
int initramfs_build(const char *dir, uint64_t mtime, uint64_t max_size,
		    initramfs_progress_fn progress, void *progress_opaque, int *ret_fd,
		    uint64_t *ret_size, struct errinfo *err);

/*
 * The timestamp for the entries from the value of SOURCE_DATE_EPOCH
 * (https://reproducible-builds.org/specs/source-date-epoch/): NULL or empty
 * means 0; anything but decimal seconds up to INITRAMFS_MAX_MTIME is refused.
 */
int initramfs_parse_epoch(const char *value, uint64_t *ret_mtime, struct errinfo *err);

#endif /* SEGEN_INITRAMFS_H */
