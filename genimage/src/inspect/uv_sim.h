/* SPDX-License-Identifier: MIT */
/*
 * The Ultravisor model (inspect/uv.h) as a hypervisor links it: QEMU's pv-sim
 * machine option (docs/pv-sim.md) calls this at DIAGNOSE 308 subcode 10 on the
 * guest's memory. Plain C types only, so the caller needs no OpenSSL headers;
 * the static library libsegen-uv.a (make pv-sim-lib) exports nothing else.
 */
#ifndef SEGEN_UV_SIM_H
#define SEGEN_UV_SIM_H

#include <stddef.h>
#include <stdint.h>

#define SEGEN_UV_SIM_MSG_MAX 1024 /* ERRINFO_MAX */

struct segen_uv_sim_outcome {
	uint16_t cmd; /* the UV command that refused: 2 set parameters, 3 unpack, 4 verify */
	uint16_t rc;  /* the UV's return code, 0 where none is documented */
	uint16_t rrc;
	uint64_t psw_mask; /* where the secure guest starts, on success */
	uint64_t psw_addr;
	char msg[SEGEN_UV_SIM_MSG_MAX]; /* one sentence: the outcome or the error */
};

/*
 * Load the test host's private key (PEM or DER, secp521r1) from @path once to
 * see that it is usable; @msg (@msg_len bytes) says why not.
 */
int segen_uv_sim_check_key(const char *path, char *msg, size_t msg_len);

/*
 * What the UV does for subcode 10 with the host key in @key_path: open and
 * check the SE header the IPIB (@ipib, @ipib_len bytes, as the guest set it)
 * names, decrypt every component in place in @ram (guest memory from address
 * 0, @ram_size bytes), check PLD, ALD and TLD. Returns 0 when the guest starts
 * (@ret->psw_*), -EBADMSG for a refusal (@ret->cmd, rc, rrc, msg), another
 * -errno when the key cannot be used (@ret->msg). Components are wiped when a
 * refusal comes after their decryption.
 */
int segen_uv_sim_unpack(const char *key_path, uint8_t *ram, uint64_t ram_size, const uint8_t *ipib,
			size_t ipib_len, struct segen_uv_sim_outcome *ret);

/* The plaintext control flags the model accepts (the UV's query reports them). */
uint64_t segen_uv_sim_supported_pcf(void);

#endif /* SEGEN_UV_SIM_H */
