/* SPDX-License-Identifier: MIT */
/* Freestanding build: memcpy, memmove, memset and memcmp are the
 * embedder's (a freestanding compiler may emit calls to them, so every
 * freestanding environment has them); the rest are mmkit's own
 * (platform/freestanding/libc.c), under names of their own. */
#ifndef MMK_FS_STRING_H
#define MMK_FS_STRING_H
#include <stddef.h>
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#define memchr mmk_fs_memchr
#define strlen mmk_fs_strlen
#define strnlen mmk_fs_strnlen
#define strcmp mmk_fs_strcmp
#define strncmp mmk_fs_strncmp
#define strchr mmk_fs_strchr
#define strrchr mmk_fs_strrchr
#define strstr mmk_fs_strstr
#define strspn mmk_fs_strspn
#define strcspn mmk_fs_strcspn
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
#endif
