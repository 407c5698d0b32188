/* SPDX-License-Identifier: MIT */
/*
 * A test-and-test-and-set spin lock, the user-space stand-in for the
 * kernel's spin_lock_irqsave() on an area. Both allocators use it, so the
 * benchmark compares allocators, not locks. Critical sections are short
 * and never sleep; a waiter spins on a plain load so it does not steal the
 * cache line from the holder.
 */
#ifndef SWIOTLB_SPINLOCK_H
#define SWIOTLB_SPINLOCK_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

struct spinlock {
	atomic_bool locked;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline void spin_init(struct spinlock *lock)
{
	atomic_init(&lock->locked, false);
}

static inline void spin_lock(struct spinlock *lock)
{
	unsigned int spins = 0;

	while (atomic_exchange_explicit(&lock->locked, true, memory_order_acquire)) {
		while (atomic_load_explicit(&lock->locked, memory_order_relaxed)) {
			/* More threads than CPUs: let the holder run. */
			if (++spins % 1024 == 0)
				sched_yield();
			else
				cpu_relax();
		}
	}
}

static inline void spin_unlock(struct spinlock *lock)
{
	atomic_store_explicit(&lock->locked, false, memory_order_release);
}

#endif /* SWIOTLB_SPINLOCK_H */
