# swapoff(2)'s and swapon(2)'s errors (mm/swapfile.c). swapoff of a path
# that is no swap area in use is EINVAL; swapon of one in use EBUSY; a
# size below mkswap's 40K, a priority above 32767, EINVAL; a 33rd area
# EPERM (MAX_SWAPFILES). Nothing changes on an error.
boot mem=64M swap=1M seed=1
swapoff /nothere
swapoff /swapfile2
swapon /swapfile 2M
swapon /small 36K
swapon /bad-prio 1M 32768
cat /proc/swaps
swapon /s1 40K
swapon /s2 40K
swapon /s3 40K
swapon /s4 40K
swapon /s5 40K
swapon /s6 40K
swapon /s7 40K
swapon /s8 40K
swapon /s9 40K
swapon /s10 40K
swapon /s11 40K
swapon /s12 40K
swapon /s13 40K
swapon /s14 40K
swapon /s15 40K
swapon /s16 40K
swapon /s17 40K
swapon /s18 40K
swapon /s19 40K
swapon /s20 40K
swapon /s21 40K
swapon /s22 40K
swapon /s23 40K
swapon /s24 40K
swapon /s25 40K
swapon /s26 40K
swapon /s27 40K
swapon /s28 40K
swapon /s29 40K
swapon /s30 40K
swapon /s31 40K 7
swapon /s32 40K
cat /proc/meminfo SwapTotal SwapFree
# Areas removed free their types, and the default priorities below each
# one removed move up: /s18 .. /s30 by two, /s31 keeps its 7; /s32
# takes the lowest free type (16) and the next default priority (-31).
swapoff /s16
swapoff /s17
swapon /s32 40K
cat /proc/swaps
check
# swapoff twice: the second finds no area.
swapoff /s32
swapoff /s32
check
