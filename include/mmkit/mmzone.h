/* SPDX-License-Identifier: MIT */
/*
 * Nodes and zones (include/linux/mmzone.h): pg_data_t per NUMA node, each
 * with up to MAX_NR_ZONES zones; a zone owns the buddy free area of its
 * pfn range, its watermarks and per-CPU page lists.
 */
#ifndef MMKIT_MMZONE_H
#define MMKIT_MMZONE_H

#include <pthread.h>
#include <stdatomic.h>
#include <mmkit/types.h>

enum zone_type {
	ZONE_DMA,
	ZONE_DMA32, /* x86_64 only */
	ZONE_NORMAL,
	ZONE_HIGHMEM, /* i386 only */
	ZONE_MOVABLE,
	ZONE_DEVICE, /* x86_64 only */
	MAX_NR_ZONES
};

#define MAX_NUMNODES 64

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	WMARK_PROMO,
	NR_WMARK
};

/* Per-zone counters, in /proc/vmstat's order (its zone section). */
enum zone_stat_item {
	NR_FREE_PAGES,
	NR_FREE_PAGES_BLOCKS,
	NR_ZONE_INACTIVE_ANON,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_ZSPAGES,
	NR_FREE_CMA_PAGES,
	NR_VM_ZONE_STAT_ITEMS
};

enum numa_stat_item {
	NUMA_HIT,
	NUMA_MISS,
	NUMA_FOREIGN,
	NUMA_INTERLEAVE_HIT,
	NUMA_LOCAL,
	NUMA_OTHER,
	NR_VM_NUMA_EVENT_ITEMS
};

/*
 * Migrate types (Linux's enum migratetype): every pageblock has one, and a
 * free block is on the free list of its pageblock's type. The first
 * MIGRATE_PCPTYPES have per-CPU lists; nothing here isolates pageblocks,
 * so MIGRATE_ISOLATE only has its column in /proc/pagetypeinfo.
 */
enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

/* The types that can have free blocks (all but MIGRATE_ISOLATE). */
#define MIGRATE_FREE_TYPES (MIGRATE_HIGHATOMIC + 1)

/*
 * Per-CPU page lists cover orders 0..PAGE_ALLOC_COSTLY_ORDER, one list per
 * order and pcp migrate type, at index MIGRATE_PCPTYPES * order + type
 * (Linux's order_to_pindex). @busy and @remote implement the owner/remote
 * handshake described in mm/page_alloc.c.
 */
#define NR_PCP_ORDERS (PAGE_ALLOC_COSTLY_ORDER + 1)
#define NR_PCP_LISTS (MIGRATE_PCPTYPES * NR_PCP_ORDERS)

/*
 * Guard of a per-CPU structure (mm/percpu.c): the thread owning the CPU
 * sets @busy around its accesses; a remote drainer sets @remote and waits
 * for @busy to clear.
 */
struct cpu_guard {
	atomic_int busy;
	atomic_int remote;
};

struct per_cpu_pages {
	struct cpu_guard guard;
	atomic_int count; /* pages on all lists */
	atomic_int high; /* adaptive limit in [high_min, high_max] */
	int high_min;
	int high_max;
	int batch; /* pages moved per refill or flush */
	int free_count; /* recent frees, for the high-order heuristic */
	int alloc_factor; /* refill scale (batch << alloc_factor) */
	int flags; /* PCPF_* */
	/* Precomputed for the free fast path (mm/page_alloc.c), kept up to
	 * date with high, high_min and batch: high when high >= high_min
	 * and pcp lists are on, else 0, so that count < free_limit says
	 * "below an already clamped high"; batch << CONFIG_PCP_BATCH_SCALE_MAX
	 * (free_count's cap); batch + high_min / 2 (the free_high test). */
	int free_limit;
	int free_count_max;
	int free_high_count;
	/* Per list: its pages and the lowest free buddy block of the
	 * list's type and of its order or above, as of the last refill of
	 * that type. 32 bytes each, so the fast paths index them with a
	 * shift. */
	struct pcp_list {
		struct list_head list;
		unsigned long frontier;
	} __attribute__((aligned(32))) lists[NR_PCP_LISTS];
	/* Event counts written by the owner only (no atomic RMW): */
	atomic_ulong numa[NR_VM_NUMA_EVENT_ITEMS];
	/* fast-path allocations per order: numa_hit+local, and (shifted
	 * by their order) pgalloc_<zone> */
	atomic_ulong fast_allocs[NR_PCP_ORDERS];
	atomic_ulong free_pages; /* pages freed to this list: pgfree */
} __attribute__((aligned(128))); /* no false sharing between CPUs */

/* A hierarchical bitmap: bit i of level k+1 says word i of level k is
 * nonzero, so the lowest set bit is found with one ctz per level. Its two
 * lowest levels may be striped with other bitmaps' (lib/hbitmap.h). */
#define HBITMAP_MAX_LEVELS 6
#define HBITMAP_STRIPED_LEVELS 2
struct hbitmap {
	unsigned long *level[HBITMAP_MAX_LEVELS];
	unsigned int nr_levels;
	/* Striped levels: word j of level i < HBITMAP_STRIPED_LEVELS is
	 * word (j % 2^shift) of stripe s = j >> shift, the stripes one
	 * after the other from level[i] on, stripe_gap[i] words of other
	 * bitmaps' between two of its parts, but for the last stripe
	 * (last_stripe), which lies last_delta[i] words further. shift 63:
	 * not striped. */
	unsigned int stripe_gap[HBITMAP_STRIPED_LEVELS], last_stripe;
	int last_delta[HBITMAP_STRIPED_LEVELS];
	unsigned char stripe_shift[HBITMAP_STRIPED_LEVELS];
	unsigned long nbits;
};

/*
 * Free blocks of one order. Blocks are indexed by
 * (pfn - zone->buddy_base) >> order; the bitmap's lowest set bit is the
 * lowest-addressed free block, which is the one allocation takes.
 */
struct free_area {
	struct hbitmap map;
	atomic_ulong nr_free; /* read without the zone lock by watermark checks */
	/* Per migrate type: its free blocks of this order (zone lock). */
	unsigned long nr_free_mt[MIGRATE_FREE_TYPES];
};

/*
 * Per order and migrate type (summary k = order * MIGRATE_FREE_TYPES +
 * type), the pageblocks ((pfn - buddy_base) >> pageblock_order) of that
 * type that hold the head of a free block of that order, so a type's
 * lowest block is found without scanning the others': bit pb % 64 of
 * words[pb / 64][k], and bit w % 64 of index[k][w / 64] set iff
 * words[w][k] is nonzero. The summaries' words of one row lie together,
 * so a zone whose free memory is in a few places touches few pages.
 */
#define NR_MT_SUMMARIES ((unsigned long)NR_PAGE_ORDERS * MIGRATE_FREE_TYPES)
struct mt_summary {
	unsigned long *words; /* [nr_words][NR_MT_SUMMARIES] */
	unsigned long *index; /* [NR_MT_SUMMARIES][nr_index] */
	unsigned long nr_words, nr_index;
};

struct pglist_data;

struct zone {
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost;
	long lowmem_reserve[MAX_NR_ZONES];
	struct pglist_data *zone_pgdat;
	/* CPU 0's per-CPU page lists; each CPU's are pcp_stride bytes
	 * after the previous one's (zone_pcp()). */
	struct per_cpu_pages *per_cpu_pageset;
	int pageset_high_min, pageset_high_max, pageset_batch;
	int stat_threshold;
	unsigned int pcp_stride;

	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;
	atomic_long managed_pages;
	unsigned long buddy_base; /* zone_start_pfn rounded down to 2^10 */
	/* Deferred init: RAM from this pfn on is not on the free lists yet
	 * (zone end when all of it is). */
	atomic_ulong deferred_pfn;
	/* Page reporting: pages of free blocks already given back to the
	 * host (PageReported heads), under lock. */
	unsigned long reported_pages;
	/* Under lock: whether the block the last allocation from the free
	 * lists took (expand) was reported, so its memory not backed. */
	bool took_reported;
	atomic_bool report_pending; /* enough unreported free memory */
	atomic_ulong report_after; /* ... to report from this time (ns) */
	const char *name;
	enum zone_type idx;

	atomic_ulong flags; /* ZONE_BELOW_HIGH */
	pthread_mutex_t lock;
	struct free_area free_area[NR_PAGE_ORDERS];
	struct mt_summary mt_sum; /* host memory, zone lock */
	/* HighAtomic reserve: pages of pageblocks reserved, and free pages
	 * on the HighAtomic lists (written under the zone lock, read by
	 * watermark checks without). */
	unsigned long nr_reserved_highatomic;
	unsigned long nr_free_highatomic;
	/* HighAtomic pageblocks given back: their free blocks move lists
	 * without merging, so free buddies beyond a pageblock may stay
	 * apart (the verifier allows that once this is nonzero). */
	unsigned long nr_highatomic_unreserved;
	atomic_long vm_stat[NR_VM_ZONE_STAT_ITEMS];
	atomic_ulong vm_numa_event[NR_VM_NUMA_EVENT_ITEMS]; /* non-owner CPUs */
	/* Compaction (mm/compaction.c), under compact_lock: where the
	 * scanners restart (the migrate scanner's for async and sync
	 * runs), the pageblocks both scanners skip (a bit each, from the
	 * zone's first pageblock; NULL before compaction_init), and
	 * deferral after failures at an order (compact_considered tries
	 * of 1 << compact_defer_shift, from compact_order_failed up). */
	pthread_mutex_t compact_lock;
	unsigned long compact_cached_free_pfn;
	unsigned long compact_cached_migrate_pfn[2];
	unsigned long compact_init_migrate_pfn;
	unsigned long compact_init_free_pfn;
	unsigned long *pageblock_skip;
	unsigned int compact_considered;
	unsigned int compact_defer_shift;
	int compact_order_failed;
	bool compact_blockskip_flush;
};

/* @cpu's per-CPU page lists of @zone. A CPU's lists of every zone lie
 * together (mm/mm_init.c init_percpu), so a CPU that comes online touches
 * a page or two of them, not one per zone. */
static inline struct per_cpu_pages *zone_pcp(const struct zone *zone, int cpu)
{
	return (struct per_cpu_pages *)((char *)zone->per_cpu_pageset +
					(size_t)cpu * zone->pcp_stride);
}

#define MAX_ZONES_PER_ZONELIST (MAX_NUMNODES * MAX_NR_ZONES)
struct zonelist {
	struct zone *zones[MAX_ZONES_PER_ZONELIST + 1]; /* NULL-terminated */
};

/* The LRU lists of a node (Linux's lruvec without memory cgroups), in
 * the order of the node counters NR_INACTIVE_ANON .. NR_UNEVICTABLE.
 * Unevictable pages are counted but kept on no list, as in Linux. */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

struct lruvec {
	pthread_mutex_t lru_lock;
	struct list_head lists[LRU_UNEVICTABLE];
	/* mm/workingset.c: the clock of evictions and activations that
	 * shadow entries are stamped with. */
	atomic_ulong nonresident_age;
	/* workingset_activate_anon/file when reclaim last finished
	 * (snapshot_refaults): a change means a new workingset forms.
	 * Reclaimers of several threads read and write them unlocked, as
	 * Linux's do (READ_ONCE/WRITE_ONCE). */
	unsigned long refaults[2];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct lruvec __lruvec;
	struct zonelist node_zonelist;
	int nr_zones; /* highest populated zone index + 1 */
	int node_id;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	unsigned long totalreserve_pages;
	/* kswapd (mm/vmscan.c): the largest request that woke it since it
	 * last ran, whether it is woken or running, and its runs in a row
	 * that freed nothing (16: the node is hopeless). */
	atomic_int kswapd_order;
	atomic_int kswapd_highest_zoneidx;
	atomic_bool kswapd_wait;
	atomic_bool kswapd_running;
	atomic_int kswapd_failures;
	/* kcompactd (mm/compaction.c): the largest order and lowest zone
	 * kswapd asked it for since it last ran, and whether it is woken. */
	atomic_int kcompactd_max_order;
	atomic_int kcompactd_highest_zoneidx;
	atomic_bool kcompactd_wait;
	atomic_bool kcompactd_running;
} pg_data_t;

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline unsigned long zone_managed_pages(const struct zone *zone)
{
	return (unsigned long)atomic_load_explicit(&zone->managed_pages,
						   memory_order_relaxed);
}

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline unsigned long zone_page_state(const struct zone *zone,
					    enum zone_stat_item item)
{
	long x = atomic_load_explicit(&zone->vm_stat[item],
				      memory_order_relaxed);
	return x < 0 ? 0 : (unsigned long)x;
}

/* Deferred memory init recomputes watermarks while other CPUs allocate:
 * they are read and written as relaxed atomics. */
#define wmark_pages(z, i)                                         \
	(__atomic_load_n(&(z)->_watermark[i], __ATOMIC_RELAXED) + \
	 __atomic_load_n(&(z)->watermark_boost, __ATOMIC_RELAXED))
#define min_wmark_pages(z) wmark_pages(z, WMARK_MIN)
#define low_wmark_pages(z) wmark_pages(z, WMARK_LOW)
#define high_wmark_pages(z) wmark_pages(z, WMARK_HIGH)

#endif /* MMKIT_MMZONE_H */
