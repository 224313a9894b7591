/* SPDX-License-Identifier: MIT */
/*
 * A growing text buffer for procfs files (Linux's seq_file, reduced): the
 * renderers append with seq_printf; on allocation failure the buffer is
 * marked overflowed and the file read fails with ENOMEM.
 */
#ifndef MMK_PROC_SEQ_H
#define MMK_PROC_SEQ_H

#include <stdbool.h>
#include <stddef.h>
#include "lib/compiler.h"

struct seq_file {
	char *buf;
	size_t len;
	size_t cap;
	bool overflow;
};

__printf(2, 3) void seq_printf(struct seq_file *s, const char *fmt, ...);
void seq_puts(struct seq_file *s, const char *str);

#endif /* MMK_PROC_SEQ_H */
