// SPDX-License-Identifier: MIT
/* DIAGNOSE 308 and Ultravisor return codes in words; see stage-a.h. */
#include "stage-a.h"

void unpack_failure_decode(uint64_t reg, struct unpack_failure *ret_failure)
{
	ret_failure->uv_cmd = (uint16_t)(reg >> 48);
	ret_failure->uv_rrc = (uint16_t)(reg >> 32);
	ret_failure->uv_rc = (uint16_t)(reg >> 16);
	ret_failure->diag_rc = (uint16_t)reg;
}

const char *diag308_rc_text(uint16_t diag_rc)
{
	switch (diag_rc) {
	case 0x0001:
		return "accepted";
	case 0x0102:
		return "no IPL parameter block is set";
	case 0x0402:
		return "the hypervisor found the IPIB invalid (type, length, header or "
		       "component list)";
	case 0x0902:
		return "no Secure Execution IPIB is set";
	case 0x0a02:
		return "the hypervisor could not switch the guest to secure mode; the host's "
		       "log says why (host key, image integrity, huge pages, ...)";
	default:
		return "unknown return code";
	}
}

const char *uv_command_text(uint16_t uv_cmd)
{
	switch (uv_cmd) {
	case 2:
		return "set secure configuration parameters";
	case 3:
		return "unpack";
	case 4:
		return "verify unpack";
	default:
		return "call";
	}
}

static const char *uv_rc_0x102_text(uint16_t uv_rrc)
{
	switch (uv_rrc) {
	case 0x1a:
		return "the address list digest (ALD) does not match the SE header";
	case 0x1b:
		return "the page list digest (PLD) does not match: the image was modified";
	case 0x1c:
		return "the tweak list digest (TLD) does not match the SE header";
	case 0x1d:
		return "the number of encrypted pages does not match the SE header";
	default:
		return "the image failed verification";
	}
}

const char *uv_rc_text(uint16_t uv_rc, uint16_t uv_rrc)
{
	switch (uv_rc) {
	case 0x102:
		return uv_rc_0x102_text(uv_rrc);
	case 0x104:
		return "the SE header version is not supported";
	case 0x106:
		return "the plaintext control flags (PCF) are not supported on this machine";
	case 0x108:
		if (uv_rrc == 0x05)
			return "no key slot is for this machine: build the image with this "
			       "machine's host-key document";
		if (uv_rrc == 0x0b)
			return "the customer public key in the SE header is invalid";
		return "the SE header could not be opened with this machine's key";
	case 0x109:
		return "the secret control flags (SCF) are not supported on this machine";
	case 0x10a:
		if (uv_rrc == 0x31)
			return "the SE header length is invalid";
		if (uv_rrc == 0x39)
			return "the size of the encrypted area is invalid";
		if (uv_rrc == 0x40)
			return "the SE header has no key slots";
		return "the SE header is malformed";
	default:
		return "unknown Ultravisor return code";
	}
}
