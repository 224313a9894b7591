/* SPDX-License-Identifier: MIT */
/*
 * Differential test of memfd_create(2), ftruncate(2), fallocate(2), file
 * seals, pread(2) and pwrite(2) (mm/memfd.c, mm/truncate.c,
 * fs/read_write.c: mmk_memfd(), mmk_ftruncate(), mmk_fallocate(),
 * mmk_fcntl(), mmk_pread(), mmk_pwrite()) against the real kernel of
 * this machine, beside msync_diff_test.c and hugetlb_diff_test.c
 * (tests/diff_test.h).
 *
 * A sequence of calls runs in a child process of this one through raw
 * syscall(2), and in process 1 of an mmkit machine. The calls work on up
 * to NFILES file slots: memfds made by a call (memfd_create with its
 * flags, good or bad) and regular files of a disk file system (on the
 * host a new unlinked file of an ext4 directory, made at a size with
 * ftruncate, or reopened read-only; in mmkit an mmk_file_create() file),
 * and a window of WIN_PAGES pages: ftruncate to any length (negative
 * too); fallocate with every mode mmkit takes (0, KEEP_SIZE,
 * PUNCH_HOLE|KEEP_SIZE, and for a regular file ZERO_RANGE with and
 * without KEEP_SIZE) and some it refuses (PUNCH_HOLE alone,
 * COLLAPSE_RANGE on a memfd, unknown bits), at page and partial-page
 * offsets and lengths, inside and beyond the end; F_ADD_SEALS with every
 * seal; mmap MAP_FIXED of a file, shared or private, at a page offset
 * (beyond the end too); munmap; mprotect; madvise MADV_REMOVE and
 * MADV_DONTNEED; 8-byte loads and stores at chosen offsets of a page (the
 * host's child catches its SIGSEGV and SIGBUS, so loads past the end
 * report SIGBUS); and pread and pwrite of a file at any offset (negative,
 * unaligned, past the end, where the end passes LLONG_MAX) of up to
 * IO_MAX bytes, or of a NULL buffer. pwrite writes pattern_byte(): bytes
 * that tell the call and the file position apart, so that data written in
 * the wrong place show in later loads through mappings and later preads.
 *
 * After each call both sides report its result (0, an errno name, the
 * value loaded, the bytes pread or pwrite moved, or the signal; of a
 * pread, the FNV-1a hash of the data read, how many bytes are not 0, the
 * first and last 8, and whether it changed the buffer past what it
 * returned) and the state: each file's size and F_GET_SEALS (of a memfd,
 * the pages it holds too: st_blocks / 8 on the host, so that a pread of
 * holes or fallocated pages must allocate nothing); each VMA of the
 * window as its smaps header shows it (the range relative to the window,
 * permissions, offset, and the memfd's name or "file" for a regular
 * file), its smaps Rss, Shared_Clean, Shared_Dirty, Private_Clean,
 * Private_Dirty and Anonymous, and mincore() of its pages (of a regular
 * file's VMA only the header and Anonymous: which of its pages the host's
 * ext4 reads ahead, in large folios, or pread reads into its cache, is
 * its own: of a regular file only results and data count); and RssShmem
 * of /proc/PID/status. The reports must be equal, mmk_check() must pass
 * after every call, and mmkit's Shmem must be back where it was once a
 * sequence's process and files have gone. Where the reports differ, the
 * calls up to the first report that differs, and that report on both
 * sides, are printed (with MEMFD_DIFF_ALL set in the environment, every
 * report that differs; with MEMFD_DIFF_SHOW, every host report).
 *
 * Directed sequences cover growing and shrinking with stores past the end
 * through shared mappings (a memfd keeps them when it grows again, ext4
 * zeroes them), shrinking below a private copy-on-write page (it is
 * unmapped: SIGBUS after), partial-page hole punches, F_SEAL_WRITE
 * against shared mappings (EBUSY even read-only), F_SEAL_FUTURE_WRITE
 * with mappings made before it and mprotect, read-only shared mappings of
 * write-sealed memfds (mprotect to PROT_WRITE is EACCES), private
 * mappings of sealed memfds, F_SEAL_GROW and F_SEAL_SHRINK against
 * ftruncate and fallocate, F_SEAL_EXEC on an MFD_EXEC memfd (it implies
 * the write seals), F_SEAL_SEAL, the errors, and MADV_REMOVE on sealed
 * memfds, memfd_create's flags and names; pwrite read back through pread
 * and shared and private mappings (test_rw()), at unaligned offsets
 * spanning pages, past the end extending the file, pread at and past the
 * end; pread of holes and fallocated pages, pwrite into a fallocated page
 * and a mapped clean one (test_rw_holes()); pwrite against F_SEAL_GROW
 * partly past the end, F_SEAL_FUTURE_WRITE, F_SEAL_WRITE and F_SEAL_EXEC,
 * and the errors (test_rw_seals()); a regular file's pwrite and pread
 * against what its mappings load and store, past ext4's largest file, and
 * a read-only file (test_rw_regular()); then SEQS seeded random sequences
 * of MAX_CALLS calls mix them all. MFD_HUGETLB is left out (mmkit refuses
 * it; the host's pool would be used).
 *
 * The directed sequences test_allocate(), test_partial_dirty(),
 * test_punch_first_page() and test_rw_edges() keep the differences this
 * test found in mmkit (since fixed; the last: an offset and count past
 * LLONG_MAX, a NULL buffer, a regular file's write past its end over what
 * a mapping stored there). test_huge_size() shows mmkit's one departure
 * here (a flat page cache: no size beyond what memory can index), and
 * runs only with MEMFD_DIFF_SPARSE=1.
 *
 * The regular-file calls are left out when no ext4 directory ($TMPDIR,
 * /var/tmp or /tmp) is at hand; the test is skipped when the window is
 * not free here or vm.memfd_noexec is not 0.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include "tests/diff_test.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

/* test_huge_size(): mmkit's departure, a size no flat page cache can
 * index (ENOMEM); 1 runs it anyway. */
#ifndef MEMFD_DIFF_SPARSE
#define MEMFD_DIFF_SPARSE 0
#endif

#define PG 4096UL
#define P(n) ((n)*PG)
#define WIN 0x3a0000000000UL
#define WIN_PAGES 48UL
#define NFILES 3
#define MAX_CALLS 40
#ifndef SEQS
#define SEQS 100
#endif
#define EXT4_MAGIC_ 0xef53L
#define RW (PROT_READ | PROT_WRITE)
#define KEEP FALLOC_FL_KEEP_SIZE
#define PUNCH (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
#define ZERO FALLOC_FL_ZERO_RANGE

enum op {
	OP_MEMFD, /* slot f: memfd_create("m<f>", flags) */
	OP_FILE, /* slot f: a regular file of flen bytes */
	OP_FTRUNCATE, /* slot f to flen */
	OP_FALLOCATE, /* slot f: mode flags, [off, off + flen) */
	OP_SEAL, /* slot f: F_ADD_SEALS flags */
	OP_MAP_SHARED, /* slot f at W+addr, len bytes, prot, offset off */
	OP_MAP_PRIVATE,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_MADVISE, /* advice flags */
	OP_READ, /* 8 bytes at W+addr */
	OP_WRITE,
	OP_PREAD, /* slot f: len bytes at off (flags 1: a NULL buffer) */
	OP_PWRITE, /* slot f: len bytes of pattern_byte() at off (flags 1:
		      a NULL buffer) */
};

struct call {
	enum op op;
	int f;
	unsigned int flags;
	const char *name; /* memfd_create's, NULL for "m<f>" */
	unsigned long addr, len, prot;
	long long off, flen;
};

#define MEMFD(k, fl)                                    \
	{                                               \
		.op = OP_MEMFD, .f = (k), .flags = (fl) \
	}
#define MEMFDN(k, fl, nm)                                             \
	{                                                             \
		.op = OP_MEMFD, .f = (k), .flags = (fl), .name = (nm) \
	}
#define RFILE(k, sz)                                  \
	{                                             \
		.op = OP_FILE, .f = (k), .flen = (sz) \
	}
#define TRUNC(k, sz)                                       \
	{                                                  \
		.op = OP_FTRUNCATE, .f = (k), .flen = (sz) \
	}
#define FALLOC(k, m, o, l)                                              \
	{                                                               \
		.op = OP_FALLOCATE, .f = (k), .flags = (m), .off = (o), \
		.flen = (l)                                             \
	}
#define SEAL(k, s)                                    \
	{                                             \
		.op = OP_SEAL, .f = (k), .flags = (s) \
	}
#define MAPS(k, a, l, p, o)                                             \
	{                                                               \
		.op = OP_MAP_SHARED, .f = (k), .addr = (a), .len = (l), \
		.prot = (p), .off = (o)                                 \
	}
#define MAPP(k, a, l, p, o)                                              \
	{                                                                \
		.op = OP_MAP_PRIVATE, .f = (k), .addr = (a), .len = (l), \
		.prot = (p), .off = (o)                                  \
	}
#define UNMAP(a, l)                                      \
	{                                                \
		.op = OP_MUNMAP, .addr = (a), .len = (l) \
	}
#define MPROT(a, l, p)                                                  \
	{                                                               \
		.op = OP_MPROTECT, .addr = (a), .len = (l), .prot = (p) \
	}
#define MADV(a, l, adv)                                                   \
	{                                                                 \
		.op = OP_MADVISE, .addr = (a), .len = (l), .flags = (adv) \
	}
#define RD(a)                              \
	{                                  \
		.op = OP_READ, .addr = (a) \
	}
#define WR(a)                               \
	{                                   \
		.op = OP_WRITE, .addr = (a) \
	}
#define RFILE_RO(k, sz)                                           \
	{                                                         \
		.op = OP_FILE, .f = (k), .flen = (sz), .flags = 1 \
	}
#define PREAD(k, o, n)                                           \
	{                                                        \
		.op = OP_PREAD, .f = (k), .off = (o), .len = (n) \
	}
#define PWRITE(k, o, n)                                           \
	{                                                         \
		.op = OP_PWRITE, .f = (k), .off = (o), .len = (n) \
	}
#define PREAD_NULL(k, o, n)                                                  \
	{                                                                    \
		.op = OP_PREAD, .f = (k), .off = (o), .len = (n), .flags = 1 \
	}
#define PWRITE_NULL(k, o, n)                                                  \
	{                                                                     \
		.op = OP_PWRITE, .f = (k), .off = (o), .len = (n), .flags = 1 \
	}

static char host_dir[256]; /* an ext4 directory, or "" */

/* The value call @i stores. */
static uint64_t store_value(int i)
{
	return 0x5a00000000000000ULL | (uint64_t)(i + 1);
}

/* The most bytes a pread or pwrite call moves. */
#define IO_MAX (P(8) + 0x100)
/* Each side's buffer of pread and pwrite; bytes a pread leaves are
 * IO_UNTOUCHED. */
static unsigned char io_buf[IO_MAX];
#define IO_UNTOUCHED 0xee

/*
 * The byte pwrite call @i writes at file position @pos: never 0, and
 * different from call to call, from byte to byte of 256, and from page
 * to page, so that data written in the wrong place or by the wrong call
 * shows in later loads and preads.
 */
static unsigned char pattern_byte(int i, uint64_t p)
{
	unsigned char b = (unsigned char)((uint64_t)(i + 1) * 0x3d + p * 7 +
					  (p >> 8) * 0x0b + (p >> 12) * 0x59);

	return b ? b : 0xa5;
}

/* The buffer of call @c (number @i): pwrite's filled with its pattern,
 * pread's with IO_UNTOUCHED; NULL for flags 1. */
static void *io_prepare(const struct call *c, int i)
{
	unsigned long j;

	if (c->flags & 1)
		return NULL;
	assert_true(c->len <= IO_MAX);
	if (c->op == OP_PWRITE)
		for (j = 0; j < c->len; j++)
			io_buf[j] = pattern_byte(i, (uint64_t)c->off + j);
	else
		memset(io_buf, IO_UNTOUCHED, c->len);
	return io_buf;
}

/* ---- the host side ---- */

static int host_fds[NFILES] = { -1, -1, -1 };
static bool host_memfd[NFILES];

/* A new regular file of @size bytes, opened read-write (read-only if
 * @readonly). */
static long host_new_file(long long size, bool readonly)
{
	char path[320];
	int fd, ro;

	snprintf(path, sizeof path, "%s/mmkit-memfd-XXXXXX", host_dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size)) {
		unlink(path);
		close(fd);
		return -errno;
	}
	if (readonly) {
		ro = open(path, O_RDONLY);
		close(fd);
		fd = ro < 0 ? -errno : ro;
	}
	unlink(path);
	return fd;
}

static long host_call(const struct call *c, int i)
{
	int fd = c->f >= 0 && c->f < NFILES ? host_fds[c->f] : -1;
	unsigned long a = WIN + c->addr;
	char name[16];
	long r;

	switch (c->op) {
	case OP_MEMFD:
		snprintf(name, sizeof name, "m%d", c->f);
		r = syscall(SYS_memfd_create, c->name ? c->name : name,
			    c->flags);
		if (r < 0)
			return -errno;
		if (host_fds[c->f] >= 0)
			close(host_fds[c->f]);
		host_fds[c->f] = (int)r;
		host_memfd[c->f] = true;
		return 0;
	case OP_FILE:
		r = host_new_file(c->flen, c->flags & 1);
		if (r < 0)
			return r;
		if (host_fds[c->f] >= 0)
			close(host_fds[c->f]);
		host_fds[c->f] = (int)r;
		host_memfd[c->f] = false;
		return 0;
	case OP_READ:
	case OP_WRITE:
		return diff_host_access(a, c->op == OP_WRITE, store_value(i),
					NULL, NULL);
	case OP_MUNMAP:
		r = syscall(SYS_munmap, a, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, a, c->len, c->prot);
		break;
	case OP_MADVISE:
		r = syscall(SYS_madvise, a, c->len, c->flags);
		break;
	default:
		if (fd < 0)
			return -EBADF;
		switch (c->op) {
		case OP_FTRUNCATE:
			r = syscall(SYS_ftruncate, fd, c->flen);
			break;
		case OP_FALLOCATE:
			r = syscall(SYS_fallocate, fd, (int)c->flags, c->off,
				    c->flen);
			break;
		case OP_SEAL:
			r = syscall(SYS_fcntl, fd, F_ADD_SEALS, c->flags);
			break;
		case OP_PREAD:
		case OP_PWRITE:
			r = syscall(c->op == OP_PREAD ? SYS_pread64 :
							SYS_pwrite64,
				    fd, io_prepare(c, i), c->len, c->off);
			break;
		default:
			r = syscall(SYS_mmap, a, c->len, c->prot,
				    (c->op == OP_MAP_SHARED ? MAP_SHARED :
							      MAP_PRIVATE) |
					    MAP_FIXED,
				    fd, c->off);
			return r == -1 ? -errno : 0;
		}
	}
	return r == -1 ? -errno : r;
}

/* ---- mmkit's side ---- */

static struct file *sim_files[NFILES];

static long sim_call(const struct call *c, int i)
{
	struct file *f = c->f >= 0 && c->f < NFILES ? sim_files[c->f] : NULL;
	unsigned long a = WIN + c->addr;
	struct file *nf;
	char name[16];
	uint64_t v = 0;
	long r;

	switch (c->op) {
	case OP_MEMFD:
	case OP_FILE:
		snprintf(name, sizeof name, "%c%d",
			 c->op == OP_MEMFD ? 'm' : 'f', c->f);
		errno = 0;
		nf = c->op == OP_MEMFD ?
			     mmk_memfd(c->name ? c->name : name, c->flags) :
			     mmk_file_create(name, (unsigned long)c->flen,
					     c->flags & 1);
		if (!nf)
			return errno ? -errno : -ENOMEM;
		if (f)
			fput(f);
		sim_files[c->f] = nf;
		return 0;
	case OP_READ:
		r = mmk_read_u64(1, a, &v);
		return r ? DIFF_FAULTED(r) : (long)v;
	case OP_WRITE:
		r = mmk_write_u64(1, a, store_value(i));
		return r ? DIFF_FAULTED(r) : 0;
	case OP_MUNMAP:
		return mmk_munmap(1, a, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(1, a, c->len, c->prot);
	case OP_MADVISE:
		return mmk_madvise(1, a, c->len, (int)c->flags);
	default:
		if (!f)
			return -EBADF;
		switch (c->op) {
		case OP_FTRUNCATE:
			return mmk_ftruncate(f, c->flen);
		case OP_FALLOCATE:
			return mmk_fallocate(f, (int)c->flags, c->off, c->flen);
		case OP_SEAL:
			return mmk_fcntl(f, F_ADD_SEALS, c->flags);
		case OP_PREAD:
			return mmk_pread(f, io_prepare(c, i), c->len, c->off);
		case OP_PWRITE:
			return mmk_pwrite(f, io_prepare(c, i), c->len, c->off);
		default:
			r = mmk_mmap(1, a, c->len, c->prot,
				     (c->op == OP_MAP_SHARED ? MAP_SHARED :
							       MAP_PRIVATE) |
					     MAP_FIXED,
				     f, (unsigned long)c->off);
			return r < 0 ? r : 0;
		}
	}
}

/* ---- reports ---- */

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },	      { EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" },	      { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },	      { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },	      { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" },	      { EINVAL, "EINVAL" },
	{ EFBIG, "EFBIG" },	      { ENOSPC, "ENOSPC" },
	{ ESPIPE, "ESPIPE" },	      { ENOSYS, "ENOSYS" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { ETXTBSY, "ETXTBSY" },
};

static void fmt_ret(char *buf, size_t len, long r)
{
	size_t i;

	if (r <= DIFF_FAULTED(0) && r > DIFF_FAULTED(100)) {
		long sig = DIFF_FAULTED(0) - r;

		snprintf(buf, len, "%s",
			 sig == SIGBUS	? "SIGBUS" :
			 sig == SIGSEGV ? "SIGSEGV" :
					  "signal?");
	} else if (r < 0 && r >= -4095) {
		for (i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
			if (errno_names[i].err == (int)-r) {
				snprintf(buf, len, "%s", errno_names[i].name);
				return;
			}
		snprintf(buf, len, "E%ld", -r);
	} else {
		snprintf(buf, len, "%#lx", r);
	}
}

static void hex8(char *out, size_t cap, const unsigned char *b, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		diff_append(out, cap, "%02x", b[j]);
}

/*
 * What a pread of @count bytes that returned @r left in io_buf: of the
 * @r bytes read, their FNV-1a hash, how many are not 0, the first and the
 * last 8; and how many of the rest up to @count changed.
 */
static void report_data(char *out, size_t cap, long r, unsigned long count)
{
	unsigned long n = r > 0 ? (unsigned long)r : 0, nz = 0, past = 0, j;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (j = 0; j < n && j < count; j++) {
		h = (h ^ io_buf[j]) * 0x100000001b3ULL;
		nz += io_buf[j] != 0;
	}
	for (j = n; j < count; j++)
		past += io_buf[j] != IO_UNTOUCHED;
	if (n) {
		diff_append(out, cap, "  data fnv %016llx nonzero %#lx first ",
			    (unsigned long long)h, nz);
		hex8(out, cap, io_buf, n < 8 ? n : 8);
		diff_append(out, cap, " last ");
		hex8(out, cap, io_buf + (n < 8 ? 0 : n - 8), n < 8 ? n : 8);
		diff_append(out, cap, "\n");
	}
	if (past)
		diff_append(out, cap, "  %#lx bytes past the result changed\n",
			    past);
}

static void fmt_call(char *out, size_t cap, const struct call *c, long r)
{
	char ret[32];

	fmt_ret(ret, sizeof ret, r);
	switch (c->op) {
	case OP_MEMFD:
		diff_append(out, cap,
			    "memfd_create %d flags=%#x name=%.16s%s = %s\n",
			    c->f, c->flags, c->name ? c->name : "",
			    c->name && strlen(c->name) > 16 ? "..." : "", ret);
		if (c->name)
			diff_append(out, cap, "  name length %zu\n",
				    strlen(c->name));
		break;
	case OP_FILE:
		diff_append(out, cap, "file %d size=%#llx%s = %s\n", c->f,
			    c->flen, c->flags & 1 ? " read-only" : "", ret);
		break;
	case OP_FTRUNCATE:
		diff_append(out, cap, "ftruncate %d %#llx = %s\n", c->f,
			    c->flen, ret);
		break;
	case OP_FALLOCATE:
		diff_append(out, cap,
			    "fallocate %d mode=%#x %#llx %#llx = %s\n", c->f,
			    c->flags, c->off, c->flen, ret);
		break;
	case OP_SEAL:
		diff_append(out, cap, "F_ADD_SEALS %d %#x = %s\n", c->f,
			    c->flags, ret);
		break;
	case OP_MAP_SHARED:
	case OP_MAP_PRIVATE:
		diff_append(out, cap,
			    "mmap %s %d W+%#lx %#lx prot=%lu off=%#llx = %s\n",
			    c->op == OP_MAP_SHARED ? "shared" : "private", c->f,
			    c->addr, c->len, c->prot, c->off, ret);
		break;
	case OP_MUNMAP:
		diff_append(out, cap, "munmap W+%#lx %#lx = %s\n", c->addr,
			    c->len, ret);
		break;
	case OP_MPROTECT:
		diff_append(out, cap, "mprotect W+%#lx %#lx prot=%lu = %s\n",
			    c->addr, c->len, c->prot, ret);
		break;
	case OP_MADVISE:
		diff_append(out, cap, "madvise W+%#lx %#lx advice=%u = %s\n",
			    c->addr, c->len, c->flags, ret);
		break;
	case OP_READ:
	case OP_WRITE:
		diff_append(out, cap, "%s W+%#lx = %s\n",
			    c->op == OP_READ ? "read" : "write", c->addr, ret);
		break;
	case OP_PREAD:
	case OP_PWRITE:
		diff_append(out, cap, "%s %d %#llx %#lx%s = %s\n",
			    c->op == OP_PREAD ? "pread" : "pwrite", c->f,
			    c->off, c->len, c->flags & 1 ? " NULL" : "", ret);
		if (c->op == OP_PREAD && !(c->flags & 1))
			report_data(out, cap, r, c->len);
		break;
	}
}

/* mincore() of @len bytes at @addr in the side's process into @vec. */
typedef long mincore_fn(unsigned long addr, unsigned long len,
			unsigned char *vec);

/*
 * The window's VMAs from @smaps: header (range relative to the window,
 * permissions, offset, name), the smaps sizes, and mincore. Of a regular
 * file's VMA only the header and Anonymous: which of its pages are in
 * the page cache and mapped is the host's readahead's own (ext4's large
 * folios), while those of a memfd come only from its calls.
 */
static void report_smaps(char *out, size_t cap, const char *smaps,
			 mincore_fn *mincore_)
{
	static const char *const fields[] = {
		"Anonymous:",	 "Rss:",	   "Shared_Clean:",
		"Shared_Dirty:", "Private_Clean:", "Private_Dirty:",
	};
	bool in_win = false, memfd = false;
	const char *p;

	for (p = smaps; *p; p = strchr(p, '\n') + 1) {
		unsigned long start, end, off, kb;
		char perms[8], name[20];
		int pos = 0;
		size_t k;

		if (sscanf(p, "%lx-%lx %7s %lx %*s %*u %n", &start, &end, perms,
			   &off, &pos) >= 4 &&
		    pos > 0) {
			const char *path = p + pos, *eol = strchr(path, '\n');
			int plen = eol ? (int)(eol - path) : (int)strlen(path);
			unsigned char vec[WIN_PAGES];
			unsigned long n = (end - start) / PG, j;
			long r;

			in_win = start >= WIN && end <= WIN + P(WIN_PAGES);
			if (!in_win)
				goto next;
			memfd = plen >= 7 && !strncmp(path, "/memfd:", 7);
			diff_append(out, cap, "  W+%lx-W+%lx %s %08lx %.*s\n",
				    start - WIN, end - WIN, perms, off,
				    memfd ? plen : 4, memfd ? path : "file");
			if (!memfd)
				goto next;
			memset(vec, 0, sizeof vec);
			r = mincore_(start, end - start, vec);
			diff_append(out, cap, "    mincore %ld ", r);
			for (j = 0; j < n; j++)
				diff_append(out, cap, "%d", vec[j] & 1);
			diff_append(out, cap, "\n");
		} else if (in_win && sscanf(p, "%19s %lu kB", name, &kb) == 2) {
			for (k = 0;
			     k < (memfd ? sizeof fields / sizeof fields[0] : 1);
			     k++)
				if (!strcmp(name, fields[k]) && kb)
					diff_append(out, cap, "    %s %lu\n",
						    name, kb);
		}
next:
		if (!strchr(p, '\n'))
			break;
	}
}

static void report_status(char *out, size_t cap, const char *status)
{
	const char *p = status ? strstr(status, "\nRssShmem:") : NULL;
	unsigned long kb;

	if (p && sscanf(p + 1, "RssShmem: %lu kB", &kb) == 1)
		diff_append(out, cap, "  RssShmem %lu\n", kb);
	else
		diff_append(out, cap, "  RssShmem ?\n");
}

/* A file's line: its size and seals and, of a memfd, the pages it holds
 * (@pages, else -1): what pread must not allocate. */
static void report_file(char *out, size_t cap, int k, long long size,
			long seals, long pages)
{
	char s[32];

	fmt_ret(s, sizeof s, seals);
	diff_append(out, cap, "  file %d size %#llx seals %s", k, size, s);
	if (pages >= 0)
		diff_append(out, cap, " pages %ld", pages);
	diff_append(out, cap, "\n");
}

static long host_mincore(unsigned long addr, unsigned long len,
			 unsigned char *vec)
{
	return syscall(SYS_mincore, addr, len, vec) ? -errno : 0;
}

static void host_step(const void *calls, int i, char *out, size_t cap)
{
	const struct call *c = calls;
	char *text;
	int k;

	fmt_call(out, cap, &c[i], host_call(&c[i], i));
	for (k = 0; k < NFILES; k++) {
		struct stat st;
		long seals;

		if (host_fds[k] < 0)
			continue;
		seals = fcntl(host_fds[k], F_GET_SEALS);
		if (seals < 0)
			seals = -errno;
		if (fstat(host_fds[k], &st)) {
			st.st_size = -1;
			st.st_blocks = -8;
		}
		/* A memfd's st_blocks: the pages it holds, 8 blocks each. */
		report_file(out, cap, k, (long long)st.st_size, seals,
			    host_memfd[k] ? (long)(st.st_blocks / 8) : -1);
	}
	text = mmk_test_slurp("/proc/self/smaps");
	if (text)
		report_smaps(out, cap, text, host_mincore);
	free(text);
	text = mmk_test_slurp("/proc/self/status");
	report_status(out, cap, text);
	free(text);
}

static long sim_mincore(unsigned long addr, unsigned long len,
			unsigned char *vec)
{
	return mmk_mincore(1, addr, len, vec);
}

/* The pages a memfd's cache holds (not in swap: the machine has
 * none), as st_blocks / 8 counts them on the host. */
static long sim_file_pages(struct file *f)
{
	unsigned long j;
	long n = 0;

	pthread_mutex_lock(&f->lock);
	for (j = 0; j < f->pages_cap; j++)
		n += f->pages[j] && !((uintptr_t)f->pages[j] & 1);
	pthread_mutex_unlock(&f->lock);
	return n;
}

static void sim_step(struct mmk_machine *m, const void *calls, int i, char *out,
		     size_t cap)
{
	const struct call *c = calls;
	char *text;
	int k;

	fmt_call(out, cap, &c[i], sim_call(&c[i], i));
	for (k = 0; k < NFILES; k++)
		if (sim_files[k])
			report_file(out, cap, k, (long long)sim_files[k]->size,
				    mmk_fcntl(sim_files[k], F_GET_SEALS, 0),
				    sim_files[k]->shmem ?
					    sim_file_pages(sim_files[k]) :
					    -1);
	text = proc(m, "/proc/1/smaps");
	report_smaps(out, cap, text, sim_mincore);
	free(text);
	text = proc(m, "/proc/1/status");
	report_status(out, cap, text);
	free(text);
}

static bool compare_ok(struct mmk_machine *m, const void *calls, int n,
		       const char *what)
{
	char *host = calloc(1, DIFF_REPORT_CAP),
	     *sim = calloc(1, DIFF_REPORT_CAP);
	bool checked = true, ok;
	unsigned long shmem;
	char why[512];
	int i, k;

	assert_non_null(host);
	assert_non_null(sim);
	assert_true(diff_run_host(host_step, calls, n, NULL, host));
	shmem = meminfo_kb(m, "Shmem");
	assert_int_equal(mmk_spawn(1, false), 0);
	for (i = 0; i < n; i++) {
		sim_step(m, calls, i, sim, DIFF_REPORT_CAP);
		if (mmk_check(m, why, sizeof why)) {
			diff_append(sim, DIFF_REPORT_CAP,
				    "mmk_check() failed: %s\n", why);
			checked = false;
			break;
		}
	}
	mmk_exit(1);
	for (k = 0; k < NFILES; k++) {
		if (sim_files[k])
			fput(sim_files[k]);
		sim_files[k] = NULL;
	}
	if (getenv("MEMFD_DIFF_SHOW"))
		fprintf(stderr, "%s: host kernel:\n%s", what, host);
	ok = diff_reports_equal(host, sim, what,
				getenv("MEMFD_DIFF_ALL") != NULL) &&
	     checked;
	/* The memfds have gone with the process and the last fput. */
	if (checked && meminfo_kb(m, "Shmem") != shmem) {
		fprintf(stderr, "%s: mmkit's Shmem went from %lu to %lu kB\n",
			what, shmem, meminfo_kb(m, "Shmem"));
		ok = false;
	}
	free(host);
	free(sim);
	return ok;
}

static void compare(struct mmk_machine *m, const void *calls, int n,
		    const char *what)
{
	if (!compare_ok(m, calls, n, what))
		fail_msg("%s: mmkit differs from the host kernel", what);
}

/* ---- the host's readiness ---- */

/* An ext4 directory for the regular files: $TMPDIR, /var/tmp or /tmp. */
static void find_host_dir(void)
{
	const char *dirs[] = { getenv("TMPDIR"), "/var/tmp", "/tmp" };
	struct statfs sf;
	size_t i;

	host_dir[0] = '\0';
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (dirs[i] && !statfs(dirs[i], &sf) &&
		    (long)sf.f_type == EXT4_MAGIC_ && !access(dirs[i], W_OK)) {
			snprintf(host_dir, sizeof host_dir, "%s", dirs[i]);
			return;
		}
}

static bool host_memfd_exec_ok(void)
{
	char *text = mmk_test_slurp("/proc/sys/vm/memfd_noexec");
	bool ok = !text || atoi(text) == 0;

	if (!ok)
		fprintf(stderr, "vm.memfd_noexec is not 0: skipped\n");
	free(text);
	return ok;
}

static struct mmk_machine *boot(void **state)
{
	struct mmk_machine *m;

	find_host_dir();
	/* vm.memfd_noexec 0: memfd_create as mmkit has it. */
	if (!diff_window_free(WIN, P(WIN_PAGES)) || !host_memfd_exec_ok())
		skip();
	m = mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, true);
	*state = m;
	return m;
}

#define RUN(m, seq, what) \
	compare(m, seq, (int)(sizeof seq / sizeof seq[0]), what)

/* ---- directed sequences ---- */

/* Growing and shrinking a memfd, with stores past its end. */
static void test_resize(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, MFD_ALLOW_SEALING),
		TRUNC(0, 100),
		MAPS(0, 0, P(2), RW, 0),
		RD(0x58),
		WR(0xc8),
		RD(0xc8),
		RD(P(1)),
		WR(P(1) + 8),
		/* A memfd keeps what was stored past its end. */
		TRUNC(0, P(1)),
		RD(0xc8),
		TRUNC(0, 150),
		RD(0xc8),
		RD(0x90),
		TRUNC(0, 0),
		RD(0),
		WR(0),
		TRUNC(0, P(2)),
		RD(0),
		WR(P(1) + 0xff8),
		RD(P(1) + 0xff8),
		/* A private copy past the new end goes too. */
		MAPP(0, P(4), P(3), RW, 0),
		RD(P(4)),
		WR(P(5) + 0x10),
		RD(P(5) + 0x10),
		RD(P(6)),
		TRUNC(0, P(1) + 0x10),
		RD(P(5) + 0x10),
		RD(P(5)),
		RD(P(1) + 0xff8),
		WR(P(5) + 0x800),
		WR(P(6)),
		TRUNC(0, P(1)),
		RD(P(5) + 0x10),
		RD(P(4)),
		WR(P(5)),
		TRUNC(0, P(3)),
		RD(P(5) + 0x10),
		RD(P(5) + 0x800),
		RD(P(1) + 0xff8),
		/* A mapping beyond the end, the end moving past it. */
		MAPS(0, P(8), P(2), PROT_READ, P(4)),
		RD(P(8)),
		TRUNC(0, P(5) + 1),
		RD(P(8)),
		RD(P(9)),
		TRUNC(0, -1),
		MADV(0, P(2), MADV_DONTNEED),
		RD(0),
		UNMAP(0, P(16)),
	};

	RUN(m, seq, "resize");
}

/* A regular file grows, shrinks and is fallocated (ext4 on the host). */
static void test_regular(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		RFILE(1, 100),
		MAPS(1, 0, P(2), RW, 0),
		WR(0xc8),
		RD(0xc8),
		RD(P(1)),
		/* ext4 zeroes past the old end when the file grows. */
		TRUNC(1, P(1)),
		RD(0xc8),
		TRUNC(1, P(2)),
		WR(P(1) + 8),
		MAPP(1, P(4), P(2), RW, 0),
		WR(P(5)),
		RD(P(5)),
		TRUNC(1, P(1)),
		RD(P(5)),
		RD(P(1) + 8),
		RD(P(4)),
		TRUNC(1, P(4)),
		MAPS(1, 0, P(4), RW, 0),
		WR(0x58),
		WR(0x60),
		WR(P(1)),
		WR(P(1) + 0x400),
		WR(P(1) + 0x3f8),
		WR(P(2) + 0x7f8),
		WR(P(2) + 0x800),
		WR(P(3)),
		FALLOC(1, PUNCH, 100, 5000),
		RD(0x58),
		RD(0x60),
		RD(P(1)),
		RD(P(1) + 0x3f8),
		RD(P(1) + 0x400),
		FALLOC(1, ZERO, P(2) + 0x800, 0x800),
		RD(P(2) + 0x7f8),
		RD(P(2) + 0x800),
		FALLOC(1, ZERO | KEEP, P(3), P(4)),
		RD(P(3)),
		FALLOC(1, ZERO, P(3), P(2)),
		RD(P(4)),
		FALLOC(1, 0, P(5), P(1) + 1),
		FALLOC(1, KEEP, P(8), P(1)),
		MAPS(1, P(8), P(8), PROT_READ, 0),
		RD(P(14)),
		RD(P(15)),
		FALLOC(1, FALLOC_FL_PUNCH_HOLE, 0, P(1)),
		FALLOC(1, PUNCH | ZERO, 0, P(1)),
		FALLOC(1, 0x100, 0, P(1)),
		FALLOC(1, 0, -1, P(1)),
		FALLOC(1, 0, 0, 0),
		FALLOC(1, PUNCH, 0, -5),
		MADV(0, P(1), MADV_REMOVE),
		RD(0x60),
		TRUNC(1, -1),
		UNMAP(0, P(16)),
	};

	if (!host_dir[0])
		skip();
	RUN(m, seq, "regular");
}

/* Hole punches, whole and partial pages; fallocate of a memfd. */
static void test_punch(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, 0),
		TRUNC(0, P(4)),
		MAPS(0, 0, P(4), RW, 0),
		WR(0x58),
		WR(0x60),
		WR(P(1)),
		WR(P(1) + 0x400),
		WR(P(1) + 0x3f8),
		WR(P(2) + 0xff8),
		WR(P(3)),
		FALLOC(0, PUNCH, 100, 5000),
		RD(0x58),
		RD(0x60),
		RD(P(1)),
		RD(P(1) + 0x3f8),
		RD(P(1) + 0x400),
		FALLOC(0, PUNCH, P(2) + 0x800, P(1)),
		RD(P(2) + 0xff8),
		RD(P(3)),
		/* A private copy stays. */
		MAPP(0, P(8), P(4), RW, 0),
		WR(P(11) + 0x58),
		RD(P(10)),
		FALLOC(0, PUNCH, P(2), P(8)),
		RD(P(11) + 0x58),
		RD(P(10)),
		RD(P(3)),
		MADV(0, P(1), MADV_REMOVE),
		MADV(P(8), P(1), MADV_REMOVE),
		RD(0x58),
		/* Beyond the end. */
		FALLOC(0, PUNCH, P(3), P(8)),
		MAPS(0, P(16), P(10), PROT_READ, 0),
		RD(P(16 + 3)),
		RD(P(16 + 4)),
		TRUNC(0, P(6)),
		RD(P(16 + 3) + 8),
		RD(P(16 + 5)),
		/* The errors. */
		FALLOC(0, FALLOC_FL_PUNCH_HOLE, 0, P(1)),
		FALLOC(0, ZERO, 0, P(1)),
		FALLOC(0, FALLOC_FL_COLLAPSE_RANGE, 0, P(1)),
		FALLOC(0, FALLOC_FL_INSERT_RANGE, 0, P(1)),
		FALLOC(0, 0x100, 0, P(1)),
		FALLOC(0, 0, -1, P(1)),
		FALLOC(0, 0, 0, 0),
		FALLOC(0, PUNCH, 0, 0),
		FALLOC(0, 0, 0, -1),
		FALLOC(0, 0, 1LL << 62, 1LL << 62),
		UNMAP(0, P(32)),
	};

	RUN(m, seq, "punch");
}

/* F_SEAL_WRITE against shared mappings; mappings of a sealed memfd. */
static void test_seal_write(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, MFD_ALLOW_SEALING),
		TRUNC(0, P(2)),
		MAPS(0, 0, P(2), PROT_READ, 0),
		WR(P(1)),
		SEAL(0, F_SEAL_WRITE),
		UNMAP(0, P(2)),
		MAPS(0, P(4), P(2), RW, 0),
		WR(P(4)),
		MPROT(P(4), P(2), PROT_READ),
		SEAL(0, F_SEAL_WRITE),
		UNMAP(P(4), P(2)),
		MAPP(0, P(8), P(2), RW, 0),
		SEAL(0, F_SEAL_WRITE),
		RD(P(8)),
		WR(P(8) + 8),
		RD(P(8) + 8),
		MAPS(0, 0, P(2), RW, 0),
		MAPS(0, 0, P(2), PROT_READ, 0),
		RD(0),
		WR(0),
		MPROT(0, P(2), RW),
		MPROT(0, P(1), PROT_NONE),
		MPROT(0, P(1), PROT_READ),
		MAPP(0, P(12), P(2), PROT_READ, 0),
		MPROT(P(12), P(2), RW),
		WR(P(13)),
		RD(P(1)),
		FALLOC(0, PUNCH, 0, P(1)),
		MADV(0, P(1), MADV_REMOVE),
		MADV(P(8), P(1), MADV_REMOVE),
		FALLOC(0, KEEP, P(4), 0),
		TRUNC(0, P(4)),
		TRUNC(0, P(1)),
		RD(P(13)),
		RD(P(8) + 8),
		/* F_SEAL_GROW and F_SEAL_SHRINK. */
		SEAL(0, F_SEAL_GROW),
		TRUNC(0, P(2)),
		TRUNC(0, P(1)),
		FALLOC(0, KEEP, P(1), P(1)),
		FALLOC(0, 0, P(1) - 1, 2),
		FALLOC(0, 0, 0, P(1)),
		FALLOC(0, KEEP, 0, P(1)),
		SEAL(0, F_SEAL_SHRINK),
		TRUNC(0, 0),
		TRUNC(0, P(1)),
		SEAL(0, F_SEAL_SEAL),
		SEAL(0, F_SEAL_EXEC),
		SEAL(0, 0),
		UNMAP(0, P(16)),
	};

	RUN(m, seq, "seal write");
}

/* F_SEAL_FUTURE_WRITE with mappings made before it. */
static void test_future_write(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, MFD_ALLOW_SEALING),
		TRUNC(0, P(4)),
		MAPS(0, 0, P(2), RW, 0),
		MAPS(0, P(2), P(2), PROT_READ, P(2)),
		WR(0),
		SEAL(0, F_SEAL_FUTURE_WRITE),
		WR(8),
		RD(8),
		WR(P(1)),
		MADV(0, P(1), MADV_REMOVE),
		RD(8),
		FALLOC(0, PUNCH, 0, P(1)),
		MPROT(0, P(2), PROT_READ),
		MPROT(0, P(2), RW),
		WR(0x10),
		MPROT(P(2), P(2), RW),
		MAPS(0, P(4), P(2), RW, 0),
		MAPS(0, P(4), P(2), PROT_READ, 0),
		RD(P(4) + 8),
		MPROT(P(4), P(2), RW),
		MAPP(0, P(8), P(2), RW, 0),
		WR(P(8)),
		RD(P(8)),
		RD(0),
		SEAL(0, F_SEAL_WRITE),
		UNMAP(0, P(2)),
		SEAL(0, F_SEAL_WRITE),
		UNMAP(P(2), P(2)),
		SEAL(0, F_SEAL_WRITE),
		/* Shrink: the old writable mapping's page goes. */
		TRUNC(0, 100),
		RD(P(8)),
		RD(P(4)),
		RD(P(5)),
		TRUNC(0, P(2)),
		RD(P(4) + 0x58),
		UNMAP(0, P(16)),
	};

	RUN(m, seq, "future write");
}

#define X10 "xxxxxxxxxx"
#define X50 X10 X10 X10 X10 X10
#define X249 X50 X50 X50 X50 X10 X10 X10 X10 "xxxxxxxxx"

/* F_SEAL_EXEC, memfd_create's flags and names, F_SEAL_SEAL. */
static void test_exec_seals(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, MFD_ALLOW_SEALING | MFD_EXEC),
		TRUNC(0, P(1)),
		MAPS(0, 0, P(1), RW, 0),
		WR(0),
		SEAL(0, F_SEAL_EXEC),
		MPROT(0, P(1), PROT_READ),
		SEAL(0, F_SEAL_EXEC),
		UNMAP(0, P(1)),
		MAPP(0, P(2), P(1), RW, 0),
		SEAL(0, F_SEAL_EXEC),
		WR(P(2) + 8),
		RD(P(2)),
		TRUNC(0, P(2)),
		TRUNC(0, 0),
		FALLOC(0, PUNCH, 0, P(1)),
		MAPS(0, 0, P(1), RW, 0),
		MAPS(0, 0, P(1), PROT_READ, 0),
		MPROT(0, P(1), RW),
		/* MFD_NOEXEC_SEAL allows sealing. */
		MEMFD(1, MFD_NOEXEC_SEAL),
		SEAL(1, F_SEAL_EXEC),
		TRUNC(1, P(1)),
		MAPS(1, P(4), P(1), RW, 0),
		SEAL(1, F_SEAL_WRITE),
		SEAL(1, F_SEAL_GROW | F_SEAL_SEAL),
		SEAL(1, F_SEAL_SHRINK),
		TRUNC(1, P(2)),
		/* Without MFD_ALLOW_SEALING: F_SEAL_SEAL. */
		MEMFD(2, 0),
		SEAL(2, F_SEAL_GROW),
		SEAL(2, F_SEAL_EXEC),
		MEMFD(2, MFD_EXEC),
		SEAL(2, F_SEAL_EXEC),
		MEMFD(2, MFD_CLOEXEC | MFD_ALLOW_SEALING),
		SEAL(2, 0x40),
		SEAL(2, F_SEAL_SHRINK | F_SEAL_GROW),
		SEAL(2, F_SEAL_EXEC),
		TRUNC(2, P(1)),
		/* Bad flags. */
		MEMFD(2, MFD_EXEC | MFD_NOEXEC_SEAL),
		MEMFD(2, 0x100),
		MEMFD(2, 0x80000000U),
		MEMFD(2, 21U << 26), /* MFD_HUGE_2MB without MFD_HUGETLB */
		/* Names: the longest, one more, a slash, empty. */
		MEMFDN(2, 0, X249),
		MEMFDN(2, MFD_ALLOW_SEALING, X249 "y"),
		MEMFDN(2, MFD_ALLOW_SEALING, "a/b"),
		TRUNC(2, P(1)),
		MAPS(2, P(4), P(1), PROT_READ, 0),
		MEMFDN(2, 0, ""),
		MAPS(2, P(5), P(1), PROT_READ, 0),
		UNMAP(0, P(8)),
	};

	RUN(m, seq, "exec seals");
}

/* ---- pread and pwrite ---- */

/*
 * pwrite and pread of a memfd: read back through pread and a shared
 * mapping, at offsets that are not page aligned and span pages, at and
 * past the end; a write past the end extends it.
 */
static void test_rw(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, MFD_ALLOW_SEALING),
		TRUNC(0, P(4)),
		MAPS(0, 0, P(8), PROT_READ, 0),
		PWRITE(0, 0x58, 16),
		PREAD(0, 0x50, 0x20),
		RD(0x50),
		RD(0x58),
		RD(0x60),
		/* Four pages, none whole. */
		PWRITE(0, P(1) - 3, P(2) + 6),
		PREAD(0, P(1) - 8, P(2) + 16),
		RD(P(1) - 8),
		RD(P(2)),
		RD(P(3)),
		PREAD(0, 0, P(4)),
		/* A write over what a mapping wrote, and the other way. */
		MAPS(0, P(8), P(2), RW, 0),
		WR(P(8) + 0x100),
		PREAD(0, 0xf8, 0x18),
		PWRITE(0, 0x104, 8),
		RD(P(8) + 0x100),
		RD(0x100),
		/* At and past the end. */
		PREAD(0, P(4), 8),
		PREAD(0, P(4) + 100, 8),
		PREAD(0, P(4) - 4, 8),
		PREAD(0, 1LL << 40, 8),
		PREAD(0, 0x7ffffffffffffff0LL, 8),
		RD(P(4)),
		/* Extending: a hole at P(4), the end at P(5) + 0x30. */
		PWRITE(0, P(5) + 0x10, 0x20),
		RD(P(5) + 0x10),
		RD(P(5) + 0x28),
		RD(P(5) + 0x30),
		RD(P(4)),
		PREAD(0, P(4) - 8, P(2)),
		PWRITE(0, P(7) - 1, 2),
		RD(P(7)),
		PREAD(0, P(7) - 4, 8),
		/* A private mapping sees writes until it copies. */
		MAPP(0, P(12), P(2), RW, 0),
		RD(P(12) + 0x58),
		PWRITE(0, 0x58, 8),
		RD(P(12) + 0x58),
		WR(P(12) + 0x60),
		PWRITE(0, 0x58, 8),
		RD(P(12) + 0x58),
		PREAD(0, 0x58, 16),
		/* Shrink, read and write again. */
		TRUNC(0, 0x59),
		PREAD(0, 0, P(1)),
		PWRITE(0, 0x100, 1),
		PREAD(0, 0, P(1)),
		PREAD(0, 0, 0),
		PWRITE(0, P(1), 0),
		/* What a mapping stored past the end stays when a write
		 * extends the memfd over it. */
		MAPS(0, P(8), P(2), RW, 0),
		WR(P(8) + 0xc8),
		WR(P(8) + 0x800),
		PWRITE(0, 0x400, 8),
		PREAD(0, 0, P(1)),
		RD(P(8) + 0xc8),
		RD(P(8) + 0x800),
		PWRITE(0, P(1) + 0x10, 8),
		PREAD(0, 0, P(2)),
		UNMAP(0, P(16)),
	};

	RUN(m, seq, "rw");
}

/*
 * Holes and fallocated pages read as zeroes and allocate nothing (the
 * file's pages, mincore and RssShmem stay); a write into a fallocated
 * page clears the rest of it; a write into a mapped clean page makes it
 * dirty.
 */
static void test_rw_holes(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, 0),
		TRUNC(0, P(6)),
		MAPS(0, 0, P(6), PROT_READ, 0),
		PREAD(0, 0, P(6)),
		PREAD(0, 0x800, P(1)),
		FALLOC(0, 0, P(1), P(2)),
		PREAD(0, P(1) - 0x10, P(2) + 0x20),
		PREAD(0, P(2), 8),
		RD(P(2)),
		PREAD(0, P(2), P(1)),
		FALLOC(0, KEEP, P(6), P(2)),
		PREAD(0, P(5), P(3)),
		/* A partial write into a fallocated page. */
		PWRITE(0, P(1) + 0x800, 0x10),
		PREAD(0, P(1), P(1)),
		RD(P(1) + 0x808),
		RD(P(1)),
		/* A clean mapped page written by pwrite. */
		RD(P(4)),
		PWRITE(0, P(4) + 0x20, 8),
		RD(P(4) + 0x20),
		PWRITE(0, P(3) + 0xff0, 0x20),
		/* Extending into the fallocated pages past the end. */
		PWRITE(0, P(6) + 0x10, 0x10),
		PREAD(0, P(6), P(2)),
		TRUNC(0, P(8)),
		PREAD(0, P(6), P(2)),
		MAPS(0, P(8), P(8), PROT_READ, 0),
		RD(P(15)),
		PREAD(0, P(7), P(1)),
		FALLOC(0, PUNCH, P(1), P(3)),
		PREAD(0, 0, P(8)),
		MADV(0, P(1), MADV_REMOVE),
		PREAD(0, 0, P(1)),
		UNMAP(0, P(16)),
	};

	RUN(m, seq, "rw holes");
}

/*
 * Seals against pwrite: F_SEAL_WRITE and F_SEAL_FUTURE_WRITE refuse it
 * (pread goes on), F_SEAL_GROW only the page that would pass the end;
 * F_SEAL_SHRINK none. The errors: a negative offset, a NULL buffer, no
 * file.
 */
static void test_rw_seals(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, MFD_ALLOW_SEALING),
		TRUNC(0, P(2) + 0x100),
		MAPS(0, 0, P(4), PROT_READ, 0),
		PWRITE(0, 0x40, 8),
		SEAL(0, F_SEAL_GROW),
		/* Inside, up to the end, past it within the last page and
		 * from one page to the next. */
		PWRITE(0, P(2), 0x80),
		PWRITE(0, P(2) + 0x80, 0x80),
		PWRITE(0, P(2) + 0x80, 0x81),
		PWRITE(0, P(2) + 0x100, 1),
		PWRITE(0, P(1) + 0x800, P(2)),
		PWRITE(0, P(1) + 0x800, P(1) + 0x900),
		PWRITE(0, 0x10, P(3)),
		PWRITE(0, P(5), 8),
		PREAD(0, 0, P(3)),
		RD(P(2) + 0xf8),
		RD(P(1) + 0x800),
		/* The end at a page's end. */
		MEMFD(2, MFD_ALLOW_SEALING),
		TRUNC(2, P(1)),
		SEAL(2, F_SEAL_GROW),
		PWRITE(2, P(1), 0),
		PWRITE(2, P(1), 1),
		PWRITE(2, P(1) - 1, 1),
		PWRITE(2, P(1) - 1, 2),
		PREAD(2, P(1) - 8, 16),
		SEAL(2, F_SEAL_WRITE),
		MAPS(2, P(3), P(1), PROT_READ, 0),
		RD(P(3) + P(1) - 8),
		SEAL(0, F_SEAL_SHRINK),
		PWRITE(0, 0x20, 8),
		SEAL(0, F_SEAL_FUTURE_WRITE),
		PWRITE(0, 0x30, 8),
		PWRITE(0, 0x30, 0),
		PREAD(0, 0x20, 0x20),
		MEMFD(1, MFD_ALLOW_SEALING),
		PWRITE(1, P(1) - 4, 8),
		SEAL(1, F_SEAL_WRITE),
		PWRITE(1, 0, 1),
		PWRITE(1, P(3), 1),
		PREAD(1, P(1) - 8, 16),
		/* MFD_EXEC's F_SEAL_EXEC implies the write seals. */
		MEMFD(1, MFD_ALLOW_SEALING | MFD_EXEC),
		SEAL(1, F_SEAL_EXEC),
		PWRITE(1, 0, 8),
		/* The errors. */
		MEMFD(1, 0),
		PWRITE(1, -1, 8),
		PREAD(1, -1, 8),
		PWRITE(1, -P(1), 0),
		PREAD(1, -P(1), 0),
		PWRITE(1, 0x7fffffffffffffffLL, 0),
		PWRITE(1, 0x58, 8),
		PWRITE_NULL(1, 0x50, 8),
		PREAD_NULL(1, 0, 8),
		PREAD_NULL(1, 0, (unsigned long)-1),
		PWRITE_NULL(1, 0, 1UL << 63),
		PREAD(3, 0, 8),
		PWRITE(3, 0, 8),
		PREAD(1, 0, 0x70),
		UNMAP(0, P(4)),
	};

	RUN(m, seq, "rw seals");
}

/*
 * A regular file: pwrite and pread, through a shared mapping both ways,
 * extending it, past ext4's largest file; a read-only file refuses
 * writes. Only the results and data count (not what the host's ext4
 * caches).
 */
static void test_rw_regular(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		RFILE(1, P(4)),
		MAPS(1, 0, P(4), RW, 0),
		PREAD(1, 0, P(4)),
		WR(0x58),
		WR(P(2) + 0xff8),
		PREAD(1, 0x50, 0x10),
		PREAD(1, P(2) + 0xff0, 0x20),
		PWRITE(1, P(1) - 3, P(2) + 6),
		RD(P(1) - 8),
		RD(P(3)),
		PREAD(1, 0, P(4)),
		/* Extending it, then mapping the new part. */
		PWRITE(1, P(6) + 0x10, 0x20),
		PREAD(1, P(4) - 8, P(3)),
		PREAD(1, P(6) + 0x30, 8),
		MAPS(1, P(4), P(4), PROT_READ, P(4)),
		RD(P(6) + 0x10),
		RD(P(6) + 0x30),
		RD(P(7)),
		/* Hole punches and zeroes read back. */
		FALLOC(1, PUNCH, P(1), P(1)),
		PREAD(1, P(1) - 8, P(1) + 16),
		FALLOC(1, ZERO, 0x50, 0x10),
		PREAD(1, 0x50, 0x10),
		TRUNC(1, P(1) + 4),
		PREAD(1, P(1) - 4, 0x10),
		PREAD(1, P(2), 8),
		PWRITE(1, 0, 0),
		PWRITE(1, -1, 1),
		PWRITE(1, 1LL << 44, 1),
		PREAD(1, 1LL << 44, 1),
		/* A private mapping sees writes until it copies; its copy
		 * is not the file's. */
		MAPP(1, P(8), P(2), RW, 0),
		RD(P(8) + 0x60),
		PWRITE(1, 0x60, 0x10),
		RD(P(8) + 0x60),
		WR(P(8) + 0x58),
		PREAD(1, 0x58, 8),
		PWRITE(1, 0x68, 8),
		RD(P(8) + 0x68),
		MADV(P(8), P(1), MADV_DONTNEED),
		RD(P(8) + 0x58),
		RD(P(8) + 0x68),
		/* A read-only file. */
		RFILE_RO(2, P(2) + 10),
		PREAD(2, 0, P(3)),
		PWRITE(2, 0, 1),
		PWRITE(2, 0, 0),
		TRUNC(2, P(1)),
		MAPS(2, P(12), P(2), RW, 0),
		MAPS(2, P(12), P(2), PROT_READ, 0),
		RD(P(13) + 8),
		UNMAP(0, P(16)),
	};

	if (!host_dir[0])
		skip();
	RUN(m, seq, "rw regular");
}

/*
 * Edges of pread and pwrite where mmkit differed (each a sequence of its
 * own).
 */
static void test_rw_edges(void **state)
{
	struct mmk_machine *m = boot(state);
	/* An offset and count whose end passes LLONG_MAX: EINVAL
	 * (rw_verify_area()), before EOF, EFBIG or the cache. */
	const struct call overflow[] = {
		MEMFD(0, 0),
		PREAD(0, 0x7fffffffffffffffLL, 1),
		PWRITE(0, 0x7fffffffffffffffLL, 1),
		PWRITE(0, 0x7ffffffffffffff0LL, 0x20),
	};
	const struct call overflow_regular[] = {
		RFILE(1, P(1)),
		PREAD(1, 0x7fffffffffffffffLL, 1),
		PWRITE(1, 0x7fffffffffffffffLL, 1),
	};
	/* A pread at the end copies nothing: 0, whatever the buffer. */
	const struct call null_at_eof[] = {
		MEMFD(0, 0),
		PREAD_NULL(0, 0, 8),
		TRUNC(0, 0x60),
		PREAD_NULL(0, 0x60, 8),
	};
	/* A pwrite whose buffer faults has had shmem_write_begin() add the
	 * page first (generic_perform_write() faults the buffer in only
	 * after a copy came short): the memfd holds it, zeroed. */
	const struct call null_write[] = {
		MEMFD(0, 0),	MAPS(0, 0, P(2), RW, 0), PWRITE_NULL(0, 0, 8),
		TRUNC(0, P(2)), PWRITE_NULL(0, P(1), 8), RD(P(1)),
		UNMAP(0, P(2)),
	};
	/* ext4 zeroes what a mapping stored past a regular file's end, up
	 * to a write that extends it. */
	const struct call extend_regular[] = {
		RFILE(1, 100), MAPS(1, 0, P(1), RW, 0), WR(0xc8),
		WR(0x800),     PWRITE(1, 0x400, 8),	RD(0xc8),
		RD(0x800),     PREAD(1, 0, P(1)),	UNMAP(0, P(1)),
	};
	int bad = 0;

	bad += !compare_ok(m, overflow, 4, "rw overflow");
	if (host_dir[0])
		bad += !compare_ok(m, overflow_regular, 3,
				   "rw overflow regular");
	bad += !compare_ok(m, null_at_eof, 4, "rw NULL at EOF");
	bad += !compare_ok(m, null_write, 7, "rw NULL write");
	if (host_dir[0])
		bad += !compare_ok(m, extend_regular, 9, "rw extend regular");
	if (bad)
		fail_msg("%d sequences of pread and pwrite differ", bad);
}

/* ---- differences found, and fixed ---- */

/*
 * fallocate allocating a memfd's pages: Linux leaves the new folios not
 * uptodate (mincore() does not count them, fault-around does not map
 * them, the first fault clears them) and marks the folios already there
 * dirty (shmem_fallocate()).
 */
static void test_allocate(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, MFD_ALLOW_SEALING),
		TRUNC(0, P(2)),
		MAPS(0, 0, P(8), PROT_READ, 0),
		RD(0),
		FALLOC(0, 0, 0, P(4)),
		RD(P(3)),
		RD(P(2)),
		FALLOC(0, KEEP, P(4), P(2)),
		RD(P(4)),
		TRUNC(0, P(6)),
		RD(P(5)),
		FALLOC(0, 0, P(6), 10),
		RD(P(6) + 8),
		MAPS(0, P(8), P(4), RW, P(8)),
		FALLOC(0, 0, P(8) + 0x800, P(2)),
		WR(P(9) + 0x10),
		RD(P(8) + 0x10),
		SEAL(0, F_SEAL_GROW),
		FALLOC(0, KEEP, P(12), P(1)),
		FALLOC(0, 0, P(10), P(1)),
		UNMAP(0, P(16)),
	};

	RUN(m, seq, "allocate");
}

/*
 * The partial pages of a hole punched in a memfd or of its new end
 * when it shrinks: Linux zeroes them and marks them dirty
 * (shmem_undo_range()), so a clean page shows as dirty in smaps after.
 */
static void test_partial_dirty(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, 0),
		TRUNC(0, P(3)),
		MAPS(0, 0, P(3), PROT_READ, 0),
		RD(0),
		RD(P(1)),
		RD(P(2)),
		FALLOC(0, PUNCH, P(1) + 0x58, 0x10),
		RD(P(1) + 0x58),
		TRUNC(0, P(2) + 100),
		RD(P(2) + 0x58),
		TRUNC(0, P(2)),
		UNMAP(0, P(3)),
	};

	RUN(m, seq, "partial dirty");
}

/*
 * A hole punched in a memfd that ends within its first page: Linux 6.18's
 * shmem_fallocate() computes the whole pages to unmap as [1, -1) and so
 * unmaps every page past the first from every mapping (not the private
 * copies); they stay in the cache.
 */
static void test_punch_first_page(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, 0),
		TRUNC(0, P(4)),
		MAPS(0, 0, P(4), RW, 0),
		MAPP(0, P(4), P(4), RW, 0),
		WR(0x58),
		WR(P(1)),
		WR(P(2) + 8),
		RD(P(3)),
		WR(P(5)),
		RD(P(6)),
		FALLOC(0, PUNCH, 0x58, 1),
		RD(0x58),
		RD(P(1)),
		RD(P(6)),
		RD(P(5)),
		FALLOC(0, PUNCH, P(1) + 0x58, 0x100),
		RD(P(1) + 0x58),
		UNMAP(0, P(16)),
	};

	RUN(m, seq, "punch first page");
}

/*
 * Sizes and offsets far beyond the memory: a memfd is sparse in Linux;
 * mmkit's page cache is a flat array, which makes such a size ENOMEM
 * (a departure mm/truncate.c owns).
 */
static void test_huge_size(void **state)
{
	struct mmk_machine *m = boot(state);
	const struct call seq[] = {
		MEMFD(0, 0),
		TRUNC(0, 1LL << 40),
		MAPS(0, 0, P(2), RW, 1LL << 39),
		WR(0),
		RD(P(1)),
		FALLOC(0, KEEP, 1LL << 41, P(1)),
		FALLOC(0, PUNCH, 1LL << 39, P(1)),
		RD(0),
		PWRITE(0, (1LL << 40) - 4, 8),
		PREAD(0, (1LL << 40) - 8, 16),
		PWRITE(0, 0x7ffffffffffffff0LL, 8),
		TRUNC(0, 1LL << 62),
		TRUNC(0, 0x7fffffffffffffffLL),
		TRUNC(0, P(1)),
		RD(0),
		UNMAP(0, P(2)),
	};

	if (!MEMFD_DIFF_SPARSE)
		skip();
	RUN(m, seq, "huge size");
}

/* ---- random sequences ---- */

static bool use_regular; /* host_dir found: random sequences may use files */

/* Whether (random_seq) a call on slot @k of a sequence that has a
 * regular file in slot 1 is on a memfd. */
static bool on_memfd(int k, bool regular)
{
	return k == 0 || !regular;
}

/*
 * Random sequence @seed: memfd 0 and memfd or regular file 1, a mapping
 * of memfd 0, then calls on either.
 */
static void random_seq(uint64_t seed, void *calls, int n)
{
	static const unsigned int memfd_flags[] = {
		0,
		MFD_ALLOW_SEALING,
		MFD_ALLOW_SEALING | MFD_CLOEXEC,
		MFD_NOEXEC_SEAL,
		MFD_ALLOW_SEALING | MFD_EXEC,
		MFD_ALLOW_SEALING,
	};
	static const long long sizes[] = {
		0,    100,	    P(1), P(1) + 0x10, 5000, P(3) - 8,
		P(4), P(6) + 0x200, P(8), P(2),	       P(5), -1,
	};
	static const long long offs[] = {
		0, 100, P(1), P(2) + 0x800, P(3), P(5), P(9), 0x58, -1,
	};
	static const long long lens[] = {
		1, 0x100, P(1), 5000, P(3), P(8), 0x7a8, 0, P(2) + 0x800,
	};
	static const unsigned int memfd_modes[] = {
		0, KEEP, PUNCH, PUNCH, PUNCH, FALLOC_FL_PUNCH_HOLE, ZERO,
	};
	static const unsigned int file_modes[] = {
		0, KEEP, PUNCH, PUNCH, ZERO, ZERO | KEEP, FALLOC_FL_PUNCH_HOLE,
	};
	static const unsigned int seals[] = {
		F_SEAL_WRITE,	     F_SEAL_FUTURE_WRITE,
		F_SEAL_GROW,	     F_SEAL_SHRINK,
		F_SEAL_EXEC,	     F_SEAL_WRITE,
		F_SEAL_FUTURE_WRITE, F_SEAL_GROW | F_SEAL_SHRINK,
		F_SEAL_SEAL,
	};
	static const long long io_offs[] = {
		0,    P(1) - 3,	   P(1), P(2) + 0x800, P(3) + 0x7f9,
		P(5), P(8) + 0x10, 0x58, P(4) - 1,     -1,
	};
	static const unsigned long io_lens[] = {
		1, 8, 0x100, P(1), P(1) + 6, P(2) + 0x800, 5000, 0, P(4), P(8),
	};
	static const unsigned long prots[] = { PROT_READ, RW, RW, PROT_NONE };
	static const unsigned long in_page[] = { 0, 0x58, 0x800, 0xff8 };
	struct call *c = calls;
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	bool regular = use_regular && diff_pick(&s, 3) == 0;
	long long size;
	int i, k;

	memset(c, 0, sizeof(*c) * (size_t)n);
	c[0] = (struct call)MEMFD(0, memfd_flags[diff_pick(&s, 6)]);
	size = sizes[diff_pick(&s, 11)];
	c[1] = (struct call)TRUNC(0, size);
	if (regular)
		c[2] = (struct call)RFILE(1, sizes[diff_pick(&s, 11)]);
	else
		c[2] = (struct call)MEMFD(1, memfd_flags[diff_pick(&s, 6)]);
	c[3] = (struct call)MAPS(0, 0, P(4), RW, 0);
	for (i = 4; i < n; i++) {
		struct call *x = &c[i];
		unsigned long first = diff_pick(&s, WIN_PAGES - 8),
			      pages = 1 + diff_pick(&s, 8);
		bool memfd;

		k = (int)diff_pick(&s, 2);
		memfd = on_memfd(k, regular);
		x->f = k;
		x->addr = P(first);
		x->len = P(pages);
		x->prot = prots[diff_pick(&s, 4)];
		x->off = (long long)P(diff_pick(&s, 8));
		switch (diff_pick(&s, 24)) {
		case 0:
		case 1:
			x->op = OP_MAP_SHARED;
			break;
		case 2:
			x->op = OP_MAP_PRIVATE;
			break;
		case 3:
			x->op = OP_MUNMAP;
			break;
		case 4:
			x->op = OP_MPROTECT;
			break;
		case 5:
			x->op = OP_MADVISE;
			x->flags = diff_pick(&s, 2) ? MADV_REMOVE :
						      MADV_DONTNEED;
			break;
		case 6:
		case 7:
		case 8:
			x->op = OP_READ;
			x->addr += in_page[diff_pick(&s, 4)];
			break;
		case 9:
		case 10:
		case 11:
			x->op = OP_WRITE;
			x->addr += in_page[diff_pick(&s, 4)];
			break;
		case 12:
		case 13:
		case 14:
			x->op = OP_FTRUNCATE;
			x->flen = sizes[diff_pick(&s, 12)];
			break;
		case 15:
		case 16:
		case 17:
			x->op = OP_FALLOCATE;
			x->flags = memfd ? memfd_modes[diff_pick(&s, 7)] :
					   file_modes[diff_pick(&s, 7)];
			x->off = offs[diff_pick(&s, 9)];
			x->flen = lens[diff_pick(&s, 9)];
			break;
		case 20:
		case 21:
			x->op = OP_PREAD;
			x->off = io_offs[diff_pick(&s, 10)];
			x->len = io_lens[diff_pick(&s, 10)];
			break;
		case 22:
		case 23:
			x->op = OP_PWRITE;
			x->off = io_offs[diff_pick(&s, 10)];
			x->len = io_lens[diff_pick(&s, 9)];
			break;
		default:
			x->op = OP_SEAL;
			x->flags = seals[diff_pick(&s, 9)];
			break;
		}
	}
}

static void test_random(void **state)
{
	struct mmk_machine *m = boot(state);
	void *calls = calloc(MAX_CALLS, sizeof(struct call));
	int s, bad = 0;

	assert_non_null(calls);
	use_regular = host_dir[0] != '\0';
	/* Every sequence runs, so one run shows every kind of difference. */
	for (s = 0; s < SEQS; s++) {
		char what[32];

		random_seq((uint64_t)s + 1, calls, MAX_CALLS);
		snprintf(what, sizeof what, "sequence %d", s + 1);
		if (!compare_ok(m, calls, MAX_CALLS, what))
			bad++;
	}
	free(calls);
	if (bad)
		fail_msg("%d of %d random sequences differ", bad, SEQS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_resize, mmk_test_teardown),
		cmocka_unit_test_teardown(test_regular, mmk_test_teardown),
		cmocka_unit_test_teardown(test_punch, mmk_test_teardown),
		cmocka_unit_test_teardown(test_seal_write, mmk_test_teardown),
		cmocka_unit_test_teardown(test_future_write, mmk_test_teardown),
		cmocka_unit_test_teardown(test_exec_seals, mmk_test_teardown),
		cmocka_unit_test_teardown(test_rw, mmk_test_teardown),
		cmocka_unit_test_teardown(test_rw_holes, mmk_test_teardown),
		cmocka_unit_test_teardown(test_rw_seals, mmk_test_teardown),
		cmocka_unit_test_teardown(test_rw_regular, mmk_test_teardown),
		cmocka_unit_test_teardown(test_rw_edges, mmk_test_teardown),
		cmocka_unit_test_teardown(test_allocate, mmk_test_teardown),
		cmocka_unit_test_teardown(test_partial_dirty,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_punch_first_page,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_huge_size, mmk_test_teardown),
		cmocka_unit_test_teardown(test_random, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
