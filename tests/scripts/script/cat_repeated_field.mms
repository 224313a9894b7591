# A field named twice prints its line once and is found (it was a script
# error: only the first of the two was marked found).
boot
cat /proc/meminfo MemFree MemTotal MemFree
