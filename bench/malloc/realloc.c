/* SPDX-License-Identifier: MIT */
/*
 * Workload 5, realloc growth, interleaved so a block rarely has free room
 * after it:
 * - strings: 128 strings grown 16 bytes at a time to 8 KiB;
 * - arrays: 16 arrays grown by doubling from 16 bytes to 2 MiB.
 * Each step writes the new part; after each realloc the bytes written
 * before are checked at both ends, and every buffer is checked whole
 * before it is freed.
 */
#define WL_NAME "realloc"
#include "bench/malloc/wl.h"

#define STRINGS 128
#define STR_MAX 8192
#define ARRAYS 16
#define ARR_MAX (2u << 20)

static unsigned char byte_at(uint64_t seed, size_t i)
{
	return (unsigned char)((seed >> (i % 7 * 8)) + i * 131);
}

static void fill(unsigned char *p, size_t from, size_t to, uint64_t seed)
{
	size_t i;

	for (i = from; i < to; i++)
		p[i] = byte_at(seed, i);
}

static void check(const unsigned char *p, size_t from, size_t to, uint64_t seed,
		  const char *what)
{
	size_t i;

	for (i = from; i < to; i++)
		if (p[i] != byte_at(seed, i))
			wl_fail("%s: byte %zu of %p is %#x, want %#x", what, i,
				(const void *)p, p[i], byte_at(seed, i));
}

static void *grow(void *p, size_t old, size_t n, uint64_t seed)
{
	unsigned char *q = realloc(p, n);

	if (!q)
		wl_fail("realloc(%p, %zu) returned NULL", p, n);
	if (old) {
		check(q, 0, old < 16 ? old : 16, seed, "realloc head");
		check(q, old > 16 ? old - 16 : 0, old, seed, "realloc tail");
	}
	fill(q, old, n, seed);
	return q;
}

static uint64_t sum(const unsigned char *p, size_t n)
{
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < n; i++)
		h = h * 31 + p[i];
	return h;
}

int main(int argc, char **argv)
{
	uint64_t reps = wl_scaled(3, wl_scale(argc, argv)), r, h = 0;
	unsigned char *str[STRINGS], *arr[ARRAYS];
	size_t len, i;

	for (r = 0; r < reps; r++) {
		memset(str, 0, sizeof str);
		for (len = 16; len <= STR_MAX; len += 16)
			for (i = 0; i < STRINGS; i++)
				str[i] = grow(str[i], len - 16, len,
					      wl_mix(r * 1000 + i));
		for (i = 0; i < STRINGS; i++) {
			check(str[i], 0, STR_MAX, wl_mix(r * 1000 + i),
			      "string");
			h += sum(str[i], STR_MAX);
			free(str[i]);
		}
		memset(arr, 0, sizeof arr);
		for (len = 16; len <= ARR_MAX; len *= 2)
			for (i = 0; i < ARRAYS; i++)
				arr[i] = grow(arr[i],
					      len / 2 == 8 ? 0 : len / 2, len,
					      wl_mix(r * 1000 + 500 + i));
		for (i = 0; i < ARRAYS; i++) {
			check(arr[i], 0, ARR_MAX, wl_mix(r * 1000 + 500 + i),
			      "array");
			h += sum(arr[i], ARR_MAX);
			free(arr[i]);
		}
	}
	printf("realloc ok %" PRIu64 " %016" PRIx64 "\n", reps, h);
	return 0;
}
