/* SPDX-License-Identifier: MIT */
/*
 * Script commands of processes and address spaces (shared/SCRIPT.md):
 *   spawn PID [unprivileged]        ok, EEXIST
 *   fork PARENT CHILD               the child's pid, ESRCH, EEXIST
 *   exit PID                        0, ESRCH
 *   mmap PID ADDR LEN PROT FLAGS [F OFF]
 *                                   the address or an errno; F is a file
 *                                   made by `file`
 *   munmap PID ADDR LEN             0 or an errno (so are the next ones)
 *   mprotect PID ADDR LEN PROT
 *   mremap PID OLD OLDLEN NEWLEN [FLAGS] [NEWADDR]   the address
 *   mlock PID ADDR LEN / munlock PID ADDR LEN
 *   mlockall PID current,future,onfault / munlockall PID
 *   brk PID ADDR                    the new (or unchanged) break
 *   madvise PID ADDR LEN ADVICE
 *   file F SIZE [ro|memfd]          ok: an in-memory file, read-write
 *                                   unless ro; memfd: a shmem file
 *   touch PID ADDR LEN read|write   ok, SIGSEGV, SIGBUS (or SIGKILL)
 *   write PID ADDR VALUE            ok or a signal
 *   read PID ADDR                   the 64-bit value (hex) or a signal
 * Extensions of this project:
 *   mseal PID ADDR LEN [FLAGS]      0 or an errno (mseal(2), 6.10)
 *   msync PID ADDR LEN async|sync|invalidate,...|none|N
 *                                   0 or an errno (msync(2))
 *   pkey_alloc PID FLAGS RIGHTS     the key or an errno (pkey_alloc(2);
 *                                   RIGHTS 0-3: 1 disables access, 2
 *                                   writes)
 *   pkey_free PID KEY               0 or an errno (pkey_free(2))
 *   pkey_mprotect PID ADDR LEN PROT KEY
 *                                   0 or an errno (pkey_mprotect(2);
 *                                   KEY -1: as mprotect)
 *   pkey_set PID KEY RIGHTS         0 or an errno (glibc's pkey_set():
 *                                   the process's PKRU)
 *   pkey_get PID KEY                the key's rights or an errno
 *   mincore PID ADDR LEN            a digit per page (1: in memory),
 *                                   ok for none, or an errno (mincore(2))
 *   pagemap PID ADDR LEN            a line per page of /proc/PID/pagemap:
 *                                   the address, the entry (hex), its
 *                                   bits and pfn or swap type and offset
 *   kpageflags PFN [N]              a line per pfn: its /proc/kpageflags
 *                                   word, /proc/kpagecount and flag names
 *   clear_refs PID 1..5             0, EINVAL, ESRCH (writes
 *                                   /proc/PID/clear_refs)
 *   process_madvise CALLER PID ADVICE [ADDR LEN]...
 *                                   the bytes advised or an errno
 *                                   (process_madvise(2) by CALLER)
 *   process_vm_readv CALLER PID LOCAL REMOTE [FLAGS]
 *   process_vm_writev CALLER PID LOCAL REMOTE [FLAGS]
 *                                   the bytes copied or an errno; LOCAL
 *                                   (CALLER's memory) and REMOTE (PID's):
 *                                   ADDR:LEN,ADDR:LEN... or - for none
 *   fadvise F OFFSET LEN normal|random|sequential|willneed|dontneed|
 *           noreuse                 0 or EINVAL (posix_fadvise(2))
 *   memfd F [FLAGS]                 ok or an errno: memfd_create(2),
 *                                   empty; FLAGS cloexec,allow_sealing,
 *                                   noexec_seal,exec,hugetlb or none
 *   ftruncate F SIZE                0 or an errno (ftruncate(2))
 *   fallocate F MODE OFFSET LEN     0 or an errno (fallocate(2)); MODE
 *                                   none or keep_size,punch_hole,
 *                                   zero_range,... (FALLOC_FL_*)
 *   pread F OFFSET LEN              the bytes read or an errno
 *                                   (pread(2), through the page cache)
 *   pwrite F OFFSET LEN [VALUE]     the bytes written or an errno
 *                                   (pwrite(2) of VALUE's 8 bytes,
 *                                   little-endian, repeated; 0 default)
 *   seal F SEALS                    0 or an errno (fcntl F_ADD_SEALS);
 *                                   SEALS seal,shrink,grow,write,
 *                                   future_write,exec
 *   seals F                         the seals (F_GET_SEALS), none, or
 *                                   an errno
 *   setrlimit PID memlock|as|data|stack BYTES|unlimited   0, ESRCH
 *   sysctl vm.max_map_count=N | vm.swappiness=0..200 |
 *          vm.legacy_va_layout=0|1 | vm.oom_kill_allocating_task=0|1 |
 *          vm.oom_dump_tasks=0|1 | vm.overcommit_memory=0..2 |
 *          vm.overcommit_ratio=N | vm.overcommit_kbytes=N |
 *          vm.admin_reserve_kbytes=N | vm.user_reserve_kbytes=N |
 *          vm.drop_caches=1..4 | vm.compact_memory=1 |
 *          vm.compact_unevictable_allowed=0|1 |
 *          vm.extfrag_threshold=0..1000 |
 *          vm.compaction_proactiveness=0..100 |
 *          vm.nr_hugepages=N | vm.nr_overcommit_hugepages=N   ok
 *   sysctl NAME                     its value (/proc/sys/NAME with
 *                                   dots for slashes), EACCES for a
 *                                   write-only one
 *   oom_score_adj PID -1000..1000   0, ESRCH, EINVAL, EACCES (PID
 *                                   writes /proc/PID/oom_score_adj)
 *   swapon PATH SIZE [PRIO]         ok, EINVAL, EBUSY, EPERM, ENOMEM
 *                                   (mkswap and swapon(2); PRIO -1 or
 *                                   none: the next default priority)
 *   swapoff PATH                    ok, EINVAL, ENOMEM (swapoff(2))
 */
#include "script/internal.h"
#include <mmkit/hugetlb.h>
#include "lib/compiler.h"

#include <mmkit/compaction.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct word_flag {
	const char *name;
	unsigned long value;
};

/* The value of @name in @table into *@out; a script error if it has
 * none ("unknown advice 'x'" for @what "advice"). */
static int parse_word(struct script *sc, const char *name,
		      const struct word_flag *table, size_t n, const char *what,
		      unsigned long *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, table[i].name)) {
			*out = table[i].value;
			return 0;
		}
	return script_error(sc, "unknown %s '%s'", what, name);
}

/* Parse a comma-separated list of @table's names into *@out. */
static bool parse_flag_list(const char *s, const struct word_flag *table,
			    size_t n, unsigned long *out)
{
	*out = 0;
	while (*s) {
		size_t len = strcspn(s, ","), i;

		for (i = 0; i < n; i++)
			if (strlen(table[i].name) == len &&
			    !strncmp(s, table[i].name, len))
				break;
		if (i == n)
			return false;
		*out |= table[i].value;
		s += len;
		if (*s == ',' && !*++s)
			return false;
	}
	return true;
}

static bool parse_prot(const char *s, unsigned long *prot)
{
	*prot = 0;
	if (!strcmp(s, "none"))
		return true;
	if (*s == 'r') {
		*prot |= PROT_READ;
		s++;
	}
	if (*s == 'w') {
		*prot |= PROT_WRITE;
		s++;
	}
	if (*s == 'x') {
		*prot |= PROT_EXEC;
		s++;
	}
	return *prot && !*s;
}

int cmd_spawn(struct script *sc, int argc, char **argv)
{
	bool unpriv = false;
	int pid = 0, ret;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	if (argc > 2) {
		if (strcmp(argv[2], "unprivileged") != 0)
			return script_error(
				sc, "spawn takes 'unprivileged', not '%s'",
				argv[2]);
		unpriv = true;
	}
	if (pid < 1)
		return script_error(sc, "pid must be at least 1");
	ret = mmk_spawn(pid, unpriv);
	if (ret)
		result(sc, argc, argv, "%s", errno_name(-ret));
	else
		result(sc, argc, argv, "ok");
	return 0;
}

int cmd_fork(struct script *sc, int argc, char **argv)
{
	int parent = 0, child = 0, ret;

	if (parse_pid(sc, argv[1], &parent) || parse_pid(sc, argv[2], &child))
		return -1;
	if (child < 1)
		return script_error(sc, "pid must be at least 1");
	ret = mmk_fork(parent, child);
	sys_result(sc, argc, argv, ret ? ret : child, false);
	return 0;
}

int cmd_exit(struct script *sc, int argc, char **argv)
{
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	sys_result(sc, argc, argv, mmk_exit(pid), false);
	return 0;
}

static const struct word_flag mmap_flags[] = {
	{ "private", MAP_PRIVATE },
	{ "shared", MAP_SHARED },
	{ "anonymous", MAP_ANONYMOUS },
	{ "fixed", MAP_FIXED },
	{ "fixed_noreplace", MAP_FIXED_NOREPLACE },
	{ "populate", MAP_POPULATE },
	{ "locked", MAP_LOCKED },
	{ "growsdown", MAP_GROWSDOWN },
	{ "noreserve", MAP_NORESERVE },
	{ "hugetlb", MAP_HUGETLB },
};

int cmd_mmap(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0, prot, flags, off = 0;
	struct file *file = NULL;
	int pid = 0;

	if (argc == 7)
		return script_error(sc, "mmap: a file needs an offset");
	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len))
		return -1;
	if (!parse_prot(argv[4], &prot))
		return script_error(sc, "bad protection '%s'", argv[4]);
	if (!parse_flag_list(argv[5], mmap_flags, ARRAY_SIZE(mmap_flags),
			     &flags))
		return script_error(sc, "bad mmap flags '%s'", argv[5]);
	if (argc > 6) {
		struct handle *h = get_handle(sc, argv[6], HANDLE_FILE);

		if (!h || parse_ulong(sc, argv[7], &off))
			return -1;
		file = h->file;
	}
	sys_result(sc, argc, argv,
		   mmk_mmap(pid, addr, len, prot, flags, file, off), true);
	return 0;
}

/* munmap, mlock, munlock: PID ADDR LEN. */
int cmd_range(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0;
	long ret;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len))
		return -1;
	if (!strcmp(argv[0], "munmap"))
		ret = mmk_munmap(pid, addr, len);
	else if (!strcmp(argv[0], "mlock"))
		ret = mmk_mlock(pid, addr, len);
	else
		ret = mmk_munlock(pid, addr, len);
	sys_result(sc, argc, argv, ret, false);
	return 0;
}

int cmd_mprotect(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0, prot;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len))
		return -1;
	if (!parse_prot(argv[4], &prot))
		return script_error(sc, "bad protection '%s'", argv[4]);
	sys_result(sc, argc, argv, mmk_mprotect(pid, addr, len, prot), false);
	return 0;
}

static const struct word_flag mremap_flags[] = {
	{ "maymove", MREMAP_MAYMOVE },
	{ "fixed", MREMAP_FIXED },
	{ "dontunmap", MREMAP_DONTUNMAP },
	{ "none", 0 },
};

int cmd_mremap(struct script *sc, int argc, char **argv)
{
	unsigned long old = 0, old_len = 0, new_len = 0, flags = 0,
		      new_addr = 0;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &old) ||
	    parse_ulong(sc, argv[3], &old_len) ||
	    parse_ulong(sc, argv[4], &new_len))
		return -1;
	if (argc > 5 && !parse_flag_list(argv[5], mremap_flags,
					 ARRAY_SIZE(mremap_flags), &flags))
		return script_error(sc, "bad mremap flags '%s'", argv[5]);
	if (argc > 6 && parse_ulong(sc, argv[6], &new_addr))
		return -1;
	sys_result(sc, argc, argv,
		   mmk_mremap(pid, old, old_len, new_len, flags, new_addr),
		   true);
	return 0;
}

static const struct word_flag mcl_flags[] = {
	{ "current", MCL_CURRENT },
	{ "future", MCL_FUTURE },
	{ "onfault", MCL_ONFAULT },
};

int cmd_mlockall(struct script *sc, int argc, char **argv)
{
	unsigned long flags;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	if (!parse_flag_list(argv[2], mcl_flags, ARRAY_SIZE(mcl_flags), &flags))
		return script_error(sc, "bad mlockall flags '%s'", argv[2]);
	sys_result(sc, argc, argv, mmk_mlockall(pid, (int)flags), false);
	return 0;
}

int cmd_munlockall(struct script *sc, int argc, char **argv)
{
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	sys_result(sc, argc, argv, mmk_munlockall(pid), false);
	return 0;
}

int cmd_brk(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr))
		return -1;
	sys_result(sc, argc, argv, mmk_brk(pid, addr), true);
	return 0;
}

static const struct word_flag advice_names[] = {
	{ "normal", MADV_NORMAL },
	{ "random", MADV_RANDOM },
	{ "sequential", MADV_SEQUENTIAL },
	{ "willneed", MADV_WILLNEED },
	{ "dontneed", MADV_DONTNEED },
	{ "free", MADV_FREE },
	{ "dontfork", MADV_DONTFORK },
	{ "dofork", MADV_DOFORK },
	{ "wipeonfork", MADV_WIPEONFORK },
	{ "keeponfork", MADV_KEEPONFORK },
	{ "dontdump", MADV_DONTDUMP },
	{ "dodump", MADV_DODUMP },
	{ "hugepage", MADV_HUGEPAGE },
	{ "nohugepage", MADV_NOHUGEPAGE },
	{ "remove", MADV_REMOVE },
	{ "mergeable", MADV_MERGEABLE },
	{ "unmergeable", MADV_UNMERGEABLE },
	{ "cold", MADV_COLD },
	{ "pageout", MADV_PAGEOUT },
	{ "populate_read", MADV_POPULATE_READ },
	{ "populate_write", MADV_POPULATE_WRITE },
	{ "dontneed_locked", MADV_DONTNEED_LOCKED },
	{ "guard_install", MADV_GUARD_INSTALL },
	{ "guard_remove", MADV_GUARD_REMOVE },
	{ "collapse", MADV_COLLAPSE },
};

int cmd_madvise(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0, advice = 0;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len) ||
	    parse_word(sc, argv[4], advice_names, ARRAY_SIZE(advice_names),
		       "advice", &advice))
		return -1;
	sys_result(sc, argc, argv, mmk_madvise(pid, addr, len, (int)advice),
		   false);
	return 0;
}

int cmd_process_madvise(struct script *sc, int argc, char **argv)
{
	struct mmk_iovec vec[(SCRIPT_MAX_WORDS - 4) / 2];
	unsigned long advice = 0;
	int caller = 0, pid = 0, i, n = 0;

	if (parse_pid(sc, argv[1], &caller) || parse_pid(sc, argv[2], &pid) ||
	    parse_word(sc, argv[3], advice_names, ARRAY_SIZE(advice_names),
		       "advice", &advice))
		return -1;
	if ((argc - 4) % 2)
		return script_error(sc, "process_madvise: ADDR LEN pairs");
	for (i = 4; i + 1 < argc; i += 2, n++)
		if (parse_ulong(sc, argv[i], &vec[n].base) ||
		    parse_ulong(sc, argv[i + 1], &vec[n].len))
			return -1;
	sys_result(sc, argc, argv,
		   mmk_process_madvise(caller, pid, vec, (size_t)n, (int)advice,
				       0),
		   false);
	return 0;
}

/* The ranges of a process_vm_* vector: "ADDR:LEN,ADDR:LEN..." or "-"
 * for none. */
#define VM_IOV_MAX 64

static int parse_iov_list(struct script *sc, const char *s,
			  struct mmk_iovec *vec, size_t *n)
{
	char word[64];

	*n = 0;
	if (!strcmp(s, "-"))
		return 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		char *colon;

		if (*n == VM_IOV_MAX || len >= sizeof word)
			return script_error(sc, "at most %d ranges ADDR:LEN",
					    VM_IOV_MAX);
		memcpy(word, s, len);
		word[len] = '\0';
		colon = strchr(word, ':');
		if (!colon)
			return script_error(sc, "bad range '%s' (ADDR:LEN)",
					    word);
		*colon = '\0';
		if (parse_ulong(sc, word, &vec[*n].base) ||
		    parse_ulong(sc, colon + 1, &vec[*n].len))
			return -1;
		++*n;
		s += len + (s[len] == ',');
	}
	return 0;
}

int cmd_process_vm(struct script *sc, int argc, char **argv)
{
	struct mmk_iovec local[VM_IOV_MAX], remote[VM_IOV_MAX];
	unsigned long flags = 0;
	size_t nl, nr;
	int caller = 0, pid = 0;
	long ret;

	if (parse_pid(sc, argv[1], &caller) || parse_pid(sc, argv[2], &pid) ||
	    parse_iov_list(sc, argv[3], local, &nl) ||
	    parse_iov_list(sc, argv[4], remote, &nr) ||
	    (argc > 5 && parse_ulong(sc, argv[5], &flags)))
		return -1;
	if (!strcmp(argv[0], "process_vm_readv"))
		ret = mmk_process_vm_readv(caller, pid, local, nl, remote, nr,
					   flags);
	else
		ret = mmk_process_vm_writev(caller, pid, local, nl, remote, nr,
					    flags);
	sys_result(sc, argc, argv, ret, false);
	return 0;
}

/* mincore's vector as digits, one per page, up to this many pages. */
#define MINCORE_MAX_PAGES 4096UL

/* PID ADDR LEN of a command that prints a line or a digit per page: the
 * pages, at most MINCORE_MAX_PAGES (a script error beyond). */
static int parse_page_range(struct script *sc, char **argv, int *pid,
			    unsigned long *addr, unsigned long *len,
			    unsigned long *pages)
{
	if (parse_pid(sc, argv[1], pid) || parse_ulong(sc, argv[2], addr) ||
	    parse_ulong(sc, argv[3], len))
		return -1;
	*pages = *len / PAGE_SIZE + (*len % PAGE_SIZE != 0);
	if (*pages > MINCORE_MAX_PAGES)
		return script_error(sc, "%s: at most %lu pages", argv[0],
				    MINCORE_MAX_PAGES);
	return 0;
}

int cmd_mincore(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0, pages, i;
	unsigned char *vec;
	char *text;
	long ret;
	int pid = 0;

	if (parse_page_range(sc, argv, &pid, &addr, &len, &pages))
		return -1;
	vec = calloc(pages + 1, 1);
	text = calloc(pages + 1, 1);
	if (!vec || !text) {
		free(vec);
		free(text);
		return script_error(sc, "out of memory");
	}
	ret = mmk_mincore(pid, addr, len, vec);
	if (ret) {
		sys_result(sc, argc, argv, ret, false);
	} else {
		for (i = 0; i < pages; i++)
			text[i] = (char)('0' + (vec[i] & 1));
		result(sc, argc, argv, "%s", pages ? text : "ok");
	}
	free(vec);
	free(text);
	return 0;
}

/* The pagemap entry's bits, as mmk_proc_pread() documents them. */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)
#define PM_FILE (1ULL << 61)
#define PM_GUARD_REGION (1ULL << 58)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_PFRAME_MASK ((1ULL << 55) - 1)

int cmd_pagemap(struct script *sc, int argc, char **argv)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} bits[] = { { PM_PRESENT, "present" },
		     { PM_SWAP, "swapped" },
		     { PM_FILE, "file" },
		     { PM_GUARD_REGION, "guard" },
		     { PM_MMAP_EXCLUSIVE, "exclusive" } };
	unsigned long addr = 0, len = 0, pages, i;
	char path[32];
	uint64_t *pm;
	long ret;
	int pid = 0;

	if (parse_page_range(sc, argv, &pid, &addr, &len, &pages))
		return -1;
	pm = calloc(pages + 1, sizeof(*pm));
	if (!pm)
		return script_error(sc, "out of memory");
	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	ret = mmk_proc_pread(sc->m, path, pm, pages * sizeof(*pm),
			     (unsigned long long)(addr / PAGE_SIZE) *
				     sizeof(*pm));
	if (ret < 0) {
		sys_result(sc, argc, argv, ret, false);
		free(pm);
		return 0;
	}
	for (i = 0; i < (unsigned long)ret / sizeof(*pm); i++) {
		uint64_t e = pm[i];
		const char *sep = " ";
		size_t b;

		fprintf(sc->out, "0x%lx %016llx",
			(addr & ~(PAGE_SIZE - 1)) + i * PAGE_SIZE,
			(unsigned long long)e);
		for (b = 0; b < ARRAY_SIZE(bits); b++)
			if (e & bits[b].bit) {
				fprintf(sc->out, "%s%s", sep, bits[b].name);
				sep = ",";
			}
		if (e & PM_PRESENT)
			fprintf(sc->out, " pfn=0x%llx",
				(unsigned long long)(e & PM_PFRAME_MASK));
		else if (e & PM_SWAP)
			fprintf(sc->out, " type=%llu offset=0x%llx",
				(unsigned long long)(e & 31),
				(unsigned long long)((e & PM_PFRAME_MASK) >>
						     5));
		else
			fputs(" -", sc->out);
		fputc('\n', sc->out);
	}
	free(pm);
	return 0;
}

int cmd_kpageflags(struct script *sc, int argc, char **argv)
{
	unsigned long pfn = 0, n = 1, i;
	uint64_t flags[64], count[64];
	long got, got2;

	if (parse_ulong(sc, argv[1], &pfn) ||
	    (argc > 2 && parse_ulong(sc, argv[2], &n)))
		return -1;
	if (n < 1 || n > 64)
		return script_error(sc, "kpageflags: 1 to 64 pages");
	if (pfn > (~0UL >> 4)) {
		result(sc, argc, argv, "none"); /* no such frame */
		return 0;
	}
	got = mmk_proc_pread(sc->m, "/proc/kpageflags", flags,
			     n * sizeof(*flags),
			     (unsigned long long)pfn * sizeof(*flags));
	got2 = mmk_proc_pread(sc->m, "/proc/kpagecount", count,
			      n * sizeof(*count),
			      (unsigned long long)pfn * sizeof(*count));
	if (got < 0 || got2 < 0) {
		sys_result(sc, argc, argv, got < 0 ? got : got2, false);
		return 0;
	}
	if (!got) {
		result(sc, argc, argv, "none"); /* past the end of memory */
		return 0;
	}
	for (i = 0; i < (unsigned long)got / sizeof(*flags); i++) {
		const char *sep = " ";
		unsigned int b;

		fprintf(sc->out, "0x%lx %016llx count=%llu", pfn + i,
			(unsigned long long)flags[i],
			(unsigned long long)count[i]);
		for (b = 0; b < 64; b++)
			if (flags[i] >> b & 1) {
				const char *name = mmk_kpageflag_name(b);

				if (name)
					fprintf(sc->out, "%s%s", sep, name);
				else
					fprintf(sc->out, "%sbit%u", sep, b);
				sep = ",";
			}
		fputc('\n', sc->out);
	}
	return 0;
}

static const struct word_flag msync_flags[] = {
	{ "async", MS_ASYNC },
	{ "invalidate", MS_INVALIDATE },
	{ "sync", MS_SYNC },
	{ "none", 0 },
};

int cmd_msync(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0, flags = 0;
	uint64_t v;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len))
		return -1;
	/* The names, or a number for the flags that have none. */
	if (parse_number(argv[4], &v) && v <= 0x7fffffff)
		flags = (unsigned long)v;
	else if (!parse_flag_list(argv[4], msync_flags, ARRAY_SIZE(msync_flags),
				  &flags))
		return script_error(sc, "bad msync flags '%s'", argv[4]);
	sys_result(sc, argc, argv, mmk_msync(pid, addr, len, (int)flags),
		   false);
	return 0;
}

int cmd_pkey_alloc(struct script *sc, int argc, char **argv)
{
	unsigned long flags = 0, rights = 0;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &flags) ||
	    parse_ulong(sc, argv[3], &rights))
		return -1;
	sys_result(sc, argc, argv, mmk_pkey_alloc(pid, flags, rights), false);
	return 0;
}

int cmd_pkey_free(struct script *sc, int argc, char **argv)
{
	int pid = 0, pkey = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_int(sc, argv[2], &pkey))
		return -1;
	sys_result(sc, argc, argv, mmk_pkey_free(pid, pkey), false);
	return 0;
}

int cmd_pkey_mprotect(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0, prot;
	int pid = 0, pkey = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len))
		return -1;
	if (!parse_prot(argv[4], &prot))
		return script_error(sc, "bad protection '%s'", argv[4]);
	if (parse_int(sc, argv[5], &pkey))
		return -1;
	sys_result(sc, argc, argv,
		   mmk_pkey_mprotect(pid, addr, len, prot, pkey), false);
	return 0;
}

int cmd_pkey_set(struct script *sc, int argc, char **argv)
{
	unsigned long rights = 0;
	int pid = 0, pkey = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_int(sc, argv[2], &pkey) ||
	    parse_ulong(sc, argv[3], &rights))
		return -1;
	if (rights > 0xffffffffUL)
		return script_error(sc, "bad rights '%s'", argv[3]);
	sys_result(sc, argc, argv,
		   mmk_pkey_set(pid, pkey, (unsigned int)rights), false);
	return 0;
}

int cmd_pkey_get(struct script *sc, int argc, char **argv)
{
	int pid = 0, pkey = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_int(sc, argv[2], &pkey))
		return -1;
	sys_result(sc, argc, argv, mmk_pkey_get(pid, pkey), false);
	return 0;
}

int cmd_mseal(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0, flags = 0;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len) ||
	    (argc > 4 && parse_ulong(sc, argv[4], &flags)))
		return -1;
	sys_result(sc, argc, argv, mmk_mseal(pid, addr, len, flags), false);
	return 0;
}

static const struct word_flag fadvice_names[] = {
	{ "normal", POSIX_FADV_NORMAL },
	{ "random", POSIX_FADV_RANDOM },
	{ "sequential", POSIX_FADV_SEQUENTIAL },
	{ "willneed", POSIX_FADV_WILLNEED },
	{ "dontneed", POSIX_FADV_DONTNEED },
	{ "noreuse", POSIX_FADV_NOREUSE },
};

int cmd_fadvise(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_FILE);
	unsigned long off = 0, len = 0, advice = 0;

	if (!h || parse_ulong(sc, argv[2], &off) ||
	    parse_ulong(sc, argv[3], &len) ||
	    parse_word(sc, argv[4], fadvice_names, ARRAY_SIZE(fadvice_names),
		       "advice", &advice))
		return -1;
	sys_result(sc, argc, argv,
		   mmk_fadvise(h->file, (long long)off, (long long)len,
			       (int)advice),
		   false);
	return 0;
}

/* A new file handle named argv[1] for @f, or its errno as the result. */
static int file_handle(struct script *sc, int argc, char **argv, struct file *f)
{
	struct handle *h;

	if (!f) {
		result(sc, argc, argv, "%s", errno_name(errno));
		return 0;
	}
	h = new_handle(sc, argv[1]);
	if (!h) {
		fput(f);
		return -1;
	}
	h->kind = HANDLE_FILE;
	h->file = f;
	result(sc, argc, argv, "ok");
	return 0;
}

static int check_new_file(struct script *sc, const char *name)
{
	if (!valid_name(name) || handle_find(sc, name))
		return script_error(sc, "handle '%s' is invalid or in use",
				    name);
	return 0;
}

int cmd_file(struct script *sc, int argc, char **argv)
{
	unsigned long size = 0;

	if (parse_ulong(sc, argv[2], &size))
		return -1;
	if (argc > 3 && strcmp(argv[3], "ro") != 0 &&
	    strcmp(argv[3], "memfd") != 0)
		return script_error(sc, "file takes 'ro' or 'memfd', not '%s'",
				    argv[3]);
	if (check_new_file(sc, argv[1]))
		return -1;
	return file_handle(sc, argc, argv,
			   argc > 3 && !strcmp(argv[3], "memfd") ?
				   mmk_memfd_create(argv[1], size) :
				   mmk_file_create(argv[1], size, argc > 3));
}

static const struct word_flag memfd_flag_names[] = {
	{ "cloexec", MFD_CLOEXEC }, { "allow_sealing", MFD_ALLOW_SEALING },
	{ "hugetlb", MFD_HUGETLB }, { "noexec_seal", MFD_NOEXEC_SEAL },
	{ "exec", MFD_EXEC },
};

static const struct word_flag seal_names[] = {
	{ "seal", F_SEAL_SEAL },
	{ "shrink", F_SEAL_SHRINK },
	{ "grow", F_SEAL_GROW },
	{ "write", F_SEAL_WRITE },
	{ "future_write", F_SEAL_FUTURE_WRITE },
	{ "exec", F_SEAL_EXEC },
};

static const struct word_flag falloc_names[] = {
	{ "keep_size", FALLOC_FL_KEEP_SIZE },
	{ "punch_hole", FALLOC_FL_PUNCH_HOLE },
	{ "collapse_range", FALLOC_FL_COLLAPSE_RANGE },
	{ "zero_range", FALLOC_FL_ZERO_RANGE },
	{ "insert_range", FALLOC_FL_INSERT_RANGE },
	{ "unshare_range", FALLOC_FL_UNSHARE_RANGE },
	{ "write_zeroes", FALLOC_FL_WRITE_ZEROES },
};

/* A comma list of @table's names, "none" or a number into *@out. */
static int parse_flags_arg(struct script *sc, const char *s,
			   const struct word_flag *table, size_t n,
			   const char *what, unsigned long *out)
{
	char *end;

	*out = 0;
	if (!strcmp(s, "none"))
		return 0;
	if (*s >= '0' && *s <= '9') {
		errno = 0;
		*out = strtoul(s, &end, 0);
		if (!*end && !errno)
			return 0;
	} else if (parse_flag_list(s, table, n, out)) {
		return 0;
	}
	return script_error(sc, "bad %s '%s'", what, s);
}

int cmd_memfd(struct script *sc, int argc, char **argv)
{
	unsigned long flags = 0;

	if ((argc > 2 && parse_flags_arg(sc, argv[2], memfd_flag_names,
					 ARRAY_SIZE(memfd_flag_names),
					 "memfd flags", &flags)) ||
	    check_new_file(sc, argv[1]))
		return -1;
	return file_handle(sc, argc, argv,
			   mmk_memfd(argv[1], (unsigned int)flags));
}

int cmd_ftruncate(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_FILE);
	unsigned long size = 0;

	if (!h || parse_ulong(sc, argv[2], &size))
		return -1;
	sys_result(sc, argc, argv, mmk_ftruncate(h->file, (long long)size),
		   false);
	return 0;
}

int cmd_fallocate(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_FILE);
	unsigned long mode = 0, off = 0, len = 0;

	if (!h ||
	    parse_flags_arg(sc, argv[2], falloc_names, ARRAY_SIZE(falloc_names),
			    "fallocate mode", &mode) ||
	    parse_ulong(sc, argv[3], &off) || parse_ulong(sc, argv[4], &len))
		return -1;
	sys_result(sc, argc, argv,
		   mmk_fallocate(h->file, (int)mode, (long long)off,
				 (long long)len),
		   false);
	return 0;
}

/* Bytes for pread and pwrite, at most this many. */
#define RW_MAX (64UL << 20)

int cmd_pread(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_FILE);
	unsigned long off = 0, len = 0;
	char *buf;

	if (!h || parse_ulong(sc, argv[2], &off) ||
	    parse_ulong(sc, argv[3], &len))
		return -1;
	if (len > RW_MAX)
		return script_error(sc, "pread of more than 64M");
	buf = malloc(len ? len : 1);
	if (!buf)
		return script_error(sc, "out of memory");
	sys_result(sc, argc, argv, mmk_pread(h->file, buf, len, (long long)off),
		   false);
	free(buf);
	return 0;
}

int cmd_pwrite(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_FILE);
	unsigned long off = 0, len = 0, value = 0, i;
	unsigned char *buf;

	if (!h || parse_ulong(sc, argv[2], &off) ||
	    parse_ulong(sc, argv[3], &len) ||
	    (argc > 4 && parse_ulong(sc, argv[4], &value)))
		return -1;
	if (len > RW_MAX)
		return script_error(sc, "pwrite of more than 64M");
	buf = malloc(len ? len : 1);
	if (!buf)
		return script_error(sc, "out of memory");
	/* VALUE's bytes, little-endian, over and over. */
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(value >> (8 * (i % 8)));
	sys_result(sc, argc, argv,
		   mmk_pwrite(h->file, buf, len, (long long)off), false);
	free(buf);
	return 0;
}

int cmd_seal(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_FILE);
	unsigned long seals = 0;

	if (!h || parse_flags_arg(sc, argv[2], seal_names,
				  ARRAY_SIZE(seal_names), "seals", &seals))
		return -1;
	sys_result(sc, argc, argv, mmk_fcntl(h->file, F_ADD_SEALS, seals),
		   false);
	return 0;
}

int cmd_seals(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_FILE);
	char buf[128];
	size_t len = 0, i;
	long seals;

	if (!h)
		return -1;
	seals = mmk_fcntl(h->file, F_GET_SEALS, 0);
	if (seals < 0) {
		sys_result(sc, argc, argv, seals, false);
		return 0;
	}
	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(seal_names); i++)
		if (seals & (long)seal_names[i].value)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%s", len ? "," : "",
						seal_names[i].name);
	result(sc, argc, argv, "%s", len ? buf : "none");
	return 0;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case MMK_SIGSEGV:
		return "SIGSEGV";
	case MMK_SIGBUS:
		return "SIGBUS";
	default:
		return "SIGKILL";
	}
}

/* The result of an access: ok, a signal, or an errno (no process). */
static void access_result(struct script *sc, int argc, char **argv, int ret)
{
	if (ret < 0)
		result(sc, argc, argv, "%s", errno_name(-ret));
	else if (ret)
		result(sc, argc, argv, "%s", signal_name(ret));
	else
		result(sc, argc, argv, "ok");
}

int cmd_touch(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, len = 0;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len))
		return -1;
	if (strcmp(argv[4], "read") != 0 && strcmp(argv[4], "write") != 0)
		return script_error(sc, "touch takes read or write, not '%s'",
				    argv[4]);
	access_result(sc, argc, argv,
		      mmk_touch(pid, addr, len, argv[4][0] == 'w'));
	return 0;
}

int cmd_write(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0;
	uint64_t value;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr))
		return -1;
	if (!parse_number(argv[3], &value))
		return script_error(sc, "bad number '%s'", argv[3]);
	access_result(sc, argc, argv, mmk_write_u64(pid, addr, value));
	return 0;
}

int cmd_read(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0;
	uint64_t value = 0;
	int pid = 0, ret;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr))
		return -1;
	ret = mmk_read_u64(pid, addr, &value);
	if (ret)
		access_result(sc, argc, argv, ret);
	else
		result(sc, argc, argv, "0x%llx", (unsigned long long)value);
	return 0;
}

static const struct word_flag rlimit_names[] = {
	{ "memlock", MMK_RLIMIT_MEMLOCK },
	{ "as", MMK_RLIMIT_AS },
	{ "data", MMK_RLIMIT_DATA },
	{ "stack", MMK_RLIMIT_STACK },
};

int cmd_setrlimit(struct script *sc, int argc, char **argv)
{
	unsigned long value = MMK_RLIM_INFINITY;
	size_t i;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	for (i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (!strcmp(argv[2], rlimit_names[i].name))
			break;
	if (i == ARRAY_SIZE(rlimit_names))
		return script_error(sc, "unknown resource '%s'", argv[2]);
	if (strcmp(argv[3], "unlimited") != 0 &&
	    parse_ulong(sc, argv[3], &value))
		return -1;
	sys_result(sc, argc, argv,
		   mmk_setrlimit(pid, (int)rlimit_names[i].value, value),
		   false);
	return 0;
}

/* The sysctls that are 0 or 1, and what sets them. */
static const struct {
	const char *key;
	int (*set)(bool on);
} bool_sysctls[] = {
	{ "vm.legacy_va_layout=", mmk_set_legacy_va_layout },
	{ "vm.oom_kill_allocating_task=", mmk_set_oom_kill_allocating_task },
	{ "vm.oom_dump_tasks=", mmk_set_oom_dump_tasks },
	{ "vm.compact_unevictable_allowed=",
	  mmk_set_compact_unevictable_allowed },
};

/* The sysctls that are numbers: their range and what sets them. */
static int set_max_map_count(long v)
{
	return mmk_set_max_map_count((int)v);
}

static int set_swappiness(long v)
{
	return mmk_set_swappiness((int)v);
}

static int set_overcommit_memory(long v)
{
	return mmk_set_overcommit_memory((int)v);
}

static int set_overcommit_ratio(long v)
{
	return (int)mmk_set_overcommit_ratio(v);
}

static int set_overcommit_kbytes(long v)
{
	return (int)mmk_set_overcommit_kbytes((unsigned long)v);
}

static int set_admin_reserve(long v)
{
	return (int)mmk_set_reserve_kbytes(true, (unsigned long)v);
}

static int set_user_reserve(long v)
{
	return (int)mmk_set_reserve_kbytes(false, (unsigned long)v);
}

static int set_drop_caches(long v)
{
	return mmk_drop_caches((int)v);
}

static int set_compact_memory(long v)
{
	(void)v;
	return mmk_compact_memory();
}

static int set_extfrag_threshold(long v)
{
	return mmk_set_extfrag_threshold((int)v);
}

static int set_compaction_proactiveness(long v)
{
	return mmk_set_compaction_proactiveness((int)v);
}

static int set_nr_hugepages(long v)
{
	return mmk_set_nr_hugepages(-1, (unsigned long)v);
}

static int set_nr_overcommit_hugepages(long v)
{
	long old = mmk_set_nr_overcommit_hugepages((unsigned long)v);

	return old < 0 ? (int)old : 0;
}

static const struct {
	const char *key;
	unsigned long min, max;
	int (*set)(long v);
} num_sysctls[] = {
	{ "vm.max_map_count=", 0, 0x7fffffff, set_max_map_count },
	{ "vm.swappiness=", 0, 200, set_swappiness },
	{ "vm.overcommit_memory=", 0, 2, set_overcommit_memory },
	{ "vm.overcommit_ratio=", 0, 0x7fffffff, set_overcommit_ratio },
	{ "vm.overcommit_kbytes=", 0, 0x7fffffffffffffffUL,
	  set_overcommit_kbytes },
	{ "vm.admin_reserve_kbytes=", 0, 0x7fffffffffffffffUL,
	  set_admin_reserve },
	{ "vm.user_reserve_kbytes=", 0, 0x7fffffffffffffffUL,
	  set_user_reserve },
	{ "vm.drop_caches=", 1, 4, set_drop_caches },
	{ "vm.compact_memory=", 1, 1, set_compact_memory },
	{ "vm.extfrag_threshold=", 0, 1000, set_extfrag_threshold },
	{ "vm.compaction_proactiveness=", 0, 100,
	  set_compaction_proactiveness },
	{ "vm.nr_hugepages=", 0, 0x7fffffffffffffffUL, set_nr_hugepages },
	{ "vm.nr_overcommit_hugepages=", 0, 0x7fffffffffffffffUL,
	  set_nr_overcommit_hugepages },
};

/* `sysctl NAME`: its /proc/sys file's value, as sysctl(8) prints it. */
static int sysctl_read(struct script *sc, int argc, char **argv)
{
	char path[128], *text, *p;
	size_t len;

	if (strlen(argv[1]) > sizeof path - 11)
		return script_error(sc, "unknown sysctl '%s'", argv[1]);
	snprintf(path, sizeof path, "/proc/sys/%s", argv[1]);
	for (p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	text = mmk_proc_read(sc->m, path);
	if (!text && errno == ENOENT)
		return script_error(sc, "unknown sysctl '%s'", argv[1]);
	if (!text) {
		result(sc, argc, argv, "%s", errno_name(errno));
		return 0;
	}
	len = strlen(text);
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	result(sc, argc, argv, "%s", text);
	free(text);
	return 0;
}

int cmd_sysctl(struct script *sc, int argc, char **argv)
{
	unsigned long v = 0;
	size_t i;

	if (!strchr(argv[1], '='))
		return sysctl_read(sc, argc, argv);

	for (i = 0; i < ARRAY_SIZE(bool_sysctls); i++) {
		size_t len = strlen(bool_sysctls[i].key);
		const char *val = argv[1] + len;

		if (strncmp(argv[1], bool_sysctls[i].key, len) != 0)
			continue;
		if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
			return script_error(sc, "%.*s is 0 or 1",
					    (int)(len - 1), argv[1]);
		bool_sysctls[i].set(*val == '1');
		result(sc, argc, argv, "ok");
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(num_sysctls); i++) {
		size_t len = strlen(num_sysctls[i].key);

		if (strncmp(argv[1], num_sysctls[i].key, len) != 0)
			continue;
		if (parse_ulong(sc, argv[1] + len, &v))
			return -1;
		if (v < num_sysctls[i].min || v > num_sysctls[i].max)
			return script_error(sc, "%.*s is %lu..%lu",
					    (int)(len - 1), argv[1],
					    num_sysctls[i].min,
					    num_sysctls[i].max);
		num_sysctls[i].set((long)v);
		result(sc, argc, argv, "ok");
		return 0;
	}
	return script_error(sc,
			    "unknown sysctl '%s' (vm.max_map_count=N, "
			    "vm.swappiness=0..200, vm.legacy_va_layout=0|1, "
			    "vm.oom_kill_allocating_task=0|1, "
			    "vm.oom_dump_tasks=0|1, vm.overcommit_memory=0..2, "
			    "vm.overcommit_ratio=N, vm.overcommit_kbytes=N, "
			    "vm.admin_reserve_kbytes=N, "
			    "vm.user_reserve_kbytes=N, vm.drop_caches=1..4, "
			    "vm.compact_memory=1, "
			    "vm.compact_unevictable_allowed=0|1, "
			    "vm.extfrag_threshold=0..1000, "
			    "vm.compaction_proactiveness=0..100)",
			    argv[1]);
}

int cmd_oom_score_adj(struct script *sc, int argc, char **argv)
{
	const char *s = argv[2];
	uint64_t v;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	if (!parse_number(s + (*s == '-'), &v) || v > 1000000)
		return script_error(sc, "bad oom_score_adj '%s'", s);
	sys_result(sc, argc, argv,
		   mmk_set_oom_score_adj(pid, *s == '-' ? -(int)v : (int)v),
		   false);
	return 0;
}

int cmd_clear_refs(struct script *sc, int argc, char **argv)
{
	uint64_t v;
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	/* kstrtoint(): a number; the range is the call's to check. */
	if (!parse_number(argv[2], &v) || v > 0x7fffffff)
		return script_error(sc, "bad clear_refs type '%s'", argv[2]);
	sys_result(sc, argc, argv, mmk_clear_refs(pid, (int)v), false);
	return 0;
}

/* An absolute path, one word: a script error otherwise. */
static int parse_swap_path(struct script *sc, const char *path)
{
	if (path[0] != '/' || strlen(path) > 255)
		return script_error(
			sc, "bad swap path '%s' (absolute, at most 255 bytes)",
			path);
	return 0;
}

int cmd_swapon(struct script *sc, int argc, char **argv)
{
	const char *p = argc > 3 ? argv[3] : "-1";
	uint64_t size, prio;
	int err;

	if (parse_swap_path(sc, argv[1]))
		return -1;
	if (!parse_size(argv[2], &size))
		return script_error(sc, "bad size '%s'", argv[2]);
	if (!parse_number(p + (*p == '-'), &prio) || prio > 0x7fffffff ||
	    (*p == '-' && prio != 1))
		return script_error(sc, "bad swap priority '%s' (-1..32767)",
				    p);
	/* Above 32767: swapon(2) says EINVAL. */
	err = mmk_swapon(argv[1], size, *p == '-' ? -1 : (int)prio);
	result(sc, argc, argv, "%s", err ? errno_name(-err) : "ok");
	return 0;
}

int cmd_swapoff(struct script *sc, int argc, char **argv)
{
	int err;

	if (parse_swap_path(sc, argv[1]))
		return -1;
	err = mmk_swapoff(argv[1]);
	result(sc, argc, argv, "%s", err ? errno_name(-err) : "ok");
	return 0;
}
