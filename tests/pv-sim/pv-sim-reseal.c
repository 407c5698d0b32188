// SPDX-License-Identifier: MIT
/*
 * Make a tampered copy of an image for the pv-sim boot tests: one change to
 * the SE header, sealed again with the header key (tests/unit/reseal.h), so
 * that the check behind the GCM tag is the one that refuses, under QEMU's
 * Ultravisor simulation as in segen verify.
 *
 *   pv-sim-reseal IMAGE HOST-KEY.pem CASE OUTPUT
 * CASE: ald, tld, pld, nr-pages, pcf, scf, psw, version.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reseal.h"

/* A plaintext control flag no UV knows (bit 63 of the PCF, counting from 0 at the right). */
#define UNKNOWN_PCF (1ULL << 63)
#define UNKNOWN_SCF (1ULL << 63)

static int change(struct reseal *r, const char *what)
{
	if (!strcmp(what, "ald"))
		r->hdr.ald[0] ^= 1;
	else if (!strcmp(what, "tld"))
		r->hdr.tld[0] ^= 1;
	else if (!strcmp(what, "pld"))
		r->hdr.pld[SE_DIGEST_LEN - 1] ^= 1;
	else if (!strcmp(what, "nr-pages"))
		r->hdr.nr_pages++;
	else if (!strcmp(what, "pcf"))
		r->hdr.pcf |= UNKNOWN_PCF;
	else if (!strcmp(what, "scf"))
		r->hdr.scf |= UNKNOWN_SCF;
	else if (!strcmp(what, "psw"))
		r->hdr.psw_addr = 0x10000;
	else if (!strcmp(what, "version"))
		r->hdr.version = SE_HDR_VERSION + 1;
	else
		return -EINVAL;
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct errinfo err;
	int fd, rc;

	rc = file_read_all(from, (size_t)1 << 31, &buf, &len, &err);
	if (rc)
		return rc;
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		rc = -errno;
	else
		rc = fd_write_full(fd, buf, len);
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	EVP_PKEY *key = NULL;
	struct errinfo err;
	struct reseal r;
	int fd, rc;

	if (argc != 5) {
		fprintf(stderr, "usage: pv-sim-reseal IMAGE HOST-KEY.pem CASE OUTPUT\n");
		return 2;
	}
	rc = hostkey_load_private(argv[2], &key, &err);
	if (rc) {
		fprintf(stderr, "pv-sim-reseal: %s\n", err.msg);
		return 1;
	}
	rc = copy_file(argv[1], argv[4]);
	fd = rc ? -1 : open(argv[4], O_RDWR | O_CLOEXEC);
	rc = rc ?: fd < 0 ? -errno : 0;
	rc = rc ?: reseal_open(&r, fd, argv[4], key);
	if (!rc) {
		rc = change(&r, argv[3]);
		rc = rc ?: reseal_write(&r);
		reseal_done(&r);
	}
	if (fd >= 0)
		close(fd);
	EVP_PKEY_free(key);
	if (rc) {
		fprintf(stderr, "pv-sim-reseal: %s %s: %s\n", argv[4], argv[3], strerror(-rc));
		unlink(argv[4]);
		return 1;
	}
	return 0;
}
