# vmalloc areas: each is followed by a guard page; the page array of a
# large area is itself vmalloc'ed (vpages); vfree'd areas stay as
# "unpurged vm_area" until the lazy limit is reached.
boot mem=256M
vmalloc a 4K
vmalloc b 100000
vmalloc c 3M
cat /proc/vmallocinfo
vfree b
cat /proc/vmallocinfo
vfree a
vfree c
vmalloc d 16K
cat /proc/vmallocinfo
vmalloc zero 0
vmalloc huge 100G
check
