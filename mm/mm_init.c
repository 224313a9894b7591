/* SPDX-License-Identifier: MIT */
/*
 * Machine boot: the physical memory model (Linux's mm/mm_init.c,
 * arch/x86/kernel/e820.c and setup.c, mm/sparse.c, mm/page_alloc.c's
 * build_zonelists).
 *
 * 1. What it models. mmk_boot() lays out a PC's physical address space for
 *    the chosen architecture profile, registers RAM with memblock, reserves
 *    what firmware and the kernel image occupy, creates mem_map section by
 *    section inside simulated RAM, sizes nodes and zones, builds zonelists,
 *    frees the remaining RAM to the buddy allocator, and computes the
 *    watermarks and per-CPU list sizes.
 *
 *        pfn 0 │ 1 .. 9e │ 9f .. ff │ 100 .. │ ..  3G │ 3G..4G │ 4G ..
 *        BIOS  │ low RAM │ VGA/BIOS │ RAM    │        │ PCI    │ RAM (x86_64)
 *        res.  │ res.(1M)│ hole     │        │        │ hole   │
 *        ZONE_DMA (< 16M) │ ZONE_DMA32 (< 4G) ........│ ZONE_NORMAL
 *        i386: ZONE_DMA (< 16M) │ ZONE_NORMAL (< 896M) │ ZONE_HIGHMEM
 *
 *    RAM is [4K, 636K) and [1M, mem); on x86_64 RAM beyond 3G is remapped
 *    above 4G around the PCI hole, as firmware does. The first 1 MiB is
 *    reserved (Linux reserves it for real-mode code), so ZONE_DMA shows
 *    start_pfn 1, spanned 4095, present 3998, managed 3840 as on real x86.
 *    The kernel image is reserved at 16 MiB (CONFIG_PHYSICAL_START).
 *
 * 2. Objects. The memfd holds all physical memory; mem_map is a
 *    pfn-indexed struct page array (vmemmap): each 128 MiB section that
 *    has RAM gets 2 MiB of struct pages from its node's memmap buffer (one
 *    memblock allocation per node, top-down, as sparse_buffer_init) and
 *    mapped into a reserved host range at the section's place.
 *    Sections without RAM have no memmap (pfn_valid() is false there):
 *    their place reads as zeroed struct pages, which no code writes.
 *    pb_zid[pfn >> pb_shift] is the id of the zone of each 2^pb_shift
 *    pages (a pageblock or more: see init_zone_map), 0 where no RAM;
 *    zone_of_id() turns an id into the zone.
 *    The machine and its own tables (nodes, zone map, migrate types and
 *    their summaries, log, slab and vmalloc state) live in m->arena, host
 *    memory that mmk_shutdown() frees as a whole.
 *
 * 3. Invariants. Zones of a node are contiguous and ordered; every present
 *    pfn maps to exactly one zone (verified in page_alloc_verify); managed
 *    = present - reserved for each zone; zonelists list populated zones
 *    only, local node first, highest zone first.
 *
 * 4. Departures. mem_map starts zero-filled and struct pages are set up
 *    when first allocated (like deferred struct page init, but on demand):
 *    see include/mmkit/mm_types.h. The zone and node of a page come from
 *    pb_zid, not from page->flags. Node distances are 10 local, 20 remote;
 *    memory is split evenly across nodes in 4 MiB steps (like numa=fake);
 *    CPUs are split across nodes in contiguous blocks. i386 is the non-PAE
 *    profile, limited to 3 GiB of RAM (it cannot address memory above 4G).
 *
 * 5. Ordering. Boot runs on the calling thread; the machine is published
 *    to it only when fully initialised. A thread's CPU is claimed with a
 *    compare-and-swap on mmk_cpu.owner and released on switch or exit.
 *    CPU hotplug (cfg.cpus_on_demand): per-CPU areas are reserved for
 *    every possible CPU, but boot sets up only CPU 0's; mmk_cpu_up()
 *    sets up another's (struct mmk_cpu, pcp lists sized as its zones say,
 *    fast-path tables, every cache's array) the first time a thread takes
 *    it, then sets its bit in cpu_online_mask, holding slab_mutex,
 *    drain_lock and deferred_lock: every loop over online CPUs that
 *    configures them holds one of those, and the others see only CPUs
 *    already set up. CPUs never go offline.
 *
 * 6. Observability. /proc/zoneinfo spanned, present, managed, start_pfn;
 *    /proc/meminfo MemTotal, DirectMap; `check` verifies the zone map.
 */
#define _GNU_SOURCE
#include "mm/internal.h"
#include "mm/slab.h"
#include "mm/vma.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mmk_thread_local struct mmk_task_ctx mmk_ctx;

#define SZ_1M (1UL << 20)
#define SZ_16M (16UL << 20)
#define KERNEL_IMAGE_SIZE (8UL << 20)

const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "HighMem", "Movable", "Device",
};

const char *const zone_event_suffix[MAX_NR_ZONES] = {
	"dma", "dma32", "normal", "high", "movable", "device",
};

const struct mmk_arch_profile mmk_arch_x86_64 = {
	.name = "x86_64",
	.arch = MMK_ARCH_X86_64,
	.nr_zone_types = 5,
	.zone_types = { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE,
			ZONE_DEVICE },
	.zone_end_pfn = { [ZONE_DMA] = SZ_16M >> PAGE_SHIFT,
			  [ZONE_DMA32] = (4UL << 30) >> PAGE_SHIFT,
			  [ZONE_NORMAL] = ~0UL },
	.lowmem_reserve_ratio = { [ZONE_DMA] = 256,
				  [ZONE_DMA32] = 256,
				  [ZONE_NORMAL] = 32 },
	.pageblock_order = 9,
	.section_size_bits = 27,
	.min_mem = 32UL << 20,
	.max_mem = 1ULL << 40,
	.page_offset = 0xffff888000000000ULL,
	.vmalloc_start = 0xffffc90000000000ULL,
	.vmalloc_end = 0xffffe8ffffffffffULL,
	.hugepage_kb = 2048,
	.ptr_bytes = 8,
	.numa = true,
	.thp = true,
};

const struct mmk_arch_profile mmk_arch_i386 = {
	.name = "i386",
	.arch = MMK_ARCH_I386,
	.nr_zone_types = 4,
	.zone_types = { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, ZONE_MOVABLE },
	.zone_end_pfn = { [ZONE_DMA] = SZ_16M >> PAGE_SHIFT,
			  [ZONE_NORMAL] = (896UL << 20) >> PAGE_SHIFT,
			  [ZONE_HIGHMEM] = ~0UL },
	.lowmem_reserve_ratio = { [ZONE_DMA] = 256, [ZONE_NORMAL] = 32 },
	.pageblock_order = 10,
	.section_size_bits = 26,
	.min_mem = 32UL << 20,
	.max_mem = 3ULL << 30,
	.page_offset = 0xc0000000ULL,
	/* vmalloc: from high_memory, derived at boot (boot_machine). */
	.hugepage_kb = 4096,
	.ptr_bytes = 4,
	/* No PAE: 2-level page tables, no THP; one node, no NUMA. */
	.numa = false,
	.thp = false,
};

void mmk_config_init(struct mmk_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->arch = MMK_ARCH_X86_64;
	cfg->mem_bytes = 1ULL << 30;
	cfg->nr_nodes = 1;
	cfg->nr_cpus = 2;
	cfg->pcp = true;
	cfg->page_reporting_delay_ms = 2000;
}

const char *mmk_version(void)
{
	return "0.1.0";
}

/* ---- the calling thread and its CPU ---- */

static pthread_key_t cpu_key;
static pthread_once_t cpu_key_once = PTHREAD_ONCE_INIT;

static void cpu_key_destructor(void *arg)
{
	(void)arg;
	mmk_release_cpu();
}

static void cpu_key_create(void)
{
	pthread_key_create(&cpu_key, cpu_key_destructor);
}

static uintptr_t thread_token(void)
{
	return (uintptr_t)&mmk_ctx;
}

static bool claim_cpu(struct mmk_machine *m, int cpu)
{
	uintptr_t expect = 0;

	if (!atomic_compare_exchange_strong(&m->cpus[cpu].owner, &expect,
					    thread_token()))
		return false;
	mmk_ctx.cpu = &m->cpus[cpu];
	mmk_ctx.pcpu_base = per_cpu_ptr(m, 0, cpu);
	pthread_once(&cpu_key_once, cpu_key_create);
	pthread_setspecific(cpu_key, &mmk_ctx);
	return true;
}

void mmk_release_cpu(void)
{
	uintptr_t self = thread_token();

	/* Only a CPU this thread still owns, of a machine still live:
	 * another thread may have shut it down since (its memory gone, or
	 * a new machine at its address, whose CPU another thread holds). */
	if (mmk_ctx.cpu && mmk_machine_live(mmk_ctx.m))
		atomic_compare_exchange_strong(&mmk_ctx.cpu->owner, &self, 0);
	mmk_ctx.cpu = NULL;
	mmk_ctx.pcpu_base = NULL;
}

/*
 * The machines booted and not yet shut down. mmk_set_current(),
 * mmk_check() and mmk_shutdown() refuse a pointer that is not one of them
 * (shut down already, or never a machine) rather than follow it into
 * unmapped memory.
 */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mmk_machine *live_head;

static void live_add(struct mmk_machine *m)
{
	pthread_mutex_lock(&live_lock);
	m->live_next = live_head;
	live_head = m;
	pthread_mutex_unlock(&live_lock);
}

/* Unlink @m if it is live; whether it was. */
static bool live_remove(struct mmk_machine *m)
{
	struct mmk_machine **pp;
	bool found = false;

	pthread_mutex_lock(&live_lock);
	for (pp = &live_head; *pp; pp = &(*pp)->live_next)
		if (*pp == m) {
			*pp = m->live_next;
			found = true;
			break;
		}
	pthread_mutex_unlock(&live_lock);
	return found;
}

/* Whether this thread holds live_lock (from mmk_atfork()'s PREPARE to
 * its PARENT or CHILD). */
static mmk_thread_local bool live_lock_mine;

/* Whether @m is live; live_lock held. */
static bool live_has(const struct mmk_machine *m)
{
	const struct mmk_machine *l;

	for (l = live_head; l; l = l->live_next)
		if (l == m)
			return true;
	return false;
}

bool mmk_machine_live(const struct mmk_machine *m)
{
	bool found;

	if (live_lock_mine)
		return live_has(m);
	pthread_mutex_lock(&live_lock);
	found = live_has(m);
	pthread_mutex_unlock(&live_lock);
	return found;
}

int mmk_set_current(struct mmk_machine *m)
{
	int cpu;

	if (m && !mmk_machine_live(m)) {
		errno = EINVAL;
		return -EINVAL;
	}
	mmk_release_cpu();
	mmk_ctx.m = m;
	if (!m)
		return 0;
	/* A free online CPU first; else bring the first free one up. */
	for_each_online_cpu(m, cpu)
		if (claim_cpu(m, cpu))
			return 0;
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		mmk_cpu_up(m, cpu);
		if (claim_cpu(m, cpu))
			break;
	}
	return 0;
}

struct mmk_machine *mmk_current(void)
{
	return mmk_ctx.m;
}

int mmk_set_cpu(int cpu)
{
	struct mmk_machine *m = mmk_ctx.m;
	struct mmk_cpu *old = mmk_ctx.cpu;

	if (!m || cpu < 0 || cpu >= m->nr_cpus)
		return -EINVAL;
	if (old && old->id == cpu)
		return 0;
	mmk_cpu_up(m, cpu);
	if (atomic_load(&m->cpus[cpu].owner) != 0)
		return -EBUSY;
	mmk_release_cpu();
	if (claim_cpu(m, cpu))
		return 0;
	if (old)
		claim_cpu(m, old->id);
	return -EBUSY;
}

/* A misuse of the API with no machine to log it to: the host's standard
 * error, without stdio (the freestanding build has none). */
static __printf(1, 2) void host_warn(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	mmk_host_stderr(line);
}

void mmk_atfork(struct mmk_machine *m, enum mmk_atfork phase)
{
	int cpu;

	if (!m)
		return;
	if (!mmk_machine_live(m)) {
		host_warn("mmkit: mmk_atfork: %p is not a live machine\n",
			  (void *)m);
		return;
	}
	/* Each phase once, in order: PREPARE twice would wait for its own
	 * locks, PARENT or CHILD without it would release locks not held. */
	if (atomic_exchange(&m->atfork_prepared, phase == MMK_ATFORK_PREPARE) ==
	    (phase == MMK_ATFORK_PREPARE)) {
		/* Not printk(): a second PREPARE holds the log's lock. */
		host_warn("mmkit: mmk_atfork: phase %d out of order\n",
			  (int)phase);
		return;
	}
	/* Lock order: live machines, slab_mutex, node list_locks, drain,
	 * deferred, report, zones, then the fault-injection and log locks printk may
	 * take. */
	if (phase == MMK_ATFORK_PREPARE) {
		pthread_mutex_lock(&live_lock);
		live_lock_mine = true;
		slab_atfork(m, phase);
		page_alloc_atfork(m, phase);
		pthread_mutex_lock(&m->fail_lock);
		pthread_mutex_lock(&m->log.lock);
		return;
	}
	pthread_mutex_unlock(&m->log.lock);
	pthread_mutex_unlock(&m->fail_lock);
	page_alloc_atfork(m, phase);
	slab_atfork(m, phase);
	live_lock_mine = false;
	pthread_mutex_unlock(&live_lock);
	if (phase != MMK_ATFORK_CHILD)
		return;
	/* Only the forking thread survives: its CPU stays its own, the
	 * others are free again (their cached pages and objects are still
	 * on their lists, for drains and for the next thread to take). */
	for_each_online_cpu(m, cpu)
		if (&m->cpus[cpu] != mmk_ctx.cpu)
			atomic_store(&m->cpus[cpu].owner, 0);
}

int mmk_get_cpu(void)
{
	return mmk_ctx.cpu ? mmk_ctx.cpu->id : -1;
}

/* ---- pfn, page and address translation ---- */

static bool section_has_memmap(const struct mmk_machine *m, unsigned long pfn)
{
	return pfn_zone_fast(m, pfn) != NULL;
}

struct zone *mmk_pfn_zone(struct mmk_machine *m, unsigned long pfn)
{
	return pfn_zone_fast(m, pfn);
}

bool pfn_valid(unsigned long pfn)
{
	struct mmk_machine *m = mmk_cur();

	return m && section_has_memmap(m, pfn);
}

struct page *pfn_to_page(unsigned long pfn)
{
	struct mmk_machine *m = mmk_cur();

	if (!m || !section_has_memmap(m, pfn))
		return NULL;
	return m->mem_map + pfn;
}

/* The translations below answer for the calling thread's machine; with
 * none, a page is nobody's (pfn ULONG_MAX, no zone, no address). */
unsigned long page_to_pfn(const struct page *page)
{
	struct mmk_machine *m = mmk_cur();

	return m ? (unsigned long)(page - m->mem_map) : ULONG_MAX;
}

struct zone *page_zone(const struct page *page)
{
	struct mmk_machine *m = mmk_cur();

	return m ? mmk_pfn_zone(m, (unsigned long)(page - m->mem_map)) : NULL;
}

int get_pageblock_migratetype(const struct page *page)
{
	struct mmk_machine *m = mmk_cur();
	unsigned long pfn;

	if (!m)
		return -1;
	pfn = (unsigned long)(page - m->mem_map);
	return mmk_pfn_zone(m, pfn) ? get_pfnblock_migratetype(m, pfn) : -1;
}

int page_to_nid(const struct page *page)
{
	struct zone *zone = page_zone(page);

	return zone ? zone->zone_pgdat->node_id : NUMA_NO_NODE;
}

bool PageHighMem(const struct page *page)
{
	struct mmk_machine *m = mmk_cur();

	return m && (unsigned long)(page - m->mem_map) >= m->lowmem_end_pfn;
}

void *mmk_phys_to_virt(struct mmk_machine *m, phys_addr_t phys)
{
	return (char *)m->phys.base + phys;
}

phys_addr_t mmk_virt_to_phys(struct mmk_machine *m, const void *p)
{
	return (phys_addr_t)((const char *)p - (const char *)m->phys.base);
}

void *page_address(const struct page *page)
{
	struct mmk_machine *m = mmk_cur();
	unsigned long pfn;

	if (!m)
		return NULL;
	pfn = (unsigned long)(page - m->mem_map);
	if (pfn >= m->lowmem_end_pfn)
		return m->kmap_address ? m->kmap_address(m, page) : NULL;
	return (char *)m->phys.base + ((size_t)pfn << PAGE_SHIFT);
}

unsigned long mmk_kaddr(const void *p)
{
	struct mmk_machine *m = mmk_cur();
	const char *base;

	if (!m)
		return 0;
	base = m->phys.base;
	if ((const char *)p < base ||
	    (const char *)p >= base + ((size_t)m->lowmem_end_pfn << PAGE_SHIFT))
		return vmalloc_kaddr(m, p) ? vmalloc_kaddr(m, p) :
					     highmem_kaddr(m, p);
	return (unsigned long)(m->arch->page_offset +
			       (uint64_t)((const char *)p - base));
}

struct page *virt_to_page(const void *addr)
{
	struct mmk_machine *m = mmk_cur();
	const char *p = addr, *base;

	if (!m)
		return NULL;
	base = m->phys.base;
	if (p < base || p >= base + ((size_t)m->lowmem_end_pfn << PAGE_SHIFT))
		return NULL;
	return pfn_to_page((unsigned long)((size_t)(p - base) >> PAGE_SHIFT));
}

/* ---- boot ---- */

static int add_ram(struct mmk_machine *m, uint64_t start, uint64_t end)
{
	return memblock_add(&m->memblock, start, end - start, 0);
}

/* Split RAM across nodes: node k starts where the RAM below reaches k
 * equal shares, rounded down to a 4 MiB (max-order) boundary so no buddy
 * block straddles two nodes. */
static int assign_nodes(struct mmk_machine *m)
{
	struct memblock_type *mem = &m->memblock.memory;
	struct memblock_type ram = *mem;
	uint64_t cut[MAX_NUMNODES + 1], total = 0, acc = 0;
	const uint64_t align = (uint64_t)MAX_ORDER_NR_PAGES << PAGE_SHIFT;
	const int nr = m->nr_nodes; /* not changed by memblock_add() */
	int i, k = 1, nid;

	for (i = 0; i < ram.cnt; i++)
		total += ram.regions[i].size;
	cut[0] = 0;
	for (i = 0; i < ram.cnt && k < nr; i++) {
		const struct memblock_region *r = &ram.regions[i];

		while (k < nr &&
		       acc + r->size >= total / (uint64_t)nr * (uint64_t)k) {
			uint64_t target = total / (uint64_t)nr * (uint64_t)k;

			cut[k] = ALIGN_DOWN(r->base + (target - acc), align);
			if (cut[k] <= cut[k - 1])
				return -EINVAL;
			k++;
		}
		acc += r->size;
	}
	if (k < nr) /* too little RAM for a cut per node */
		return -EINVAL;
	cut[nr] = UINT64_MAX;
	mem->cnt = 0;
	for (i = 0; i < ram.cnt; i++) {
		uint64_t base = ram.regions[i].base;
		uint64_t end = base + ram.regions[i].size;

		for (nid = 0; nid < nr; nid++) {
			uint64_t s = max(base, cut[nid]),
				 e = min(end, cut[nid + 1]);

			if (s < e && memblock_add(&m->memblock, s, e - s, nid))
				return -ENOMEM;
		}
	}
	for (nid = 0; nid < nr; nid++) {
		bool has = false;

		for (i = 0; i < mem->cnt; i++)
			has = has || mem->regions[i].nid == nid;
		if (!has)
			return -EINVAL;
	}
	return 0;
}

static int layout_ram(struct mmk_machine *m)
{
	uint64_t mem = m->cfg.mem_bytes & PAGE_MASK;
	uint64_t low_end = mem, high = 0;
	int err;

	if (m->arch->arch == MMK_ARCH_X86_64 && mem > (3ULL << 30)) {
		low_end = 3ULL << 30;
		high = mem - low_end;
	}
	err = add_ram(m, PAGE_SIZE, 0x9f000);
	if (!err)
		err = add_ram(m, SZ_1M, low_end);
	if (!err && high)
		err = add_ram(m, 4ULL << 30, (4ULL << 30) + high);
	if (err)
		return err;
	m->max_pfn = (unsigned long)((high ? (4ULL << 30) + high : low_end) >>
				     PAGE_SHIFT);
	err = assign_nodes(m);
	if (err)
		return err;
	/* Firmware and real-mode area, then the kernel image. */
	if (memblock_reserve(&m->memblock, 0, SZ_1M) ||
	    memblock_reserve(&m->memblock, SZ_16M, KERNEL_IMAGE_SIZE))
		return -ENOMEM;
	m->nr_kernel_pages =
		memblock_reserved_pages(&m->memblock, 0, m->max_pfn);
	return 0;
}

static void node_range(struct mmk_machine *m, int nid, unsigned long *spfn,
		       unsigned long *epfn)
{
	int i;

	*spfn = ~0UL;
	*epfn = 0;
	for (i = 0; i < m->memblock.memory.cnt; i++) {
		const struct memblock_region *r =
			&m->memblock.memory.regions[i];

		if (r->nid != nid)
			continue;
		*spfn = min(*spfn, (unsigned long)(r->base >> PAGE_SHIFT));
		*epfn = max(*epfn,
			    (unsigned long)((r->base + r->size) >> PAGE_SHIFT));
	}
}

static int node_of_pfn(struct mmk_machine *m, unsigned long pfn)
{
	int nid;

	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		if (pfn >= pgdat->node_start_pfn &&
		    pfn < pgdat->node_start_pfn + pgdat->node_spanned_pages)
			return nid;
	}
	return 0;
}

static void init_zone_ranges(struct mmk_machine *m, pg_data_t *pgdat,
			     unsigned long spfn, unsigned long epfn)
{
	const struct mmk_arch_profile *a = m->arch;
	unsigned long lo = 0;
	int i;

	for (i = 0; i < a->nr_zone_types; i++) {
		enum zone_type t = a->zone_types[i];
		struct zone *zone = &pgdat->node_zones[t];
		unsigned long hi = a->zone_end_pfn[t];
		unsigned long zs = max(lo, spfn), ze = min(hi, epfn);

		/* ZONE_MOVABLE needs kernelcore=; ZONE_DEVICE, hotplug. */
		if (t == ZONE_MOVABLE || t == ZONE_DEVICE)
			continue;
		if (zs < ze) {
			zone->zone_start_pfn = zs;
			zone->spanned_pages = ze - zs;
			zone->present_pages =
				memblock_present_pages(&m->memblock, zs, ze);
			pgdat->nr_zones = (int)t + 1;
		}
		lo = hi;
	}
}

void *mmk_machine_zalloc_written(struct mmk_machine *m, size_t size)
{
	void *p = mmk_machine_zalloc(m, size);

	if (p)
		mmk_host_populate(p, size);
	return p;
}

static int init_nodes(struct mmk_machine *m)
{
	int nid, t;

	for_each_online_node(m, nid) {
		pg_data_t *pgdat =
			mmk_machine_zalloc_written(m, sizeof(*pgdat));
		unsigned long spfn, epfn;

		if (!pgdat)
			return -ENOMEM;
		m->node_data[nid] = pgdat;
		pgdat->node_id = nid;
		lruvec_init(&pgdat->__lruvec);
		node_range(m, nid, &spfn, &epfn);
		pgdat->node_start_pfn = spfn;
		pgdat->node_spanned_pages = epfn - spfn;
		pgdat->node_present_pages =
			memblock_present_pages(&m->memblock, spfn, epfn);
		for (t = 0; t < MAX_NR_ZONES; t++) {
			struct zone *zone = &pgdat->node_zones[t];

			zone->zone_pgdat = pgdat;
			zone->idx = (enum zone_type)t;
			zone->name = zone_names[t];
			mmk_host_mutex_init(&zone->lock);
			mmk_host_mutex_init(&zone->compact_lock);
		}
		init_zone_ranges(m, pgdat, spfn, epfn);
	}
	return 0;
}

/* Boot allocations must be direct-mapped: below 896M on i386 (Linux's
 * memblock current_limit is max_low_pfn there). */
static phys_addr_t boot_limit(const struct mmk_machine *m)
{
	return (phys_addr_t)m->lowmem_end_pfn << PAGE_SHIFT;
}

/* The zone of the pageblock at @pfn: the last zone, in node and zone
 * order, whose span meets it where it has RAM; NULL: no RAM there. */
static struct zone *pageblock_zone(struct mmk_machine *m, unsigned long pfn)
{
	unsigned long pb = 1UL << m->arch->pageblock_order;
	struct zone *found = NULL;
	int nid, t;

	if (!memblock_present_pages(&m->memblock, pfn, pfn + pb))
		return NULL;
	for_each_online_node(m, nid)
		for (t = 0; t < MAX_NR_ZONES; t++) {
			struct zone *z = &m->node_data[nid]->node_zones[t];

			if (z->present_pages &&
			    ALIGN_DOWN(z->zone_start_pfn, pb) <= pfn &&
			    pfn < zone_end_pfn(z))
				found = z;
		}
	return found;
}

static unsigned long edge_after(unsigned long c, unsigned long pfn,
				unsigned long best)
{
	return c > pfn && c < best ? c : best;
}

/*
 * The first pfn after @pfn where pageblock_zone() may change, or ~0UL:
 * it can change only at the pageblock that holds a zone's first pfn or
 * a RAM region's, and at the first pageblock past a zone's or region's
 * end.
 */
static unsigned long zone_map_next_edge(struct mmk_machine *m,
					unsigned long pfn)
{
	unsigned long pb = 1UL << m->arch->pageblock_order, best = ~0UL;
	struct zone *z;
	int i, nid, t;

	for (i = 0; i < m->memblock.memory.cnt; i++) {
		const struct memblock_region *r =
			&m->memblock.memory.regions[i];

		best = edge_after(ALIGN_DOWN(r->base >> PAGE_SHIFT, pb), pfn,
				  best);
		best = edge_after(ALIGN((r->base + r->size) >> PAGE_SHIFT, pb),
				  pfn, best);
	}
	for_each_zone_m(m, nid, t, z) {
		if (!z->present_pages)
			continue;
		best = edge_after(ALIGN_DOWN(z->zone_start_pfn, pb), pfn, best);
		best = edge_after(ALIGN(zone_end_pfn(z), pb), pfn, best);
	}
	return best;
}

/*
 * The zone map (pb_zid): one entry per 2^pb_shift pages, pb_shift the
 * coarsest granularity, from a pageblock up to a section, at which every
 * entry covers pageblocks of one zone only, or only pageblocks without
 * RAM. Zone and node boundaries usually fall on 16 MiB or more, so the
 * map of a large machine stays small (a 64G x86_64 machine: 8 KiB of
 * two-byte zone ids instead of 64 KiB at pageblock granularity, all of it
 * written at boot).
 * Only the edges are looked at, and the entries between two edges take
 * the zone of the first: a call of pageblock_zone() per pageblock, then
 * per entry, took a quarter of a millisecond on a 24G machine, which
 * libmmkit-malloc.so pays in every process.
 */
static int init_zone_map(struct mmk_machine *m)
{
	unsigned long pb = 1UL << m->arch->pageblock_order;
	unsigned int shift = m->arch->section_size_bits - PAGE_SHIFT;
	unsigned long pfn, e, n;

	for (e = zone_map_next_edge(m, 0); e < m->max_pfn;
	     e = zone_map_next_edge(m, e))
		if (pageblock_zone(m, e) != pageblock_zone(m, e - pb))
			shift = min(shift, (unsigned int)__builtin_ctzl(e));
	m->pb_shift = shift;
	n = (m->max_pfn >> shift) + 1;
	m->pb_zid =
		mmk_machine_zalloc_written(m, (size_t)n * sizeof(*m->pb_zid));
	if (!m->pb_zid)
		return -ENOMEM;
	/* An edge where the zone changes is a multiple of 2^shift; one where
	 * it does not may fall inside an entry, whose zone is then the
	 * same on both sides. */
	for (pfn = 0; pfn < m->max_pfn;) {
		struct zone *z = pageblock_zone(m, pfn);
		uint16_t id = z ? zone_map_id(z->zone_pgdat->node_id, z->idx) :
				  0;

		e = min(zone_map_next_edge(m, pfn), m->max_pfn);
		for (; pfn < e; pfn += 1UL << shift)
			m->pb_zid[pfn >> shift] = id;
	}
	return 0;
}

/* Back sections *@run..@end-1 of the memmap (the holes between the
 * sections a machine of shared memory aliases) with private memory of
 * the host, in one mapping. A machine of private memory has its whole
 * memmap mapped at once (init_sparse()). */
static int map_private_run(struct mmk_machine *m, unsigned long *run,
			   unsigned long end, size_t sec_bytes)
{
	unsigned long s = *run;

	*run = end;
	if (s >= end)
		return 0;
	return mmk_host_map_private((char *)m->vmemmap + s * sec_bytes,
				    (end - s) * sec_bytes);
}

/* Boot memory for memmap of node @nid: inside the node if it fits there,
 * else anywhere below the boot limit (Linux's memmap_alloc()). */
static phys_addr_t memmap_alloc(struct mmk_machine *m, int nid, size_t bytes)
{
	pg_data_t *pgdat = m->node_data[nid];
	phys_addr_t lo, hi, phys;

	lo = (phys_addr_t)pgdat->node_start_pfn << PAGE_SHIFT;
	hi = (phys_addr_t)(pgdat->node_start_pfn + pgdat->node_spanned_pages)
	     << PAGE_SHIFT;
	hi = min(hi, boot_limit(m));
	phys = memblock_alloc_range(&m->memblock, bytes, PAGE_SIZE, lo, hi);
	if (!phys)
		phys = memblock_alloc_range(&m->memblock, bytes, PAGE_SIZE, 0,
					    boot_limit(m));
	return phys;
}

/* The first memory section at or after @s that has RAM, or @nsec.
 * Memblock's memory regions are sorted by address, and callers walk up
 * the sections: *@r, the region the last call stopped at (0 to start),
 * is where this one starts looking. */
static unsigned long next_present_section(const struct mmk_machine *m,
					  unsigned long s, unsigned long nsec,
					  int *r)
{
	unsigned int sb = m->arch->section_size_bits - PAGE_SHIFT;
	const struct memblock_type *mem = &m->memblock.memory;

	for (; *r < mem->cnt; ++*r) {
		unsigned long rs =
			(unsigned long)(mem->regions[*r].base >> PAGE_SHIFT);
		unsigned long re = rs + (unsigned long)(mem->regions[*r].size >>
							PAGE_SHIFT);

		if (re > s << sb)
			return min(max(s, rs >> sb), nsec);
	}
	return nsec;
}

/* The node's memmap buffer: one boot allocation for the memmap of every
 * section of node @nid that has RAM, as Linux's sparse_buffer_init()
 * makes. 0 if it fits nowhere: each section then gets its own. */
static phys_addr_t sparse_buffer_init(struct mmk_machine *m, int nid,
				      unsigned long nsec, size_t sec_bytes)
{
	unsigned int sb = m->arch->section_size_bits - PAGE_SHIFT;
	unsigned long s, count = 0;
	int r = 0;

	for (s = next_present_section(m, 0, nsec, &r); s < nsec;
	     s = next_present_section(m, s + 1, nsec, &r))
		if (node_of_pfn(m, s << sb) == nid)
			count++;
	return count ? memmap_alloc(m, nid, count * sec_bytes) : 0;
}

/* The zone map and the memmap of each section that has RAM. */
static int init_sparse(struct mmk_machine *m)
{
	unsigned int sb = m->arch->section_size_bits - PAGE_SHIFT;
	unsigned long pps = 1UL << sb, nsec, s, run = 0;
	size_t sec_bytes = pps * sizeof(struct page);
	phys_addr_t buf[MAX_NUMNODES] = { 0 };
	int err = init_zone_map(m), r = 0, nid;

	if (err)
		return err;
	nsec = (m->max_pfn + pps - 1) >> sb;
	m->vmemmap_len = nsec * sec_bytes;
	/* Private memory: the sections' memmap and the holes are one
	 * mapping of private memory (below), made at once. */
	m->vmemmap = m->phys.fd < 0 ? mmk_host_map_anon(m->vmemmap_len) :
				      mmk_host_reserve(m->vmemmap_len);
	if (!m->vmemmap)
		return -ENOMEM;
	m->mem_map = m->vmemmap;
	for_each_online_node(m, nid)
		buf[nid] = sparse_buffer_init(m, nid, nsec, sec_bytes);
	/* Holes are private memory of the run: they read as zeroed struct
	 * pages (pfn_valid() stays false; the host backs nothing until a
	 * page is written, and nothing writes there), so kfree() and
	 * malloc's free() can look up any pfn of the direct map without a
	 * check. */
	for (s = next_present_section(m, 0, nsec, &r); s < nsec;
	     s = next_present_section(m, s + 1, nsec, &r)) {
		phys_addr_t phys;

		nid = node_of_pfn(m, s << sb);
		if (buf[nid]) {
			phys = buf[nid];
			buf[nid] += sec_bytes;
		} else {
			phys = memmap_alloc(m, nid, sec_bytes);
		}
		if (!phys)
			return -ENOMEM;
		m->nr_memmap_boot_pages += sec_bytes >> PAGE_SHIFT;
		/* Private memory cannot be aliased: the section's memmap is
		 * then private memory of its own (its memblock range stays
		 * reserved, unused). */
		if (m->phys.fd < 0)
			continue;
		if (map_private_run(m, &run, s, sec_bytes) ||
		    mmk_host_mem_alias(&m->phys,
				       (char *)m->vmemmap + s * sec_bytes,
				       (size_t)phys, sec_bytes, false))
			return -ENOMEM;
		run = s + 1;
	}
	return m->phys.fd < 0 ? 0 : map_private_run(m, &run, nsec, sec_bytes);
}

/* The per-type summaries of each order's free blocks (zone.mt_sum: a bit
 * per pageblock of the zone's buddy span), in host memory as the zone
 * map is: Linux keeps free lists in struct page and needs no such index,
 * so it takes nothing from the machine's RAM. */
static int init_free_area_types(struct mmk_machine *m, struct zone *z,
				unsigned long span, unsigned int po)
{
	struct mt_summary *s = &z->mt_sum;

	s->nr_words = DIV_ROUND_UP(span >> po, BITS_PER_LONG);
	s->nr_index = DIV_ROUND_UP(s->nr_words, BITS_PER_LONG);
	/* The index first: with the first rows of words, where boot puts
	 * the free memory, it is the one page most zones touch. */
	s->index = mmk_machine_zalloc(m, (s->nr_words + s->nr_index) *
						 NR_MT_SUMMARIES *
						 sizeof(unsigned long));
	if (!s->index)
		return -ENOMEM;
	s->words = s->index + s->nr_index * NR_MT_SUMMARIES;
	return 0;
}

/* Free-area bitmaps, from the zone's own node. Every pageblock whose
 * first pfn is RAM starts MIGRATE_MOVABLE, as memmap_init_range() makes
 * it; the others keep type 0, MIGRATE_UNMOVABLE (on a PC the DMA zone's
 * first pageblock, pfn 0 being no RAM). */
static unsigned long pb_start_pfn(const struct mmk_machine *m, unsigned long pb)
{
	return ALIGN_DOWN(pb << PB_MT_SHIFT, 1UL << m->pageblock_order);
}

/* MMK_DEBUG=2: the zone map and the gaps marked in pb_mt, built from
 * their edges, agree with every pageblock. */
static void check_boot_maps(struct mmk_machine *m, unsigned long npb)
{
	unsigned long pb, pfn;

	for (pfn = 0; pfn < m->max_pfn; pfn += 1UL << m->arch->pageblock_order)
		VM_BUG_ON(pfn_zone_fast(m, pfn) != pageblock_zone(m, pfn));
	for (pb = 0; pb < npb; pb++)
		VM_BUG_ON(!m->pb_mt[pb] !=
			  !!memblock_present_pages(&m->memblock,
						   pb_start_pfn(m, pb),
						   pb_start_pfn(m, pb) + 1));
}

/*
 * Place a zone's free-area bitmaps (one hbitmap per order) in the zone's
 * block at @p, striped (lib/hbitmap.c): the words of every order that
 * describe one 128 MiB of the zone (a section on x86_64) lie together,
 * 8,304 bytes of them, as Linux keeps a memory section's pageblock flags
 * with the section. A process touches the bitmaps where it uses memory,
 * so one that uses a few MiB of libmmkit-malloc.so's 24 GiB heap machine
 * touches them in 2-4 pages, where one array per order and level (the
 * small ones packed first) put its words in 13: a page fault and 4 KiB
 * each, in every process. The same bytes either way.
 */
#define FREE_AREA_STRIPE_PAGES (1UL << 15)

static void lay_out_free_area_maps(struct zone *z, unsigned long span,
				   unsigned long *p)
{
	struct hbitmap *maps[NR_PAGE_ORDERS];
	unsigned long nbits[NR_PAGE_ORDERS], stripe_bits[NR_PAGE_ORDERS];
	unsigned int o;

	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		maps[o] = &z->free_area[o].map;
		nbits[o] = span >> o;
		stripe_bits[o] = FREE_AREA_STRIPE_PAGES >> o;
	}
	hbitmap_init_striped(maps, nbits, stripe_bits, NR_PAGE_ORDERS, p);
}

static int init_free_areas(struct mmk_machine *m)
{
	unsigned long pb, npb;
	int nid, t, o, r;

	m->pageblock_order = m->arch->pageblock_order;
	npb = (m->max_pfn >> PB_MT_SHIFT) + 1;
	m->pb_mt = mmk_machine_zalloc(m, npb);
	if (!m->pb_mt)
		return -ENOMEM;
	/* The gaps between memory regions (sorted): the pageblocks that
	 * start there, the ones that are no RAM at their first pfn. */
	for (pb = 0, r = 0; r <= m->memblock.memory.cnt; r++) {
		const struct memblock_region *reg =
			&m->memblock.memory.regions[r];
		bool last = r == m->memblock.memory.cnt;
		unsigned long start = last ? ~0UL : reg->base >> PAGE_SHIFT;
		unsigned long end =
			last ? ~0UL : (reg->base + reg->size) >> PAGE_SHIFT;

		for (; pb < npb && pb_start_pfn(m, pb) < start; pb++)
			m->pb_mt[pb] = MIGRATE_UNMOVABLE ^ MIGRATE_MOVABLE;
		/* Past the region: the first entry whose pageblock starts
		 * at or after its end. */
		if (!last)
			pb = max(pb,
				 min(npb,
				     DIV_ROUND_UP(
					     ALIGN(end,
						   1UL << m->pageblock_order),
					     1UL << PB_MT_SHIFT)));
	}
	if (MMK_DEBUG >= 2)
		check_boot_maps(m, npb);

	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];
		phys_addr_t lo = (phys_addr_t)pgdat->node_start_pfn
				 << PAGE_SHIFT;
		phys_addr_t hi =
			min(lo + ((phys_addr_t)pgdat->node_spanned_pages
				  << PAGE_SHIFT),
			    boot_limit(m));

		for (t = 0; t < MAX_NR_ZONES; t++) {
			struct zone *z = &pgdat->node_zones[t];
			unsigned long span;
			size_t bytes = 0;
			phys_addr_t phys;
			char *p;

			if (!z->present_pages)
				continue;
			z->buddy_base = ALIGN_DOWN(z->zone_start_pfn,
						   MAX_ORDER_NR_PAGES);
			span = ALIGN(zone_end_pfn(z), MAX_ORDER_NR_PAGES) -
			       z->buddy_base;
			for (o = 0; o < NR_PAGE_ORDERS; o++)
				bytes += hbitmap_bytes(span >> o);
			phys = memblock_alloc_range(&m->memblock, bytes,
						    PAGE_SIZE, lo, hi);
			if (!phys)
				return -ENOMEM;
			p = mmk_phys_to_virt(m, phys);
			lay_out_free_area_maps(z, span, (unsigned long *)p);
			if (init_free_area_types(m, z, span,
						 m->pageblock_order))
				return -ENOMEM;
		}
	}
	return 0;
}

/* Bytes from a CPU's per_cpu_pages of every zone to the next CPU's. */
static size_t pcp_stride(const struct mmk_machine *m)
{
	return (size_t)m->nr_nodes * MAX_NR_ZONES *
	       sizeof(struct per_cpu_pages);
}

/* @cpu's struct mmk_cpu and empty pcp lists in every zone (its area
 * may hold anything: memblock memory is not zeroed for it). */
static void init_percpu_cpu(struct mmk_machine *m, int cpu)
{
	struct mmk_cpu *c = &m->cpus[cpu];
	int nid, t, i;

	memset(c, 0, sizeof(*c));
	c->id = cpu;
	c->node = cpu_to_node_id(m, cpu);
	c->free_mt = -1;
	for_each_online_node(m, nid) {
		for (t = 0; t < MAX_NR_ZONES; t++) {
			struct per_cpu_pages *pcp = zone_pcp(
				&m->node_data[nid]->node_zones[t], cpu);

			memset(pcp, 0, sizeof(*pcp));
			for (i = 0; i < NR_PCP_LISTS; i++)
				INIT_LIST_HEAD(&pcp->lists[i].list);
		}
	}
}

void mmk_cpu_up(struct mmk_machine *m, int cpu)
{
	if (cpu_online(m, cpu))
		return;
	/* Lock order: slab_mutex, drain_lock, deferred_lock. Every loop that
	 * sets up all online CPUs (pcp batch and high, the fast path's
	 * marks, a new cache's arrays) holds one of them. */
	if (m->slab)
		pthread_mutex_lock(&m->slab->slab_mutex);
	pthread_mutex_lock(&m->drain_lock);
	pthread_mutex_lock(&m->deferred_lock);
	if (!cpu_online(m, cpu)) {
		init_percpu_cpu(m, cpu);
		page_alloc_cpu_online(m, cpu);
		if (m->slab)
			slab_cpu_online(m, cpu);
		atomic_fetch_or_explicit(&m->cpu_online_mask, 1ULL << cpu,
					 memory_order_release);
	}
	pthread_mutex_unlock(&m->deferred_lock);
	pthread_mutex_unlock(&m->drain_lock);
	if (m->slab)
		pthread_mutex_unlock(&m->slab->slab_mutex);
}

/* Per-CPU areas: struct mmk_cpu, then each CPU's per_cpu_pages of every
 * zone together (a CPU's first use touches them in a page or two; one
 * array per zone put them on five pages). */
static int init_percpu(struct mmk_machine *m)
{
	size_t stride = pcp_stride(m);
	size_t bytes = (size_t)m->nr_cpus * sizeof(struct mmk_cpu) +
		       (size_t)m->nr_cpus * stride;
	phys_addr_t phys;
	char *p;
	int nid, t, cpu;

	bytes = PAGE_ALIGN(bytes);
	phys = memblock_alloc_range(&m->memblock, bytes, PAGE_SIZE, 0,
				    (phys_addr_t)m->lowmem_end_pfn
					    << PAGE_SHIFT);
	if (!phys)
		return -ENOMEM;
	m->nr_percpu_pages = bytes >> PAGE_SHIFT;
	p = mmk_phys_to_virt(m, phys);
	m->cpus = (struct mmk_cpu *)p;
	p += (size_t)m->nr_cpus * sizeof(struct mmk_cpu);
	for_each_online_node(m, nid) {
		for (t = 0; t < MAX_NR_ZONES; t++) {
			struct zone *z = &m->node_data[nid]->node_zones[t];

			z->per_cpu_pageset = (struct per_cpu_pages *)p;
			z->pcp_stride = (unsigned int)stride;
			p += sizeof(struct per_cpu_pages);
		}
	}
	/* The boot CPUs; with cpus_on_demand the others' areas stay
	 * untouched (no host memory) until mmk_cpu_up(). */
	atomic_store(&m->cpu_online_mask,
		     m->cfg.cpus_on_demand ? 1 : ~0ULL >> (64 - m->nr_cpus));
	for_each_online_cpu(m, cpu)
		init_percpu_cpu(m, cpu);
	return 0;
}

/* Zonelist of @nid: nodes nearest first (the local one, then ascending
 * from it), each contributing its populated zones highest first. */
static void build_zonelists(struct mmk_machine *m, int nid)
{
	struct zonelist *zl = &m->node_data[nid]->node_zonelist;
	int i, n = 0, t;

	for (i = 0; i < m->nr_nodes; i++) {
		pg_data_t *pgdat = m->node_data[(nid + i) % m->nr_nodes];

		for (t = MAX_NR_ZONES - 1; t >= 0; t--)
			if (populated_zone(&pgdat->node_zones[t]))
				zl->zones[n++] = &pgdat->node_zones[t];
	}
	zl->zones[n] = NULL;
}

/* ---- deferred struct page init ----
 * Linux's DEFERRED_STRUCT_PAGE_INIT frees the bulk of memory to the buddy
 * lists after boot; mmk does it on demand, as deferred_grow_zone() does
 * when an allocation finds a zone short: a zone's RAM below deferred_pfn
 * is on the free lists (and counted in managed_pages), the rest joins one
 * chunk at a time (cfg.deferred_chunk_bytes, by default a memory section
 * as in Linux). Chunks start at multiples of their size, so a zone's
 * first one may be short; each is a multiple of MAX_ORDER_NR_PAGES, so
 * no buddy block straddles two. Freeing a block touches only its head's
 * struct page, so a 64 GiB machine costs host memory for what it uses,
 * and a small chunk keeps a small user of it small. A short zone grows
 * a chunk per retry of get_page_from_freelist() until the allocation
 * fits or the zone is all there, whatever its watermarks. */

struct free_ctx {
	struct mmk_machine *m;
	unsigned long lo, hi; /* free only this range */
};

static void free_range_cb(void *arg, unsigned long spfn, unsigned long epfn)
{
	struct free_ctx *fc = arg;

	spfn = max(spfn, fc->lo);
	epfn = min(epfn, fc->hi);
	while (spfn < epfn) {
		struct zone *z = mmk_pfn_zone(fc->m, spfn);
		unsigned long end = min(epfn, zone_end_pfn(z));
		unsigned long lim = min(end, atomic_load(&z->deferred_pfn));

		if (spfn < lim)
			mmk_free_boot_range(fc->m, spfn, lim);
		spfn = end;
	}
}

static unsigned long free_pages_in(struct mmk_machine *m, unsigned long spfn,
				   unsigned long epfn)
{
	return memblock_present_pages(&m->memblock, spfn, epfn) -
	       memblock_reserved_pages(&m->memblock, spfn, epfn);
}

/* Pages deferred init frees at a time: the configured chunk or a
 * memory section. */
static unsigned long deferred_chunk_pages(const struct mmk_machine *m)
{
	if (m->cfg.deferred_chunk_bytes)
		return (unsigned long)(m->cfg.deferred_chunk_bytes >>
				       PAGE_SHIFT);
	return 1UL << (m->arch->section_size_bits - PAGE_SHIFT);
}

/* Where each zone's boot-time free memory ends: the end of the chunk
 * holding its first pfn, or its start for a zone below the node's
 * highest with deferred_low_zones_empty. */
static void init_deferred(struct mmk_machine *m)
{
	unsigned long chunk = deferred_chunk_pages(m);
	struct zone *z;
	int nid, t;

	for_each_zone_m(m, nid, t, z) {
		unsigned long start = z->zone_start_pfn, end = zone_end_pfn(z);
		unsigned long d = end;

		if (m->cfg.deferred_init && z->present_pages)
			d = m->cfg.deferred_low_zones_empty &&
					    t + 1 < z->zone_pgdat->nr_zones ?
				    start :
				    min(end, start - start % chunk + chunk);
		atomic_store(&z->deferred_pfn, d);
	}
}

bool deferred_grow_zone(struct mmk_machine *m, struct zone *zone)
{
	unsigned long end = zone_end_pfn(zone), d, next;
	struct free_ctx fc = { m, 0, 0 };

	if (atomic_load_explicit(&zone->deferred_pfn, memory_order_acquire) >=
	    end)
		return false;
	pthread_mutex_lock(&m->deferred_lock);
	d = atomic_load(&zone->deferred_pfn);
	if (d < end) {
		unsigned long chunk = deferred_chunk_pages(m);

		/* To the end of the chunk holding @d: a zone that booted
		 * empty starts at its first pfn, which need not start one. */
		next = min(end, d - d % chunk + chunk);
		fc.lo = d;
		fc.hi = next;
		/* Raise the limit first: free_range_cb frees below it. The
		 * pages are managed before they are free (and maybe counted
		 * as reported), as __free_pages_core() adds them: a reader
		 * never sees more free or reported pages than managed. */
		atomic_store(&zone->deferred_pfn, next);
		atomic_fetch_add(&zone->managed_pages,
				 (long)free_pages_in(m, d, next));
		memblock_for_each_free_range(&m->memblock, free_range_cb, &fc);
		setup_per_zone_wmarks_late(m);
	}
	pthread_mutex_unlock(&m->deferred_lock);
	/* As Linux's setup_per_zone_wmarks(): pcp batch and high follow
	 * the zones' new sizes and watermarks (after the deferred lock:
	 * drain_lock comes first). */
	if (d < end)
		zone_pcp_update_all(m);
	return true;
}

static void set_managed_pages(struct mmk_machine *m)
{
	int nid, t;

	for_each_online_node(m, nid) {
		for (t = 0; t < MAX_NR_ZONES; t++) {
			struct zone *z = &m->node_data[nid]->node_zones[t];
			unsigned long reserved;

			if (!z->present_pages)
				continue;
			reserved = memblock_reserved_pages(&m->memblock,
							   z->zone_start_pfn,
							   zone_end_pfn(z));
			/* Deferred memory counts once it is freed. */
			atomic_store(
				&z->managed_pages,
				(long)(z->present_pages - reserved -
				       free_pages_in(
					       m, atomic_load(&z->deferred_pfn),
					       zone_end_pfn(z))));
			m->nr_reserved_pages += reserved;
		}
	}
}

static const struct mmk_arch_profile *arch_profile(enum mmk_arch arch)
{
	if (arch == MMK_ARCH_X86_64)
		return &mmk_arch_x86_64;
	if (arch == MMK_ARCH_I386)
		return &mmk_arch_i386;
	return NULL;
}

int mmk_config_validate(const struct mmk_config *cfg, char *why, size_t len)
{
	const struct mmk_arch_profile *a;
	slab_flags_t debug;
	int k;

	if (!cfg)
		return verify_fail(why, len, "no configuration"), -EINVAL;
	a = arch_profile(cfg->arch);
	if (!a)
		return verify_fail(why, len, "unknown architecture %d",
				   (int)cfg->arch),
		       -EINVAL;
	if (cfg->mem_bytes < a->min_mem || cfg->mem_bytes > a->max_mem)
		return verify_fail(why, len, "mem must be %lluM..%lluG on %s",
				   (unsigned long long)(a->min_mem >> 20),
				   (unsigned long long)(a->max_mem >> 30),
				   a->name),
		       -EINVAL;
	if (cfg->nr_nodes < 1 || cfg->nr_nodes > MAX_NUMNODES)
		return verify_fail(why, len, "nodes must be 1..%d",
				   MAX_NUMNODES),
		       -EINVAL;
	if (a->arch == MMK_ARCH_I386 && cfg->nr_nodes != 1)
		return verify_fail(why, len, "i386 has one node"), -EINVAL;
	/* X86_INTEL_MEMORY_PROTECTION_KEYS depends on X86_64. */
	if (a->arch == MMK_ARCH_I386 && cfg->pku)
		return verify_fail(why, len, "i386 has no protection keys"),
		       -EINVAL;
	if (cfg->mem_bytes / (uint64_t)cfg->nr_nodes < (16ULL << 20))
		return verify_fail(why, len, "each node needs at least 16M"),
		       -EINVAL;
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > MMK_MAX_CPUS)
		return verify_fail(why, len, "cpus must be 1..%d",
				   MMK_MAX_CPUS),
		       -EINVAL;
	if (cfg->deferred_chunk_bytes % (PAGE_SIZE << MAX_PAGE_ORDER) ||
	    cfg->deferred_chunk_bytes > a->max_mem)
		return verify_fail(
			       why, len,
			       "deferred chunk must be a multiple of %luM up to %lluG on %s",
			       (PAGE_SIZE << MAX_PAGE_ORDER) >> 20,
			       (unsigned long long)(a->max_mem >> 30), a->name),
		       -EINVAL;
	/* A swap entry keeps the slot number where a PTE keeps the pfn:
	 * 2^20 slots in i386's 32-bit entries. */
	if (swap_config_check(cfg, a->arch == MMK_ARCH_I386 ? 4ULL << 30 :
							      64ULL << 30))
		return verify_fail(why, len, "swap must be 0 or 40K..%s on %s",
				   a->arch == MMK_ARCH_I386 ? "4G" : "64G",
				   a->name),
		       -EINVAL;
	if (parse_slub_debug(cfg->slub_debug, &debug, NULL))
		return verify_fail(why, len, "%s", SLUB_DEBUG_SYNTAX), -EINVAL;
	/* As Linux's page_reporting_order parameter. */
	if (cfg->page_reporting_order > MAX_PAGE_ORDER)
		return verify_fail(why, len,
				   "page_reporting_order must be 0..%d",
				   MAX_PAGE_ORDER),
		       -EINVAL;
	for (k = 0; k < MMK_NR_FAIL_KINDS; k++)
		if (cfg->boot_fail[k] && cfg->boot_fail[k]->probability > 100)
			return verify_fail(why, len,
					   "fault probability must be 0..100"),
			       -EINVAL;
	if (why && len)
		why[0] = '\0';
	return 0;
}

static int boot_machine(struct mmk_machine *m)
{
	struct free_ctx fc = { m, 0, ~0UL };
	int err, nid;

	err = layout_ram(m);
	if (err)
		return err;
	m->lowmem_end_pfn =
		min(m->max_pfn, m->arch->arch == MMK_ARCH_I386 ?
					m->arch->zone_end_pfn[ZONE_NORMAL] :
					m->max_pfn);
	/* Linux's i386 VMALLOC_START is high_memory + VMALLOC_OFFSET: the
	 * less lowmem, the more vmalloc space. */
	m->vmalloc_start =
		m->arch->arch == MMK_ARCH_I386 ?
			m->arch->page_offset +
				((uint64_t)m->lowmem_end_pfn << PAGE_SHIFT) +
				I386_VMALLOC_OFFSET :
			m->arch->vmalloc_start;
	m->vmalloc_end = m->arch->arch == MMK_ARCH_I386 ? I386_VMALLOC_END :
							  m->arch->vmalloc_end;
	if ((m->cfg.private_memory ? mmk_host_mem_create_private :
				     mmk_host_mem_create)(
		    &m->phys, (size_t)m->max_pfn << PAGE_SHIFT))
		return -ENOMEM;
	err = init_nodes(m);
	if (!err)
		err = init_sparse(m);
	if (!err)
		err = init_free_areas(m);
	if (!err)
		err = init_percpu(m);
	if (!err)
		err = pcpu_init(m);
	if (err)
		return err;
	for_each_online_node(m, nid)
		build_zonelists(m, nid);
	init_deferred(m);
	set_managed_pages(m);
	mmk_page_alloc_init(m);
	memblock_for_each_free_range(&m->memblock, free_range_cb, &fc);
	setup_per_zone_wmarks(m);
	return 0;
}

struct mmk_machine *mmk_memory_init(const struct mmk_config *cfg)
{
	const struct mmk_arch_profile *a = arch_profile(cfg->arch);
	struct mmk_host_arena arena = { 0 };
	struct mmk_machine *m;
	int err, k;

	err = mmk_config_validate(cfg, NULL, 0);
	if (err) {
		errno = -err;
		return NULL;
	}
	/* The per-CPU guards' remote side needs a process-wide barrier
	 * (mm/percpu.c); ThreadSanitizer builds compare-and-swap instead. */
	if (MMK_ASYM_GUARD && !mmk_host_membarrier_init()) {
		errno = ENOSYS;
		return NULL;
	}
	m = mmk_host_arena_zalloc(&arena, sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	/* Boot writes the machine's fields and its nodes' rows of node_stat
	 * (the last field, sized for MAX_NUMNODES): their pages at once. */
	mmk_host_populate(m, offsetof(struct mmk_machine, node_stat) +
				     (size_t)cfg->nr_nodes *
					     sizeof(m->node_stat[0]));
	m->arena = arena;
	m->cfg = *cfg;
	m->arch = a;
	live_add(m);
	m->nr_nodes = cfg->nr_nodes;
	m->nr_cpus = cfg->nr_cpus;
	m->pcp_enabled = cfg->pcp;
	m->rng = cfg->seed ^ 0x9e3779b97f4a7c15ULL;
	m->phys.fd = -1;
	pthread_mutex_init(&m->drain_lock, NULL);
	pthread_mutex_init(&m->fail_lock, NULL);
	pthread_mutex_init(&m->deferred_lock, NULL);
	pthread_mutex_init(&m->report_lock, NULL);
	/* Boot-time fault plans, from the first allocation on (validated
	 * above). The machine keeps none of the caller's pointers. */
	for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
		if (cfg->boot_fail[k])
			mmk_fail_set(m, (enum mmk_fail_kind)k,
				     cfg->boot_fail[k]);
		m->cfg.boot_fail[k] = NULL;
	}
	mmk_log_init(&m->log, mmk_machine_zalloc(m, MMK_LOG_SIZE));
	err = m->log.buf ? boot_machine(m) : -ENOMEM;
	if (err) {
		mmk_shutdown(m);
		errno = -err;
		return NULL;
	}
	return m;
}

void mmk_shutdown(struct mmk_machine *m)
{
	struct mmk_host_arena arena;
	int nid, t;

	if (!m)
		return;
	if (!live_remove(m)) {
		/* Its log may be gone with it: the host's standard error. */
		host_warn("mmkit: mmk_shutdown: %p is not a live machine\n",
			  (void *)m);
		return;
	}
	if (mmk_ctx.m == m) {
		mmk_release_cpu();
		mmk_ctx.m = NULL;
	}
	mm_state_exit(m);
	vmalloc_exit(m);
	highmem_exit(m);
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!m->node_data[nid])
			continue;
		pthread_mutex_destroy(&m->node_data[nid]->__lruvec.lru_lock);
		for (t = 0; t < MAX_NR_ZONES; t++)
			pthread_mutex_destroy(
				&m->node_data[nid]->node_zones[t].lock);
	}
	if (m->slab && m->slab->map)
		mmk_host_mem_destroy(&m->slab->map_mem); /* slab_map_enable() */
	mmk_host_unreserve(m->vmemmap, m->vmemmap_len);
	mmk_host_mem_destroy(&m->phys);
	pcpu_exit(m);
	mmk_log_destroy(&m->log);
	pthread_mutex_destroy(&m->drain_lock);
	pthread_mutex_destroy(&m->fail_lock);
	pthread_mutex_destroy(&m->deferred_lock);
	pthread_mutex_destroy(&m->report_lock);
	arena = m->arena; /* @m lives in it */
	mmk_host_arena_destroy(&arena);
}
