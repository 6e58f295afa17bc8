/* Unit tests for core/digest and core/rand: RFC 1321 (MD5), FIPS 180 (SHA-1) and RFC 4231
 * (HMAC-SHA2) vectors, the constant-time compare, and kernel randomness that varies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "digest.h"
#include "rand.h"

#include <stdio.h>
#include <string.h>

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_md5_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *md5;
    } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[33];
        tn_md5_hex(v[i].in, strlen(v[i].in), out);
        assert_string_equal(out, v[i].md5);
        uint8_t raw[TN_MD5_SIZE];
        char again[33];
        tn_md5(v[i].in, strlen(v[i].in), raw);
        hex(raw, sizeof raw, again);
        assert_string_equal(again, v[i].md5);
    }
}

static void test_sha1_vectors(void **state)
{
    (void)state;
    uint8_t d[TN_SHA1_SIZE];
    char out[41];
    tn_sha1("abc", 3, d);
    hex(d, sizeof d, out);
    assert_string_equal(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    tn_sha1(two, strlen(two), d);
    hex(d, sizeof d, out);
    assert_string_equal(out, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

/* RFC 4231 test cases 1 and 2 for the three HMAC-SHA2 widths */
static void test_hmac_rfc4231(void **state)
{
    (void)state;
    uint8_t key1[20];
    memset(key1, 0x0b, sizeof key1);
    static const struct {
        tn_hmac_alg alg;
        size_t len;
        const char *case1, *case2;
    } v[] = {
        {TN_HMAC_SHA256, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {TN_HMAC_SHA384, 48,
         "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b"
         "2"
         "fa9cb6",
         "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecf"
         "a"
         "b21649"},
        {TN_HMAC_SHA512, 64,
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274ea"
         "e"
         "a3f4e4be9d914eeb61f1702e696c203a126854",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f"
         "8"
         "f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t mac[TN_HMAC_MAX_SIZE];
        char out[2 * TN_HMAC_MAX_SIZE + 1];
        assert_int_equal(tn_hmac(v[i].alg, key1, sizeof key1, "Hi There", 8, mac), v[i].len);
        hex(mac, v[i].len, out);
        assert_string_equal(out, v[i].case1);
        const char *msg = "what do ya want for nothing?";
        assert_int_equal(tn_hmac(v[i].alg, "Jefe", 4, msg, strlen(msg), mac), v[i].len);
        hex(mac, v[i].len, out);
        assert_string_equal(out, v[i].case2);
    }
    uint8_t mac[TN_HMAC_MAX_SIZE];
    assert_int_equal(tn_hmac(TN_HMAC_NONE, "k", 1, "m", 1, mac), 0);
}

static void test_digest_equal(void **state)
{
    (void)state;
    assert_true(tn_digest_equal("abcd", "abcd", 4));
    assert_false(tn_digest_equal("abcd", "abce", 4));
    assert_false(tn_digest_equal("xbcd", "abcd", 4));
    assert_true(tn_digest_equal("a", "b", 0));
}

static void test_rand_varies(void **state)
{
    (void)state;
    uint8_t a[16] = {0}, b[16] = {0}, zero[16] = {0};
    assert_true(tn_rand_bytes(a, sizeof a));
    assert_true(tn_rand_bytes(b, sizeof b));
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
    uint32_t first = tn_rand_fast32();
    int same = 0;
    for (int i = 0; i < 100; i++)
        same += tn_rand_fast32() == first;
    assert_true(same < 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_vectors),  cmocka_unit_test(test_sha1_vectors),
        cmocka_unit_test(test_hmac_rfc4231), cmocka_unit_test(test_digest_equal),
        cmocka_unit_test(test_rand_varies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
