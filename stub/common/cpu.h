/* SPDX-License-Identifier: MIT */
/* Small wrappers for the privileged instructions the stub needs. */
#ifndef STUB_CPU_H
#define STUB_CPU_H

#include <stdint.h>

#include "lowcore.h"

struct psw {
	uint64_t mask;
	uint64_t addr;
};

#define STUB_PAGE_SIZE 4096UL

static inline uint8_t lowcore_read8(unsigned long addr)
{
	return *(volatile uint8_t *)addr;
}

static inline uint16_t lowcore_read16(unsigned long addr)
{
	return *(volatile uint16_t *)addr;
}

static inline uint32_t lowcore_read32(unsigned long addr)
{
	return *(volatile uint32_t *)addr;
}

static inline uint64_t lowcore_read64(unsigned long addr)
{
	return *(volatile uint64_t *)addr;
}

static inline void lowcore_write_psw(unsigned long addr, uint64_t mask, uint64_t psw_addr)
{
	volatile uint64_t *psw = (volatile uint64_t *)addr;

	psw[0] = mask;
	psw[1] = psw_addr;
}

static inline uint64_t ctl0_read(void)
{
	uint64_t cr0;

	asm volatile("stctg %%c0,%%c0,%0" : "=Q"(cr0));
	return cr0;
}

static inline void ctl0_write(uint64_t cr0)
{
	asm volatile("lctlg %%c0,%%c0,%0" : : "Q"(cr0) : "memory");
}

/* The TOD clock; bit 51 ticks once per microsecond. */
static inline uint64_t tod_read(void)
{
	uint64_t tod;

	asm volatile("stck %0" : "=Q"(tod) : : "cc");
	return tod;
}

static inline void clock_comparator_set(uint64_t value)
{
	asm volatile("sckc %0" : : "Q"(value));
}

#define TOD_TICKS_PER_US 4096ULL

/* Stops the CPU for good; the PSW address is the code the hypervisor shows. */
__attribute__((noreturn)) static inline void disabled_wait(uint64_t code)
{
	struct psw psw = { .mask = PSW_MASK_DISABLED_WAIT, .addr = code };

	asm volatile("lpswe %0" : : "Q"(psw) : "memory");
	__builtin_unreachable();
}

#endif /* STUB_CPU_H */
