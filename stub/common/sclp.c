// SPDX-License-Identifier: MIT
/*
 * SCLP console driver shared by stage-a, stage-b and the test kernel.
 *
 * Completion: QEMU finishes a request inside SERVICE CALL and then raises
 * the service-signal external interruption; real firmware raises the same
 * interruption later. So the driver always waits for the service signal of
 * its own SCCB, in an enabled wait, with the clock comparator as a deadline.
 * If the SCCB already carried a response right after SERVICE CALL, the wait
 * is short: it only consumes the signal that is still pending, so the signal
 * cannot be mistaken later for the completion of the next request.
 */
#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"
#include "sclp.h"
#include "string.h"

#define SCLP_CMD_WRITE_EVENT_MASK 0x00780005U
#define SCLP_CMD_WRITE_EVENT_DATA 0x00760005U
#define SCLP_RC_NORMAL_COMPLETION 0x0020
#define SCLP_EVENT_ASCII_CONSOLE 0x1a
#define SCLP_EVENT_MASK_ASCII_CONSOLE 0x00000040U

/* Deadlines for the service signal; they bound every wait the stub does. */
#define SCLP_COMPLETION_WAIT_US 5000000ULL
#define SCLP_LATE_SIGNAL_WAIT_US 10000ULL
#define SCLP_BUSY_WAIT_US 100000ULL
#define SCLP_BUSY_ATTEMPTS 50

/*
 * A test-only build (never embedded) ignores every service signal, so each
 * wait runs into its deadline; the tests use it to show the waits are
 * bounded and that a completion without a signal is still taken.
 */
#ifdef STUB_TEST_SCLP_IGNORE_SIGNALS
#define SCLP_IGNORE_SIGNALS true
#else
#define SCLP_IGNORE_SIGNALS false
#endif

/* Text per Write Event Data request; an SCCB must not cross its page. */
#define SCLP_MAX_TEXT 2048

struct sccb_header {
	uint16_t length;
	uint8_t function_code;
	uint8_t control_mask[3];
	uint16_t response_code;
} __attribute__((packed));

struct write_event_mask_sccb {
	struct sccb_header header;
	uint16_t reserved;
	uint16_t mask_length;
	uint32_t cp_receive_mask;
	uint32_t cp_send_mask;
	uint32_t sclp_receive_mask;
	uint32_t sclp_send_mask;
} __attribute__((packed));

struct event_buffer_header {
	uint16_t length;
	uint8_t type;
	uint8_t flags;
	uint16_t reserved;
} __attribute__((packed));

struct write_event_data_sccb {
	struct sccb_header header;
	struct event_buffer_header event;
	char text[];
} __attribute__((packed));

_Static_assert(sizeof(struct sccb_header) == 8, "SCCB header");
_Static_assert(sizeof(struct write_event_mask_sccb) == 28, "write event mask SCCB");
_Static_assert(sizeof(struct write_event_data_sccb) + SCLP_MAX_TEXT <= STUB_PAGE_SIZE,
	       "write event data SCCB fits its page");

/* Own section, so a linker script can place it first and waste no padding. */
static uint8_t sccb_page[STUB_PAGE_SIZE]
	__attribute__((aligned(STUB_PAGE_SIZE), section(".bss.sccb")));

enum mask_state {
	MASK_UNKNOWN,
	MASK_REGISTERED,
	MASK_REFUSED
};
static enum mask_state mask_state;

static int service_call(uint32_t command, void *sccb)
{
	int cc;

	asm volatile("	.insn	rre,0xb2200000,%[cmd],%[sccb]\n"
		     "	ipm	%[cc]\n"
		     "	srl	%[cc],28\n"
		     : [cc] "=d"(cc)
		     : [cmd] "d"(command), [sccb] "a"(sccb)
		     : "cc", "memory");
	return cc;
}

/*
 * Loads a wait PSW with external interruptions enabled; the external new PSW
 * brings the CPU back to the label after it, with all registers as they were.
 * Returns the code of the external interruption that ended the wait.
 */
static uint16_t wait_for_external_interruption(void)
{
	struct psw wait_psw = { .mask = PSW_MASK_EXT_WAIT, .addr = 0 };

	lowcore_write_psw(LC_EXT_NEW_PSW, PSW_MASK_RUN, 0);
	asm volatile("	larl	%%r1,0f\n"
		     "	stg	%%r1,%[wait_addr]\n"
		     "	stg	%%r1,%[new_addr]\n"
		     "	lpswe	%[wait_psw]\n"
		     "0:\n"
		     : [wait_addr] "=Q"(wait_psw.addr), [new_addr] "=Q"(
								*(uint64_t *)(LC_EXT_NEW_PSW + 8))
		     : [wait_psw] "Q"(wait_psw)
		     : "r1", "cc", "memory");
	return lowcore_read16(LC_EXT_INT_CODE);
}

/*
 * Waits for the service signal of the SCCB at sccb_addr (0: of any SCCB) for
 * at most timeout_us. Only the service-signal and clock-comparator subclasses
 * are added to CR0, and CR0 is restored before returning.
 */
static int wait_for_service_signal(uintptr_t sccb_addr, uint64_t timeout_us)
{
	uint64_t cr0 = ctl0_read();
	int rc;

	clock_comparator_set(tod_read() + timeout_us * TOD_TICKS_PER_US);
	ctl0_write(cr0 | CR0_SERVICE_SIGNAL_SUBMASK | CR0_CLOCK_COMPARATOR_SUBMASK);
	for (;;) {
		uint16_t code = wait_for_external_interruption();

		if (code == EXT_CODE_SERVICE_SIGNAL && !SCLP_IGNORE_SIGNALS) {
			uint32_t param = lowcore_read32(LC_EXT_PARAMS) & ~7U;

			if (!sccb_addr || param == sccb_addr) {
				rc = 0;
				break;
			}
		} else if (code == EXT_CODE_CLOCK_COMPARATOR) {
			rc = -STUB_ETIMEDOUT;
			break;
		}
		/* Other subclasses (left enabled by someone else) are ignored. */
	}
	ctl0_write(cr0);
	clock_comparator_set(~0ULL);
	return rc;
}

static int sclp_request(uint32_t command, void *sccb)
{
	volatile struct sccb_header *header = sccb;
	uint16_t response;
	int cc = 2, rc;

	for (unsigned int attempt = 0; attempt < SCLP_BUSY_ATTEMPTS; attempt++) {
		header->response_code = 0;
		cc = service_call(command, sccb);
		if (cc != 2)
			break;
		/* Busy with an earlier request: let its completion arrive first. */
		wait_for_service_signal(0, SCLP_BUSY_WAIT_US);
	}
	switch (cc) {
	case 0:
		break;
	case 2:
		return -STUB_EBUSY;
	case 3:
		return -STUB_ENODEV;
	default:
		return -STUB_EIO;
	}

	response = header->response_code;
	rc = wait_for_service_signal((uintptr_t)sccb,
				     response ? SCLP_LATE_SIGNAL_WAIT_US : SCLP_COMPLETION_WAIT_US);
	response = header->response_code;
	if (rc && !response)
		return rc;
	return response == SCLP_RC_NORMAL_COMPLETION ? 0 : -STUB_EIO;
}

static int register_event_mask(void)
{
	struct write_event_mask_sccb *sccb = (struct write_event_mask_sccb *)sccb_page;

	memset(sccb, 0, sizeof(*sccb));
	sccb->header.length = sizeof(*sccb);
	sccb->mask_length = sizeof(sccb->cp_receive_mask);
	sccb->cp_send_mask = SCLP_EVENT_MASK_ASCII_CONSOLE;
	return sclp_request(SCLP_CMD_WRITE_EVENT_MASK, sccb);
}

static int write_event_data(const char *text, size_t len)
{
	struct write_event_data_sccb *sccb = (struct write_event_data_sccb *)sccb_page;

	memset(sccb, 0, sizeof(*sccb));
	sccb->header.length = (uint16_t)(sizeof(*sccb) + len);
	sccb->event.length = (uint16_t)(sizeof(sccb->event) + len);
	sccb->event.type = SCLP_EVENT_ASCII_CONSOLE;
	memcpy(sccb->text, text, len);
	return sclp_request(SCLP_CMD_WRITE_EVENT_DATA, sccb);
}

int sclp_console_write(const char *text, size_t len)
{
	uintptr_t page = (uintptr_t)sccb_page;

	/* The SCCB must be page aligned and below 2 GiB; stage-b's load address decides. */
	if (page % STUB_PAGE_SIZE || page >= 0x80000000UL)
		return -STUB_ENODEV;

	/* QEMU writes without a registered mask, so a refusal does not stop output. */
	if (mask_state == MASK_UNKNOWN)
		mask_state = register_event_mask() ? MASK_REFUSED : MASK_REGISTERED;

	while (len) {
		size_t chunk = len < SCLP_MAX_TEXT ? len : SCLP_MAX_TEXT;
		int rc = write_event_data(text, chunk);

		if (rc)
			return rc;
		text += chunk;
		len -= chunk;
	}
	return 0;
}

void sclp_console_forget(void)
{
	mask_state = MASK_UNKNOWN;
}
