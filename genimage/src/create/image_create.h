/* SPDX-License-Identifier: MIT */
/*
 * Building a Secure Execution image from checked inputs: the data flow of
 * docs/ARCHITECTURE.md in one place (layout -> components -> header -> IPIB).
 */
#ifndef SEGEN_IMAGE_CREATE_H
#define SEGEN_IMAGE_CREATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "create/decomp.h"
#include "crypto/comp.h"
#include "base/err.h"
#include "pki/hostkey.h"
#include "format/layout.h"
#include "crypto/randsrc.h"
#include "format/sehdr.h"

enum image_phase {
	IMAGE_PACKING,	  /* --ramdisk-dir: archiving the tree */
	IMAGE_ENCRYPTING, /* every component through the pipeline */
};

/* @done of @total bytes of @phase so far; called after every chunk. */
typedef void (*image_progress_fn)(void *opaque, enum image_phase phase, uint64_t done,
				  uint64_t total);

struct image_spec {
	const char *kernel_path;
	const char *ramdisk_path;  /* NULL: no ramdisk */
	const char *ramdisk_dir;   /* instead of ramdisk_path: built from this tree */
	uint64_t ramdisk_mtime;	   /* the time stamped on ramdisk_dir's entries */
	const char *parmfile_path; /* NULL: no command line */
	const struct hostkey *hosts;
	size_t nr_hosts;
	const uint8_t *cck;	  /* SE_CCK_LEN bytes, or NULL for a random one */
	const uint8_t *hdr_key;	  /* SE_HEADER_KEY_LEN, or NULL */
	const uint8_t *image_key; /* SE_XTS_KEY_LEN, or NULL */
	uint64_t pcf;
	uint64_t scf;
	bool component_check; /* kernel format, command-line size, ramdisk parts */
	bool have_psw_addr;   /* --x-psw: start at psw_addr, not at STUB_KERNEL_ENTRY */
	uint64_t psw_addr;
	enum decomp_inflater inflater; /* for gzip ramdisk parts */
	const struct randsrc *rand;
	const uint8_t *stage_a;
	size_t stage_a_size;
	const uint8_t *stage_b;
	size_t stage_b_size;
	const char *output_name;    /* for messages */
	image_progress_fn progress; /* may be NULL */
	void *progress_opaque;
};

struct image_summary {
	struct image_layout layout;
	uint64_t nr_pages;
	uint64_t kernel_max_cmdline;
	uint64_t cmdline_size;	 /* including the NUL, 0 without a parmfile */
	char ramdisk_parts[640]; /* the ramdisk check's findings, "" when not checked */
	uint64_t psw_addr;
	uint64_t input_bytes; /* kernel + ramdisk + command line */
};

/*
 * Write the image for @spec to @out_fd (an empty file). On failure the file
 * content is undefined: callers write to a temporary file (outfile.h).
 */
int image_create(const struct image_spec *spec, int out_fd, struct image_summary *ret_summary,
		 struct errinfo *err);

#endif /* SEGEN_IMAGE_CREATE_H */
