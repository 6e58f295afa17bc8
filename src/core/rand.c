/* Identifier randomness: getrandom(2) directly, so no crypto library's generator is set up (it
 * costs megabytes of resident pages), and a per-thread fast stream for IDs that need no secrecy. */
#include "rand.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

bool tn_rand_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += got;
        n -= (size_t)got;
    }
    return true;
}

uint32_t tn_rand_fast32(void)
{
    static __thread uint64_t state;
    if (!state && (!tn_rand_bytes(&state, sizeof state) || !state)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) | 1;
    }
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)(z ^ (z >> 31));
}
