/* SPDX-License-Identifier: MIT */
/*
 * The OOM killer (Linux's mm/oom_kill.c): when an allocation that may not
 * fail finds no memory, a process dies so that the allocation can go on.
 *
 * 1. What it models.
 *    - The page allocator's slow path calls out_of_memory() (through
 *      m->out_of_memory, as Linux's __alloc_pages_may_oom() does) for
 *      requests that may sleep, are not costly (order <= 3), not
 *      __GFP_NORETRY, __GFP_RETRY_MAYFAIL or __GFP_THISNODE, and may use
 *      ZONE_NORMAL: a user page fault, a page table, a kmalloc().
 *    - The victim is the process with the highest badness: its resident
 *      pages, swap entries and page-table pages, plus oom_score_adj
 *      thousandths of RAM + swap; a later process wins a tie; -1000
 *      exempts a process. With vm.oom_kill_allocating_task the process
 *      that allocates dies instead, if it may.
 *    - An allocation a MPOL_BIND policy (mm/mempolicy.c) limited to
 *      nodes that are not all the nodes with memory is constrained
 *      (constrained_alloc(): CONSTRAINT_MEMORY_POLICY): the scores'
 *      oom_score_adj thousandths are of those nodes' pages + swap, and
 *      a process whose own policy binds it to none of those nodes is
 *      neither chosen nor listed (oom_cpuset_eligible()); the report's
 *      memory picture shows those nodes only. Otherwise the constraint
 *      is CONSTRAINT_NONE.
 *    - The report goes to the kernel log as Linux 6.18 prints it: "mmkit
 *      invoked oom-killer: gfp_mask=..., order=N, oom_score_adj=N",
 *      Mem-Info (mm/show_mem.c), the task list (vm.oom_dump_tasks), the
 *      "oom-kill:constraint=...,nodemask=...,..." line and "Out of memory:
 *      Killed process N (mmkit) total-vm:...kB, ...". /proc/vmstat
 *      oom_kill counts kills.
 *    - The victim leaves the pid table at once (later calls naming it get
 *      ESRCH). Its private memory is freed at once as the oom_reaper
 *      would (unmapping anonymous and private VMAs), and the allocation
 *      is retried; the victim's exit (exit_mmap of what is left) follows
 *      when the thread holds no mmap lock: at once in kernel context, at
 *      the end of the system call or access otherwise.
 *    - A victim that is the caller itself (current, the process whose
 *      system call or access this thread runs) may use the ALLOC_OOM
 *      reserve for the rest of that call; its accesses then end with
 *      SIGKILL and its system call leaves it dead.
 *
 * 2. Objects. task_struct.oom_victim, mm_state.oom_victims (killed, not
 *    yet exited), /proc/PID/oom_score and oom_score_adj.
 *
 * 3. Invariants. A victim is on oom_victims and in no pid table slot;
 *    no victim outlives the call in which it was chosen.
 *
 * 4. Departures.
 *    - Linux's reaper runs 2 s later in a kernel thread, and usually finds
 *      the victim gone already; here the victim's private memory is freed
 *      at once and no "oom_reaper:" line is printed.
 *    - Where Linux would wait (a victim whose mmap lock another thread
 *      holds, a GFP_NOFS request, the pid table busy while this thread
 *      holds an mmap lock) the allocation fails instead; a page fault
 *      that fails that way is retried once the victims have exited, as
 *      pagefault_out_of_memory() retries it.
 *    - With no killable process Linux panics ("System is deadlocked on
 *      memory"); mmkit prints Linux's warning, fails the allocation, and
 *      a page fault then kills the faulting process instead of retrying
 *      (oom_found_no_victim).
 *    - No memory cgroups or cpusets (so no CONSTRAINT_MEMCG or
 *      CONSTRAINT_CPUSET); no vm.panic_on_oom.
 *
 * 5. Ordering. mm_state.lock, then a victim's mmap lock (trylock). With
 *    an mmap lock held the pid table lock is only try-locked, since it
 *    nests outside.
 *
 * 6. Observability. dmesg; /proc/vmstat oom_kill; /proc/PID/oom_score,
 *    /proc/PID/oom_score_adj (written by the process itself: without
 *    privilege, not below oom_score_adj_min, EACCES); a process command
 *    reports SIGKILL.
 */
#include "mm/vma.h"

#include <limits.h>
#include <stdio.h>

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000
#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

/* Every process is "mmkit" (/proc/PID/status Name). */
static const char task_comm[] = "mmkit";

enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_CPUSET,
	CONSTRAINT_MEMORY_POLICY,
	CONSTRAINT_MEMCG,
};

static const char *const oom_constraint_text[] = {
	[CONSTRAINT_NONE] = "CONSTRAINT_NONE",
	[CONSTRAINT_CPUSET] = "CONSTRAINT_CPUSET",
	[CONSTRAINT_MEMORY_POLICY] = "CONSTRAINT_MEMORY_POLICY",
	[CONSTRAINT_MEMCG] = "CONSTRAINT_MEMCG",
};

struct oom_control {
	struct mmk_machine *m;
	/* The nodes the allocation was limited to; 0 unless the constraint
	 * is CONSTRAINT_MEMORY_POLICY. */
	unsigned long nodemask;
	gfp_t gfp_mask;
	unsigned int order;
	enum oom_constraint constraint;
	unsigned long totalpages;
	struct task_struct *chosen;
	long chosen_points;
};

/* The last out_of_memory() of this thread found nothing to kill. */
static mmk_thread_local bool no_victim;

bool oom_found_no_victim(void)
{
	bool ret = no_victim;

	no_victim = false;
	return ret;
}

static struct task_struct *current_task(void)
{
	struct mm_struct *mm = current_mm();

	return mm ? mm->owner : NULL;
}

static bool is_oom_victim(struct task_struct *t)
{
	return atomic_load_explicit(&t->oom_victim, memory_order_relaxed);
}

unsigned long oom_totalpages(struct mmk_machine *m)
{
	return totalram_pages(m) + total_swap_pages(m);
}

/*
 * constrained_alloc(): whether the allocation failed for want of memory
 * on the nodes a MPOL_BIND policy allowed, not for want of memory (then
 * only those nodes' pages and swap are the total the scores weigh), and
 * the total. No cpusets and no memory cgroups here.
 */
static enum oom_constraint constrained_alloc(struct oom_control *oc)
{
	struct mmk_machine *m = oc->m;
	unsigned long with_memory = 0;
	int nid;

	oc->totalpages = oom_totalpages(m);
	if (!m->arch->numa || !oc->nodemask || (oc->gfp_mask & __GFP_THISNODE))
		return CONSTRAINT_NONE;
	for_each_online_node(m, nid)
		if (m->node_data[nid]->node_present_pages)
			with_memory |= 1UL << nid;
	if (!(with_memory & ~oc->nodemask))
		return CONSTRAINT_NONE;
	oc->totalpages = total_swap_pages(m);
	for_each_online_node(m, nid)
		if (oc->nodemask & (1UL << nid))
			oc->totalpages += m->node_data[nid]->node_present_pages;
	return CONSTRAINT_MEMORY_POLICY;
}

/* oom_cpuset_eligible(): whether killing @t may help this allocation
 * (without cpusets, only a policy-limited allocation excludes anyone). */
static bool oom_eligible(struct task_struct *t, const struct oom_control *oc)
{
	return mempolicy_in_oom_domain(t, oc->nodemask);
}

long oom_badness(struct task_struct *p, unsigned long totalpages)
{
	struct mm_struct *mm = p->mm;
	/* /proc/PID/oom_score asks without the pid table lock. */
	long adj = __atomic_load_n(&p->oom_score_adj, __ATOMIC_RELAXED);

	if (adj == OOM_SCORE_ADJ_MIN ||
	    __atomic_load_n(&p->oom_reaped, __ATOMIC_RELAXED))
		return LONG_MIN;
	adj *= (long)(totalpages / 1000);
	return (long)(get_mm_rss(mm) + get_mm_counter(mm, MM_SWAPENTS) +
		      (unsigned long)atomic_load(&mm->pgtables_bytes) /
			      PAGE_SIZE) +
	       adj;
}

static void dump_tasks(struct oom_control *oc)
{
	struct mmk_machine *m = oc->m;
	struct task_struct *t;

	printk(m, "Tasks state (memory values in pages):");
	printk(m,
	       "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name");
	list_for_each_entry(t, &m->mm->tasks, tasks) {
		struct mm_struct *mm = t->mm;

		if (!oom_eligible(t, oc))
			continue;
		printk(m,
		       "[%7d] %5u %5d %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5d %s",
		       t->pid, task_uid(t), t->pid,
		       __atomic_load_n(&mm->total_vm, __ATOMIC_RELAXED),
		       get_mm_rss(mm), get_mm_counter(mm, MM_ANONPAGES),
		       get_mm_counter(mm, MM_FILEPAGES),
		       get_mm_counter(mm, MM_SHMEMPAGES),
		       atomic_load(&mm->pgtables_bytes),
		       get_mm_counter(mm, MM_SWAPENTS), (int)t->oom_score_adj,
		       task_comm);
	}
}

static void dump_header(struct oom_control *oc)
{
	struct task_struct *cur = current_task();
	struct mmk_machine *m = oc->m;
	char names[256];

	format_gfp(oc->gfp_mask, names, sizeof names);
	printk(m,
	       "%s invoked oom-killer: gfp_mask=%#x(%s), order=%u, oom_score_adj=%d",
	       task_comm, oc->gfp_mask, names, oc->order,
	       cur ? (int)cur->oom_score_adj : 0);
	show_mem(m, oc->gfp_mask, oc->nodemask);
	if (atomic_load(&m->mm->oom_dump_tasks))
		dump_tasks(oc);
}

static void dump_oom_victim(struct oom_control *oc, struct task_struct *victim)
{
	struct mmk_machine *m = oc->m;
	char mems[16] = "0", nodes[192];

	if (m->nr_nodes > 1)
		snprintf(mems, sizeof mems, "0-%d", m->nr_nodes - 1);
	nodemask_str(nodes, sizeof nodes, oc->nodemask);
	printk(m,
	       "oom-kill:constraint=%s,nodemask=%s,cpuset=/,mems_allowed=%s,global_oom,task_memcg=/,task=%s,pid=%d,uid=%u",
	       oom_constraint_text[oc->constraint], nodes, mems, task_comm,
	       victim->pid, task_uid(victim));
}

/* Linux's oom_kill_process(): report, count, and mark the victim (the
 * pid table lock held). */
static void oom_kill_process(struct oom_control *oc, const char *message)
{
	struct task_struct *victim = oc->chosen;
	struct mmk_machine *m = oc->m;
	struct mm_struct *mm = victim->mm;
	struct mm_state *ms = m->mm;

	dump_header(oc);
	dump_oom_victim(oc, victim);
	count_vm_events(m, OOM_KILL, 1);
	atomic_store(&victim->oom_victim, true);
	unhash_task(ms, victim);
	list_add_tail(&victim->tasks, &ms->oom_victims);
	atomic_fetch_add(&ms->nr_oom_victims, 1);
	printk(m,
	       "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d",
	       message, victim->pid, task_comm,
	       K(__atomic_load_n(&mm->total_vm, __ATOMIC_RELAXED)),
	       K(get_mm_counter(mm, MM_ANONPAGES)),
	       K(get_mm_counter(mm, MM_FILEPAGES)),
	       K(get_mm_counter(mm, MM_SHMEMPAGES)), task_uid(victim),
	       (unsigned long)atomic_load(&mm->pgtables_bytes) >> 10,
	       (int)victim->oom_score_adj);
}

/*
 * The oom_reaper's work (__oom_reap_task_mm), done at once: unmap the
 * anonymous and private VMAs, highest first. Not the caller's own mm (it
 * frees it by dying), nor an mm another thread has locked.
 */
static bool oom_reap_task(struct task_struct *t)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma;

	if (t->oom_reaped)
		return true;
	if (mm == current_mm() || !mmap_write_trylock(mm))
		return false;
	for (vma = mm->mmap; vma && vma->vm_next; vma = vma->vm_next)
		;
	for (; vma; vma = vma->vm_prev)
		if (!(vma->vm_flags & (VM_HUGETLB | VM_PFNMAP)) &&
		    (vma_is_anonymous(vma) || !(vma->vm_flags & VM_SHARED)))
			zap_page_range(mm, vma->vm_start, vma->vm_end);
	__atomic_store_n(&t->oom_reaped, true, __ATOMIC_RELAXED);
	mmap_write_unlock(mm);
	return true;
}

static void select_bad_process(struct oom_control *oc)
{
	struct task_struct *t;

	list_for_each_entry(t, &oc->m->mm->tasks, tasks) {
		long points;

		if (!oom_eligible(t, oc))
			continue;
		points = oom_badness(t, oc->totalpages);
		if (points == LONG_MIN || points < oc->chosen_points)
			continue;
		oc->chosen = t;
		oc->chosen_points = points;
	}
}

/* Reap the victims not reaped yet. Returns -1 if one is still waiting,
 * else how many were reaped now. */
static int reap_waiting_victims(struct mm_state *ms)
{
	struct task_struct *t;
	int reaped = 0;

	list_for_each_entry(t, &ms->oom_victims, tasks) {
		if (t->oom_reaped)
			continue;
		if (!oom_reap_task(t))
			return -1;
		reaped++;
	}
	return reaped;
}

static bool out_of_memory(struct mmk_machine *m, gfp_t gfp, unsigned int order,
			  unsigned long nodemask)
{
	struct oom_control oc = { .m = m,
				  .nodemask = nodemask,
				  .gfp_mask = gfp,
				  .order = order,
				  .chosen_points = LONG_MIN };
	struct task_struct *cur = current_task();
	const char *message = "Out of memory";
	struct mm_state *ms = m->mm;
	bool progress;
	int waiting;

	/* task_will_free_mem(current): the victim frees memory by dying. */
	if (cur && is_oom_victim(cur))
		return true;
	/* Linux returns "progress" and lets a GFP_NOFS request retry until
	 * reclaim elsewhere frees memory; nothing here would. */
	if (!(gfp & __GFP_FS))
		return false;
	if (mmap_lock_held()) {
		if (pthread_mutex_trylock(&ms->lock))
			return false;
	} else {
		pthread_mutex_lock(&ms->lock);
	}
	/* A victim not reaped yet: Linux waits for it rather than kill
	 * another. */
	waiting = reap_waiting_victims(ms);
	if (waiting) {
		pthread_mutex_unlock(&ms->lock);
		oom_exit_victims(m);
		return waiting > 0;
	}
	oc.constraint = constrained_alloc(&oc);
	if (oc.constraint != CONSTRAINT_MEMORY_POLICY)
		oc.nodemask = 0;
	if (atomic_load(&ms->oom_kill_allocating_task) && cur &&
	    oom_eligible(cur, &oc) && cur->oom_score_adj != OOM_SCORE_ADJ_MIN) {
		oc.chosen = cur;
		message = "Out of memory (oom_kill_allocating_task)";
	} else {
		select_bad_process(&oc);
	}
	if (!oc.chosen) {
		no_victim = true;
		dump_header(&oc);
		printk(m, "Out of memory and no killable processes...");
		pthread_mutex_unlock(&ms->lock);
		return false;
	}
	oom_kill_process(&oc, message);
	progress = oc.chosen == cur || oom_reap_task(oc.chosen);
	pthread_mutex_unlock(&ms->lock);
	oom_exit_victims(m);
	return progress;
}

static bool oom_reserves_allowed(void)
{
	struct task_struct *cur = current_task();

	return cur && is_oom_victim(cur);
}

int oom_exit_victims(struct mmk_machine *m)
{
	struct mm_state *ms = m ? m->mm : NULL;
	struct task_struct *t, *n;
	struct list_head victims;
	int nr = 0;

	if (!ms || !atomic_load(&ms->nr_oom_victims) || mmap_lock_held())
		return 0;
	INIT_LIST_HEAD(&victims);
	pthread_mutex_lock(&ms->lock);
	list_for_each_entry_safe(t, n, &ms->oom_victims, tasks) {
		list_del(&t->tasks);
		list_add_tail(&t->tasks, &victims);
		nr++;
	}
	atomic_fetch_sub(&ms->nr_oom_victims, nr);
	pthread_mutex_unlock(&ms->lock);
	list_for_each_entry_safe(t, n, &victims, tasks) {
		list_del(&t->tasks);
		release_task(t);
	}
	return nr;
}

void oom_init(struct mmk_machine *m)
{
	atomic_init(&m->mm->oom_dump_tasks, true);
	m->out_of_memory = out_of_memory;
	m->oom_reserves_allowed = oom_reserves_allowed;
	m->show_mem = show_mem;
}

/* ---- the C API ---- */

bool mmk_task_alive(int pid)
{
	return mmk_cur() && pid > 0 && find_task(pid);
}

int mmk_set_oom_score_adj(int pid, int adj)
{
	struct mm_state *ms;
	struct task_struct *t;

	if (!mmk_cur() || adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	ms = mm_state();
	pthread_mutex_lock(&ms->lock);
	t = pid > 0 ? find_task_locked(ms, pid) : NULL;
	if (!t) {
		pthread_mutex_unlock(&ms->lock);
		return -ESRCH;
	}
	/* __set_oom_adj(), the process writing its own file: below the
	 * floor only with CAP_SYS_RESOURCE, which moves the floor. */
	if (adj < t->oom_score_adj_min && !t->privileged) {
		pthread_mutex_unlock(&ms->lock);
		return -EACCES;
	}
	/* /proc/PID/oom_score_adj reads it unlocked */
	__atomic_store_n(&t->oom_score_adj, (short)adj, __ATOMIC_RELAXED);
	if (t->privileged)
		t->oom_score_adj_min = (short)adj;
	pthread_mutex_unlock(&ms->lock);
	return 0;
}

int mmk_set_oom_kill_allocating_task(bool on)
{
	if (!mmk_cur())
		return -EINVAL;
	return atomic_exchange(&mm_state()->oom_kill_allocating_task, on);
}

int mmk_set_oom_dump_tasks(bool on)
{
	if (!mmk_cur())
		return -EINVAL;
	return atomic_exchange(&mm_state()->oom_dump_tasks, on);
}
