/* SPDX-License-Identifier: MIT */
/*
 * prctl(2)'s memory options (Linux's kernel/sys.c).
 *
 * 1. What it models. PR_SET_MEMORY_MERGE (6.4) makes a process's memory
 *    mergeable by KSM as a whole: arg2 non-zero sets MMF_VM_MERGE_ANY,
 *    registers the mm with ksmd and marks every compatible VMA
 *    VM_MERGEABLE, as every later mmap and brk will be (mm/ksm.c's
 *    ksm_vma_flags); 0 unmerges and clears VM_MERGEABLE on every VMA
 *    (MADV_MERGEABLE's too) and the flag. The flag survives fork.
 *    PR_GET_MEMORY_MERGE reads it. PR_SET_THP_DISABLE and
 *    PR_GET_THP_DISABLE (mm/huge_memory.c's thp_prctl) forbid
 *    transparent huge pages to the process, or (6.18's
 *    PR_THP_DISABLE_EXCEPT_ADVISED) allow them only in MADV_HUGEPAGE
 *    VMAs; kept across fork.
 *
 * 2. Objects. mm_struct.merge_any, mm_struct.thp_disable.
 *
 * 3. Invariants. With merge_any, every VMA KSM may merge is
 *    VM_MERGEABLE, unless MADV_UNMERGEABLE took it off.
 *
 * 4. Departures. No other option (EINVAL, as for an unknown one); no
 *    exec, so nothing of exec's inheritance of the flag.
 *
 * 5. Ordering. The mmap lock, for writing, around a change (Linux takes
 *    mmap_write_lock_killable); the read takes none.
 *
 * 6. Observability. /proc/PID/ksm_stat's ksm_merge_any and
 *    ksm_mergeable, smaps VmFlags "mg".
 */
#include "mm/huge_mm.h"

long mmk_prctl(int pid, int option, unsigned long arg2, unsigned long arg3,
	       unsigned long arg4, unsigned long arg5)
{
	struct mm_struct *mm;
	long err;

	switch (option) {
	case PR_SET_MEMORY_MERGE:
		if (arg3 || arg4 || arg5)
			return -EINVAL;
		mm = syscall_mm_lock(pid);
		if (!mm)
			return -ESRCH;
		err = arg2 ? ksm_enable_merge_any(mm) :
			     ksm_disable_merge_any(mm);
		syscall_mm_unlock(mm);
		return err;
	case PR_GET_MEMORY_MERGE:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		mm = mmk_get_mm(pid);
		if (!mm)
			return -ESRCH;
		err = __atomic_load_n(&mm->merge_any, __ATOMIC_RELAXED);
		mmput(mm);
		return err;
	case PR_SET_THP_DISABLE:
	case PR_GET_THP_DISABLE:
		mm = syscall_mm_lock(pid);
		if (!mm)
			return -ESRCH;
		err = thp_prctl(mm, option, arg2, arg3, arg4, arg5);
		syscall_mm_unlock(mm);
		return err;
	default:
		return -EINVAL;
	}
}
