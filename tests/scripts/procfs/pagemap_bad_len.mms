# pagemap reads at most 4096 pages at a time.
boot mem=64M
spawn 1
pagemap 1 0 16388K
