# i386 has no mseal(2): the call fails with ENOSYS (as a 32-bit kernel's
# does), and the mapping stays unsealed: munmap still takes it.
boot arch=i386 seed=5
spawn 1
mmap 1 0x10000000 8K rw private,anonymous,fixed
mseal 1 0x10000000 8K
munmap 1 0x10000000 8K
cat /proc/1/maps
check
