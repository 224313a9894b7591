boot mem=64M
alloc_pages a
