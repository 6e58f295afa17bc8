/* Unit tests for core/arena: many small and interleaved large allocations that never overlap,
 * 16-byte alignment, string helpers, calloc zeroing, reuse after free_all, a first chunk in the
 * caller's memory, abort on huge sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "arena.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NALLOC 2000

static void assert_aligned(const void *p)
{
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
}

/* Allocates a mix of sizes, fills each block with its own byte, then checks none was clobbered
 * (overlapping blocks would show up as a foreign byte; ASan catches running past a chunk). */
static void fill_and_check(tn_arena *a)
{
    static unsigned char *blocks[NALLOC];
    static size_t sizes[NALLOC];
    for (size_t i = 0; i < NALLOC; i++) {
        size_t sz;
        if (i % 97 == 0)
            sz = 5000 + i; /* larger than a chunk */
        else if (i % 31 == 0)
            sz = 1500; /* bigger than a quarter chunk */
        else
            sz = i % 41; /* includes 0 */
        sizes[i] = sz;
        blocks[i] = tn_arena_alloc(a, sz);
        assert_aligned(blocks[i]);
        memset(blocks[i], (int)(i & 0xff), sz);
    }
    for (size_t i = 0; i < NALLOC; i++)
        for (size_t j = 0; j < sizes[i]; j++)
            if (blocks[i][j] != (unsigned char)(i & 0xff))
                fail_msg("block %zu (size %zu) clobbered at byte %zu", i, sizes[i], j);
}

static void test_many_small_and_large(void **state)
{
    (void)state;
    tn_arena a;
    tn_arena_init(&a);
    fill_and_check(&a);
    tn_arena_free_all(&a);
}

static void test_large_first_then_small(void **state)
{
    (void)state;
    tn_arena a;
    tn_arena_init(&a);
    unsigned char *big = tn_arena_alloc(&a, 10000);
    assert_aligned(big);
    memset(big, 0xab, 10000);
    unsigned char *small[50];
    for (int i = 0; i < 50; i++) {
        small[i] = tn_arena_alloc(&a, 24);
        assert_aligned(small[i]);
        memset(small[i], i, 24);
    }
    unsigned char *big2 = tn_arena_alloc(&a, 8192);
    memset(big2, 0xcd, 8192);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(big[i], 0xab);
    for (int i = 0; i < 50; i++)
        for (int j = 0; j < 24; j++)
            assert_int_equal(small[i][j], i);
    for (int i = 0; i < 8192; i++)
        assert_int_equal(big2[i], 0xcd);
    tn_arena_free_all(&a);
}

static void test_distinct_pointers(void **state)
{
    (void)state;
    tn_arena a;
    tn_arena_init(&a);
    char *p = tn_arena_alloc(&a, 0);
    char *q = tn_arena_alloc(&a, 0);
    char *r = tn_arena_alloc(&a, 1);
    assert_aligned(p);
    assert_aligned(q);
    assert_aligned(r);
    assert_ptr_not_equal(p, q);
    assert_ptr_not_equal(q, r);
    /* consecutive small blocks in one chunk are packed at 16-byte steps */
    char *s = tn_arena_alloc(&a, 17);
    char *t = tn_arena_alloc(&a, 1);
    assert_int_equal(t - s, 32);
    tn_arena_free_all(&a);
}

static void test_strings(void **state)
{
    (void)state;
    tn_arena a;
    tn_arena_init(&a);
    char src[] = "hello world";
    char *d = tn_arena_strdup(&a, src);
    assert_ptr_not_equal(d, src);
    assert_string_equal(d, "hello world");
    src[0] = 'j'; /* a copy, not an alias */
    assert_string_equal(d, "hello world");
    assert_aligned(d);

    char *e = tn_arena_strdup(&a, "");
    assert_string_equal(e, "");

    char *n = tn_arena_strndup(&a, "abcdef", 3);
    assert_string_equal(n, "abc");
    assert_int_equal(strlen(n), 3);
    /* strndup copies exactly n bytes, embedded NULs included */
    char *z = tn_arena_strndup(&a, "ab\0cd", 5);
    assert_memory_equal(z, "ab\0cd", 6);

    char *p = tn_arena_printf(&a, "%s-%d-%05.1f-%c", "id", -42, 3.5, 'x');
    assert_string_equal(p, "id--42-003.5-x");
    char *empty = tn_arena_printf(&a, "%s", "");
    assert_string_equal(empty, "");

    /* a long printf result gets its own room */
    char big[6000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = 0;
    char *lp = tn_arena_printf(&a, "<%s>", big);
    assert_int_equal(strlen(lp), sizeof big + 1);
    assert_int_equal(lp[0], '<');
    assert_int_equal(lp[sizeof big], '>');
    assert_int_equal(lp[3000], 'q');
    char *ld = tn_arena_strdup(&a, big);
    assert_string_equal(ld, big);
    /* earlier strings are intact */
    assert_string_equal(d, "hello world");
    assert_string_equal(n, "abc");
    tn_arena_free_all(&a);
}

static void test_calloc_zeroes(void **state)
{
    (void)state;
    tn_arena a;
    tn_arena_init(&a);
    /* dirty the arena, free it, and reuse it so calloc cannot rely on fresh memory */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++)
            memset(tn_arena_alloc(&a, 100), 0xff, 100);
        uint64_t *z = tn_arena_calloc(&a, 300, sizeof *z);
        assert_aligned(z);
        for (int i = 0; i < 300; i++)
            assert_int_equal(z[i], 0);
        unsigned char *big = tn_arena_calloc(&a, 3, 3000);
        for (int i = 0; i < 9000; i++)
            assert_int_equal(big[i], 0);
        unsigned char *none = tn_arena_calloc(&a, 0, 8);
        assert_aligned(none);
        tn_arena_free_all(&a);
    }
}

static void test_free_all_then_reuse(void **state)
{
    (void)state;
    tn_arena a;
    tn_arena_init(&a);
    fill_and_check(&a);
    tn_arena_free_all(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
    /* free_all on an empty arena is harmless */
    tn_arena_free_all(&a);
    char *s = tn_arena_strdup(&a, "again");
    assert_string_equal(s, "again");
    fill_and_check(&a);
    assert_string_equal(s, "again");
    tn_arena_free_all(&a);
    tn_arena_free_all(&a);
}

/* An arena over the caller's memory: small blocks come from it, the rest are allocated as usual,
 * and after free_all it serves from its start again (ASan would report a free of the caller's
 * memory). A misaligned buffer is not used at all. */
static void test_caller_memory_first(void **state)
{
    (void)state;
    static _Alignas(16) unsigned char buf[1024];
    tn_arena a;
    tn_arena_init_in(&a, buf, sizeof buf);
    unsigned char *p = tn_arena_alloc(&a, 100);
    assert_true(p >= buf && p + 100 <= buf + sizeof buf);
    fill_and_check(&a);
    tn_arena_free_all(&a);
    assert_ptr_equal(tn_arena_alloc(&a, 100), p);
    fill_and_check(&a);
    tn_arena_free_all(&a);
    tn_arena_init_in(&a, buf + 1, sizeof buf - 1);
    unsigned char *r = tn_arena_alloc(&a, 10);
    assert_true(r < buf || r >= buf + sizeof buf);
    tn_arena_free_all(&a);
}

/* Runs fn in a child; true if the child ended by a signal or a failure status, as "aborts" must. */
static bool child_aborts(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* keep the expected abort report out of the test log */
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        fn();
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

static void huge_alloc(void)
{
    tn_arena a;
    tn_arena_init(&a);
    /* a request that cannot be met must abort, not return a small block */
    volatile size_t n = SIZE_MAX - 4;
    unsigned char *p = tn_arena_alloc(&a, n);
    p[0] = 1;
    tn_arena_free_all(&a);
}

static void huge_calloc(void)
{
    tn_arena a;
    tn_arena_init(&a);
    volatile size_t n = SIZE_MAX / 2 + 1;
    unsigned char *p = tn_arena_calloc(&a, 1, n);
    p[0] = 1;
    tn_arena_free_all(&a);
}

static void overflowing_calloc(void)
{
    tn_arena a;
    tn_arena_init(&a);
    volatile size_t n = SIZE_MAX / 8 + 2;
    tn_arena_calloc(&a, n, 8);
    tn_arena_free_all(&a);
}

static void test_impossible_sizes_abort(void **state)
{
    (void)state;
    assert_true(child_aborts(overflowing_calloc));
    assert_true(child_aborts(huge_calloc));
    assert_true(child_aborts(huge_alloc));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_small_and_large), cmocka_unit_test(test_large_first_then_small),
        cmocka_unit_test(test_distinct_pointers),    cmocka_unit_test(test_strings),
        cmocka_unit_test(test_calloc_zeroes),        cmocka_unit_test(test_free_all_then_reuse),
        cmocka_unit_test(test_caller_memory_first),  cmocka_unit_test(test_impossible_sizes_abort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
