/* SPDX-License-Identifier: MIT */
/*
 * Freestanding build: the few pthread calls mmkit makes, as spinning locks
 * on C11 atomics (platform/freestanding/libc.c). A mutex spins with
 * mmk_host_cpu_relax() and gives way with mmk_host_yield() after a while;
 * a condition variable is a sequence count that waiters watch with their
 * mutex released. Keys keep no values per thread: there is one thread of
 * control (see platform/freestanding/libc.c).
 */
#ifndef MMK_FS_PTHREAD_H
#define MMK_FS_PTHREAD_H
#include <stdatomic.h>

typedef struct {
	atomic_int locked;
} pthread_mutex_t;
typedef struct {
	atomic_uint seq;
} pthread_cond_t;
typedef atomic_int pthread_once_t;
typedef unsigned int pthread_key_t;
typedef struct {
	int unused;
} pthread_mutexattr_t;
typedef struct {
	int unused;
} pthread_condattr_t;

#define PTHREAD_MUTEX_INITIALIZER \
	{                         \
		0                 \
	}
#define PTHREAD_COND_INITIALIZER \
	{                        \
		0                \
	}
#define PTHREAD_ONCE_INIT 0

#define pthread_mutex_init mmk_fs_mutex_init
#define pthread_mutex_destroy mmk_fs_mutex_destroy
#define pthread_mutex_lock mmk_fs_mutex_lock
#define pthread_mutex_trylock mmk_fs_mutex_trylock
#define pthread_mutex_unlock mmk_fs_mutex_unlock
#define pthread_cond_init mmk_fs_cond_init
#define pthread_cond_destroy mmk_fs_cond_destroy
#define pthread_cond_wait mmk_fs_cond_wait
#define pthread_cond_broadcast mmk_fs_cond_broadcast
#define pthread_cond_signal mmk_fs_cond_broadcast
#define pthread_once mmk_fs_once
#define pthread_key_create mmk_fs_key_create
#define pthread_setspecific mmk_fs_setspecific

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_broadcast(pthread_cond_t *c);
int pthread_once(pthread_once_t *once, void (*fn)(void));
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_setspecific(pthread_key_t key, const void *value);
#endif
