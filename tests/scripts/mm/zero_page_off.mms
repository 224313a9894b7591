# boot zero_page=off: the kernel forbids the shared zero page
# (mm_forbids_zeropage), so a read fault on private anonymous memory gets
# a zeroed page of its own, and the VMA its anon_vma: A, only read, then
# merges with the hole's mapping but not with C, whose anon_vma differs.
# The same calls on a 6.18 kernel that forbids it print these maps.
boot zero_page=off
spawn 1
mmap 1 0x200000000 64K rw private,anonymous,fixed
touch 1 0x200000000 64K read
mmap 1 0x200020000 64K rw private,anonymous,fixed
touch 1 0x200020000 4K write
mmap 1 0x200010000 64K rw private,anonymous,fixed
mmap 1 0x300000000 16K r private,anonymous,fixed
touch 1 0x300000000 4K read
touch 1 0x300000000 4K write
cat /proc/1/maps
cat /proc/1/status VmRSS RssAnon
cat /proc/meminfo AnonPages
check
