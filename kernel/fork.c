/* SPDX-License-Identifier: MIT */
/*
 * Processes: spawn, fork (dup_mm/dup_mmap), exit, rlimits, and the
 * machine's process table (Linux's kernel/fork.c, kernel/exit.c and the
 * pid hash).
 *
 * 1. What it models. A process is a pid, an mm_struct, privileges and
 *    rlimits. fork copies the VMAs as dup_mmap does: VM_DONTCOPY VMAs are
 *    left out, VM_LOCKED is cleared, VM_ACCOUNT VMAs are charged again,
 *    anonymous VMAs get a new anon_vma chained to the parent's
 *    (anon_vma_fork), VM_WIPEONFORK VMAs start without one; locked_vm
 *    starts at 0 and mlockall(MCL_FUTURE) is not inherited. The child
 *    of a process registered with KSM is registered (ksm_fork); the
 *    last mmput unregisters it (ksm_exit, after exit_mmap, outside the
 *    mmap lock: mm/ksm.c).
 *
 * 2. Objects. task_struct ("task_struct" cache) -> mm_struct ("mm_struct"
 *    cache); a pid hash in struct mm_state.
 *
 * 3. Invariants. Every live task has an mm; an mm lives while its task
 *    or a caller of mmk_get_mm() uses it (mm_users).
 *
 * 4. Departures. No threads, signals, credentials or namespaces: a task
 *    is privileged (root: CAP_IPC_LOCK, CAP_SYS_RAWIO) or not.
 *
 * 5. Ordering. mm_state.lock (pid table) nests outside no other lock;
 *    each mm's mmap_lock serialises changes to that mm. The verifier
 *    (mm_state_verify) takes it, then every mmap lock, files_lock and
 *    each file's lock in turn (filemap_verify).
 *
 * 6. Observability. /proc/PID/{maps,smaps,status} exist for live pids.
 */
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"

#include <stdlib.h>
#include <string.h>
#include <mmkit/slab.h>

static struct task_struct **pid_slot(struct mm_state *ms, int pid)
{
	struct task_struct **pp =
		&ms->pid_hash[(unsigned int)pid % PID_HASH_SIZE];

	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->hash_next;
	return pp;
}

struct task_struct *find_task_locked(struct mm_state *ms, int pid)
{
	return *pid_slot(ms, pid);
}

struct task_struct *find_task(int pid)
{
	struct mm_state *ms = mm_state();
	struct task_struct *t;

	pthread_mutex_lock(&ms->lock);
	t = find_task_locked(ms, pid);
	pthread_mutex_unlock(&ms->lock);
	return t;
}

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm =
		kmem_cache_zalloc(mm_state()->mm_cachep, GFP_KERNEL);

	if (!mm)
		return NULL;
	pthread_mutex_init(&mm->mmap_lock, NULL);
	atomic_init(&mm->mm_users, 1);
	mm->machine = mmk_cur();
	atomic_fetch_add(&mm_state()->nr_mms, 1);
	if (pgd_alloc(mm)) {
		atomic_fetch_sub(&mm_state()->nr_mms, 1);
		pthread_mutex_destroy(&mm->mmap_lock);
		kmem_cache_free(mm_state()->mm_cachep, mm);
		return NULL;
	}
	return mm;
}

/* How many mmap locks this thread holds, and the process it acts for. */
static mmk_thread_local unsigned int mmap_locks_held;
static mmk_thread_local struct mm_struct *current_mm_of_thread;

void mmap_write_lock(struct mm_struct *mm)
{
	pthread_mutex_lock(&mm->mmap_lock);
	mmap_locks_held++;
}

bool mmap_write_trylock(struct mm_struct *mm)
{
	if (pthread_mutex_trylock(&mm->mmap_lock))
		return false;
	mmap_locks_held++;
	return true;
}

void mmap_write_unlock(struct mm_struct *mm)
{
	mmap_locks_held--;
	pthread_mutex_unlock(&mm->mmap_lock);
}

bool mmap_lock_held(void)
{
	return mmap_locks_held != 0;
}

struct mm_struct *current_mm(void)
{
	return current_mm_of_thread;
}

void mmput(struct mm_struct *mm)
{
	if (!mm || atomic_fetch_sub(&mm->mm_users, 1) != 1)
		return;
	mmap_write_lock(mm);
	exit_page_tables(mm);
	exit_mmap(mm);
	mmap_write_unlock(mm);
	/* Outside the mmap lock (the KSM lock nests outside it), and after
	 * the pages went: nodes of KSM pages no process maps any more may be
	 * pruned. */
	ksm_exit(mm);
	khugepaged_exit(mm);
	pthread_mutex_destroy(&mm->mmap_lock);
	kmem_cache_free(mm_state()->mm_cachep, mm);
	atomic_fetch_sub(&mm_state()->nr_mms, 1);
}

bool mmget_not_zero(struct mm_struct *mm)
{
	int users = atomic_load(&mm->mm_users);

	do {
		if (!users)
			return false;
	} while (!atomic_compare_exchange_weak(&mm->mm_users, &users,
					       users + 1));
	return true;
}

struct mm_struct *mmk_get_mm(int pid)
{
	struct mm_state *ms;
	struct task_struct *t;
	struct mm_struct *mm = NULL;

	if (!mmk_cur())
		return NULL;
	ms = mm_state();
	pthread_mutex_lock(&ms->lock);
	t = pid > 0 ? *pid_slot(ms, pid) : NULL;
	if (t) {
		mm = t->mm;
		atomic_fetch_add(&mm->mm_users, 1);
	}
	pthread_mutex_unlock(&ms->lock);
	return mm;
}

struct mm_struct *syscall_mm_lock(int pid)
{
	struct mm_struct *mm = mmk_get_mm(pid);

	if (mm) {
		mmap_write_lock(mm);
		current_mm_of_thread = mm;
	}
	return mm;
}

/* The end of a system call: the OOM killer's victims exit once the
 * thread holds no mmap lock (the caller among them, if it was chosen). */
void syscall_mm_unlock(struct mm_struct *mm)
{
	current_mm_of_thread = NULL;
	mmap_write_unlock(mm);
	mmput(mm);
	flush_delayed_fput();
	oom_exit_victims(mmk_cur());
	kswapd_run(mmk_cur());
}

static void default_rlimits(struct task_struct *t)
{
	int i;

	for (i = 0; i < MMK_RLIM_NLIMITS; i++)
		t->rlim[i] = MMK_RLIM_INFINITY;
	t->rlim[MMK_RLIMIT_STACK] = 8UL << 20;
	t->rlim[MMK_RLIMIT_MEMLOCK] = 8UL << 20;
}

/* Put @t in the table unless its pid is taken. */
static int attach_pid(struct task_struct *t)
{
	struct mm_state *ms = mm_state();
	struct task_struct **pp;
	int err = 0;

	pthread_mutex_lock(&ms->lock);
	pp = pid_slot(ms, t->pid);
	if (*pp) {
		err = -EEXIST;
	} else {
		*pp = t;
		ms->nr_tasks++;
		list_add_tail(&t->tasks, &ms->tasks);
	}
	pthread_mutex_unlock(&ms->lock);
	return err;
}

static struct task_struct *task_alloc(int pid)
{
	struct task_struct *t =
		kmem_cache_zalloc(mm_state()->task_cachep, GFP_KERNEL);

	if (t)
		t->pid = pid;
	return t;
}

static void task_free(struct task_struct *t)
{
	kmem_cache_free(mm_state()->task_cachep, t);
}

int mmk_spawn(int pid, bool unprivileged)
{
	struct task_struct *t;
	struct mm_struct *mm;
	int err;

	if (!mmk_cur())
		return -EINVAL;
	if (pid < 1)
		return -EINVAL;
	if (mm_caches_init())
		return -ENOMEM;
	if (find_task(pid))
		return -EEXIST;
	t = task_alloc(pid);
	mm = t ? mm_alloc() : NULL;
	if (!mm) {
		if (t)
			task_free(t);
		return -ENOMEM;
	}
	t->mm = mm;
	t->privileged = !unprivileged;
	default_rlimits(t);
	mm->owner = t;
	mm_layout_init(mm, (unsigned int)pid);
	pkeys_init(mm, t);
	err = attach_pid(t);
	if (err) {
		mmput(mm);
		task_free(t);
	}
	return err;
}

/* Copy @oldmm's VMAs into @mm (Linux's dup_mmap). */
static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt, *tmp;
	int err = 0;

	mm->total_vm = oldmm->total_vm;
	mm->data_vm = oldmm->data_vm;
	mm->exec_vm = oldmm->exec_vm;
	mm->stack_vm = oldmm->stack_vm;
	for_each_vma(oldmm, mpnt) {
		if (mpnt->vm_flags & VM_DONTCOPY) {
			vm_stat_account(mm, mpnt->vm_flags,
					-(long)vma_pages(mpnt));
			continue;
		}
		/* Charged to the parent, as dup_mmap() does ("sic"): its
		 * size sets the user reserve, its pid is in the log. */
		if (mpnt->vm_flags & VM_ACCOUNT) {
			err = security_vm_enough_memory_mm(
				oldmm, (long)vma_pages(mpnt));
			if (err)
				break;
		}
		tmp = vm_area_alloc(mm);
		if (!tmp) {
			if (mpnt->vm_flags & VM_ACCOUNT)
				vm_unacct_memory((long)vma_pages(mpnt));
			err = -ENOMEM;
			break;
		}
		tmp->vm_start = mpnt->vm_start;
		tmp->vm_end = mpnt->vm_end;
		tmp->vm_flags = mpnt->vm_flags & ~VM_LOCKED_MASK;
		tmp->vm_page_prot = mpnt->vm_page_prot;
		tmp->vm_pgoff = mpnt->vm_pgoff;
		tmp->vm_policy = mpnt->vm_policy;
		tmp->vm_file = mpnt->vm_file ? get_file(mpnt->vm_file) : NULL;
		if (!(tmp->vm_flags & VM_WIPEONFORK) &&
		    anon_vma_fork(tmp, mpnt)) {
			if (mpnt->vm_flags & VM_ACCOUNT)
				vm_unacct_memory((long)vma_pages(mpnt));
			vm_area_free(tmp);
			err = -ENOMEM;
			break;
		}
		vma_link(mm, tmp);
		if (!(tmp->vm_flags & VM_WIPEONFORK)) {
			err = copy_page_range(mm, oldmm, mpnt);
			if (err) {
				mpnt = mpnt->vm_next;
				break;
			}
		}
	}
	if (err) {
		/* Undo the counters of the VMAs not copied. */
		for (; mpnt; mpnt = mpnt->vm_next)
			if (!(mpnt->vm_flags & VM_DONTCOPY))
				vm_stat_account(mm, mpnt->vm_flags,
						-(long)vma_pages(mpnt));
	}
	mm->hiwater_vm = mm->total_vm;
	return err;
}

int mmk_fork(int parent, int child)
{
	struct mm_struct *oldmm, *mm;
	struct task_struct *t;
	int err;

	if (!mmk_cur() || child < 1)
		return -EINVAL;
	oldmm = mmk_get_mm(parent);
	if (!oldmm)
		return -ESRCH;
	if (find_task(child)) {
		mmput(oldmm);
		return -EEXIST;
	}
	t = task_alloc(child);
	mm = t ? mm_alloc() : NULL;
	if (!mm) {
		if (t)
			task_free(t);
		mmput(oldmm);
		return -ENOMEM;
	}
	t->mm = mm;
	t->ppid = parent;
	mm->owner = t;
	mmap_write_lock(oldmm);
	if (!oldmm->owner) {
		/* The parent exited meanwhile. */
		mmap_write_unlock(oldmm);
		mmput(oldmm);
		mmput(mm);
		task_free(t);
		return -ESRCH;
	}
	t->privileged = oldmm->owner->privileged;
	t->oom_score_adj =
		__atomic_load_n(&oldmm->owner->oom_score_adj, __ATOMIC_RELAXED);
	t->oom_score_adj_min = oldmm->owner->oom_score_adj_min;
	t->mempolicy = oldmm->owner->mempolicy;
	t->il_prev = oldmm->owner->il_prev;
	t->il_weight = oldmm->owner->il_weight;
	pkeys_dup(mm, oldmm);
	current_mm_of_thread = oldmm;
	memcpy(t->rlim, oldmm->owner->rlim, sizeof t->rlim);
	mm->mmap_base = oldmm->mmap_base;
	mm->mmap_legacy_base = oldmm->mmap_legacy_base;
	mm->task_size = oldmm->task_size;
	mm->topdown = oldmm->topdown;
	mm->def_flags = oldmm->def_flags & VM_NOHUGEPAGE;
	mm->thp_disable = oldmm->thp_disable & (MMF_DISABLE_THP_COMPLETELY |
						MMF_DISABLE_THP_EXCEPT_ADVISED);
	mm->start_code = oldmm->start_code;
	mm->end_code = oldmm->end_code;
	mm->start_data = oldmm->start_data;
	mm->end_data = oldmm->end_data;
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->start_stack = oldmm->start_stack;
	/* The child's lock too (mmap_write_lock_nested): reclaim reaches
	 * its VMAs through the anon_vma chains as soon as they are linked.
	 * Nothing can reach the new mm yet, so the try always succeeds (and
	 * orders no lock after the parent's). */
	if (!mmap_write_trylock(mm))
		mmap_write_lock(mm);
	err = ksm_fork(mm, oldmm);
	if (!err)
		err = dup_mmap(mm, oldmm);
	if (!err)
		khugepaged_fork(mm, oldmm);
	mmap_write_unlock(mm);
	current_mm_of_thread = NULL;
	/* A parent the OOM killer chose meanwhile does not fork. */
	if (!err && fatal_signal_pending(oldmm))
		err = -EINTR;
	mmap_write_unlock(oldmm);
	mmput(oldmm);
	flush_delayed_fput();
	if (!err)
		err = attach_pid(t);
	if (err) {
		mmput(mm);
		task_free(t);
	}
	oom_exit_victims(mmk_cur());
	kswapd_run(mmk_cur());
	return err;
}

int mmk_exit(int pid)
{
	struct mm_state *ms;
	struct task_struct *t;

	if (!mmk_cur())
		return -EINVAL;
	ms = mm_state();
	pthread_mutex_lock(&ms->lock);
	t = *pid_slot(ms, pid);
	if (t)
		unhash_task(ms, t);
	pthread_mutex_unlock(&ms->lock);
	if (!t)
		return -ESRCH;
	release_task(t);
	return 0;
}

void unhash_task(struct mm_state *ms, struct task_struct *t)
{
	struct task_struct **pp = pid_slot(ms, t->pid);

	*pp = t->hash_next;
	ms->nr_tasks--;
	list_del(&t->tasks);
}

void release_task(struct task_struct *t)
{
	/* Readers that still hold the mm (procfs) must not see the task. */
	mmap_write_lock(t->mm);
	t->mm->owner = NULL;
	mmap_write_unlock(t->mm);
	mmput(t->mm);
	task_free(t);
}

int mmk_setrlimit(int pid, int resource, unsigned long value)
{
	struct mm_struct *mm;

	if (resource != MMK_RLIMIT_DATA && resource != MMK_RLIMIT_STACK &&
	    resource != MMK_RLIMIT_MEMLOCK && resource != MMK_RLIMIT_AS)
		return -EINVAL;
	mm = syscall_mm_lock(pid);
	if (!mm)
		return -ESRCH;
	mm->owner->rlim[resource] = value;
	syscall_mm_unlock(mm);
	return 0;
}

int mmk_set_max_map_count(int count)
{
	if (!mmk_cur() || count < 0)
		return -EINVAL;
	return atomic_exchange(&mm_state()->max_map_count, count);
}

int mmk_set_legacy_va_layout(bool legacy)
{
	if (!mmk_cur())
		return -EINVAL;
	return atomic_exchange(&mm_state()->legacy_va_layout, legacy);
}

unsigned long vm_memory_committed(struct mmk_machine *m)
{
	long pages = m->mm ? atomic_load(&m->mm->vm_committed_as) : 0;

	return pages > 0 ? (unsigned long)pages : 0;
}

int mm_state_init(struct mmk_machine *m)
{
	struct mm_state *ms = mmk_machine_zalloc(m, sizeof(*ms));

	if (!ms)
		return -ENOMEM;
	m->mm = ms;
	pthread_mutex_init(&ms->lock, NULL);
	pthread_mutex_init(&ms->caches_lock, NULL);
	pthread_mutex_init(&ms->anon_vma_lock, NULL);
	INIT_LIST_HEAD(&ms->tasks);
	INIT_LIST_HEAD(&ms->oom_victims);
	pthread_mutex_init(&ms->files_lock, NULL);
	pthread_mutex_init(&ms->inode_lock, NULL);
	INIT_LIST_HEAD(&ms->files);
	oom_init(m);
	reclaim_init(m);
	if (ksm_init(m) || hugetlb_init(m))
		return -ENOMEM;
	thp_init(m);
	if (khugepaged_init(m))
		return -ENOMEM;
	atomic_init(&ms->max_map_count, DEFAULT_MAX_MAP_COUNT);
	atomic_init(&ms->swappiness, 60);
	atomic_init(&ms->overcommit_ratio, DEFAULT_OVERCOMMIT_RATIO);
	atomic_init(&ms->next_ino, 1000);
	return swap_init(m);
}

/*
 * The caches of processes, VMAs, anon_vmas and files are created with the
 * first process or file, not at boot, so that a machine used only as a
 * kernel allocator shows the slab state of earlier mmkit versions. What a
 * call could not make (out of memory), the next one tries again.
 */
int mm_caches_init(void)
{
	struct mm_state *ms = mm_state();
	int err = 0;

	/* Once made, the caches stay: no lock (callers may hold an mmap
	 * lock, which nests outside caches_lock). */
	if (atomic_load_explicit(&ms->caches_ready, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&ms->caches_lock);
	if (!ms->mm_cachep)
		ms->mm_cachep = kmem_cache_create("mm_struct",
						  sizeof(struct mm_struct), 0,
						  SLAB_HWCACHE_ALIGN, NULL);
	if (!ms->vma_cachep)
		ms->vma_cachep = kmem_cache_create(
			"vm_area_struct", sizeof(struct vm_area_struct), 0, 0,
			NULL);
	if (!ms->anon_vma_cachep)
		ms->anon_vma_cachep = kmem_cache_create(
			"anon_vma", sizeof(struct anon_vma), 0, 0, NULL);
	if (!ms->avc_cachep)
		ms->avc_cachep = kmem_cache_create(
			"anon_vma_chain", sizeof(struct anon_vma_chain), 0, 0,
			NULL);
	if (!ms->task_cachep)
		ms->task_cachep = kmem_cache_create(
			"task_struct", sizeof(struct task_struct), 0, 0, NULL);
	if (!ms->file_cachep && ms->mm_cachep && ms->vma_cachep &&
	    ms->anon_vma_cachep && ms->avc_cachep && ms->task_cachep)
		ms->file_cachep = kmem_cache_create("filp", sizeof(struct file),
						    0, SLAB_HWCACHE_ALIGN,
						    NULL);
	if (ms->file_cachep && !ms->zero_page)
		ms->zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!ms->file_cachep || !ms->zero_page)
		err = -ENOMEM;
	else
		atomic_store_explicit(&ms->caches_ready, true,
				      memory_order_release);
	pthread_mutex_unlock(&ms->caches_lock);
	return err;
}

void mm_state_exit(struct mmk_machine *m)
{
	if (!m->mm)
		return;
	/* The machine's memory, caches included, goes away as a whole. */
	swap_exit(m);
	ksm_state_exit(m);
	khugepaged_state_exit(m);
	pthread_mutex_destroy(&m->mm->lock);
	pthread_mutex_destroy(&m->mm->caches_lock);
	pthread_mutex_destroy(&m->mm->anon_vma_lock);
	m->mm = NULL;
}

bool mm_state_verify(struct mmk_machine *m, char *why, size_t len)
{
	struct mm_state *ms = m->mm;
	struct mm_struct **mms;
	struct file *f;
	bool ok = true;
	int i, n = 0;

	if (!ms)
		return true;
	pthread_mutex_lock(&ms->lock);
	mms = mmk_host_zalloc(sizeof(struct mm_struct *) *
			      (size_t)(ms->nr_tasks + 1));
	if (!mms) {
		pthread_mutex_unlock(&ms->lock);
		return verify_fail(why, len, "verifier out of host memory");
	}
	/* Every mm locked at once: the page checks count mappings across
	 * processes. Nobody waits for a second mmap lock while holding one,
	 * so the order does not matter. */
	for (i = 0; i < PID_HASH_SIZE; i++) {
		struct task_struct *t;

		for (t = ms->pid_hash[i]; t && n <= ms->nr_tasks;
		     t = t->hash_next) {
			mmap_write_lock(t->mm);
			mms[n++] = t->mm;
		}
	}
	if (n != ms->nr_tasks)
		ok = verify_fail(why, len,
				 "%d tasks in the pid table, %d counted", n,
				 ms->nr_tasks);
	for (i = 0; i < n && ok; i++)
		ok = mm_verify(mms[i], why, len);
	if (ok)
		ok = pages_verify(m, mms, n, atomic_load(&ms->nr_mms) == n, why,
				  len);
	/* The huge page pool, and the huge entries of every process when
	 * all of them are here to count a page's mappings. */
	if (ok && atomic_load(&ms->nr_mms) == n)
		ok = hugetlb_verify(m, mms, n, why, len);
	/* Each file's page cache and blocks (mm/filemap.c). */
	pthread_mutex_lock(&ms->files_lock);
	list_for_each_entry(f, &ms->files, f_list) {
		if (!ok)
			break;
		ok = filemap_verify(f, why, len);
	}
	pthread_mutex_unlock(&ms->files_lock);
	for (i = 0; i < n; i++)
		mmap_write_unlock(mms[i]);
	pthread_mutex_unlock(&ms->lock);
	mmk_host_free(mms);
	return ok;
}

/* The pages @mm's VM_ACCOUNT VMAs charge. */
static long mm_charged(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	long n = 0;

	for (vma = mm->mmap; vma; vma = vma->vm_next)
		if (vma->vm_flags & VM_ACCOUNT)
			n += (long)vma_pages(vma);
	return n;
}

static long tasks_charged(struct list_head *head, int *nr)
{
	struct task_struct *t;
	long n = 0;

	list_for_each_entry(t, head, tasks) {
		if (!t->mm)
			continue;
		n += mm_charged(t->mm);
		(*nr)++;
	}
	return n;
}

bool vm_commit_verify(struct mmk_machine *m, char *why, size_t len)
{
	struct mm_state *ms = m->mm;
	long charged = 0, committed;
	struct file *f;
	int nr = 0;

	if (!ms)
		return true;
	pthread_mutex_lock(&ms->lock);
	charged += tasks_charged(&ms->tasks, &nr);
	charged += tasks_charged(&ms->oom_victims, &nr);
	pthread_mutex_unlock(&ms->lock);
	/* An mm whose task is gone (its last user still holds it) keeps
	 * charges nobody here can see. */
	if (nr != atomic_load(&ms->nr_mms))
		return true;
	pthread_mutex_lock(&ms->files_lock);
	list_for_each_entry(f, &ms->files, f_list)
		charged += (long)f->acct_pages + (long)shmem_charged_blocks(f);
	pthread_mutex_unlock(&ms->files_lock);
	committed = atomic_load(&ms->vm_committed_as);
	if (committed != charged)
		return verify_fail(why, len,
				   "Committed_AS is %ld pages, its charges %ld",
				   committed, charged);
	return true;
}
