#!/usr/bin/env bash
# cpurun.sh CMD...: runs CMD and prints the machine's busy CPU time it took, as jiffies/HZ (all
# processes: the test binary, Postgres, Redis), from /proc/stat, and the load average at the
# start. Divide by the operations the command reports for CPU per operation.
set -u
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
hz=$(getconf CLK_TCK)
read -r l1 _ < /proc/loadavg
b0=$(busy)
"$@"
b1=$(busy)
echo "CPU_SECONDS $(( (b1-b0) ))/$hz load1=$l1"
