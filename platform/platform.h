/* SPDX-License-Identifier: MIT */
/*
 * The host platform layer: the only code that knows it runs on Linux.
 * Contract: every function returns an error instead of aborting when the
 * host refuses (mmk_host_abort is the one exception); nothing here touches
 * machine state.
 */
#ifndef MMK_PLATFORM_H
#define MMK_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Simulated physical memory: a memfd of @size bytes mapped once, with no
 * commitment, so pages cost host memory only once touched. The mapping
 * starts on a MMK_HOST_MEM_ALIGN boundary, the largest buddy block's size,
 * so a block's address is aligned as its pfn is (aligned_alloc's page
 * runs rely on it). */
#define MMK_HOST_MEM_ALIGN ((size_t)4 << 20)
struct mmk_host_mem {
	int fd;
	void *base;
	size_t size;
	void *map; /* the host mapping holding [base, base + size) */
	size_t map_len;
};

int mmk_host_mem_create(struct mmk_host_mem *hm, size_t size);
/* The same, as private anonymous memory (fd -1): copy-on-write across
 * fork(2), but pages cannot be aliased (mmk_host_mem_alias fails). */
int mmk_host_mem_create_private(struct mmk_host_mem *hm, size_t size);
/* Fresh zeroed private memory at @at (inside a reservation): where an
 * alias would go when the memory cannot be aliased. */
int mmk_host_map_private(void *at, size_t len);
void mmk_host_mem_destroy(struct mmk_host_mem *hm);
/* Map @len bytes at file offset @off of @hm at the fixed address @at
 * (inside a region from mmk_host_reserve); @populate fills the host page
 * tables at once (memory that will be touched soon). */
int mmk_host_mem_alias(struct mmk_host_mem *hm, void *at, size_t off,
		       size_t len, bool populate);
/* Replace the mapping at @at with an inaccessible reservation again. */
int mmk_host_mem_unalias(void *at, size_t len);
/* Reserve (PROT_NONE) and release host address space. */
void *mmk_host_reserve(size_t len);
void mmk_host_unreserve(void *p, size_t len);
/* Zeroed private memory of the host without commitment (MAP_NORESERVE:
 * pages cost memory once touched), in one call; NULL if refused.
 * Released with mmk_host_unreserve(). */
void *mmk_host_map_anon(size_t len);

/* Give the pages of [@off, @off + @len) of @hm back to the host: they
 * read as zeroes afterwards (free page reporting). */
int mmk_host_mem_discard(struct mmk_host_mem *hm, size_t off, size_t len);
/* The same for private memory (MADV_FREE): the host takes the pages only
 * when it needs them, and a write before that keeps them, with no fault;
 * their content is undefined until written. Shared memory: discarded. */
int mmk_host_mem_lazyfree(struct mmk_host_mem *hm, size_t off, size_t len);

/* Back the pages of [@p, @p + @len) of private or shared memory with
 * host pages now (MADV_POPULATE_WRITE), for memory about to be written:
 * one call instead of a page fault per page. Best effort: nothing happens where
 * the host cannot (kernels before 5.14, no memory). */
void mmk_host_populate(void *p, size_t len);

/* Zeroed memory for the library's own bookkeeping, straight from host
 * mappings (never from malloc, so libmmkit-malloc.so can boot on it). */
void *mmk_host_zalloc(size_t size);
/* Resize what mmk_host_zalloc() returned; new bytes are zero. */
void *mmk_host_realloc(void *p, size_t size);
void mmk_host_free(void *p);

/* Zeroed bookkeeping that lives as long as its owner (a machine's boot
 * structures), carved from shared host mappings: small objects share
 * pages, and a machine makes one mapping where it made one per object.
 * Cache-line aligned; only mmk_host_arena_destroy() frees it. A zeroed
 * struct is an empty arena. */
struct mmk_host_arena {
	char *chunk; /* the mapping being carved; its first line links on */
	size_t used, size;
};

void *mmk_host_arena_zalloc(struct mmk_host_arena *a, size_t size);
void mmk_host_arena_destroy(struct mmk_host_arena *a);

/* Make the asymmetric fence available (membarrier(2); the environment
 * variable MMKIT_HOST_BARRIER=global picks its slow global command);
 * false when the host has none. */
bool mmk_host_membarrier_init(void);
/* A full memory barrier on every running thread of this process. */
void mmk_host_membarrier(void);

/* A mutex that spins briefly before sleeping (for short critical
 * sections such as zone and slab node locks, like a kernel spinlock). A
 * freestanding build's locks are its own (platform/freestanding/libc.c):
 * the embedder does not provide this one. */
#ifdef MMK_FREESTANDING
void mmk_fs_mutex_init_void(void *mutex);
#define mmk_host_mutex_init mmk_fs_mutex_init_void
#else
void mmk_host_mutex_init(void *mutex);
#endif
void mmk_host_cpu_relax(void);
void mmk_host_yield(void);
uint64_t mmk_host_now_ns(void);
/* The same clock at a tick's resolution (a few ms), several times
 * cheaper to read: for delays of tens of milliseconds checked often. */
uint64_t mmk_host_coarse_ns(void);
/* The host's CPUs (the kernel's possible mask, what
 * sysconf(_SC_NPROCESSORS_CONF) counts; at least 1) and its RAM in bytes
 * (0 if unknown). Both ask the kernel through syscall(2) and leave errno
 * alone: sysconf() parses sysfs with C library code and strings that a
 * process preloading libmmkit-malloc.so would otherwise have to map. */
int mmk_host_nr_cpus(void);
uint64_t mmk_host_ram(void);
/* The CPUs in a list such as "0-3,8,10-11\n" (sysfs's format); 0 if @s
 * is not one. */
int mmk_host_cpu_list_count(const char *s);
/* Resident set size of this process, in bytes (0 if unknown). */
size_t mmk_host_rss(void);
__attribute__((noreturn)) void mmk_host_abort(void);
/* Write to stderr without stdio's buffers (used by BUG dumps). */
void mmk_host_stderr(const char *s);
/* Write all of @s to descriptor @fd: 0, or -errno where the descriptor
 * stopped taking it (-EIO if it took nothing without an error). */
int mmk_host_write_fd(int fd, const char *s);

#endif /* MMK_PLATFORM_H */
