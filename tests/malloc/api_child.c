/* SPDX-License-Identifier: MIT */
/*
 * Child program of tests/malloc_test.c, compiled at test time with the
 * system compiler (no sanitizer) and run with LD_PRELOAD=libmmkit-malloc.so.
 * argv[1] names the case.
 *
 * API cases ("api_*") check the malloc API's semantics; they print
 * "FAIL file:line: condition" on standard error for each failed check and
 * exit 1 if any failed, 0 otherwise.
 *
 * Security cases ("sec_*") commit one malloc bug each. A case the library
 * catches ends the process (SIGABRT with "mmkit-malloc: ..." on standard
 * error, or SIGSEGV where the design traps); one it does not catch exits
 * with EXIT_NOT_CAUGHT. Cases that test a mitigation rather than a trap
 * (freed memory reads as zero, fresh memory holds no old data) exit with
 * EXIT_MITIGATED when the mitigation works.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_NOT_CAUGHT 0
#define EXIT_MITIGATED 10

static int failures;

#define CHECK(c)                                                      \
	do {                                                          \
		if (!(c)) {                                           \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, \
				__LINE__, #c);                        \
			failures++;                                   \
		}                                                     \
	} while (0)

/* Hide a pointer from the compiler so no call is folded away. */
static void *opaque(void *p)
{
	__asm__ volatile("" : "+r"(p));
	return p;
}

static size_t opaque_size(size_t n)
{
	__asm__ volatile("" : "+r"(n));
	return n;
}

static int hardened(void)
{
	const char *m = getenv("MMKIT_MALLOC");

	return m && strcmp(m, "hardened") == 0;
}

static unsigned long long rnd_state = 88172645463325252ULL;

static unsigned long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned long)rnd_state;
}

static void fill(void *p, size_t n, unsigned int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 7 + seed);
}

static int filled(const void *p, size_t n, unsigned int seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)(i * 7 + seed))
			return 0;
	return 1;
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static int cmp_uintptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

typedef void (*free_sized_fn)(void *, size_t);
typedef void (*free_aligned_sized_fn)(void *, size_t, size_t);

static free_sized_fn get_free_sized(void)
{
	free_sized_fn f;

	*(void **)&f = dlsym(RTLD_DEFAULT, "free_sized");
	return f;
}

static free_aligned_sized_fn get_free_aligned_sized(void)
{
	free_aligned_sized_fn f;

	*(void **)&f = dlsym(RTLD_DEFAULT, "free_aligned_sized");
	return f;
}

/* ================= API cases ================= */

static const size_t sizes[] = {
	0,	 1,
	7,	 8,
	15,	 16,
	17,	 24,
	31,	 32,
	48,	 63,
	64,	 100,
	127,	 128,
	200,	 255,
	256,	 500,
	1000,	 1024,
	1025,	 2000,
	4095,	 4096,
	4097,	 8192,
	10000,	 16383,
	16384,	 16385,
	20000,	 65536,
	100000,	 1 << 20,
	4 << 20, (4 << 20) + 1,
	5 << 20,
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static void api_malloc(void)
{
	void *p[NSIZES];
	void **many;
	size_t i, j, sz;

	/* A successful malloc leaves errno alone, the first of each size
	 * class too (it makes the class's cache). */
	for (sz = 1; sz <= (64 << 10); sz += sz / 8 + 1) {
		void *q;

		errno = EDOM;
		q = malloc(opaque_size(sz));
		CHECK(q != NULL && errno == EDOM);
		free(q);
	}

	for (i = 0; i < NSIZES; i++) {
		p[i] = malloc(opaque_size(sizes[i]));
		CHECK(p[i] != NULL);
		if (!p[i])
			return;
		CHECK((uintptr_t)p[i] % 16 == 0);
		CHECK(malloc_usable_size(p[i]) >= sizes[i]);
		fill(p[i], sizes[i], (unsigned int)i);
	}
	for (i = 0; i < NSIZES; i++) {
		CHECK(filled(p[i], sizes[i], (unsigned int)i));
		free(p[i]);
	}
	free(opaque(NULL));

	/* Distinct, non-overlapping live objects. */
	many = malloc(4096 * sizeof(*many));
	CHECK(many != NULL);
	for (i = 0; i < 4096; i++) {
		many[i] = malloc(opaque_size(48));
		CHECK(many[i] != NULL);
		memset(many[i], (int)(i & 0xff), 48);
	}
	for (i = 0; i < 4096; i++) {
		const unsigned char *b = many[i];

		for (j = 0; j < 48; j++)
			if (b[j] != (unsigned char)(i & 0xff)) {
				CHECK(!"objects overlap");
				break;
			}
		free(many[i]);
	}
	free(many);
}

static void api_calloc(void)
{
	size_t i;
	void *p;

	errno = 0;
	p = calloc(opaque_size(SIZE_MAX / 2 + 1), 2);
	CHECK(p == NULL && errno == ENOMEM);
	errno = 0;
	p = calloc(opaque_size((size_t)1 << 33), (size_t)1 << 33);
	CHECK(p == NULL && errno == ENOMEM);
	errno = 0;
	p = calloc(opaque_size(PTRDIFF_MAX), 1);
	CHECK(p == NULL && errno == ENOMEM);

	p = calloc(opaque_size(0), 0);
	CHECK(p != NULL);
	free(p);

	for (i = 0; i < NSIZES; i++) {
		size_t n = sizes[i];
		int round;

		for (round = 0; round < 3; round++) {
			unsigned char *d = malloc(opaque_size(n));

			CHECK(d != NULL);
			memset(d, 0xff, n);
			free(d);
			d = round == 0 ? calloc(1, n) :
			    round == 1 ? calloc(n, 1) :
					 calloc(n / 4 + 1, 4);
			CHECK(d != NULL);
			if (d)
				CHECK(all_zero(d, round == 2 ? (n / 4 + 1) * 4 :
							       n));
			free(d);
		}
	}
}

static void api_realloc(void)
{
	static const size_t grow[] = { 100,	 200,	   1000,    5000,
				       20000,	 200000,   5 << 20, 50 << 20,
				       60 << 20, 50 << 20, 3 << 20, 100000,
				       1000,	 10 };
	size_t i, prev = 0;
	unsigned char *p = realloc(opaque(NULL), 100), *q;

	CHECK(p != NULL);
	if (!p)
		return;
	fill(p, 100, 3);
	prev = 100;
	for (i = 1; i < sizeof grow / sizeof grow[0]; i++) {
		size_t keep = prev < grow[i] ? prev : grow[i];

		q = realloc(p, opaque_size(grow[i]));
		CHECK(q != NULL);
		if (!q)
			return;
		CHECK(filled(q, keep, 3));
		CHECK(malloc_usable_size(q) >= grow[i]);
		fill(q, grow[i], 3);
		p = q;
		prev = grow[i];
	}
	free(p);

	/* Shrinking a little keeps the object and its data. */
	p = malloc(opaque_size(1000));
	CHECK(p != NULL);
	fill(p, 1000, 5);
	q = realloc(p, 900);
	CHECK(q != NULL);
	if (!hardened())
		CHECK(q == p);
	CHECK(filled(q, 900, 5));
	p = q;
	q = realloc(p, 1000);
	CHECK(q != NULL);
	CHECK(filled(q, 900, 5));
	free(q);

	/* realloc(p, 0) frees and returns NULL. */
	p = malloc(opaque_size(64));
	CHECK(p != NULL);
	CHECK(realloc(p, opaque_size(0)) == NULL);
	p = malloc(opaque_size(200000));
	CHECK(realloc(p, opaque_size(0)) == NULL);

	/* A failed realloc leaves the object alone. */
	p = malloc(opaque_size(100));
	fill(p, 100, 9);
	errno = 0;
	CHECK(realloc(p, opaque_size(SIZE_MAX)) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(realloc(p, opaque_size(PTRDIFF_MAX)) == NULL && errno == ENOMEM);
	CHECK(filled(p, 100, 9));
	free(p);

	/* reallocarray. */
	errno = 0;
	CHECK(reallocarray(NULL, opaque_size(SIZE_MAX), 2) == NULL &&
	      errno == ENOMEM);
	p = reallocarray(NULL, opaque_size(10), 10);
	CHECK(p != NULL);
	fill(p, 100, 11);
	errno = 0;
	CHECK(reallocarray(p, opaque_size((size_t)1 << 40), (size_t)1 << 40) ==
		      NULL &&
	      errno == ENOMEM);
	CHECK(filled(p, 100, 11));
	q = reallocarray(p, 300, 10);
	CHECK(q != NULL);
	CHECK(filled(q, 100, 11));
	free(q);
}

static void api_memalign(void)
{
	static const size_t bad[] = { 0, 1, 2, 3, 4, 12, 24, 48, 100, 4095 };
	static const size_t asz[] = { 1, 100, 4096, 5000, 100000, 3 << 20 };
	size_t i, j, a;
	void *p;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = (void *)1;
		CHECK(posix_memalign(&p, opaque_size(bad[i]), 10) == EINVAL);
		CHECK(p == (void *)1);
	}
	CHECK(posix_memalign(&p, opaque_size(8), 10) == 0);
	free(p);
	for (a = 16; a <= (1 << 20); a <<= 1)
		for (j = 0; j < sizeof asz / sizeof asz[0]; j++) {
			p = NULL;
			CHECK(posix_memalign(&p, opaque_size(a), asz[j]) == 0);
			CHECK(p != NULL);
			if (!p)
				continue;
			if ((uintptr_t)p % a) {
				fprintf(stderr,
					"FAIL: posix_memalign(%zu, %zu) = %p\n",
					a, asz[j], p);
				failures++;
			}
			CHECK(malloc_usable_size(p) >= asz[j]);
			memset(p, 0x5a, asz[j]);
			free(p);
		}
	/* Beyond the page-run limit. */
	CHECK(posix_memalign(&p, opaque_size(8 << 20), 10) == 0);
	CHECK((uintptr_t)p % (8 << 20) == 0);
	free(p);
	/* A huge alignment keeps only the aligned page: the address space
	 * reserved to find it goes back, so the usable size is at most a
	 * page (it was the rest of the reservation, up to the alignment). */
	for (a = (size_t)1 << 30; a <= (size_t)1 << 40; a <<= 5) {
		size_t u;

		CHECK(posix_memalign(&p, opaque_size(a), 10) == 0);
		CHECK(p && (uintptr_t)p % a == 0);
		if (!p)
			continue;
		u = malloc_usable_size(p);
		CHECK(u >= 10 && u <= 4096);
		memset(p, 0x5a, u);
		free(p);
	}
	CHECK(posix_memalign(&p, 64, opaque_size(SIZE_MAX)) == ENOMEM);
	CHECK(posix_memalign(&p, 64, opaque_size(PTRDIFF_MAX)) == ENOMEM);

	p = aligned_alloc(opaque_size(64), 100);
	CHECK(p && (uintptr_t)p % 64 == 0);
	free(p);
	p = aligned_alloc(opaque_size(4096), 3 * 4096);
	CHECK(p && (uintptr_t)p % 4096 == 0);
	memset(p, 1, 3 * 4096);
	free(p);
	errno = 0;
	CHECK(aligned_alloc(opaque_size(3), 10) == NULL && errno == EINVAL);
	errno = 0;
	CHECK(aligned_alloc(4096, opaque_size(SIZE_MAX)) == NULL &&
	      errno == ENOMEM);

	p = memalign(opaque_size(24), 100); /* rounded up to 32 */
	CHECK(p && (uintptr_t)p % 32 == 0);
	free(p);
	p = memalign(opaque_size(0), 10);
	CHECK(p != NULL);
	free(p);
	p = memalign(opaque_size(1 << 16), 100);
	CHECK(p && (uintptr_t)p % (1 << 16) == 0);
	free(p);
	errno = 0;
	CHECK(memalign(opaque_size(1 << 20), PTRDIFF_MAX) == NULL &&
	      errno == ENOMEM);

	p = valloc(opaque_size(100));
	CHECK(p && (uintptr_t)p % 4096 == 0);
	free(p);
	p = valloc(opaque_size(10000));
	CHECK(p && (uintptr_t)p % 4096 == 0);
	memset(p, 2, 10000);
	free(p);
	p = pvalloc(opaque_size(100));
	CHECK(p && (uintptr_t)p % 4096 == 0);
	CHECK(malloc_usable_size(p) >= 4096);
	memset(p, 3, 4096);
	free(p);
	errno = 0;
	CHECK(pvalloc(opaque_size(SIZE_MAX - 100)) == NULL && errno == ENOMEM);
}

static void api_usable(void)
{
	void *p[5001];
	size_t n;

	CHECK(malloc_usable_size(NULL) == 0);
	for (n = 0; n <= 5000; n++) {
		size_t u;

		p[n] = malloc(opaque_size(n));
		CHECK(p[n] != NULL);
		u = malloc_usable_size(p[n]);
		if (u < n) {
			fprintf(stderr, "FAIL: usable(malloc(%zu)) = %zu\n", n,
				u);
			failures++;
		}
		memset(p[n], 0x77, u); /* every usable byte may be used */
	}
	for (n = 0; n <= 5000; n++)
		free(p[n]);
	/* Default mode's classes around 1 KiB and a page: 1024, 1040 and
	 * 1152 for 1 KiB plus a header, 1280; 4096. Above, with one thread:
	 * medium blocks, cut to 16-byte steps. */
	if (!hardened()) {
		static const size_t ask[] = { 1024, 1025, 1040, 1041,
					      1152, 1153, 4096, 4097,
					      4608, 4609, 5120 },
				    want[] = { 1024, 1040, 1040, 1152,
					       1152, 1280, 4096, 4112,
					       4608, 4624, 5120 };

		for (n = 0; n < sizeof ask / sizeof ask[0]; n++) {
			void *q = malloc(opaque_size(ask[n]));

			CHECK(q != NULL);
			CHECK(malloc_usable_size(q) == want[n]);
			free(q);
		}
	}
}

/*
 * A call into malloc while the heap boots: the library seeds its secret
 * with getrandom(), which this program interposes (the library's call
 * binds to the executable's definition) to allocate as a C library
 * function may. That call gets memory from the bootstrap arena, mapped
 * by that first use: it must be usable, keep its contents through
 * realloc, and be freed without complaint.
 */
static bool boot_armed;
static void *boot_early;

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	if (boot_armed && !boot_early)
		boot_early = malloc(100);
	return syscall(SYS_getrandom, buf, len, flags);
}

static void api_boot_reentry(void)
{
	char *p, *q;

	boot_armed = true;
	/* The heap boots here: main() allocated nothing before. */
	q = opaque(malloc(24));
	CHECK(q != NULL);
	p = boot_early;
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK((uintptr_t)p % 16 == 0);
	CHECK(malloc_usable_size(p) >= 100);
	fill(p, 100, 3);
	p = realloc(p, 5000);
	CHECK(p != NULL && filled(p, 100, 3));
	free(p);
	/* Freed again through the heap's own paths, not the arena's. */
	free(q);
	free(opaque(malloc(100)));
}

static void api_huge_fail(void)
{
	static const size_t bad[] = { SIZE_MAX,		  SIZE_MAX - 4095,
				      SIZE_MAX / 2 + 1,	  PTRDIFF_MAX,
				      PTRDIFF_MAX - 4096, (size_t)1 << 47 };
	char mode = '0';
	size_t i;
	FILE *f;
	void *p;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		p = malloc(opaque_size(bad[i]));
		if (p || errno != ENOMEM) {
			fprintf(stderr, "FAIL: malloc(%#zx) = %p, errno %d\n",
				bad[i], p, errno);
			failures++;
		}
	}
	/* 64 TiB fits the address space but not this host's RAM and swap:
	 * large blocks are committed as glibc's are, so the kernel's
	 * overcommit policy refuses them (unless it is "always"). */
	f = fopen("/proc/sys/vm/overcommit_memory", "r");
	if (f) {
		if (fscanf(f, " %c", &mode) != 1)
			mode = '0';
		fclose(f);
	}
	if (mode != '1') {
		errno = 0;
		p = malloc(opaque_size((size_t)1 << 46));
		CHECK(p == NULL && errno == ENOMEM);
		errno = 0;
		p = calloc(opaque_size(1), (size_t)1 << 46);
		CHECK(p == NULL && errno == ENOMEM);
		p = NULL;
		CHECK(posix_memalign(&p, opaque_size(1 << 21),
				     opaque_size((size_t)1 << 46)) == ENOMEM);
	}
}

static void api_misc(void)
{
	struct mallinfo2 a, b;
	char buf[4096];
	size_t n;
	FILE *f;
	void *p, *q;

	CHECK(mallopt(M_MMAP_THRESHOLD, 128 * 1024) == 1);
	CHECK(mallopt(M_TRIM_THRESHOLD, 1 << 20) == 1);
	CHECK(mallopt(M_ARENA_MAX, 2) == 1);
	CHECK(mallopt(M_TOP_PAD, 0) == 1);
	/* The values glibc refuses, refused as it does. */
	CHECK(mallopt(M_MXFAST, 160) == 1 && mallopt(M_MXFAST, 161) == 0 &&
	      mallopt(M_MXFAST, -1) == 0);
	/* glibc 2.36 takes any mmap threshold. */
	CHECK(mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 &&
	      mallopt(M_MMAP_THRESHOLD, (32 << 20) + 1) == 1 &&
	      mallopt(M_MMAP_THRESHOLD, -1) == 1);

	p = malloc(opaque_size(100));
	a = mallinfo2();
	CHECK(a.arena > 0);
	q = malloc(opaque_size(16 << 20));
	CHECK(q != NULL);
	b = mallinfo2();
	CHECK(b.hblks >= a.hblks + 1);
	CHECK(b.hblkhd >= a.hblkhd + (16 << 20));
	free(q);
	a = mallinfo2();
	q = malloc(opaque_size(2 << 20));
	memset(q, 1, 2 << 20);
	b = mallinfo2();
	/* Hardened mode maps large objects on their own. */
	CHECK(b.uordblks + b.hblkhd >= a.uordblks + a.hblkhd + (2 << 20));
	free(q);
	free(p);

	malloc_stats(); /* the parent looks for it on stderr */

	f = tmpfile();
	CHECK(f != NULL);
	if (f) {
		CHECK(malloc_info(0, f) == 0);
		rewind(f);
		n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = 0;
		CHECK(strstr(buf, "<malloc") != NULL);
		CHECK(strstr(buf, "</malloc>") != NULL);
		/* glibc returns the error number and leaves errno alone. */
		errno = 0;
		CHECK(malloc_info(1, f) == EINVAL && errno == 0);
		fclose(f);
	}
	n = (size_t)malloc_trim(0);
	CHECK(n == 0 || n == 1);
}

/* What @fn writes to fd @fd, in @buf (@size bytes). */
static void capture_fd(int fd, void (*fn)(void), char *buf, size_t size)
{
	FILE *f = tmpfile();
	int saved = dup(fd);
	size_t n = 0;

	CHECK(f != NULL && saved >= 0);
	if (!f || saved < 0)
		return;
	fflush(NULL);
	dup2(fileno(f), fd);
	fn();
	fflush(NULL);
	dup2(saved, fd);
	close(saved);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
	fclose(f);
}

static void malloc_info_stdout(void)
{
	CHECK(malloc_info(0, stdout) == 0);
}

/* Whether @text holds each of @parts in this order. */
static bool in_order(const char *text, const char *const *parts, size_t n)
{
	size_t i;

	for (i = 0; i < n && text; i++) {
		text = strstr(text, parts[i]);
		if (text)
			text += strlen(parts[i]);
		else
			fprintf(stderr,
				"FAIL: \"%s\" missing or out of order\n",
				parts[i]);
	}
	return text != NULL;
}

/* Whether @fn(@a, @b), run in a child, dies of SIGABRT (its message to
 * /dev/null). */
static bool aborts(void (*fn)(size_t, size_t), size_t a, size_t b)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 2);
		fn(a, b);
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	       WTERMSIG(st) == SIGABRT;
}

/* Overwrite byte @off of a fresh block of @size bytes, then free it. */
static void overflow_at(size_t size, size_t off)
{
	unsigned char *p = malloc(opaque_size(size));

	((volatile unsigned char *)p)[off] ^= 0x5a;
	free(p);
}

/* Write a word at byte @off of a freed block of @size bytes, then cycle
 * the class through the quarantine and the bins. */
static void uaf_word_at(size_t size, size_t off)
{
	char *p = malloc(opaque_size(size));
	int i;

	free(p);
	*(volatile uintptr_t *)(void *)(p + off) = 1;
	for (i = 0; i < 600; i++)
		free(malloc(opaque_size(size)));
	for (i = 0; i < 600; i++)
		opaque(malloc(opaque_size(size)));
}

static void *high_keys_thread(void *arg)
{
	(void)arg;
	free(opaque(malloc(opaque_size(100))));
	return NULL;
}

/* A program that makes 40 pthread keys before its first malloc: the
 * heap's own keys are then of index 32 or more, whose first
 * pthread_setspecific() in a thread callocs glibc's second-level block
 * (a new thread's first malloc recursed until its stack overflowed). */
static void api_thread_high_keys(void)
{
	pthread_key_t k[40];
	pthread_t t;
	int i;

	for (i = 0; i < 40; i++)
		CHECK(pthread_key_create(&k[i], NULL) == 0);
	for (i = 0; i < 3; i++) {
		CHECK(pthread_create(&t, NULL, high_keys_thread, NULL) == 0);
		CHECK(pthread_join(t, NULL) == 0);
	}
	for (i = 0; i < 40; i++)
		pthread_key_delete(k[i]);
}

/*
 * Hardened mode's canary and zero checks, byte by byte and word by word
 * (they compare a word, or sixteen bytes, at a time): a one-byte overflow
 * into the first, a middle and the last canary byte and into the trailer
 * of blocks of 1 to 600 bytes and a few larger ones aborts at free, and
 * so does a write after free into the second, third, fifth and last word
 * (those inside the block) of blocks of several classes.
 */
static void api_hardened_checks(void)
{
	static const size_t big[] = { 1000, 1023, 1024,	 2047, 3000,
				      4090, 8185, 10000, 16370 };
	static const size_t uaf[] = { 16,  24,	 40,   56,    100,  200,
				      500, 1000, 3000, 10000, 16000 };
	size_t i, size, n, k, missed = 0;

	if (!hardened())
		return;
	for (i = 1; i <= 600 + sizeof big / sizeof big[0]; i++) {
		unsigned char *p;

		size = i <= 600 ? i : big[i - 601];
		p = malloc(opaque_size(size));
		/* The canary runs from the block's end to the trailer. */
		for (n = 0; p[size + n] == 0xa5; n++)
			;
		free(p);
		{
			const size_t at[] = { 0, n / 2, n ? n - 1 : 0, n };

			for (k = 0; k < 4; k++)
				if (!aborts(overflow_at, size, size + at[k])) {
					fprintf(stderr,
						"overflow at %zu of %zu bytes "
						"(canary %zu) missed\n",
						at[k], size, n);
					missed++;
				}
		}
	}
	for (i = 0; i < sizeof uaf / sizeof uaf[0]; i++) {
		const size_t at[] = { 8, 16, 32, (uaf[i] - 1) & ~(size_t)7 };

		for (k = 0; k < 4; k++)
			if (at[k] + 8 <= uaf[i] &&
			    !aborts(uaf_word_at, uaf[i], at[k])) {
				fprintf(stderr,
					"write after free at %zu of %zu bytes "
					"missed\n",
					at[k], uaf[i]);
				missed++;
			}
	}
	CHECK(missed == 0);
}

/* malloc_stats(), malloc_info() and malloc_trim() as glibc 2.36 gives
 * them: the stats' eight lines (the peak of mappings, not their count
 * now), the info's elements with their counts, and a trim that gave
 * nothing back returns 0. */
static void api_stats_format(void)
{
	static const char *const stats[] = {
		"Arena 0:\nsystem bytes     = ",
		"\nin use bytes     = ",
		"\nTotal (incl. mmap):\nsystem bytes     = ",
		"\nin use bytes     = ",
		"\nmax mmap regions = ",
		"\nmax mmap bytes   = "
	};
	static const char *const info[] = {
		"<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n",
		"</sizes>\n<total type=\"fast\" count=\"",
		"<total type=\"rest\" count=\"",
		"<system type=\"current\" size=\"",
		"<system type=\"max\" size=\"",
		"<aspace type=\"total\" size=\"",
		"<aspace type=\"mprotect\" size=\"",
		"</heap>\n",
		"<total type=\"fast\" count=\"",
		"<total type=\"rest\" count=\"",
		"<total type=\"mmap\" count=\"1\" size=\"",
		"<system type=\"current\" size=\"",
		"<system type=\"max\" size=\"",
		"<aspace type=\"total\" size=\"",
		"<aspace type=\"mprotect\" size=\"",
		"</malloc>\n"
	};
	static char buf[1 << 16];
	char *huge[3], *s;
	int i;

	for (i = 0; i < 3; i++) {
		huge[i] = malloc(opaque_size(8 << 20));
		CHECK(huge[i] != NULL);
	}
	free(huge[0]);
	free(huge[1]);
	capture_fd(2, malloc_stats, buf, sizeof buf);
	CHECK(in_order(buf, stats, sizeof stats / sizeof stats[0]));
	s = strstr(buf, stats[4]);
	CHECK(s && strtoul(s + strlen(stats[4]), NULL, 10) == 3);
	/* Hardened mode's mappings have a guard page more. */
	s = strstr(buf, stats[5]);
	if (s)
		s += strlen(stats[5]);
	CHECK(s && (hardened() ? strtoul(s, NULL, 10) > 3 * (8 << 20) :
				 strtoul(s, NULL, 10) == 3 * (8 << 20)));
	capture_fd(1, malloc_info_stdout, buf, sizeof buf);
	CHECK(in_order(buf, info, sizeof info / sizeof info[0]));
	s = strstr(buf, info[10]);
	if (s)
		s += strlen(info[10]);
	CHECK(s && (hardened() ? strtoul(s, NULL, 10) > (8 << 20) :
				 strtoul(s, NULL, 10) == (8 << 20)));
	free(huge[2]);
	if (hardened())
		return; /* its quarantines keep freed memory by design */
	CHECK(malloc_trim(0) == 1); /* the kept mapping */
	CHECK(malloc_trim(0) == 0);
}

static void api_free_sized(void)
{
	static const size_t fs_sizes[] = { 1,	   8,	  16,	  17,
					   100,	   1000,  4096,	  5000,
					   16384,  16385, 100000, 3 << 20,
					   8 << 20 };
	free_sized_fn fs = get_free_sized();
	free_aligned_sized_fn fas = get_free_aligned_sized();
	size_t i;

	CHECK(fs != NULL);
	CHECK(fas != NULL);
	if (!fs || !fas)
		return;
	fs(NULL, 0);
	fas(NULL, 64, 0);
	for (i = 0; i < sizeof fs_sizes / sizeof fs_sizes[0]; i++) {
		void *p = malloc(opaque_size(fs_sizes[i]));

		CHECK(p != NULL);
		fs(p, fs_sizes[i]);
		p = calloc(1, fs_sizes[i]);
		fs(p, fs_sizes[i]);
	}
	fas(aligned_alloc(64, 128), 64, 128);
	fas(aligned_alloc(4096, 100000), 4096, 100000);
	fas(aligned_alloc(1 << 20, 3 << 20), 1 << 20, 3 << 20);
	/* Every alignment with sizes around each kind of block: the check
	 * must know which block aligned_alloc() makes of them. */
	for (i = 0; i <= 23; i++) {
		static const size_t as_sizes[] = { 0,	  1,	 16,	 17,
						   100,	  4095,	 4096,	 4097,
						   16385, 20000, 5 << 20 };
		size_t k, a = (size_t)1 << i;

		for (k = 0; k < sizeof as_sizes / sizeof as_sizes[0]; k++) {
			void *p = aligned_alloc(a, opaque_size(as_sizes[k]));

			CHECK(p != NULL && ((uintptr_t)p & (a - 1)) == 0);
			fas(p, a, as_sizes[k]);
		}
	}
	/* A mapping realloc shrank in place, to more than half. */
	{
		void *p = malloc(opaque_size(10 << 20)), *q;

		q = realloc(p, opaque_size(6 << 20));
		CHECK(q != NULL);
		fs(q, 6 << 20);
	}
}

static void api_large(void)
{
	static const size_t big[] = { 100 << 10, 3 << 20, 4 << 20,
				      (4 << 20) + 1, 64 << 20 };
	size_t i, off;

	for (i = 0; i < sizeof big / sizeof big[0]; i++) {
		unsigned char *p = malloc(opaque_size(big[i]));

		CHECK(p != NULL);
		if (!p)
			continue;
		p[big[i] - 1] = 0xee;
		for (off = 0; off < big[i] - 1; off += 4096)
			p[off] = (unsigned char)(off >> 12);
		for (off = 0; off < big[i] - 1; off += 4096)
			if (p[off] != (unsigned char)(off >> 12)) {
				CHECK(!"large allocation lost data");
				break;
			}
		CHECK(p[big[i] - 1] == 0xee);
		free(p);
	}
	/* Hardened mode keeps freed large blocks zeroed and inaccessible,
	 * and hands one out again only once two others were freed after
	 * it: the first of four comes back, all zero, its pages still in
	 * memory (a new mapping would have none). */
	if (hardened()) {
		unsigned char *q[4], *r, vec[25];
		int k;

		for (k = 0; k < 4; k++) {
			q[k] = malloc(opaque_size(100 << 10));
			CHECK(q[k] != NULL);
			if (q[k])
				memset(q[k], 0xab, 100 << 10);
		}
		for (k = 0; k < 4; k++)
			free(q[k]);
		r = malloc(opaque_size(100 << 10));
		CHECK(r == q[0]);
		CHECK(r && mincore(r, 100 << 10, vec) == 0);
		for (k = 0; r && k < 25; k++)
			CHECK(vec[k] & 1);
		CHECK(r && all_zero(r, 100 << 10));
		free(r);
	}
}

static long rss_kib(void)
{
	long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * Medium blocks (2 KiB to 256 KiB, one thread): random sizes, every byte
 * checked through frees, reallocs in and out of place and more
 * allocations; no two blocks overlap; in the default mode, blocks are cut
 * to 16-byte steps, shrink in place, grow in place into a freed
 * neighbour, and their memory goes back once they are all freed. Then,
 * with a second thread, these sizes come from the size classes again,
 * and the thread frees a medium block made before it started.
 */
#define MED_N 600

static void *medium_thread(void *arg)
{
	free(arg);
	return NULL;
}

/*
 * A medium arena's end (default mode; hardened mode has no medium
 * blocks): the last page, where the sentinel is, stays untouched while
 * the arena has room; a block cut to end exactly at the sentinel frees
 * without merging past it, and the block before it grows into its place
 * and no further.
 */
static void api_medium_end(void)
{
	const uintptr_t mib = (uintptr_t)1 << 20;
	char *p = malloc(opaque_size(5000)), *q[8], *last, *r;
	uintptr_t arena, end;
	unsigned char vec;
	size_t i, n = 0, tail;

	CHECK(p != NULL);
	if (!p || hardened()) {
		free(p);
		return;
	}
	arena = (uintptr_t)p & ~(mib - 1);
	end = arena + mib - 16; /* the sentinel's header */
	CHECK(mincore((void *)(arena + mib - 4096), 4096, &vec) == 0);
	CHECK(!(vec & 1));
	/* Blocks of 200,000 bytes until one lands in another arena. */
	for (i = 0; i < 8; i++) {
		q[i] = malloc(opaque_size(200000));
		CHECK(q[i] != NULL);
		if (!q[i])
			return;
		n = i + 1;
		if ((uintptr_t)q[i] < arena || (uintptr_t)q[i] >= arena + mib)
			break;
		fill(q[i], 200000, (unsigned int)i);
	}
	CHECK(n >= 2 && n <= 8);
	if (n < 2)
		return;
	last = q[n - 2];
	/* The free space left at the arena's end: one block up to the
	 * sentinel, taken whole by a request of its payload's size. */
	tail = end - ((uintptr_t)last + malloc_usable_size(last)) - 16;
	CHECK(tail >= 16 && tail < 200016);
	r = malloc(opaque_size(tail));
	CHECK(r == last + malloc_usable_size(last) + 16);
	CHECK(r && (uintptr_t)r + malloc_usable_size(r) == end);
	if (r)
		memset(r, 0x5a, malloc_usable_size(r));
	CHECK(filled(last, 200000, (unsigned int)(n - 2)));
	free(r);
	/* The block before grows into the freed space, up to the end. */
	CHECK(realloc(last, opaque_size(200000 + tail + 16)) == last);
	CHECK(malloc_usable_size(last) == 200000 + tail + 16);
	CHECK(filled(last, 200000, (unsigned int)(n - 2)));
	/* One byte more does not fit in place: the block moves. */
	r = realloc(last, opaque_size(200000 + tail + 17));
	CHECK(r != NULL && r != last);
	if (r)
		CHECK(filled(r, 200000, (unsigned int)(n - 2)));
	q[n - 2] = r;
	for (i = 0; i < n; i++) {
		if (i + 2 < n)
			CHECK(filled(q[i], 200000, (unsigned int)i));
		free(q[i]);
	}
	free(p);
}

static int cmp_addr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void api_medium(void)
{
	static char *p[MED_N];
	static size_t n[MED_N];
	static uintptr_t ends[MED_N][2];
	long rss0, rss1, rss2;
	pthread_t t;
	char *a, *b, *c;
	size_t i, k;

	malloc_trim(0);
	rss0 = rss_kib();
	for (i = 0; i < MED_N; i++) {
		/* Mostly up to 64 KiB, one in eight up to 256 KiB. */
		n[i] = 4097 + rnd() % (i % 8 ? 61440 : 258047);
		p[i] = malloc(opaque_size(n[i]));
		CHECK(p[i] && (uintptr_t)p[i] % 16 == 0);
		if (!p[i])
			return;
		CHECK(malloc_usable_size(p[i]) >= n[i]);
		if (!hardened())
			CHECK(malloc_usable_size(p[i]) < n[i] + 64);
		fill(p[i], n[i], (unsigned int)i);
	}
	for (i = 0; i < MED_N; i++) {
		ends[i][0] = (uintptr_t)p[i];
		ends[i][1] = (uintptr_t)p[i] + malloc_usable_size(p[i]);
	}
	qsort(ends, MED_N, sizeof(ends[0]), cmp_addr);
	for (i = 1; i < MED_N; i++)
		CHECK(ends[i][0] >= ends[i - 1][1]);
	rss1 = rss_kib();
	for (k = 0; k < 4; k++) {
		for (i = k % 2; i < MED_N; i += 2) {
			CHECK(filled(p[i], n[i], (unsigned int)i));
			if (k < 2) {
				free(p[i]);
				n[i] = 4097 + rnd() % 61440;
				p[i] = malloc(opaque_size(n[i]));
			} else {
				size_t m = 4097 + rnd() % 61440;
				char *q = realloc(p[i], opaque_size(m));

				CHECK(q != NULL);
				if (!q)
					return;
				CHECK(filled(q, n[i] < m ? n[i] : m,
					     (unsigned int)i));
				p[i] = q;
				n[i] = m;
			}
			fill(p[i], n[i], (unsigned int)i);
		}
	}
	for (i = 0; i < MED_N; i++)
		CHECK(filled(p[i], n[i], (unsigned int)i));
	for (i = 0; i < MED_N; i++)
		free(p[i]);
	if (!hardened()) {
		/* In place: a shrink keeps the block, and a growth takes the
		 * freed neighbour. */
		a = malloc(opaque_size(20000));
		b = malloc(opaque_size(20000));
		c = malloc(opaque_size(20000));
		CHECK(a && b && c && b == a + 20016 && c == b + 20016);
		fill(a, 20000, 7);
		free(b);
		CHECK(realloc(a, opaque_size(30000)) == a);
		CHECK(filled(a, 20000, 7));
		CHECK(malloc_usable_size(a) == 30000);
		CHECK(realloc(a, opaque_size(10000)) == a);
		CHECK(malloc_usable_size(a) == 10000);
		CHECK(filled(a, 10000, 7));
		/* The shrink's tail merged with the free space after it (a
		 * block of 30,016 bytes: the first fit for 20,000, rounded up
		 * to its list's step). */
		b = malloc(opaque_size(20000));
		CHECK(b == a + 10016);
		free(a);
		free(b);
		free(c);
		malloc_trim(0);
		rss2 = rss_kib();
		printf("medium rss: %ld KiB at start, %ld with %d blocks, "
		       "%ld when all are freed\n",
		       rss0, rss1, MED_N, rss2);
		CHECK(rss2 < rss0 + 1024);
	}
	/* A thread: the size classes again, and a cross-thread free. */
	a = malloc(opaque_size(9000));
	CHECK(a != NULL);
	CHECK(pthread_create(&t, NULL, medium_thread, a) == 0);
	pthread_join(t, NULL);
	b = malloc(opaque_size(4097));
	CHECK(b && malloc_usable_size(b) == (hardened() ? 4097 : 4608));
	free(b);
}

static long rss_mib(void)
{
	long kib = rss_kib();

	return kib < 0 ? -1 : kib / 1024;
}

/* A phase change: 128 strings grown 16 bytes at a time to 8 KiB through
 * realloc (so every size class up to 8 KiB holds 128 objects at some
 * point), all freed; then 16 MiB of 512 KiB blocks. The second phase
 * must reuse the memory the first one's freed objects pinned in the
 * caches (the heap shrinks its caches as it grows) rather than add to
 * it. Hardened mode's large blocks are host mappings of their own, which
 * never take that memory: there the figures are only printed. */
static void api_phase_rss(void)
{
	enum { STRS = 128, STR_MAX = 8192, BLKS = 32, BLK = 512 << 10 };
	static char *str[STRS], *blk[BLKS];
	long r0, r1, r2;
	size_t len, i;

	r0 = rss_kib();
	for (len = 16; len <= STR_MAX; len += 16)
		for (i = 0; i < STRS; i++) {
			char *n = realloc(str[i], len);

			CHECK(n != NULL);
			if (!n)
				return;
			memset(n + len - 16, (int)i, 16);
			str[i] = n;
		}
	for (i = 0; i < STRS; i++) {
		CHECK(str[i][0] == (char)i && str[i][STR_MAX - 1] == (char)i);
		free(str[i]);
	}
	r1 = rss_kib();
	for (i = 0; i < BLKS; i++) {
		blk[i] = malloc(BLK);
		CHECK(blk[i] != NULL);
		if (blk[i])
			memset(blk[i], 0x5a, BLK);
	}
	r2 = rss_kib();
	for (i = 0; i < BLKS; i++)
		free(blk[i]);
	fprintf(stderr,
		"phase rss: strings left %ld KiB, the blocks added %ld KiB for %d KiB\n",
		r1 - r0, r2 - r1, BLKS * BLK / 1024);
	/* Without the shrink, the strings' 6-7 MiB stay and the blocks take
	 * new memory: r2 - r0 is 22 MiB and more (glibc: 17 MiB). */
	if (!hardened())
		CHECK(r2 - r0 <= BLKS * BLK / 1024 + 2048);
}

/*
 * Borrowing (malloc/borrow.c): @n objects of @lo..@hi bytes, 90% of them
 * freed at random, then up to @n2 objects of @lo2..@hi2 bytes until as
 * many bytes are live again - the phase change of bench/malloc/frag at a
 * fifth of its size. Every object carries a pattern, checked before it is freed:
 * objects made of another class's free space must not overlap anything.
 * Returns the KiB the second sizes added to the process's RSS, and how
 * many bytes they hold in *@bytes.
 */
struct bobj {
	char *p;
	unsigned int size, seed;
};

static struct bobj *bobj_alloc(struct bobj *o, unsigned int lo, unsigned int hi,
			       unsigned int seed)
{
	o->size = lo + (unsigned int)(rnd() % (hi - lo + 1));
	o->seed = seed;
	o->p = malloc(o->size);
	CHECK(o->p != NULL);
	if (o->p)
		fill(o->p, o->size, seed);
	return o;
}

static void bobj_free(struct bobj *o)
{
	if (!o->p)
		return;
	CHECK(filled(o->p, o->size, o->seed));
	CHECK(malloc_usable_size(o->p) >= o->size);
	free(o->p);
	o->p = NULL;
}

static void *bobj_thread(void *arg)
{
	struct bobj *o = arg;
	size_t i;

	for (i = 0; o[i].size; i += 2)
		bobj_free(&o[i]);
	return NULL;
}

static long borrow_phase(size_t n, unsigned int lo, unsigned int hi, size_t n2,
			 unsigned int lo2, unsigned int hi2, size_t *bytes,
			 int threaded)
{
	struct bobj *a = calloc(n, sizeof(*a)), *b = calloc(n2 + 1, sizeof(*b));
	size_t *order = malloc(n * sizeof(*order)), i, nb = 0;
	size_t live = 0, target;
	long r0;

	CHECK(a && b && order);
	if (!a || !b || !order)
		return 0;
	/* What earlier cases freed goes back to the host first: the RSS
	 * the second sizes add is theirs. */
	malloc_trim(0);
	for (i = 0; i < n; i++) {
		live += bobj_alloc(&a[i], lo, hi, (unsigned int)i)->size;
		order[i] = i;
	}
	target = live;
	for (i = n - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n / 10 * 9; i++) {
		live -= a[order[i]].size;
		bobj_free(&a[order[i]]);
	}
	free(order);
	r0 = rss_kib();
	*bytes = 0;
	while (live < target && nb < n2) {
		struct bobj *o =
			bobj_alloc(&b[nb], lo2, hi2, (unsigned int)(n + nb));

		nb++;
		live += o->size;
		*bytes += o->size;
	}
	r0 = rss_kib() - r0;
	/* Borrowed objects grow, shrink, move and report their size as any
	 * other. */
	for (i = 0; i < nb; i += 97) {
		char *q = realloc(b[i].p, b[i].size / 2);

		CHECK(q != NULL);
		if (!q)
			continue;
		CHECK(filled(q, b[i].size / 2, b[i].seed));
		b[i].p = q;
		b[i].size /= 2;
		q = realloc(q, b[i].size * 5);
		CHECK(q != NULL);
		if (!q)
			continue;
		CHECK(filled(q, b[i].size, b[i].seed));
		b[i].p = q;
		b[i].size *= 5;
		fill(q, b[i].size, b[i].seed);
	}
	for (i = 0; i < n; i++)
		bobj_free(&a[i]);
	/* Half of them freed by another thread: the process has threads
	 * from now on, and the regions drain under their lock. */
	if (threaded) {
		pthread_t t;

		CHECK(pthread_create(&t, NULL, bobj_thread, b) == 0);
		CHECK(pthread_join(t, NULL) == 0);
	}
	for (i = 0; i < nb; i++)
		bobj_free(&b[i]);
	free(a);
	free(b);
	return r0;
}

static void api_borrow(void)
{
	size_t small_bytes, big_bytes;
	long small_kib, big_kib;
	void *p[64];
	int i;

	/* Small objects' free space for larger ones, then larger objects'
	 * for small ones. */
	big_kib =
		borrow_phase(160000, 16, 128, 160000, 256, 2048, &big_bytes, 0);
	small_kib = borrow_phase(10000, 256, 2048, 160000, 16, 128,
				 &small_bytes, 1);
	fprintf(stderr,
		"borrow rss: %zu KiB of larger objects added %ld KiB, %zu KiB of small ones %ld KiB\n",
		big_bytes >> 10, big_kib, small_bytes >> 10, small_kib);
	/* Without borrowing, each adds about its own size (frag: 1.5x
	 * glibc's peak); hardened mode does not borrow. */
	if (!hardened()) {
		CHECK(big_kib * 1024 < (long)big_bytes * 6 / 10);
		CHECK(small_kib * 1024 < (long)small_bytes * 6 / 10);
	}
	/* After the threads: memory still comes and goes. */
	for (i = 0; i < 64; i++) {
		p[i] = malloc(opaque_size(300));
		CHECK(p[i] != NULL);
	}
	for (i = 0; i < 64; i++)
		free(p[i]);
	CHECK(malloc_trim(0) == 1 || malloc_trim(0) == 0);
}

/*
 * A freed huge block's mapping is kept, resident, for the next one; once
 * the heap has grown through two reaps without a large block taking it,
 * it goes back to the host (frag's phase change: the order array's 6 MiB
 * stayed resident through the peak).
 */
static void api_huge_kept_rss(void)
{
	enum { HUGE = 16 << 20, OBJ = 256, OBJS = (24 << 20) / OBJ };
	static char *obj[OBJS];
	long r0, r1, r2;
	char *p;
	size_t i;

	r0 = rss_kib();
	p = malloc(HUGE);
	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 0x11, HUGE);
	free(p);
	r1 = rss_kib();
	for (i = 0; i < OBJS; i++) {
		obj[i] = malloc(OBJ);
		CHECK(obj[i] != NULL);
		if (!obj[i])
			return;
		memset(obj[i], (int)i, OBJ);
	}
	r2 = rss_kib();
	for (i = 0; i < OBJS; i++)
		free(obj[i]);
	fprintf(stderr,
		"huge kept rss: %ld KiB after the free, %ld KiB with %d KiB of "
		"objects\n",
		r1 - r0, r2 - r0, OBJS * OBJ / 1024);
	/* Default mode keeps the mapping until the heap has grown past it
	 * (before: r2 - r0 was 41 MiB). Hardened mode keeps freed large
	 * blocks inaccessible in its quarantine instead, resident by design
	 * (docs/PERFORMANCE.md), and its objects carry red zones. */
	if (!hardened()) {
		CHECK(r1 - r0 >= HUGE / 1024 - 1024);
		CHECK(r2 - r0 <= OBJS * OBJ / 1024 + 4096);
	}
}

/* A smaller block served by a kept mapping more than twice its size gets
 * it cut to its own pages (before: all 30 MiB of them, resident, as its
 * usable size too, even after malloc_trim). */
static void api_huge_kept_shrunk(void)
{
	enum { BIG = 30 << 20, SMALL = 5 << 20 };
	long r0, r1;
	char *p, *q;

	r0 = rss_kib();
	p = malloc(opaque_size(BIG));
	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 1, BIG);
	free(p);
	q = malloc(opaque_size(SMALL));
	CHECK(q != NULL);
	if (!q)
		return;
	memset(q, 2, SMALL);
	r1 = rss_kib();
	CHECK(malloc_usable_size(q) >= SMALL &&
	      malloc_usable_size(q) < 2 * SMALL);
	/* Hardened mode keeps the freed block in its quarantine. */
	if (!hardened())
		CHECK(r1 - r0 < 2 * SMALL / 1024);
	free(q);
}

static atomic_bool info_stop;
static atomic_long info_bad;

/* Polls mallinfo2() until info_stop: its parts must add up, and neither
 * exceed the whole. */
static void *mallinfo_poll(void *arg)
{
	(void)arg;
	while (!atomic_load(&info_stop)) {
		struct mallinfo2 mi = mallinfo2();

		if (mi.uordblks > mi.arena || mi.fordblks > mi.arena ||
		    mi.uordblks + mi.fordblks != mi.arena)
			atomic_fetch_add(&info_bad, 1);
	}
	return NULL;
}

static void *grow_heap(void *arg)
{
	long id = (long)arg;
	void *v[64];
	int r, i;

	for (r = 0; r < 40; r++) {
		for (i = 0; i < 64; i++) {
			v[i] = malloc((size_t)((i * 131 + id * 17) % 400 + 1) *
				      1024);
			if (v[i])
				memset(v[i], 1, 1024);
		}
		for (i = 0; i < 64; i++)
			free(v[i]);
	}
	return NULL;
}

/* mallinfo2() while three threads grow the heap, in 100 fresh processes (the
 * growth that matters is a process's first): a new chunk's pages were
 * free before they were managed, and uordblks wrapped to near 2^64 in
 * 4 of 30 processes (it fails in about half the runs of this case on
 * that code). */
enum { GROWTH_RUNS = 100 };

static void api_mallinfo_growth(void)
{
	int it, bad = 0;

	if (hardened())
		return; /* the same heap growth, twice the time */

	for (it = 0; it < GROWTH_RUNS; it++) {
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			static void *big[200];
			pthread_t poll, grow[2];
			long t;
			int i;

			pthread_create(&poll, NULL, mallinfo_poll, NULL);
			for (t = 0; t < 2; t++)
				pthread_create(&grow[t], NULL, grow_heap,
					       (void *)t);
			for (i = 0; i < 200; i++) {
				big[i] = malloc((size_t)(i % 50 + 1) * 60000);
				if (big[i])
					memset(big[i], 2, 1000);
			}
			for (i = 0; i < 200; i++)
				free(big[i]);
			for (t = 0; t < 2; t++)
				pthread_join(grow[t], NULL);
			atomic_store(&info_stop, true);
			pthread_join(poll, NULL);
			_exit(atomic_load(&info_bad) ? 1 : 0);
		}
		CHECK(pid > 0);
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			return;
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	if (bad)
		fprintf(stderr, "FAIL: mallinfo2 inconsistent in %d of %d\n",
			bad, GROWTH_RUNS);
	CHECK(bad == 0);
}

/* @n objects of @size bytes into @obj, each filled with @byte; false
 * (after the failed check) if one cannot be had. */
static bool malloc_filled(char **obj, size_t n, size_t size, int byte)
{
	size_t i;

	for (i = 0; i < n; i++) {
		obj[i] = malloc(size);
		CHECK(obj[i] != NULL);
		if (!obj[i])
			return false;
		memset(obj[i], byte, size);
	}
	return true;
}

/*
 * A freed huge block kept for reuse goes back to the host once the heap
 * has passed its high-water mark twice by an eighth (each drain drops
 * what the one before kept), whatever malloc_trim or page reporting did
 * to the reaps' rhythm. After 64 MiB of small objects the mark is at 59
 * MiB of backed heap; half of them freed and trimmed, the reaps step
 * from 36 MiB; a 16 MiB block kept, 15 MiB of new objects take the heap
 * to about 79 MiB, past the drains at 66.5 and 75 MiB, and the block's
 * mapping is gone. (Drained at the reaps only, at 75 and 84 MiB, it
 * stayed: frag's peak moved by 6 MB with the timing of one page report.)
 */
static void api_huge_drained_past_mark(void)
{
	enum {
		OBJ = 256,
		MIB = 1 << 20,
		FIRST = 64 * MIB / OBJ,
		MORE = 15 * MIB / OBJ,
		HUGE = 16 * MIB
	};
	static char *obj[FIRST + MORE];
	unsigned char vec[1];
	size_t i;
	char *p;

	if (hardened())
		return; /* its large blocks are guarded and quarantined */
	if (!malloc_filled(obj, FIRST, OBJ, 1))
		return;
	for (i = FIRST / 2; i < FIRST; i++)
		free(obj[i]);
	CHECK(malloc_trim(0) == 1);
	p = malloc(HUGE);
	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 2, HUGE);
	free(p);
	/* Kept: still mapped. */
	CHECK(mincore(p, 4096, vec) == 0);
	if (!malloc_filled(obj + FIRST / 2, FIRST / 2 + MORE, OBJ, 3))
		return;
	errno = 0;
	CHECK(mincore(p, 4096, vec) == -1 && errno == ENOMEM);
	for (i = 0; i < FIRST + MORE; i++)
		free(obj[i]);
}

/* Pages of [@p, @p + @len) the host has in memory (mincore). */
static size_t resident_pages(const void *p, size_t len)
{
	static unsigned char vec[1024];
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
	size_t n = ((uintptr_t)p + len - a + 4095) / 4096, i, r = 0;

	if (n > sizeof vec || mincore((void *)a, n * 4096, vec) != 0)
		return (size_t)-1;
	for (i = 0; i < n; i++)
		r += vec[i] & 1;
	return r;
}

/*
 * A page run cut from memory the host does not back yet (the heap's boot
 * memory, or memory page reporting gave back) is backed in one
 * MADV_POPULATE_WRITE before malloc returns it: every page is resident
 * before the program touches one (each touch would otherwise be a host
 * page fault). Hardened mode serves large blocks from guarded mappings.
 */
static void api_run_backed(void)
{
	enum { RUN = 1 << 20 };
	char *p = malloc(RUN);

	CHECK(p != NULL);
	if (!p || hardened()) {
		free(p);
		return;
	}
	CHECK(resident_pages(p, RUN) == RUN / 4096);
	memset(p, 0x33, RUN);
	free(p);
}

/*
 * A kept huge mapping outlives the heap taking back memory it gave the
 * host: 8 MiB of page runs are freed and reported (100 ms after), then
 * allocated again, which is growth from where reporting left the heap
 * but not past its high-water mark; the freed 6 MiB mapping is still
 * kept, so the next 6 MiB block is that mapping, resident before it is
 * touched. (Before: such re-growth reaped, and the mapping went back to
 * the host: every large buffer of bench-malloc's `large` was faulted in
 * afresh.)
 */
static void api_huge_kept_over_reuse(void)
{
	enum { HUGE = 6 << 20, RUN = 2 << 20, RUNS = 4 };
	struct timespec ts = { 0, 150 * 1000 * 1000 };
	char *h, *r[RUNS];
	int i, round;

	if (hardened())
		return;
	for (i = 0; i < RUNS; i++) {
		r[i] = malloc(RUN);
		CHECK(r[i] != NULL);
		if (!r[i])
			return;
		memset(r[i], 1, RUN);
	}
	h = malloc(HUGE);
	CHECK(h != NULL);
	if (!h)
		return;
	memset(h, 2, HUGE);
	free(h);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < RUNS; i++)
			free(r[i]);
		nanosleep(&ts, NULL);
		free(malloc(RUN)); /* a free after the delay reports */
		for (i = 0; i < RUNS; i++) {
			r[i] = malloc(RUN);
			CHECK(r[i] != NULL);
			if (!r[i])
				return;
			memset(r[i], 1, RUN);
		}
	}
	h = malloc(HUGE);
	CHECK(h != NULL);
	CHECK(resident_pages(h, 4 << 20) == (4 << 20) / 4096);
	free(h);
	for (i = 0; i < RUNS; i++)
		free(r[i]);
}

/*
 * A plain huge block has address space reserved after it, so realloc()
 * grows it where it is: mremap() moving it would move its page-table
 * entries, and each moved page traps at its next touch where the
 * hypervisor shadows page tables (bench-malloc's `large`: 60% more CPU).
 * Nothing can be mapped in the reservation; growing past it moves the
 * block, and the reservation goes with its old place.
 */
/* One thread grows a mapping past its room (realloc moves it: mremap)
 * while another maps blocks of a size the range it leaves fits: a new
 * block's record is never an old one's (before: 144 blocks of 6 MiB in
 * 20 s said 20 MiB usable, and writing that much crashed). */
static atomic_int hr_stop;

static void *hr_grower(void *arg)
{
	while (!atomic_load_explicit(&hr_stop, memory_order_relaxed)) {
		char *p = malloc(opaque_size(20 << 20)), *q;

		if (!p)
			break;
		p[(20 << 20) - 1] = 1;
		q = realloc(p, opaque_size(40 << 20));
		if (q)
			q[(40 << 20) - 1] = 1;
		free(q ? q : p);
	}
	return arg;
}

static void api_huge_realloc_race(void)
{
	struct timespec t0, now;
	unsigned long wrong = 0, blocks = 0;
	pthread_t t;

	CHECK(pthread_create(&t, NULL, hr_grower, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		void *v[8];
		int i;

		for (i = 0; i < 8; i++) {
			v[i] = malloc(opaque_size(6 << 20));
			CHECK(v[i] != NULL);
			if (!v[i])
				break;
			((char *)v[i])[(6 << 20) - 1] = 1;
			blocks++;
			wrong += malloc_usable_size(v[i]) != (6 << 20);
		}
		while (i--)
			free(v[i]);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - t0.tv_sec < 3);
	atomic_store(&hr_stop, 1);
	pthread_join(t, NULL);
	if (wrong) {
		fprintf(stderr,
			"FAIL: %lu of %lu new 6 MiB blocks had another block's usable size\n",
			wrong, blocks);
		failures++;
	}
}

/* A program that frees much and then stops freeing pages gives it back
 * at its next allocation refill a second past the report delay (100
 * ms), not only at its next free of pages (before: all 200 MiB stayed).
 * Hardened
 * mode keeps freed large blocks in its quarantine, resident by design. */
static void api_rss_after_free(void)
{
	enum { N = 200, SMALL = 64 };
	static char *v[N], *o[SMALL];
	struct timespec pause = { 1, 200 * 1000 * 1000 };
	long r0, r1, r2;
	int i;

	if (hardened())
		return;
	r0 = rss_kib();
	for (i = 0; i < N; i++) {
		v[i] = malloc(opaque_size(1 << 20));
		CHECK(v[i] != NULL);
		if (!v[i])
			return;
		memset(v[i], 1, 1 << 20);
	}
	for (i = 0; i < N; i++)
		free(v[i]);
	r1 = rss_kib();
	nanosleep(&pause, NULL);
	/* A class this process has not used: its first malloc refills. */
	for (i = 0; i < SMALL; i++)
		o[i] = malloc(opaque_size(700));
	r2 = rss_kib();
	for (i = 0; i < SMALL; i++)
		free(o[i]);
	fprintf(stderr,
		"rss after free: +%ld KiB after the frees, +%ld KiB after a refill\n",
		r1 - r0, r2 - r0);
	CHECK(r2 - r0 <= (16 << 10));
}

/* What malloc_trim(0) gives back: the slabs of objects that exited
 * threads freed (every CPU's and the shared arrays drained), a kept huge
 * mapping, and the whole pages of free medium blocks. */
static void *trim_thread(void *arg)
{
	enum { N = 20000 };
	void **v = malloc(N * sizeof(*v));
	int round, i;

	CHECK(v != NULL);
	for (round = 0; v && round < 3; round++) {
		for (i = 0; i < N; i++) {
			v[i] = malloc(
				opaque_size(16 + (size_t)(i % 1024) * 16));
			CHECK(v[i] != NULL);
			if (v[i])
				memset(v[i], 1, 16);
		}
		for (i = 0; i < N; i++)
			free(v[i]);
	}
	free(v);
	return arg;
}

static void api_trim(void)
{
	enum { MED = 300, MED_SIZE = 100 << 10 };
	static char *med[MED];
	pthread_t t[4];
	long r0, r1, r2;
	size_t used;
	char *p;
	int i;

	if (hardened())
		return; /* its quarantines keep freed memory by design */
	/* Medium blocks first, while the process has one thread. */
	for (i = 0; i < MED; i++) {
		med[i] = malloc(opaque_size(MED_SIZE));
		CHECK(med[i] != NULL);
		if (!med[i])
			return;
		memset(med[i], 1, MED_SIZE);
	}
	for (i = 0; i < MED; i++)
		if (i % 5)
			free(med[i]);
	r0 = rss_kib();
	malloc_trim(0);
	r1 = rss_kib();
	fprintf(stderr, "trim: medium %ld -> %ld KiB\n", r0, r1);
	CHECK(r0 - r1 >= MED * (MED_SIZE >> 10) * 4 / 5 / 2);
	for (i = 0; i < MED; i += 5)
		free(med[i]);

	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, trim_thread, NULL) == 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	malloc_trim(0);
	used = mallinfo2().uordblks;
	fprintf(stderr, "trim: %zu KiB in use after the threads\n", used >> 10);
	CHECK(used < (2 << 20));

	r0 = rss_kib();
	p = malloc(opaque_size(30 << 20));
	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 1, 30 << 20);
	free(p);
	r1 = rss_kib();
	malloc_trim(0);
	r2 = rss_kib();
	fprintf(stderr, "trim: huge %ld -> %ld -> %ld KiB\n", r0, r1, r2);
	CHECK(r2 - r0 < (2 << 10));
}

static void api_huge_grows_in_place(void)
{
	const size_t a = 5 << 20, b = 9 << 20, c = 40 << 20;
	char *p, *q, *r, *blk;
	size_t i;

	if (hardened())
		return;
	p = malloc(a);
	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 7, a);
	/* Sizes whose page rounding wraps fail and leave it alone. */
	for (i = 0; i < 2; i++) {
		volatile size_t impossible = SIZE_MAX - i * 4095;

		errno = 0;
		CHECK(realloc(p, impossible) == NULL && errno == ENOMEM);
		CHECK(malloc_usable_size(p) >= a && p[0] == 7 && p[a - 1] == 7);
	}
	/* Without the reservation this page would stop the growth below
	 * in place. */
	blk = mmap(p + a, 4096, PROT_READ,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(blk == MAP_FAILED && errno == EEXIST);
	if (blk != MAP_FAILED)
		munmap(blk, 4096);
	q = realloc(p, b);
	CHECK(q == p);
	if (!q)
		return;
	CHECK(resident_pages(q, 4 << 20) == (4 << 20) / 4096);
	for (i = 0; i < a && q[i] == 7; i += 4096)
		;
	CHECK(i == a);
	memset(q + a, 8, b - a);
	r = realloc(q, c);
	CHECK(r != NULL && r != q);
	if (!r)
		return;
	CHECK(r[0] == 7 && r[a] == 8 && r[b - 1] == 8);
	/* The old place, reservation and all, is free. */
	CHECK(msync(q + b, 4096, MS_ASYNC) == -1 && errno == ENOMEM);
	free(r);
}

/*
 * The library's text in three mappings (malloc/sections.c): the hot
 * text, the init text and the rest, one after the other. After the boot
 * no page of the init text is resident, and in a program that only
 * mallocs and frees small objects none of the rest is either (in the
 * default mode: hardened mode's code is there).
 */
/* The library's writable segment (relro, .data, .bss): where it is. */
static int rw_segment(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t *range = arg;
	int i;

	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, "libmmkit-malloc"))
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
			range[0] = info->dlpi_addr + ph->p_vaddr;
			range[1] = range[0] + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

/* Present pages of [lo, hi) (pagemap's bit 63, readable unprivileged),
 * page by page into @map ('P' or '-'); -1 if pagemap cannot be read. */
static long present_pages(uintptr_t lo, uintptr_t hi, char *map, size_t max)
{
	long n = 0;
	size_t k = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return -1;
	for (lo &= ~(uintptr_t)4095; lo < hi && k + 1 < max; lo += 4096) {
		uint64_t e = 0;

		if (pread(fd, &e, sizeof e, (off_t)(lo / 4096 * 8)) !=
		    sizeof e) {
			n = -1;
			break;
		}
		map[k++] = (e >> 63) ? 'P' : '-';
		n += (long)(e >> 63);
	}
	map[k] = 0;
	close(fd);
	return n;
}

/* The resident KiB of the library's three text mappings (hot, init,
 * rest: malloc/sections.c), from /proc/self/smaps; false unless there
 * are exactly three, back to back. */
static bool text_rss(long rss[3], unsigned long kib[3])
{
	static char buf[256 << 10];
	unsigned long lo[4], hi[4];
	long got[4];
	size_t len = 0;
	ssize_t r;
	char *line, *next;
	int fd, i, n = 0, want = -1;

	fd = open("/proc/self/smaps", O_RDONLY);
	CHECK(fd >= 0);
	if (fd < 0)
		return false;
	while (len < sizeof buf - 1 &&
	       (r = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = 0;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (want >= 0 && strncmp(line, "Rss:", 4) == 0) {
			got[want] = strtol(line + 4, NULL, 10);
			want = -1;
		} else if (strstr(line, " r-xp ") &&
			   strstr(line, "libmmkit-malloc") && n < 4) {
			sscanf(line, "%lx-%lx", &lo[n], &hi[n]);
			got[n] = -1;
			want = n++;
		}
	}
	CHECK(n == 3);
	if (n != 3)
		return false;
	CHECK(hi[0] == lo[1] && hi[1] == lo[2]);
	for (i = 0; i < 3; i++) {
		rss[i] = got[i];
		kib[i] = (hi[i] - lo[i]) >> 10;
	}
	fprintf(stderr,
		"text rss: hot %ld of %lu, init %ld of %lu, other %ld of %lu KiB\n",
		rss[0], kib[0], rss[1], kib[1], rss[2], kib[2]);
	return true;
}

static void api_text_layout(void)
{
	unsigned long kib[3];
	long rss[3];
	void *p[200];
	int i;

	for (i = 0; i < 200; i++)
		p[i] = malloc(opaque_size(16 + (size_t)i * 8));
	for (i = 0; i < 200; i++)
		free(p[i]);
	if (!text_rss(rss, kib))
		return;
	CHECK(rss[0] > 0);
	CHECK(rss[1] == 0);
	if (!hardened())
		CHECK(rss[2] == 0);
	/* The variables such a program writes come first in .bss
	 * (malloc/libmmkit-malloc.lds.S); the last page of the segment
	 * holds only heap_cls's tail and what borrowing and hardened mode
	 * use, so it stays untouched. */
	{
		uintptr_t range[2] = { 0, 0 };
		char map[64];
		long present;

		CHECK(dl_iterate_phdr(rw_segment, range) == 1);
		present = present_pages(range[0], range[1], map, sizeof map);
		CHECK(present > 0);
		if (!hardened())
			CHECK(present > 0 && map[strlen(map) - 1] == '-');
		fprintf(stderr, "data rss: %ld of %zu pages (%s)\n", present,
			strlen(map), map);
	}
}

/* A small threaded program's text (bench/malloc's prodcons and
 * falseshare): a second thread allocates, the first frees, past a reap
 * (the backed memory grown by an eighth) and a late page report (a
 * second past its delay). None of it may run from the init text or the
 * rest: the fork handlers' registration, the reap's shrinking and the
 * late report are on the hot list, and dlsym's symbol name is no literal
 * of the init text. */
static void *layout_producer(void *arg)
{
	void **v = arg;
	int i;

	for (i = 0; i < 8192; i++)
		v[i] = malloc(opaque_size(64 + (size_t)(i % 8) * 48));
	return NULL;
}

static void api_text_layout_threads(void)
{
	static void *v[8192];
	struct timespec pause = { 1, 200 * 1000 * 1000 };
	unsigned long kib[3];
	pthread_t t;
	long rss[3];
	int round, i;

	for (round = 0; round < 3; round++) {
		if (round == 2)
			nanosleep(&pause, NULL);
		CHECK(pthread_create(&t, NULL, layout_producer, v) == 0);
		pthread_join(t, NULL);
		for (i = 0; i < 8192; i++) {
			CHECK(v[i] != NULL);
			free(v[i]);
		}
	}
	if (!text_rss(rss, kib))
		return;
	CHECK(rss[0] > 0);
	if (!hardened()) {
		CHECK(rss[1] == 0);
		CHECK(rss[2] == 0);
	}
}

static void api_rss(void)
{
	enum { MAXP = 4096 };
	static void *p[MAXP];
	size_t total = 0, n = 0, i;
	long before = rss_mib(), peak, after;
	int waited = 0;

	while (total < ((size_t)512 << 20) && n < MAXP) {
		size_t sz = (64 << 10) + rnd() % ((1 << 20) - (64 << 10) + 1);

		p[n] = malloc(sz);
		CHECK(p[n] != NULL);
		if (!p[n])
			break;
		memset(p[n], 0x33, sz);
		total += sz;
		n++;
	}
	peak = rss_mib();
	CHECK(peak >= before + 400);
	for (i = 0; i < n; i++)
		free(p[i]);
	after = rss_mib();
	while (after >= 64 && waited < 50) {
		/* Free memory goes back to the host 100 ms after it is
		 * freed, checked as memory is freed: keep some going. */
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		free(malloc(1 << 20));
		waited++;
		after = rss_mib();
	}
	fprintf(stderr,
		"rss: before %ld MiB, peak %ld MiB, after free %ld MiB (waited %d ms)\n",
		before, peak, after, waited * 100);
	CHECK(after < 64);
}

/* ---- threads: producers hand objects to consumers, which free them ---- */

#define QLEN 1024
#define PER_PRODUCER 40000

static struct {
	pthread_mutex_t lock;
	pthread_cond_t nonempty, nonfull;
	void *slot[QLEN];
	unsigned int head, tail, count;
} q = { PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER,
	{ 0 },
	0,
	0,
	0 };

static int thread_errors;

static void q_push(void *p)
{
	pthread_mutex_lock(&q.lock);
	while (q.count == QLEN)
		pthread_cond_wait(&q.nonfull, &q.lock);
	q.slot[q.tail] = p;
	q.tail = (q.tail + 1) % QLEN;
	q.count++;
	pthread_cond_signal(&q.nonempty);
	pthread_mutex_unlock(&q.lock);
}

static void *q_pop(void)
{
	void *p;

	pthread_mutex_lock(&q.lock);
	while (!q.count)
		pthread_cond_wait(&q.nonempty, &q.lock);
	p = q.slot[q.head];
	q.head = (q.head + 1) % QLEN;
	q.count--;
	pthread_cond_signal(&q.nonfull);
	pthread_mutex_unlock(&q.lock);
	return p;
}

struct msg {
	size_t size;
	unsigned int seed;
};

static void *producer(void *arg)
{
	unsigned long long s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
	void *local[64] = { 0 };
	int i;

	for (i = 0; i < PER_PRODUCER; i++) {
		size_t sz;
		struct msg *m;
		unsigned int k;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		sz = sizeof(*m) + (s % 97 == 0 ? s % 300000 : s % 2000);
		m = malloc(sz);
		if (!m || malloc_usable_size(m) < sz) {
			__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		m->size = sz;
		m->seed = (unsigned int)s;
		fill(m + 1, sz - sizeof(*m), m->seed);
		q_push(m);
		/* Local churn: malloc, realloc, free. */
		k = (unsigned int)(s >> 20) % 64;
		if (local[k]) {
			void *r = realloc(local[k], (s >> 8) % 4000 + 1);

			if (!r)
				__atomic_fetch_add(&thread_errors, 1,
						   __ATOMIC_RELAXED);
			free(r);
			local[k] = NULL;
		} else {
			local[k] = malloc((s >> 12) % 700);
		}
	}
	for (i = 0; i < 64; i++)
		free(local[i]);
	return NULL;
}

static void *consumer(void *arg)
{
	struct msg *m;

	(void)arg;
	while ((m = q_pop()) != NULL) {
		if (!filled(m + 1, m->size - sizeof(*m), m->seed))
			__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
		free(m);
	}
	return NULL;
}

static void api_threads(void)
{
	pthread_t t[8];
	uintptr_t i;

	for (i = 0; i < 4; i++) {
		CHECK(pthread_create(&t[i], NULL, producer, (void *)(i + 1)) ==
		      0);
		CHECK(pthread_create(&t[4 + i], NULL, consumer, NULL) == 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++)
		q_push(NULL);
	for (i = 4; i < 8; i++)
		pthread_join(t[i], NULL);
	CHECK(thread_errors == 0);
}

/* Rounds of 8 concurrent threads that exit: their tcaches go back to the
 * slabs, whose pages then serve other size classes. */
static pthread_barrier_t round_bar;

static void *round_worker(void *arg)
{
	void *p[200];
	int i, r;

	for (r = 0; r < 20; r++) {
		for (i = 0; i < 200; i++) {
			p[i] = malloc((size_t)(i * 13 + r) % 3000 + 1);
			if (!p[i])
				__atomic_fetch_add(&thread_errors, 1,
						   __ATOMIC_RELAXED);
			else
				memset(p[i], 1, 1);
		}
		for (i = 0; i < 200; i++)
			free(p[i]);
	}
	pthread_barrier_wait(&round_bar);
	return arg;
}

static void run_rounds(int threads, int rounds)
{
	pthread_t t[160];
	int i, k;

	for (k = 0; k < rounds; k++) {
		pthread_barrier_init(&round_bar, NULL, (unsigned int)threads);
		for (i = 0; i < threads; i++)
			CHECK(pthread_create(&t[i], NULL, round_worker, NULL) ==
			      0);
		for (i = 0; i < threads; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&round_bar);
	}
	CHECK(thread_errors == 0);
}

static void api_thread_rounds(void)
{
	run_rounds(8, 6);
}

/* More threads alive than the heap machine has CPUs (64). */
static void api_many_threads(void)
{
	run_rounds(150, 2);
}

/* falseshare's passive case: a thread whose first call frees an object
 * that another thread allocated next to a second one does not get it
 * back from its next malloc, nor anything on the second one's cache
 * line, so two such threads do not write to one line. Hardened mode
 * promises only the first (its quarantine): it randomises the slabs'
 * freelists, so a new thread's first batch may hold any object of the
 * second one's slab (about 1 run in 17 put one on its line). */
struct passive {
	void *given, *neighbour;
};

static void *passive_worker(void *arg)
{
	const struct passive *pv = arg;
	int i;

	free(pv->given);
	for (i = 0; i < 4; i++) {
		void *p = malloc(8);

		if (!p || p == pv->given ||
		    (!hardened() &&
		     (uintptr_t)p / 64 == (uintptr_t)pv->neighbour / 64))
			__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
		free(p);
	}
	return NULL;
}

static void api_passive_share(void)
{
	struct passive pv;
	pthread_t t;

	pv.given = malloc(8);
	pv.neighbour = malloc(8);
	CHECK(pv.given && pv.neighbour);
	CHECK(pthread_create(&t, NULL, passive_worker, &pv) == 0);
	pthread_join(t, NULL);
	CHECK(thread_errors == 0);
	free(pv.neighbour);
}

/* Objects a thread frees of a class it does not allocate go where the
 * other threads' refills find them (heap_free_slow): a third thread's
 * first allocations of the class are objects the second one freed. The
 * freer's bin (32 slots for 640-byte objects) overflows three times: the
 * first flush (after the refill its first call made) fills its CPU's
 * array, the next two go to the shared array. Kept in the array (54
 * slots) instead, they would stay out of reach of every other CPU. The
 * freer stays alive meanwhile, holding its CPU and its bin. Hardened mode
 * has bins of its own. */
#define REMOTE_N 50
#define REMOTE_SIZE 600
#define HANDOFF_N 100

struct remote {
	void *obj[HANDOFF_N];
	int n; /* objects the freer frees */
	int allocs; /* objects the allocator takes */
	pthread_barrier_t freed, done;
	int reused;
};

static void *remote_freer(void *arg)
{
	struct remote *r = arg;
	int i;

	for (i = 0; i < r->n; i++)
		free(r->obj[i]);
	pthread_barrier_wait(&r->freed);
	pthread_barrier_wait(&r->done);
	return NULL;
}

static void *remote_allocator(void *arg)
{
	struct remote *r = arg;
	void *p[HANDOFF_N];
	int i, j;

	for (i = 0; i < r->allocs; i++) {
		p[i] = malloc(REMOTE_SIZE);
		for (j = 0; p[i] && j < r->n; j++)
			if (p[i] == r->obj[j])
				r->reused++;
	}
	for (i = 0; i < r->allocs; i++)
		free(p[i]);
	return NULL;
}

/* @n objects freed by one thread, then @allocs allocated by another (the
 * freer alive meanwhile): how many of the allocator's were the freer's. */
static int remote_reuse(int n, int allocs)
{
	static struct remote r;
	pthread_t f, a;
	int i;

	r.n = n;
	r.allocs = allocs;
	r.reused = 0;
	for (i = 0; i < n; i++)
		CHECK((r.obj[i] = malloc(REMOTE_SIZE)) != NULL);
	CHECK(pthread_barrier_init(&r.freed, NULL, 2) == 0);
	CHECK(pthread_barrier_init(&r.done, NULL, 2) == 0);
	CHECK(pthread_create(&f, NULL, remote_freer, &r) == 0);
	pthread_barrier_wait(&r.freed);
	CHECK(pthread_create(&a, NULL, remote_allocator, &r) == 0);
	pthread_join(a, NULL);
	pthread_barrier_wait(&r.done);
	pthread_join(f, NULL);
	pthread_barrier_destroy(&r.freed);
	pthread_barrier_destroy(&r.done);
	return r.reused;
}

static void api_remote_free(void)
{
	int reused = remote_reuse(REMOTE_N, 16);

	if (!hardened())
		CHECK(reused >= 12);
}

/* Once its bin has overflowed twice with no refill between, the freer's
 * bin hands on all it holds and keeps at most 16 (TC_REMOTE_CAP) of the
 * class until it allocates it again. Of 100 frees (a bin of 32), the
 * first overflow's 16 (its refill's objects and the first freed) go to
 * its CPU's array, the last 4 stay in its bin, and the other 95 reach
 * the allocator; a bin that kept half its size after each overflow held
 * back the last 20 (79 reached it). */
static void api_remote_handoff(void)
{
	int reused = remote_reuse(HANDOFF_N, HANDOFF_N);

	if (!hardened())
		CHECK(reused >= 90);
}

/* Every name of glibc's malloc API resolves to this library, so that
 * nothing falls through to glibc's allocator. */
static void api_symbols(void)
{
	static const char *const names[] = {
		"malloc",
		"free",
		"calloc",
		"realloc",
		"reallocarray",
		"posix_memalign",
		"aligned_alloc",
		"memalign",
		"valloc",
		"pvalloc",
		"malloc_usable_size",
		"mallopt",
		"mallinfo",
		"mallinfo2",
		"malloc_trim",
		"malloc_stats",
		"malloc_info",
		"free_sized",
		"free_aligned_sized",
		"cfree",
		"__libc_malloc",
		"__libc_free",
		"__libc_calloc",
		"__libc_realloc",
		"__libc_memalign",
		"__libc_valloc",
		"__libc_pvalloc",
		"__libc_mallopt",
		"__libc_mallinfo",
		"__posix_memalign",
		/* C++'s sized operator delete, and its aligned and array
		 * forms */
		"_ZdlPvm",
		"_ZdaPvm",
		"_ZdlPvmSt11align_val_t",
		"_ZdaPvmSt11align_val_t",
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		void *f = dlsym(RTLD_DEFAULT, names[i]);
		Dl_info di;

		if (!f || !dladdr(f, &di) || !di.dli_fname ||
		    !strstr(di.dli_fname, "libmmkit-malloc")) {
			fprintf(stderr, "FAIL: %s resolves to %s\n", names[i],
				f && dladdr(f, &di) && di.dli_fname ?
					di.dli_fname :
					"nothing");
			failures++;
		}
	}
}

/* What malloc(24) gives in each mode: its class's slot, or (hardened
 * mode) exactly the bytes asked for. */
static void check_malloc24(void)
{
	char *p = malloc(opaque_size(24));

	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 'x', 24);
	CHECK(malloc_usable_size(p) == (hardened() ? 24u : 32u));
	free(p);
}

/* A process whose first call is malloc_stats() or malloc_info() (the
 * heap boots in it): the thread is then set up as by any other first
 * call, in the process's mode. */
static void api_first_call_stats(void)
{
	malloc_stats();
	check_malloc24();
}

static void api_first_call_info(void)
{
	static char buf[BUFSIZ];

	setvbuf(stdout, buf, _IOFBF, sizeof buf); /* no malloc() of one */
	CHECK(malloc_info(0, stdout) == 0);
	check_malloc24();
}

/* A thread-specific value's destructor runs after the library's own
 * (its key is created later): the thread's calls then go straight to the
 * caches, with every check of the mode. */
static pthread_key_t late_key;

static void late_destructor(void *arg)
{
	char *p, *q;

	(void)arg;
	check_malloc24();
	p = calloc(1, opaque_size(40));
	CHECK(p != NULL && all_zero(p, 40));
	q = realloc(p, opaque_size(3000));
	CHECK(q != NULL && all_zero(q, 40));
	free(q);
	free(malloc(opaque_size(0)));
	free(malloc(opaque_size(200000)));
}

static void *late_thread(void *arg)
{
	free(malloc(opaque_size(16)));
	pthread_setspecific(late_key, arg);
	return NULL;
}

static void api_exit_destructor(void)
{
	pthread_t t;
	int i;

	free(malloc(opaque_size(16))); /* the library's key first */
	CHECK(pthread_key_create(&late_key, late_destructor) == 0);
	for (i = 0; i < 4; i++) {
		CHECK(pthread_create(&t, NULL, late_thread, &late_key) == 0);
		pthread_join(t, NULL);
	}
}

/* malloc(0) returns distinct pointers, however many are live. */
static void api_malloc0_unique(void)
{
	enum { N = 70000 };
	uintptr_t *v = malloc(N * sizeof(*v));
	size_t i, dup = 0;

	CHECK(v != NULL);
	if (!v)
		return;
	for (i = 0; i < N; i++)
		v[i] = (uintptr_t)malloc(opaque_size(0));
	qsort(v, N, sizeof(*v), cmp_uintptr);
	for (i = 1; i < N; i++)
		dup += v[i] == v[i - 1];
	if (dup) {
		fprintf(stderr,
			"FAIL: %zu of %d live malloc(0) pointers are duplicates\n",
			dup, N);
		failures++;
	}
	for (i = 0; i < N; i++)
		free((void *)v[i]);
	free(v);
}

/* ---- fork ---- */

/* Fork handlers a program registers before it has a thread, which
 * allocate (small, medium and large blocks): they run outside the heap's
 * locks, as under glibc, whose fork() takes its malloc's locks after
 * every prepare handler and drops them before every parent and child
 * handler. */
static void atf_alloc(void)
{
	char *p = malloc(opaque_size(1 << 20));

	if (!p)
		_exit(3);
	memset(p, 1, 4096);
	free(p);
	free(malloc(opaque_size(100)));
	free(malloc(opaque_size(3000)));
}

static void *atf_thread(void *arg)
{
	free(malloc(opaque_size(100)));
	return arg;
}

static void api_atfork_alloc(void)
{
	pthread_t t;
	pid_t pid;
	int st = -1;

	free(malloc(opaque_size(10)));
	CHECK(pthread_atfork(atf_alloc, atf_alloc, atf_alloc) == 0);
	CHECK(pthread_create(&t, NULL, atf_thread, NULL) == 0);
	pthread_join(t, NULL);
	pid = fork();
	if (pid == 0) {
		atf_alloc();
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
}

/* A medium block realloc()ed in place by one thread while another forks:
 * the realloc takes medium_lock, so it registers the fork handlers first
 * (before: children hung in free(), 8 to 11 of 20). */
static void *volatile fr_block;
static atomic_int fr_done, fr_hung;

static void *fr_forker(void *arg)
{
	int i;

	for (i = 0; i < 20; i++) {
		int st = 0;
		pid_t pid = fork();

		if (pid == 0) {
			alarm(2); /* a hung child dies of SIGALRM */
			free(fr_block);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			atomic_fetch_add(&fr_hung, 1);
	}
	atomic_store(&fr_done, 1);
	return arg;
}

static void api_fork_realloc_medium(void)
{
	unsigned long n = 0;
	pthread_t t;
	size_t s;
	int k;

	/* Hardened mode has no medium blocks: realloc moves the block, and
	 * a child could inherit the old pointer. */
	if (hardened())
		return;
	fr_block = malloc(opaque_size(3000)); /* one thread: medium */
	/* Warm bins: pthread_create()'s own allocations take the fast path,
	 * so that only the realloc below could register the handlers. */
	for (k = 0; k < 2; k++)
		for (s = 16; s <= 1024; s += 16)
			free(malloc(opaque_size(s)));
	CHECK(pthread_create(&t, NULL, fr_forker, NULL) == 0);
	while (!atomic_load(&fr_done)) {
		void *p = realloc(fr_block, (n++ & 1) ? 3000 : 60000);

		CHECK(p != NULL);
		if (p)
			fr_block = p;
	}
	pthread_join(t, NULL);
	CHECK(atomic_load(&fr_hung) == 0);
	free(fr_block);
}

static volatile int stop_workers;

static void *allocator(void *arg)
{
	unsigned long long s = (uintptr_t)arg + 12345;
	void *keep[32] = { 0 };

	while (!__atomic_load_n(&stop_workers, __ATOMIC_RELAXED)) {
		unsigned int k;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		k = (unsigned int)(s % 32);
		free(keep[k]);
		keep[k] = malloc(1 + (s % 61 == 0 ? (s >> 8) % (6 << 20) :
						    (s >> 8) % 3000));
		if (keep[k])
			memset(keep[k], 1, 1);
	}
	for (s = 0; s < 32; s++)
		free(keep[s]);
	return NULL;
}

static void *child_thread(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 2000; i++)
		free(malloc((size_t)i * 3 % 5000));
	return NULL;
}

static int child_work(void)
{
	void *p[256];
	pthread_t t;
	int i;

	for (i = 0; i < 256; i++) {
		p[i] = malloc((size_t)(i * 37) % 20000 + 1 +
			      (i % 17 == 0 ? 300000 : 0));
		if (!p[i])
			return 1;
		memset(p[i], i, 1);
	}
	for (i = 0; i < 256; i++)
		free(p[i]);
	p[0] = malloc(10 << 20);
	if (!p[0])
		return 1;
	memset(p[0], 1, 10 << 20);
	free(p[0]);
	if (pthread_create(&t, NULL, child_thread, NULL) != 0)
		return 1;
	pthread_join(t, NULL);
	return 0;
}

static void api_fork_threads(void)
{
	pthread_t t[4];
	uintptr_t i;
	int n, bad = 0;

	alarm(60);
	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, allocator, (void *)i) == 0);
	for (n = 0; n < 40; n++) {
		int st;
		pid_t pid = fork();

		if (pid == 0) {
			alarm(20);
			exit(child_work());
		}
		CHECK(pid > 0);
		if (pid < 0)
			break;
		free(malloc(100)); /* the parent goes on allocating */
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			fprintf(stderr, "FAIL: fork child %d: status %#x\n", n,
				st);
			bad++;
		}
	}
	__atomic_store_n(&stop_workers, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(bad == 0);
}

/*
 * A thread that never allocates forks while the main thread, which
 * started it, allocates and frees in a loop that keeps taking allocator
 * locks (every size class, page runs, huge mappings). The fork handlers
 * must be registered by then (the library registers them once the
 * process has a second thread, not when that thread first allocates), or
 * some child inherits a lock the main thread held and hangs in malloc.
 */
static atomic_int forker_done;

static void *quiet_forker(void *arg)
{
	int n, *bad = arg;

	for (n = 0; n < 200; n++) {
		int st;
		pid_t pid = fork();

		if (pid == 0) {
			void *a = malloc(100), *b = malloc(300000),
			     *c = malloc(9 << 20);

			free(a);
			free(b);
			free(c);
			_exit(a && b && c ? 0 : 1);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			(*bad)++;
	}
	atomic_store(&forker_done, 1);
	return NULL;
}

static void api_fork_quiet_thread(void)
{
	static int bad;
	void *keep[64] = { 0 };
	unsigned int i = 0;
	pthread_t t;

	alarm(60); /* a child that hangs makes its parent wait: a failure */
	free(malloc(1)); /* the heap is up before the thread exists */
	CHECK(pthread_create(&t, NULL, quiet_forker, &bad) == 0);
	while (!atomic_load(&forker_done)) {
		unsigned int k = i++ % 64;

		free(keep[k]);
		/* Sizes from 8 bytes to 12 MiB; each class's bin empties
		 * and fills, so the slow paths run all the time. */
		keep[k] = malloc(k == 63 ? (size_t)12 << 20 :
					   (size_t)8 << (i % 21));
		if (keep[k])
			memset(keep[k], 1, 1);
	}
	for (i = 0; i < 64; i++)
		free(keep[i]);
	pthread_join(t, NULL);
	CHECK(bad == 0);
}

static volatile sig_atomic_t sig_forks, sig_fork_bad;

static void fork_handler(int sig)
{
	int st, saved = errno;
	pid_t pid;

	(void)sig;
	pid = fork();
	if (pid == 0) {
		void *a = malloc(100), *b = malloc(300000);

		free(a);
		free(b);
		_exit(a && b ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		sig_fork_bad++;
	sig_forks++;
	errno = saved;
}

static void api_fork_signal(void)
{
	struct sigaction sa;
	pthread_t t[3];
	sigset_t set;
	uintptr_t i;
	int n;

	alarm(60); /* a hang is a failure: SIGALRM kills us */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fork_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	/* The allocating threads never take the signal themselves. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 3; i++)
		CHECK(pthread_create(&t[i], NULL, allocator, (void *)i) == 0);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	for (n = 0; n < 200; n++)
		raise(SIGUSR1);
	__atomic_store_n(&stop_workers, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK(sig_forks == 200);
	CHECK(sig_fork_bad == 0);
}

/* A process that never had a thread forks from a signal handler that
 * may interrupt malloc holding the heap's locks, with a pthread_atfork()
 * handler registered (and so the heap's fork handlers too): glibc's fork
 * takes its malloc's locks only once the process may have threads, and
 * so must the heap's handlers (before, prepare waited for a lock its own
 * thread held: a hang). */
static volatile sig_atomic_t single_forks, single_fork_bad;

static void single_fork_handler(int sig)
{
	int saved = errno, st;
	pid_t pid = fork();

	(void)sig;
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		single_fork_bad = 1;
	single_forks++;
	errno = saved;
}

static void nop_fork_handler(void)
{
}

static void api_fork_signal_single(void)
{
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, off = { 0 };
	void *slots[64] = { 0 };
	unsigned int seed = 1;
	struct sigaction sa;
	int i;

	alarm(60); /* a hang is a failure: SIGALRM kills us */
	CHECK(pthread_atfork(nop_fork_handler, nop_fork_handler,
			     nop_fork_handler) == 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = single_fork_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
	while (single_forks < 200) {
		i = rand_r(&seed) % 64;
		free(slots[i]);
		slots[i] = malloc(rand_r(&seed) % 4 ?
					  (size_t)(rand_r(&seed) % 20000) :
					  (size_t)(rand_r(&seed) % 3000000));
	}
	setitimer(ITIMER_PROF, &off, NULL);
	for (i = 0; i < 64; i++)
		free(slots[i]);
	CHECK(single_fork_bad == 0);
}

/* A fork while another thread's first malloc brings a CPU up (its
 * machine locks held): the fork handlers must be in place before that
 * thread takes any lock, although the forking thread's own calls never
 * left its bins (a child inheriting a held slab_mutex hung at its first
 * new class). One process each time: a CPU comes up once. */
static void *bringup_thread(void *arg)
{
	free(opaque(malloc(40)));
	__atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *bringup_child_thread(void *arg)
{
	free(opaque(malloc(1000)));
	return arg;
}

static void fork_cpu_bringup_once(void)
{
	static const size_t sizes[] = { 16, 48, 96, 200, 700, 3000, 9000 };
	pthread_t t[3], c;
	void *w[64];
	int started = 0, st, i;
	pid_t pid;

	/* Warm bins: pthread_create's own allocations stay on the fast
	 * path, so this thread passes no slow path before the fork. */
	for (i = 0; i < 64; i++)
		w[i] = malloc(opaque_size(16 + (size_t)(i % 20) * 16));
	for (i = 0; i < 64; i++)
		free(w[i]);
	for (i = 0; i < 3; i++)
		CHECK(pthread_create(&t[i], NULL, bringup_thread, &started) ==
		      0);
	pid = fork();
	if (pid == 0) {
		alarm(10); /* a hang is a failure: SIGALRM kills the child */
		for (i = 0; i < (int)(sizeof sizes / sizeof sizes[0]); i++)
			free(opaque(malloc(sizes[i])));
		malloc_trim(0);
		if (pthread_create(&c, NULL, bringup_child_thread, NULL) == 0)
			pthread_join(c, NULL);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK(__atomic_load_n(&started, __ATOMIC_ACQUIRE) == 1);
}

static void api_fork_cpu_bringup(void)
{
	int n, st, bad = 0;
	pid_t pid;

	for (n = 0; n < 300; n++) {
		pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0)
				dup2(fd, 1); /* its "ok" lines */
			execl("/proc/self/exe", "api_child",
			      "fork_cpu_bringup_once", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			bad++;
	}
	fprintf(stderr, "fork cpu bringup: %d of 300 runs failed\n", bad);
	CHECK(bad == 0);
}

static void api_stats(void)
{
	int i;

	for (i = 0; i < 100; i++)
		free(malloc((size_t)i * 100));
	exit(0); /* the destructor prints the statistics */
}

/* Statistics of the medium blocks: three of 10,000 bytes (10,016 with
 * their headers), one freed. */
static void api_stats_medium(void)
{
	void *p = opaque(malloc(10000));

	opaque(malloc(10000));
	opaque(malloc(10000));
	free(p);
	exit(0);
}

/* xz and GNU tools close stderr in an atexit handler: the statistics
 * still reach the stderr the program started with. */
static void api_stats_closed(void)
{
	int i;

	for (i = 0; i < 100; i++)
		free(malloc((size_t)i * 100));
	fclose(stderr);
	exit(0);
}

/* A program that closes every descriptor but the standard ones and opens
 * files where the library's duplicate of stderr was: the statistics go
 * to its stderr, not into those files. */
static void api_stats_closefrom(void)
{
	int fd, i;

	free(malloc(100));
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	for (i = 0; i < 20; i++)
		CHECK(open("/dev/null", O_WRONLY) >= 3);
	for (i = 0; i < 100; i++)
		free(malloc((size_t)i * 100));
	exit(0);
}

/* The statistics written to a pipe whose reader has gone (stderr into
 * `head -1` that exited): the program still exits with its own status,
 * not killed by SIGPIPE; and a program that writes to that pipe itself
 * still gets its SIGPIPE. */
static int stats_pipe_run(const char *what)
{
	int fds[2], st;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	close(fds[0]);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		signal(SIGPIPE, SIG_DFL);
		if (fd < 0 || dup2(fds[1], 2) != 2 || dup2(fd, 1) != 1)
			_exit(126);
		setenv("MMKIT_MALLOC_STATS", "1", 1);
		execl("/proc/self/exe", "api_child", what, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	return st;
}

static void stats_pipe_write(void)
{
	free(malloc(100));
	fputs("a line of its own\n", stderr);
	exit(3);
}

static void api_stats_pipe(void)
{
	int st = stats_pipe_run("api_stats");

	fprintf(stderr, "stats pipe: status %#x\n", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = stats_pipe_run("stats_pipe_write");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
}

/* ================= security cases ================= */

static int global_object[16];

static void not_caught(void)
{
	fprintf(stderr, "not caught\n");
	exit(EXIT_NOT_CAUGHT);
}

static void df(size_t n)
{
	void *p = malloc(opaque_size(n));

	free(p);
	free(opaque(p));
}

static void sec_df_16(void)
{
	df(16);
}
static void sec_df_100(void)
{
	df(100);
}
static void sec_df_1k(void)
{
	df(1024);
}
static void sec_df_100k(void)
{
	df(100 << 10);
}
static void sec_df_8m(void)
{
	df(8 << 20);
}

/* free p; 1000 other allocations come and go; free p again. */
static void delayed_df(size_t n)
{
	void *other[1000];
	void *p = malloc(opaque_size(n));
	int i;

	free(p);
	for (i = 0; i < 1000; i++)
		other[i] = malloc(opaque_size((size_t)(i % 50 + 1) * 24));
	for (i = 0; i < 1000; i++)
		free(other[i]);
	for (i = 0; i < 1000; i++)
		free(malloc(opaque_size(n)));
	free(opaque(p));
}

static void sec_delayed_df_small(void)
{
	delayed_df(64);
}
/*
 * Holes of a 16-byte lender (malloc/borrow.c) given back: the header a
 * hole wrote into its first objects spans four of them, and all four go
 * back to their slab with the free tag that freed objects carry (only the
 * first was tagged: a double free of the others went unseen, and malloc
 * handed one out twice). The tag is the object's address XOR the
 * process's secret: the secret is what most freed objects' first words
 * give.
 */
static void api_borrow_hole_tags(void)
{
	enum { N = 200000, B = 1000 };
	static char *small[N], *big[B];
	static bool freed[N];
	uintptr_t secret = 0;
	size_t i, nb = 0, untagged = 0;
	long votes = 0;

	if (hardened())
		return; /* no borrowing */
	for (i = 0; i < N; i++)
		small[i] = malloc(opaque_size(16));
	/* At random: runs of free objects long enough for holes. */
	for (i = 0; i < N; i++)
		if (rnd() % 10) {
			freed[i] = true;
			free(small[i]);
		}
	malloc_trim(0); /* every freed object back in its slab, tagged */
	for (i = 0; i < N; i++) {
		uintptr_t v;

		if (!freed[i])
			continue;
		v = *(volatile uintptr_t *)(void *)small[i] ^
		    (uintptr_t)small[i];
		if (!votes)
			secret = v;
		votes += v == secret ? 1 : -1;
	}
	for (i = 0; i < B; i++) {
		big[i] = malloc(opaque_size(256));
		nb += (uintptr_t)big[i] % 256 != 0; /* a borrowed run */
	}
	for (i = 0; i < B; i++)
		free(big[i]);
	malloc_trim(0); /* the holes go back to their lender */
	for (i = 0; i < N; i++)
		if (freed[i] && (*(volatile uintptr_t *)(void *)small[i] ^
				 (uintptr_t)small[i]) != secret)
			untagged++;
	fprintf(stderr, "hole tags: %zu borrowed runs, %zu untagged\n", nb,
		untagged);
	CHECK(nb > 0);
	CHECK(untagged == 0);
}

/*
 * memalign() and its kin among borrowed objects: once small objects' free
 * space serves larger ones (malloc/borrow.c cuts them 16-byte aligned),
 * a bin of the 512 and 1024-byte classes holds objects that are not
 * aligned to their size, and an aligned request must not be given one.
 */
static void api_memalign_borrowed(void)
{
	enum { N = 60000, M = 4000 };
	static char *small[N], *big[M];
	size_t i, unaligned = 0;

	for (i = 0; i < N; i++)
		small[i] = malloc(opaque_size(64));
	for (i = 0; i < N; i++)
		if (i % 10) {
			free(small[i]);
			small[i] = NULL;
		}
	for (i = 0; i < M; i++) {
		size_t a = i % 2 ? 1024 : 512, n = i % 2 ? 1000 : 500;
		char *q = malloc(opaque_size(n));
		void *r = NULL;

		CHECK(q != NULL);
		if (q && (uintptr_t)q % a)
			unaligned++;
		big[i] = q;
		/* Then an aligned request, by memalign, posix_memalign or
		 * aligned_alloc in turn. */
		if (i % 4 < 2) {
			r = memalign(opaque_size(a), n);
		} else if (i % 8 < 6) {
			CHECK(posix_memalign(&r, opaque_size(a), n) == 0);
		} else {
			r = aligned_alloc(opaque_size(a), a);
		}
		CHECK(r != NULL);
		if (!r)
			continue;
		if ((uintptr_t)r % a) {
			fprintf(stderr,
				"FAIL: an aligned %zu-byte request got %p\n", a,
				r);
			failures++;
		}
		CHECK(malloc_usable_size(r) >= n);
		memset(r, 0x5a, n);
		free(r);
	}
	/* The case is what it says: larger objects were made of the small
	 * ones' space, some of them not aligned to their size. Hardened mode
	 * does not borrow. */
	if (!hardened())
		CHECK(unaligned > 0);
	for (i = 0; i < M; i++)
		free(big[i]);
	for (i = 0; i < N; i++)
		free(small[i]);
}

static void sec_delayed_df_large(void)
{
	delayed_df(100 << 10);
}

/* A sparse heap of small objects: SPARSE_N of 64 bytes, nine in ten
 * freed, their addresses sorted into @freed; how many. */
#define SPARSE_N 60000
static size_t sparse_heap(uintptr_t *freed)
{
	static char *small[SPARSE_N];
	size_t nf = 0, i;

	for (i = 0; i < SPARSE_N; i++)
		small[i] = malloc(opaque_size(64));
	for (i = 0; i < SPARSE_N; i++)
		if (i % 10) {
			freed[nf++] = (uintptr_t)small[i];
			free(small[i]);
		}
	qsort(freed, nf, sizeof(freed[0]), cmp_uintptr);
	return nf;
}

static void *free_half_thread(void *arg)
{
	char **objs = arg;
	int i;

	for (i = 0; i < 3000; i += 2)
		free(objs[i]);
	return NULL;
}

/* Borrowed objects (runs and sub-slabs of a sparse heap's space), half of
 * them freed by a second thread, the rest and the small objects after;
 * malloc_trim(0) leaves no record of borrowing's in its cache (their
 * per-CPU arrays kept about 900, 52 slabs: MMKIT_MALLOC_STATS's slabinfo
 * line says). */
static void api_borrow_trim(void)
{
	static uintptr_t freed[SPARSE_N];
	static char *objs[3000];
	size_t i;
	pthread_t t;

	sparse_heap(freed);
	for (i = 0; i < 3000; i++)
		objs[i] = malloc(opaque_size(i % 3 ? 256 : 16));
	CHECK(pthread_create(&t, NULL, free_half_thread, objs) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	for (i = 1; i < 3000; i += 2)
		free(objs[i]);
	malloc_trim(0);
	exit(failures ? 1 : 0); /* the destructor prints the statistics */
}

/* An object made of free small objects' space (malloc/borrow.c): a
 * sparse heap of small objects, then objects of 300 bytes until one
 * starts where a freed small one did. */
static char *borrowed_object(void)
{
	static uintptr_t freed[SPARSE_N];
	size_t nf = sparse_heap(freed), i;

	for (i = 0; i < SPARSE_N && !hardened(); i++) {
		char *q = malloc(opaque_size(300));
		uintptr_t key = (uintptr_t)q;

		if (bsearch(&key, freed, nf, sizeof(freed[0]), cmp_uintptr))
			return q;
	}
	/* Hardened mode does not borrow: an ordinary object. */
	return malloc(opaque_size(300));
}

static void sec_borrowed_df(void)
{
	char *p = borrowed_object();

	free(p);
	free(opaque(p));
}

/* What this process's next malloc(@size) returns, learnt from a forked
 * copy of it: the objects in this thread's bin, without taking one. */
static char *next_malloc(size_t size)
{
	int fds[2];
	char *p = NULL;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		p = malloc(opaque_size(size));
		_exit(write(fds[1], &p, sizeof p) == sizeof p ? 0 : 1);
	}
	if (pid < 0 || read(fds[0], &p, sizeof p) != sizeof p)
		p = NULL;
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	return p;
}

/* A double free of a small object the program freed long ago, whose
 * space a refill has since cut into a borrowed 256-byte object that sits
 * in the bin, not yet handed out (the free went through as the run's and
 * gave its space back while the bin still held it). The class's own
 * objects are 256-byte aligned; a borrowed one, 16-byte. */
static void sec_borrowed_df_in_bin(void)
{
	static uintptr_t freed[SPARSE_N];
	size_t nf = sparse_heap(freed), i;
	char *x = NULL;

	/* x must be in the bin: the run after the one malloc just gave,
	 * from the same batch of runs (a refill hands a batch out in
	 * address order). */
	for (i = 0; i < 3000 && !hardened(); i++) {
		char *p = malloc(opaque_size(256));
		uintptr_t key;

		x = next_malloc(256);
		key = (uintptr_t)x;
		if ((uintptr_t)p % 256 && x == p + 256 &&
		    bsearch(&key, freed, nf, sizeof(freed[0]), cmp_uintptr))
			break;
		x = NULL;
	}
	/* Hardened mode does not borrow: a freed small object's double
	 * free. */
	free(opaque(x ? x : (char *)freed[nf / 2]));
}

/* Two borrowed 48-byte objects (cut from a freed 1024-byte one) freed;
 * a refill takes them back into the bin and one of them is handed out:
 * a second free of the other, still in the bin, is a double free. */
static void sec_borrowed_sub_df_in_bin(void)
{
	enum { N = 30000 };
	static char *big[N];
	char *q = NULL, *p = NULL, *prev = NULL, *got;
	size_t i;

	for (i = 0; i < N; i++)
		big[i] = malloc(opaque_size(1024));
	for (i = 0; i < N; i++)
		if (i % 10)
			free(big[i]);
	/* A borrowed pair: consecutive, and not where the 48-byte class's
	 * own slabs (one page, objects from its start) put objects. */
	for (i = 0; i < 20000; i++) {
		char *o = malloc(opaque_size(48));

		if (prev && o == prev + 48 && (uintptr_t)prev % 4096 % 48 &&
		    (uintptr_t)o % 4096 % 48) {
			q = prev;
			p = o;
			break;
		}
		prev = o;
	}
	if (!q) {
		q = malloc(opaque_size(48));
		p = malloc(opaque_size(48));
	}
	free(q);
	free(p);
	for (i = 0; i < 20000; i++) {
		got = malloc(opaque_size(48));
		if (got == q || got == p) {
			p = got == q ? p : q;
			break;
		}
	}
	free(opaque(p));
}

/* A medium block freed twice, its neighbour freed in between (the two
 * merged), then again once another block took their space. */
static void sec_medium_df(void)
{
	char *p = malloc(opaque_size(20000)), *q = malloc(opaque_size(20000));

	free(p);
	free(q);
	free(opaque(q));
}

static void sec_medium_df_reused(void)
{
	char *p = malloc(opaque_size(20000)), *q = malloc(opaque_size(20000));

	free(p);
	free(q);
	memset(malloc(opaque_size(40000)), 0x33, 40000);
	free(opaque(q));
}

/* free() inside a medium block, on a 16-byte boundary. */
static void sec_medium_inner(void)
{
	char *p = malloc(opaque_size(20000));

	memset(p, 0, 20000);
	free(opaque(p + 4096));
}

/* free() of the borrowed object's second small slot: inside it. */
static void sec_borrowed_inner(void)
{
	char *p = borrowed_object();

	free(opaque(p + 64));
}

/* Freed object pushed down to the slab layer (tcache flushed past it). */
static void sec_delayed_df_slab(void)
{
	void *q[300];
	void *p;
	int i;

	for (i = 0; i < 300; i++)
		q[i] = malloc(opaque_size(96));
	p = malloc(opaque_size(96));
	free(p);
	for (i = 0; i < 300; i++)
		free(q[i]);
	malloc_trim(0);
	free(opaque(p));
}

static void sec_df_realloc(void)
{
	void *p = malloc(opaque_size(100));
	void *q = realloc(p, 20000); /* moves: p is freed */

	if (q == p)
		not_caught();
	free(opaque(p));
}

static void sec_free_stack(void)
{
	char buf[64];

	free(opaque(buf + 16));
}

static void sec_free_global(void)
{
	free(opaque(global_object));
}

static void sec_free_mmap(void)
{
	void *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	free(opaque(p));
}

static void sec_free_inner_8(void)
{
	char *p = malloc(opaque_size(64));

	free(opaque(p + 8));
}

static void sec_free_inner_16(void)
{
	char *p = malloc(opaque_size(256));

	free(opaque(p + 16));
}

static void sec_free_unaligned(void)
{
	char *p = malloc(opaque_size(64));

	free(opaque(p + 1));
}

static void sec_free_inner_large(void)
{
	char *p = malloc(opaque_size(100 << 10));

	free(opaque(p + 4096));
}

static void sec_free_inner_huge(void)
{
	char *p = malloc(opaque_size(8 << 20));

	free(opaque(p + 4096));
}

/* A slot of a slab that was never handed out: the neighbour of an object
 * in the same page (120 bytes take a 128-byte slot in both modes). Not
 * caught if the slot then comes back from malloc twice. */
static void sec_free_unallocated_slot(void)
{
	enum { N = 400 };
	char *p = malloc(opaque_size(120)), *slot, *got[N];
	int i, j;

	if (((uintptr_t)p & 4095) >= 128)
		slot = p - 128;
	else
		slot = p + 128;
	free(opaque(slot));
	for (i = 0; i < N; i++) {
		got[i] = malloc(opaque_size(120));
		for (j = 0; j < i; j++)
			if (got[j] == got[i]) {
				fprintf(stderr, "slot %p handed out twice\n",
					(void *)got[i]);
				not_caught();
			}
	}
	not_caught();
}

static void sec_realloc_invalid(void)
{
	char buf[64];

	free(realloc(opaque(buf), 100));
}

static void sec_realloc_inner(void)
{
	char *p = malloc(opaque_size(64));

	free(realloc(opaque(p + 16), 100));
}

static void sec_realloc_freed(void)
{
	char *p = malloc(opaque_size(64));

	free(p);
	free(realloc(opaque(p), 200));
}

static void sec_usable_invalid(void)
{
	char buf[64];

	malloc_usable_size(opaque(buf));
}

static void sec_usable_freed(void)
{
	char *p = malloc(opaque_size(64));

	free(p);
	malloc_usable_size(opaque(p));
}

static void free_sized_twice(size_t size)
{
	void *p = malloc(opaque_size(size));

	get_free_sized()(p, size);
	get_free_sized()(opaque(p), size);
}

static void sec_free_sized_df(void)
{
	free_sized_twice(100);
}

static void sec_free_sized_df_huge(void)
{
	free_sized_twice(8 << 20);
}

static void sec_free_sized_larger(void)
{
	void *p = malloc(opaque_size(100));

	get_free_sized()(p, 2000);
}

static void sec_free_sized_smaller(void)
{
	void *p = malloc(opaque_size(1000));

	get_free_sized()(p, 100);
}

/* Off by a few bytes, within the same size class. */
static void sec_free_sized_near(void)
{
	void *p = malloc(opaque_size(100));

	get_free_sized()(p, 104);
}

static void sec_free_sized_large(void)
{
	void *p = malloc(opaque_size(100 << 10));

	get_free_sized()(p, 300 << 10);
}

static void sec_free_sized_huge(void)
{
	void *p = malloc(opaque_size(10 << 20));

	get_free_sized()(p, (10 << 20) - 1);
}

/* free_aligned_sized stating a smaller size, of another class. */
static void sec_free_aligned_smaller(void)
{
	void *p = aligned_alloc(64, opaque_size(4000));

	get_free_aligned_sized()(p, 64, 100);
}

/* free_aligned_sized stating an alignment the pointer does not have. */
static void sec_free_aligned_wrong(void)
{
	char *p[64];
	int i;

	for (i = 0; i < 64; i++) {
		p[i] = aligned_alloc(64, opaque_size(128));
		if ((uintptr_t)p[i] % 4096)
			get_free_aligned_sized()(p[i], 4096, 128);
	}
}

/* The double free of a zero-size allocation. */
static void sec_malloc0_df(void)
{
	void *p = malloc(opaque_size(0));

	free(p);
	free(opaque(p));
}

static void sec_malloc0_inner(void)
{
	char *p = malloc(opaque_size(0));

	free(opaque(p + 8));
}

/* A double free by a thread past the library's exit hook (in a later
 * key's destructor). */
static void df_destructor(void *arg)
{
	void *p = malloc(opaque_size(24));

	(void)arg;
	free(p);
	free(opaque(p));
}

static void *df_thread(void *arg)
{
	free(malloc(opaque_size(16)));
	pthread_setspecific(late_key, arg);
	return NULL;
}

static void sec_df_exiting_thread(void)
{
	pthread_t t;

	free(malloc(opaque_size(16)));
	pthread_key_create(&late_key, df_destructor);
	pthread_create(&t, NULL, df_thread, &late_key);
	pthread_join(t, NULL);
	not_caught();
}

/* free_aligned_sized stating another alignment than the block's. */
static void sec_free_aligned_mismatch(void)
{
	void *p = aligned_alloc(8 << 20, opaque_size(8 << 20));

	get_free_aligned_sized()(p, 4096, 8 << 20);
}

/* A block from a size class, freed as if aligned to more than 16
 * (aligned_alloc(16, n) at an address that happens to be 64-aligned). */
static void sec_free_aligned_small_mismatch(void)
{
	static void *keep[256];
	void *p = NULL;
	int i;

	for (i = 0; i < 256; i++) {
		keep[i] = aligned_alloc(16, opaque_size(100));
		if ((uintptr_t)keep[i] % 64 == 0) {
			p = keep[i];
			break;
		}
	}
	CHECK(p != NULL);
	if (p)
		get_free_aligned_sized()(p, 64, 100);
}

/* A NUL byte past a medium block (an off-by-one terminator): it clears
 * the next block's in-use bit, whose payload then reads as list links
 * pointing at the program's own data; free() must not follow them. */
static void sec_overflow_medium_nul(void)
{
	static void *target;
	static char value[64];
	char *a = malloc(opaque_size(3000)), *c = malloc(opaque_size(3000));
	uint64_t links[2] = { (uint64_t)(uintptr_t)&target - 24,
			      (uint64_t)(uintptr_t)value };

	opaque(malloc(opaque_size(3000)));
	memcpy(c, links, sizeof links);
	a[malloc_usable_size(a)] = 0;
	free(a);
	CHECK(target == NULL);
}

static void sec_overflow_1(void)
{
	char *p = malloc(opaque_size(24));

	p[opaque_size(24)] = 'x';
	free(p);
}

static void sec_overflow_8(void)
{
	char *p = malloc(opaque_size(32));

	memset(p + opaque_size(32), 'x', 8);
	free(p);
}

/* An aligned block ends before its alignment's rounding. */
static void sec_overflow_aligned_1(void)
{
	char *p = memalign(64, opaque_size(48));

	p[opaque_size(48)] = 'x';
	free(p);
}

static void sec_overflow_large_1(void)
{
	char *p = malloc(opaque_size(100001));

	p[opaque_size(100001)] = 'x';
	free(p);
}

/* Seen by malloc_usable_size(), before any free. */
static void sec_overflow_large_usable(void)
{
	char *p = malloc(opaque_size(100001));

	p[opaque_size(100001)] = 'x';
	malloc_usable_size(opaque(p));
}

/* Past the 16-byte rounding of a large object: the guard page. */
static void sec_overflow_large_guard(void)
{
	char *p = malloc(opaque_size(100 << 10));

	memset(p + opaque_size(100 << 10), 'x', 64);
	free(p);
}

static void sec_overflow_huge_guard(void)
{
	char *p = malloc(opaque_size(8 << 20));

	memset(p + opaque_size(8 << 20), 'x', 64);
	free(p);
}

/* Write after free, noticed when the object is reused. */
static void sec_uaf_write(void)
{
	char *p = malloc(opaque_size(64));
	int i;

	free(p);
	((volatile char *)p)[20] = 'x';
	for (i = 0; i < 600; i++)
		free(malloc(opaque_size(64)));
	for (i = 0; i < 600; i++)
		malloc(opaque_size(64));
}

/* Write after free of the object's first word. */
static void sec_uaf_write_first(void)
{
	char *p = malloc(opaque_size(100));
	int i;

	free(p);
	((volatile char *)p)[0] = 'x';
	for (i = 0; i < 600; i++)
		free(malloc(opaque_size(100)));
	for (i = 0; i < 600; i++)
		malloc(opaque_size(100));
}

/* Write after free of the slab's free pointer (a 64-byte object's, in
 * its middle: SLUB's offset) in objects back on their slabs' lists: one
 * bit of each, which moves the pointer off its object's place. */
static void sec_uaf_slab_freelist(void)
{
	enum { N = 4096 };
	static char *v[N];
	int i;

	for (i = 0; i < N; i++)
		v[i] = malloc(opaque_size(56));
	for (i = 0; i < N; i += 2)
		free(v[i]);
	for (i = 0; i < 600; i++) /* out of the quarantine and the bins */
		free(malloc(opaque_size(2100)));
	malloc_trim(0); /* and out of the CPU arrays */
	for (i = N / 4; i < N; i += 2)
		((volatile char *)v[i])[32] ^= 0x08;
	for (i = 0; i < N; i++)
		opaque(malloc(opaque_size(56)));
}

/* C++'s sized delete stating more than operator new(100) asked for
 * (called by its name: this program has no C++ library, so no other
 * operator delete). */
static void sec_cxx_sized_delete(void)
{
	void (*sized_delete)(void *, size_t);
	void *p = malloc(opaque_size(100));

	*(void **)&sized_delete = dlsym(RTLD_DEFAULT, "_ZdlPvm");
	CHECK(sized_delete != NULL);
	if (sized_delete)
		sized_delete(p, 2000);
}

/* Write after free of an object that has left the quarantine: 300 more
 * of its size freed after it (it is in a bin, an array or a slab by
 * then), then one byte at @off flipped, then the size allocated until it
 * comes back. */
static void uaf_after_quarantine(size_t off)
{
	enum { D = 300, N = 4000 };
	static void *w[D], *v[N];
	char *p;
	int i;

	for (i = 0; i < D; i++)
		w[i] = malloc(opaque_size(500));
	p = malloc(opaque_size(500));
	free(p);
	for (i = 0; i < D; i++)
		free(w[i]);
	((volatile char *)p)[off] ^= 0x5a;
	for (i = 0; i < N; i++)
		v[i] = opaque(malloc(opaque_size(500)));
}

/* In its middle (a 500-byte object's free pointer word). */
static void sec_uaf_after_quarantine(void)
{
	uaf_after_quarantine(248);
}

/* In word 0 (where the free tag is): the object no longer looks freed,
 * yet it must not pass for one never handed out (before, it did). */
static void sec_uaf_first_after_quarantine(void)
{
	uaf_after_quarantine(5);
}

/* A delayed double free of a mapping too large for the quarantine: a new
 * block of the same size comes between (before, the host gave it the
 * freed block's addresses, and the second free freed it). */
static void sec_df_huge_delayed(void)
{
	char *p = opaque(malloc(opaque_size(100 << 20)));

	free(p);
	opaque(malloc(opaque_size(100 << 20)));
	free(p);
}

/* Write after free of the word the free list links through (one bit). */
static void sec_uaf_link(void)
{
	char *p = malloc(opaque_size(64));
	int i;

	free(p);
	((volatile char *)p)[8] ^= 0x08;
	for (i = 0; i < 600; i++)
		free(malloc(opaque_size(64)));
	for (i = 0; i < 600; i++)
		malloc(opaque_size(64));
}

static void sec_uaf_large_write(void)
{
	char *p = malloc(opaque_size(100 << 10));

	free(p);
	((volatile char *)p)[100] = 'x';
	for (int i = 0; i < 50; i++)
		free(malloc(opaque_size(100 << 10)));
}

static void sec_malloc0_write(void)
{
	char *p = malloc(opaque_size(0));

	((volatile char *)p)[0] = 'x';
	free(p);
}

static void sec_malloc0_read(void)
{
	char *p = malloc(opaque_size(0));

	(void)((volatile char *)p)[0];
}

/* Freed memory still readable with its old contents? */
static void sec_read_freed(void)
{
	char *p = malloc(opaque_size(64));

	memset(p, 'A', 64);
	free(p);
	if (all_zero(opaque(p + 16), 48))
		exit(EXIT_MITIGATED);
	not_caught();
}

/* Old data handed out again in fresh (uninitialised) allocations. */
static void sec_uninit_leak(void)
{
	char *p[64];
	int i, leak = 0;

	for (i = 0; i < 64; i++) {
		p[i] = malloc(opaque_size(200));
		memset(p[i], 'S', 200);
	}
	for (i = 0; i < 64; i++)
		free(p[i]);
	for (i = 0; i < 1000; i++) {
		char *q = malloc(opaque_size(200));

		if (memmem(q, 200, "SSSS", 4))
			leak = 1;
		free(q);
	}
	if (!leak)
		exit(EXIT_MITIGATED);
	not_caught();
}

/* ================= dispatch ================= */

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
#define C(x)          \
	{             \
#x, x \
	}
	C(api_malloc),
	C(api_calloc),
	C(api_realloc),
	C(api_memalign),
	C(api_usable),
	C(api_huge_fail),
	C(api_medium),
	C(api_medium_end),
	C(api_boot_reentry),
	C(api_misc),
	C(api_free_sized),
	C(api_large),
	C(api_rss),
	C(api_text_layout),
	C(api_text_layout_threads),
	C(fork_cpu_bringup_once),
	C(api_fork_cpu_bringup),
	C(api_phase_rss),
	C(api_huge_kept_rss),
	C(api_huge_drained_past_mark),
	C(api_huge_kept_shrunk),
	C(api_stats_format),
	C(api_mallinfo_growth),
	C(api_borrow),
	C(api_memalign_borrowed),
	C(api_run_backed),
	C(api_huge_kept_over_reuse),
	C(api_huge_grows_in_place),
	C(api_huge_realloc_race),
	C(api_rss_after_free),
	C(api_trim),
	C(api_threads),
	C(api_thread_rounds),
	C(api_many_threads),
	C(api_passive_share),
	C(api_remote_free),
	C(api_remote_handoff),
	C(api_symbols),
	C(api_first_call_stats),
	C(api_first_call_info),
	C(api_exit_destructor),
	C(api_malloc0_unique),
	C(api_fork_threads),
	C(api_atfork_alloc),
	C(api_fork_realloc_medium),
	C(api_fork_signal),
	C(api_fork_signal_single),
	C(api_fork_quiet_thread),
	C(api_stats),
	C(api_stats_medium),
	C(api_stats_closed),
	C(api_stats_closefrom),
	C(api_stats_pipe),
	C(api_hardened_checks),
	C(api_thread_high_keys),
	C(api_borrow_trim),
	C(api_borrow_hole_tags),
	C(stats_pipe_write),
	C(sec_df_16),
	C(sec_df_100),
	C(sec_df_1k),
	C(sec_df_100k),
	C(sec_df_8m),
	C(sec_delayed_df_small),
	C(sec_delayed_df_large),
	C(sec_delayed_df_slab),
	C(sec_borrowed_df),
	C(sec_borrowed_df_in_bin),
	C(sec_borrowed_sub_df_in_bin),
	C(sec_medium_df),
	C(sec_medium_df_reused),
	C(sec_medium_inner),
	C(sec_borrowed_inner),
	C(sec_df_realloc),
	C(sec_free_stack),
	C(sec_free_global),
	C(sec_free_mmap),
	C(sec_free_inner_8),
	C(sec_free_inner_16),
	C(sec_free_unaligned),
	C(sec_free_inner_large),
	C(sec_free_inner_huge),
	C(sec_free_unallocated_slot),
	C(sec_realloc_invalid),
	C(sec_realloc_inner),
	C(sec_realloc_freed),
	C(sec_usable_invalid),
	C(sec_usable_freed),
	C(sec_free_sized_df),
	C(sec_free_sized_df_huge),
	C(sec_free_sized_larger),
	C(sec_free_sized_smaller),
	C(sec_free_sized_near),
	C(sec_free_sized_large),
	C(sec_free_sized_huge),
	C(sec_free_aligned_smaller),
	C(sec_free_aligned_wrong),
	C(sec_free_aligned_mismatch),
	C(sec_free_aligned_small_mismatch),
	C(sec_malloc0_df),
	C(sec_malloc0_inner),
	C(sec_df_exiting_thread),
	C(sec_uaf_write_first),
	C(sec_uaf_slab_freelist),
	C(sec_uaf_after_quarantine),
	C(sec_df_huge_delayed),
	C(sec_uaf_first_after_quarantine),
	C(sec_cxx_sized_delete),
	C(sec_overflow_aligned_1),
	C(sec_overflow_medium_nul),
	C(sec_overflow_1),
	C(sec_overflow_8),
	C(sec_overflow_large_1),
	C(sec_overflow_large_usable),
	C(sec_overflow_large_guard),
	C(sec_overflow_huge_guard),
	C(sec_uaf_write),
	C(sec_uaf_link),
	C(sec_uaf_large_write),
	C(sec_malloc0_write),
	C(sec_malloc0_read),
	C(sec_read_freed),
	C(sec_uninit_leak),
#undef C
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CASE\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		cases[i].fn();
		if (strncmp(argv[1], "sec_", 4) == 0)
			not_caught();
		if (failures) {
			fprintf(stderr, "%s: %d checks failed\n", argv[1],
				failures);
			return 1;
		}
		printf("%s: ok\n", argv[1]);
		return 0;
	}
	fprintf(stderr, "unknown case %s\n", argv[1]);
	return 2;
}
