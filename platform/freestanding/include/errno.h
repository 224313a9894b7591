/* SPDX-License-Identifier: MIT */
/* Freestanding build: the errno values of Linux's asm-generic/errno-base.h
 * and errno.h that mmkit returns, and errno itself (one per program: a
 * freestanding build has one thread of control). */
#ifndef MMK_FS_ERRNO_H
#define MMK_FS_ERRNO_H
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EFBIG 27
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define EOVERFLOW 75
#define EOPNOTSUPP 95
int *mmk_fs_errno(void);
#define errno (*mmk_fs_errno())
#endif
