boot mem=1K
