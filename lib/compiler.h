/* SPDX-License-Identifier: MIT */
/* Compiler extensions behind Linux's names (include/linux/compiler.h). */
#ifndef MMK_LIB_COMPILER_H
#define MMK_LIB_COMPILER_H

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __must_check __attribute__((warn_unused_result))
#define noinline __attribute__((noinline))
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __cold __attribute__((cold))
/* Reads of memory other threads own without their locks, on purpose (as
 * Linux's racy PageLRU() scans): ThreadSanitizer leaves the function out. */
#if defined(__clang__)
#define __no_sanitize_thread \
	__attribute__((__noinline__, no_sanitize("thread")))
#else
#define __no_sanitize_thread __attribute__((__noinline__, no_sanitize_thread))
#endif
#define __maybe_unused __attribute__((unused))
/* Per-thread state (the current machine, CPU and mm, reclaim's
 * re-entry marks). A freestanding build (MMK_FREESTANDING) has one
 * thread of control and asks no thread-local storage of its embedder:
 * these are plain variables there. */
#ifdef MMK_FREESTANDING
#define mmk_thread_local
#define mmk_tls_initial_exec
#else
#define mmk_thread_local _Thread_local
#define mmk_tls_initial_exec __attribute__((tls_model("initial-exec")))
#endif
#define barrier() __asm__ __volatile__("" ::: "memory")
/* Make the compiler forget what it knows of @var's value (so that it
 * keeps one register for a pointer instead of re-deriving offsets). */
/* Plain-word reads and writes of values other threads may change or
 * read meanwhile (watermarks, reserves): relaxed atomics, one mov each. */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define OPTIMIZER_HIDE_VAR(var) __asm__("" : "=r"(var) : "0"(var))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define BITS_PER_LONG 64

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define clamp(v, lo, hi) min(max(v, lo), hi)

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MMK_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define MMK_TSAN 1
#endif
#ifndef MMK_TSAN
#define MMK_TSAN 0
#endif

static inline int fls_long(unsigned long x)
{
	return x ? BITS_PER_LONG - __builtin_clzl(x) : 0;
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return n ? 1UL << (fls_long(n) - 1) : 0;
}

/* The smallest power of two at least @n (1 for 0); @n at most 2^63. */
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n > 1 ? 1UL << fls_long(n - 1) : 1;
}

static inline unsigned long int_sqrt(unsigned long x)
{
	unsigned long b, m, y = 0;

	if (x <= 1)
		return x;
	m = 1UL << ((fls_long(x) - 1) & ~1UL);
	while (m != 0) {
		b = y + m;
		y >>= 1;
		if (x >= b) {
			x -= b;
			y += m;
		}
		m >>= 2;
	}
	return y;
}

#endif /* MMK_LIB_COMPILER_H */
