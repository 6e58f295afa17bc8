/* The hashes the protocol names: MD5 (serverMsgID, clientMsgID, version hashes), SHA-1 (the
 * WebSocket handshake) and HMAC-SHA2 (JWT), behind one header so callers never see the library. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TN_MD5_SIZE      16
#define TN_SHA1_SIZE     20
#define TN_HMAC_MAX_SIZE 64

typedef enum tn_hmac_alg {
    TN_HMAC_NONE,
    TN_HMAC_SHA256,
    TN_HMAC_SHA384,
    TN_HMAC_SHA512
} tn_hmac_alg;

void tn_md5(const void *data, size_t n, uint8_t out[TN_MD5_SIZE]);
/* Lower-case hex of the MD5, NUL-terminated. */
void tn_md5_hex(const void *data, size_t n, char out[2 * TN_MD5_SIZE + 1]);
void tn_sha1(const void *data, size_t n, uint8_t out[TN_SHA1_SIZE]);
/* Returns the MAC's length (0 for TN_HMAC_NONE). */
size_t tn_hmac(tn_hmac_alg alg, const void *key, size_t key_len, const void *data, size_t n,
               uint8_t out[TN_HMAC_MAX_SIZE]);
/* Compares in time independent of where the bytes differ. */
bool tn_digest_equal(const void *a, const void *b, size_t n);
