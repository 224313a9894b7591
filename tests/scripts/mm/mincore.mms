# mincore (mm/mincore.c): a digit per page, 1 for a page in memory. Each
# result is what Linux 6.18 gives for the same calls (a C program on this
# machine's kernel; the read-only file as user nobody).
boot mem=64M
spawn 1
mmap 1 0x10000000 64K rw private,anonymous,fixed
touch 1 0x10000000 16K write
mincore 1 0x10000000 64K
mincore 1 0x10000001 4K
mincore 1 0x10000000 0
mincore 1 0x10000000 68K
mincore 1 0x7ffffffff000 8K
# The zero page, a PROT_NONE page and guard markers: mapped is resident,
# a marker is not (no cache behind anonymous memory).
read 1 0x10005000
mincore 1 0x10000000 64K
mprotect 1 0x10000000 4K none
mincore 1 0x10000000 64K
madvise 1 0x10001000 4K guard_install
mincore 1 0x10000000 64K
madvise 1 0x10002000 4K dontneed
mincore 1 0x10000000 64K
# A file's pages: unmapped, the page cache tells.
file f 64K
mmap 1 0x20000000 64K r shared,fixed f 0
mincore 1 0x20000000 64K
fadvise f 0 16K willneed
mincore 1 0x20000000 64K
read 1 0x20000000
mincore 1 0x20000000 64K
mmap 1 0x30000000 64K rw private,fixed f 0
write 1 0x30001000 1
madvise 1 0x30000000 64K guard_install
mincore 1 0x30000000 64K
# A read-only file mapped by an unprivileged process: every page
# reported resident.
spawn 2 unprivileged
file g 16K ro
mmap 2 0x10000000 16K r shared,fixed g 0
mincore 2 0x10000000 16K
mincore 3 0x10000000 16K
check
