# swapoff(2) (mm/swapfile.c try_to_unuse): every page swapped to the
# area comes back, a memfd's (shmem_unuse) and the processes' (unuse_mm)
# alike, before the area goes. Slots shared after fork are read once,
# into the swap cache, and mapped by both processes. What comes back is
# read (pswpin, pgpgin) but faults nothing (no pgfault, no pgmajfault),
# and is mapped old and read-only: the first write to a page mapped by
# one process reuses it, one shared after fork is copied.
boot mem=64M swap=4M seed=1
swapon /swap2 4M 10
spawn 1
mmap 1 0x10000000 256K rw private,anonymous,fixed
touch 1 0x10000000 256K write
write 1 0x10000000 0x1111
write 1 0x1003f000 0x2222
file m 256K memfd
mmap 1 0x20000000 256K rw shared,fixed m 0
touch 1 0x20000000 256K write
write 1 0x20000000 0x3333
write 1 0x2003f000 0x4444
madvise 1 0x10000000 256K pageout
madvise 1 0x20000000 256K pageout
fork 1 2
mmap 1 0x30000000 64K rw private,anonymous,fixed
touch 1 0x30000000 64K write
write 1 0x30000000 0x5555
madvise 1 0x30000000 64K pageout
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree SwapCached AnonPages Shmem
cat /proc/1/status VmSwap RssAnon RssShmem
cat /proc/2/status VmSwap RssAnon RssShmem
cat /proc/vmstat pswpin pswpout pgpgin pgfault pgmajfault
check
swapoff /swap2
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree SwapCached AnonPages Shmem
cat /proc/1/status VmSwap RssAnon RssShmem
cat /proc/2/status VmSwap RssAnon RssShmem
cat /proc/1/smaps Rss Referenced Anonymous Swap
cat /proc/vmstat pswpin pswpout pgpgin pgfault pgmajfault
check
read 1 0x10000000
read 2 0x10000000
read 1 0x1003f000
read 2 0x1003f000
read 1 0x30000000
cat /proc/vmstat pgfault pgmajfault
# The memfd's pages are in its cache again: a fault maps them, minor.
read 2 0x2003f000
mmap 2 0x20000000 256K rw shared,fixed m 0
read 2 0x20000000
read 2 0x2003f000
cat /proc/vmstat pgfault pgmajfault
# Writes: process 1's own page is reused, a shared one copied.
write 1 0x30000000 0x6666
write 2 0x10000000 0x7777
read 1 0x10000000
read 2 0x10000000
cat /proc/meminfo AnonPages
check
exit 2
exit 1
cat /proc/swaps
check
