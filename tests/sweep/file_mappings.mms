# Sweep-only scenario (tests/fail_sweep_test.c): file-backed mappings,
# which no golden script faults in. Read faults fill the page cache, a
# private write copies the page, a shared write dirties the cached one, and
# a fork shares both; then everything is unmapped and the processes exit.
boot mem=128M cpus=2 seed=5
file data 64K
spawn 1
mmap 1 0x300000000 64K r shared data 0
touch 1 0x300000000 32K read
mmap 1 0x310000000 64K rw private data 0
touch 1 0x310000000 16K read
write 1 0x310002000 0x1234
mmap 1 0x320000000 64K rw shared data 0
write 1 0x320008000 0x5678
read 1 0x300008000
fork 1 2
touch 2 0x310000000 64K write
touch 2 0x320000000 64K read
munmap 1 0x300000000 64K
exit 2
cat /proc/meminfo
check
exit 1
check
