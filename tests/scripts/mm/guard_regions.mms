# Guard regions (MADV_GUARD_INSTALL, Linux 6.13): the pages of the range
# are zapped and every access is SIGSEGV; the VMA gets 6.18's sticky "gu"
# flag without a split; GUARD_REMOVE clears the markers, not the flag;
# a locked VMA refuses the install. MADV_PAGEOUT without swap unmaps shmem
# pages, which stay cached.
boot seed=3
spawn 1
mmap 1 0x200000000 16K rw private,anonymous,fixed
touch 1 0x200000000 16K write
madvise 1 0x200001000 4K guard_install
touch 1 0x200000000 16K read
read 1 0x200001000
cat /proc/1/smaps
madvise 1 0x200000000 16K guard_remove
read 1 0x200001000
mlock 1 0x200000000 16K
madvise 1 0x200000000 4K guard_install
mmap 1 0x200010000 8K rw shared,anonymous,fixed
write 1 0x200011000 0x2a
madvise 1 0x200010000 8K pageout
cat /proc/1/status
read 1 0x200011000
check
