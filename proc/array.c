/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/status (Linux's fs/proc/array.c): every line Linux 6.18
 * prints, in its order, with "Key:" and one TAB. The memory block comes
 * from task_mem() (proc/task_mmu.c).
 *
 * 1. What it models. A simulated process is single-threaded and always
 *    sleeping; a privileged one is root with all capabilities, an
 *    unprivileged one is nobody (65534) without any. SigQ's limit is
 *    Linux's default RLIMIT_SIGPENDING, max_threads / 2, where
 *    set_max_threads() lets thread stacks (THREAD_SIZE: 16 KiB on x86_64,
 *    8 KiB on i386) take an eighth of the memory memblock left free at
 *    boot. The CPU and memory-node masks are the machine's.
 *
 * 2-3. Read-only.
 *
 * 4. Departures. Name is "mmkit" for every process; signal masks, context
 *    switches and seccomp are constant.
 *
 * 5. Ordering. The mmap lock of the process.
 *
 * 6. Observability. This is it.
 */
#include "proc/internal.h"
#include "mm/huge_mm.h"

/* kernel/fork.c's set_max_threads() at boot, halved (init's
 * RLIMIT_SIGPENDING): memblock_estimated_nr_free_pages() × PAGE_SIZE over
 * 8 stacks' worth, at least MIN_THREADS (20) threads. */
static unsigned long sigpending_limit(const struct mmk_machine *m)
{
	unsigned long thread_size = m->arch->arch == MMK_ARCH_I386 ? 8192 :
								     16384;
	unsigned long long bytes = 0;
	unsigned long threads;
	int i;

	for (i = 0; i < m->memblock.memory.cnt; i++)
		bytes += m->memblock.memory.regions[i].size;
	for (i = 0; i < m->memblock.reserved.cnt; i++)
		bytes -= min(bytes,
			     (unsigned long long)m->memblock.reserved.regions[i]
				     .size);
	threads = (unsigned long)((bytes >> PAGE_SHIFT) * PAGE_SIZE /
				  (thread_size * 8));
	return max(threads, 20UL) / 2;
}

static void show_cpus(struct seq_file *s, struct mmk_machine *m)
{
	int n = m->nr_cpus, words = (n + 31) / 32, w;

	seq_puts(s, "Cpus_allowed:\t");
	for (w = words - 1; w >= 0; w--) {
		int bits = n - w * 32;
		unsigned long mask = bits >= 32 ? 0xffffffffUL :
						  (1UL << bits) - 1;

		seq_printf(s, w == words - 1 ? "%lx" : ",%08lx", mask);
	}
	if (n == 1)
		seq_puts(s, "\nCpus_allowed_list:\t0\n");
	else
		seq_printf(s, "\nCpus_allowed_list:\t0-%d\n", n - 1);
	/* Mems_allowed: MAX_NUMNODES bits in 32-bit words: 1024 with
	 * CONFIG_NUMA, 1 without. */
	seq_puts(s, "Mems_allowed:\t");
	if (!m->arch->numa)
		seq_puts(s, "1\n");
	for (w = m->arch->numa ? 31 : -1; w >= 0; w--) {
		unsigned long mask = 0;
		int nid;

		for (nid = 0; nid < m->nr_nodes; nid++)
			if (nid / 32 == w)
				mask |= 1UL << (nid % 32);
		seq_printf(s, "%08lx%s", mask, w ? "," : "\n");
	}
	if (m->nr_nodes == 1)
		seq_puts(s, "Mems_allowed_list:\t0\n");
	else
		seq_printf(s, "Mems_allowed_list:\t0-%d\n", m->nr_nodes - 1);
}

void proc_pid_status_show(struct seq_file *s, struct mmk_machine *m,
			  struct mm_struct *mm)
{
	const struct task_struct *t = mm->owner;
	bool root = t->privileged;
	unsigned int id = task_uid(t);
	const char *caps = root ? "000001ffffffffff" : "0000000000000000";
	bool is64 = m->arch->arch == MMK_ARCH_X86_64;

	seq_puts(s, "Name:\tmmkit\nUmask:\t0022\nState:\tS (sleeping)\n");
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n", t->pid,
		   t->pid, t->ppid);
	seq_printf(s, "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\n", id, id, id, id);
	seq_printf(s, "Gid:\t%u\t%u\t%u\t%u\n", id, id, id, id);
	seq_puts(s, "FDSize:\t64\nGroups:\t \n");
	seq_printf(s, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		   t->pid, t->pid, t->pid, t->pid);
	seq_puts(s, "Kthread:\t0\n");
	task_mem(s, mm);
	/* THP_enabled: THP built in, and not disabled by prctl(). */
	seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t%d\n",
		   m->arch->thp &&
			   !(mm->thp_disable & MMF_DISABLE_THP_COMPLETELY));
	seq_printf(s, "untag_mask:\t%s\n",
		   is64 ? "0xffffffffffffffff" : "0xffffffff");
	seq_printf(s, "Threads:\t1\nSigQ:\t0/%lu\n", sigpending_limit(m));
	seq_puts(s, "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
		    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
		    "SigCgt:\t0000000000000000\n"
		    "CapInh:\t0000000000000000\n");
	seq_printf(s, "CapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t000001ffffffffff\n",
		   caps, caps);
	seq_puts(s, "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\n"
		    "Seccomp:\t0\nSeccomp_filters:\t0\n"
		    "Speculation_Store_Bypass:\tnot vulnerable\n"
		    "SpeculationIndirectBranch:\tconditional enabled\n");
	show_cpus(s, m);
	seq_puts(s, "voluntary_ctxt_switches:\t0\n"
		    "nonvoluntary_ctxt_switches:\t0\n");
}
