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
 * 4. Departures. No debugfs: plans are set with mmk_fail_set() or the
 *    script's `fail` command. No verbose stack traces.
 *
 * 5. Ordering. fail_lock serialises the counters and the generator; the
 *    allocator reads `active` without it first, so a machine with no plan
 *    pays one predictable branch.
 *
 * 6. Observability. mmk_fail_count(); failed calls return NULL/ENOMEM.
 */
#include "mm/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

uint64_t mmk_random(struct mmk_machine *m)
{
	uint64_t x = m->rng ? m->rng : 0x853c49e6748fea9bULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

bool should_fail(struct mmk_machine *m, struct mmk_fail *f)
{
	bool fail = false;

	pthread_mutex_lock(&m->fail_lock);
	f->calls++;
	if (f->attr.nth && f->calls >= f->attr.nth &&
	    (f->attr.times < 0 ||
	     f->calls < f->attr.nth + (unsigned long)f->attr.times))
		fail = true;
	if (!fail && f->attr.probability &&
	    mmk_random(m) % 100 < f->attr.probability)
		fail = true;
	if (fail)
		f->failed++;
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

	if (!m || (unsigned int)kind >= MMK_NR_FAIL_KINDS)
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
	f->active = attr && (attr->nth || attr->probability);
	pthread_mutex_unlock(&m->fail_lock);
	return 0;
}

unsigned long mmk_fail_count(struct mmk_machine *m, enum mmk_fail_kind kind)
{
	unsigned long n;

	if (!m || (unsigned int)kind >= MMK_NR_FAIL_KINDS)
		return 0;
	pthread_mutex_lock(&m->fail_lock);
	n = m->fail[kind].failed;
	pthread_mutex_unlock(&m->fail_lock);
	return n;
}
