// SPDX-License-Identifier: MIT
/*
 * Stage-a: the clear-text part of a Secure Execution image. It finds the
 * SE header and the IPIB through its own parameters at 0x11000 (segen fills
 * them in; nothing below 0x10000 is read, so loaders that skip the image's
 * first 64 KiB, as zipl does, start it too), makes sure the machine offers
 * Secure Execution, hands the IPIB to the hypervisor (DIAGNOSE 308 subcode 8)
 * and asks for the secure reboot (subcode 10). Every failure ends with a
 * console message and a disabled wait whose code is in stub-wait-codes.h.
 *
 * Stage-a writes nothing from 0xC000 up: that is the image the Ultravisor
 * is about to verify. Its own variables and stacks live in [0x2000, 0xC000).
 */
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "cpu.h"
#include "progcheck.h"
#include "sclp.h"
#include "stage-a.h"
#include "string.h"
#include "stub-abi.h"
#include "stub-wait-codes.h"

const char stub_program_name[] __attribute__((aligned(2))) = "stage-a";
const uint64_t stub_wait_program_check = STUB_WAIT_A_PROGRAM_CHECK;

#define SE_HEADER_MAGIC "IBMSecEx"
#define FACILITY_STFLE 7
#define FACILITY_UNPACK 161
#define FACILITY_LIST_DOUBLEWORDS 3

#define DIAG308_SUBCODE_SET_PV_IPIB 8
#define DIAG308_SUBCODE_UNPACK 10

/* IPIB fields stage-a checks (docs/format.md section 4). */
#define IPIB_OFF_LEN 0x00
#define IPIB_OFF_PBT 0x0c
#define IPIB_OFF_HDR_ADDR 0x78
#define IPIB_PBT_PV 5
#define IPIB_MIN_LEN (0x88 + 24)
#define IPIB_MAX_LEN STUB_PAGE_SIZE

/* Only the test build that proves the DIAGNOSE 308 path under QEMU skips it. */
#ifdef STUB_TEST_SKIP_FACILITY_CHECK
static const bool skip_facility_check = true;
#else
static const bool skip_facility_check = false;
#endif

#define SE_HEADER_OFF_SIZE 0x0c
#define IPIB_OFF_HDR_LEN 0x80

/*
 * Through a volatile pointer: the blob holds zeros there that segen replaces,
 * so the compiler must not fold the reads into the blob's constants.
 */
static const volatile struct stub_stage_a_params *const params =
	(const volatile struct stub_stage_a_params *)STUB_STAGE_A_PARAMS_ADDR;

/* Header and IPIB are not in stage-a's control: read them byte by byte. */
static uint64_t read_be(uint64_t addr, unsigned int len)
{
	const volatile uint8_t *p = (const volatile uint8_t *)addr;
	uint64_t value = 0;

	for (unsigned int i = 0; i < len; i++)
		value = value << 8 | p[i];
	return value;
}

static void check_params(void)
{
	stub_current_step = "reading the stage-a parameters at 0x11000";
	if (memcmp((const void *)params->magic, STUB_STAGE_A_PARAMS_MAGIC, 8))
		stub_fatal(STUB_WAIT_A_BAD_PARAMS,
			   "no stage-a parameters at 0x11000 (magic \"%s\" missing): the loader "
			   "did not load the image from its offset 0x10000 on, or it is damaged",
			   STUB_STAGE_A_PARAMS_MAGIC);
	if (params->version != STUB_STAGE_A_PARAMS_VERSION)
		stub_fatal(STUB_WAIT_A_BAD_PARAMS_VERSION,
			   "stage-a parameter version %u is not supported (this stage-a reads "
			   "version %u): rebuild the image with one segen",
			   params->version, STUB_STAGE_A_PARAMS_VERSION);
	for (unsigned int i = 0; i < sizeof(params->reserved) / sizeof(params->reserved[0]); i++)
		if (params->reserved[i])
			stub_fatal(STUB_WAIT_A_BAD_PARAMS_VERSION,
				   "stage-a parameter field 'reserved' %u is 0x%lx, not 0: made by "
				   "a newer segen?",
				   i, (unsigned long)params->reserved[i]);
}

static void check_header(uint64_t hdr_addr, uint64_t hdr_size)
{
	uint64_t size_field;

	if (hdr_addr < STUB_SE_HEADER_MIN_ADDR)
		stub_fatal(STUB_WAIT_A_BAD_HEADER,
			   "the stage-a parameters put the SE header at 0x%lx, inside stage-a "
			   "(below 0x%lx)",
			   (unsigned long)hdr_addr, STUB_SE_HEADER_MIN_ADDR);
	stub_current_step = "reading the SE header";
	if (memcmp((const void *)hdr_addr, SE_HEADER_MAGIC, 8))
		stub_fatal(STUB_WAIT_A_BAD_HEADER,
			   "no SE header (magic \"%s\") at 0x%lx, where the stage-a parameters "
			   "point",
			   SE_HEADER_MAGIC, (unsigned long)hdr_addr);
	size_field = read_be(hdr_addr + SE_HEADER_OFF_SIZE, 4);
	if (size_field != hdr_size)
		stub_fatal(STUB_WAIT_A_BAD_HEADER,
			   "the SE header at 0x%lx is %lu bytes, the stage-a parameters say %lu",
			   (unsigned long)hdr_addr, (unsigned long)size_field,
			   (unsigned long)hdr_size);
}

static void check_ipib(uint64_t ipib, uint64_t ipib_size, uint64_t hdr_addr, uint64_t hdr_size)
{
	uint64_t len, pbt, ipib_hdr_addr, ipib_hdr_len;

	if (ipib % STUB_PAGE_SIZE)
		stub_fatal(STUB_WAIT_A_BAD_IPIB_ADDR,
			   "the IPIB address 0x%lx from the stage-a parameters is not page "
			   "aligned",
			   (unsigned long)ipib);
	if (ipib < STUB_SE_HEADER_MIN_ADDR)
		stub_fatal(STUB_WAIT_A_BAD_IPIB_ADDR,
			   "the IPIB address 0x%lx from the stage-a parameters lies inside "
			   "stage-a (below 0x%lx)",
			   (unsigned long)ipib, STUB_SE_HEADER_MIN_ADDR);

	stub_current_step = "reading the IPIB";
	len = read_be(ipib + IPIB_OFF_LEN, 4);
	pbt = read_be(ipib + IPIB_OFF_PBT, 1);
	ipib_hdr_addr = read_be(ipib + IPIB_OFF_HDR_ADDR, 8);
	ipib_hdr_len = read_be(ipib + IPIB_OFF_HDR_LEN, 8);
	if (pbt != IPIB_PBT_PV || len < IPIB_MIN_LEN || len > IPIB_MAX_LEN || len != ipib_size ||
	    ipib_hdr_addr != hdr_addr || ipib_hdr_len != hdr_size)
		stub_fatal(STUB_WAIT_A_BAD_IPIB,
			   "the IPIB at 0x%lx does not match the stage-a parameters: type %lu, "
			   "length %lu, SE header 0x%lx (%lu bytes); expected type %u, length "
			   "%lu (%u..%lu), SE header 0x%lx (%lu bytes)",
			   (unsigned long)ipib, (unsigned long)pbt, (unsigned long)len,
			   (unsigned long)ipib_hdr_addr, (unsigned long)ipib_hdr_len, IPIB_PBT_PV,
			   (unsigned long)ipib_size, IPIB_MIN_LEN, IPIB_MAX_LEN,
			   (unsigned long)hdr_addr, (unsigned long)hdr_size);
}

static bool facility_stfle_installed(void)
{
	asm volatile(".insn s,0xb2b10000,0" : : : "memory"); /* STFL: bits 0-31 to 0xC8 */
	return lowcore_read32(LC_STFL_FAC_LIST) & (0x80000000U >> FACILITY_STFLE);
}

static bool facility_installed(const uint64_t *list, unsigned int nr)
{
	return list[nr / 64] & (1ULL << (63 - nr % 64));
}

static void require_secure_execution(void)
{
	uint64_t list[FACILITY_LIST_DOUBLEWORDS] = { 0 };
	register unsigned long r0 asm("0") = FACILITY_LIST_DOUBLEWORDS - 1;

	stub_current_step = "reading the facility list";
	if (!facility_stfle_installed())
		stub_fatal(STUB_WAIT_A_NO_STFLE,
			   "this machine cannot list its facilities (no STORE FACILITY LIST "
			   "EXTENDED), so it has no Secure Execution either");
	/* Condition code 3 only says the list is longer than three doublewords. */
	asm volatile(".insn s,0xb2b00000,%[list]" : [list] "=Q"(list), "+d"(r0) : : "cc");
	if (!facility_installed(list, FACILITY_UNPACK)) {
		console_error("Secure Execution is not available on this machine: facility "
			      "161 (unpack) is not installed");
		console_printf("hint: start this image as a KVM guest on IBM z15, LinuxONE III "
			       "or later, on a host with Secure Execution enabled "
			       "(prot_virt=1); QEMU without KVM cannot run it");
		stub_stop(STUB_WAIT_A_NO_SECURE_EXECUTION);
	}
}

static uint64_t diagnose_308(uint64_t subcode, uint64_t ipib)
{
	register uint64_t addr asm("2") = ipib;
	register uint64_t rc asm("3") = 0;

	asm volatile("diag %[addr],%[subcode],0x308"
		     : [addr] "+d"(addr), [rc] "+d"(rc)
		     : [subcode] "d"(subcode)
		     : "cc", "memory");
	return rc;
}

static void set_ipib(uint64_t ipib)
{
	uint64_t rc;

	stub_current_step = "handing the IPIB to the hypervisor (DIAGNOSE 308 subcode 8)";
	rc = diagnose_308(DIAG308_SUBCODE_SET_PV_IPIB, ipib);
	if ((rc & 0xffff) != DIAG308_RC_OK)
		stub_fatal(STUB_WAIT_A_SET_IPIB_FAILED,
			   "the hypervisor refused the IPIB at 0x%lx (DIAGNOSE 308 subcode 8): "
			   "rc 0x%04lx: %s",
			   (unsigned long)ipib, (unsigned long)(rc & 0xffff),
			   diag308_rc_text((uint16_t)rc));
}

/* DIAGNOSE 308 subcode 10 comes back only when the secure reboot failed. */
__attribute__((noreturn)) static void unpack_and_start(uint64_t ipib)
{
	struct unpack_failure failure;
	uint64_t rc;

	stub_current_step = "starting the secure guest (DIAGNOSE 308 subcode 10)";
	rc = diagnose_308(DIAG308_SUBCODE_UNPACK, ipib);

	/* The attempt reset the I/O subsystem; the SCLP forgot the event mask. */
	sclp_console_forget();
	unpack_failure_decode(rc, &failure);
	console_error("the secure reboot failed (DIAGNOSE 308 subcode 10): rc 0x%04x: %s",
		      failure.diag_rc, diag308_rc_text(failure.diag_rc));
	if (failure.uv_rc || failure.uv_rrc || failure.uv_cmd)
		console_printf("Ultravisor %s returned rc 0x%x rrc 0x%x: %s",
			       uv_command_text(failure.uv_cmd), failure.uv_rc, failure.uv_rrc,
			       uv_rc_text(failure.uv_rc, failure.uv_rrc));
	stub_stop(STUB_WAIT_A_UNPACK_FAILED);
}

void stage_a_main(void);
void stage_a_main(void)
{
	uint64_t hdr_addr, hdr_size, ipib_addr;

	check_params();
	hdr_addr = params->hdr_addr;
	hdr_size = params->hdr_size;
	ipib_addr = params->ipib_addr;
	check_header(hdr_addr, hdr_size);
	check_ipib(ipib_addr, params->ipib_size, hdr_addr, hdr_size);
	if (skip_facility_check)
		console_printf("TEST-ONLY BUILD: facility 161 check skipped; never ship this "
			       "stage-a");
	else
		require_secure_execution();
	set_ipib(ipib_addr);
	unpack_and_start(ipib_addr);
}
