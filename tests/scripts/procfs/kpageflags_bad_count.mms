# kpageflags reads 1 to 64 frames at a time.
boot mem=64M
kpageflags 0 64
kpageflags 0 65
