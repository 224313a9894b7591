# i386 without PAE: pageblocks of 1024 pages (order 10, 4 MiB pages).
boot arch=i386 mem=1G
cat /proc/pagetypeinfo
alloc_pages h 0 GFP_HIGHUSER_MOVABLE
alloc_pages k 0 GFP_KERNEL
cat /proc/pagetypeinfo
check
