# A value that is no number is a script error (Linux's kstrtoul refuses
# it with EINVAL; the script cannot even say it).
boot mem=64M
ksm run=1
ksm pages_to_scan=many
