# Merging and splitting of VMAs as Linux 6.18 decides them
# (shared/LINUX-VMA-RULES.md); each maps text was checked on a real kernel.
boot seed=1
spawn 1
# Adjacent private anonymous mappings with equal flags merge into one VMA;
# a read-only neighbour stays apart.
mmap 1 0x200000000 16K rw private,anonymous,fixed
mmap 1 0x200004000 16K rw private,anonymous,fixed
mmap 1 0x200008000 8K r private,anonymous,fixed
cat /proc/1/maps
# mprotect of the middle splits the VMA in three; undoing it merges back.
mprotect 1 0x200002000 8K r
cat /proc/1/maps
mprotect 1 0x200002000 8K rw
cat /proc/1/maps
# A hole punched by munmap, refilled by mmap: one VMA again.
munmap 1 0x200001000 4K
cat /proc/1/maps
mmap 1 0x200001000 4K rw private,anonymous,fixed
cat /proc/1/maps
# Each shared anonymous mapping is its own shmem object: no merging.
mmap 1 0x200010000 8K rw shared,anonymous,fixed
mmap 1 0x200012000 8K rw shared,anonymous,fixed
cat /proc/1/maps
# mlock splits off the locked part and counts it in VmLck; munlock merges.
mlock 1 0x200000000 4K
cat /proc/1/maps
munlock 1 0x200000000 4K
cat /proc/1/maps
# Written (populated) memory has an anon_vma: two VMAs written separately
# never merge, even with equal flags.
mmap 1 0x200020000 8K rw private,anonymous,fixed,populate
mmap 1 0x200024000 8K rw private,anonymous,fixed,populate
mmap 1 0x200022000 8K rw private,anonymous,fixed
cat /proc/1/maps
cat /proc/1/smaps
check
