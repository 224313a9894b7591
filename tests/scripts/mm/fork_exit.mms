# fork copies the address space (dup_mmap): VM_DONTCOPY VMAs stay behind,
# VM_LOCKED is not inherited; exit returns everything.
boot seed=2
spawn 1
mmap 1 0x200000000 16K rw private,anonymous,fixed
madvise 1 0x200002000 8K dontfork
mlock 1 0x200000000 4K
mmap 1 0x200010000 8K r shared,anonymous,fixed
cat /proc/1/maps
fork 1 2
cat /proc/2/maps
fork 1 2
fork 9 3
exit 1
cat /proc/1/maps
exit 1
mmap 1 0x200000000 4K rw private,anonymous,fixed
munmap 2 0x200000000 4K
cat /proc/2/maps
exit 2
check
