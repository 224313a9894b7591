# i386: VMALLOC_START is high_memory + 8 MiB, so with 256M of RAM (all of
# it lowmem, high_memory 0xd0000000) the range starts at 0xd0800000 and
# runs to PKMAP_BASE - 2 pages (0xfe3fe000): 731 MiB, where 1G of RAM
# (896M lowmem) leaves 92 MiB. A 200M vmalloc fits here.
boot arch=i386 mem=256M
cat /proc/meminfo VmallocTotal
vmalloc v 200M
cat /proc/vmallocinfo
vfree v
check
