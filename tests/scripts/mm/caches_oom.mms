# The first spawn makes the processes' caches and the zero page. With
# memory short enough that the zero page's allocation reaches the OOM
# killer (no process to kill: ENOMEM), which takes the pid table's lock,
# they are made under a lock of their own (under that one, spawn hung).
# The next spawn, with memory, makes what the first could not.
boot mem=32M pcp=off
alloc_pages p10_0 10 GFP_KERNEL|__GFP_NORETRY
alloc_pages p10_1 10 GFP_KERNEL|__GFP_NORETRY
alloc_pages p10_2 10 GFP_KERNEL|__GFP_NORETRY
alloc_pages p9_0 9 GFP_KERNEL|__GFP_NORETRY
alloc_pages p9_1 9 GFP_KERNEL|__GFP_NORETRY
alloc_pages p8_0 8 GFP_KERNEL|__GFP_NORETRY
alloc_pages p8_1 8 GFP_KERNEL|__GFP_NORETRY
alloc_pages p7_0 7 GFP_KERNEL|__GFP_NORETRY
alloc_pages p7_1 7 GFP_KERNEL|__GFP_NORETRY
alloc_pages p7_2 7 GFP_KERNEL|__GFP_NORETRY
alloc_pages p6_0 6 GFP_KERNEL|__GFP_NORETRY
alloc_pages p6_1 6 GFP_KERNEL|__GFP_NORETRY
alloc_pages p5_0 5 GFP_KERNEL|__GFP_NORETRY
alloc_pages p5_1 5 GFP_KERNEL|__GFP_NORETRY
alloc_pages p4_0 4 GFP_KERNEL|__GFP_NORETRY
alloc_pages p3_0 3 GFP_KERNEL|__GFP_NORETRY
alloc_pages p2_0 2 GFP_KERNEL|__GFP_NORETRY
alloc_pages p1_0 1 GFP_KERNEL|__GFP_NORETRY
alloc_pages p0_0 0 GFP_KERNEL|__GFP_NORETRY
alloc_pages p0_1 0 GFP_KERNEL|__GFP_NORETRY
free_pages p1_0
spawn 1
free_pages p5_0
free_pages p6_0
spawn 1
mmap 1 0x200000000 4K r private,anonymous,fixed
read 1 0x200000000
check
