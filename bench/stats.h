/* tern-bench's latency histogram: log-linear buckets of microseconds (about 1.6% wide, from 1 us
 * to hours), fixed size so that it merges and travels between processes by plain copy. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define TB_HIST_SUB     64 /* sub-buckets per power of two: the precision */
#define TB_HIST_BUCKETS (TB_HIST_SUB + 36 * TB_HIST_SUB)

typedef struct tb_hist {
    uint64_t count;
    uint64_t min_us, max_us; /* exact */
    double sum_us;
    uint64_t buckets[TB_HIST_BUCKETS];
} tb_hist;

void tb_hist_reset(tb_hist *h);
void tb_hist_add(tb_hist *h, uint64_t us);
void tb_hist_merge(tb_hist *into, const tb_hist *from);
/* The value at quantile q (0..1) in microseconds: the middle of the bucket holding the
 * ceil(q * count)-th smallest sample, clamped to [min, max]; 0 for an empty histogram. */
double tb_hist_quantile(const tb_hist *h, double q);
double tb_hist_mean(const tb_hist *h);
