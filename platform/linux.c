/* SPDX-License-Identifier: MIT */
/*
 * Linux host implementation of platform.h.
 *
 * Physical memory is a memfd: it can be mapped more than once (the direct
 * map, vmemmap sections, and later vmalloc and kmap aliases see the same
 * pages), it is reserved with MAP_NORESERVE so a 64 GiB machine costs only
 * what is touched, and closing it returns everything to the host.
 *
 * The per-CPU page lists use an asymmetric handshake: their owner pays only
 * a compiler barrier, and the rare remote drainer pays a membarrier(2)
 * system call that forces a full barrier on every running thread.
 */
#define _GNU_SOURCE
#include "platform/platform.h"
#include "lib/compiler.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

/* mmap(@size bytes of @fd, shared) at an address aligned to
 * MMK_HOST_MEM_ALIGN: in a reservation one alignment larger, whose slack
 * goes back. */
static void *map_aligned(size_t size, int fd)
{
	size_t len = size + MMK_HOST_MEM_ALIGN;
	char *r = mmap(NULL, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t start;
	void *p;

	if (r == MAP_FAILED)
		return MAP_FAILED;
	start = ((uintptr_t)r + MMK_HOST_MEM_ALIGN - 1) &
		~(uintptr_t)(MMK_HOST_MEM_ALIGN - 1);
	p = mmap((void *)start, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED) {
		munmap(r, len);
		return MAP_FAILED;
	}
	if (start > (uintptr_t)r)
		munmap(r, start - (uintptr_t)r);
	if ((uintptr_t)r + len > start + size)
		munmap((void *)(start + size),
		       (uintptr_t)r + len - start - size);
	return p;
}

int mmk_host_mem_create(struct mmk_host_mem *hm, size_t size)
{
	int fd = memfd_create("mmkit-phys", MFD_CLOEXEC);
	void *p;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	p = map_aligned(size, fd);
	if (p == MAP_FAILED)
		goto fail;
	hm->fd = fd;
	hm->base = hm->map = p;
	hm->size = hm->map_len = size;
	return 0;
fail:
	close(fd);
	return -ENOMEM;
}

/* One mapping, one alignment larger, whose slack stays mapped: untouched
 * private memory costs the host nothing, and a process that starts the
 * malloc heap makes one system call here instead of four (two mappings
 * and two trims of the slack: each cost a spawned process 5-10 us on
 * docs/PERFORMANCE.md's session 41 VM). */
int mmk_host_mem_create_private(struct mmk_host_mem *hm, size_t size)
{
	size_t len = size + MMK_HOST_MEM_ALIGN;
	char *r = mmk_host_map_anon(len);

	if (!r)
		return -ENOMEM;
	hm->fd = -1;
	hm->map = r;
	hm->map_len = len;
	hm->base = (void *)(((uintptr_t)r + MMK_HOST_MEM_ALIGN - 1) &
			    ~(uintptr_t)(MMK_HOST_MEM_ALIGN - 1));
	hm->size = size;
	return 0;
}

void *mmk_host_map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int mmk_host_map_private(void *at, size_t len)
{
	void *p = mmap(at, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		       -1, 0);

	return p == MAP_FAILED ? -ENOMEM : 0;
}

void mmk_host_mem_destroy(struct mmk_host_mem *hm)
{
	if (hm->map)
		munmap(hm->map, hm->map_len);
	if (hm->fd >= 0)
		close(hm->fd);
	hm->base = hm->map = NULL;
	hm->fd = -1;
}

int mmk_host_mem_discard(struct mmk_host_mem *hm, size_t off, size_t len)
{
	if (hm->fd < 0)
		return madvise((char *)hm->base + off, len, MADV_DONTNEED) ?
			       -errno :
			       0;
	if (fallocate(hm->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		return -errno;
	return 0;
}

int mmk_host_mem_lazyfree(struct mmk_host_mem *hm, size_t off, size_t len)
{
	if (hm->fd >= 0 || madvise((char *)hm->base + off, len, MADV_FREE) == 0)
		return hm->fd >= 0 ? mmk_host_mem_discard(hm, off, len) : 0;
	return mmk_host_mem_discard(hm, off, len);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

void mmk_host_populate(void *p, size_t len)
{
	static atomic_bool unsupported;
	int saved = errno; /* a malloc that succeeds leaves errno alone */
	uintptr_t lo = (uintptr_t)p & ~(uintptr_t)4095;

	if (len && !atomic_load_explicit(&unsupported, memory_order_relaxed) &&
	    madvise((void *)lo, len + ((uintptr_t)p - lo),
		    MADV_POPULATE_WRITE) != 0 &&
	    errno == EINVAL)
		atomic_store_explicit(&unsupported, true, memory_order_relaxed);
	errno = saved;
}

/* Each block starts with its mapping length, 16 bytes to keep alignment. */
#define HOST_HDR 16

void *mmk_host_zalloc(size_t size)
{
	size_t len;
	char *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	len = (size + HOST_HDR + 4095) & ~(size_t)4095;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, &len, sizeof(len));
	return p + HOST_HDR;
}

void *mmk_host_realloc(void *p, size_t size)
{
	size_t old;
	void *n;

	if (!p)
		return mmk_host_zalloc(size);
	memcpy(&old, (char *)p - HOST_HDR, sizeof(old));
	if (size + HOST_HDR <= old)
		return p;
	n = mmk_host_zalloc(size);
	if (!n)
		return NULL;
	memcpy(n, p, old - HOST_HDR);
	mmk_host_free(p);
	return n;
}

void mmk_host_free(void *p)
{
	size_t len;

	if (!p)
		return;
	memcpy(&len, (char *)p - HOST_HDR, sizeof(len));
	munmap((char *)p - HOST_HDR, len);
}

/* Each arena mapping starts with this link, one cache line long. */
struct arena_link {
	char *prev;
	size_t prev_size;
};

#define ARENA_LINK 64
#define ARENA_CHUNK ((size_t)256 << 10)

void *mmk_host_arena_zalloc(struct mmk_host_arena *a, size_t size)
{
	size_t need = (size + 63) & ~(size_t)63;
	struct arena_link *link;
	char *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (!a->chunk || need > a->size - a->used) {
		size_t len = (need + ARENA_LINK + 4095) & ~(size_t)4095;

		if (len < ARENA_CHUNK)
			len = ARENA_CHUNK;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		link = (struct arena_link *)(void *)p;
		link->prev = a->chunk;
		link->prev_size = a->size;
		a->chunk = p;
		a->size = len;
		a->used = ARENA_LINK;
	}
	p = a->chunk + a->used;
	a->used += need;
	return p;
}

void mmk_host_arena_destroy(struct mmk_host_arena *a)
{
	char *chunk = a->chunk;
	size_t size = a->size;

	while (chunk) {
		struct arena_link link;

		memcpy(&link, chunk, sizeof(link));
		munmap(chunk, size);
		chunk = link.prev;
		size = link.prev_size;
	}
	a->chunk = NULL;
	a->used = a->size = 0;
}

int mmk_host_mem_alias(struct mmk_host_mem *hm, void *at, size_t off,
		       size_t len, bool populate)
{
	void *p;

	if (hm->fd < 0)
		return -ENOMEM;
	p = mmap(at, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE |
			 (populate ? MAP_POPULATE : 0),
		 hm->fd, (off_t)off);

	return p == MAP_FAILED ? -ENOMEM : 0;
}

int mmk_host_mem_unalias(void *at, size_t len)
{
	void *p = mmap(at, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		       -1, 0);

	return p == MAP_FAILED ? -ENOMEM : 0;
}

void *mmk_host_reserve(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void mmk_host_unreserve(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

/*
 * The process-wide barrier: membarrier's private expedited command (Linux
 * 4.14+: an interrupt to each CPU running a thread of this process), or
 * its global command (4.3+: waits until every CPU has passed a quiescent
 * state, milliseconds, so only a fallback). MMKIT_HOST_BARRIER=global
 * picks the fallback, so tests can run it on a host that has both.
 */
static int host_barrier_cmd = -1;

bool mmk_host_membarrier_init(void)
{
	const char *want = getenv("MMKIT_HOST_BARRIER");
	long r = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	int cmd = -1;

	if (r < 0)
		return false;
	if ((r & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
	    !(want && !strcmp(want, "global")) &&
	    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		    0, 0) == 0)
		cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED;
	else if (r & MEMBARRIER_CMD_GLOBAL)
		cmd = MEMBARRIER_CMD_GLOBAL;
	if (cmd < 0)
		return false;
	__atomic_store_n(&host_barrier_cmd, cmd, __ATOMIC_RELAXED);
	return true;
}

void mmk_host_membarrier(void)
{
	int cmd = __atomic_load_n(&host_barrier_cmd, __ATOMIC_RELAXED);

	if (cmd < 0 || syscall(SYS_membarrier, cmd, 0, 0) != 0)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void mmk_host_mutex_init(void *mutex)
{
#if defined(PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP) && !MMK_TSAN
	/* A copy of the initialiser: boot makes one per cache and node.
	 * ThreadSanitizer must see each mutex start (pthread_mutex_init). */
	static const pthread_mutex_t init =
		PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;

	memcpy(mutex, &init, sizeof(init));
#else
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(mutex, &attr);
	pthread_mutexattr_destroy(&attr);
#endif
}

void mmk_host_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

void mmk_host_yield(void)
{
	sched_yield();
}

uint64_t mmk_host_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t mmk_host_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A decimal CPU number at *@s (at most 6 digits), or -1. */
static long cpu_number(const char **s)
{
	long v = 0;
	int digits = 0;

	while (**s >= '0' && **s <= '9') {
		if (++digits > 6)
			return -1;
		v = v * 10 + (*(*s)++ - '0');
	}
	return digits ? v : -1;
}

int mmk_host_cpu_list_count(const char *s)
{
	long n = 0;

	for (;;) {
		long lo = cpu_number(&s), hi = lo;

		if (lo < 0)
			return 0;
		if (*s == '-') {
			s++;
			hi = cpu_number(&s);
			if (hi < lo)
				return 0;
		}
		n += hi - lo + 1;
		if (n > 1000000)
			return 0;
		if (*s != ',')
			break;
		s++;
	}
	return *s == '\n' || *s == '\0' ? (int)n : 0;
}

int mmk_host_nr_cpus(void)
{
	static const char path[] = "/sys/devices/system/cpu/possible";
	int saved = errno, n = 0;
	char buf[256];
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		long got = syscall(SYS_read, (int)fd, buf, sizeof buf - 1);

		syscall(SYS_close, (int)fd);
		if (got > 0) {
			buf[got] = '\0';
			n = mmk_host_cpu_list_count(buf);
		}
	}
	if (n <= 0) /* no sysfs: the C library's own fallbacks */
		n = (int)sysconf(_SC_NPROCESSORS_CONF);
	errno = saved;
	return n > 0 ? n : 1;
}

uint64_t mmk_host_ram(void)
{
	struct sysinfo si;
	int saved = errno;
	long r = syscall(SYS_sysinfo, &si);

	errno = saved;
	return r == 0 ?
		       (uint64_t)si.totalram * (si.mem_unit ? si.mem_unit : 1) :
		       0;
}

size_t mmk_host_rss(void)
{
	/* read(2), not stdio: malloc must not be needed here. */
	char buf[128], *sp;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	sp = strchr(buf, ' ');
	return sp ? (size_t)strtoul(sp + 1, NULL, 10) *
			       (size_t)sysconf(_SC_PAGESIZE) :
		    0;
}

void mmk_host_abort(void)
{
	abort();
}

int mmk_host_write_fd(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

void mmk_host_stderr(const char *s)
{
	mmk_host_write_fd(2, s);
}
