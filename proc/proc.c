/* SPDX-License-Identifier: MIT */
/*
 * procfs: the file table and seq_file buffer (Linux's fs/proc/ root).
 *
 * 1. What it models. mmk_proc_read() renders one file of the machine's
 *    /proc from live state, in Linux 6.18's exact format. Each renderer
 *    lives in the proc/ file named after the Linux source that prints it.
 *
 * 2. Objects. A constant table path -> renderer; struct seq_file.
 *
 * 3. Invariants. Renderers only read machine state (they take the zone
 *    lock where Linux does, for a consistent line), never change it.
 *
 * 4. Departures. Only the memory files: the machine-wide ones of the
 *    table below and, per process, maps, smaps, smaps_rollup, numa_maps
 *    (with NUMA), statm, status, oom_score, oom_score_adj, ksm_stat and
 *    ksm_merging_pages; of sysfs, /sys/kernel/mm/ksm/ (mm/ksm.c's
 *    values); any other path is ENOENT.
 *
 * 5. Ordering. None.
 *
 * 6. Observability. This is the observability.
 */
#include "proc/internal.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void seq_printf(struct seq_file *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->overflow)
		return;
	for (;;) {
		size_t room = s->cap - s->len;

		va_start(ap, fmt);
		n = vsnprintf(s->buf ? s->buf + s->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			s->overflow = true;
			return;
		}
		if ((size_t)n < room) {
			s->len += (size_t)n;
			return;
		}
		{
			size_t cap = max(s->cap * 2, s->len + (size_t)n + 4096);
			char *nb = mmk_host_realloc(s->buf, cap);

			if (!nb) {
				s->overflow = true;
				return;
			}
			s->buf = nb;
			s->cap = cap;
		}
	}
}

void seq_puts(struct seq_file *s, const char *str)
{
	seq_printf(s, "%s", str);
}

static const struct proc_file proc_files[] = {
	{ "/proc/buddyinfo", proc_buddyinfo_show },
	{ "/proc/pagetypeinfo", proc_pagetypeinfo_show },
	{ "/proc/zoneinfo", proc_zoneinfo_show },
	{ "/proc/meminfo", proc_meminfo_show },
	{ "/proc/vmstat", proc_vmstat_show },
	{ "/proc/slabinfo", proc_slabinfo_show },
	{ "/proc/vmallocinfo", proc_vmallocinfo_show },
	{ "/proc/swaps", proc_swaps_show },
};

/* A /proc/PID file; a @numa one exists only with CONFIG_NUMA (the
 * profile's numa). */
static const struct {
	const char *name;
	void (*show)(struct seq_file *s, struct mmk_machine *m,
		     struct mm_struct *mm);
	bool numa;
} pid_files[] = {
	{ "maps", proc_pid_maps_show, false },
	{ "smaps", proc_pid_smaps_show, false },
	{ "smaps_rollup", proc_pid_smaps_rollup_show, false },
	{ "numa_maps", proc_pid_numa_maps_show, true },
	{ "statm", proc_pid_statm_show, false },
	{ "status", proc_pid_status_show, false },
	{ "oom_score", proc_oom_score_show, false },
	{ "oom_score_adj", proc_oom_score_adj_show, false },
	{ "ksm_merging_pages", proc_pid_ksm_merging_pages_show, false },
	{ "ksm_stat", proc_pid_ksm_stat_show, false },
};

/* The rendered text in a host buffer (mmk_host_free it), or NULL. */
static char *seq_result(struct seq_file *s)
{
	if (s->overflow) {
		mmk_host_free(s->buf);
		errno = ENOMEM;
		return NULL;
	}
	/* An empty file (nothing in vmallocinfo) is "", not an error. */
	return s->buf ? s->buf : mmk_host_zalloc(1);
}

/* The pid and file name of "/proc/PID/NAME", or false. */
static bool split_pid_path(const char *path, int *pid, const char **name)
{
	const char *p = path + 6;
	long n = 0;

	if (strncmp(path, "/proc/", 6) != 0 || path[6] < '1' || path[6] > '9')
		return false;
	/* As Linux's name_to_int(): a number past what a pid can be names
	 * no process (it used to wrap onto one, through the int below). */
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > INT_MAX)
			return false;
	}
	if (*p != '/')
		return false;
	*pid = (int)n;
	*name = p + 1;
	return true;
}

/* @pid's mm, locked, with @m current (unlock_pid_mm() undoes it all);
 * NULL if the process is gone or has no address space left. */
static struct mm_struct *lock_pid_mm(struct mmk_machine *m, int pid,
				     struct mmk_machine **prev)
{
	struct mm_struct *mm;

	*prev = mmk_current();
	if (*prev != m)
		mmk_set_current(m);
	mm = mmk_get_mm(pid);
	if (mm) {
		mmap_write_lock(mm);
		if (mm->owner)
			return mm;
		mmap_write_unlock(mm);
		mmput(mm);
	}
	if (*prev != m)
		mmk_set_current(*prev);
	return NULL;
}

static void unlock_pid_mm(struct mmk_machine *m, struct mm_struct *mm,
			  struct mmk_machine *prev)
{
	mmap_write_unlock(mm);
	mmput(mm);
	if (prev != m)
		mmk_set_current(prev);
}

/* "/proc/PID/NAME": render it from the live process, or ENOENT. */
static char *proc_pid_read(struct mmk_machine *m, const char *path)
{
	struct seq_file s = { 0 };
	struct mmk_machine *prev;
	struct mm_struct *mm;
	const char *name;
	int pid;
	size_t i;

	if (!split_pid_path(path, &pid, &name))
		goto enoent;
	for (i = 0; i < ARRAY_SIZE(pid_files); i++)
		if (strcmp(name, pid_files[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(pid_files)) {
		/* A binary file: pread it (mmk_proc_pread). */
		if (strcmp(name, "pagemap") != 0)
			goto enoent;
		mm = lock_pid_mm(m, pid, &prev);
		if (!mm)
			goto enoent;
		unlock_pid_mm(m, mm, prev);
		errno = EINVAL;
		return NULL;
	}
	if (pid_files[i].numa && !m->arch->numa)
		goto enoent;
	mm = lock_pid_mm(m, pid, &prev);
	if (mm) {
		pid_files[i].show(&s, m, mm);
		unlock_pid_mm(m, mm, prev);
		return seq_result(&s);
	}
enoent:
	errno = ENOENT;
	return NULL;
}

/* /sys/kernel/mm/hugepages/hugepages-NkB/NAME, and a node's
 * /sys/devices/system/node/nodeN/hugepages/hugepages-NkB/NAME: 0, or
 * -ENOENT. */
static int hugetlb_sysfs(struct seq_file *s, struct mmk_machine *m,
			 const char *path)
{
	static const char global[] = "/sys/kernel/mm/hugepages/";
	static const char node[] = "/sys/devices/system/node/node";
	char dir[64];
	int nid = -1;

	snprintf(dir, sizeof(dir), "hugepages/hugepages-%lukB/",
		 m->arch->hugepage_kb);
	if (!strncmp(path, global, sizeof(global) - 1)) {
		path += sizeof(global) - 1 - strlen("hugepages/");
	} else if (!strncmp(path, node, sizeof(node) - 1)) {
		path += sizeof(node) - 1;
		if (*path < '0' || *path > '9')
			return -ENOENT;
		for (nid = 0; *path >= '0' && *path <= '9' && nid < 1000;
		     path++)
			nid = nid * 10 + (*path - '0');
		if (*path++ != '/' || nid >= m->nr_nodes)
			return -ENOENT;
	} else {
		return -ENOENT;
	}
	if (strncmp(path, dir, strlen(dir)) != 0)
		return -ENOENT;
	return hugetlb_sysfs_show(s, m, nid, path + strlen(dir));
}

/* Render @path into a host buffer: rendering never calls malloc, so
 * libmmkit-malloc.so can show its own heap. */
static char *proc_render(struct mmk_machine *m, const char *path)
{
	struct seq_file s = { 0 };
	size_t i;

	if (!m || !path || !mmk_machine_live(m)) {
		errno = EINVAL;
		return NULL;
	}
	if (strncmp(path, "/proc/", 6) == 0 && path[6] >= '0' && path[6] <= '9')
		return proc_pid_read(m, path);
	if (!strcmp(path, "/proc/kpageflags") ||
	    !strcmp(path, "/proc/kpagecount")) {
		errno = EINVAL; /* binary: mmk_proc_pread() */
		return NULL;
	}
	if (!strncmp(path, "/sys/kernel/mm/ksm/", 19)) {
		long v;

		if (ksm_sysfs_value(m, path + 19, &v)) {
			errno = ENOENT;
			return NULL;
		}
		seq_printf(&s, "%ld\n", v);
		return seq_result(&s);
	}
	if (!strncmp(path, "/sys/kernel/mm/transparent_hugepage/", 36)) {
		int err = thp_sysfs_show(&s, m, path + 36);

		if (err) {
			mmk_host_free(s.buf);
			errno = -err;
			return NULL;
		}
		return seq_result(&s);
	}
	if (!strncmp(path, "/sys/", 5)) {
		int err = hugetlb_sysfs(&s, m, path);

		if (err) {
			mmk_host_free(s.buf);
			errno = -err;
			return NULL;
		}
		return seq_result(&s);
	}
	if (!strncmp(path, "/proc/sys/vm/", 13)) {
		int err = proc_sys_vm_show(&s, m, path + 13);

		if (err) {
			mmk_host_free(s.buf);
			errno = -err;
			return NULL;
		}
		return seq_result(&s);
	}
	for (i = 0; i < ARRAY_SIZE(proc_files); i++) {
		if (strcmp(path, proc_files[i].path) != 0)
			continue;
		proc_files[i].show(&s, m);
		return seq_result(&s);
	}
	errno = ENOENT;
	return NULL;
}

char *mmk_proc_read(struct mmk_machine *m, const char *path)
{
	char *text = proc_render(m, path), *copy;
	size_t len;

	if (!text)
		return NULL;
	len = strlen(text) + 1;
	copy = malloc(len);
	if (copy)
		memcpy(copy, text, len);
	else
		errno = ENOMEM;
	mmk_host_free(text);
	return copy;
}

long mmk_proc_pread(struct mmk_machine *m, const char *path, void *buf,
		    size_t count, unsigned long long off)
{
	struct mmk_machine *prev;
	struct mm_struct *mm;
	const char *name;
	char *text;
	size_t len;
	long ret;
	int pid;

	if (!m || !path || (!buf && count) || !mmk_machine_live(m))
		return -EINVAL;
	if (!strcmp(path, "/proc/kpageflags") ||
	    !strcmp(path, "/proc/kpagecount"))
		return proc_kpage_read(m, path[11] == 'f', buf, count, off);
	if (split_pid_path(path, &pid, &name) && !strcmp(name, "pagemap")) {
		mm = lock_pid_mm(m, pid, &prev);
		if (!mm)
			return -ENOENT;
		ret = proc_pid_pagemap_read(mm, buf, count, off);
		unlock_pid_mm(m, mm, prev);
		return ret;
	}
	text = proc_render(m, path);
	if (!text)
		return -errno;
	len = strlen(text);
	if (off >= len || !count) {
		mmk_host_free(text);
		return 0;
	}
	if (count > len - off)
		count = len - (size_t)off;
	memcpy(buf, text + off, count);
	mmk_host_free(text);
	return (long)count;
}

/* Write @text whole to @fd and free it: 0 or -errno. */
static int write_text(char *text, int fd)
{
	int err = mmk_host_write_fd(fd, text);

	mmk_host_free(text);
	return err;
}

int mmk_proc_write(struct mmk_machine *m, const char *path, int fd)
{
	char *text = proc_render(m, path);

	return text ? write_text(text, fd) : -errno;
}

int proc_write_show(struct mmk_machine *m, proc_show_fn *show, int fd)
{
	struct seq_file s = { 0 };
	char *text;

	show(&s, m);
	text = seq_result(&s);
	return text ? write_text(text, fd) : -errno;
}
