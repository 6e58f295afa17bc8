/* Bucket i < 64 holds exactly the value i; above, a value keeps its top 7 bits, so each power of
 * two is split into 64 buckets. Quantiles walk the counts once. */
#include "stats.h"

#include <math.h>
#include <string.h>

static unsigned bucket_of(uint64_t v)
{
    if (v < TB_HIST_SUB)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - 6; /* keeps 7 bits: 64..127 */
    unsigned i = TB_HIST_SUB + shift * TB_HIST_SUB + (unsigned)((v >> shift) - TB_HIST_SUB);
    return i < TB_HIST_BUCKETS ? i : TB_HIST_BUCKETS - 1;
}

/* The bucket's lowest value and its width. */
static void bucket_range(unsigned i, double *low, double *width)
{
    if (i < TB_HIST_SUB) {
        *low = i;
        *width = 1;
        return;
    }
    unsigned shift = (i - TB_HIST_SUB) / TB_HIST_SUB;
    unsigned top = TB_HIST_SUB + (i - TB_HIST_SUB) % TB_HIST_SUB;
    *low = ldexp(top, (int)shift);
    *width = ldexp(1, (int)shift);
}

void tb_hist_reset(tb_hist *h)
{
    memset(h, 0, sizeof *h);
}

void tb_hist_add(tb_hist *h, uint64_t us)
{
    if (h->count == 0 || us < h->min_us)
        h->min_us = us;
    if (us > h->max_us)
        h->max_us = us;
    h->count++;
    h->sum_us += (double)us;
    h->buckets[bucket_of(us)]++;
}

void tb_hist_merge(tb_hist *into, const tb_hist *from)
{
    if (from->count == 0)
        return;
    if (into->count == 0 || from->min_us < into->min_us)
        into->min_us = from->min_us;
    if (from->max_us > into->max_us)
        into->max_us = from->max_us;
    into->count += from->count;
    into->sum_us += from->sum_us;
    for (unsigned i = 0; i < TB_HIST_BUCKETS; i++)
        into->buckets[i] += from->buckets[i];
}

double tb_hist_quantile(const tb_hist *h, double q)
{
    if (h->count == 0)
        return 0;
    if (q <= 0)
        return (double)h->min_us;
    if (q >= 1)
        return (double)h->max_us;
    uint64_t rank = (uint64_t)ceil(q * (double)h->count), seen = 0;
    if (rank == 0)
        rank = 1;
    for (unsigned i = 0; i < TB_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            double low, width;
            bucket_range(i, &low, &width);
            double mid = width == 1 ? low : low + width / 2;
            if (mid < (double)h->min_us)
                mid = (double)h->min_us;
            if (mid > (double)h->max_us)
                mid = (double)h->max_us;
            return mid;
        }
    }
    return (double)h->max_us;
}

double tb_hist_mean(const tb_hist *h)
{
    return h->count ? h->sum_us / (double)h->count : 0;
}
