/* SPDX-License-Identifier: MIT */
/* Unpacking: the UV's checks, then the guest memory it would leave, as an ELF. */
#ifndef SEGEN_UNPACK_H
#define SEGEN_UNPACK_H

#include <openssl/evp.h>
#include <stdbool.h>

#include "base/err.h"
#include "inspect/image_read.h"
#include "inspect/uv.h"

/*
 * Verify @view like uv_verify() and write the decrypted components at their
 * addresses into the ELF @output (atomically; nothing is left on failure),
 * entry = the start PSW address. Returns like uv_verify().
 */
int unpack_to_elf(const struct image_view *view, EVP_PKEY *const *keys, size_t nr_keys,
		  const char *output, bool overwrite, struct uv_result *res, struct errinfo *err);

/*
 * The same into the open, empty file @fd (e.g. a memfd that QEMU reads, so the
 * plaintext never reaches a file system); @name for messages.
 */
int unpack_to_elf_fd(const struct image_view *view, EVP_PKEY *const *keys, size_t nr_keys, int fd,
		     const char *name, struct uv_result *res, struct errinfo *err);

#endif /* SEGEN_UNPACK_H */
