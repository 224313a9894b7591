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
 * 4. Departures. /proc/pagetypeinfo does not exist: mmkit has no migrate
 *    types (see mm/page_alloc.c). Files of later subsystems join the table
 *    as those subsystems land.
 *
 * 5. Ordering. None.
 *
 * 6. Observability. This is the observability.
 */
#include "proc/internal.h"

#include <errno.h>
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
			char *nb = realloc(s->buf, cap);

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

static const struct {
	const char *path;
	void (*show)(struct seq_file *s, struct mmk_machine *m);
} proc_files[] = {
	{ "/proc/buddyinfo", proc_buddyinfo_show },
	{ "/proc/zoneinfo", proc_zoneinfo_show },
	{ "/proc/meminfo", proc_meminfo_show },
	{ "/proc/vmstat", proc_vmstat_show },
	{ "/proc/slabinfo", proc_slabinfo_show },
	{ "/proc/vmallocinfo", proc_vmallocinfo_show },
};

char *mmk_proc_read(struct mmk_machine *m, const char *path)
{
	struct seq_file s = { 0 };
	size_t i;

	if (!m || !path) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(proc_files); i++) {
		if (strcmp(path, proc_files[i].path) != 0)
			continue;
		proc_files[i].show(&s, m);
		if (s.overflow) {
			free(s.buf);
			errno = ENOMEM;
			return NULL;
		}
		/* An empty file (nothing in vmallocinfo) is "", not an error. */
		return s.buf ? s.buf : calloc(1, 1);
	}
	errno = ENOENT;
	return NULL;
}
