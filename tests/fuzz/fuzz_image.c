// SPDX-License-Identifier: MIT
/*
 * Fuzz target: a whole image file as info/verify read it: locate header and
 * IPIB (metadata or scan, both layouts), the hypervisor's IPIB checks,
 * stage-a's parameters against them, the UV model up to the key slot (the input cannot hold our test key's slot
 * unless the fuzzer finds a SHA-256 preimage).
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fileio.h"
#include "inspect/image_read.h"
#include "inspect/uv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	static struct image_view view;
	static struct uv_result res;
	char path[64];
	int fd;

	if (!key)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	fd = memfd_create("fuzz-image", MFD_CLOEXEC);
	if (fd < 0 || fd_write_full(fd, data, size)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (image_open(path, &view, NULL) == 0) {
		/* The input as its own "known stage-a": the code comparison runs to its end. */
		(void)image_check_stage_a_params(&view, data, size < 0x14000 ? size : 0x14000,
						 NULL);
		(void)uv_verify(&view, &key, 1, NULL, &res, NULL);
		image_close(&view);
	}
	close(fd);
	return 0;
}
