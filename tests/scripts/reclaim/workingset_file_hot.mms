# A small hot file evicted by brief pressure, then read again: its
# refault distance (the evictions after it) is within the workingset a
# file page may claim (active file, and with free swap all anon pages),
# so its pages come back active (workingset_activate_file).
boot mem=64M swap=32M
spawn 1
mmap 1 0x10000000 16M rw private,anonymous,fixed
touch 1 0x10000000 16M write
file hot 1M
mmap 1 0x20000000 1M r shared,fixed hot 0
touch 1 0x20000000 1M read
munmap 1 0x20000000 1M
file stream 44M
mmap 1 0x30000000 44M r shared,fixed stream 0
touch 1 0x30000000 44M read
munmap 1 0x30000000 44M
cat /proc/meminfo MemFree Active(anon) Inactive(anon) Active(file) Inactive(file)
cat /proc/vmstat pgsteal_kswapd pgsteal_direct pswpout workingset_refault_file workingset_activate_file
mmap 1 0x20000000 1M r shared,fixed hot 0
touch 1 0x20000000 1M read
cat /proc/meminfo Active(file) Inactive(file)
cat /proc/vmstat workingset_refault_file workingset_activate_file workingset_restore_file pgactivate
check
exit 1
check
