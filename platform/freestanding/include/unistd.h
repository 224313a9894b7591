/* SPDX-License-Identifier: MIT */
/* Freestanding build: no file descriptors. */
#ifndef MMK_FS_UNISTD_H
#define MMK_FS_UNISTD_H
#include <sys/types.h>
#endif
