# memfd_create(2), ftruncate(2), fallocate(2) and file seals, with the
# results Linux 6.18 gives for the same calls (checked on a host).
boot seed=4
spawn 1
# Grow and shrink: a memfd keeps what a mapping wrote past its end; the
# new last page's tail is zeroed on shrink; past the end is SIGBUS.
memfd m allow_sealing
seals m
ftruncate m 100
mmap 1 0x200000000 4K rw shared,fixed m 0
write 1 0x2000000c8 7
ftruncate m 4096
read 1 0x2000000c8
ftruncate m 150
read 1 0x2000000c8
ftruncate m 0
touch 1 0x200000000 4K read
ftruncate m 8K
touch 1 0x200000000 4K write
# A private copy past the new end goes too.
mmap 1 0x200100000 8K rw private,fixed m 0
write 1 0x20010100a 9
ftruncate m 4K
mincore 1 0x200100000 8K
touch 1 0x200101000 4K read
munmap 1 0x200100000 8K
munmap 1 0x200000000 4K
# A regular file's last page is zeroed past the old end when it grows.
file f 100
mmap 1 0x200200000 4K rw shared,fixed f 0
write 1 0x2002000c8 7
ftruncate f 4096
read 1 0x2002000c8
munmap 1 0x200200000 4K
# Hole punch: partial pages zeroed, whole ones freed.
ftruncate m 8K
mmap 1 0x200300000 8K rw shared,fixed m 0
write 1 0x200300058 0x0101010101010101
write 1 0x200300060 0x0101010101010101
write 1 0x200301000 0x0101010101010101
write 1 0x200301400 0x0101010101010101
write 1 0x2003013f8 0x0101010101010101
fallocate m punch_hole,keep_size 100 5000
read 1 0x200300058
read 1 0x200300060
read 1 0x200301000
read 1 0x2003013f8
read 1 0x200301400
fallocate m punch_hole 0 4096
cat /proc/1/smaps
# F_SEAL_WRITE: busy while a shared mapping may write, even read-only.
munmap 1 0x200300000 8K
mmap 1 0x200300000 8K r shared,fixed m 0
seal m write
munmap 1 0x200300000 8K
seal m write
seals m
mmap 1 0x200300000 8K rw shared,fixed m 0
mmap 1 0x200300000 8K r shared,fixed m 0
mprotect 1 0x200300000 8K rw
mmap 1 0x200400000 8K rw private,fixed m 0
mmap 1 0x200500000 8K r private,fixed m 0
mprotect 1 0x200500000 8K rw
fallocate m punch_hole,keep_size 0 4096
madvise 1 0x200300000 4K remove
# F_SEAL_GROW refuses fallocate past the end, KEEP_SIZE or not.
seal m grow
fallocate m keep_size 8K 4K
fallocate m none 0 4K
ftruncate m 12K
seal m shrink,seal
ftruncate m 4K
seal m exec
seals m
# F_SEAL_FUTURE_WRITE keeps existing writable mappings.
memfd w allow_sealing
ftruncate w 8K
mmap 1 0x200600000 4K rw shared,fixed w 0
seal w future_write
mprotect 1 0x200600000 4K r
mprotect 1 0x200600000 4K rw
mmap 1 0x200700000 4K rw shared,fixed w 0
# F_SEAL_EXEC on an executable memfd implies the write seals.
memfd e allow_sealing,exec
ftruncate e 4K
mmap 1 0x200800000 4K rw shared,fixed e 0
seal e exec
munmap 1 0x200800000 4K
seal e exec
seals e
memfd n noexec_seal
seals n
memfd d
seals d
seal d grow
memfd x exec,noexec_seal
memfd h hugetlb
seals f
# fallocate allocates a memfd's pages (Shmem), past the end with KEEP_SIZE.
memfd a
fallocate a none 0 16K
fallocate a keep_size 16K 8K
fallocate a none 0 0
fallocate a punch_hole 0 0
fallocate a collapse_range 0 4K
fallocate f zero_range 0 8K
cat /proc/meminfo
ftruncate a 0
file ro 4K ro
ftruncate ro 0
fallocate ro none 0 4K
seal ro write
check
