/* SPDX-License-Identifier: MIT */
/*
 * The architected lowcore fields and PSW masks the stub uses (prefix 0, so
 * real and absolute addresses are the same). Included from C and assembler.
 */
#ifndef STUB_LOWCORE_H
#define STUB_LOWCORE_H

#ifdef __ASSEMBLER__
#define STUB_U64(x) x
#else
#define STUB_U64(x) x##ULL
#endif

#define LC_EXT_PARAMS 0x080    /* u32 external interruption parameter */
#define LC_EXT_INT_CODE 0x086  /* u16 external interruption code */
#define LC_PGM_ILC 0x08d       /* u8, bits 5-6: instruction length code */
#define LC_PGM_INT_CODE 0x08e  /* u16 program interruption code */
#define LC_STFL_FAC_LIST 0x0c8 /* u32 facility bits 0-31 stored by STFL */
#define LC_EXT_OLD_PSW 0x130
#define LC_PGM_OLD_PSW 0x150
#define LC_EXT_NEW_PSW 0x1b0
#define LC_PGM_NEW_PSW 0x1d0

/* 64-bit addressing, DAT off, I/O and external interruptions off. */
#define PSW_MASK_RUN STUB_U64(0x0000000180000000)
/* The same plus the wait bit: a disabled wait, the PSW address is the code. */
#define PSW_MASK_DISABLED_WAIT STUB_U64(0x0002000180000000)
/* Wait with external interruptions enabled: how the stub waits for the SCLP. */
#define PSW_MASK_EXT_WAIT STUB_U64(0x0102000180000000)

/* Control register 0 external-interruption subclass masks. */
#define CR0_CLOCK_COMPARATOR_SUBMASK STUB_U64(0x0000000000000800)
#define CR0_SERVICE_SIGNAL_SUBMASK STUB_U64(0x0000000000000200)

/* External interruption codes. */
#define EXT_CODE_CLOCK_COMPARATOR 0x1004
#define EXT_CODE_SERVICE_SIGNAL 0x2401

#endif /* STUB_LOWCORE_H */
