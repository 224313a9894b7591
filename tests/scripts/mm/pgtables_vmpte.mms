# Page tables and VmPTE as Linux 6.18 keeps them on x86_64. The kernel's
# changes of VmPTE for the same calls (measured on a 6.18 host with
# CONFIG_PT_RECLAIM=y, at 8 GiB in a process with nothing else in its
# first 512 GiB; brk where its heap shared no table) are in the comments;
# pgtables_vmpte.host.c makes the same calls on the host and prints them.
spawn 1
# brk: B = start_brk = 0x55ae69719000; 0x55ae69800000 is the first 2 MiB
# boundary above it. Grow by 4 MiB past it and touch the 4 MiB: a PUD,
# a PMD and two PTE tables (16; the kernel's +8 is the two PTE tables,
# its PUD and PMD already mapped the program itself).
brk 1 0x55ae69c00000
touch 1 0x55ae69800000 4M write
# Shrinking by 2 MiB frees the upper PTE table (-4), shrinking to one
# page past the boundary frees nothing (the page's table still maps it):
# 12 (the kernel's +4).
brk 1 0x55ae69a00000
brk 1 0x55ae69801000
cat /proc/1/status
# Down to start_brk: the heap VMA goes and every table with it (0; the
# kernel's +0 keeps the PUD and PMD of the program's own mappings).
brk 1 0x55ae69719000
# munmap of part of a 2 MiB region keeps its table; of all of it, or of
# everything in the 1 GiB, frees the tables in that span (12, 12, 0).
mmap 1 0x200000000 2M rw private,anonymous,fixed
touch 1 0x200000000 2M write
munmap 1 0x200000000 4K
munmap 1 0x200001000 0x1ff000
# MADV_DONTNEED (PT_RECLAIM): an aligned 2 MiB zap frees its PTE table,
# a 2 MiB - 4 KiB one does not (16, 16, 12).
mmap 1 0x200000000 4M rw private,anonymous,fixed
touch 1 0x200000000 4M write
madvise 1 0x200000000 0x1ff000 dontneed
madvise 1 0x200000000 2M dontneed
# mremap: a whole aligned PMD moves its table (12); an unaligned
# destination needs two (16); a source table that is empty still gets
# one at the destination.
mremap 1 0x200200000 2M 2M maymove,fixed 0x201000000
cat /proc/1/status
mremap 1 0x201000000 2M 2M maymove,fixed 0x202001000
cat /proc/1/status
# fork: the child gets the tables of the VMAs with an anon_vma, below
# every entry the parent has in their range (0x200000000's PUD and PMD,
# though its PTE table went with the DONTNEED), not those of a shared
# mapping: the parent has 20, the child 16.
mmap 1 0x204000000 4K rw shared,anonymous,fixed
touch 1 0x204000000 4K write
fork 1 2
cat /proc/2/status
# exit frees every table, the PGD too.
exit 2
exit 1
check
