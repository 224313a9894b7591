/* SPDX-License-Identifier: MIT */
/*
 * /proc/kpagecount and /proc/kpageflags (Linux's fs/proc/page.c): binary
 * files of one 64-bit word per page frame, read with mmk_proc_pread().
 *
 * 1. What it models. Word N describes pfn N, for every pfn below the end
 *    of RAM rounded up to a memory section (get_max_dump_pfn): in
 *    kpagecount, how many page tables map the page
 *    (folio_precise_page_mapcount); in kpageflags, stable_page_flags():
 *    the KPF_* bits of include/uapi/linux/kernel-page-flags.h built from
 *    the page's (its compound head's) flags and type, and the "kernel
 *    hacking" bits Linux exports after them (reserved, mlocked, private).
 *    A pfn in a memory section without RAM reads KPF_NOPAGE, one in a
 *    hole of a section with RAM KPF_RESERVED (Linux gives those struct
 *    pages), both with a count of 0.
 *    Offsets and sizes must be multiples of 8 (EINVAL); a read from the
 *    end on returns 0 bytes, one across it is cut there.
 *
 * 2. Objects. None of its own: the words are computed from mem_map as
 *    they are read.
 *
 * 3. Invariants. A free page is KPF_BUDDY whether it heads its block or
 *    lies inside it (is_free_buddy_page, under the zone lock).
 *
 * 4. Departures. Bits of state mmkit does not keep read 0: KPF_IDLE (no
 *    idle page tracking), KPF_HWPOISON, KPF_OWNER_2 (Linux's PG_anon_exclusive),
 *    KPF_ARCH. A page is on its LRU list (KPF_LRU) as soon as
 *    it is added: mmkit has no per-CPU folio batches to wait in.
 *    KPF_RESERVED comes from memblock (see stable_page_flags), not from
 *    a flag boot sets in every reserved page's struct page: that would
 *    touch the memmap of every reserved page at boot.
 *
 * 5. Ordering. Flags and counts are read without the page's locks, as
 *    Linux does (snap_page); the buddy test takes the zone lock.
 *
 * 6. Observability. The files themselves; the script's `kpageflags`
 *    command prints them decoded.
 */
#include "proc/internal.h"
#include "mm/vma.h"

#include <errno.h>
#include <string.h>

/* include/uapi/linux/kernel-page-flags.h and include/linux's. */
enum {
	KPF_LOCKED = 0,
	KPF_REFERENCED = 2,
	KPF_UPTODATE = 3,
	KPF_DIRTY = 4,
	KPF_LRU = 5,
	KPF_ACTIVE = 6,
	KPF_SLAB = 7,
	KPF_WRITEBACK = 8,
	KPF_RECLAIM = 9,
	KPF_BUDDY = 10,
	KPF_MMAP = 11,
	KPF_ANON = 12,
	KPF_SWAPCACHE = 13,
	KPF_SWAPBACKED = 14,
	KPF_COMPOUND_HEAD = 15,
	KPF_COMPOUND_TAIL = 16,
	KPF_HUGE = 17,
	KPF_UNEVICTABLE = 18,
	KPF_NOPAGE = 20,
	KPF_KSM = 21,
	KPF_THP = 22,
	KPF_OFFLINE = 23,
	KPF_ZERO_PAGE = 24,
	KPF_PGTABLE = 26,
	KPF_RESERVED = 32,
	KPF_MLOCKED = 33,
	KPF_PRIVATE = 35,
};

#define KPMSIZE 8UL

/* The names tools/mm/page-types prints, by bit. */
static const char *const kpf_names[64] = {
	[KPF_LOCKED] = "locked",
	[1] = "error",
	[KPF_REFERENCED] = "referenced",
	[KPF_UPTODATE] = "uptodate",
	[KPF_DIRTY] = "dirty",
	[KPF_LRU] = "lru",
	[KPF_ACTIVE] = "active",
	[KPF_SLAB] = "slab",
	[KPF_WRITEBACK] = "writeback",
	[KPF_RECLAIM] = "reclaim",
	[KPF_BUDDY] = "buddy",
	[KPF_MMAP] = "mmap",
	[KPF_ANON] = "anonymous",
	[KPF_SWAPCACHE] = "swapcache",
	[KPF_SWAPBACKED] = "swapbacked",
	[KPF_COMPOUND_HEAD] = "compound_head",
	[KPF_COMPOUND_TAIL] = "compound_tail",
	[17] = "huge",
	[KPF_UNEVICTABLE] = "unevictable",
	[19] = "hwpoison",
	[KPF_NOPAGE] = "nopage",
	[KPF_KSM] = "ksm",
	[KPF_THP] = "thp",
	[KPF_OFFLINE] = "offline",
	[KPF_ZERO_PAGE] = "zero_page",
	[25] = "idle_page",
	[KPF_PGTABLE] = "pgtable",
	[KPF_RESERVED] = "reserved",
	[KPF_MLOCKED] = "mlocked",
	[34] = "owner_2",
	[KPF_PRIVATE] = "private",
	[36] = "private_2",
	[37] = "owner_private",
	[38] = "arch",
	[39] = "uncached",
	[40] = "softdirty",
	[41] = "arch_2",
	[42] = "arch_3",
};

const char *mmk_kpageflag_name(unsigned int bit)
{
	return bit < 64 ? kpf_names[bit] : NULL;
}

/* The pfns the files cover: RAM's end rounded up to a section. */
static unsigned long max_dump_pfn(const struct mmk_machine *m)
{
	unsigned long section = 1UL
				<< (m->arch->section_size_bits - PAGE_SHIFT);

	return ALIGN(m->max_pfn, section);
}

/*
 * What the files read of a page, without its locks, as Linux's
 * stable_page_flags() does: its owners change these words meanwhile
 * (flags and the link word that holds compound_head with plain stores on
 * the per-CPU lists' fast paths, page_type as it becomes a slab or a
 * page table). The reads are plain ones in one function ThreadSanitizer
 * leaves out (an inline helper left out of line would be instrumented):
 * a snapshot whose words may come from different moments, which the
 * files' readers expect of them.
 */
struct page_snap {
	bool tail; /* a tail page of a compound page */
	const struct page *head; /* its head, or the page */
	unsigned long flags; /* the compound head's */
	unsigned long mapping; /* the head's */
	unsigned int type, head_type; /* page_type >> 24 */
	int mapcount; /* the page's (0 if typed) */
	int refcount; /* the head's */
};

static __no_sanitize_thread void snap_page(const struct mmk_machine *m,
					   const struct page *page,
					   struct page_snap *s)
{
	unsigned long link = page->compound_head;
	const struct page *head = (const struct page *)(link - 1);
	unsigned int word;

	/* A tail's link names its head, inside mem_map; a stale or list
	 * link that does not is the page's own. */
	s->tail = (link & 1) && head >= m->mem_map && head < page;
	if (!s->tail)
		head = page;
	s->head = head;
	s->flags = head->flags;
	s->mapping = (unsigned long)head->mapping;
	s->refcount = *(const int *)&head->_refcount;
	s->head_type = head->page_type >> 24;
	word = page->page_type;
	s->type = word >> 24;
	s->mapcount = s->type >= PGTY_buddy ? 0 : (int)word;
	/* A hugetlb page's tails have no type, and its mappings are
	 * counted whole in the first tail (mm/hugetlb.c). */
	if (s->head_type == PGTY_hugetlb ||
	    (s->tail && (s->mapping & PAGE_MAPPING_ANON)))
		s->mapcount = *(const int *)&head[1]._mapcount;
}

/* Under the zone lock, which every buddy list change holds: whether a
 * free block of order >= its own starts at @head. */
static __no_sanitize_thread bool buddy_head_of(const struct page *head,
					       unsigned int order)
{
	return head->page_type >> 24 == PGTY_buddy && head->private >= order;
}

/* is_free_buddy_page(): @pfn lies in a free block of @zone. */
static bool is_free_buddy_page(struct mmk_machine *m, struct zone *zone,
			       unsigned long pfn)
{
	unsigned int order;
	bool found = false;

	pthread_mutex_lock(&zone->lock);
	for (order = 0; order <= MAX_PAGE_ORDER && !found; order++) {
		unsigned long head = pfn & ~((1UL << order) - 1);

		found = mmk_pfn_zone(m, head) == zone &&
			buddy_head_of(m->mem_map + head, order);
	}
	pthread_mutex_unlock(&zone->lock);
	return found;
}

static inline uint64_t kpf_copy_bit(unsigned long k, int ubit, int kbit)
{
	return (uint64_t)((k >> kbit) & 1) << ubit;
}

/* stable_page_flags() of pfn @pfn. */
static uint64_t stable_page_flags(struct mmk_machine *m, unsigned long pfn)
{
	struct zone *zone = mmk_pfn_zone(m, pfn);
	const struct page *page;
	struct page_snap snap;
	unsigned long k;
	uint64_t u = 0;

	if (!zone) {
		/* A section with RAM has its whole memmap in Linux, the
		 * pages of no RAM in it reserved (init_unavailable_range);
		 * one without has none. */
		unsigned long section =
			1UL << (m->arch->section_size_bits - PAGE_SHIFT);
		unsigned long start = pfn & ~(section - 1);

		if (memblock_present_pages(&m->memblock, start,
					   start + section))
			return 1ULL << KPF_RESERVED;
		return 1ULL << KPF_NOPAGE;
	}
	page = m->mem_map + pfn;
	snap_page(m, page, &snap);
	k = snap.flags;

	if (snap.mapcount > 0)
		u |= 1ULL << KPF_MMAP;
	if (snap.mapping & PAGE_MAPPING_ANON)
		u |= 1ULL << KPF_ANON;
	if ((snap.mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_FLAGS)
		u |= 1ULL << KPF_KSM;
	if (!snap.tail)
		u |= kpf_copy_bit(k, KPF_COMPOUND_HEAD, PG_head);
	else
		u |= 1ULL << KPF_COMPOUND_TAIL;
	if (page == m->mm->zero_page)
		u |= 1ULL << KPF_ZERO_PAGE;
	/* A transparent huge page (mm/huge_memory.c), or the huge zero
	 * page, which is both. */
	if ((k & (1UL << PG_head)) && snap.head_type != PGTY_hugetlb &&
	    snap.head_type != PGTY_slab) {
		if (snap.head ==
		    __atomic_load_n(&m->mm->huge_zero_page, __ATOMIC_RELAXED))
			u |= (1ULL << KPF_ZERO_PAGE) | (1ULL << KPF_THP);
		else if (snap.mapping & PAGE_MAPPING_ANON)
			u |= 1ULL << KPF_THP;
	}
	if (snap.type == PGTY_buddy ||
	    (snap.refcount == 0 && is_free_buddy_page(m, zone, pfn)))
		u |= 1ULL << KPF_BUDDY;
	if (snap.type == PGTY_offline)
		u |= 1ULL << KPF_OFFLINE;
	if (snap.type == PGTY_table)
		u |= 1ULL << KPF_PGTABLE;
	if (snap.head_type == PGTY_slab)
		u |= 1ULL << KPF_SLAB;
	if (snap.head_type == PGTY_hugetlb)
		u |= 1ULL << KPF_HUGE;

	u |= kpf_copy_bit(k, KPF_LOCKED, PG_locked);
	u |= kpf_copy_bit(k, KPF_DIRTY, PG_dirty);
	u |= kpf_copy_bit(k, KPF_UPTODATE, PG_uptodate);
	u |= kpf_copy_bit(k, KPF_WRITEBACK, PG_writeback);
	u |= kpf_copy_bit(k, KPF_LRU, PG_lru);
	u |= kpf_copy_bit(k, KPF_REFERENCED, PG_referenced);
	u |= kpf_copy_bit(k, KPF_ACTIVE, PG_active);
	u |= kpf_copy_bit(k, KPF_RECLAIM, PG_reclaim);
	if ((k & (1UL << PG_swapbacked)) && (k & (1UL << PG_swapcache)))
		u |= 1ULL << KPF_SWAPCACHE;
	u |= kpf_copy_bit(k, KPF_SWAPBACKED, PG_swapbacked);
	u |= kpf_copy_bit(k, KPF_UNEVICTABLE, PG_unevictable);
	u |= kpf_copy_bit(k, KPF_MLOCKED, PG_mlocked);
	u |= kpf_copy_bit(k, KPF_PRIVATE, PG_private);
	/* PG_reserved: what boot kept from the buddy allocator (memblock's
	 * reservations, memmap_init_reserved_pages) and the holes in RAM
	 * (init_unavailable_range), which mmkit keeps in memblock rather
	 * than in each struct page; and Linux's zero page, which is in the
	 * kernel image's .bss. */
	if ((k & (1UL << PG_reserved)) || page == m->mm->zero_page ||
	    memblock_is_reserved(&m->memblock,
				 (phys_addr_t)pfn << PAGE_SHIFT) ||
	    !memblock_present_pages(&m->memblock, pfn, pfn + 1))
		u |= 1ULL << KPF_RESERVED;
	return u;
}

/* kpagecount's word: the mappings of pfn @pfn (none without a page). */
static uint64_t page_count_word(struct mmk_machine *m, unsigned long pfn)
{
	struct page_snap snap;

	if (!mmk_pfn_zone(m, pfn))
		return 0;
	snap_page(m, m->mem_map + pfn, &snap);
	return (uint64_t)snap.mapcount;
}

long proc_kpage_read(struct mmk_machine *m, bool flags, void *buf, size_t count,
		     unsigned long long off)
{
	unsigned long long end = (unsigned long long)max_dump_pfn(m) * KPMSIZE;
	unsigned char *out = buf;
	unsigned long pfn;
	size_t done;

	if (off % KPMSIZE || count % KPMSIZE)
		return -EINVAL;
	if (off >= end)
		return 0;
	if (count > end - off)
		count = (size_t)(end - off);
	pfn = (unsigned long)(off / KPMSIZE);
	for (done = 0; done < count; done += KPMSIZE, pfn++) {
		uint64_t word = flags ? stable_page_flags(m, pfn) :
					page_count_word(m, pfn);

		memcpy(out + done, &word, sizeof word);
	}
	return (long)count;
}
