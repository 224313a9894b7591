/* SPDX-License-Identifier: MIT */
/* Freestanding build: memory from the platform layer's bookkeeping
 * allocator (mmk_host_zalloc: zeroed), a sort, and number parsing. */
#ifndef MMK_FS_STDLIB_H
#define MMK_FS_STDLIB_H
#include <stddef.h>
#define malloc mmk_fs_malloc
#define calloc mmk_fs_calloc
#define realloc mmk_fs_realloc
#define free mmk_fs_free
#define qsort mmk_fs_qsort
#define strtol mmk_fs_strtol
#define strtoul mmk_fs_strtoul
#define strtoull mmk_fs_strtoull
#define abort mmk_host_abort
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *));
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
__attribute__((noreturn)) void abort(void);
#endif
