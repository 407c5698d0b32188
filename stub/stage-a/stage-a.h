/* SPDX-License-Identifier: MIT */
/*
 * Stage-a's reading of DIAGNOSE 308 return codes (diag308-text.c). Plain C
 * without s390 instructions, so the host can test it too.
 */
#ifndef STUB_STAGE_A_H
#define STUB_STAGE_A_H

#include <stdint.h>

#define DIAG308_RC_OK 0x0001

/*
 * After a failed subcode 10 the hypervisor may pack the Ultravisor's answer
 * into the return register: cmd:16 | rrc:16 | rc:16 | diag-rc:16 (most
 * significant first). QEMU 7.2 sets only the diag-rc.
 */
struct unpack_failure {
	uint16_t uv_cmd;
	uint16_t uv_rrc;
	uint16_t uv_rc;
	uint16_t diag_rc;
};

void unpack_failure_decode(uint64_t reg, struct unpack_failure *ret_failure);

/* A short sentence for a DIAGNOSE 308 return code (low 16 bits). */
const char *diag308_rc_text(uint16_t diag_rc);

/* The name of the Ultravisor call that failed ("unpack", ...). */
const char *uv_command_text(uint16_t uv_cmd);

/* A short sentence for an Ultravisor rc/rrc pair from docs/format.md section 6. */
const char *uv_rc_text(uint16_t uv_rc, uint16_t uv_rrc);

#endif /* STUB_STAGE_A_H */
