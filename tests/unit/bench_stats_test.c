/* Unit tests for tern-bench's latency histogram: exact small values, quantiles within the
 * buckets' 1.6% precision, exact min and max, merging, and an empty histogram. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "stats.h"

static tb_hist *hist_new(void)
{
    tb_hist *h = malloc(sizeof *h);
    tb_hist_reset(h);
    return h;
}

static void assert_near(double got, double want, double rel)
{
    if (fabs(got - want) > want * rel + 1e-9)
        fail_msg("got %.3f, want %.3f (within %.1f%%)", got, want, rel * 100);
}

static void test_empty(void **state)
{
    (void)state;
    tb_hist *h = hist_new();
    assert_true(tb_hist_quantile(h, 0.5) == 0);
    assert_true(tb_hist_quantile(h, 0.99) == 0);
    assert_true(tb_hist_mean(h) == 0);
    free(h);
}

static void test_small_values_exact(void **state)
{
    (void)state;
    tb_hist *h = hist_new();
    for (uint64_t v = 1; v <= 10; v++)
        tb_hist_add(h, v);
    assert_true(tb_hist_quantile(h, 0.5) == 5);
    assert_true(tb_hist_quantile(h, 0.9) == 9);
    assert_true(tb_hist_quantile(h, 1.0) == 10);
    assert_true(tb_hist_quantile(h, 0.0) == 1);
    assert_near(tb_hist_mean(h), 5.5, 0);
    free(h);
}

/* 1..100000 us uniformly: the q-quantile is q * 100000 */
static void test_uniform_quantiles(void **state)
{
    (void)state;
    tb_hist *h = hist_new();
    for (uint64_t v = 1; v <= 100000; v++)
        tb_hist_add(h, v);
    assert_near(tb_hist_quantile(h, 0.5), 50000, 0.016);
    assert_near(tb_hist_quantile(h, 0.9), 90000, 0.016);
    assert_near(tb_hist_quantile(h, 0.99), 99000, 0.016);
    assert_true(tb_hist_quantile(h, 1.0) == 100000);
    assert_int_equal(h->min_us, 1);
    assert_int_equal(h->max_us, 100000);
    free(h);
}

/* One slow outlier among fast samples shows at the max and beyond p99, not below. */
static void test_outlier(void **state)
{
    (void)state;
    tb_hist *h = hist_new();
    for (int i = 0; i < 999; i++)
        tb_hist_add(h, 800);
    tb_hist_add(h, 250000);
    assert_near(tb_hist_quantile(h, 0.99), 800, 0.016);
    assert_near(tb_hist_quantile(h, 0.999), 800, 0.016);
    assert_true(tb_hist_quantile(h, 1.0) == 250000);
    assert_true(h->max_us == 250000);
    free(h);
}

static void test_huge_values_clamp(void **state)
{
    (void)state;
    tb_hist *h = hist_new();
    tb_hist_add(h, UINT64_MAX / 2); /* past the last bucket: counted, max exact */
    tb_hist_add(h, 3);
    assert_int_equal(h->count, 2);
    assert_true(tb_hist_quantile(h, 1.0) == (double)(UINT64_MAX / 2));
    assert_true(tb_hist_quantile(h, 0.5) == 3);
    free(h);
}

static void test_merge(void **state)
{
    (void)state;
    tb_hist *a = hist_new(), *b = hist_new(), *all = hist_new();
    for (uint64_t v = 1; v <= 5000; v++) {
        tb_hist_add(v % 2 ? a : b, v * 7);
        tb_hist_add(all, v * 7);
    }
    tb_hist_merge(a, b);
    assert_int_equal(a->count, all->count);
    assert_int_equal(a->min_us, all->min_us);
    assert_int_equal(a->max_us, all->max_us);
    for (double q = 0.1; q < 1; q += 0.1)
        assert_true(tb_hist_quantile(a, q) == tb_hist_quantile(all, q));
    tb_hist *empty = hist_new();
    tb_hist_merge(empty, a);
    assert_int_equal(empty->min_us, 7);
    free(a);
    free(b);
    free(all);
    free(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_uniform_quantiles),
        cmocka_unit_test(test_outlier),
        cmocka_unit_test(test_huge_values_clamp),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
