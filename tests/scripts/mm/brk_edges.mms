# brk at the edges Linux 6.18's sys_brk() draws (checked against the host
# kernel): B = start_brk, 0x55ae69719000 on the default machine.
spawn 1
# Shrinking when no VMA lies between the new and the old break: refused,
# the break stays (vma_find() finds nothing to unmap).
brk 1 0x55ae6971b000
munmap 1 0x55ae69719000 0x2000
brk 1 0x55ae6971a000
brk 1 0
# Growing right after a VMA that starts below start_brk: that VMA expands
# (vma_prev_limit() takes any VMA ending above start_brk). Process 2's
# start_brk is 0x56153c6c5000.
spawn 2
brk 2 0x56153c6c6000
munmap 2 0x56153c6c5000 0x1000
mmap 2 0x56153c6c4000 0x2000 rw private,anonymous,fixed
brk 2 0x56153c6c7000
cat /proc/2/maps
check
