/* SPDX-License-Identifier: MIT */
/*
 * NUMA memory policy (include/uapi/linux/mempolicy.h and the system calls
 * of mm/mempolicy.c): a process's policy (set_mempolicy), a range's policy
 * (mbind), and moving pages between nodes (migrate_pages, move_pages).
 * The calls act on a process of the current machine, named by its pid, as
 * that process making the system call; they return what the system call
 * returns, or -errno. A machine without NUMA (i386) gives -ENOSYS.
 *
 * Node masks are arrays of unsigned long with @maxnode, as the system
 * calls take them: bits 0 .. maxnode - 2 are read (Linux's off-by-one).
 */
#ifndef MMKIT_MEMPOLICY_H
#define MMKIT_MEMPOLICY_H

#include <stdbool.h>

/* Policy modes (enum in Linux's uapi). */
#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_PREFERRED_MANY 5
#define MPOL_WEIGHTED_INTERLEAVE 6
#define MPOL_MAX 7

/* Mode flags, or-ed into the mode argument. */
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_NUMA_BALANCING (1 << 13)
#define MPOL_MODE_FLAGS \
	(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)

/* get_mempolicy() flags. */
#define MPOL_F_NODE (1 << 0)
#define MPOL_F_ADDR (1 << 1)
#define MPOL_F_MEMS_ALLOWED (1 << 2)

/* mbind() and move_pages() flags. */
#define MPOL_MF_STRICT (1 << 0)
#define MPOL_MF_MOVE (1 << 1)
#define MPOL_MF_MOVE_ALL (1 << 2)
#define MPOL_MF_VALID (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)

/*
 * A policy, kept by value in the task and in each VMA (mode 0 with no
 * nodes is the default policy). @nodes is the effective node mask;
 * @user_nodes what the caller gave, kept for MPOL_F_STATIC_NODES and
 * MPOL_F_RELATIVE_NODES (mpol_store_user_nodemask).
 */
struct mempolicy {
	unsigned short mode;
	unsigned short flags; /* MPOL_MODE_FLAGS bits */
	unsigned long nodes;
	unsigned long user_nodes;
};

/**
 * mmk_set_mempolicy() - set_mempolicy(2) for process @pid.
 * Return: 0, -EINVAL (bad mode, flags or mask), -ESRCH, -ENOSYS.
 */
int mmk_set_mempolicy(int pid, int mode, const unsigned long *nmask,
		      unsigned long maxnode);
/**
 * mmk_get_mempolicy() - get_mempolicy(2) for process @pid: *@policy and
 * @nmask (either may be NULL) as the system call fills them.
 * Return: 0, -EINVAL, -EFAULT (MPOL_F_ADDR of an unmapped address),
 * -ESRCH, -ENOSYS.
 */
int mmk_get_mempolicy(int pid, int *policy, unsigned long *nmask,
		      unsigned long maxnode, unsigned long addr,
		      unsigned long flags);
/**
 * mmk_mbind() - mbind(2) of [@start, @start + @len) in process @pid.
 * Return: 0, -EINVAL, -EFAULT (a hole in the range), -EPERM
 * (MPOL_MF_MOVE_ALL unprivileged), -EIO (MPOL_MF_STRICT and pages left
 * on other nodes), -ENOMEM, -ESRCH, -ENOSYS.
 */
long mmk_mbind(int pid, unsigned long start, unsigned long len,
	       unsigned long mode, const unsigned long *nmask,
	       unsigned long maxnode, unsigned int flags);
/**
 * mmk_migrate_pages() - migrate_pages(2): the pages of process @pid on
 * @old_nodes moved to @new_nodes.
 * Return: the pages that could not be moved, or -EINVAL, -EPERM, -ESRCH,
 * -ENOMEM, -ENOSYS.
 */
long mmk_migrate_pages(int pid, unsigned long maxnode,
		       const unsigned long *old_nodes,
		       const unsigned long *new_nodes);
/**
 * mmk_move_pages() - move_pages(2): page @pages[i] of process @pid to
 * node @nodes[i], or with @nodes NULL only its node reported; @status[i]
 * gets the node or -errno (-EFAULT, -ENOENT, -EACCES, -EBUSY, -ENOMEM).
 * Return: 0, the pages not moved, or -EINVAL, -EPERM, -ENODEV, -EACCES,
 * -EFAULT, -ESRCH, -ENOSYS.
 */
long mmk_move_pages(int pid, unsigned long count, const unsigned long *pages,
		    const int *nodes, int *status, int flags);
/**
 * mmk_set_interleave_weight() - write @weight (1..255) to
 * /sys/kernel/mm/mempolicy/weighted_interleave/node@nid of the current
 * machine. Return: 0, or -EINVAL.
 */
int mmk_set_interleave_weight(int nid, unsigned int weight);
/**
 * mmk_get_interleave_weight() - that file's value (1 by default), or
 * -EINVAL for a node the machine does not have.
 */
int mmk_get_interleave_weight(int nid);

#endif /* MMKIT_MEMPOLICY_H */
