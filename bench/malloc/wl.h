/* SPDX-License-Identifier: MIT */
/*
 * What the workload programs of `make bench-malloc` share: a fixed-seed
 * PRNG, a hash, the scale argument, and stamps that let a program check
 * every object it frees.
 *
 * Each workload is a plain C program (no allocator linked in) that the
 * driver, malloc_bench.c, runs under each allocator with LD_PRELOAD. It
 * takes one optional argument, a scale factor for its amount of work
 * (default 1), prints one line "NAME ok ..." with checksums that do not
 * depend on the allocator, and exits 0; on any corruption it prints
 * "NAME: FAIL ..." to standard error and exits 2.
 */
#ifndef MMK_BENCH_MALLOC_WL_H
#define MMK_BENCH_MALLOC_WL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WL_NAME
#error "define WL_NAME before including wl.h"
#endif

static inline uint64_t wl_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* A uniform value in [lo, hi]. */
static inline uint64_t wl_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + wl_rand(s) % (hi - lo + 1);
}

/* splitmix64's finaliser: a hash of @x. */
static inline uint64_t wl_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

__attribute__((format(printf, 1, 2), noreturn)) static inline void
wl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs(WL_NAME ": FAIL ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static inline void *wl_malloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		wl_fail("malloc(%zu) returned NULL", n);
	if ((uintptr_t)p % (n >= 16 ? 16 : 8))
		wl_fail("malloc(%zu) returned misaligned %p", n, p);
	return p;
}

/* The scale factor: argv[1], default 1. */
static inline double wl_scale(int argc, char **argv)
{
	double s = argc > 1 ? atof(argv[1]) : 1.0;

	if (s <= 0)
		wl_fail("bad scale '%s'", argv[1]);
	return s;
}

static inline uint64_t wl_scaled(uint64_t n, double scale)
{
	uint64_t v = (uint64_t)((double)n * scale);

	return v ? v : 1;
}

/*
 * Stamp an object of @n >= 8 bytes with @id: a word at its start and, when
 * it has room for a second, one at its end.
 */
static inline void wl_stamp(void *p, size_t n, uint64_t id)
{
	uint64_t a = wl_mix(id), b = ~a;

	memcpy(p, &a, 8);
	if (n >= 16)
		memcpy((char *)p + n - 8, &b, 8);
}

/* Check the stamp of @p; fail naming @what if it is not intact. */
static inline void wl_check(const void *p, size_t n, uint64_t id,
			    const char *what)
{
	uint64_t a, b, want = wl_mix(id);

	memcpy(&a, p, 8);
	if (a != want)
		wl_fail("%s: object %p (%zu bytes, id %" PRIu64
			") head is %016" PRIx64 ", want %016" PRIx64,
			what, p, n, id, a, want);
	if (n >= 16) {
		memcpy(&b, (const char *)p + n - 8, 8);
		if (b != ~want)
			wl_fail("%s: object %p (%zu bytes, id %" PRIu64
				") tail is %016" PRIx64 ", want %016" PRIx64,
				what, p, n, id, b, ~want);
	}
}

#endif /* MMK_BENCH_MALLOC_WL_H */
