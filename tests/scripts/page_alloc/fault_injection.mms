# fail page_alloc: the 2nd and 3rd allocations fail, then probability 100.
boot mem=64M
fail page_alloc nth=2 times=2
alloc_pages a 0
alloc_pages b 0
alloc_pages c 0
alloc_pages d 0
fail page_alloc probability=100
alloc_pages e 3
alloc_pages f 3 GFP_KERNEL|__GFP_NOFAIL
fail page_alloc probability=100 min_order=1
alloc_pages g 0
fail page_alloc off
alloc_pages h 5
check
