# A name that is no file of /sys/kernel/mm/ksm is a script error.
boot mem=64M
ksm_scan
ksm no_such_knob=1
