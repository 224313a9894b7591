boot mem=64M
free_pages nothere
