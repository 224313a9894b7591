# A memfd (memfd_create + ftruncate): a named shmem file. Mappings of it
# merge when their offsets continue each other, its pages count as shmem,
# a private write copies the page, and past its end is SIGBUS.
boot seed=4
file buf 24K memfd
spawn 1
mmap 1 0x200000000 8K rw shared,fixed buf 0
mmap 1 0x200002000 8K rw shared,fixed buf 0x2000
mmap 1 0x200010000 16K rw private,fixed buf 0x2000
write 1 0x200002000 0x11
read 1 0x200010000
write 1 0x200010000 0x22
read 1 0x200002000
mmap 1 0x200020000 8K r shared,fixed buf 0x5000
touch 1 0x200020000 8K read
cat /proc/1/maps
cat /proc/1/status
check
