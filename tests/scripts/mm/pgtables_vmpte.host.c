/* SPDX-License-Identifier: MIT */
/*
 * The host side of pgtables_vmpte.mms: the same calls on the real kernel
 * (x86_64, at 8 GiB, which must be free), printing the change of VmPTE
 * after each, and the child's after the fork (both measured against a
 * process that made none of them). Not built by the tests: compile it
 * with "cc -O1 -o pt pgtables_vmpte.host.c" and compare its numbers with
 * the script's VmPTE lines and comments. The brk part grows the heap past
 * the next 2 MiB boundary, so its changes are those of the new tables
 * only (the host's heap shares a table with what malloc used).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define M2 (2UL << 20)
#define FIX (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define RW (PROT_READ | PROT_WRITE)

/* Without malloc (no fopen, an unallocated stdout buffer): the brk part
 * moves the break back below anything malloc would have taken. */
static long vmpte(void)
{
	static char buf[8192];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	const char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nVmPTE:");
	return p ? atol(p + 7) : -1;
}

static long base;

static void show(const char *what)
{
	printf("%-44s %+ld kB\n", what, vmpte() - base);
}

static void touch(unsigned long addr, unsigned long len)
{
	unsigned long a;

	for (a = addr; a < addr + len; a += 4096)
		*(volatile char *)a = 1;
}

/* VmPTE of a fork child of this process, as it is now. */
static long child_vmpte(void)
{
	int fd[2];
	long v = -1;

	if (pipe(fd))
		return -1;
	fflush(stdout);
	if (!fork()) {
		v = vmpte();
		if (write(fd[1], &v, sizeof v) != sizeof v)
			_exit(1);
		_exit(0);
	}
	wait(NULL);
	if (read(fd[0], &v, sizeof v) != sizeof v)
		v = -1;
	close(fd[0]);
	close(fd[1]);
	return v;
}

int main(void)
{
	static char out[1 << 16];
	char *b;
	unsigned long nb;
	long child0;

	setvbuf(stdout, out, _IOFBF, sizeof out);
	child0 = child_vmpte();
	b = sbrk(0);
	nb = ((unsigned long)b + M2 - 1) & ~(M2 - 1);

	base = vmpte();
	if (brk((void *)(nb + 2 * M2)))
		return 1;
	touch(nb, 2 * M2);
	show("brk +4 MiB past the boundary, touched");
	if (brk((void *)(nb + M2)) || brk((void *)(nb + 4096)))
		return 1;
	show("brk shrunk by 2 MiB, then to one page");
	if (brk(b))
		return 1;
	show("brk back to its start");
	base = vmpte();
	if (mmap((void *)0x200000000UL, M2, RW, FIX, -1, 0) == MAP_FAILED)
		return 1;
	touch(0x200000000UL, M2);
	show("2 MiB mapped and touched");
	munmap((void *)0x200000000UL, 4096);
	show("its first page unmapped");
	munmap((void *)0x200001000UL, M2 - 4096);
	show("the rest unmapped");
	mmap((void *)0x200000000UL, 2 * M2, RW, FIX, -1, 0);
	touch(0x200000000UL, 2 * M2);
	show("4 MiB mapped and touched");
	madvise((void *)0x200000000UL, M2 - 4096, MADV_DONTNEED);
	show("DONTNEED of 2 MiB - 4 KiB");
	madvise((void *)0x200000000UL, M2, MADV_DONTNEED);
	show("DONTNEED of 2 MiB");
	mremap((void *)0x200200000UL, M2, M2, MREMAP_MAYMOVE | MREMAP_FIXED,
	       (void *)0x201000000UL);
	show("mremap of a whole PMD");
	mremap((void *)0x201000000UL, M2, M2, MREMAP_MAYMOVE | MREMAP_FIXED,
	       (void *)0x202001000UL);
	show("mremap to an unaligned address");
	mmap((void *)0x204000000UL, 4096, RW,
	     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	touch(0x204000000UL, 4096);
	show("a shared page touched");
	printf("%-44s %+ld kB\n", "the fork child", child_vmpte() - child0);
	return 0;
}
