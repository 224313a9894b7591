# Swap areas on i386 (mm/swapfile.c, mm/pgtable.h): a swap entry keeps
# the area's type in bits 1-5 of the 32-bit PTE and the offset above bit
# 12. Clusters are 256 slots (no THP swap), so two areas of equal
# priority take turns every 256 slots. swapoff of each brings back the
# pages the two processes share after fork, value for value.
boot arch=i386 mem=1G seed=1
swapon /swap2 2M 1
swapon /swap3 2M 1
spawn 1
mmap 1 0x10000000 4M rw private,anonymous,fixed
touch 1 0x10000000 4M write
write 1 0x10000000 0x1111
write 1 0x100ff000 0x2222
write 1 0x101ff000 0x3333
write 1 0x102eb000 0x4444
# 750 pages: /swap2's first cluster (255 after the header), /swap3's,
# then 240 of /swap2's second.
madvise 1 0x10000000 3000K pageout
cat /proc/swaps
fork 1 2
cat /proc/meminfo SwapTotal SwapFree
swapoff /swap2
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree
cat /proc/1/status VmSwap
cat /proc/2/status VmSwap
cat /proc/vmstat pswpin
read 1 0x10000000
read 2 0x100ff000
read 1 0x101ff000
read 2 0x102eb000
check
swapoff /swap3
cat /proc/swaps
cat /proc/2/status VmSwap
read 2 0x101ff000
check
exit 2
exit 1
check
