/* SPDX-License-Identifier: MIT */
/* Freestanding build: formatting into buffers only (no streams). */
#ifndef MMK_FS_STDIO_H
#define MMK_FS_STDIO_H
#include <stdarg.h>
#include <stddef.h>
#define snprintf mmk_fs_snprintf
#define vsnprintf mmk_fs_vsnprintf
__attribute__((format(printf, 3, 4))) int snprintf(char *buf, size_t len,
						   const char *fmt, ...);
__attribute__((format(printf, 3, 0))) int
vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
#endif
