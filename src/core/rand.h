/* Randomness for identifiers: kernel bytes (getrandom) where an ID must be unguessable or unique
 * across restarts, and a seeded per-thread generator where it only has to differ (serverMsgID). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fills buf from the kernel's generator; false only when the kernel refuses. */
bool tn_rand_bytes(void *buf, size_t n);
/* A fast 32-bit value from a per-thread splitmix64 stream seeded once from the kernel. */
uint32_t tn_rand_fast32(void);
