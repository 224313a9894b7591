alloc_pages a 0
boot mem=2G
