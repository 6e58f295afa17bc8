/* What tern-bench reads of a process from /proc: resident memory and CPU time, for the server
 * under test and for itself (to show which side is the bottleneck). */
#pragma once
#include <stdint.h>

/* VmRSS in KiB, or -1 when the process cannot be read. pid 0 = this process. */
int64_t tb_proc_rss_kib(int pid);
/* user + system CPU seconds consumed so far, or -1. pid 0 = this process. */
double tb_proc_cpu_s(int pid);
