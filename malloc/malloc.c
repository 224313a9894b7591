/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so: the C library's malloc on mmkit's own page and slab
 * allocators, over real host memory.
 *
 * 1. What it is. At the first call the library boots a private machine
 *    (x86_64 profile, twice the host's CPUs up to 64, brought online as
 *    threads take them, mem = the host's RAM up to 64 GiB) with deferred
 *    memory init, so physical memory joins
 *    the buddy lists 4 MiB at a time as the program grows, and free page
 *    reporting, so free blocks of 8 KiB and more go back to the host
 *    once 256 KiB of them have been free for 100 ms (checked as memory
 *    is freed; and at once by malloc_trim). Requests are served by size:
 *    - above 2 KiB up to 256 KiB, in a process with one thread: medium
 *      blocks, cut to size from arenas of pages (medium.c);
 *    - otherwise up to 16 KiB: one of 39 object caches ("malloc-16" .. "malloc-16k",
 *      four size classes per power of two, and 1040, 1152 and 4608 for a
 *      power of two plus a header), fronted by a per-thread cache (tcache): a
 *      stack of up to 63 object pointers per class (32, 16 and 8 for
 *      objects above 256 bytes, 1 KiB and 4 KiB; 10 KiB of TLS in all:
 *      the SLAB design's array cache, one level up), refilled and flushed in
 *      batches with kmem_cache_alloc_bulk and the slab's bulk free (the
 *      unchecked one: free() has validated each pointer) on the
 *      thread's own simulated CPU, so the fast path takes no lock and no
 *      atomic and never walks a list through the objects; in a process
 *      with threads, a bin that overflows with no refill since it last
 *      did (a thread freeing objects other threads allocate) is flushed
 *      whole past its CPU's array, to the node's shared array, where the
 *      allocating threads' refills find the objects, and holds at most
 *      16 of them until the thread allocates the class again;
 *    - up to 4 MiB: whole pages from alloc_pages, trimmed to the pages
 *      needed (alloc_pages_exact); the head page records the length;
 *    - beyond, or with a larger alignment: a host mapping of its own,
 *      found again through a small hash table; up to four freed ones
 *      (32 MiB) are kept and resized with mremap for the next requests.
 *    Each thread takes a free simulated CPU of the machine (threads beyond
 *    them refill their tcache from the locked node lists); its tcache is
 *    flushed when it exits. Whenever the memory the host backs has grown
 *    by an eighth (at least 1 MiB) since the last time, the next refill
 *    or page run flushes the thread's tcache and shrinks every cache
 *    (heap.c, heap_reap): what one phase's freed objects pinned in the
 *    caches then serves the next phase's other sizes (SLAB's periodic
 *    cache_reap(), here triggered by growth). A refill that would make a
 *    slab in a process with one thread first borrows from other classes'
 *    sparse slabs (borrow.c): what a phase's survivors pin serves the
 *    next phase's other sizes.
 *
 * 2. Checks (default mode). Every pointer given to free, realloc,
 *    malloc_usable_size and free_sized is validated before use: it must
 *    lie in the heap and start an object of one of our caches, start a
 *    live page run, or be a registered mapping; otherwise the process
 *    aborts with "mmkit-malloc: <call>(): invalid pointer". A freed object
 *    carries a tag (its address mixed with a per-process secret) in its
 *    first word, cleared when it is handed out again, so freeing it a
 *    second time - at once or much later, while it sits in a tcache, a
 *    CPU array or a slab freelist - aborts with "double free detected"
 *    ("double free or invalid pointer" once its slab or page run is
 *    gone), and giving it to realloc or malloc_usable_size with "use
 *    after free" (malloc_freed_what, heap_bad_pointer). No free
 *    list pointer lives in a tcache'd object (the slab's own are encoded,
 *    SLAB_FREELIST_HARDENED). free_sized and free_aligned_sized check the
 *    size and alignment they are told: exactly for a mapping (it records
 *    the size asked for, and a realloc that keeps it updates that) and
 *    for aligned_alloc's blocks; for other objects and page runs, the
 *    size must pick the block's class or pages, or lie above half of
 *    them (a realloc that shrank it in place).
 *    free's fast path validates without reading the object's struct
 *    page: the machine's slab map (mm/slub.c, slab_map_enable) holds a
 *    byte per page, class + 1 for every page of a slab of one of our
 *    caches at its usual order, 0 elsewhere. Our caches are uncoloured
 *    (SLAB_KMALLOC) and a slab is a buddy block aligned to its size, so
 *    the pointer's offset modulo the slab size must be a multiple of the
 *    class size below objects * size (one multiply, heap_cls[]). Pointers
 *    the map does not vouch for take the slow path, which decides from
 *    the struct page as before.
 *
 * 3. Hardened mode (MMKIT_MALLOC=hardened). On top of the default checks:
 *    each small allocation gets a canary from its end to the end of its
 *    slot (at least 8 bytes, so 1- and 8-byte overflows are caught when
 *    it is freed), freed objects are zeroed and checked to still be zero
 *    when reused (write-after-free), a per-thread quarantine delays reuse
 *    of the last 256 freed objects, large allocations are host mappings
 *    ending at a guard page, zero-size allocations point into an
 *    inaccessible region, the slab freelists are randomised and checked
 *    as they are followed (mmk_config's slab_freelist_corrupt), and sized
 *    frees (free_sized, free_aligned_sized, C++'s sized operator delete)
 *    must state the exact size. Any detected corruption aborts.
 *
 * 4. Statistics. MMKIT_MALLOC_STATS=1 prints the heap's /proc/slabinfo,
 *    /proc/buddyinfo and /proc/meminfo to standard error at exit.
 *
 * 5. Fork. pthread_atfork handlers take every allocator lock before fork
 *    and release them after (mmk_atfork), so a child of a threaded parent
 *    can allocate; the tcaches of threads that did not survive are lost.
 *    As glibc's, they take none while the process has never had a
 *    second thread: nobody else can hold one, and the fork may come
 *    from a signal handler that interrupted this thread holding one.
 *    glibc's fork() takes its own malloc's locks after every prepare
 *    handler and drops them before every parent and child handler, so
 *    that handlers may allocate; ours do the same by coming first in the
 *    C library's list: they are registered before any other handler
 *    (this library's __register_atfork(), which every pthread_atfork()
 *    calls, registers them first), and otherwise once the process has a
 *    second thread: every path that can take a lock first passes
 *    thread_ready(), which registers them if the C library says the
 *    process may be multi-threaded (__libc_single_threaded), and a lock
 *    taken while it had one thread is released before that thread can
 *    create another. A process that neither starts a thread nor
 *    registers a handler then never maps __register_atfork()'s parts of
 *    the C library (64 KiB of its text and 64 KiB of its read-only data
 *    on docs/PERFORMANCE.md's session 29 machine, when they are not in
 *    use anyway).
 *
 * 6. Departures from glibc. mallopt ignores every parameter (it returns
 *    1, or 0 for the values glibc refuses); malloc_trim flushes the
 *    calling thread's tcache, drains every CPU's and the shared arrays,
 *    the per-CPU page lists and the kept huge mappings, and gives all
 *    free memory to the host (the free medium blocks' whole pages too),
 *    returning 1 if any went; mallinfo/mallinfo2, malloc_stats and
 *    malloc_info describe the mmkit heap as glibc's arena 0;
 *    aligned_alloc refuses an alignment that is not a power of two
 *    (EINVAL), as glibc does since 2.38 (2.36 rounded it up, as memalign).
 */
#define _GNU_SOURCE
#include "malloc/malloc_internal.h"
#include "proc/internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

struct heap heap;
struct heap_class heap_cls[SLAB_MAP_MARK + NR_CLASSES + 1];
_Thread_local struct tcache tc __attribute__((tls_model("initial-exec")));
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t tc_key;

/* ---- size classes: 16..128 step 16, then four per power of two (and
 * 1040, 1152 and 4608, for a power of two plus a header) ---- */

/* Each class's size, and the name of its cache in /proc/slabinfo (the
 * size in KiB when whole, as kmalloc's: "malloc-1k"). */
#define CLASSES(X)                                                        \
	X(16, 16), X(32, 32), X(48, 48), X(64, 64), X(80, 80), X(96, 96), \
		X(112, 112), X(128, 128), X(160, 160), X(192, 192),       \
		X(224, 224), X(256, 256), X(320, 320), X(384, 384),       \
		X(448, 448), X(512, 512), X(640, 640), X(768, 768),       \
		X(896, 896), X(1024, 1k), X(1040, 1040), X(1152, 1152),   \
		X(1280, 1280), X(1536, 1536), X(1792, 1792), X(2048, 2k), \
		X(2560, 2560), X(3072, 3k), X(3584, 3584), X(4096, 4k),   \
		X(4608, 4608), X(5120, 5k), X(6144, 6k), X(7168, 7k),     \
		X(8192, 8k), X(10240, 10k), X(12288, 12k), X(14336, 14k), \
		X(16384, 16k)
#define CLASS_SIZE(size, name) size
#define CLASS_NAME(size, name) "malloc-" #name

const unsigned int class_size[NR_CLASSES] = { CLASSES(CLASS_SIZE) };

/* Read-only names, which the caches keep without copying them (mm/slab.h:
 * a copy cost every process a kmalloc-16 slab and its per-CPU array). */
static const char class_names[NR_CLASSES][12] MMK_RODATA = { CLASSES(
	CLASS_NAME) };

/* Class of sizes up to 1024 in steps of 16 (index (size + 15) / 16). */
unsigned char class_small[65];
unsigned short bin_off[NR_CLASSES], small_bin_off[65];

/* The class tables, and where each class's bin lies in a thread's bins;
 * false if the bins do not fill TC_BYTES exactly. */
static bool init_classes(void)
{
	unsigned int sz, c = 0;
	size_t off = 0;

	for (c = 0; c < NR_CLASSES; c++) {
		bin_off[c] = (unsigned short)off;
		off += TC_BIN_BYTES(tc_bin_cap(c));
	}
	for (sz = 0, c = 0; sz <= 1024; sz += 16) {
		while (class_size[c] < sz)
			c++;
		class_small[sz / 16] = (unsigned char)c;
		small_bin_off[sz / 16] = bin_off[c];
	}
	return off == TC_BYTES;
}

/* ---- aborting with a message ---- */

void malloc_die(const char *call, const char *what, const void *p)
{
	char msg[160];

	snprintf(msg, sizeof msg, "mmkit-malloc: %s(): %s (%p)\n", call, what,
		 p);
	mmk_host_stderr(msg);
	abort();
}

/* Kernel-log lines of the heap machine: slab and page allocator reports
 * are corruption the checks above did not see first; never go on. */
static void heap_printk(void *arg, const char *line)
{
	(void)arg;
	if (strncmp(line, "BUG", 3) == 0 || strstr(line, "WARNING")) {
		mmk_host_stderr("mmkit-malloc: heap corruption: ");
		mmk_host_stderr(line);
		mmk_host_stderr("\n");
		abort();
	}
}

/* ---- boot, threads, fork ---- */

static void tcache_exit(void *arg)
{
	(void)arg;
	tcache_flush_all();
	tcache_set_open(false);
	tc.state = TC_DEAD;
	/* Keep the machine (this thread's later frees go straight to the
	 * caches), give up the CPU. Not mmk_set_current(): it would take a
	 * CPU first, and with CPUs on demand maybe bring one online. */
	mmk_release_cpu();
}

/* Whether the heap had booted when the prepare handler ran: the handlers
 * may be registered before it boots (see __register_atfork()), and
 * heap_lock, which they hold across fork, keeps it from booting
 * meanwhile. */
static bool fork_booted;

/* Whether the prepare handler took the locks: as glibc's fork() takes
 * its malloc's, only once the process may have threads. One that never
 * had another has nobody to wait for, and its fork may come from a
 * signal handler that interrupted the heap holding them. */
static bool fork_locked;

static void atfork_prepare(void)
{
	fork_locked = !heap_single_threaded();
	if (!fork_locked)
		return;
	pthread_mutex_lock(&heap_lock);
	fork_booted = heap.m != NULL;
	if (!fork_booted)
		return;
	pthread_mutex_lock(&heap.class_lock);
	pthread_mutex_lock(&heap.huge_lock);
	pthread_mutex_lock(&heap.borrow_lock);
	pthread_mutex_lock(&heap.medium_lock);
	mmk_atfork(heap.m, MMK_ATFORK_PREPARE);
}

static void atfork_release(enum mmk_atfork phase)
{
	if (!fork_locked)
		return;
	if (fork_booted) {
		mmk_atfork(heap.m, phase);
		pthread_mutex_unlock(&heap.medium_lock);
		pthread_mutex_unlock(&heap.borrow_lock);
		pthread_mutex_unlock(&heap.huge_lock);
		pthread_mutex_unlock(&heap.class_lock);
	}
	pthread_mutex_unlock(&heap_lock);
}

/* 0: not registered; -1: registered; else the pid of the process one of
 * whose threads is registering them (see fork_handlers_check()). */
#define FORK_REGISTERED (-1)
static atomic_int fork_state;

static void atfork_parent(void)
{
	atfork_release(MMK_ATFORK_PARENT);
	/* The handlers ran, so they are registered, even if the thread
	 * that registered them has yet to say so. */
	atomic_store(&fork_state, FORK_REGISTERED);
}

static void atfork_child(void)
{
	atfork_release(MMK_ATFORK_CHILD);
	atomic_store(&fork_state, FORK_REGISTERED);
}

static _Thread_local bool fork_registering
	__attribute__((tls_model("initial-exec")));

typedef int register_atfork_fn(void (*prepare)(void), void (*parent)(void),
			       void (*child)(void), void *dso_handle);
extern void *__dso_handle;

/* The C library's __register_atfork(), which pthread_atfork() calls (and
 * ours below forwards to). */
static register_atfork_fn *libc_register_atfork(void)
{
	/* An array, not a literal: the literals lie in the init text,
	 * whose pages are dropped after boot (malloc/sections.c). */
	static const char name[] = "__register_atfork";
	static _Atomic(register_atfork_fn *) fn;
	register_atfork_fn *f = atomic_load_explicit(&fn, memory_order_relaxed);

	if (!f) {
		*(void **)&f = dlsym(RTLD_NEXT, name);
		atomic_store_explicit(&fn, f, memory_order_relaxed);
	}
	return f;
}

/* Register the fork handlers unless they are (or this thread is doing
 * it: the C library's registration may allocate, and a fork that could
 * come in between waits for its atfork lock, which this thread holds). */
static void fork_handlers_register(void)
{
	register_atfork_fn *reg;
	int st, me;

	if (fork_registering ||
	    atomic_load_explicit(&fork_state, memory_order_acquire) ==
		    FORK_REGISTERED)
		return;
	me = (int)getpid();
	for (st = 0;
	     !atomic_compare_exchange_strong_explicit(&fork_state, &st, me,
						      memory_order_acquire,
						      memory_order_acquire);
	     st = 0) {
		if (st == FORK_REGISTERED)
			return;
		/* Another thread is registering: no lock may be taken until
		 * it is done. A child forked before the handlers were in
		 * place (none ran) inherits the state without that thread
		 * (another pid), and registers them itself. */
		if (st != me)
			atomic_compare_exchange_strong(&fork_state, &st, 0);
		else
			mmk_host_yield();
	}
	fork_registering = true;
	reg = libc_register_atfork();
	if (reg)
		reg(atfork_prepare, atfork_parent, atfork_child, &__dso_handle);
	fork_registering = false;
	atomic_store_explicit(&fork_state, FORK_REGISTERED,
			      memory_order_release);
}

void fork_handlers_check(void)
{
	if (!heap_single_threaded())
		fork_handlers_register();
}

/*
 * Every pthread_atfork() (the C library's, linked into each caller, calls
 * this): the heap's handlers go first, whenever the process registers
 * any, so that its prepare handler runs after every other one and its
 * parent and child handlers before them - where glibc's fork() takes and
 * drops its own malloc's locks - and handlers that allocate find the
 * heap's locks free.
 */
EXPORT int __register_atfork(void (*prepare)(void), void (*parent)(void),
			     void (*child)(void), void *dso_handle)
{
	register_atfork_fn *reg = libc_register_atfork();

	if (!reg)
		return ENOMEM;
	fork_handlers_register();
	return reg(prepare, parent, child, dso_handle);
}

static void print_stats(void)
{
	/* The renderers by name, not mmk_proc_write(): the library then
	 * links only these three. */
	static const struct proc_file files[] = {
		{ "/proc/slabinfo", proc_slabinfo_show },
		{ "/proc/buddyinfo", proc_buddyinfo_show },
		{ "/proc/meminfo", proc_meminfo_show },
	};
	unsigned long arenas, blocks;
	char line[160];
	size_t i, bytes;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		/* The title in one write: processes of a pipeline share
		 * stderr, and another's output may come between two. */
		static const char pre[] = "mmkit-malloc: ";
		char title[64];
		size_t n = strlen(files[i].path); /* up to 15 */

		memcpy(title, pre, sizeof(pre) - 1);
		memcpy(title + sizeof(pre) - 1, files[i].path, n);
		memcpy(title + sizeof(pre) - 1 + n, "\n", 2);
		mmk_host_write_fd(heap.stats_fd, title);
		proc_write_show(heap.m, files[i].show, heap.stats_fd);
	}
	/* The arenas are pages in use to the files above. */
	medium_stats(&arenas, &blocks, &bytes);
	snprintf(line, sizeof line,
		 "mmkit-malloc: medium blocks: %lu arenas (%lu kB), %lu "
		 "blocks in use (%zu kB)\n",
		 arenas, arenas << (MEDIUM_ORDER + PAGE_SHIFT - 10), blocks,
		 bytes >> 10);
	mmk_host_write_fd(heap.stats_fd, line);
}

/* The file @fd has open is the one boot found on stderr. */
static bool stats_file_is(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == heap.stats_dev &&
	       st.st_ino == heap.stats_ino;
}

/* print_stats() with SIGPIPE blocked: statistics written to a pipe whose
 * reader has gone (`prog 2>&1 >/dev/null | head -1`) must not turn the
 * program's exit into a death by signal. The signal the writes raised is
 * taken back before the mask is restored; one pending before stays. */
static void print_stats_nopipe(void)
{
	static const struct timespec now;
	sigset_t pipe_set, old, pending;
	bool was_pending;
	int saved = errno;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	was_pending = sigpending(&pending) == 0 &&
		      sigismember(&pending, SIGPIPE) == 1;
	print_stats();
	if (!was_pending && sigpending(&pending) == 0 &&
	    sigismember(&pending, SIGPIPE) == 1)
		sigtimedwait(&pipe_set, NULL, &now);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
}

__attribute__((destructor)) static void heap_exit_stats(void)
{
	if (heap.m && heap.stats) {
		/* A program may have closed the duplicate (closefrom) and
		 * opened something else there, or dup2()ed over it: then
		 * the statistics go to its stderr, if that is still ours,
		 * and nowhere otherwise. */
		if (!stats_file_is(heap.stats_fd))
			heap.stats_fd = stats_file_is(2) ? 2 : -1;
		if (heap.stats_fd < 0)
			return;
		fork_handlers_check();
		tcache_flush_all();
		print_stats_nopipe();
	}
}

static uint64_t host_ram(void)
{
	uint64_t ram = mmk_host_ram();

	if (!ram)
		ram = 4ULL << 30;

	if (ram < (1ULL << 30))
		ram = 1ULL << 30;
	return ram > (64ULL << 30) ? 64ULL << 30 : ram & ~((1ULL << 27) - 1);
}

/* Simulated CPUs: twice the host's, 4..64. Each costs its per-CPU areas
 * (pcp lists, an array in every cache) once a thread takes it
 * (cpus_on_demand), and every cache descriptor has room for all of them;
 * threads beyond them still have their tcache and refill it from the
 * node lists. */
static int heap_cpus(void)
{
	long n = (long)mmk_host_nr_cpus() * 2;

	return n < 4 ? 4 : n > MMK_MAX_CPUS ? MMK_MAX_CPUS : (int)n;
}

/*
 * Class @c's cache, made by its first allocation: a process uses a few of
 * the 39 classes, and each cache costs its descriptor, node, per-CPU
 * headers and slots (its name is class_names[c], not a copy). Under
 * class_lock, which the fork handlers take first: the map id, the free
 * path's class record and the slow paths' index are in place before the
 * cache is published.
 */
struct kmem_cache *class_cache_create(unsigned int c)
{
	struct kmem_cache *s;

	pthread_mutex_lock(&heap.class_lock);
	s = heap.cache[c];
	if (!s) {
		unsigned int sz = class_size[c];

		/* Power-of-two classes are naturally aligned (memalign);
		 * SLAB_KMALLOC: no colours, as the slab map requires. */
		s = kmem_cache_create(class_names[c], sz,
				      (sz & (sz - 1)) || sz > 4096 ? 16 : sz,
				      SLAB_KMALLOC | SLAB_NO_MERGE, NULL);
		if (s) {
			/* Without an id (slub_debug), a class's frees take
			 * the slow path. */
			if (!kmem_cache_set_map_id(heap.m, s, c + 1))
				heap_cls[c + 1] = (struct heap_class){
					.slab_mask =
						(PAGE_SIZE << s->order) - 1,
					.inv = s->obj_inv,
					.rot = s->obj_rot,
					.objects = s->objects,
					.bin_off = bin_off[c],
					.size = sz,
				};
			/* cache_class() finds the class (the slow paths). */
			s->user_index = (int)c;
			__atomic_store_n(&heap.cache[c], s, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&heap.class_lock);
	return s;
}

/* Hardened mode: a slab's free pointer that a write after free changed
 * (mmk_config's slab_freelist_corrupt). */
static void freelist_corrupt(const char *cache, const void *obj)
{
	(void)cache;
	malloc_die("malloc", "use after free: a slab's free list corrupted",
		   obj);
}

/* Never inlined: its code is init text (malloc/sections.c), dropped
 * from memory after it returns. */
static noinline void heap_boot(void)
{
	struct mmk_config cfg;
	const char *mode = getenv("MMKIT_MALLOC"), *st;
	uint64_t secret;
	unsigned int c;

	text_sections_init();
	if (!init_classes())
		abort(); /* TC_BYTES does not match the classes' bins */
	for (c = 0; c < NR_CLASSES; c++)
		if (size_class(class_size[c]) != c ||
		    size_class(class_size[c] - 15) != c)
			abort(); /* the class arithmetic is broken */
	mmk_config_init(&cfg);
	cfg.mem_bytes = host_ram();
	cfg.nr_cpus = heap_cpus();
	cfg.cpus_on_demand =
		true; /* a CPU costs memory once a thread uses it */
	cfg.deferred_init = true;
	/* Boot frees each zone's first chunk, touching the struct page of
	 * every free order-10 block in it (one mem_map page per block), and
	 * so does each growth: one largest block at a time keeps a small
	 * process small. */
	cfg.deferred_chunk_bytes = 4 << 20;
	/* ... and none in ZONE_DMA and ZONE_DMA32, which it never needs. */
	cfg.deferred_low_zones_empty = true;
	cfg.private_memory = true; /* fork(2) copies the heap */
	/* The heap asks kmalloc for names only: no DMA or reclaimable
	 * caches until something does (26 caches, 4-5 page faults). */
	cfg.kmalloc_types_on_demand = true;
	cfg.page_reporting_order = REPORT_ORDER;
	cfg.page_reporting_delay_ms = 100;
	/* A heap past 4 MiB has its per-CPU page lists backed a batch at a
	 * time (one call, and under half a page fault's cost per page on
	 * docs/PERFORMANCE.md's session 27 VM); below that, pages are
	 * backed as they are touched, so a small process stays small. */
	cfg.populate_pcp_above = 1024;
	cfg.printk = heap_printk;
	heap.hardened = mode && strcmp(mode, "hardened") == 0;
	if (mode && *mode && !heap.hardened && strcmp(mode, "default") != 0)
		mmk_host_stderr(
			"mmkit-malloc: MMKIT_MALLOC must be \"hardened\" or \"default\"; using the default mode\n");
	cfg.slab_freelist_random = heap.hardened;
	if (heap.hardened)
		cfg.slab_freelist_corrupt = freelist_corrupt;
	if (getrandom(&secret, sizeof secret, GRND_NONBLOCK) != sizeof secret)
		secret = (uintptr_t)&secret ^ mmk_host_now_ns();
	cfg.seed = secret;
	heap.secret = secret | 1;
	/* Kernel allocators only: no vmalloc, processes, reclaim or OOM
	 * killer in the heap, nor their code in the library. */
	heap.m = mmk_boot_allocators(&cfg);
	if (!heap.m) {
		mmk_host_stderr("mmkit-malloc: cannot boot the heap machine\n");
		abort();
	}
	/* The map before the size: free() reads it for offsets below
	 * heap.size. */
	if (slab_map_enable(heap.m) ||
	    heap.m->phys.size > heap.m->slab->map_pfns << PAGE_SHIFT) {
		mmk_host_stderr("mmkit-malloc: cannot map the heap's slabs\n");
		abort();
	}
	heap.slab_map = heap.m->slab->map;
	heap.base = (uintptr_t)heap.m->phys.base;
	heap.size = heap.m->phys.size;
	heap.mem_map = heap.m->mem_map;
	pthread_mutex_init(&heap.huge_lock, NULL);
	/* Keys are 16-byte aligned (hardened mode's end at a guard page). */
	heap.huge = (struct table)TABLE_INIT(struct huge, 256, 4);
	pthread_mutex_init(&heap.class_lock, NULL);
	pthread_mutex_init(&heap.borrow_lock, NULL);
	pthread_mutex_init(&heap.medium_lock, NULL);
	if (heap.hardened && hardened_init()) {
		mmk_host_stderr("mmkit-malloc: cannot set up hardened mode\n");
		abort();
	}
	st = getenv("MMKIT_MALLOC_STATS");
	heap.stats = st && *st && strcmp(st, "0") != 0;
	/* The statistics go to the standard error the program started
	 * with, even if it closes it before exiting (xz and GNU tools
	 * close theirs in an atexit handler). */
	heap.stats_fd = -1;
	if (heap.stats) {
		struct stat sb;

		if (fstat(2, &sb) == 0) {
			heap.stats_dev = sb.st_dev;
			heap.stats_ino = sb.st_ino;
			heap.stats_fd = fcntl(2, F_DUPFD_CLOEXEC, 10);
			if (heap.stats_fd < 0)
				heap.stats_fd = 2;
		}
	}
	pthread_key_create(&tc_key, tcache_exit);
	/* The fork handlers: see fork_handlers_check(). */
}

/* First call of a thread: the machine, a CPU, the exit hook, and the
 * thread's state: its bins open in the default mode, closed (every call
 * on the checked path) in hardened mode. The fork handlers come first:
 * the boot and a CPU's bring-up take locks, and another thread may fork
 * meanwhile (its paths need not pass thread_ready() again: a main thread
 * whose bins serve pthread_create's own allocations). */
void thread_init(void)
{
	fork_handlers_check();
	if (!__atomic_load_n(&heap.m, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&heap_lock);
		if (!heap.m) {
			tc.state = TC_BOOTING;
			heap_boot();
			free_initmem();
		}
		pthread_mutex_unlock(&heap_lock);
	}
	/* Straight to the caches meanwhile: taking a CPU sets a pthread key,
	 * and for a key of index 32 or more (a program that made 32 keys
	 * before its first malloc) glibc callocs the thread's second-level
	 * block of them, which came back here as a new thread's first call
	 * again, without end. */
	tc.state = TC_DEAD;
	mmk_set_current(heap.m);
	tc.state = heap.hardened ? TC_HARDENED : TC_LIVE;
	tcache_set_open(!heap.hardened);
	pthread_setspecific(tc_key, &tc);
}

/* ---- the public API ---- */

EXPORT void *malloc(size_t size)
{
	return heap_alloc(size, "malloc");
}

EXPORT void free(void *p)
{
	heap_free(p, "free");
}

EXPORT void *calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	p = heap_alloc(bytes, "calloc");
	if (p)
		heap_zero(p, bytes);
	return p;
}

EXPORT void *realloc(void *p, size_t size)
{
	if (!p)
		return heap_alloc(size, "realloc");
	if (!size) {
		heap_free(p, "realloc");
		return NULL;
	}
	return heap_realloc(p, size);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	p = heap_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return heap_memalign(align, size);
}

EXPORT void *memalign(size_t align, size_t size)
{
	/* glibc rounds a non-power-of-two alignment up. */
	if (align & (align - 1)) {
		size_t a = 1;

		while (a < align && a)
			a <<= 1;
		if (!a) {
			errno = EINVAL;
			return NULL;
		}
		align = a;
	}
	return heap_memalign(align ? align : 1, size);
}

EXPORT void *valloc(size_t size)
{
	return heap_memalign(4096, size);
}

EXPORT void *pvalloc(size_t size)
{
	size_t r;

	if (__builtin_add_overflow(size, 4095, &r)) {
		errno = ENOMEM;
		return NULL;
	}
	return heap_memalign(4096, r & ~(size_t)4095);
}

EXPORT size_t malloc_usable_size(void *p)
{
	return p ? heap_usable(p, "malloc_usable_size") : 0;
}

EXPORT void free_sized(void *p, size_t size)
{
	if (p)
		heap_check_size(p, size, 0, "free_sized");
	heap_free(p, "free_sized");
}

EXPORT void free_aligned_sized(void *p, size_t align, size_t size)
{
	if (p)
		heap_check_size(p, size, align, "free_aligned_sized");
	heap_free(p, "free_aligned_sized");
}

/*
 * C++'s sized operator delete. The C++ library's calls the unsized one,
 * which calls free(): the size is lost. In hardened mode these check it
 * as free_sized() does, against what the C++ library's operator new
 * asked for: malloc(n) (n = 1 for 0), or for an alignment
 * aligned_alloc(align, n rounded up to it); the default mode frees (a C++
 * program deletes as often as it allocates). Only while the unsized
 * deletes are the C++ library's (or absent): a program that replaced
 * them (a heap of its own) gets its own, as the standard's default sized
 * delete calls them, unchecked.
 */
typedef void cxx_delete_fn(void *);
typedef void cxx_delete_aligned_fn(void *, size_t);

enum { CXX_UNKNOWN, CXX_DEFAULT, CXX_REPLACED };

/* The unsized delete @name (mangled), or NULL if it is the C++
 * library's or there is none. */
static void *cxx_replaced(const char *name)
{
	void *f = dlsym(RTLD_DEFAULT, name);
	Dl_info di;

	if (!f || !dladdr(f, &di) || !di.dli_fname)
		return NULL;
	return strstr(di.dli_fname, "libstdc++") ||
			       strstr(di.dli_fname, "libc++") ?
		       NULL :
		       f;
}

/* Whether the program's unsized deletes are the C++ library's; else
 * the replacement of @name in *@own. */
static bool cxx_default_delete(const char *name, void **own)
{
	static const char *const all[] = { "_ZdlPv", "_ZdaPv",
					   "_ZdlPvSt11align_val_t",
					   "_ZdaPvSt11align_val_t" };
	static _Atomic int state;
	int st = atomic_load_explicit(&state, memory_order_acquire);
	size_t i;

	if (st == CXX_UNKNOWN) {
		st = CXX_DEFAULT;
		for (i = 0; i < sizeof all / sizeof all[0]; i++)
			if (cxx_replaced(all[i]))
				st = CXX_REPLACED;
		atomic_store_explicit(&state, st, memory_order_release);
	}
	if (st == CXX_DEFAULT)
		return true;
	*own = dlsym(RTLD_DEFAULT, name);
	return false;
}

/* A sized delete of @p, with @align for the aligned forms (0: none);
 * @unsized is the unsized form's mangled name. */
static void cxx_sized_delete(void *p, size_t size, size_t align,
			     const char *unsized, const char *call)
{
	void *own = NULL;

	if (!p)
		return;
	if (!cxx_default_delete(unsized, &own)) {
		if (own && align)
			((cxx_delete_aligned_fn *)own)(p, align);
		else if (own)
			((cxx_delete_fn *)own)(p);
		return;
	}
	if (!size)
		size = 1;
	if (align && (align & (align - 1)) == 0)
		size = (size + align - 1) & ~(align - 1);
	if (heap.hardened)
		heap_check_size(p, size, align, call);
	heap_free(p, call);
}

/* The C++ names (Itanium ABI mangling, std::size_t = unsigned long). */
EXPORT void cxx_delete_sized(void *p, size_t size) __asm__("_ZdlPvm");
EXPORT void cxx_delete_array_sized(void *p, size_t size) __asm__("_ZdaPvm");
EXPORT void
cxx_delete_sized_aligned(void *p, size_t size,
			 size_t align) __asm__("_ZdlPvmSt11align_val_t");
EXPORT void
cxx_delete_array_sized_aligned(void *p, size_t size,
			       size_t align) __asm__("_ZdaPvmSt11align_val_t");

/* operator delete(void *, std::size_t) */
void cxx_delete_sized(void *p, size_t size)
{
	cxx_sized_delete(p, size, 0, "_ZdlPv", "operator delete");
}

/* operator delete[](void *, std::size_t) */
void cxx_delete_array_sized(void *p, size_t size)
{
	cxx_sized_delete(p, size, 0, "_ZdaPv", "operator delete[]");
}

/* operator delete(void *, std::size_t, std::align_val_t) */
void cxx_delete_sized_aligned(void *p, size_t size, size_t align)
{
	cxx_sized_delete(p, size, align, "_ZdlPvSt11align_val_t",
			 "operator delete");
}

/* operator delete[](void *, std::size_t, std::align_val_t) */
void cxx_delete_array_sized_aligned(void *p, size_t size, size_t align)
{
	cxx_sized_delete(p, size, align, "_ZdaPvSt11align_val_t",
			 "operator delete[]");
}

/* Every parameter is ignored, but the values glibc refuses are refused
 * (0) as it does: M_MXFAST above 80 * sizeof(size_t) / 4 bytes or below
 * 0. glibc 2.36 (Debian 12's) takes any M_MMAP_THRESHOLD (older ones
 * refused more than half their largest heap), and any parameter it does
 * not know. */
EXPORT int mallopt(int param, int value)
{
	if (param == M_MXFAST)
		return value >= 0 && (size_t)value <= 80 * sizeof(size_t) / 4;
	return 1;
}

EXPORT int malloc_trim(size_t pad)
{
	unsigned long backed;
	size_t gone;

	(void)pad;
	if (!thread_ready())
		return 0;
	backed = heap_backed_pages();
	tcache_flush_all();
	if (atomic_load_explicit(&borrow_held, memory_order_relaxed))
		borrow_release();
	heap_shrink_classes();
	gone = medium_trim(true);
	gone += huge_cache_drain(true);
	drain_all_pages(NULL);
	page_reporting_flush(heap.m);
	/* As glibc: 1 if any memory went back to the system (glibc too
	 * counts the free chunks' pages it gives again at every call). */
	return gone || heap_backed_pages() < backed;
}

static void heap_totals(size_t *used, size_t *free_bytes, size_t *huge)
{
	unsigned long total = 0, nfree = mmk_nr_free_pages(heap.m);
	struct zone *z;
	int nid, t;

	for_each_zone_m(heap.m, nid, t, z)
		total += (unsigned long)zone_managed_pages(z);
	/* Read without the zones' locks while a thread may grow the heap:
	 * never more free pages than managed ones. */
	nfree = min(nfree, total);
	*used = (total - nfree) << PAGE_SHIFT;
	*free_bytes = nfree << PAGE_SHIFT;
	*huge = atomic_load(&heap.huge_bytes);
}

EXPORT struct mallinfo2 mallinfo2(void)
{
	struct mallinfo2 mi = { 0 };
	size_t used, fr, huge;

	if (!heap.m)
		return mi;
	heap_totals(&used, &fr, &huge);
	mi.arena = used + fr;
	mi.uordblks = used;
	mi.fordblks = fr;
	mi.hblkhd = huge;
	mi.hblks = atomic_load(&heap.huge_count);
	return mi;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
EXPORT struct mallinfo mallinfo(void)
{
	struct mallinfo2 m2 = mallinfo2();
	struct mallinfo mi = { 0 };

	mi.arena = (int)m2.arena;
	mi.uordblks = (int)m2.uordblks;
	mi.fordblks = (int)m2.fordblks;
	mi.hblkhd = (int)m2.hblkhd;
	mi.hblks = (int)m2.hblks;
	return mi;
}

EXPORT struct mallinfo __libc_mallinfo(void)
{
	return mallinfo();
}

#pragma GCC diagnostic pop

EXPORT void malloc_stats(void)
{
	size_t used, fr, huge;
	char line[320];

	if (!thread_ready())
		return;
	heap_totals(&used, &fr, &huge);
	snprintf(line, sizeof line,
		 "Arena 0:\n"
		 "system bytes     = %10zu\n"
		 "in use bytes     = %10zu\n"
		 "Total (incl. mmap):\n"
		 "system bytes     = %10zu\n"
		 "in use bytes     = %10zu\n"
		 "max mmap regions = %10zu\n"
		 "max mmap bytes   = %10zu\n",
		 used + fr, used, used + fr + huge, used + huge,
		 __atomic_load_n(&heap.huge_max_count, __ATOMIC_RELAXED),
		 __atomic_load_n(&heap.huge_max_bytes, __ATOMIC_RELAXED));
	/* As glibc, on stderr's stream (unbuffered: written at once). */
	fputs(line, stderr);
}

/* What malloc_info() reports, gathered before it prints (which may
 * allocate): free objects by class (those in the CPUs' and nodes'
 * arrays are its "fast" ones), free medium blocks, free buddy blocks by
 * order. */
struct heap_info {
	unsigned long obj_free[NR_CLASSES], obj_cached[NR_CLASSES];
	unsigned long med_free, buddy_free[NR_PAGE_ORDERS];
	size_t med_bytes;
	unsigned long fast, rest;
	size_t fast_bytes, rest_bytes;
};

static void heap_info_gather(struct heap_info *hi)
{
	struct zone *z;
	unsigned int c, o;
	int nid, t;

	memset(hi, 0, sizeof(*hi));
	for (c = 0; c < NR_CLASSES; c++) {
		struct kmem_cache *s =
			__atomic_load_n(&heap.cache[c], __ATOMIC_ACQUIRE);
		unsigned long active, num, slabs;

		if (!s)
			continue;
		slab_info(heap.m, s, &active, &num, &slabs);
		hi->obj_cached[c] = min(slab_cached_objects(heap.m, s), active);
		hi->obj_free[c] = num - active + hi->obj_cached[c];
		hi->fast += hi->obj_cached[c];
		hi->fast_bytes += hi->obj_cached[c] * class_size[c];
		hi->rest += num - active;
		hi->rest_bytes += (num - active) * class_size[c];
	}
	medium_free_stats(&hi->med_free, &hi->med_bytes);
	hi->rest += hi->med_free;
	hi->rest_bytes += hi->med_bytes;
	for_each_zone_m(heap.m, nid, t, z)
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			hi->buddy_free[o] += (unsigned long)atomic_load_explicit(
				&z->free_area[o].nr_free, memory_order_relaxed);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		hi->rest += hi->buddy_free[o];
		hi->rest_bytes += hi->buddy_free[o] << (PAGE_SHIFT + o);
	}
}

/* glibc's malloc_info() XML: the heap is arena 0, its sizes the free
 * objects of each class, the free medium blocks and the free pages by
 * order; "fast" counts the objects in the slab layer's arrays; the
 * system's current bytes are those the host backs, its max the heap's
 * size (deferred growth never shrinks it). */
EXPORT int malloc_info(int options, FILE *fp)
{
	size_t used, fr, huge, cur, max_huge;
	struct heap_info hi;
	unsigned int c, o;

	if (options)
		return EINVAL; /* as glibc: the error number, errno untouched */
	if (!thread_ready())
		return 0;
	heap_info_gather(&hi);
	heap_totals(&used, &fr, &huge);
	cur = heap_backed_pages() << PAGE_SHIFT;
	max_huge = __atomic_load_n(&heap.huge_max_bytes, __ATOMIC_RELAXED);
	fputs("<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n", fp);
	for (c = 0; c < NR_CLASSES; c++)
		if (hi.obj_free[c])
			fprintf(fp,
				"  <size from=\"%u\" to=\"%u\" total=\"%lu\" count=\"%lu\"/>\n",
				c ? class_size[c - 1] + 1 : 1, class_size[c],
				hi.obj_free[c] * class_size[c], hi.obj_free[c]);
	if (hi.med_free)
		fprintf(fp,
			"  <size from=\"%zu\" to=\"%zu\" total=\"%zu\" count=\"%lu\"/>\n",
			(size_t)MEDIUM_MIN + 1, MEDIUM_MAX, hi.med_bytes,
			hi.med_free);
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		if (hi.buddy_free[o])
			fprintf(fp,
				"  <size from=\"%lu\" to=\"%lu\" total=\"%lu\" count=\"%lu\"/>\n",
				PAGE_SIZE << o, PAGE_SIZE << o,
				hi.buddy_free[o] << (PAGE_SHIFT + o),
				hi.buddy_free[o]);
	fprintf(fp,
		"</sizes>\n"
		"<total type=\"fast\" count=\"%lu\" size=\"%zu\"/>\n"
		"<total type=\"rest\" count=\"%lu\" size=\"%zu\"/>\n"
		"<system type=\"current\" size=\"%zu\"/>\n"
		"<system type=\"max\" size=\"%zu\"/>\n"
		"<aspace type=\"total\" size=\"%zu\"/>\n"
		"<aspace type=\"mprotect\" size=\"%zu\"/>\n"
		"</heap>\n"
		"<total type=\"fast\" count=\"%lu\" size=\"%zu\"/>\n"
		"<total type=\"rest\" count=\"%lu\" size=\"%zu\"/>\n"
		"<total type=\"mmap\" count=\"%zu\" size=\"%zu\"/>\n"
		"<system type=\"current\" size=\"%zu\"/>\n"
		"<system type=\"max\" size=\"%zu\"/>\n"
		"<aspace type=\"total\" size=\"%zu\"/>\n"
		"<aspace type=\"mprotect\" size=\"%zu\"/>\n"
		"</malloc>\n",
		hi.fast, hi.fast_bytes, hi.rest, hi.rest_bytes, cur, used + fr,
		used + fr, used + fr, hi.fast, hi.fast_bytes, hi.rest,
		hi.rest_bytes, (size_t)atomic_load(&heap.huge_count), huge,
		cur + huge, used + fr + max_huge, used + fr + huge,
		used + fr + huge);
	return 0;
}

/* The names glibc's own code and some programs call. */
EXPORT void *__libc_malloc(size_t size)
{
	return heap_alloc(size, "malloc");
}

EXPORT void __libc_free(void *p)
{
	heap_free(p, "free");
}

EXPORT void *__libc_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

EXPORT void *__libc_realloc(void *p, size_t size)
{
	return realloc(p, size);
}

EXPORT void *__libc_memalign(size_t align, size_t size)
{
	return memalign(align, size);
}

EXPORT void *__libc_valloc(size_t size)
{
	return valloc(size);
}

EXPORT void *__libc_pvalloc(size_t size)
{
	return pvalloc(size);
}

EXPORT int __libc_mallopt(int param, int value)
{
	return mallopt(param, value);
}

EXPORT int __posix_memalign(void **out, size_t align, size_t size)
{
	return posix_memalign(out, align, size);
}

EXPORT void cfree(void *p)
{
	heap_free(p, "cfree");
}
