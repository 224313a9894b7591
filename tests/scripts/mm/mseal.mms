# mseal(2) (Linux 6.10): sealed VMAs ("sl") refuse munmap, mmap over them,
# mprotect and mremap (EPERM); munmap and mprotect have done what comes
# before the seal. Discarding advice is refused on sealed memory the
# process may not write. mlock still works; fork passes the seal on.
boot seed=5
spawn 1
mmap 1 0x200000000 32K rw private,anonymous,fixed
mseal 1 0x200002000 12K
munmap 1 0x200001000 8K
mprotect 1 0x200000000 32K r
cat /proc/1/maps
mremap 1 0x200002000 4K 8K
mmap 1 0x200004000 4K rw private,anonymous,fixed
mmap 1 0x200010000 8K r private,anonymous,fixed
mseal 1 0x200010000 8K
madvise 1 0x200010000 8K dontneed
madvise 1 0x200002000 4K dontneed
mlock 1 0x200002000 12K
mseal 1 0x200000000 4K 1
mseal 1 0x200000000 80K
fork 1 2
munmap 2 0x200003000 4K
cat /proc/2/smaps
check
