# warn_alloc: a failed allocation without __GFP_NOWARN logs Linux's line
# (a mask of 0 is "0x0()", as the kernel's %#x prints it) and the memory
# picture; orders above MAX_PAGE_ORDER fail with one warning a boot
# (WARN_ON_ONCE_GFP), whatever the order.
boot arch=i386 mem=32M
alloc_pages f1 10 GFP_KERNEL|__GFP_NOWARN
alloc_pages f2 10 GFP_KERNEL|__GFP_NOWARN
alloc_pages f3 10 GFP_KERNEL|__GFP_NOWARN
alloc_pages f4 10 GFP_KERNEL|__GFP_NOWARN
alloc_pages x 10 0
alloc_pages y 65
alloc_pages z 64
alloc_pages w 11
dmesg
check
