/* SPDX-License-Identifier: MIT */
/*
 * /proc/sys/vm/ (Linux's kernel/sysctl.c, mm's vm_table entries and
 * fs/proc/proc_sysctl.c): the memory manager's tunables, read back.
 *
 * 1. What it models. One file per sysctl mmkit has, printed as the
 *    handler Linux registers for it prints: proc_dointvec ("%d\n"; an
 *    array's values separated by tabs: lowmem_reserve_ratio, one per zone
 *    type the kernel is built with), proc_doulongvec_minmax ("%lu\n").
 *    The writable ones are written with the script's `sysctl NAME=VALUE`
 *    (and their mmk_set_* calls); min_free_kbytes, watermark_scale_factor
 *    and lowmem_reserve_ratio show the values boot computed. drop_caches
 *    and compact_memory are write-only (mode 0200): reading them is
 *    EACCES, even for root, as proc_sys_permission() decides.
 *
 * 2. Objects. None: each read renders the live value.
 *
 * 3. Invariants. A file shows exactly what the corresponding setter last
 *    stored (relaxed loads of the same atomics).
 *
 * 4. Departures. Only the sysctls mmkit implements exist; the others of
 *    Linux's /proc/sys/vm (dirty_*, watermark_boost_factor, page-cluster,
 *    ...) are ENOENT rather than values that would mean nothing here.
 *
 * 5. Ordering. No locks: every value is one word.
 *
 * 6. Observability. `cat /proc/sys/vm/NAME`, `sysctl NAME`.
 */
#include "proc/internal.h"
#include "mm/hugetlb.h"

#include <errno.h>
#include <string.h>

static void show_int(struct seq_file *s, long v)
{
	seq_printf(s, "%ld\n", v);
}

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

static void swappiness(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->mm->swappiness));
}

static void max_map_count_show(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->mm->max_map_count));
}

static void overcommit_memory(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->mm->overcommit_memory));
}

static void overcommit_ratio(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->mm->overcommit_ratio));
}

static void overcommit_kbytes(struct seq_file *s, struct mmk_machine *m)
{
	seq_printf(s, "%lu\n", LOAD(m->mm->overcommit_kbytes));
}

static void admin_reserve_kbytes(struct seq_file *s, struct mmk_machine *m)
{
	seq_printf(s, "%lu\n", LOAD(m->mm->admin_reserve_kbytes));
}

static void user_reserve_kbytes(struct seq_file *s, struct mmk_machine *m)
{
	seq_printf(s, "%lu\n", LOAD(m->mm->user_reserve_kbytes));
}

static void legacy_va_layout(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->mm->legacy_va_layout));
}

static void oom_kill_allocating_task(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->mm->oom_kill_allocating_task));
}

static void oom_dump_tasks(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->mm->oom_dump_tasks));
}

static void compact_unevictable_allowed(struct seq_file *s,
					struct mmk_machine *m)
{
	show_int(s, LOAD(m->compact_unevictable_allowed));
}

static void extfrag_threshold(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->extfrag_threshold));
}

static void compaction_proactiveness(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, LOAD(m->compaction_proactiveness));
}

static void min_free_kbytes(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, (long)m->min_free_kbytes);
}

static void watermark_scale_factor(struct seq_file *s, struct mmk_machine *m)
{
	show_int(s, m->watermark_scale_factor);
}

/* One value per zone type of the build, tab-separated (proc_dointvec's
 * array format). */
static void lowmem_reserve_ratio(struct seq_file *s, struct mmk_machine *m)
{
	const struct mmk_arch_profile *a = m->arch;
	int i;

	for (i = 0; i < a->nr_zone_types; i++)
		seq_printf(s, "%s%d", i ? "\t" : "",
			   a->lowmem_reserve_ratio[a->zone_types[i]]);
	seq_puts(s, "\n");
}

/* hugetlb_sysctl_handler(): the persistent pool (surplus pages left
 * out); the overcommit as set. */
static void nr_hugepages(struct seq_file *s, struct mmk_machine *m)
{
	struct hugetlb_counts c;

	hugetlb_counts(m, -1, &c);
	seq_printf(s, "%lu\n", c.total - c.surplus);
}

static void nr_overcommit_hugepages(struct seq_file *s, struct mmk_machine *m)
{
	struct hugetlb_counts c;

	hugetlb_counts(m, -1, &c);
	seq_printf(s, "%lu\n", c.overcommit);
}

static const struct {
	const char *name;
	void (*show)(struct seq_file *s, struct mmk_machine *m);
} vm_table[] = {
	{ "admin_reserve_kbytes", admin_reserve_kbytes },
	{ "compact_memory", NULL },
	{ "compact_unevictable_allowed", compact_unevictable_allowed },
	{ "compaction_proactiveness", compaction_proactiveness },
	{ "drop_caches", NULL },
	{ "extfrag_threshold", extfrag_threshold },
	{ "legacy_va_layout", legacy_va_layout },
	{ "lowmem_reserve_ratio", lowmem_reserve_ratio },
	{ "max_map_count", max_map_count_show },
	{ "min_free_kbytes", min_free_kbytes },
	{ "nr_hugepages", nr_hugepages },
	{ "nr_overcommit_hugepages", nr_overcommit_hugepages },
	{ "oom_dump_tasks", oom_dump_tasks },
	{ "oom_kill_allocating_task", oom_kill_allocating_task },
	{ "overcommit_kbytes", overcommit_kbytes },
	{ "overcommit_memory", overcommit_memory },
	{ "overcommit_ratio", overcommit_ratio },
	{ "swappiness", swappiness },
	{ "user_reserve_kbytes", user_reserve_kbytes },
	{ "watermark_scale_factor", watermark_scale_factor },
};

int proc_sys_vm_show(struct seq_file *s, struct mmk_machine *m,
		     const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vm_table); i++) {
		if (strcmp(name, vm_table[i].name) != 0)
			continue;
		if (!vm_table[i].show)
			return -EACCES; /* write-only */
		vm_table[i].show(s, m);
		return 0;
	}
	return -ENOENT;
}
