/* Unit tests for core/base64: RFC 4648 vectors in the standard (padded) and URL (unpadded)
 * alphabets, the strict decoder's rejections, and round trips of random bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base64.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *plain, *std, *url;
} vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};
#define NVEC (sizeof vectors / sizeof vectors[0])

static bool decode(const char *in, bool url, unsigned char *out, size_t *out_len)
{
    return tn_b64_decode(in, strlen(in), out, out_len, url);
}

static void test_encode_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVEC; i++) {
        char out[32];
        size_t n = strlen(vectors[i].plain);
        memset(out, 'X', sizeof out);
        assert_int_equal(tn_b64_encode(vectors[i].plain, n, out, false), strlen(vectors[i].std));
        assert_string_equal(out, vectors[i].std);
        assert_int_equal(tn_b64_encoded_len(n, false), strlen(vectors[i].std));

        memset(out, 'X', sizeof out);
        assert_int_equal(tn_b64_encode(vectors[i].plain, n, out, true), strlen(vectors[i].url));
        assert_string_equal(out, vectors[i].url);
        assert_int_equal(tn_b64_encoded_len(n, true), strlen(vectors[i].url));
    }
}

static void test_decode_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVEC; i++) {
        unsigned char out[32];
        size_t n = 999;
        assert_true(decode(vectors[i].std, false, out, &n));
        assert_int_equal(n, strlen(vectors[i].plain));
        assert_memory_equal(out, vectors[i].plain, n);

        n = 999;
        assert_true(decode(vectors[i].url, true, out, &n));
        assert_int_equal(n, strlen(vectors[i].plain));
        assert_memory_equal(out, vectors[i].plain, n);

        /* the URL alphabet also accepts correct padding */
        n = 999;
        assert_true(decode(vectors[i].std, true, out, &n));
        assert_int_equal(n, strlen(vectors[i].plain));
        assert_memory_equal(out, vectors[i].plain, n);
    }
}

static void test_alphabet_differences(void **state)
{
    (void)state;
    /* 0xfb 0xff 0xbf uses indexes 62 and 63 */
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf, 0xfe};
    char out[16];
    tn_b64_encode(bytes, 4, out, false);
    assert_string_equal(out, "+/+//g==");
    tn_b64_encode(bytes, 4, out, true);
    assert_string_equal(out, "-_-__g");

    unsigned char dec[16];
    size_t n;
    assert_true(decode("+/+//g==", false, dec, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(dec, bytes, 4);
    assert_true(decode("-_-__g", true, dec, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(dec, bytes, 4);
    /* each alphabet rejects the other's two characters */
    assert_false(decode("-_-__g==", false, dec, &n));
    assert_false(decode("+/+//g", true, dec, &n));
}

static void test_decode_rejects_bad_chars(void **state)
{
    (void)state;
    unsigned char out[32];
    size_t n;
    const char *bad[] = {"Zm9v!A==",  "Zm 9v", "Zm9v\n",
                         "Zm9v Zm9v", "Zm.v",  "Zm9v\x80\x80\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(decode(bad[i], false, out, &n));
        assert_false(decode(bad[i], true, out, &n));
    }
    /* an embedded NUL inside the given length */
    assert_false(tn_b64_decode("Zm\0v", 4, out, &n, false));
    assert_false(tn_b64_decode("Zm\0v", 4, out, &n, true));
}

static void test_decode_rejects_bad_padding(void **state)
{
    (void)state;
    unsigned char out[32];
    size_t n;
    /* the standard alphabet requires padding */
    assert_false(decode("Zg", false, out, &n));
    assert_false(decode("Zm8", false, out, &n));
    assert_false(decode("Zm9vYg", false, out, &n));
    /* wrong amount of padding, in both alphabets */
    const char *bad[] = {"Zg=",   "Zm8==",    "Zg===",    "Z===", "====", "=",
                         "Zm9v=", "Zm9v====", "Zg==Zg==", "Zm=v", "=Zm9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(decode(bad[i], false, out, &n));
        assert_false(decode(bad[i], true, out, &n));
    }
}

static void test_decode_rejects_len_mod4_1(void **state)
{
    (void)state;
    unsigned char out[32];
    size_t n;
    assert_false(decode("Z", true, out, &n));
    assert_false(decode("Zm9vY", true, out, &n));
    assert_false(decode("Zm9vYmFyZ", true, out, &n));
    assert_false(decode("Zm9vY", false, out, &n));
}

static void test_decode_rejects_trailing_bits(void **state)
{
    (void)state;
    unsigned char out[32];
    size_t n;
    /* "f" is Zg==; Zh== has a stray low bit */
    assert_false(decode("Zh==", false, out, &n));
    assert_false(decode("Zh", true, out, &n));
    /* "fo" is Zm8=; Zm9= has stray low bits */
    assert_false(decode("Zm9=", false, out, &n));
    assert_false(decode("Zm9", true, out, &n));
    assert_false(decode("Zm9vYh", true, out, &n));
    /* the canonical forms pass */
    assert_true(decode("Zg==", false, out, &n));
    assert_true(decode("Zm8", true, out, &n));
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    srand(12345);
    for (int url = 0; url <= 1; url++) {
        for (size_t len = 0; len <= 64; len++) {
            for (int rep = 0; rep < 8; rep++) {
                unsigned char in[64], dec[64 + 3];
                char enc[100];
                for (size_t i = 0; i < len; i++)
                    in[i] = (unsigned char)(rand() & 0xff);
                size_t elen = tn_b64_encode(in, len, enc, url);
                assert_int_equal(elen, tn_b64_encoded_len(len, url));
                assert_int_equal(strlen(enc), elen);
                if (!url)
                    assert_int_equal(elen % 4, 0);
                else
                    assert_null(strchr(enc, '='));
                size_t dlen = 999;
                assert_true(tn_b64_decode(enc, elen, dec, &dlen, url));
                assert_int_equal(dlen, len);
                if (len)
                    assert_memory_equal(dec, in, len);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_vectors),
        cmocka_unit_test(test_decode_vectors),
        cmocka_unit_test(test_alphabet_differences),
        cmocka_unit_test(test_decode_rejects_bad_chars),
        cmocka_unit_test(test_decode_rejects_bad_padding),
        cmocka_unit_test(test_decode_rejects_len_mod4_1),
        cmocka_unit_test(test_decode_rejects_trailing_bits),
        cmocka_unit_test(test_roundtrip_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
