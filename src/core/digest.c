/* MD5, SHA-1 and HMAC-SHA2 on nettle: plain functions with no global set-up, so a digest costs
 * no lookup and the process keeps no crypto library's tables resident. */
#include "digest.h"

#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>

void tn_md5(const void *data, size_t n, uint8_t out[TN_MD5_SIZE])
{
    struct md5_ctx c;
    md5_init(&c);
    md5_update(&c, n, data);
    md5_digest(&c, MD5_DIGEST_SIZE, out);
}

void tn_md5_hex(const void *data, size_t n, char out[2 * TN_MD5_SIZE + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t md[TN_MD5_SIZE];
    tn_md5(data, n, md);
    for (int i = 0; i < TN_MD5_SIZE; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * TN_MD5_SIZE] = 0;
}

void tn_sha1(const void *data, size_t n, uint8_t out[TN_SHA1_SIZE])
{
    struct sha1_ctx c;
    sha1_init(&c);
    sha1_update(&c, n, data);
    sha1_digest(&c, SHA1_DIGEST_SIZE, out);
}

size_t tn_hmac(tn_hmac_alg alg, const void *key, size_t key_len, const void *data, size_t n,
               uint8_t out[TN_HMAC_MAX_SIZE])
{
    static const struct nettle_hash *const hashes[] = {
        [TN_HMAC_SHA256] = &nettle_sha256,
        [TN_HMAC_SHA384] = &nettle_sha384,
        [TN_HMAC_SHA512] = &nettle_sha512,
    };
    const struct nettle_hash *h =
        alg > TN_HMAC_NONE && (size_t)alg < sizeof hashes / sizeof hashes[0] ? hashes[alg] : NULL;
    if (!h)
        return 0;
    union {
        struct sha256_ctx sha256;
        struct sha512_ctx sha512; /* SHA-384's too */
    } outer, inner, state;
    hmac_set_key(&outer, &inner, &state, h, key_len, key);
    hmac_update(&state, h, n, data);
    hmac_digest(&outer, &inner, &state, h, h->digest_size, out);
    return h->digest_size;
}

bool tn_digest_equal(const void *a, const void *b, size_t n)
{
    return memeql_sec(a, b, n) != 0;
}
