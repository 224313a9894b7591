# A read-only file of /sys/kernel/mm/ksm written is a script error.
boot mem=64M
ksm pages_to_scan
ksm pages_shared=1
cat /sys/kernel/mm/ksm/pages_shared
