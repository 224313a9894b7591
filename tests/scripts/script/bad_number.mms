boot mem=64M
alloc_pages a 0x1z
