/* SPDX-License-Identifier: MIT */
/* Freestanding build: giving way is the platform layer's. */
#ifndef MMK_FS_SCHED_H
#define MMK_FS_SCHED_H
void mmk_host_yield(void);
static inline int sched_yield(void)
{
	mmk_host_yield();
	return 0;
}
#endif
