// SPDX-License-Identifier: MIT
#include "inspect/uv_sim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/ssl_util.h"
#include "inspect/uv.h"
#include "pki/hostkey.h"

int segen_uv_sim_check_key(const char *path, char *msg, size_t msg_len)
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
	struct errinfo err = { .msg = "" };
	int rc;

	rc = hostkey_load_private(path, &key, &err);
	if (rc)
		snprintf(msg, msg_len, "%s", err.msg);
	return rc;
}

int segen_uv_sim_unpack(const char *key_path, uint8_t *ram, uint64_t ram_size, const uint8_t *ipib,
			size_t ipib_len, struct segen_uv_sim_outcome *ret)
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
	struct errinfo err = { .msg = "" };
	struct uv_result res;
	int rc;

	memset(ret, 0, sizeof(*ret));
	rc = hostkey_load_private(key_path, &key, &err);
	if (rc) {
		snprintf(ret->msg, sizeof(ret->msg), "%s", err.msg);
		return rc;
	}
	rc = uv_unpack_guest(ram, ram_size, ipib, ipib_len, key, &res, &err);
	ret->cmd = res.cmd;
	ret->rc = res.rc;
	ret->rrc = res.rrc;
	if (rc == -EBADMSG || !rc)
		snprintf(ret->msg, sizeof(ret->msg), "%s", res.msg);
	else
		snprintf(ret->msg, sizeof(ret->msg), "%s", err.msg);
	if (!rc) {
		ret->psw_mask = res.hdr.psw_mask;
		ret->psw_addr = res.hdr.psw_addr;
	}
	return rc;
}

uint64_t segen_uv_sim_supported_pcf(void)
{
	return UV_PCF_KNOWN;
}
