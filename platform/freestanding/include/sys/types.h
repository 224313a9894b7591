/* SPDX-License-Identifier: MIT */
#ifndef MMK_FS_SYS_TYPES_H
#define MMK_FS_SYS_TYPES_H
#include <stddef.h>
typedef long ssize_t;
typedef long off_t;
typedef int pid_t;
#endif
