# Error results of the mmap family, as Linux returns them.
boot seed=3
spawn 1
spawn 1
spawn 2 unprivileged
file ro_file 64K ro
# mmap: zero length, neither private nor shared, both (MAP_SHARED_VALIDATE
# is invalid for anonymous memory), unaligned fixed address, no file.
mmap 1 0x200000000 0 rw private,anonymous,fixed
mmap 1 0x200000000 4K rw anonymous,fixed
mmap 1 0x200000000 4K rw private,shared,anonymous,fixed
mmap 1 0x200000001 4K rw private,anonymous,fixed
mmap 1 0x200000000 4K rw private,fixed
# A shared writable mapping of a read-only file; a private one is fine.
mmap 1 0x300000000 4K rw shared,fixed ro_file 0
mmap 1 0x300000000 4K rw private,fixed ro_file 0
mmap 1 0x300000000 4K rw private,fixed_noreplace ro_file 0
# Below mmap_min_addr only a privileged process may map.
mmap 1 0x1000 4K rw private,anonymous,fixed
mmap 2 0x1000 4K rw private,anonymous,fixed
# munmap and mprotect: unaligned, zero length, holes.
munmap 1 0x200000001 4K
munmap 1 0x200000000 0
munmap 1 0x700000000 4K
mprotect 1 0x700000000 4K r
mprotect 1 0x300000000 8K r
mprotect 1 0x300000001 0 r
# mlock: an unprivileged process within and beyond RLIMIT_MEMLOCK.
mmap 2 0x200000000 16M rw private,anonymous,fixed
mlock 2 0x200000000 4M
mlock 2 0x200000000 12M
setrlimit 2 memlock 0
mlock 2 0x200000000 4K
mlockall 1 onfault
# madvise: a locked VMA refuses dontneed; holes are ENOMEM.
madvise 2 0x200000000 4K dontneed
madvise 2 0x1fffff000 8K normal
madvise 1 0x300000001 4K normal
# A process that does not exist; a pid past any (2^32 + 1 named process
# 1, wrapped through an int).
munmap 7 0x200000000 4K
cat /proc/7/maps
cat /proc/4294967297/status
cat /proc/99999999999999999999999/maps
# A file size beyond loff_t's is ftruncate's negative length (it used to
# wrap to an empty file); one too large for memory is ENOMEM.
file huge1 0xfffffffffffff001
file huge2 0x8000000000000000 memfd
file huge3 0x7fffffffffffffff
check
