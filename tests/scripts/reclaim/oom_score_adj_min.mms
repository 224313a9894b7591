# /proc/PID/oom_score_adj written by the process itself, as Linux's
# __set_oom_adj() allows it: without CAP_SYS_RESOURCE (an unprivileged
# process) not below oom_score_adj_min, EACCES; with it, any value, which
# becomes the floor. fork inherits both.
boot mem=32M seed=1
spawn 1 unprivileged
oom_score_adj 1 -500
oom_score_adj 1 -1000
cat /proc/1/oom_score_adj
oom_score_adj 1 500
oom_score_adj 1 100
oom_score_adj 1 0
oom_score_adj 1 -1
cat /proc/1/oom_score_adj
# A privileged process may set any value, and so may its forked child,
# which inherits the privilege.
spawn 2
oom_score_adj 2 -300
fork 2 3
cat /proc/3/oom_score_adj
oom_score_adj 3 -1000
cat /proc/3/oom_score_adj
oom_score_adj 3 1000
cat /proc/3/oom_score_adj
# An unprivileged child inherits its parent's value (200) and floor (0).
oom_score_adj 1 200
fork 1 4
oom_score_adj 4 -1
cat /proc/4/oom_score_adj
oom_score_adj 4 0
cat /proc/4/oom_score_adj
oom_score_adj 9 0
check
