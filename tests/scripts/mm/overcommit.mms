# Overcommit (mm/util.c __vm_enough_memory): every private writable or
# shared mapping is charged to Committed_AS. The default heuristic (0)
# refuses only a charge larger than RAM and swap; 1 refuses nothing; 2
# (strict) refuses once Committed_AS would reach CommitLimit (swap plus
# vm.overcommit_ratio percent of RAM, or vm.overcommit_kbytes) less the
# reserves: vm.admin_reserve_kbytes (8 MiB here) for an unprivileged
# process, and the smaller of vm.user_reserve_kbytes and a 32nd of the
# process's size. Refusals are ENOMEM and logged, and MAP_NORESERVE only
# counts while overcommit is not strict.
boot
spawn 1
spawn 2 unprivileged
cat /proc/meminfo CommitLimit Committed_AS
mmap 1 0x100000000000 2T rw private,anonymous,fixed
mmap 1 0x100000000000 2T rw private,anonymous,fixed,noreserve
mmap 1 0x100000000000 2T r private,anonymous,fixed
munmap 1 0x100000000000 2T
cat /proc/meminfo Committed_AS
# A shrinking move gives the dropped part back (Linux 6.18 would keep
# it charged: see mm/mremap.c).
mmap 1 0x10000000 8M rw private,anonymous,fixed
mremap 1 0x10000000 8M 4K maymove,fixed 0x20000000
cat /proc/meminfo Committed_AS
munmap 1 0x20000000 4K
cat /proc/meminfo Committed_AS
sysctl vm.overcommit_memory=1
mmap 1 0x100000000000 2T rw private,anonymous,fixed
cat /proc/meminfo Committed_AS
munmap 1 0x100000000000 2T
sysctl vm.overcommit_memory=2
# CommitLimit 511444 kB: 127861 pages. Process 1 may take 127860.
mmap 1 0x10000000 523718656 rw private,anonymous,fixed
mmap 1 0x10000000 523714560 rw private,anonymous,fixed
cat /proc/meminfo Committed_AS
# Now a 32nd of its 127860 pages (3995) comes off for any more.
mmap 1 0x50000000 4K r private,anonymous,fixed
mprotect 1 0x50000000 4K rw
munmap 1 0x10000000 523714560
# Process 2 loses the admin reserve too (2048 pages): 125812 at most.
mmap 2 0x10000000 515330048 rw private,anonymous,fixed
mmap 2 0x10000000 515325952 rw private,anonymous,fixed
munmap 2 0x10000000 515325952
cat /proc/meminfo Committed_AS
mmap 2 0x10000000 8M rw private,anonymous,fixed,noreserve
cat /proc/meminfo Committed_AS
mmap 2 0x20000000 8M rw shared,anonymous,fixed,noreserve
cat /proc/meminfo Committed_AS
mmap 2 0x30000000 8M r private,anonymous,fixed
cat /proc/meminfo Committed_AS
sysctl vm.admin_reserve_kbytes=0
sysctl vm.overcommit_kbytes=65536
cat /proc/meminfo CommitLimit
mmap 2 0x40000000 40M rw private,anonymous,fixed
mmap 2 0x40000000 48M rw private,anonymous,fixed
sysctl vm.overcommit_ratio=100
cat /proc/meminfo CommitLimit
mmap 2 0x40000000 48M rw private,anonymous,fixed
cat /proc/2/status VmSize
sysctl vm.overcommit_memory=0
# shmem: a shared anonymous mapping is charged whole when it is made
# and given back when it goes; a memfd (or MAP_NORESERVE) object page by
# page as its pages are allocated, as on Linux (this host's 6.18 kernel:
# +256 MiB for a 256 MiB memfd touched, +0 while untouched).
mmap 2 0x60000000 1M rw shared,anonymous,fixed
cat /proc/meminfo Committed_AS
munmap 2 0x60000000 1M
file m 1M memfd
mmap 2 0x60000000 1M rw shared,fixed m 0
cat /proc/meminfo Committed_AS
touch 2 0x60000000 64K write
madvise 2 0x60000000 16K remove
cat /proc/meminfo Committed_AS
munmap 2 0x60000000 1M
# Strict again, 3 pages short of the limit for process 2 (a 32nd of its
# 18448 pages, 576, comes off): a memfd page beyond it is SIGBUS
# (shmem_acct_blocks: ENOSPC). Pages 4-15 are still allocated.
sysctl vm.overcommit_memory=2
sysctl vm.overcommit_kbytes=67900
mmap 2 0x50000000 64K rw shared,fixed m 0
touch 2 0x50000000 64K write
cat /proc/meminfo Committed_AS
dmesg
check
