boot mem=64M
alloc_pages a 0
alloc_pages a 1
