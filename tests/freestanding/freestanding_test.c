/* SPDX-License-Identifier: MIT */
/*
 * The freestanding build (`make freestanding`: the core compiled with
 * -ffreestanding -nostdinc against platform/freestanding/, linked into one
 * object, build/<variant>/lib/mmkit-freestanding.o). This program links
 * that object, not libmmkit, with the hosted platform layer
 * (platform/linux.c) as its embedder, and checks:
 * - the object asks for nothing but the platform layer's functions,
 *   memcpy/memmove/memset/memcmp and the compiler's and linker's own
 *   symbols (its undefined symbols, read with nm);
 * - a machine booted and used through the public API renders the same
 *   procfs text, byte for byte, as the hosted build's `mmkit run` of the
 *   same steps as a script, and its verifier is clean;
 * - the build's own C library: vsnprintf against the host's for every
 *   conversion the core prints (flags, widths, precisions, lengths,
 *   truncation, return value), qsort against the host's, the string
 *   functions, errno as the API sets it, and the locks.
 * The program includes the public headers, whose structures may hold locks
 * of another size in the two builds: it uses their pointers only.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/malloc/run.h"
#include "tests/mmk_test.h"
#include <limits.h>
#include <mmkit/mmkit.h>

/* The build's C library (platform/freestanding/libc.c), by its own names. */
int mmk_fs_snprintf(char *buf, size_t len, const char *fmt, ...);
void mmk_fs_qsort(void *base, size_t n, size_t size,
		  int (*cmp)(const void *, const void *));
size_t mmk_fs_strlen(const char *s);
int mmk_fs_strcmp(const char *a, const char *b);
int mmk_fs_strncmp(const char *a, const char *b, size_t n);
char *mmk_fs_strchr(const char *s, int c);
char *mmk_fs_strrchr(const char *s, int c);
char *mmk_fs_strstr(const char *hay, const char *needle);
size_t mmk_fs_strspn(const char *s, const char *accept);
size_t mmk_fs_strcspn(const char *s, const char *reject);
void *mmk_fs_memchr(const void *s, int c, size_t n);
int *mmk_fs_errno(void);
void mmk_host_free(void *p);
struct fs_mutex {
	int locked;
};
int mmk_fs_mutex_init(struct fs_mutex *m, const void *attr);
int mmk_fs_mutex_lock(struct fs_mutex *m);
int mmk_fs_mutex_trylock(struct fs_mutex *m);
int mmk_fs_mutex_unlock(struct fs_mutex *m);
int mmk_fs_mutex_destroy(struct fs_mutex *m);

#define TIMEOUT 120

/* build/<variant>/ from $MMKIT (build/<variant>/bin/mmkit). */
static char *variant_path(const char *rel)
{
	const char *mmkit = getenv("MMKIT");
	char *path, *slash;

	assert_non_null(mmkit);
	assert_true(asprintf(&path, "%s", mmkit) > 0);
	slash = strrchr(path, '/');
	assert_non_null(slash);
	*slash = 0; /* .../bin */
	slash = strrchr(path, '/');
	assert_non_null(slash);
	*slash = 0;
	{
		char *full;

		assert_true(asprintf(&full, "%s/%s", path, rel) > 0);
		free(path);
		return full;
	}
}

/* Whether @sym may be undefined in the freestanding object. */
static bool allowed_undefined(const char *sym, const char *platform_h)
{
	static const char *const exact[] = { "memcpy",
					     "memmove",
					     "memset",
					     "memcmp",
					     "_GLOBAL_OFFSET_TABLE_",
					     "__start_mmk_rodata",
					     "__stop_mmk_rodata" };
	static const char *const prefixes[] = { "__popcount", "__asan_",
						"__ubsan_", "__tsan_",
						"__sanitizer_" };
	size_t i;

	for (i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (!strcmp(sym, exact[i]))
			return true;
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (!strncmp(sym, prefixes[i], strlen(prefixes[i])))
			return true;
	if (!strncmp(sym, "mmk_host_", 9)) {
		/* Declared by the platform layer, and not one of the build's
		 * own (mmk_host_mutex_init). */
		char decl[128];

		snprintf(decl, sizeof decl, " %s(", sym);
		if (!strstr(platform_h, decl)) {
			decl[0] = '*'; /* a function returning a pointer */
			if (!strstr(platform_h, decl))
				return false;
		}
		return strcmp(sym, "mmk_host_mutex_init") != 0;
	}
	return false;
}

static void test_only_platform_symbols(void **state)
{
	char *obj = variant_path("lib/mmkit-freestanding.o");
	char *platform_h = run_find_source("platform/platform.h");
	const char *argv[] = { "nm", "-u", obj, NULL };
	char *text, *line, *save = NULL;
	struct run r;
	int n = 0, host = 0;

	(void)state;
	assert_non_null(platform_h);
	text = mmk_test_slurp(platform_h);
	assert_non_null(text);
	run_prog(&r, argv, NULL, NULL, NULL, TIMEOUT);
	assert_true(run_exited(&r, 0));
	for (line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *sym = strrchr(line, ' ');

		sym = sym ? sym + 1 : line;
		if (!allowed_undefined(sym, text))
			fail_msg("the freestanding build needs %s", sym);
		host += !strncmp(sym, "mmk_host_", 9);
		n++;
	}
	/* It does use the platform layer (the check above saw symbols). */
	assert_true(host >= 10);
	assert_true(n > host);
	run_free(&r);
	free(text);
	free(platform_h);
	free(obj);
}

static const char *const files[] = {
	"/proc/buddyinfo",
	"/proc/zoneinfo",
	"/proc/meminfo",
	"/proc/vmstat",
	"/proc/slabinfo",
	"/proc/pagetypeinfo",
	"/proc/vmallocinfo",
	"/proc/1/maps",
	"/proc/2/smaps",
	"/proc/2/status",
	"/proc/sys/vm/lowmem_reserve_ratio",
	"/proc/sys/vm/min_free_kbytes",
};
#define NR_FILES (sizeof files / sizeof files[0])

/* The steps, as the script runs them; the C calls below do the same. */
static const char script[] = "boot mem=64M nodes=2 cpus=2 seed=7\n"
			     "alloc_pages a 3\n"
			     "kmem_cache_create fs_cache 200\n"
			     "kmem_cache_alloc o1 fs_cache\n"
			     "kmalloc k 100\n"
			     "vmalloc v 100000\n"
			     "spawn 1\n"
			     "mmap 1 0x10000000 1M rw private,anonymous,fixed\n"
			     "touch 1 0x10000000 1M write\n"
			     "fork 1 2\n"
			     "touch 1 0x10000000 64K write\n";

static void test_procfs_same_as_hosted(void **state)
{
	char *dir = run_mkdtemp(), *path;
	const char *argv[] = { getenv("MMKIT"), "run", "-q", NULL, NULL };
	struct mmk_config cfg;
	struct mmk_machine *m;
	struct kmem_cache *c;
	char *in, *expect, *p, why[256];
	size_t i, len = 0;
	struct run r;
	FILE *f;

	(void)state;
	/* The hosted build: the script, then each file. */
	f = open_memstream(&in, &len);
	assert_non_null(f);
	fputs(script, f);
	for (i = 0; i < NR_FILES; i++)
		fprintf(f, "echo ==== %s\ncat %s\n", files[i], files[i]);
	fclose(f);
	assert_true(asprintf(&path, "%s/steps.mms", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(in, f) >= 0);
	assert_int_equal(fclose(f), 0);
	argv[3] = path;
	run_prog(&r, argv, NULL, NULL, NULL, TIMEOUT);
	if (!run_exited(&r, 0))
		fail_msg("mmkit run: %s: %s", run_how(&r), r.err);

	/* The freestanding build, in this process. */
	mmk_config_init(&cfg);
	cfg.mem_bytes = 64ULL << 20;
	cfg.nr_nodes = 2;
	cfg.nr_cpus = 2;
	cfg.seed = 7;
	m = mmk_boot(&cfg);
	assert_non_null(m);
	assert_non_null(alloc_pages(GFP_KERNEL, 3));
	c = kmem_cache_create("fs_cache", 200, 0, 0, NULL);
	assert_non_null(c);
	assert_non_null(kmem_cache_alloc(c, GFP_KERNEL));
	assert_non_null(kmalloc(100, GFP_KERNEL));
	assert_non_null(vmalloc(100000));
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(
		mmk_mmap(1, 0x10000000, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0),
		0x10000000);
	assert_int_equal(mmk_touch(1, 0x10000000, 1 << 20, true), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_touch(1, 0x10000000, 64 << 10, true), 0);

	/* Each file as the hosted build printed it, after its marker and
	 * up to the next one. */
	for (i = 0; i < NR_FILES; i++) {
		char marker[64], *text, *end;

		snprintf(marker, sizeof marker, "==== %s\n", files[i]);
		p = strstr(r.out, marker);
		assert_non_null(p);
		p += strlen(marker);
		end = strstr(p, "==== ");
		expect = strndup(p, end ? (size_t)(end - p) : strlen(p));
		assert_non_null(expect);
		text = mmk_proc_read(m, files[i]);
		assert_non_null(text);
		if (strcmp(text, expect) != 0)
			fail_msg(
				"%s differs:\n--- hosted\n%s\n--- freestanding\n%s",
				files[i], expect, text);
		/* Its memory is the platform layer's (malloc, in the build's
		 * C library). */
		mmk_host_free(text);
		free(expect);
	}
	assert_int_equal(mmk_check(m, why, sizeof why), 0);
	mmk_shutdown(m);
	run_free(&r);
	run_rmtree(dir);
	free(path);
	free(dir);
	free(in);
}

/* Both snprintf()s of one format and argument list agree: the text, at
 * every buffer size up to the whole and one more, and the return value. */
#define SAME(fmt, ...)                                                       \
	do {                                                                 \
		char want[256], got[256];                                    \
		int w = snprintf(want, sizeof want, fmt, __VA_ARGS__), g;    \
		size_t n;                                                    \
                                                                             \
		assert_true(w >= 0 && w < (int)sizeof want);                 \
		for (n = 0; n <= (size_t)w + 1; n++) {                       \
			memset(got, 'X', sizeof got);                        \
			g = mmk_fs_snprintf(n ? got : NULL, n, fmt,          \
					    __VA_ARGS__);                    \
			assert_int_equal(g, w);                              \
			if (n) {                                             \
				size_t k = n - 1 < (size_t)w ? n - 1 :       \
							       (size_t)w;    \
				if (memcmp(got, want, k) != 0 || got[k])     \
					fail_msg("\"%s\" in %zu bytes: "     \
						 "\"%s\", not \"%.*s\"",     \
						 fmt, n, got, (int)k, want); \
				assert_int_equal(got[n], 'X');               \
			}                                                    \
		}                                                            \
	} while (0)

static void test_snprintf_like_the_host(void **state)
{
	static const long long sv[] = { 0,	   1,	      -1,      42,
					-42,	   123456789, INT_MAX, INT_MIN,
					LLONG_MAX, LLONG_MIN };
	static const unsigned long long uv[] = {
		0, 1, 0xff, 0xdeadbeef, 0x7fffffffffffffffULL, ULLONG_MAX
	};
	size_t i;
	int x = 0;

	(void)state;
	for (i = 0; i < sizeof sv / sizeof sv[0]; i++) {
		SAME("%d|%i|%5d|%-5d|%05d|%+d|% d|%.3d", (int)sv[i], (int)sv[i],
		     (int)sv[i], (int)sv[i], (int)sv[i], (int)sv[i], (int)sv[i],
		     (int)sv[i]);
		SAME("%ld|%8ld|%7ld|%-12ld|%lld|%zd|%td|%jd", (long)sv[i],
		     (long)sv[i], (long)sv[i], (long)sv[i], sv[i],
		     (ssize_t)sv[i], (ptrdiff_t)sv[i], (intmax_t)sv[i]);
		SAME("%hd|%hhd|%*d|%-*d|%.*d", (short)sv[i], (signed char)sv[i],
		     6, (int)sv[i], 6, (int)sv[i], 4, (int)sv[i]);
	}
	for (i = 0; i < sizeof uv / sizeof uv[0]; i++) {
		SAME("%u|%x|%X|%o|%#x|%#X|%#o|%08x|%#010x|%#8x",
		     (unsigned)uv[i], (unsigned)uv[i], (unsigned)uv[i],
		     (unsigned)uv[i], (unsigned)uv[i], (unsigned)uv[i],
		     (unsigned)uv[i], (unsigned)uv[i], (unsigned)uv[i],
		     (unsigned)uv[i]);
		SAME("%lu|%lx|%#lx|%08lx|%016lx|%05lx|%0*lx|%#010lx",
		     (unsigned long)uv[i], (unsigned long)uv[i],
		     (unsigned long)uv[i], (unsigned long)uv[i],
		     (unsigned long)uv[i], (unsigned long)uv[i], 12,
		     (unsigned long)uv[i], (unsigned long)uv[i]);
		SAME("%llu|%#llx|%08llx|%0*llx|%zu|%03o|%.0u|%.0x|%#.0o", uv[i],
		     uv[i], uv[i], 20, uv[i], (size_t)uv[i], (unsigned)uv[i],
		     (unsigned)uv[i], (unsigned)uv[i], (unsigned)uv[i]);
		SAME("%hu|%hhu|%hx|%hhx|%8lu|%12lu|%4u|%6u|%9lu",
		     (unsigned short)uv[i], (unsigned char)uv[i],
		     (unsigned short)uv[i], (unsigned char)uv[i],
		     (unsigned long)uv[i], (unsigned long)uv[i],
		     (unsigned)uv[i], (unsigned)uv[i], (unsigned long)uv[i]);
	}
	SAME("%s|%8s|%-16s|%.3s|%.*s|%*s|%-*s|%12s", "zone", "zone", "zone",
	     "zone", 2, "zone", 7, "ab", 7, "ab", "");
	SAME("%c|%3c|%-3c|%%|100%%", 'a', 'b', 'c');
	SAME("%p|%p|%20p|%-20p", (void *)&x, (void *)NULL, (void *)&x,
	     (void *)&x);
	SAME("Node %d, zone %8s %6lu %6lu %6lu%s", 1, "DMA32", 1UL, 22UL, 333UL,
	     " ");
	SAME("%s", "");
	SAME("no conversions%s", "");
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* 12-byte records, sorted by their middle word. */
struct rec {
	int pre, key, post;
};

static int cmp_rec(const void *a, const void *b)
{
	return cmp_int(&((const struct rec *)a)->key,
		       &((const struct rec *)b)->key);
}

static void test_qsort_like_the_host(void **state)
{
	static int a[1000], b[1000];
	static struct rec ra[257];
	size_t n, i;
	unsigned int seed = 1;

	(void)state;
	for (n = 0; n <= 1000; n = n < 10 ? n + 1 : n * 3 + 1) {
		for (i = 0; i < n; i++)
			a[i] = b[i] = (int)(rand_r(&seed) % 50) - 25;
		qsort(a, n, sizeof a[0], cmp_int);
		mmk_fs_qsort(b, n, sizeof b[0], cmp_int);
		assert_memory_equal(a, b, n * sizeof a[0]);
		if (n == 1000)
			break;
	}
	for (i = 0; i < 257; i++)
		ra[i] = (struct rec){ (int)i, (int)(rand_r(&seed) % 1000),
				      -(int)i };
	mmk_fs_qsort(ra, 257, sizeof ra[0], cmp_rec);
	for (i = 0; i < 257; i++) {
		assert_int_equal(ra[i].pre, -ra[i].post);
		if (i)
			assert_true(ra[i - 1].key <= ra[i].key);
	}
}

static void test_strings_like_the_host(void **state)
{
	static const char *const words[] = {
		"",  "a",	   "ab",	"abc", "abd",
		"b", "kmalloc-96", "kmalloc-9", "\xff"
	};
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		const char *s = words[i];

		assert_int_equal(mmk_fs_strlen(s), strlen(s));
		for (j = 0; j < sizeof words / sizeof words[0]; j++) {
			const char *t = words[j];

			assert_int_equal(mmk_fs_strcmp(s, t) < 0,
					 strcmp(s, t) < 0);
			assert_int_equal(mmk_fs_strcmp(s, t) == 0,
					 strcmp(s, t) == 0);
			for (n = 0; n < 5; n++) {
				assert_int_equal(mmk_fs_strncmp(s, t, n) < 0,
						 strncmp(s, t, n) < 0);
				assert_int_equal(mmk_fs_strncmp(s, t, n) == 0,
						 strncmp(s, t, n) == 0);
			}
			assert_ptr_equal(mmk_fs_strstr(s, t), strstr(s, t));
			assert_int_equal(mmk_fs_strspn(s, t), strspn(s, t));
			assert_int_equal(mmk_fs_strcspn(s, t), strcspn(s, t));
		}
		for (n = 0; n < 4; n++) {
			int c = (unsigned char)"a-9\0"[n];

			assert_ptr_equal(mmk_fs_strchr(s, c), strchr(s, c));
			assert_ptr_equal(mmk_fs_strrchr(s, c), strrchr(s, c));
			assert_ptr_equal(mmk_fs_memchr(s, c, strlen(s)),
					 memchr(s, c, strlen(s)));
		}
	}
}

/* The API's errors land in the build's errno. */
static void test_errno(void **state)
{
	struct mmk_config cfg;

	(void)state;
	*mmk_fs_errno() = 0;
	mmk_config_init(&cfg);
	cfg.nr_nodes = 0;
	assert_null(mmk_boot(&cfg));
	assert_int_equal(*mmk_fs_errno(), EINVAL);
	assert_null(mmk_proc_read(NULL, "/proc/meminfo"));
	assert_int_equal(*mmk_fs_errno(), EINVAL);
}

static void test_mutex(void **state)
{
	struct fs_mutex mu;

	(void)state;
	assert_int_equal(mmk_fs_mutex_init(&mu, NULL), 0);
	assert_int_equal(mmk_fs_mutex_trylock(&mu), 0);
	assert_int_equal(mmk_fs_mutex_trylock(&mu), EBUSY);
	assert_int_equal(mmk_fs_mutex_destroy(&mu), EBUSY);
	assert_int_equal(mmk_fs_mutex_unlock(&mu), 0);
	assert_int_equal(mmk_fs_mutex_lock(&mu), 0);
	assert_int_equal(mmk_fs_mutex_unlock(&mu), 0);
	assert_int_equal(mmk_fs_mutex_destroy(&mu), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_platform_symbols),
		cmocka_unit_test(test_procfs_same_as_hosted),
		cmocka_unit_test(test_snprintf_like_the_host),
		cmocka_unit_test(test_qsort_like_the_host),
		cmocka_unit_test(test_strings_like_the_host),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_mutex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
