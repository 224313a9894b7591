# /proc/PID/pagemap, /proc/kpageflags and /proc/kpagecount (binary files,
# read here through the `pagemap` and `kpageflags` commands). The pagemap
# bits match what Linux 6.18 gives for the same calls (tests/
# pagemap_diff_test.c runs them on the host kernel); swap entries name the
# area's type and the slot.
boot mem=64M swap=16M
spawn 1
mmap 1 0x10000000 64K rw private,anonymous,fixed
# A read maps the zero page (not exclusive, no struct page flags but
# zero_page and reserved); a write, an exclusive anonymous page.
read 1 0x10000000
touch 1 0x10001000 8K write
madvise 1 0x10003000 4K guard_install
mprotect 1 0x10002000 4K none
pagemap 1 0x10000000 20K
kpageflags 0x1808
kpageflags 0x1c00
# After fork both processes map the written page: count 2, not exclusive.
fork 1 2
pagemap 2 0x10001000 4K
kpageflags 0x1c00
# The child's write copies it: each is exclusive again.
touch 2 0x10001000 4K write
pagemap 1 0x10001000 4K
pagemap 2 0x10001000 4K
exit 2
# Paged out to swap: the entry names swap type 0 and its slot; the page
# is gone.
madvise 1 0x10001000 4K pageout
pagemap 1 0x10001000 4K
# Swapped back in by a read: present again, from the swap cache.
read 1 0x10001000
pagemap 1 0x10001000 4K
# Locked memory, a shared anonymous mapping (shmem: "file").
mmap 1 0x20000000 8K rw shared,anonymous,fixed
touch 1 0x20000000 4K write
mlock 1 0x10004000 4K
pagemap 1 0x20000000 4K
pagemap 1 0x10004000 4K
kpageflags 0x1c02
kpageflags 0x1c03
# Kernel pages: page tables, an order-3 slab (compound), a compound
# allocation (alloc_pages gives its pfn, 0x1828), a kmalloc's slab, pages
# on a per-CPU list (no flags: not in the buddy lists), free memory,
# reserved memory (the first page, the VGA hole, the kernel image).
kpageflags 0x180a
kpageflags 0x1810 3
alloc_pages a 2 GFP_KERNEL|__GFP_COMP
kpageflags 0x1828 4
kmalloc k 64
kpageflags 0x181c 2
kpageflags 0 1
kpageflags 0xa0 1
kpageflags 0x1000 1
kpageflags 0x3000 2
# Out of range: nothing after the end of memory (64M rounds up to a 128M
# section: 32768 frames); pagemap of no such process; no unaligned read.
kpageflags 0x7fff
kpageflags 0x8000
pagemap 3 0x10000000 4K
cat /proc/kpageflags
cat /proc/1/pagemap
check
