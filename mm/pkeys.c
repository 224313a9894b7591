/* SPDX-License-Identifier: MIT */
/*
 * Memory protection keys (Linux's arch/x86/mm/pkeys.c, asm/pkeys.h and
 * asm/pkru.h, and the pkey_alloc, pkey_free and pkey_mprotect system
 * calls of mm/mprotect.c), for a machine booted with pku (a CPU with
 * X86_FEATURE_OSPKE; x86_64 only).
 *
 * 1. What it models.
 *    - A VMA carries a key, 0-15, in vm_flags bits 32-35 (VM_PKEY_BIT*),
 *      and its page-table entries carry it in bits 59-62, where the MMU
 *      reads it (mm/memory.c's mmu_access, which keeps it in its TLB
 *      entries). Each data access, and each get_user_pages-style
 *      population of the process's own memory (mlock, MAP_POPULATE,
 *      MADV_POPULATE_*), is checked against the process's PKRU: a key
 *      with access disabled allows no load or store, one with write
 *      disabled no store. A refused access is SIGSEGV (SEGV_PKUERR) and
 *      faults nothing in; a refused population is EFAULT. Instruction
 *      fetches are never checked (the simulator has none).
 *    - pkey_alloc() takes the lowest free key of the process (key 0 is
 *      allocated from the start) and writes its rights into PKRU;
 *      pkey_free() frees an allocated key (key 0 too, as Linux allows),
 *      leaving the VMAs that use it as they are; pkey_mprotect() is
 *      mprotect() that sets the range's key, which must be allocated
 *      (checked before the range is looked at: EINVAL). A new process
 *      starts with PKRU 0x55555554 (every key but 0 access-disabled,
 *      init_pkru_value); fork copies PKRU and the allocated keys.
 *    - Execute-only memory: mmap() or mprotect() with exactly PROT_EXEC
 *      gives the range the process's execute-only key, allocated at the
 *      first such call (the lowest free key) and made access-disabled in
 *      PKRU; mprotect() to anything else moves a range with that key
 *      back to key 0. Without a free key the range keeps key 0 (readable,
 *      as on a CPU without keys). pkey_free() and pkey_mprotect() refuse
 *      the execute-only key.
 *    - glibc's pkey_set() and pkey_get() (WRPKRU, RDPKRU) are the way a
 *      script changes PKRU; they take any key 0-15, allocated or not.
 *    - Without pku, as on such a CPU: pkey_alloc() finds no free key
 *      (ENOSPC), keys other than 0 are EINVAL, nothing is ever refused,
 *      and smaps prints no ProtectionKey. On i386 the system calls are
 *      ENOSYS.
 *
 * 2. Objects. mm_struct.pkey_allocation_map and execute_only_pkey (x86's
 *    mm_context_t), task_struct.pkru, the VM_PKEY_BIT* flags.
 *
 * 3. Invariants. Every present or PROT_NONE page-table entry carries its
 *    VMA's key (the verifier, mm_verify_pages); key 0 is never the
 *    execute-only key.
 *
 * 4. Departures. PKRU is per process (mmkit's processes have one thread
 *    each); pkey_set()/pkey_get() without pku are ENOSYS (the manual
 *    page's error) where the CPU would raise #UD; no signal frame, so
 *    si_code SEGV_PKUERR is not visible, only SIGSEGV.
 *
 * 5. Ordering. Under the process's mmap lock, like the VMAs.
 *
 * 6. Observability. smaps ProtectionKey; a refused access's SIGSEGV.
 */
#include "mm/pgtable.h"

#include <errno.h>

#define PKRU_AD_BIT 0x1u
#define PKRU_WD_BIT 0x2u
#define PKRU_BITS_PER_PKEY 2
/* init_pkru_value: every key but 0 access-disabled. */
#define INIT_PKRU_VALUE 0x55555554u
#define ARCH_DEFAULT_PKEY 0

static bool has_pku(const struct mm_struct *mm)
{
	return mm->machine->cfg.pku;
}

static int arch_max_pkey(const struct mm_struct *mm)
{
	return has_pku(mm) ? MMK_NR_PKEYS : 1;
}

int vma_pkey(const struct vm_area_struct *vma)
{
	return (int)((vma->vm_flags & VM_PKEY_MASK) >> VM_PKEY_SHIFT);
}

void pkeys_init(struct mm_struct *mm, struct task_struct *t)
{
	mm->pkey_allocation_map = 1;
	mm->execute_only_pkey = -1;
	t->pkru = has_pku(mm) ? INIT_PKRU_VALUE : 0;
}

void pkeys_dup(struct mm_struct *mm, const struct mm_struct *oldmm)
{
	mm->pkey_allocation_map = oldmm->pkey_allocation_map;
	mm->execute_only_pkey = oldmm->execute_only_pkey;
	mm->owner->pkru = oldmm->owner->pkru;
}

bool pkru_allows_pkey(const struct mm_struct *mm, int pkey, bool write)
{
	unsigned int shift = (unsigned int)pkey * PKRU_BITS_PER_PKEY;
	uint32_t pkru;

	if (!has_pku(mm) || !mm->owner)
		return true;
	pkru = mm->owner->pkru >> shift;
	return !(pkru & PKRU_AD_BIT) && !(write && (pkru & PKRU_WD_BIT));
}

bool arch_vma_access_permitted(const struct vm_area_struct *vma, bool write)
{
	return pkru_allows_pkey(vma->vm_mm, vma_pkey(vma), write);
}

/* mm_pkey_is_allocated(): from pkey_alloc(), or key 0; never the
 * execute-only key. */
static bool mm_pkey_is_allocated(const struct mm_struct *mm, int pkey)
{
	if (pkey < 0 || pkey >= arch_max_pkey(mm))
		return false;
	if (pkey == mm->execute_only_pkey)
		return false;
	return mm->pkey_allocation_map & (1u << pkey);
}

/* The lowest free key, now allocated; -1 if none. */
static int mm_pkey_alloc(struct mm_struct *mm)
{
	unsigned int all = (1u << arch_max_pkey(mm)) - 1;
	int pkey;

	if (mm->pkey_allocation_map == all)
		return -1;
	for (pkey = 0; mm->pkey_allocation_map & (1u << pkey); pkey++)
		;
	mm->pkey_allocation_map |= (unsigned short)(1u << pkey);
	return pkey;
}

/* arch_set_user_pkey_access(): @pkey's two PKRU bits from @rights. */
static void set_pkey_access(struct task_struct *t, int pkey,
			    unsigned long rights)
{
	unsigned int shift = (unsigned int)pkey * PKRU_BITS_PER_PKEY;
	uint32_t bits = 0;

	if (rights & MMK_PKEY_DISABLE_ACCESS)
		bits |= PKRU_AD_BIT;
	if (rights & MMK_PKEY_DISABLE_WRITE)
		bits |= PKRU_WD_BIT;
	t->pkru = (t->pkru & ~((PKRU_AD_BIT | PKRU_WD_BIT) << shift)) |
		  bits << shift;
}

int execute_only_pkey(struct mm_struct *mm)
{
	int pkey = mm->execute_only_pkey;
	bool new_key = false;

	if (!has_pku(mm))
		return ARCH_DEFAULT_PKEY;
	if (pkey == -1) {
		pkey = mm_pkey_alloc(mm);
		if (pkey < 0)
			return -1;
		new_key = true;
	}
	/* Already access-disabled: nothing to write (Linux skips the
	 * costly WRPKRU then). */
	if (!new_key && !pkru_allows_pkey(mm, pkey, false))
		return pkey;
	set_pkey_access(mm->owner, pkey, MMK_PKEY_DISABLE_ACCESS);
	mm->execute_only_pkey = (short)pkey;
	return pkey;
}

int arch_override_mprotect_pkey(struct vm_area_struct *vma, unsigned long prot,
				int pkey)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!has_pku(mm))
		return 0;
	/* pkey_mprotect(): the caller's key, as it is. */
	if (pkey != -1)
		return pkey;
	if (prot == PROT_EXEC) {
		pkey = execute_only_pkey(mm);
		if (pkey > 0)
			return pkey;
	} else if (mm->execute_only_pkey != -1 &&
		   vma_pkey(vma) == mm->execute_only_pkey) {
		/* Execute-only no more: back to the default key. */
		return ARCH_DEFAULT_PKEY;
	}
	return vma_pkey(vma);
}

bool pkey_may_use(const struct mm_struct *mm, int pkey)
{
	return pkey == -1 || mm_pkey_is_allocated(mm, pkey);
}

/* ---- the C API ---- */

/* The system calls exist on x86_64 only (sys_ni_syscall on i386). */
static bool pkeys_syscalls(void)
{
	struct mmk_machine *m = mmk_cur();

	return m && m->arch->arch == MMK_ARCH_X86_64;
}

long mmk_pkey_alloc(int pid, unsigned long flags, unsigned long init_val)
{
	struct mm_struct *mm;
	int pkey;

	if (!pkeys_syscalls())
		return -ENOSYS;
	if (flags || (init_val & ~(unsigned long)MMK_PKEY_ACCESS_MASK))
		return -EINVAL;
	mm = syscall_mm_lock(pid);
	if (!mm)
		return -ESRCH;
	pkey = mm_pkey_alloc(mm);
	if (pkey >= 0)
		set_pkey_access(mm->owner, pkey, init_val);
	syscall_mm_unlock(mm);
	return pkey < 0 ? -ENOSPC : pkey;
}

long mmk_pkey_free(int pid, int pkey)
{
	struct mm_struct *mm;
	long ret = 0;

	if (!pkeys_syscalls())
		return -ENOSYS;
	mm = syscall_mm_lock(pid);
	if (!mm)
		return -ESRCH;
	if (mm_pkey_is_allocated(mm, pkey))
		mm->pkey_allocation_map &= (unsigned short)~(1u << pkey);
	else
		ret = -EINVAL;
	syscall_mm_unlock(mm);
	return ret;
}

long mmk_pkey_mprotect(int pid, unsigned long addr, unsigned long len,
		       unsigned long prot, int pkey)
{
	struct mm_struct *mm;
	long ret;

	if (!pkeys_syscalls())
		return -ENOSYS;
	mm = syscall_mm_lock(pid);
	if (!mm)
		return -ESRCH;
	ret = do_mprotect_pkey(mm, addr, len, prot, pkey);
	syscall_mm_unlock(mm);
	return ret;
}

/* glibc's checks, then the register's: none without protection keys. */
static struct mm_struct *pkru_begin(int pid, int pkey, unsigned int rights,
				    long *err)
{
	struct mmk_machine *m = mmk_cur();
	struct mm_struct *mm;

	*err = -EINVAL;
	if (pkey < 0 || pkey >= MMK_NR_PKEYS ||
	    (rights & ~MMK_PKEY_ACCESS_MASK))
		return NULL;
	*err = -ENOSYS;
	if (!m || !m->cfg.pku)
		return NULL;
	*err = -ESRCH;
	mm = syscall_mm_lock(pid);
	return mm;
}

long mmk_pkey_set(int pid, int pkey, unsigned int rights)
{
	struct mm_struct *mm;
	long err;

	mm = pkru_begin(pid, pkey, rights, &err);
	if (!mm)
		return err;
	set_pkey_access(mm->owner, pkey, rights);
	syscall_mm_unlock(mm);
	return 0;
}

long mmk_pkey_get(int pid, int pkey)
{
	struct mm_struct *mm;
	long err, rights;

	mm = pkru_begin(pid, pkey, 0, &err);
	if (!mm)
		return err;
	rights = (long)((mm->owner->pkru >> (pkey * PKRU_BITS_PER_PKEY)) &
			(PKRU_AD_BIT | PKRU_WD_BIT));
	syscall_mm_unlock(mm);
	return rights;
}
