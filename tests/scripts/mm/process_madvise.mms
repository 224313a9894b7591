# process_madvise(2) (mm/madvise.c): a process advises its own memory with
# any advice, range after range up to the first error, and gets the bytes
# of the ranges done (or that first error); another process's memory
# takes only cold, pageout, willneed and collapse, and only from a caller
# with CAP_SYS_NICE of the same user or root. Each result is what Linux
# 6.18 gives for the same calls (a C program on this machine's kernel,
# the unprivileged caller as user nobody), but the same-user EPERM, which
# follows the kernel's code (a setuid test program is not dumpable).
boot mem=64M
spawn 1
mmap 1 0x300000000000 64K rw private,anonymous,fixed
touch 1 0x300000000000 64K write
process_madvise 1 1 dontneed 0x300000000000 8K 0x300000004000 4K
process_madvise 1 1 dontneed 0x300000000000 8K 0x300000002001 4K
process_madvise 1 1 dontneed 0x300000002001 4K 0x300000004000 4K
munmap 1 0x300000006000 4K
process_madvise 1 1 dontneed 0x300000000000 4K 0x300000005000 12K 0x300000000000 4K
process_madvise 1 1 dontneed
process_madvise 1 1 dontneed 0x300000000000 0
process_madvise 1 1 guard_install 0x30000000a000 4K
process_madvise 1 1 cold 0x300000000000 0xffffffffffffffff
pagemap 1 0x300000000000 12K
fork 1 2
process_madvise 1 2 cold 0x300000000000 8K
process_madvise 1 2 dontneed 0x300000000000 8K
process_madvise 1 2 pageout 0x300000005000 12K
process_madvise 1 2 willneed 0x300000000000 8K
process_madvise 1 2 collapse 0x300000000000 8K
spawn 3 unprivileged
spawn 4 unprivileged
mmap 3 0x300000000000 8K rw private,anonymous,fixed
touch 3 0x300000000000 8K write
process_madvise 3 2 cold 0x300000000000 8K
process_madvise 3 2 dontneed 0x300000000000 8K
process_madvise 3 3 dontneed 0x300000000000 8K
process_madvise 3 4 cold 0x300000000000 8K
process_madvise 3 4 dontneed 0x300000000000 8K
exit 2
process_madvise 1 2 cold 0x300000000000 8K
process_madvise 9 1 cold 0x300000000000 8K
check
