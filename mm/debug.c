/* SPDX-License-Identifier: MIT */
/*
 * Reports and the verifier entry point (Linux's mm/debug.c, printk and
 * bad_page).
 *
 * 1. What it models. The kernel log (a ring buffer per machine, read with
 *    mmk_dmesg and the script's `dmesg`), dump_page() and bad_page() in
 *    Linux's format, print_hex_dump() (slab reports' dumps of objects),
 *    assert failures (mmk_vm_bug), and mmk_check(), which
 *    runs every subsystem's verifier bottom-up so the first failure named
 *    is in the lowest broken layer.
 *
 * 2. Objects. struct mmk_log: a MMK_LOG_SIZE ring; `head` counts every
 *    byte ever written, so the text is the last min(head, size) bytes.
 *
 * 3. Invariants. Log lines are whole: a line longer than the ring is cut.
 *
 * 4. Departures. No timestamps (output must be reproducible), no stack
 *    dumps, no raw hex lines in dump_page (they would show host
 *    pointers); %p values print as Linux's "(____ptrval____)". printk
 *    itself is not rate limited; __ratelimit() (warn_alloc,
 *    alloc_vmap_area) runs on the host's clock, as mmkit has no
 *    simulated one, so only a run slower than the interval between two
 *    such messages shows one more. "%#x" is rewritten to print as the
 *    kernel's vsprintf does (kernel_format()).
 *
 * 5. Ordering. log.lock protects the ring; printk may be called with zone
 *    locks held and takes no other lock.
 *
 * 6. Observability. `dmesg` in scripts; `check`.
 */
#include "mm/slab.h"
#include "mm/vma.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mmk_log_init(struct mmk_log *log, char *buf)
{
	pthread_mutex_init(&log->lock, NULL);
	log->buf = buf;
	log->head = 0;
}

void mmk_log_destroy(struct mmk_log *log)
{
	log->buf = NULL;
	pthread_mutex_destroy(&log->lock);
}

/*
 * The kernel's vsprintf gives "%#x" of 0 its "0x" ("0x0"), where C's
 * printf prints a bare "0"; otherwise the two agree. So printk rewrites
 * each "%#x" (any length modifier, "X" too) without a width into "0x%x",
 * and a zero-padded "%#0Nx" into "0x%0{N-2}x", which C prints as the
 * kernel does for every value; anything else is left alone. False when
 * the rewrite does not fit in @len bytes.
 */
static bool kernel_format(const char *fmt, char *out, size_t len)
{
	size_t o = 0;

	while (*fmt) {
		const char *spec = fmt, *p;
		bool alt = false, zero = false, other = false;
		unsigned int width = 0;
		char tmp[32];
		int k;

		if (*fmt != '%' || fmt[1] == '%') {
			size_t n = *fmt == '%' ? 2 : 1;

			if (o + n >= len)
				return false;
			memcpy(out + o, fmt, n);
			o += n;
			fmt += n;
			continue;
		}
		for (p = fmt + 1; strchr("-+ #0", *p) && *p; p++) {
			alt |= *p == '#';
			zero |= *p == '0';
			other |= *p != '#' && *p != '0';
		}
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (unsigned int)(*p++ - '0');
		fmt = p;
		while (*fmt && strchr("hljzt", *fmt))
			fmt++;
		if (*fmt)
			fmt++;
		if (alt && !other && (fmt[-1] == 'x' || fmt[-1] == 'X') &&
		    (!width || zero)) {
			k = snprintf(tmp, sizeof tmp, "0%c%%", fmt[-1]);
			if (width > 2)
				k += snprintf(tmp + k, sizeof tmp - (size_t)k,
					      "0%u", width - 2);
			k += snprintf(tmp + k, sizeof tmp - (size_t)k, "%.*s",
				      (int)(fmt - p), p);
		} else {
			k = snprintf(tmp, sizeof tmp, "%.*s", (int)(fmt - spec),
				     spec);
		}
		if (k < 0 || (size_t)k >= sizeof tmp || o + (size_t)k >= len)
			return false;
		memcpy(out + o, tmp, (size_t)k);
		o += (size_t)k;
	}
	out[o] = '\0';
	return true;
}

void printk(struct mmk_machine *m, const char *fmt, ...)
{
	char line[512], kfmt[512];
	size_t n, i;
	va_list ap;

	va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* kernel_format() changes only how "%#x" prints: the arguments are
	 * those the compiler checked against @fmt. */
	vsnprintf(line, sizeof line - 1,
		  kernel_format(fmt, kfmt, sizeof kfmt) ? kfmt : fmt, ap);
#pragma GCC diagnostic pop
	va_end(ap);
	n = strlen(line);
	line[n++] = '\n';
	line[n] = '\0';
	pthread_mutex_lock(&m->log.lock);
	for (i = 0; i < n; i++)
		m->log.buf[(m->log.head + i) % MMK_LOG_SIZE] = line[i];
	m->log.head += n;
	pthread_mutex_unlock(&m->log.lock);
	if (m->cfg.printk) {
		line[n - 1] = '\0';
		m->cfg.printk(m->cfg.printk_arg, line);
	}
}

void ratelimit_state_init(struct ratelimit_state *rs, uint64_t interval_ns,
			  int burst)
{
	pthread_mutex_init(&rs->lock, NULL);
	rs->interval_ns = interval_ns;
	rs->burst = burst;
	rs->begin_ns = 0;
	rs->printed = 0;
	rs->missed = 0;
}

bool __ratelimit(struct mmk_machine *m, struct ratelimit_state *rs,
		 const char *func)
{
	uint64_t now = mmk_host_coarse_ns();
	int missed = 0;
	bool ok;

	pthread_mutex_lock(&rs->lock);
	if (!rs->begin_ns)
		rs->begin_ns = now;
	if (now - rs->begin_ns >= rs->interval_ns) {
		missed = rs->missed;
		rs->missed = 0;
		rs->begin_ns = now;
		rs->printed = 0;
	}
	ok = rs->burst > rs->printed;
	if (ok)
		rs->printed++;
	else
		rs->missed++;
	pthread_mutex_unlock(&rs->lock);
	if (missed)
		printk(m, "%s: %d callbacks suppressed", func, missed);
	return ok;
}

bool warn_once(struct mmk_machine *m, enum warn_once site)
{
	unsigned int bit = 1u << site;

	return !(atomic_fetch_or(&m->warned_once, bit) & bit);
}

size_t mmk_dmesg(struct mmk_machine *m, char *buf, size_t len)
{
	size_t have, start, i;

	if (!m || !mmk_machine_live(m)) {
		if (buf && len)
			buf[0] = '\0';
		return 0;
	}
	if (!buf)
		len = 0;
	pthread_mutex_lock(&m->log.lock);
	have = min(m->log.head, (size_t)MMK_LOG_SIZE);
	start = m->log.head - have;
	for (i = 0; len && i < have && i < len - 1; i++)
		buf[i] = m->log.buf[(start + i) % MMK_LOG_SIZE];
	if (len)
		buf[i] = '\0';
	pthread_mutex_unlock(&m->log.lock);
	return have;
}

void mmk_dmesg_clear(struct mmk_machine *m)
{
	if (!m || !mmk_machine_live(m))
		return;
	pthread_mutex_lock(&m->log.lock);
	m->log.head = 0;
	pthread_mutex_unlock(&m->log.lock);
}

static const char *const pageflag_names[__NR_PAGEFLAGS] = {
	"locked",	"writeback", "referenced", "uptodate",	  "dirty",
	"lru",		"head",	     "waiters",	   "active",	  "workingset",
	"owner_priv_1", "owner_2",   "arch_1",	   "reserved",	  "private",
	"private_2",	"reclaim",   "swapbacked", "unevictable", "dropbehind",
	"mlocked",
};

static const char *const page_type_names[] = {
	"buddy", "offline",  "table",	   "guard",	    "hugetlb",
	"slab",	 "zsmalloc", "unaccepted", "large_kmalloc",
};

void format_page_flags(struct mmk_machine *m, const struct page *page,
		       char *buf, size_t len)
{
	struct zone *zone = mmk_pfn_zone(m, (unsigned long)(page - m->mem_map));
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < __NR_PAGEFLAGS && used < len; i++)
		if (test_page_flag(page, i))
			used += (size_t)snprintf(buf + used, len - used, "%s|",
						 pageflag_names[i]);
	if (used < len)
		snprintf(buf + used, len - used, "node=%d|zone=%d",
			 zone ? zone->zone_pgdat->node_id : 0,
			 zone ? (int)zone->idx : 0);
}

void print_hex_dump(struct mmk_machine *m, const char *prefix, const void *p,
		    size_t len)
{
	const unsigned char *b = p;
	int width = 2 * m->arch->ptr_bytes; /* %p's digits */
	size_t i, j;

	for (i = 0; i < len; i += 16) {
		size_t n = min(len - i, (size_t)16);
		char line[16 * 3 + 2 + 16 + 1];
		int lx = 0;

		for (j = 0; j < n; j++)
			lx += snprintf(line + lx, sizeof line - (size_t)lx,
				       j ? " %02x" : "%02x", b[i + j]);
		while (lx < 16 * 2 + 16 + 1)
			line[lx++] = ' ';
		for (j = 0; j < n; j++)
			line[lx++] = b[i + j] >= 0x20 && b[i + j] < 0x7f ?
					     (char)b[i + j] :
					     '.';
		line[lx] = '\0';
		printk(m, "%s%0*lx: %s", prefix, width, mmk_kaddr(b + i), line);
	}
}

void dump_page(struct mmk_machine *m, const struct page *page,
	       const char *reason)
{
	unsigned long pfn = (unsigned long)(page - m->mem_map);
	char flags[256];

	printk(m,
	       "page: refcount:%d mapcount:%d mapping:%s index:%#lx pfn:%#lx",
	       page_ref_count(page), page_mapcount(page),
	       page->mapping ? "(____ptrval____)" : "0000000000000000",
	       page_type_of(page) >= PGTY_buddy ? 0UL : page->index, pfn);
	if (PageHead(page))
		printk(m, "head: order:%u mapcount:%d", compound_order(page),
		       page_mapcount(page));
	format_page_flags(m, page, flags, sizeof flags);
	printk(m, "flags: %#lx(%s)", page->flags, flags);
	if (page_type_of(page) >= PGTY_buddy) {
		unsigned int t = page_type_of(page);

		printk(m, "page_type: %x(%s)", t,
		       t - PGTY_buddy < ARRAY_SIZE(page_type_names) ?
			       page_type_names[t - PGTY_buddy] :
			       "unknown");
	}
	printk(m, "page dumped because: %s", reason);
}

/* ---- GFP names, as %pGg prints them ---- */

void format_gfp(gfp_t gfp, char *buf, size_t len)
{
	static const struct {
		gfp_t mask;
		const char *name;
	} names[] = {
		{ GFP_TRANSHUGE, "GFP_TRANSHUGE" },
		{ GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT" },
		{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
		{ GFP_HIGHUSER, "GFP_HIGHUSER" },
		{ GFP_USER, "GFP_USER" },
		{ GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
		{ GFP_KERNEL, "GFP_KERNEL" },
		{ GFP_NOFS, "GFP_NOFS" },
		{ GFP_ATOMIC, "GFP_ATOMIC" },
		{ GFP_NOIO, "GFP_NOIO" },
		{ GFP_NOWAIT, "GFP_NOWAIT" },
		{ GFP_DMA, "GFP_DMA" },
		{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
		{ GFP_DMA32, "GFP_DMA32" },
		{ __GFP_HIGH, "__GFP_HIGH" },
		{ __GFP_IO, "__GFP_IO" },
		{ __GFP_FS, "__GFP_FS" },
		{ __GFP_NOWARN, "__GFP_NOWARN" },
		{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
		{ __GFP_NOFAIL, "__GFP_NOFAIL" },
		{ __GFP_NORETRY, "__GFP_NORETRY" },
		{ __GFP_COMP, "__GFP_COMP" },
		{ __GFP_ZERO, "__GFP_ZERO" },
		{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
		{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
		{ __GFP_HARDWALL, "__GFP_HARDWALL" },
		{ __GFP_THISNODE, "__GFP_THISNODE" },
		{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
		{ __GFP_MOVABLE, "__GFP_MOVABLE" },
		{ __GFP_ACCOUNT, "__GFP_ACCOUNT" },
		{ __GFP_WRITE, "__GFP_WRITE" },
		{ __GFP_RECLAIM, "__GFP_RECLAIM" },
		{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
		{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && gfp; i++) {
		if ((gfp & names[i].mask) != names[i].mask)
			continue;
		gfp &= ~names[i].mask;
		used += (size_t)snprintf(buf + used,
					 used < len ? len - used : 0, "%s%s",
					 used ? "|" : "", names[i].name);
	}
	if (gfp && used < len)
		snprintf(buf + used, len - used, "%s%#x", used ? "|" : "", gfp);
}

void bad_page(struct mmk_machine *m, const struct page *page,
	      const char *reason)
{
	printk(m, "BUG: Bad page state in process %s  pfn:%05lx", "mmkit",
	       (unsigned long)(page - m->mem_map));
	dump_page(m, page, reason);
}

bool verify_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return false;
}

void mmk_vm_bug(const char *file, int line, const char *cond,
		const struct page *page)
{
	char msg[512];

	snprintf(msg, sizeof msg, "mmkit: kernel BUG at %s:%d: %s\n", file,
		 line, cond);
	mmk_host_stderr(msg);
	if (page && mmk_ctx.m) {
		snprintf(msg, sizeof msg,
			 "page: refcount:%d mapcount:%d pfn:%#lx\n",
			 page_ref_count(page), page_mapcount(page),
			 (unsigned long)(page - mmk_ctx.m->mem_map));
		mmk_host_stderr(msg);
	}
	mmk_host_abort();
}

int mmk_check(struct mmk_machine *m, char *why, size_t len)
{
	if (!m)
		return verify_fail(why, len, "no machine"), 1;
	if (!mmk_machine_live(m))
		return verify_fail(why, len, "not a live machine"), 1;
	if (!page_alloc_verify(m, why, len))
		return 1;
	if (!slab_verify(m, why, len))
		return 1;
	if (!vmalloc_verify(m, why, len))
		return 1;
	if (!highmem_verify(m, why, len))
		return 1;
	if (!ksm_verify(m, why, len))
		return 1;
	if (!mm_state_verify(m, why, len))
		return 1;
	if (!lru_verify(m, why, len))
		return 1;
	if (!compaction_verify(m, why, len))
		return 1;
	if (why && len)
		why[0] = '\0';
	return 0;
}
