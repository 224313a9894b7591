# i386: highmem pages get a pkmap slot when kmapped; lowmem pages are
# already mapped (their page_address); vmalloc uses the i386 range.
boot arch=i386 mem=1G
alloc_pages h1 0 GFP_HIGHUSER
alloc_pages h2 0 GFP_HIGHUSER
alloc_pages low 0 GFP_KERNEL
kmap h1
kmap h2
kmap h1
kmap low
kunmap h1
kunmap h1
kunmap h1
kunmap h2
kunmap low
vmalloc v 64K
vmalloc toobig 200M
cat /proc/vmallocinfo
cat /proc/meminfo
free_pages h1
free_pages h2
free_pages low
vfree v
check
