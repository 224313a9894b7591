/* SPDX-License-Identifier: MIT */
/*
 * Differential test of memory protection keys (mm/pkeys.c) against the
 * real kernel of this machine, beside vma_diff_test.c and
 * mempolicy_diff_test.c.
 *
 * A sequence of calls inside a 256 KiB window runs in a child process of
 * this one through raw syscall(2) (glibc's pkey_set and pkey_get for
 * PKRU), and in process 1 of a machine booted with pku: mmap MAP_FIXED of
 * anonymous memory (PROT_EXEC alone among the protections, for
 * execute-only keys), munmap, mprotect, pkey_mprotect with keys
 * allocated or not, pkey_alloc with good and bad flags and rights,
 * pkey_free, pkey_set, one-page loads and stores (the host child catches
 * its SIGSEGV), mlock and munlock, and MADV_POPULATE_READ/WRITE. After
 * each call both sides report its result and, for the window, each maps
 * line (range, permissions, offset) with its smaps ProtectionKey, and the
 * rights PKRU gives each of the 16 keys: they must be equal, and
 * mmk_check() must pass after every call. The child starts from the
 * PKRU a new process has (every key but 0 access-disabled). A directed
 * sequence comes first, then seeded random ones.
 *
 * Skipped when the host has no protection keys (no ProtectionKey in
 * smaps, or pkey_alloc() fails), when a child's first pkey_alloc() does
 * not give key 1 (this process allocated keys), or when the window is not
 * free here.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include "tests/diff_test.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define WIN 0x3e0000000000UL
#define WIN_PAGES 64UL
#define MAX_CALLS 48
#define SEQS 60

enum op {
	OP_MMAP,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_PKEY_MPROTECT,
	OP_PKEY_ALLOC,
	OP_PKEY_FREE,
	OP_PKEY_SET,
	OP_READ,
	OP_WRITE,
	OP_MLOCK,
	OP_MUNLOCK,
	OP_POPULATE_READ,
	OP_POPULATE_WRITE,
};

struct call {
	enum op op;
	unsigned long addr, len, prot;
	int key; /* pkey_mprotect, pkey_free, pkey_set */
	unsigned long flags, rights; /* pkey_alloc, pkey_set */
};

/* ---- the host side ---- */

/* Signal delivery gives the handler the PKRU of a new process, and
 * rt_sigreturn would put the old one back; siglongjmp does not. */
static unsigned int saved_rights[MMK_NR_PKEYS];

static void pkru_save(void)
{
	int k;

	for (k = 0; k < MMK_NR_PKEYS; k++)
		saved_rights[k] = (unsigned int)pkey_get(k);
}

static void pkru_restore(void)
{
	int k;

	for (k = 0; k < MMK_NR_PKEYS; k++)
		pkey_set(k, saved_rights[k]);
}

static long host_call(const struct call *c, int i)
{
	long r = 0;

	switch (c->op) {
	case OP_MMAP:
		r = syscall(SYS_mmap, c->addr, c->len, c->prot,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		return r == -1 ? -errno : 0;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, c->addr, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, c->addr, c->len, c->prot);
		break;
	case OP_PKEY_MPROTECT:
		r = syscall(SYS_pkey_mprotect, c->addr, c->len, c->prot,
			    c->key);
		break;
	case OP_PKEY_ALLOC:
		r = syscall(SYS_pkey_alloc, c->flags, c->rights);
		break;
	case OP_PKEY_FREE:
		r = syscall(SYS_pkey_free, c->key);
		break;
	case OP_PKEY_SET:
		r = pkey_set(c->key, (unsigned int)c->rights);
		break;
	case OP_READ:
	case OP_WRITE:
		return diff_host_access(c->addr, c->op == OP_WRITE,
					(uint64_t)i + 1, pkru_save,
					pkru_restore);
	case OP_MLOCK:
		/* The system call: ASan's mlock() does nothing. */
		r = syscall(SYS_mlock, c->addr, c->len);
		break;
	case OP_MUNLOCK:
		r = syscall(SYS_munlock, c->addr, c->len);
		break;
	case OP_POPULATE_READ:
	case OP_POPULATE_WRITE:
		r = syscall(SYS_madvise, c->addr, c->len,
			    c->op == OP_POPULATE_READ ? MADV_POPULATE_READ :
							MADV_POPULATE_WRITE);
		break;
	}
	return r == -1 ? -errno : r;
}

static long sim_call(const struct call *c, int i)
{
	uint64_t v = 0;
	long r;

	switch (c->op) {
	case OP_MMAP:
		r = mmk_mmap(1, c->addr, c->len, c->prot,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		return r < 0 ? r : 0;
	case OP_MUNMAP:
		return mmk_munmap(1, c->addr, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(1, c->addr, c->len, c->prot);
	case OP_PKEY_MPROTECT:
		return mmk_pkey_mprotect(1, c->addr, c->len, c->prot, c->key);
	case OP_PKEY_ALLOC:
		return mmk_pkey_alloc(1, c->flags, c->rights);
	case OP_PKEY_FREE:
		return mmk_pkey_free(1, c->key);
	case OP_PKEY_SET:
		return mmk_pkey_set(1, c->key, (unsigned int)c->rights);
	case OP_READ:
		r = mmk_read_u64(1, c->addr, &v);
		return r ? DIFF_FAULTED(r) : (long)v;
	case OP_WRITE:
		r = mmk_write_u64(1, c->addr, (uint64_t)i + 1);
		return r ? DIFF_FAULTED(r) : 0;
	case OP_MLOCK:
		return mmk_mlock(1, c->addr, c->len);
	case OP_MUNLOCK:
		return mmk_munlock(1, c->addr, c->len);
	case OP_POPULATE_READ:
		return mmk_madvise(1, c->addr, c->len, MADV_POPULATE_READ);
	case OP_POPULATE_WRITE:
		return mmk_madvise(1, c->addr, c->len, MADV_POPULATE_WRITE);
	}
	return 0;
}

/* ---- reports ---- */

/* The window's smaps headers (range, permissions, offset) with their
 * ProtectionKey, appended to @out. */
static void report_smaps(char *out, size_t cap, const char *smaps)
{
	size_t n = strlen(out);
	bool in_win = false;
	const char *p;

	for (p = smaps; *p; p = strchr(p, '\n') + 1) {
		unsigned long start, end, off;
		char perms[8];
		int key;

		if (n + 128 >= cap)
			break;
		if (sscanf(p, "%lx-%lx %7s %lx", &start, &end, perms, &off) ==
		    4) {
			in_win = start >= WIN && end <= WIN + WIN_PAGES * PG;
			if (in_win)
				n += (size_t)snprintf(out + n, cap - n,
						      "  %lx-%lx %s %08lx",
						      start, end, perms, off);
		} else if (in_win &&
			   sscanf(p, "ProtectionKey: %d", &key) == 1) {
			n += (size_t)snprintf(out + n, cap - n, " key %d\n",
					      key);
		}
		if (!strchr(p, '\n'))
			break;
	}
}

/* Each key's rights in PKRU, as 16 digits. */
static void report_pkru(char *out, size_t cap, long (*get)(int))
{
	size_t n = strlen(out);
	int k;

	n += (size_t)snprintf(out + n, cap - n, "  pkru ");
	for (k = 0; k < MMK_NR_PKEYS; k++)
		n += (size_t)snprintf(out + n, cap - n, "%ld", get(k));
	snprintf(out + n, cap - n, "\n");
}

static long host_pkey_get(int key)
{
	return pkey_get(key);
}

static long sim_pkey_get(int key)
{
	return mmk_pkey_get(1, key);
}

static void fmt_call(char *buf, size_t len, const struct call *c, long ret)
{
	static const char *const names[] = {
		"mmap",		  "munmap",    "mprotect", "pkey_mprotect",
		"pkey_alloc",	  "pkey_free", "pkey_set", "read",
		"write",	  "mlock",     "munlock",  "populate_read",
		"populate_write",
	};

	snprintf(buf, len,
		 "%s %#lx %#lx prot=%lu key=%d flags=%lu rights=%lu = %ld\n",
		 names[c->op], c->addr, c->len, c->prot, c->key, c->flags,
		 c->rights, ret);
}

/* A new process's PKRU: every key but 0 access-disabled. */
static void host_reset_pkru(void)
{
	int k;

	for (k = 0; k < MMK_NR_PKEYS; k++)
		pkey_set(k, k ? PKEY_DISABLE_ACCESS : 0);
}

static void host_step(const void *calls, int i, char *out, size_t cap)
{
	const struct call *c = calls;
	char line[200], *smaps;

	fmt_call(line, sizeof line, &c[i], host_call(&c[i], i));
	diff_append(out, cap, "%s", line);
	smaps = mmk_test_slurp("/proc/self/smaps");
	if (smaps)
		report_smaps(out, cap, smaps);
	free(smaps);
	report_pkru(out, cap, host_pkey_get);
}

static void sim_step(struct mmk_machine *m, const void *calls, int i, char *out,
		     size_t cap)
{
	const struct call *c = calls;
	char line[200], *smaps;

	fmt_call(line, sizeof line, &c[i], sim_call(&c[i], i));
	diff_append(out, cap, "%s", line);
	smaps = proc(m, "/proc/1/smaps");
	report_smaps(out, cap, smaps);
	free(smaps);
	report_pkru(out, cap, sim_pkey_get);
}

static void compare(struct mmk_machine *m, const void *calls, int n,
		    const char *what)
{
	diff_compare(m, host_step, host_reset_pkru, sim_step, calls, n, what);
}

/* ---- the host's readiness ---- */

static bool can_mlock;

/* In a child: protection keys, and only key 0 allocated (exit 0). */
static bool host_has_fresh_keys(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(syscall(SYS_pkey_alloc, 0UL, 0UL) == 1 ? 0 : 1);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool host_ready(void)
{
	char *smaps = mmk_test_slurp("/proc/self/smaps");
	bool keys = smaps && strstr(smaps, "\nProtectionKey:");

	free(smaps);
	if (!keys || !host_has_fresh_keys())
		return false;
	can_mlock = diff_can_mlock(WIN_PAGES * PG);
	return diff_window_free(WIN, WIN_PAGES * PG);
}

static struct mmk_machine *boot_pku(void)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.mem_bytes = 256ULL << 20;
	cfg.nr_cpus = 1;
	cfg.pku = true;
	return mmk_test_boot_cfg(&cfg);
}

/* ---- sequences ---- */

#define CALL(o, a, l, p, k, f, r)                             \
	{                                                     \
		(o), WIN + (a)*PG, (l)*PG, (p), (k), (f), (r) \
	}

static void test_directed(void **state)
{
	const unsigned long rw = PROT_READ | PROT_WRITE;
	const struct call seq[] = {
		/* Execute-only memory takes key 1 and disables it. */
		CALL(OP_MMAP, 0, 3, PROT_EXEC, 0, 0, 0),
		CALL(OP_READ, 1, 0, 0, 0, 0, 0),
		CALL(OP_MMAP, 4, 8, rw, 0, 0, 0),
		CALL(OP_WRITE, 4, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, PKEY_DISABLE_ACCESS),
		CALL(OP_PKEY_MPROTECT, 5, 1, rw, 3, 0, 0),
		CALL(OP_READ, 5, 0, 0, 0, 0, 0),
		CALL(OP_WRITE, 5, 0, 0, 0, 0, 0),
		/* mlock cannot fault in a page its key denies: ENOMEM. */
		CALL(OP_MLOCK, 4, 3, 0, 0, 0, 0),
		CALL(OP_POPULATE_READ, 5, 1, 0, 0, 0, 0),
		CALL(OP_PKEY_SET, 0, 0, 0, 3, 0, PKEY_DISABLE_WRITE),
		CALL(OP_READ, 5, 0, 0, 0, 0, 0),
		CALL(OP_WRITE, 5, 0, 0, 0, 0, 0),
		CALL(OP_POPULATE_WRITE, 5, 1, 0, 0, 0, 0),
		CALL(OP_POPULATE_READ, 5, 1, 0, 0, 0, 0),
		CALL(OP_PKEY_SET, 0, 0, 0, 3, 0, 0),
		CALL(OP_WRITE, 5, 0, 0, 0, 0, 0),
		CALL(OP_READ, 5, 0, 0, 0, 0, 0),
		/* mprotect to PROT_EXEC: the execute-only key; away from
		 * it: key 0 again. */
		CALL(OP_MPROTECT, 6, 1, PROT_EXEC, 0, 0, 0),
		CALL(OP_MPROTECT, 6, 1, PROT_READ, 0, 0, 0),
		CALL(OP_MPROTECT, 5, 2, PROT_READ, 0, 0, 0),
		/* Keys: the execute-only key, one never allocated, -1. */
		CALL(OP_PKEY_FREE, 0, 0, 0, 1, 0, 0),
		CALL(OP_PKEY_MPROTECT, 7, 1, rw, 1, 0, 0),
		CALL(OP_PKEY_MPROTECT, 7, 1, rw, 9, 0, 0),
		CALL(OP_PKEY_MPROTECT, 7, 1, rw, -1, 0, 0),
		CALL(OP_PKEY_MPROTECT, 100, 1, rw, 2, 0, 0),
		CALL(OP_PKEY_FREE, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_FREE, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_MPROTECT, 7, 1, rw, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 1, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 4),
		CALL(OP_PKEY_SET, 0, 0, 0, 16, 0, 0),
		CALL(OP_PKEY_SET, 0, 0, 0, 2, 0, 4),
		/* The keys run out; execute-only memory then has key 0. */
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_PKEY_ALLOC, 0, 0, 0, 0, 0, 0),
		CALL(OP_MMAP, 20, 2, PROT_EXEC, 0, 0, 0),
		CALL(OP_MUNMAP, 0, 2, 0, 0, 0, 0),
		CALL(OP_READ, 2, 0, 0, 0, 0, 0),
	};
	struct call run[sizeof seq / sizeof seq[0]];
	struct mmk_machine *m;
	size_t i;
	int n = 0;

	if (!host_ready())
		skip();
	/* Without the privilege or the limit to lock the window, no mlock. */
	for (i = 0; i < sizeof seq / sizeof seq[0]; i++)
		if (can_mlock || seq[i].op != OP_MLOCK)
			run[n++] = seq[i];
	m = boot_pku();
	*state = m;
	compare(m, run, n, "directed");
}

static void random_seq(uint64_t seed, void *calls, int n)
{
	struct call *c = calls;
	static const unsigned long prots[] = {
		PROT_NONE,
		PROT_READ,
		PROT_READ | PROT_WRITE,
		PROT_EXEC,
		PROT_READ | PROT_EXEC,
		PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	static const int keys[] = { -1, 0, 1, 2, 3, 4, 5, 15 };
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	int i;

	c[0] = (struct call)CALL(OP_MMAP, 0, 32, PROT_READ | PROT_WRITE, 0, 0,
				 0);
	for (i = 1; i < n; i++) {
		struct call *x = &c[i];
		unsigned long first = diff_pick(&s, WIN_PAGES - 8),
			      pages = 1 + diff_pick(&s, 8);

		memset(x, 0, sizeof(*x));
		x->addr = WIN + first * PG;
		x->len = pages * PG;
		x->prot = prots[diff_pick(&s, 6)];
		x->key = keys[diff_pick(&s, 8)];
		x->rights = diff_pick(&s, 4);
		switch (diff_pick(&s, 16)) {
		case 0:
			x->op = OP_MMAP;
			break;
		case 1:
			x->op = OP_MUNMAP;
			break;
		case 2:
		case 3:
			x->op = OP_MPROTECT;
			break;
		case 4:
		case 5:
			x->op = OP_PKEY_MPROTECT;
			break;
		case 6:
			x->op = OP_PKEY_ALLOC;
			x->flags = !diff_pick(&s, 8);
			if (!diff_pick(&s, 8))
				x->rights = 4;
			break;
		case 7:
			/* Not key 0: a later pkey_alloc() could take it
			 * back with access disabled, and the host's child
			 * would lose its own memory (the directed sequence
			 * frees it and takes it back with access). */
			x->op = OP_PKEY_FREE;
			x->key = x->key ? x->key : 15;
			break;
		case 8:
			/* Not key 0: the host's child would lose its own
			 * stack. */
			x->op = OP_PKEY_SET;
			x->key = 1 + (int)diff_pick(&s, 5);
			break;
		case 9:
		case 10:
			x->op = OP_READ;
			break;
		case 11:
		case 12:
			x->op = OP_WRITE;
			break;
		case 13:
			x->op = can_mlock ? (diff_pick(&s, 3) ? OP_MLOCK :
								OP_MUNLOCK) :
					    OP_READ;
			break;
		default:
			x->op = diff_pick(&s, 2) ? OP_POPULATE_READ :
						   OP_POPULATE_WRITE;
			break;
		}
	}
}

static void test_random(void **state)
{
	struct mmk_machine *m;

	if (!host_ready())
		skip();
	m = boot_pku();
	*state = m;
	diff_random(m, random_seq, compare, sizeof(struct call), MAX_CALLS,
		    SEQS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_directed, mmk_test_teardown),
		cmocka_unit_test_teardown(test_random, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
