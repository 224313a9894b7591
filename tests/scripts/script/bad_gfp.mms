boot mem=64M
alloc_pages a 0 GFP_BOGUS
