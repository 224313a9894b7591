/* SPDX-License-Identifier: MIT */
/*
 * mmkit: Linux's memory manager as a library. This umbrella header declares
 * the machine API (boot, current machine and CPU, verifier, procfs, kernel
 * log, fault injection) and includes the kernel API headers.
 *
 *	struct mmk_config cfg;
 *	mmk_config_init(&cfg);
 *	struct mmk_machine *m = mmk_boot(&cfg);
 *	struct page *p = alloc_pages(GFP_KERNEL, 0);
 *	__free_pages(p, 0);
 *	mmk_check(m, why, sizeof why);
 *	mmk_shutdown(m);
 */
#ifndef MMKIT_MMKIT_H
#define MMKIT_MMKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mmkit/types.h>
#include <mmkit/gfp.h>
#include <mmkit/mm_types.h>
#include <mmkit/mmzone.h>
#include <mmkit/mm.h>
#include <mmkit/slab.h>
#include <mmkit/vmalloc.h>
#include <mmkit/highmem.h>
#include <mmkit/hugetlb.h>
#include <mmkit/ksm.h>
#include <mmkit/mman.h>

enum mmk_arch {
	MMK_ARCH_X86_64,
	MMK_ARCH_I386,
};

#define MMK_MAX_CPUS 64

/** Kinds of allocation that fault injection can fail (mm/fail.c). */
enum mmk_fail_kind {
	MMK_FAIL_PAGE_ALLOC, /* Linux's fail_page_alloc */
	MMK_FAIL_SLAB, /* Linux's failslab */
	MMK_NR_FAIL_KINDS
};

/**
 * struct mmk_fail_attr - when to fail (Linux's struct fault_attr, reduced):
 * after @nth - 1 eligible calls, fail @times calls in a row (-1: forever);
 * with @probability (0..100) > 0, also fail each eligible call with that
 * percentage, drawn from the machine's seed. Orders below @min_order and
 * __GFP_NOFAIL requests are not eligible.
 */
struct mmk_fail_attr {
	unsigned long nth;
	long times;
	unsigned int probability;
	unsigned int min_order;
	/* MMK_FAIL_SLAB: only this cache's allocations are eligible (Linux's
	 * failslab cache_filter); NULL or "": every cache. Copied. */
	const char *cache;
	/* Non-NULL: attribute every eligible call to its allocation site in
	 * this table (below). Not copied: it must outlive the plan. */
	struct mmk_fail_sites *sites;
	/* With @sites: only calls at the site of this name ("mm/vma.c:214")
	 * are eligible, so @nth counts that site's calls. Not copied. */
	const char *site;
};

/** struct mmk_config - what `boot` configures; mmk_config_init() fills defaults. */
struct mmk_config {
	enum mmk_arch arch; /* zone layout and address-space split */
	uint64_t mem_bytes; /* top of RAM (x86_64 default 1G) */
	int nr_nodes; /* NUMA nodes, memory split evenly (1) */
	int nr_cpus; /* simulated CPUs (2) */
	/* CPU hotplug on demand: boot brings only CPU 0 online; any other
	 * comes online (its pcp lists, fast-path tables and slab arrays set
	 * up) when a thread first takes it, so a machine with many possible
	 * CPUs costs memory for the CPUs used (false: all online at boot). */
	bool cpus_on_demand;
	bool pcp; /* per-CPU page lists (true) */
	uint64_t seed; /* drives every random choice (0) */
	uint64_t swap_bytes; /* swap device size (0) */
	/* slub_debug, in Linux's syntax: any of F (consistency checks), Z
	 * (red zones), P (poison), U (store user), T (trace), O (none that
	 * raises a slab's order), for every cache or, followed by a list,
	 * for those it names ("FZ,kmalloc-64;P,dentry*"); "" or NULL: off. */
	const char *slub_debug;
	bool slab_nomerge; /* never merge caches (false) */
	/* The dma-kmalloc-* and kmalloc-rcl-* caches are made by their
	 * first allocation, not at boot (/proc/slabinfo lists each from
	 * then on), so a machine that never asks for GFP_DMA or
	 * __GFP_RECLAIMABLE memory from kmalloc does not pay for 26 caches
	 * (false; libmmkit-malloc.so's heap sets it). */
	bool kmalloc_types_on_demand;
	bool slab_freelist_random; /* SLAB_FREELIST_RANDOM (false) */
	/* If set, every free pointer taken off a slab's freelist must be
	 * the place of one of the slab's objects; one that is not (a write
	 * after free changed it) is passed to this, with the object that
	 * held it, and it must not return (NULL: no check). For
	 * libmmkit-malloc.so's hardened mode. */
	void (*slab_freelist_corrupt)(const char *cache, const void *obj);
	/* DEFERRED_STRUCT_PAGE_INIT: boot puts only each zone's first chunk
	 * (below) on the free lists; the rest joins a chunk at a time when
	 * an allocation needs it, so a large machine costs what it uses
	 * (false). */
	bool deferred_init;
	/* With deferred_init, the zones below each node's highest get no
	 * chunk at boot either: their memory joins when an allocation that
	 * may use only them, or finds the higher zones short, asks for it
	 * (false; libmmkit-malloc.so's heap sets it: nothing it allocates
	 * needs ZONE_DMA or ZONE_DMA32, and their boot chunks cost every
	 * process three host pages). */
	bool deferred_low_zones_empty;
	/* The chunk, in bytes: a multiple of the largest buddy block (4 MiB)
	 * up to the architecture's largest mem; chunks start at multiples of
	 * it. 0: one memory section (128 MiB, i386 64 MiB), as Linux (0). */
	uint64_t deferred_chunk_bytes;
	/* Free page reporting: free blocks of this order or more are given
	 * back to the host (their memory reads as zeroes again) once enough
	 * of them are unreported; 0: off (0). */
	unsigned int page_reporting_order;
	/* ... and once they have been so for this long (Linux reports two
	 * seconds after the threshold is crossed) (2000). */
	unsigned int page_reporting_delay_ms;
	/* Backing ahead: once a zone has more than this many pages the host
	 * backs (managed pages not reported free), a per-CPU list refilled
	 * with memory the host does not back (boot memory, or what page
	 * reporting gave back) has it backed in one call, where each page's
	 * first touch would be a host page fault; 0: never (0). */
	unsigned long populate_pcp_above;
	/* Physical memory is private anonymous host memory, copied on write
	 * when the host process forks (libmmkit-malloc.so needs that); pages
	 * cannot then be aliased, so vmalloc, vmap and kmap fail with ENOMEM
	 * (false: a shared memfd that can be aliased). */
	bool private_memory;
	/* mm_forbids_zeropage(): a read fault on private anonymous memory
	 * allocates a zeroed page of its own (mapped writable and dirty
	 * when the VMA is writable, and giving the VMA its anon_vma) where
	 * Linux otherwise maps the shared zero page. s390 does this for
	 * guests with storage keys, and some x86 kernels do too (false). */
	bool forbid_zero_page;
	/* The CPU has memory protection keys (X86_FEATURE_OSPKE; x86_64
	 * only): pkey_alloc() hands out keys 1-15, PROT_EXEC-only memory
	 * gets an execute-only key, accesses obey each process's PKRU, and
	 * smaps prints ProtectionKey (false: pkey_alloc() is ENOSPC). */
	bool pku;
	/* Kernel log lines (without newline) go here as well as to the
	 * machine's log buffer; NULL: buffer only. */
	void (*printk)(void *arg, const char *line);
	void *printk_arg;
	/* Fault plans in force from the start of boot, per kind (NULL:
	 * none): installed by mmk_fail_set() as soon as the machine has its
	 * fail lock and kept after boot until replaced. A boot that meets an
	 * injected failure returns NULL with errno ENOMEM. Copied at boot,
	 * as mmk_fail_set() copies (the sites table and site name are not).
	 */
	const struct mmk_fail_attr *boot_fail[MMK_NR_FAIL_KINDS];
};

struct mmk_machine;

/** mmk_config_init() - fill @cfg with the embedded default machine. */
void mmk_config_init(struct mmk_config *cfg);

/**
 * mmk_config_validate() - check @cfg as mmk_boot() would.
 * Return: 0, or -EINVAL with the reason written to @why.
 */
int mmk_config_validate(const struct mmk_config *cfg, char *why, size_t len);

/**
 * mmk_boot() - boot a machine: memblock, nodes, zones, mem_map, buddy lists.
 * The machine becomes the calling thread's current machine, on CPU 0.
 * Return: the machine, or NULL with errno EINVAL (bad config) or ENOMEM
 * (the host could not reserve the memory).
 */
struct mmk_machine *mmk_boot(const struct mmk_config *cfg);

/**
 * mmk_shutdown() - return every host resource of @m. Threads other than the
 * caller must have stopped using @m. A pointer that is not a live machine
 * (shut down already) is refused with a message on standard error.
 */
void mmk_shutdown(struct mmk_machine *m);

/**
 * mmk_set_current() - make @m (or NULL) the calling thread's machine. The
 * thread gives up its CPU on the previous machine and takes the lowest free
 * CPU of @m, if any (else it runs without per-CPU caches).
 * Return: 0; -EINVAL (errno too) if @m is not a live machine, and the
 * thread keeps its machine.
 */
int mmk_set_current(struct mmk_machine *m);

enum mmk_atfork { MMK_ATFORK_PREPARE, MMK_ATFORK_PARENT, MMK_ATFORK_CHILD };

/**
 * mmk_atfork() - keep @m usable across fork(2) of a threaded host process
 * (call it from pthread_atfork handlers with each phase). PREPARE takes
 * every allocator lock and the other CPUs' per-CPU lists from their
 * owners, so the copy catches none half-updated; PARENT gives them back;
 * CHILD releases them and frees the CPUs of the threads that did not
 * survive the fork. Only a machine with private_memory is copied by fork:
 * otherwise parent and child share its physical memory (mem_map and the
 * free lists among it), and the child must not use it. A phase out of
 * order (PREPARE twice, PARENT or CHILD without it) is ignored with a
 * message on standard error.
 */
void mmk_atfork(struct mmk_machine *m, enum mmk_atfork phase);

/** mmk_current() - the calling thread's machine, or NULL. */
struct mmk_machine *mmk_current(void);

/**
 * mmk_set_cpu() - run the calling thread on simulated CPU @cpu of its
 * machine. A CPU runs one thread at a time, as a real CPU runs one task, so
 * its per-CPU lists need no lock.
 * Return: 0; -EINVAL for a CPU that does not exist or no current machine;
 * -EBUSY if another thread is on @cpu (the thread keeps its CPU).
 */
int mmk_set_cpu(int cpu);

/** mmk_get_cpu() - the calling thread's CPU, or -1 if it has none. */
int mmk_get_cpu(void);

/**
 * mmk_check() - run every subsystem's verifier.
 * Return: 0 when every invariant holds; otherwise 1 with the first
 * violation written to @why (NUL-terminated, truncated to @len), "not a
 * live machine" for one shut down already.
 */
int mmk_check(struct mmk_machine *m, char *why, size_t len);

/**
 * mmk_proc_read() - render a procfs file of @m (e.g. "/proc/meminfo").
 * Return: a malloc'ed NUL-terminated text, or NULL with errno ENOENT for a
 * file that does not exist, EINVAL if @m is not a live machine. The
 * caller frees it (free(); in the freestanding build, mmk_host_free()).
 */
char *mmk_proc_read(struct mmk_machine *m, const char *path);

/**
 * mmk_proc_pread() - read @count bytes of a procfs file of @m from byte
 * @off, as pread(2) does: text files, and the binary ones mmk_proc_read()
 * refuses with EINVAL: /proc/PID/pagemap (a 64-bit entry per virtual
 * page: bit 63 present, 62 swapped, 61 file page or shared anonymous, 58
 * guard region, 56 exclusively mapped, bits 0-54 the pfn, or the swap
 * type in bits 0-4 and offset from bit 5), /proc/kpageflags (KPF_* bits
 * per pfn) and /proc/kpagecount (mappings per pfn); these take offsets
 * and sizes in multiples of 8.
 * Return: the bytes read (0 at the end), or -EINVAL (a bad argument, or
 * not a live machine) or -ENOENT (no such file or process).
 */
long mmk_proc_pread(struct mmk_machine *m, const char *path, void *buf,
		    size_t count, unsigned long long off);

/** mmk_kpageflag_name() - the name tools/mm/page-types gives bit @bit of a
 * /proc/kpageflags word ("lru", "anonymous", ...), or NULL. */
const char *mmk_kpageflag_name(unsigned int bit);

/**
 * mmk_proc_write() - render a procfs file of @m straight to @fd, without
 * calling malloc (so a malloc built on mmkit can show its own heap).
 * Return: 0, or -ENOENT/-EINVAL/-ENOMEM or the write error.
 */
int mmk_proc_write(struct mmk_machine *m, const char *path, int fd);

/**
 * mmk_dmesg() - copy the kernel log (oldest first) into @buf.
 * Return: the log's full length (it may exceed @len); 0 (an empty @buf)
 * if @m is not a live machine.
 */
size_t mmk_dmesg(struct mmk_machine *m, char *buf, size_t len);

/** mmk_dmesg_clear() - empty the kernel log. */
void mmk_dmesg_clear(struct mmk_machine *m);

/*
 * Allocation sites, for fault-injection sweeps. A call's site is its first
 * caller outside the allocators (mm/page_alloc.c, mm/slub.c,
 * mm/slab_common.c, mm/slab.h, mm/fail.c, <mmkit/gfp.h>, <mmkit/slab.h>),
 * named "file:line" from the library's debug information: the call stack
 * (glibc's backtrace()) is symbolised once per distinct stack by an
 * addr2line child process. Without -g, glibc or addr2line, and in a build
 * with MMK_NO_FAIL_SITES (libmmkit-malloc.so), every call is
 * the site "?". One table may serve several machines and plans in turn.
 */
struct mmk_fail_sites;

/** struct mmk_fail_site_info - one site of a table: calls and failures
 * per fault kind since the table was made or reset. */
struct mmk_fail_site_info {
	const char *name; /* "mm/vma.c:214" */
	const char *function; /* the caller at that line */
	unsigned long calls[MMK_NR_FAIL_KINDS];
	unsigned long failed[MMK_NR_FAIL_KINDS];
};

/** mmk_fail_sites_new() - an empty table; NULL without memory. */
struct mmk_fail_sites *mmk_fail_sites_new(void);
/** mmk_fail_sites_free() - free a table no plan uses any more. */
void mmk_fail_sites_free(struct mmk_fail_sites *sites);
/** mmk_fail_sites_reset() - zero every site's counts (the sites stay). */
void mmk_fail_sites_reset(struct mmk_fail_sites *sites);
/** mmk_fail_site() - site @i (0, 1, ... in order of discovery) into @info.
 * Return: 0, or -ENOENT past the last site. */
int mmk_fail_site(struct mmk_fail_sites *sites, size_t i,
		  struct mmk_fail_site_info *info);

/** mmk_fail_set() - install (or with NULL, clear) the fault plan for @kind.
 * Return: 0, or -EINVAL (a bad kind or plan, not a live machine). */
int mmk_fail_set(struct mmk_machine *m, enum mmk_fail_kind kind,
		 const struct mmk_fail_attr *attr);

/** mmk_fail_count() - how many failures @kind has injected so far (0 for
 * a machine that is not live). */
unsigned long mmk_fail_count(struct mmk_machine *m, enum mmk_fail_kind kind);

/**
 * mmk_kaddr() - the simulated kernel virtual address (PAGE_OFFSET +
 * physical address) of a direct-map pointer, as scripts and reports print
 * it; 0 for a pointer outside the machine's direct map.
 */
unsigned long mmk_kaddr(const void *p);

/** mmk_nr_free_pages() - free pages of all zones (buddy lists only); 0
 * for a machine that is not live. */
unsigned long mmk_nr_free_pages(struct mmk_machine *m);

/** mmk_version() - the library's version string. */
const char *mmk_version(void);

#endif /* MMKIT_MMKIT_H */
