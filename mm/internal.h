/* SPDX-License-Identifier: MIT */
/*
 * Private to mm/ and proc/: the machine object and declarations shared
 * between mm files (Linux's mm/internal.h). Nothing in include/mmkit/
 * includes this file.
 *
 * struct mmk_machine holds all state of one simulated machine:
 *
 *   phys (memfd) ──────────── simulated RAM, pfn 0 .. max_pfn
 *      ▲ aliased per section
 *   mem_map[pfn] ──────────── struct page array (vmemmap), itself in RAM
 *   node_data[nid] ─ node_zones[zone_type] ─ free_area[order] (hbitmaps in RAM)
 *                                          └ zone_pcp(zone, cpu)
 *   cpus[cpu] ─ owner thread, event counters
 *   memblock ───────────────── RAM and reserved ranges from boot
 */
#ifndef MMK_MM_INTERNAL_H
#define MMK_MM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <string.h>
#include <mmkit/mmkit.h>
#include "lib/compiler.h"
#include "lib/mmdebug.h"
#include "lib/hbitmap.h"
#include "mm/vmstat_items.h"
#include "platform/platform.h"

/* ---- mm/vmstat.c: counter indexes ---- */
#define MMK_ENUM_ITEM(id, name) id,
enum node_stat_item {
	MMK_NODE_STAT_ITEMS(MMK_ENUM_ITEM) NR_VM_NODE_STAT_ITEMS
};
#define MMK_ENUM_ZONEFAM(id, name) \
	id##_BASE, id##_LAST = id##_BASE + MAX_NR_ZONES - 1,
enum vm_event_item {
	MMK_VM_EVENT_ITEMS(MMK_ENUM_ITEM, MMK_ENUM_ZONEFAM) NR_VM_EVENT_ITEMS
};

/* ---- the architecture profile (mm/mm_init.c) ---- */
struct mmk_arch_profile {
	const char *name;
	enum mmk_arch arch;
	int nr_zone_types; /* zones zoneinfo prints */
	enum zone_type zone_types[MAX_NR_ZONES]; /* in zone order */
	unsigned long zone_end_pfn[MAX_NR_ZONES]; /* DMA, DMA32/NORMAL limits */
	int lowmem_reserve_ratio[MAX_NR_ZONES];
	unsigned int pageblock_order;
	unsigned int section_size_bits;
	uint64_t min_mem, max_mem;
	uint64_t page_offset; /* kernel address of physical 0 */
	/* Linux's VMALLOC_START and VMALLOC_END where they are constants
	 * (x86_64); i386 derives them at boot (m->vmalloc_start). */
	uint64_t vmalloc_start, vmalloc_end;
	unsigned long hugepage_kb;
	int ptr_bytes; /* sizeof(void *) of the kernel */
	/* The kernel configuration's options that procfs and madvise show:
	 * CONFIG_NUMA (with NUMA balancing), CONFIG_TRANSPARENT_HUGEPAGE
	 * (with the policy "never": no huge page is ever allocated). */
	bool numa, thp;
};

/*
 * i386's top of the kernel address space, as Linux 6.18's
 * arch/x86/include/asm/fixmap.h and pgtable_32_areas.h lay it out for
 * the profile's configuration: no PAE (4 MiB PMDs, 1024 PTEs a table),
 * NR_CPUS = MMK_MAX_CPUS, X86_LOCAL_APIC and X86_IO_APIC (64 IO-APICs),
 * PCI_MMCONFIG, CPU_SUP_INTEL; no OHCI1394 early DMA, PARAVIRT_XXL,
 * APEI GHES or INTEL_TXT. From the top down:
 *
 *   fixmap      FIXADDR_TOT_START .. FIXADDR_TOP (0xfffff000): index x at
 *               FIXADDR_TOP - x pages; the kmap_local slots of CPU c are
 *               FIX_KMAP_BEGIN + c * KM_MAX_IDX + idx
 *   cpu_entry_area (read-only IDT page, then 40 pages a CPU: GDT, entry
 *               stack, TSS with its I/O bitmap, debug store and buffers)
 *   LDT remap   one PMD
 *   pkmap       PKMAP_BASE, LAST_PKMAP pages (kmap())
 *   vmalloc     high_memory + 8 MiB .. PKMAP_BASE - 2 pages
 */
#define I386_PMD_MASK (~((1UL << 22) - 1))
#define I386_FIXADDR_TOP 0xfffff000UL
/* FIX_HOLE, FIX_DBGP_BASE, FIX_EARLYCON_MEM_BASE, FIX_APIC_BASE,
 * FIX_IO_APIC_BASE_0 .. 63 */
#define I386_FIX_KMAP_BEGIN 68UL
#define I386_FIX_KMAP_END \
	(I386_FIX_KMAP_BEGIN + (unsigned long)KM_MAX_IDX * MMK_MAX_CPUS - 1)
/* FIX_PCIE_MCFG, then __end_of_permanent_fixed_addresses */
#define I386_END_OF_PERMANENT_FIXED (I386_FIX_KMAP_END + 2)
#define I386_TOTAL_FIX_BTMAPS 512UL
#define I386_FIX_BTMAP_END                                              \
	(((I386_END_OF_PERMANENT_FIXED ^                                \
	   (I386_END_OF_PERMANENT_FIXED + I386_TOTAL_FIX_BTMAPS - 1)) & \
	  -1024UL) ?                                                    \
		 I386_END_OF_PERMANENT_FIXED + I386_TOTAL_FIX_BTMAPS -  \
			 (I386_END_OF_PERMANENT_FIXED &                 \
			  (I386_TOTAL_FIX_BTMAPS - 1)) :                \
		 I386_END_OF_PERMANENT_FIXED)
/* FIX_BTMAP_BEGIN, FIX_WP_TEST, then __end_of_fixed_addresses */
#define I386_END_OF_FIXED (I386_FIX_BTMAP_END + I386_TOTAL_FIX_BTMAPS + 1)
#define I386_FIXADDR_TOT_START \
	(I386_FIXADDR_TOP - (I386_END_OF_FIXED << PAGE_SHIFT))
#define I386_CPU_ENTRY_AREA_PAGES (MMK_MAX_CPUS * 40UL)
#define I386_CPU_ENTRY_AREA_BASE                         \
	((I386_FIXADDR_TOT_START -                       \
	  (I386_CPU_ENTRY_AREA_PAGES + 1) * PAGE_SIZE) & \
	 I386_PMD_MASK)
#define I386_LDT_BASE_ADDR \
	((I386_CPU_ENTRY_AREA_BASE - PAGE_SIZE) & I386_PMD_MASK)
#define I386_PKMAP_BASE ((I386_LDT_BASE_ADDR - PAGE_SIZE) & I386_PMD_MASK)
#define I386_VMALLOC_OFFSET (8UL << 20)
#define I386_VMALLOC_END (I386_PKMAP_BASE - 2 * PAGE_SIZE)
/* __fix_to_virt() */
#define I386_FIX_TO_VIRT(x) \
	(I386_FIXADDR_TOP - ((unsigned long)(x) << PAGE_SHIFT))
_Static_assert(I386_PKMAP_BASE + ((unsigned long)LAST_PKMAP << PAGE_SHIFT) <=
			       I386_LDT_BASE_ADDR &&
		       I386_LDT_BASE_ADDR + (1UL << 22) <=
			       I386_CPU_ENTRY_AREA_BASE &&
		       I386_FIX_TO_VIRT(I386_FIX_KMAP_END) >=
			       I386_FIXADDR_TOT_START,
	       "i386 kernel address areas overlap");

/* Managed pages of every zone (Linux's totalram_pages(); mm/vma.c). */
unsigned long totalram_pages(struct mmk_machine *m);

/* Whether @m is a machine booted and not yet shut down. */
bool mmk_machine_live(const struct mmk_machine *m);

/* slub_debug as Linux's: blocks "LETTERS[,cache[,cache...]]" joined by
 * ';' (F, Z, P, U, T and O; '-' clears; a cache name may end in '*').
 * *@global gets the flags of every cache no block names (those of the
 * last block without a list; none if only listed blocks, or for NULL or
 * ""), *@order_off (if not NULL) whether O was given.
 * -EINVAL for another letter. */
int parse_slub_debug(const char *s, slab_flags_t *global, bool *order_off);
#define SLUB_DEBUG_SYNTAX                                                       \
	"slub_debug takes blocks of the letters F, Z, P, U, T, O (or -), each " \
	"with an optional list of caches, as in FZ,kmalloc-64;P,dentry*"
/* Cache @name's @flags with the machine's slub_debug applied (Linux's
 * kmem_cache_flags()). */
slab_flags_t kmem_cache_flags(struct mmk_machine *m, slab_flags_t flags,
			      const char *name);

/* ---- mm/memblock.c ---- */
#define MEMBLOCK_MAX_REGIONS 128
struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
	int nid;
};
struct memblock_type {
	int cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};
struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
};

/* ---- the kernel log (mm/debug.c) ---- */
#define MMK_LOG_SIZE ((size_t)64 * 1024)
struct mmk_log {
	pthread_mutex_t lock;
	char *buf; /* ring of MMK_LOG_SIZE bytes */
	size_t head; /* bytes ever written */
};

/* ---- mm/fail.c ---- */
struct mmk_fail {
	struct mmk_fail_attr attr;
	char cache[64]; /* attr.cache points here */
	atomic_bool active;
	unsigned long calls; /* eligible calls seen */
	unsigned long failed; /* failures injected */
};

struct mmk_cpu {
	int id;
	int node;
	atomic_uintptr_t owner; /* token of the thread on this CPU, or 0 */
	atomic_ulong events[NR_VM_EVENT_ITEMS]; /* written by the owner only */
	/* The page allocator's fast paths (mm/page_alloc.c). Per value of
	 * the GFP zone and migrate type bits (gfp & 31): this CPU's pcp of the
	 * preferred zone, that zone's NR_FREE_PAGES counter, and the count
	 * above which no watermark check is needed (high watermark +
	 * lowmem_reserve); LONG_MAX for invalid zone bits, no zone, or pcp
	 * lists off. */
	struct per_cpu_pages *fast_pcp[32];
	struct pcp_list *fast_list[32]; /* &fast_pcp->lists[migratetype] */
	atomic_long *fast_free[32];
	long fast_mark[32];
	/* The free fast path's memo: the zone and pageblock migrate type of
	 * the last block it took (free_mt -1: none yet), this CPU's pcp of
	 * that zone and its order-0 list of that type. The freed page's own
	 * zone and type are only compared with it, so the list's address
	 * does not wait for the loads the page's pfn indexes. */
	struct zone *free_zone;
	struct per_cpu_pages *free_pcp;
	struct pcp_list *free_list;
	int free_mt;
} __attribute__((aligned(128)));

/* A CPU's unit of the percpu area (mm/percpu.c): the allocator's blocks
 * of PCPU_MIN_ALLOC bytes in its first PCPU_AREA_SIZE bytes, then
 * PCPU_SLOTS_STRIDE bytes for each block: the slots of the slab array
 * whose header the block is (per_cpu_slots()). */
#define PCPU_AREA_SIZE (256UL << 10)
#define PCPU_MIN_ALLOC 64UL
#define PCPU_SLOTS_STRIDE 960UL
#define PCPU_UNIT_SIZE \
	(PCPU_AREA_SIZE + PCPU_AREA_SIZE / PCPU_MIN_ALLOC * PCPU_SLOTS_STRIDE)

enum kmalloc_cache_type {
	KMALLOC_NORMAL,
	KMALLOC_RECLAIM,
	KMALLOC_DMA,
	NR_KMALLOC_TYPES
};

#define KMALLOC_SHIFT_LOW 3
#define KMALLOC_SHIFT_HIGH (PAGE_SHIFT + 1)

/* Linux's struct ratelimit_state: at most @burst messages an @interval
 * (of the host's clock: mmkit has no simulated one). */
struct ratelimit_state {
	pthread_mutex_t lock;
	uint64_t interval_ns, begin_ns;
	int burst, printed, missed;
};

/* The WARN_ON_ONCE() sites: each warns once a machine. */
enum warn_once {
	WARN_ONCE_ALLOC_ORDER, /* __alloc_pages: order > MAX_PAGE_ORDER */
	WARN_ONCE_ALLOC_EXACT_GFP, /* alloc_pages_exact: __GFP_COMP|HIGHMEM */
};

struct mmk_machine {
	struct mmk_config cfg;
	const struct mmk_arch_profile *arch;
	struct mmk_machine *live_next; /* the live machines (mm_init.c) */
	atomic_bool atfork_prepared; /* mmk_atfork() between its phases */
	struct mmk_host_mem phys;
	unsigned long max_pfn; /* end of the physical address space */
	struct page *mem_map; /* pfn-indexed, see vmemmap */
	void *vmemmap; /* reserved host range holding mem_map */
	size_t vmemmap_len;
	/* Per 2^pb_shift pages (pageblock_order <= pb_shift <= a section):
	 * their zone's id (zone_of_id()), 0 = no RAM. Two bytes an entry,
	 * not a pointer's eight: 3 KiB on a 24G machine, a page of every
	 * libmmkit-malloc.so process instead of four. */
	uint16_t *pb_zid;
	unsigned int pb_shift;
	/* Per 2^PB_MT_SHIFT pages: the migrate type of their pageblock
	 * (every entry of a larger pageblock the same) XOR MIGRATE_MOVABLE,
	 * so that the zeroed table says Movable and boot writes only the
	 * few other entries; written under the zone lock, read by the free
	 * fast path without. */
	uint8_t *pb_mt;
	/* kmalloc()'s caches by type and size index (mm/slab_common.c),
	 * here rather than in m->slab: its fast path reaches them with one
	 * load from the machine. */
	struct kmem_cache
		*kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
	/* The percpu offsets of the normal caches' array_cache headers
	 * (their s->cpu_array), so that kmalloc()'s fast path has its
	 * CPU's array one load after the machine, not two. */
	size_t kmalloc_cpu_array[KMALLOC_SHIFT_HIGH + 1];
	unsigned int pageblock_order;
	int8_t gfp_zone_table[16]; /* GFP zone bits -> zone index, -1 bad */
	unsigned long lowmem_end_pfn; /* direct map ends here (i386: 896M) */
	/* Linux's VMALLOC_START and VMALLOC_END: the profile's, or on i386
	 * high_memory + VMALLOC_OFFSET .. PKMAP_BASE - 2 pages. */
	uint64_t vmalloc_start, vmalloc_end;

	int nr_nodes;
	pg_data_t *node_data[MAX_NUMNODES];
	struct memblock memblock;

	int nr_cpus;
	struct mmk_cpu *cpus;
	/* Bit n: CPU n is online (its per-CPU structures are set up). Set
	 * once, with release, under slab_mutex, drain_lock and deferred_lock
	 * (mmk_cpu_up), so a loop over online CPUs under any of them sees a
	 * fixed set, and one without them sees only set-up CPUs. */
	_Atomic uint64_t cpu_online_mask;
	/* The percpu allocator's area (mm/percpu.c): one unit of
	 * PCPU_UNIT_SIZE bytes per possible CPU, host memory untouched
	 * until an online CPU uses it; an allocation is one offset, valid
	 * in every unit. pcpu_used: a bit per PCPU_MIN_ALLOC bytes. */
	char *pcpu_base;
	pthread_mutex_t pcpu_lock;
	unsigned long pcpu_used[PCPU_AREA_SIZE / PCPU_MIN_ALLOC / 64];
	bool pcp_enabled;
	bool fast_path_set; /* setup_fast_path() has run (deferred_lock) */
	pthread_mutex_t drain_lock;
	/* Serialises deferred_grow_zone and the fast path's marks. */
	pthread_mutex_t deferred_lock;
	/* Held by a page reporting run from isolating its blocks to putting
	 * them back, so that a fork of the host process waits for them to
	 * be on the free lists again (page_alloc_atfork()). */
	pthread_mutex_t report_lock;
	atomic_ulong vm_events[NR_VM_EVENT_ITEMS]; /* threads without a CPU */

	unsigned long min_free_kbytes;
	int watermark_scale_factor;
	unsigned long totalreserve_pages;
	unsigned long nr_kernel_pages; /* reserved at boot: image, firmware */
	unsigned long nr_memmap_boot_pages;
	unsigned long nr_percpu_pages;
	unsigned long nr_reserved_pages;

	pthread_mutex_t fail_lock;
	struct mmk_fail fail[MMK_NR_FAIL_KINDS];
	uint64_t rng;

	struct mmk_log log;
	/* warn_alloc()'s rate limit (Linux's nopage_rs: one message in 10 s)
	 * and the WARN_ON_ONCE sites that warned (bits of enum warn_once). */
	struct ratelimit_state nopage_rs;
	atomic_uint warned_once;
	struct slab_state *slab; /* mm/slab.h */
	struct vmalloc_state *vmalloc; /* mm/vmalloc.c */
	struct highmem_state *highmem; /* mm/highmem.c, i386 only */
	struct mm_state *mm; /* processes and address spaces, mm/vma.h */
	/* page_address() of a highmem page (its kmap), set by highmem. */
	void *(*kmap_address)(struct mmk_machine *m, const struct page *page);
	/* Hook for the reclaim layer: called when a zone falls below its low
	 * watermark (Linux's wakeup_kswapd). NULL until reclaim registers. */
	void (*wakeup_kswapd)(struct mmk_machine *m, struct zone *zone,
			      unsigned int order, enum zone_type highest);
	/* Hooks of the OOM killer (mm/oom_kill.c), which sits above the page
	 * allocator: out_of_memory() returns whether it made progress (a
	 * victim's memory was freed, or the caller is the victim);
	 * oom_reserves_allowed() whether the calling thread acts for a
	 * process the OOM killer chose (it may use the ALLOC_OOM reserve).
	 * @nodemask: the nodes the request was limited to (a MPOL_BIND
	 * policy's), 0 if none. */
	bool (*out_of_memory)(struct mmk_machine *m, gfp_t gfp,
			      unsigned int order, unsigned long nodemask);
	bool (*oom_reserves_allowed)(void);
	/* The kernel log's memory picture (mm/show_mem.c), which warn_alloc
	 * prints after its line; registered with the OOM killer. */
	void (*show_mem)(struct mmk_machine *m, gfp_t gfp,
			 unsigned long nodemask);
	/* Direct reclaim (mm/vmscan.c): pages freed for an allocation. */
	unsigned long (*try_to_free_pages)(struct mmk_machine *m,
					   struct zonelist *zl,
					   unsigned int order, gfp_t gfp,
					   enum zone_type highest);
	/* free_huge_folio() (mm/hugetlb.c): put_page() of a hugetlb page's
	 * last reference gives it back to the pool. */
	void (*free_huge_page)(struct mmk_machine *m, struct page *page);
	/* Compaction (mm/compaction.c), registered with reclaim; NULL
	 * until then (no direct compaction). */
	const struct compaction_ops *compaction;
	/* sysctl vm.compact_unevictable_allowed (1), vm.extfrag_threshold
	 * (500), vm.compaction_proactiveness (20) */
	atomic_int compact_unevictable_allowed;
	atomic_int extfrag_threshold;
	atomic_int compaction_proactiveness;
	/* What reclaim could still free in @zone (its file lists, and its
	 * anon lists while swap has room). */
	unsigned long (*zone_reclaimable_pages)(struct zone *zone);
	/* Host memory of the machine's own structures (the machine itself
	 * first), freed at shutdown as a whole: mmk_machine_zalloc(). */
	struct mmk_host_arena arena;
	/* Last: 26 KiB of which a machine writes its nodes' rows only, so
	 * the rest never costs the host a page (before the fields above, it
	 * put them on a page of their own). */
	atomic_long node_stat[MAX_NUMNODES][NR_VM_NODE_STAT_ITEMS];
};

/* ---- online CPUs (mm/mm_init.c brings them up) ---- */

_Static_assert(MMK_MAX_CPUS <= 64, "cpu_online_mask is one word");

static inline bool cpu_online(const struct mmk_machine *m, int cpu)
{
	return (atomic_load_explicit(&m->cpu_online_mask,
				     memory_order_acquire) >>
		cpu) &
	       1;
}

/* How many CPUs are online (all of them but on a machine that brings
 * them up on demand, mmk_config.cpus_on_demand). */
static inline unsigned int num_online_cpus(const struct mmk_machine *m)
{
	return (unsigned int)__builtin_popcountll(atomic_load_explicit(
		&m->cpu_online_mask, memory_order_relaxed));
}

/* The first online CPU after @cpu, or m->nr_cpus. */
static inline int cpu_next_online(const struct mmk_machine *m, int cpu)
{
	uint64_t mask =
		atomic_load_explicit(&m->cpu_online_mask, memory_order_acquire);

	if (++cpu >= 64)
		return m->nr_cpus;
	mask >>= cpu;
	return mask ? cpu + __builtin_ctzll(mask) : m->nr_cpus;
}

#define for_each_online_cpu(m, cpu)                                  \
	for ((cpu) = cpu_next_online((m), -1); (cpu) < (m)->nr_cpus; \
	     (cpu) = cpu_next_online((m), (cpu)))

/* The node of @cpu, online or not (CPUs are spread evenly over nodes). */
static inline int cpu_to_node_id(const struct mmk_machine *m, int cpu)
{
	return cpu * m->nr_nodes / m->nr_cpus;
}

/* Bring @cpu online if it is not (idempotent); the hooks below set up
 * its page allocator and slab state. */
void mmk_cpu_up(struct mmk_machine *m, int cpu);
void page_alloc_cpu_online(struct mmk_machine *m, int cpu);
void slab_cpu_online(struct mmk_machine *m, int cpu);

/* ---- the calling thread's context (mm/mm_init.c) ---- */
struct mmk_task_ctx {
	struct mmk_machine *m;
	struct mmk_cpu *cpu; /* the CPU this thread owns, or NULL */
	/* That CPU's unit of the percpu area (per_cpu_ptr() of offset 0),
	 * NULL without a CPU: the slab fast paths add a cache's percpu
	 * offset to it (mm/slab.h). */
	char *pcpu_base;
	/* Whether the block this thread last took from the buddy lists had
	 * been reported (alloc_pages_unbacked). */
	bool took_unbacked;
};
/* initial-exec: no __tls_get_addr call, which would make every fast path
 * save registers around it (libmmkit.so then needs static TLS, 32 bytes). */
extern mmk_thread_local struct mmk_task_ctx mmk_ctx mmk_tls_initial_exec;

static inline struct mmk_machine *mmk_cur(void)
{
	return mmk_ctx.m;
}

/* The node of the calling thread's CPU (0 without one). */
static inline int numa_node_id(void)
{
	return mmk_ctx.cpu ? mmk_ctx.cpu->node : 0;
}

/* alloc_pages(), also telling whether the block's memory is unbacked:
 * it came off the buddy lists reported (free page reporting gave it
 * back, or boot never backed it), so the host has no pages for it and
 * each first touch is a host page fault. A block from a per-CPU list
 * counts as backed. For callers that know they will write the memory
 * (libmmkit-malloc.so's page runs) and can back it in one call. */
struct page *alloc_pages_unbacked(gfp_t gfp, unsigned int order,
				  bool *unbacked);

/* ---- mm/mm_init.c ---- */
extern const struct mmk_arch_profile mmk_arch_x86_64, mmk_arch_i386;
extern const char *const zone_names[MAX_NR_ZONES];
extern const char *const zone_event_suffix[MAX_NR_ZONES];
struct zone *mmk_pfn_zone(struct mmk_machine *m, unsigned long pfn);
void *mmk_phys_to_virt(struct mmk_machine *m, phys_addr_t phys);
phys_addr_t mmk_virt_to_phys(struct mmk_machine *m, const void *p);
void mmk_release_cpu(void);
/* The machine's memory: layout, memblock, nodes, zones, mem_map and buddy
 * lists (mm/init.c's mmk_boot then starts the slab allocator). */
struct mmk_machine *mmk_memory_init(const struct mmk_config *cfg);
/* mmk_boot() up to the slab allocator and the kmalloc caches: a machine
 * of kernel allocators only, without vmalloc, kmap, processes, page
 * cache, swap, reclaim or the OOM killer (an allocation the free pages
 * cannot serve fails). Its procfs shows those parts empty and `check`
 * verifies what it has. For libmmkit-malloc.so's heap, which so links
 * none of their code; the library's users always get mmk_boot(). */
struct mmk_machine *mmk_boot_allocators(const struct mmk_config *cfg);
/* Zeroed host memory that lives as long as @m (its arena). */
static inline void *mmk_machine_zalloc(struct mmk_machine *m, size_t size)
{
	return mmk_host_arena_zalloc(&m->arena, size);
}
/* The same, for a structure boot writes all of at once: its pages are
 * backed in one call (mmk_host_populate), not a page fault each. */
void *mmk_machine_zalloc_written(struct mmk_machine *m, size_t size);
/* Put the next chunk of @zone's deferred memory on its free lists;
 * false when it has none left. */
bool deferred_grow_zone(struct mmk_machine *m, struct zone *zone);
static inline bool zone_has_deferred(const struct zone *z)
{
	return atomic_load_explicit(&((struct zone *)z)->deferred_pfn,
				    memory_order_relaxed) <
	       z->zone_start_pfn + z->spanned_pages;
}

#define for_each_zone_m(m, nid, t, z)                                       \
	for (nid = 0; nid < (m)->nr_nodes; nid++)                           \
		for (t = 0; t < MAX_NR_ZONES &&                             \
			    ((z = &(m)->node_data[nid]->node_zones[t]), 1); \
		     t++)

#define for_each_online_node(m, nid) for (nid = 0; nid < (m)->nr_nodes; nid++)
#define for_each_zone_in_node(pgdat, zone) \
	for (zone = (pgdat)->node_zones;   \
	     zone < (pgdat)->node_zones + MAX_NR_ZONES; zone++)

/*
 * A copy to or from simulated memory that another thread may be writing
 * meanwhile: a page shared between processes, which one writes while
 * another's fault copies it or writeback saves it. That is the simulated
 * programs' own race, which the machine allows as hardware does; under
 * ThreadSanitizer the copy is made of relaxed atomic accesses so that it
 * is not reported as the simulator's (every access to such pages from
 * outside a fast path goes through here or mmk_touch's atomic OR).
 */
static inline void copy_user_racy(void *dst, const void *src, size_t n)
{
#if MMK_TSAN
	const char *from = src;
	char *to = dst;
	size_t i;

	/* Whole words only where the two do not overlap (below). */
	if (!(((uintptr_t)to | (uintptr_t)from | n) & 7) &&
	    (to >= from + n || from >= to + n)) {
		for (i = 0; i < n; i += 8) {
			uint64_t w = __atomic_load_n(
				(const uint64_t *)(const void *)(from + i),
				__ATOMIC_RELAXED);

			__atomic_store_n((uint64_t *)(void *)(to + i), w,
					 __ATOMIC_RELAXED);
		}
		return;
	}
	for (i = 0; i < n; i++)
		__atomic_store_n(to + i,
				 __atomic_load_n(from + i, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
#else
	/* A process copying its own memory onto itself (process_vm_*):
	 * byte by byte upwards, as x86's REP MOVSB moves overlapping
	 * bytes. */
	if ((char *)dst < (const char *)src + n &&
	    (const char *)src < (char *)dst + n) {
		volatile char *to = dst;
		const char *from = src;
		size_t i;

		for (i = 0; i < n; i++)
			to[i] = from[i];
		return;
	}
	memcpy(dst, src, n);
#endif
}

/* The same for zeroing such memory (the part of a file's last page past
 * its end, which writeback clears while the page may be mapped). */
static inline void zero_user_racy(void *dst, size_t n)
{
#if MMK_TSAN
	char *to = dst;
	size_t i;

	for (i = 0; i < n; i++)
		__atomic_store_n(to + i, (char)0, __ATOMIC_RELAXED);
#else
	memset(dst, 0, n);
#endif
}

/*
 * Counters only their owning thread writes while others read them with
 * relaxed loads: the update needs no lock prefix. On x86-64 it is one
 * add to memory (an aligned store there is single-copy atomic, which is
 * all the readers need); compilers do not fuse a relaxed atomic load
 * and store into one, so the portable form is three instructions, and
 * ThreadSanitizer builds keep it, as TSan does not see inside asm.
 */
#if defined(__x86_64__) && !MMK_TSAN
static inline void owner_add(atomic_ulong *c, unsigned long delta)
{
	__asm__("addq %1, %0" : "+m"(*c) : "er"(delta));
}

static inline void owner_sub_int(atomic_int *c, int delta)
{
	__asm__("subl %1, %0" : "+m"(*c) : "er"(delta));
}
#else
static inline void owner_add(atomic_ulong *c, unsigned long delta)
{
	atomic_store_explicit(
		c, atomic_load_explicit(c, memory_order_relaxed) + delta,
		memory_order_relaxed);
}

static inline void owner_sub_int(atomic_int *c, int delta)
{
	atomic_store_explicit(
		c, atomic_load_explicit(c, memory_order_relaxed) - delta,
		memory_order_relaxed);
}
#endif

/* Atomic flag updates on a page others may read (test_page_flag). */
static inline void page_flag_set(struct page *page, int nr)
{
	__atomic_fetch_or(&page->flags, 1UL << nr, __ATOMIC_RELAXED);
}

static inline void page_flag_clear(struct page *page, int nr)
{
	__atomic_fetch_and(&page->flags, ~(1UL << nr), __ATOMIC_RELAXED);
}

/* WRITE_ONCE of ->mapping of a page others may test unlocked (PageAnon()
 * in reclaim): it leaves the page cache, or moves to another anon_vma. */
static inline void page_set_mapping(struct page *page,
				    struct address_space *mapping)
{
	__atomic_store_n(&page->mapping, mapping, __ATOMIC_RELAXED);
}

/* READ_ONCE of ->mapping: an anonymous page's anon_vma moves when a
 * write fault reuses it (folio_move_anon_rmap) while rmap walks read it
 * without the page lock (folio_lock_anon_vma_read). */
static inline struct address_space *page_mapping_once(const struct page *page)
{
	return __atomic_load_n(&page->mapping, __ATOMIC_RELAXED);
}

/*
 * page_count() with acquire ordering, for a test that the other holders
 * are gone before the caller changes what they may still have read (the
 * full barrier folio_ref_freeze() gives __remove_mapping): a mapper's
 * reads of the page, ->mapping among them, precede its put_page().
 */
static inline int page_count_acquire(const struct page *page)
{
	return atomic_load_explicit(&compound_head(page)->_refcount,
				    memory_order_acquire);
}

/* __split_huge_page()'s page half: the compound order-@order allocation
 * at @page becomes 2^@order order-0 ones, the tails with one reference
 * each, the head keeping its own. */
void split_compound_page(struct page *page, unsigned int order);

/* The LRU half of splitting the huge page @page (mm/huge_memory.c): its
 * tails take @flags of the head and its place on the lists (or go back
 * to them while reclaim holds the head isolated). */
void lru_split_folio(struct mmk_machine *m, struct page *page,
		     unsigned int order, unsigned long flags);

/* The pages of the folio @page heads: 512 for a transparent huge page
 * on the LRU (mm/huge_memory.c), else 1. */
static inline long folio_nr_pages(const struct page *page)
{
	return 1L << compound_order(page);
}

/* The guards' protocol (mm/percpu.c), fixed at build time so the owner's
 * side tests nothing: asymmetric, or compare-and-swap under TSan, which
 * cannot see membarrier's ordering. */
#define MMK_ASYM_GUARD (!MMK_TSAN)

static inline bool cpu_guard_trylock(struct cpu_guard *g)
{
	int expect = 0;

	if (MMK_ASYM_GUARD) {
		/* The drainer's membarrier() orders this store before the
		 * load below, as a full fence here would. */
		atomic_store_explicit(&g->busy, 1, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
		if (likely(!atomic_load_explicit(&g->remote,
						 memory_order_acquire)))
			return true;
		atomic_store_explicit(&g->busy, 0, memory_order_release);
		return false;
	}
	return atomic_compare_exchange_strong_explicit(&g->busy, &expect, 1,
						       memory_order_acquire,
						       memory_order_relaxed);
}

/* The granularity of mmk_machine.pb_mt: the smallest pageblock_order of
 * the profiles, so that the fast path's index is a constant shift. */
#define PB_MT_SHIFT 9

/* The migrate type of @pfn's pageblock (read without the zone lock). */
static inline int get_pfnblock_migratetype(const struct mmk_machine *m,
					   unsigned long pfn)
{
	return __atomic_load_n(&m->pb_mt[pfn >> PB_MT_SHIFT],
			       __ATOMIC_RELAXED) ^
	       MIGRATE_MOVABLE;
}

/* A zone map id: the node's number times 8 plus the zone's index plus
 * one; 0 is no zone. */
_Static_assert(MAX_NR_ZONES < 8 && MAX_NUMNODES * 8 <= 65536,
	       "a zone id is 16 bits");
static inline uint16_t zone_map_id(int nid, enum zone_type idx)
{
	return (uint16_t)(nid << 3 | ((int)idx + 1));
}

static inline struct zone *zone_of_id(const struct mmk_machine *m,
				      unsigned int id)
{
	return id ? &m->node_data[id >> 3]->node_zones[(id & 7) - 1] : NULL;
}

static inline struct zone *pfn_zone_fast(const struct mmk_machine *m,
					 unsigned long pfn)
{
	return pfn < m->max_pfn ? zone_of_id(m, m->pb_zid[pfn >> m->pb_shift]) :
				  NULL;
}

static inline bool is_highmem_idx(enum zone_type idx)
{
	return idx == ZONE_HIGHMEM;
}

/* ---- mm/percpu.c: guards of per-CPU structures ----
 * Owner side: cpu_guard_trylock()/cpu_guard_unlock() around each access by
 * the thread that owns the CPU; on failure, use the shared (locked) path.
 * Remote side, under a lock that serialises remote users: request every
 * guard, cpu_guards_sync() once, wait on each, work, release each. */
static inline bool cpu_guard_trylock(struct cpu_guard *g);
static inline void cpu_guard_unlock(struct cpu_guard *g)
{
	atomic_store_explicit(&g->busy, 0, memory_order_release);
}
/* In a forked child: free whatever the guard's holders left set. */
static inline void cpu_guard_reset(struct cpu_guard *g)
{
	atomic_store(&g->busy, 0);
	atomic_store(&g->remote, 0);
}
void cpu_guard_request(struct cpu_guard *g);
void cpu_guards_sync(void);
void cpu_guard_wait(struct cpu_guard *g);
void cpu_guard_release(struct cpu_guard *g);

/* ---- mm/percpu.c: the percpu allocator ----
 * __alloc_percpu() returns an offset into every CPU's unit (-1: no room),
 * PCPU_MIN_ALLOC aligned and zeroed; per_cpu_ptr() is CPU @cpu's copy. */
int pcpu_init(struct mmk_machine *m);
void pcpu_exit(struct mmk_machine *m);
long __alloc_percpu(struct mmk_machine *m, size_t size);
void free_percpu(struct mmk_machine *m, long off, size_t size);

static inline void *per_cpu_ptr(const struct mmk_machine *m, size_t off,
				int cpu)
{
	return m->pcpu_base + (size_t)cpu * PCPU_UNIT_SIZE + off;
}

/* CPU @cpu's PCPU_SLOTS_STRIDE bytes for the allocation at @off: never
 * zeroed nor written by the allocator, so they cost the host a page only
 * once that CPU uses them, and the slots of a process's few caches on a
 * CPU share its pages. */
static inline void *per_cpu_slots(const struct mmk_machine *m, size_t off,
				  int cpu)
{
	return per_cpu_ptr(
		m, PCPU_AREA_SIZE + off / PCPU_MIN_ALLOC * PCPU_SLOTS_STRIDE,
		cpu);
}

/* ---- mm/memblock.c ---- */
int memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size,
		 int nid);
int memblock_reserve(struct memblock *mb, phys_addr_t base, phys_addr_t size);
phys_addr_t memblock_alloc_range(struct memblock *mb, phys_addr_t size,
				 phys_addr_t align, phys_addr_t start,
				 phys_addr_t end);
bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr);
unsigned long memblock_present_pages(const struct memblock *mb,
				     unsigned long spfn, unsigned long epfn);
unsigned long memblock_reserved_pages(const struct memblock *mb,
				      unsigned long spfn, unsigned long epfn);
/* Call @fn on each maximal range of memory that is RAM and not reserved. */
void memblock_for_each_free_range(const struct memblock *mb,
				  void (*fn)(void *arg, unsigned long spfn,
					     unsigned long epfn),
				  void *arg);

/* ---- mm/page_alloc.c ---- */
/* alloc_flags (Linux's mm/internal.h ALLOC_*) */
#define ALLOC_WMARK_MIN WMARK_MIN
#define ALLOC_WMARK_LOW WMARK_LOW
#define ALLOC_WMARK_HIGH WMARK_HIGH
#define ALLOC_WMARK_MASK 0x03
#define ALLOC_NO_WATERMARKS 0x04
#define ALLOC_OOM 0x08
#define ALLOC_NON_BLOCK 0x10
#define ALLOC_MIN_RESERVE 0x20
#define ALLOC_HIGHATOMIC 0x200
#define ALLOC_KSWAPD 0x800
#define ALLOC_NOFRAGMENT 0x100
#define ALLOC_RESERVES \
	(ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

struct alloc_context {
	struct zonelist *zonelist;
	unsigned long nodemask; /* 0 = every node */
	struct zone *preferred_zone;
	enum zone_type highest_zoneidx;
	int migratetype;
};

/* @z is one of @ac's zones (for_each_zone_zonelist_nodemask's test):
 * not above its highest zone, on a node of its nodemask. */
static inline bool zone_in_alloc_context(const struct zone *z,
					 const struct alloc_context *ac)
{
	return z->idx <= ac->highest_zoneidx &&
	       (!ac->nodemask ||
		(ac->nodemask & (1UL << z->zone_pgdat->node_id)));
}

/* Whether @z has @mark pages of @free_pages left for an @order request
 * of @alloc_flags (Linux's __zone_watermark_ok). */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 enum zone_type highest, unsigned int alloc_flags,
			 long free_pages);
/* The first type @mt may fall back on with a free block of @order on
 * @area: -1 if none, -2 if @claimable and @order is too low to claim a
 * pageblock. */
int find_suitable_fallback(const struct mmk_machine *m,
			   const struct free_area *area, unsigned int order,
			   int mt, bool claimable);
/* Compaction's free scanner (Linux's __isolate_free_page): the free
 * block at @pfn of @order leaves the free lists if the zone keeps its
 * min watermark after; a block of half a pageblock or more turns its
 * pageblocks movable. Zone locked. Returns its pages, or 0. */
unsigned long __isolate_free_page(struct mmk_machine *m, struct zone *zone,
				  unsigned long pfn, unsigned int order);
/* An isolated free block becomes 1 << @order order-0 allocations, each
 * with one reference (post_alloc_hook + split_page); false if its head
 * is corrupt (reported and leaked, as check_new_page does). */
bool split_isolated_block(struct mmk_machine *m, struct page *page,
			  unsigned int order);
/* PG_reported shares its bit with PG_uptodate, as in Linux: it is only
 * set on the head of a free block. */
#define PG_reported PG_uptodate
/* Take a free block off its list (page reporting isolates blocks while it
 * reports them) and put a reported one back. Zone locked. */
void __isolate_free_block(struct mmk_machine *m, struct zone *zone,
			  unsigned long pfn, unsigned int order);
void __putback_reported_block(struct mmk_machine *m, struct zone *zone,
			      unsigned long pfn, unsigned int order);

void page_alloc_atfork(struct mmk_machine *m, enum mmk_atfork phase);
void slab_atfork(struct mmk_machine *m, enum mmk_atfork phase);

/* ---- mm/page_reporting.c ---- */
/* A block of page_reporting_order or more was freed (zone locked). */
void page_reporting_notify_free(struct mmk_machine *m, struct zone *zone);
void __page_reporting_run(struct mmk_machine *m, struct zone *zone);
/* Report every unreported free block now, whatever the threshold and
 * delay (libmmkit-malloc.so's malloc_trim). */
void page_reporting_flush(struct mmk_machine *m);
void __page_reporting_run_late(struct mmk_machine *m, struct zone *zone,
			       unsigned int late_ms);
/* A report still pending @late_ms after its delay ran out runs now: a
 * machine that stops freeing blocks but allocates (libmmkit-malloc.so's
 * refills) gives back what it freed, long enough after that its next
 * allocations have not taken it again. */
static inline void page_reporting_run_late(struct mmk_machine *m,
					   struct zone *zone,
					   unsigned int late_ms)
{
	if (unlikely(atomic_load_explicit(&zone->report_pending,
					  memory_order_relaxed)))
		__page_reporting_run_late(m, zone, late_ms);
}
/* After the zone lock is dropped: report what notify_free asked for. */
static inline void page_reporting_run(struct mmk_machine *m, struct zone *zone)
{
	if (unlikely(atomic_load_explicit(&zone->report_pending,
					  memory_order_relaxed)))
		__page_reporting_run(m, zone);
}
void mmk_page_alloc_init(struct mmk_machine *m);
void mmk_free_boot_range(struct mmk_machine *m, unsigned long spfn,
			 unsigned long epfn);
void setup_per_zone_wmarks(struct mmk_machine *m);
/* Watermarks and reserves again after managed_pages changed (deferred
 * init), leaving the per-CPU list sizes as boot set them. */
void setup_per_zone_wmarks_late(struct mmk_machine *m);
/* The allocation fast path's marks again (page fault injection changed). */
void page_alloc_fast_path_update(struct mmk_machine *m);
/* mm/slub.c: every cache's alloc_slow again (slab fault injection changed). */
void slab_fast_path_update(struct mmk_machine *m);
void mmk_zone_pcp_init(struct mmk_machine *m, struct zone *zone);
/* Recompute the zones' pcp batch and high from their sizes (one grew). */
void zone_pcp_update_all(struct mmk_machine *m);
bool page_alloc_verify(struct mmk_machine *m, char *why, size_t len);
/* Whether @z has @mark free pages for an @order request (kswapd's
 * balance test, no reserves). */
bool zone_watermark_ok_safe(struct zone *z, unsigned int order,
			    unsigned long mark, enum zone_type highest);
unsigned long nr_free_buffer_pages(struct mmk_machine *m);
unsigned int gfp_zone_of(struct mmk_machine *m, gfp_t gfp, bool *valid);
/* Linux's warn_alloc(): "mmkit: <fmt>, mode:%#x(%pGg), nodemask=<list>"
 * ("(null)" for @nodemask 0: the request was not limited to some nodes)
 * then the memory picture, unless @gfp has __GFP_NOWARN, the rate limit
 * holds it back or @gfp wants a DMA zone that has no memory. */
__printf(4, 5) void warn_alloc(struct mmk_machine *m, gfp_t gfp,
			       unsigned long nodemask, const char *fmt, ...);
/* A node mask as "%*pbl" prints it ("0-1,3"; "(null)" for 0), in @buf
 * of @len bytes (mm/mempolicy.c). */
void nodemask_str(char *buf, size_t len, unsigned long nodemask);

/* ---- mm/vmstat.c ---- */
void count_vm_events(struct mmk_machine *m, enum vm_event_item item,
		     unsigned long delta);
unsigned long global_vm_event(struct mmk_machine *m, enum vm_event_item item);
unsigned long zone_numa_event(struct mmk_machine *m, struct zone *zone,
			      enum numa_stat_item item);
unsigned long global_numa_event(struct mmk_machine *m,
				enum numa_stat_item item);
unsigned long global_zone_page_state(struct mmk_machine *m,
				     enum zone_stat_item item);
unsigned long node_page_state(struct mmk_machine *m, int nid,
			      enum node_stat_item item);
unsigned long global_node_page_state(struct mmk_machine *m,
				     enum node_stat_item item);
void mod_zone_page_state(struct zone *zone, enum zone_stat_item item,
			 long delta);
int calculate_normal_threshold(struct mmk_machine *m, struct zone *zone);
extern const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS];
extern const char *const numa_stat_names[NR_VM_NUMA_EVENT_ITEMS];
extern const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS];

/* ---- mm/debug.c ---- */
__printf(2, 3) void printk(struct mmk_machine *m, const char *fmt, ...);
/* Linux's __ratelimit(): whether a message may go out now; when an
 * interval ends with messages held back, logs "@func: N callbacks
 * suppressed" first. */
bool __ratelimit(struct mmk_machine *m, struct ratelimit_state *rs,
		 const char *func);
void ratelimit_state_init(struct ratelimit_state *rs, uint64_t interval_ns,
			  int burst);
/* WARN_ON_ONCE's "once": true the first time @site asks on @m. */
bool warn_once(struct mmk_machine *m, enum warn_once site);
void dump_page(struct mmk_machine *m, const struct page *page,
	       const char *reason);
void bad_page(struct mmk_machine *m, const struct page *page,
	      const char *reason);
/* Linux's %pGg: GFP_KERNEL|__GFP_ZERO style names of @gfp. */
void format_gfp(gfp_t gfp, char *buf, size_t len);
/* A page's flags as %pGp names them: "referenced|head|node=0|zone=1". */
void format_page_flags(struct mmk_machine *m, const struct page *page,
		       char *buf, size_t len);
/* Linux's print_hex_dump(DUMP_PREFIX_ADDRESS, 16, 1, ascii): @len bytes
 * at @p, 16 a line, each line @prefix and the kernel address. */
void print_hex_dump(struct mmk_machine *m, const char *prefix, const void *p,
		    size_t len);
/* ---- mm/swap.c: the LRU lists and mlock's page state ---- */
void lruvec_init(struct lruvec *lruvec);
/* A user page joins its node's LRU (inactive, or the list its flags name). */
void lru_add(struct mmk_machine *m, struct page *page);
/* It leaves it (freed or out of the page cache): PG_lru, PG_active,
 * PG_unevictable and PG_mlocked go. */
void lru_del(struct mmk_machine *m, struct page *page);
void folio_activate(struct mmk_machine *m, struct page *page);
void folio_deactivate(struct mmk_machine *m, struct page *page);
/* A page-cache page left after an invalidation: to the inactive list
 * (dirty: with PG_reclaim, at the head; clean: at the tail). */
void deactivate_file_folio(struct mmk_machine *m, struct page *page);
void folio_mark_lazyfree(struct mmk_machine *m, struct page *page);
/* A VM_LOCKED mapping more (mlock_folio), or a new page's first. */
void mlock_page(struct mmk_machine *m, struct page *page);
void mlock_new_page(struct mmk_machine *m, struct page *page);
/* A VM_LOCKED mapping less: the last makes the page evictable. */
void munlock_page(struct mmk_machine *m, struct page *page);
bool lru_verify(struct mmk_machine *m, char *why, size_t len);
/* Take up to @nr_to_scan pages of zones up to @reclaim_idx off the tail
 * of node @nid's list @lru, each with a reference, into @dst; pages of
 * higher zones are skipped (pgskip). *@nr_scanned: pages looked at.
 * Counts them in nr_isolated_anon/file. */
unsigned long isolate_lru_pages(struct mmk_machine *m, int nid,
				enum lru_list lru, unsigned long nr_to_scan,
				enum zone_type reclaim_idx, struct page **dst,
				unsigned long *nr_scanned);
/* Back to the LRU (@file: isolated from a file list), the reference
 * dropped; or, reclaimed, only uncounted as isolated. */
void putback_lru_page(struct mmk_machine *m, struct page *page, bool file);
/* folio_isolate_lru(): @page off its (evictable) list with a reference;
 * *@file: it was on a file list. False if it is on none. */
bool isolate_page(struct mmk_machine *m, struct page *page, bool *file);
/* A reference to @page, which may be freed and reused meanwhile, taken
 * while it is on an LRU list (so that only put_page() frees it): 1; 0 if
 * its last reference is going; -EBUSY off every list (isolated, or not a
 * user page). */
int lru_page_tryget(struct mmk_machine *m, struct page *page);
void isolated_page_done(struct mmk_machine *m, struct page *page, bool file);
/* ---- mm/workingset.c: shadow entries and refault detection ---- */
/* nonresident_age of node @nid advances by @nr_pages. */
void workingset_age_nonresident(struct mmk_machine *m, int nid,
				unsigned long nr_pages);
/* @page, locked and off the LRU, is being evicted by reclaim: the shadow
 * (an xarray value entry, bit 0 set) to leave in its place. */
void *workingset_eviction(struct mmk_machine *m, struct page *page);
/* @page, new and not yet on the LRU, replaces @shadow: counts the
 * refault and activates it if the distance says so. */
void workingset_refault(struct mmk_machine *m, struct page *page,
			const void *shadow);
/* folio_mark_accessed() activated @page. */
void workingset_activation(struct mmk_machine *m, struct page *page);
/* @shadow is a shadow entry naming a node of @m. */
bool workingset_shadow_ok(struct mmk_machine *m, const void *shadow);
/* ---- mm/swapfile.c: swap entries and swap-cache shadows ---- */
/* Swap areas at most: the type takes 5 bits of an entry. */
#define MAX_SWAPFILES_SHIFT 5
#define MAX_SWAPFILES (1U << MAX_SWAPFILES_SHIFT)
/* An entry (swp_entry_t's value): the area's type above the slot's
 * offset, in BITS_PER_LONG - 1 bits so that shmem keeps it in an xarray
 * value entry. 0 names nothing (slot 0 is an area's header). */
#define SWP_TYPE_SHIFT (BITS_PER_LONG - 1 - MAX_SWAPFILES_SHIFT)
#define SWP_OFFSET_MASK ((1UL << SWP_TYPE_SHIFT) - 1)

static inline unsigned long swp_entry(unsigned int type, unsigned long offset)
{
	return ((unsigned long)type << SWP_TYPE_SHIFT) |
	       (offset & SWP_OFFSET_MASK);
}

static inline unsigned int swp_type(unsigned long entry)
{
	return (unsigned int)(entry >> SWP_TYPE_SHIFT);
}

static inline unsigned long swp_offset(unsigned long entry)
{
	return entry & SWP_OFFSET_MASK;
}

/* The shadow left in @entry's swap-cache entry, or NULL. */
void *swap_cache_get_shadow(unsigned long entry);
/* A shmem page written to @entry's slot left @shadow (shmem_writeout). */
void swap_cache_set_shadow(unsigned long entry, void *shadow);
/* ---- lists of pages through page->lru (the LRU, isolated pages) ---- */
/* Their links are stored whole: compound_head() of a page (the same word
 * as lru.next) is read without any list's lock by whoever takes or drops
 * a reference to it. */
static inline void set_link(struct list_head **link, struct list_head *v)
{
	__atomic_store_n(link, v, __ATOMIC_RELAXED);
}

/* list_add(): @new right after @head. */
static inline void lru_list_add(struct list_head *new, struct list_head *head)
{
	struct list_head *next = head->next;

	set_link(&next->prev, new);
	set_link(&new->next, next);
	set_link(&new->prev, head);
	set_link(&head->next, new);
}

/* list_add_tail(): @new right before @head. */
static inline void lru_list_add_tail(struct list_head *new,
				     struct list_head *head)
{
	lru_list_add(new, head->prev);
}

static inline void lru_list_del(struct list_head *entry)
{
	struct list_head *prev = entry->prev, *next = entry->next;

	set_link(&next->prev, prev);
	set_link(&prev->next, next);
	set_link(&entry->next, NULL);
	set_link(&entry->prev, NULL);
}
/* ---- mm/swap.c: isolation for migration ---- */
/* folio_isolate_lru() for compaction: @page off its list with a
 * reference, counted in nr_isolated_anon/file by PG_swapbacked; an
 * unevictable (mlocked) page only if @unevictable. False if it is on
 * no list. */
bool isolate_lru_page(struct mmk_machine *m, struct page *page,
		      bool unevictable);
/* An isolated page (or the new page of a migration, which took its
 * place) back on the LRU, the isolation's count and reference dropped;
 * mlocked: unevictable with @mlock_count (0: its mappings, at least 1). */
void putback_movable_page(struct mmk_machine *m, struct page *page,
			  unsigned int mlock_count);
/* ---- mm/rmap.c: migration's walk ---- */
/* What rmap_lock_mappers() holds: the anon_vma lock or @file's lock,
 * and the mmap lock of every mm with a VMA on @head (the anon_vma's
 * chain or the file's i_mmap; NULL: an unmapped anonymous page) but
 * @locked_mm, whose lock the caller holds. */
struct rmap_mappers {
	bool anon;
	struct file *file;
	struct list_head *head;
	struct mm_struct *locked_mm;
	unsigned long stamp; /* marks the mms it locked (rmap_lock_stamp) */
};
/* Try-lock all of @page's possible mappers at once: 0 with every lock
 * held, or -EAGAIN with none. */
int rmap_lock_mappers(struct page *page, struct mm_struct *locked_mm,
		      struct rmap_mappers *r);
void rmap_unlock_mappers(const struct rmap_mappers *r);
/* Under rmap_lock_mappers: how many entries map @old, and *@nr_mlocked
 * of them in VM_LOCKED VMAs; with @new, each entry now maps @new with
 * the same bits. */
int rmap_move_mappings(const struct rmap_mappers *r, struct page *old,
		       struct page *new, unsigned int *nr_mlocked);
/* ---- mm/filemap.c, mm/swapfile.c: a cache slot changes page ---- */
/* @new (carrying @old's state) takes @old's page-cache slot, and the
 * cache's reference, if @old has exactly @expected references; else
 * -EAGAIN. The caller holds the file's lock. */
int filemap_migrate_folio(struct page *old, struct page *new, int expected);
/* The same for @old's swap-cache slot (takes the swap lock). */
int swap_cache_migrate(struct page *old, struct page *new, int expected);
/* ---- mm/vmscan.c ---- */
/* The mm whose fault is allocating on this thread (reclaim_allow_mm),
 * whose lock it holds, or NULL. */
struct mm_struct *reclaim_locked_mm(void);
/* ---- mm/migrate.c ---- */
enum migrate_mode { MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC };
enum migrate_reason {
	MR_COMPACTION,
	MR_MEMORY_FAILURE,
	MR_MEMORY_HOTPLUG,
	MR_SYSCALL,
	MR_MEMPOLICY_MBIND,
	MR_NUMA_MISPLACED,
	MR_CONTIG_RANGE,
	MR_LONGTERM_PIN,
	MR_DEMOTION,
	MR_DAMON,
	MR_TYPES
};
#define NR_MAX_MIGRATE_PAGES_RETRY 10
typedef struct page *new_folio_t(struct page *src, unsigned long private);
typedef void free_folio_t(struct page *dst, unsigned long private);
/* Move the isolated pages of @from (linked through ->lru) to pages
 * @get_new_folio gives; @put_new_folio (NULL: put_page) takes back one
 * unused. Pages that fail stay on @from. Returns the pages not
 * migrated, or -ENOMEM when @get_new_folio gave none;
 * *@nr_succeeded (if not NULL) the pages migrated. */
int migrate_pages(struct list_head *from, new_folio_t *get_new_folio,
		  free_folio_t *put_new_folio, unsigned long private,
		  enum migrate_mode mode, int reason,
		  unsigned int *nr_succeeded);
/* Every page of @l back on the LRU (the failures of migrate_pages). */
void putback_movable_pages(struct list_head *l);
/* ---- mm/compaction.c (include/linux/compaction.h) ---- */
/* Linux's enum compact_priority: lower is harder. */
enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,
	MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL,
	COMPACT_PRIO_SYNC_LIGHT,
	MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	COMPACT_PRIO_ASYNC,
	INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC
};
/* Linux's enum compact_result, in its order. */
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,
	COMPACT_SKIPPED,
	COMPACT_DEFERRED,
	COMPACT_NO_SUITABLE_PAGE,
	COMPACT_CONTINUE,
	COMPACT_COMPLETE,
	COMPACT_PARTIAL_SKIPPED,
	COMPACT_CONTENDED,
	COMPACT_SUCCESS,
};
#define COMPACT_MAX_DEFER_SHIFT 6
/* What the page allocator calls upward (set by compaction_init). */
struct compaction_ops {
	/* Direct compaction of the zonelist's zones for an @order request. */
	enum compact_result (*try_to_compact_pages)(
		struct mmk_machine *m, gfp_t gfp, unsigned int order,
		unsigned int alloc_flags, const struct alloc_context *ac,
		enum compact_priority prio);
	/* An allocation of @order succeeded (or compaction thinks it
	 * will: !@alloc_success) in @zone: its deferral ends. */
	void (*defer_reset)(struct zone *zone, int order, bool alloc_success);
	/* Whether a zone of @ac would pass compaction's watermark check
	 * were its reclaimable pages freed (compaction_zonelist_suitable). */
	bool (*zonelist_suitable)(struct mmk_machine *m,
				  const struct alloc_context *ac, int order,
				  unsigned int alloc_flags);
};
/* The result says compaction did not run fully, so more may help
 * (compaction_withdrawn), or ran and found nothing (compaction_failed). */
static inline bool compaction_failed(enum compact_result result)
{
	return result == COMPACT_COMPLETE;
}

static inline bool compaction_withdrawn(enum compact_result result)
{
	return result == COMPACT_DEFERRED || result == COMPACT_CONTENDED ||
	       result == COMPACT_PARTIAL_SKIPPED;
}
/* Registered by reclaim_init(): the hooks, the zones' skip bitmaps. */
void compaction_init(struct mmk_machine *m);
/* kcompactd of node @pgdat: woken by kswapd for an @order request. */
void wakeup_kcompactd(struct mmk_machine *m, pg_data_t *pgdat, int order,
		      enum zone_type highest);
/* Run the woken kcompactds (where kswapd runs: kswapd_run). */
void kcompactd_run(struct mmk_machine *m);
/* kswapd goes to sleep: it clears the skip bits direct compaction asked
 * it to (reset_isolation_suitable). */
void reset_isolation_suitable(struct mmk_machine *m, pg_data_t *pgdat);
bool compaction_verify(struct mmk_machine *m, char *why, size_t len);
/* ---- mm/show_mem.c ---- */
/* "Mem-Info:" and what follows it in the kernel log (Linux's __show_mem),
 * for zones up to @gfp's highest, on the nodes of @nodemask (0: all). */
void show_mem(struct mmk_machine *m, gfp_t gfp, unsigned long nodemask);
/* The kernel log over @buf, MMK_LOG_SIZE bytes that outlive it. */
void mmk_log_init(struct mmk_log *log, char *buf);
void mmk_log_destroy(struct mmk_log *log);
/* Record the first verifier violation into @why. Returns false. */
__printf(3, 4) bool verify_fail(char *why, size_t len, const char *fmt, ...);

/* ---- mm/vmalloc.c ---- */
int vmalloc_init(struct mmk_machine *m);
void vmalloc_exit(struct mmk_machine *m);
bool vmalloc_verify(struct mmk_machine *m, char *why, size_t len);
/* The kernel address of a pointer into the vmalloc window, or 0. */
unsigned long vmalloc_kaddr(struct mmk_machine *m, const void *p);
unsigned long vmalloc_used_pages(struct mmk_machine *m);

/* ---- mm/highmem.c ---- */
int highmem_init(struct mmk_machine *m);
void highmem_exit(struct mmk_machine *m);
bool highmem_verify(struct mmk_machine *m, char *why, size_t len);
unsigned long highmem_kaddr(struct mmk_machine *m, const void *p);

/* ---- mm/fail.c ---- */
/* One eligible call of @f's kind: true when the plan says to fail it. */
bool should_fail(struct mmk_machine *m, struct mmk_fail *f);
bool should_fail_alloc_page(struct mmk_machine *m, gfp_t gfp,
			    unsigned int order);
uint64_t mmk_random(struct mmk_machine *m);

#endif /* MMK_MM_INTERNAL_H */
