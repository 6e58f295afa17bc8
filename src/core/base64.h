/* Base64 in the two alphabets OpenIM uses: standard with padding (JSON `bytes` fields) and
 * URL-safe without padding (JWT segments, the gateway's `v` parameter). Pure functions. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

size_t tn_b64_encoded_len(size_t n, bool url);
/* Writes the encoding plus a NUL into out (tn_b64_encoded_len + 1 bytes); returns its length. */
size_t tn_b64_encode(const void *in, size_t n, char *out, bool url);
/* Decodes into out (room for len*3/4 + 3 bytes). The standard alphabet requires correct padding;
 * the URL alphabet accepts none or correct padding. Returns false on any invalid input. */
bool tn_b64_decode(const char *in, size_t len, unsigned char *out, size_t *out_len, bool url);
