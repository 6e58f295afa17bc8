/* Whole reads and writes on blocking descriptors: short transfers and EINTR are retried, so a
 * caller sees all of its bytes moved or a failure. */
#include "io.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

/* into (reading) or from (writing): exactly one of them is set */
static bool whole(int fd, uint8_t *into, const uint8_t *from, size_t len)
{
    while (len) {
        ssize_t n = into ? read(fd, into, len) : write(fd, from, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        if (into)
            into += n;
        else
            from += n;
        len -= (size_t)n;
    }
    return true;
}

bool tb_write_full(int fd, const void *buf, size_t len)
{
    return whole(fd, NULL, buf, len);
}

bool tb_read_full(int fd, void *buf, size_t len)
{
    return whole(fd, buf, NULL, len);
}
