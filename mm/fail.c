/* SPDX-License-Identifier: MIT */
/*
 * Fault injection (Linux's lib/fault-inject.c with mm/fail_page_alloc.c
 * and mm/failslab.c).
 *
 * 1. What it models. A fault plan per allocation kind: fail the nth
 *    eligible call and the `times - 1` after it (times -1: every call from
 *    the nth on), and/or fail each eligible call with a probability drawn
 *    from the machine's seeded generator. Page allocations below min_order
 *    and __GFP_NOFAIL requests are not eligible, as in fail_page_alloc.
 *
 * 2. Objects. m->fail[kind]: the attributes, an eligible-call counter and
 *    a failure counter. m->rng: xorshift64* state seeded from the config.
 *
 * 3. Invariants. failed <= calls.
 *
 *    A plan may carry a table of allocation sites (struct mmk_fail_sites):
 *    each eligible call is then attributed to its first caller outside the
 *    allocators, named file:line by symbolising the call stack, and with
 *    attr.site set only that site's calls are eligible. This is what a
 *    fault-injection sweep drives (tests/fail_sweep_test.c): fail the nth
 *    call at each site in turn.
 *
 * 4. Departures. No debugfs: plans are set with mmk_fail_set() or the
 *    script's `fail` command. No verbose stack traces. Sites replace
 *    Linux's require-start/require-end address filters.
 *
 * 5. Ordering. fail_lock serialises the counters and the generator; the
 *    allocator reads `active` without it first, so a machine with no plan
 *    pays one predictable branch (the fast paths of the page and slab
 *    allocators not even that: setting a plan turns them off, see
 *    setup_fast_path() and kmem_cache.alloc_slow). A site table's lock nests inside
 *    fail_lock; the addr2line child is only talked to under it.
 *
 * 6. Observability. mmk_fail_count(); failed calls return NULL/ENOMEM;
 *    mmk_fail_site() lists a site table's sites with their calls and
 *    failures per kind.
 */
#define _GNU_SOURCE
#include "mm/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sites need glibc's backtrace() and an addr2line child; builds that
 * never sweep sites (libmmkit-malloc.so) leave them out with
 * MMK_NO_FAIL_SITES, and with them 19 imports a process would resolve at
 * load. */
#if defined(__GLIBC__) && !defined(MMK_NO_FAIL_SITES)
#define MMK_HAVE_SITES 1
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#else
#define MMK_HAVE_SITES 0
#endif

uint64_t mmk_random(struct mmk_machine *m)
{
	uint64_t x = m->rng ? m->rng : 0x853c49e6748fea9bULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* ---- allocation sites ---- */

#define SITE_DEPTH 64
#define SITE_UNKNOWN 0 /* site 0 is "?" */
#define PC_INSIDE (-1) /* a return address inside the allocators */

struct site {
	char *name;
	char *function;
	unsigned long calls[MMK_NR_FAIL_KINDS];
	unsigned long failed[MMK_NR_FAIL_KINDS];
};

/* Open-addressed map from a non-zero 64-bit key to an int. */
struct site_map {
	uint64_t *keys;
	int *vals;
	size_t cap, n;
};

struct mmk_fail_sites {
	pthread_mutex_t lock;
	struct site *sites;
	size_t nr, cap;
	struct site_map stacks; /* hash of a call stack -> site */
	struct site_map pcs; /* return address -> site or PC_INSIDE */
#if MMK_HAVE_SITES
	/* The object (executable or shared library) holding this file's code:
	 * its loaded segments, load bias and path. */
	uintptr_t seg_lo[16], seg_hi[16];
	int nr_segs;
	uintptr_t bias;
	char path[4096];
	/* The addr2line child: pid, its socket, a reader on it. */
	pid_t pid;
	int fd;
	FILE *from;
	bool started, broken;
#endif
};

#if MMK_HAVE_SITES
static bool map_get(const struct site_map *map, uint64_t key, int *val)
{
	size_t i;

	if (!map->cap)
		return false;
	for (i = key & (map->cap - 1); map->keys[i];
	     i = (i + 1) & (map->cap - 1)) {
		if (map->keys[i] == key) {
			*val = map->vals[i];
			return true;
		}
	}
	return false;
}

static bool map_put(struct site_map *map, uint64_t key, int val)
{
	size_t i;

	if ((map->n + 1) * 2 > map->cap) {
		struct site_map big = { 0 };

		big.cap = map->cap ? map->cap * 2 : 256;
		big.keys = calloc(big.cap, sizeof(*big.keys));
		big.vals = calloc(big.cap, sizeof(*big.vals));
		if (!big.keys || !big.vals) {
			free(big.keys);
			free(big.vals);
			return false;
		}
		for (i = 0; i < map->cap; i++)
			if (map->keys[i])
				map_put(&big, map->keys[i], map->vals[i]);
		free(map->keys);
		free(map->vals);
		*map = big;
	}
	for (i = key & (map->cap - 1); map->keys[i];
	     i = (i + 1) & (map->cap - 1))
		if (map->keys[i] == key)
			break;
	if (!map->keys[i])
		map->n++;
	map->keys[i] = key;
	map->vals[i] = val;
	return true;
}
#endif

static char *dup_str(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = malloc(len);

	if (p)
		memcpy(p, s, len);
	return p;
}

/* The site named @name, added if new; SITE_UNKNOWN without memory. */
static int site_find(struct mmk_fail_sites *t, const char *name,
		     const char *function)
{
	struct site *s;
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->sites[i].name, name))
			return (int)i;
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct site *bigger = realloc(t->sites, cap * sizeof(*bigger));

		if (!bigger)
			return SITE_UNKNOWN;
		t->sites = bigger;
		t->cap = cap;
	}
	s = &t->sites[t->nr];
	memset(s, 0, sizeof(*s));
	s->name = dup_str(name);
	s->function = dup_str(function);
	if (!s->name || !s->function) {
		free(s->name);
		free(s->function);
		return SITE_UNKNOWN;
	}
	return (int)t->nr++;
}

#if MMK_HAVE_SITES
static int find_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct mmk_fail_sites *t = arg;
	uintptr_t self = (uintptr_t)mmk_fail_sites_new;
	bool mine = false;
	int i, n = 0;

	(void)size;
	for (i = 0; i < info->dlpi_phnum && n < 16; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		t->seg_lo[n] = info->dlpi_addr + ph->p_vaddr;
		t->seg_hi[n] = t->seg_lo[n] + ph->p_memsz;
		if (self >= t->seg_lo[n] && self < t->seg_hi[n])
			mine = true;
		n++;
	}
	if (!mine)
		return 0;
	t->nr_segs = n;
	t->bias = info->dlpi_addr;
	if (info->dlpi_name && info->dlpi_name[0]) {
		snprintf(t->path, sizeof t->path, "%s", info->dlpi_name);
	} else {
		ssize_t len =
			readlink("/proc/self/exe", t->path, sizeof t->path - 1);

		t->path[len > 0 ? len : 0] = '\0';
	}
	return 1;
}

static bool in_object(const struct mmk_fail_sites *t, uintptr_t pc)
{
	int i;

	for (i = 0; i < t->nr_segs; i++)
		if (pc >= t->seg_lo[i] && pc < t->seg_hi[i])
			return true;
	return false;
}

static void start_symboliser(struct mmk_fail_sites *t)
{
	char *argv[] = { "addr2line", "-a", "-f", "-i", "-e", t->path, NULL };
	posix_spawn_file_actions_t fa;
	int sv[2];

	t->started = true;
	t->broken = true;
	if (!t->path[0] ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&t->pid, "addr2line", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(sv[0]);
		close(sv[1]);
		return;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	t->fd = sv[0];
	t->from = fdopen(sv[0], "r");
	if (!t->from) {
		close(sv[0]);
		return;
	}
	t->broken = false;
}

static void stop_symboliser(struct mmk_fail_sites *t)
{
	if (!t->started || t->broken || !t->from)
		return;
	shutdown(t->fd, SHUT_WR);
	fclose(t->from);
	waitpid(t->pid, NULL, 0);
	t->from = NULL;
}

static bool read_line(struct mmk_fail_sites *t, char *buf, size_t len)
{
	size_t n;

	if (!fgets(buf, (int)len, t->from)) {
		t->broken = true;
		return false;
	}
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return true;
}

/* "/work/main/mm/vma.c:214 (discriminator 2)" -> "mm/vma.c:214" */
static void source_relative(char *loc)
{
	static const char *const tops[] = { "lib",     "mm",	   "kernel",
					    "fs",      "proc",	   "script",
					    "include", "platform", "cli",
					    "tests",   "bench",	   "malloc" };
	char *best = NULL, *sp = strchr(loc, ' ');
	char pat[16];
	size_t i;

	if (sp)
		*sp = '\0';
	for (i = 0; i < sizeof tops / sizeof tops[0]; i++) {
		size_t n = strlen(tops[i]);
		char *p;

		snprintf(pat, sizeof pat, "/%s/", tops[i]);
		p = strstr(loc, pat);
		if (p && (!best || p < best))
			best = p + 1;
		if (!strncmp(loc, pat + 1, n + 1) && (!best || loc < best))
			best = loc;
	}
	if (best && best != loc)
		memmove(loc, best, strlen(best) + 1);
}

static bool inside_allocators(const char *loc)
{
	static const char *const files[] = {
		"mm/page_alloc.c:",
		"mm/slub.c:",
		"mm/slab_common.c:",
		"mm/slab.h:",
		"mm/fail.c:",
		"include/mmkit/gfp.h:",
		"include/mmkit/slab.h:",
	};
	size_t i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++)
		if (!strncmp(loc, files[i], strlen(files[i])))
			return true;
	/* No line information: cannot tell, so look further out. */
	return loc[0] == '?';
}

/* The site of return address @pc: its innermost inlined frame outside the
 * allocators, or PC_INSIDE. */
static int resolve_pc(struct mmk_fail_sites *t, uintptr_t pc)
{
	char query[64], func[512], loc[4096];
	int site = PC_INSIDE, len;
	bool done = false;

	if (!t->started)
		start_symboliser(t);
	if (t->broken)
		return SITE_UNKNOWN;
	len = snprintf(query, sizeof query, "%#lx\n0\n",
		       (unsigned long)(pc - 1 - t->bias));
	if (send(t->fd, query, (size_t)len, MSG_NOSIGNAL) != len) {
		t->broken = true;
		return SITE_UNKNOWN;
	}
	if (!read_line(t, loc, sizeof loc)) /* the address */
		return SITE_UNKNOWN;
	while (!done) {
		if (!read_line(t, func, sizeof func))
			return SITE_UNKNOWN;
		if (!strncmp(func, "0x", 2) && !strtoull(func, NULL, 16))
			done = true; /* the terminator's address */
		if (!read_line(t, loc, sizeof loc))
			return SITE_UNKNOWN;
		if (done) {
			/* "??" then "??:0" */
			if (!read_line(t, loc, sizeof loc))
				return SITE_UNKNOWN;
			break;
		}
		source_relative(loc);
		if (site == PC_INSIDE && !inside_allocators(loc))
			site = site_find(t, loc, func);
	}
	return site;
}

/* The site of the calling allocation (under t->lock). */
static int site_of_call(struct mmk_fail_sites *t)
{
	void *pcs[SITE_DEPTH];
	uint64_t hash = 0xcbf29ce484222325ULL;
	int i, n = backtrace(pcs, SITE_DEPTH), site = SITE_UNKNOWN;

	for (i = 0; i < n; i++)
		hash = (hash ^ (uintptr_t)pcs[i]) * 0x100000001b3ULL;
	hash |= 1;
	if (map_get(&t->stacks, hash, &site))
		return site;
	if (!t->nr_segs)
		dl_iterate_phdr(find_object, t);
	for (i = 0; i < n; i++) {
		uintptr_t pc = (uintptr_t)pcs[i];
		int v;

		if (!in_object(t, pc))
			continue;
		if (!map_get(&t->pcs, pc, &v)) {
			v = resolve_pc(t, pc);
			if (!t->broken)
				map_put(&t->pcs, pc, v);
		}
		if (v != PC_INSIDE) {
			site = v;
			break;
		}
	}
	if (i == n)
		site = SITE_UNKNOWN;
	map_put(&t->stacks, hash, site);
	return site;
}
#else
static int site_of_call(struct mmk_fail_sites *t)
{
	(void)t;
	return SITE_UNKNOWN;
}

static void stop_symboliser(struct mmk_fail_sites *t)
{
	(void)t;
}
#endif

struct mmk_fail_sites *mmk_fail_sites_new(void)
{
	struct mmk_fail_sites *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	if (site_find(t, "?", "?") != SITE_UNKNOWN || !t->nr) {
		mmk_fail_sites_free(t);
		return NULL;
	}
	return t;
}

void mmk_fail_sites_free(struct mmk_fail_sites *t)
{
	size_t i;

	if (!t)
		return;
	stop_symboliser(t);
	for (i = 0; i < t->nr; i++) {
		free(t->sites[i].name);
		free(t->sites[i].function);
	}
	free(t->sites);
	free(t->stacks.keys);
	free(t->stacks.vals);
	free(t->pcs.keys);
	free(t->pcs.vals);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void mmk_fail_sites_reset(struct mmk_fail_sites *t)
{
	size_t i;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nr; i++) {
		memset(t->sites[i].calls, 0, sizeof(t->sites[i].calls));
		memset(t->sites[i].failed, 0, sizeof(t->sites[i].failed));
	}
	pthread_mutex_unlock(&t->lock);
}

int mmk_fail_site(struct mmk_fail_sites *t, size_t i,
		  struct mmk_fail_site_info *info)
{
	int ret = -ENOENT;

	if (!t || !info)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	if (i < t->nr) {
		const struct site *s = &t->sites[i];

		info->name = s->name;
		info->function = s->function;
		memcpy(info->calls, s->calls, sizeof(info->calls));
		memcpy(info->failed, s->failed, sizeof(info->failed));
		ret = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

/* ---- the decision ---- */

bool should_fail(struct mmk_machine *m, struct mmk_fail *f)
{
	struct mmk_fail_sites *t = f->attr.sites;
	int kind = (int)(f - m->fail), site = SITE_UNKNOWN;
	bool fail = false;

	pthread_mutex_lock(&m->fail_lock);
	if (t) {
		pthread_mutex_lock(&t->lock);
		site = site_of_call(t);
		t->sites[site].calls[kind]++;
		if (f->attr.site &&
		    strcmp(t->sites[site].name, f->attr.site) != 0) {
			pthread_mutex_unlock(&t->lock);
			pthread_mutex_unlock(&m->fail_lock);
			return false;
		}
		pthread_mutex_unlock(&t->lock);
	}
	f->calls++;
	if (f->attr.nth && f->calls >= f->attr.nth &&
	    (f->attr.times < 0 ||
	     f->calls < f->attr.nth + (unsigned long)f->attr.times))
		fail = true;
	if (!fail && f->attr.probability &&
	    mmk_random(m) % 100 < f->attr.probability)
		fail = true;
	if (fail) {
		f->failed++;
		if (t) {
			pthread_mutex_lock(&t->lock);
			t->sites[site].failed[kind]++;
			pthread_mutex_unlock(&t->lock);
		}
	}
	pthread_mutex_unlock(&m->fail_lock);
	return fail;
}

bool should_fail_alloc_page(struct mmk_machine *m, gfp_t gfp,
			    unsigned int order)
{
	struct mmk_fail *f = &m->fail[MMK_FAIL_PAGE_ALLOC];

	if (order < f->attr.min_order || (gfp & __GFP_NOFAIL))
		return false;
	return should_fail(m, f);
}

int mmk_fail_set(struct mmk_machine *m, enum mmk_fail_kind kind,
		 const struct mmk_fail_attr *attr)
{
	struct mmk_fail *f;

	if (!m || (unsigned int)kind >= MMK_NR_FAIL_KINDS ||
	    !mmk_machine_live(m))
		return -EINVAL;
	if (attr && attr->probability > 100)
		return -EINVAL;
	f = &m->fail[kind];
	pthread_mutex_lock(&m->fail_lock);
	memset(&f->attr, 0, sizeof(f->attr));
	f->cache[0] = '\0';
	if (attr) {
		f->attr = *attr;
		if (attr->cache)
			snprintf(f->cache, sizeof f->cache, "%s", attr->cache);
		f->attr.cache = f->cache[0] ? f->cache : NULL;
	}
	f->calls = 0;
	f->failed = 0;
	f->active = attr && (attr->nth || attr->probability || attr->sites);
	pthread_mutex_unlock(&m->fail_lock);
	/* The allocators' fast paths are off while a plan is active. */
	if (kind == MMK_FAIL_PAGE_ALLOC)
		page_alloc_fast_path_update(m);
	else if (kind == MMK_FAIL_SLAB)
		slab_fast_path_update(m);
	return 0;
}

unsigned long mmk_fail_count(struct mmk_machine *m, enum mmk_fail_kind kind)
{
	unsigned long n;

	if (!m || (unsigned int)kind >= MMK_NR_FAIL_KINDS ||
	    !mmk_machine_live(m))
		return 0;
	pthread_mutex_lock(&m->fail_lock);
	n = m->fail[kind].failed;
	pthread_mutex_unlock(&m->fail_lock);
	return n;
}
