/* The message log's files: segment naming, framing with crc32, the durable append (one write,
 * one fdatasync per batch), rotation, listing and replay after a crash. */
#include "msg_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"

#define HEADER     8
#define RECORD_MAX (256u << 20) /* larger lengths are corruption, not records */
/* The file is grown in zero-filled steps ahead of the records, so that a batch's fdatasync only
 * flushes data: an append that grew the file would also have to write the inode each time. */
#define PREFILL_BYTES  (4u << 20)
#define SEGMENT_SUFFIX "-log."
#define ORPHAN_SUFFIX  ".orphaned"

struct tn_msg_log {
    char *base;
    int fd;
    uint64_t segment;
    uint64_t size;   /* bytes of records */
    uint64_t filled; /* bytes of the file, zeros past size */
    bool broken;     /* a sync failed: nothing more may be appended */
};

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

size_t tn_msg_log_frame_begin(tn_buf *b)
{
    size_t at = b->len;
    uint8_t zero[HEADER] = {0};
    tn_buf_append(b, zero, sizeof zero);
    return at;
}

void tn_msg_log_frame_end(tn_buf *b, size_t at)
{
    size_t len = b->len - at - HEADER;
    put_u32(b->data + at, (uint32_t)len);
    put_u32(b->data + at + 4, (uint32_t)crc32(0, b->data + at + HEADER, (uInt)len));
}

static char *segment_path(const char *base, uint64_t segment)
{
    size_t n = strlen(base) + sizeof SEGMENT_SUFFIX + 24;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s" SEGMENT_SUFFIX "%08" PRIu64, base, segment);
    return p;
}

static int sync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        abort();
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int open_segment(const char *base, uint64_t segment, char *err, size_t errlen)
{
    char *path = segment_path(base, segment);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || sync_dir_of(path) != 0) {
        snprintf(err, errlen, "cannot create message log %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    free(path);
    return fd;
}

tn_msg_log *tn_msg_log_open(const char *base, uint64_t segment, char *err, size_t errlen)
{
    int fd = open_segment(base, segment, err, errlen);
    if (fd < 0)
        return NULL;
    tn_msg_log *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    l->base = strdup(base);
    if (!l->base)
        abort();
    l->fd = fd;
    l->segment = segment;
    return l;
}

void tn_msg_log_close(tn_msg_log *l)
{
    if (!l)
        return;
    close(l->fd);
    free(l->base);
    free(l);
}

static bool write_at(int fd, const uint8_t *data, size_t len, uint64_t at)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = pwrite(fd, data + done, len - done, (off_t)(at + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

static bool write_zeros(int fd, uint64_t at, uint64_t len)
{
    static const uint8_t zeros[65536];
    for (uint64_t done = 0; done < len;) {
        size_t n = len - done < sizeof zeros ? (size_t)(len - done) : sizeof zeros;
        if (!write_at(fd, zeros, n, at + done))
            return false;
        done += n;
    }
    return true;
}

/* Grows the zero-filled part of the file to cover need bytes, durably. */
static bool prefill(tn_msg_log *l, uint64_t need)
{
    if (need <= l->filled)
        return true;
    uint64_t grow = need - l->filled < PREFILL_BYTES ? PREFILL_BYTES : need - l->filled;
    if (!write_zeros(l->fd, l->filled, grow) || fdatasync(l->fd) != 0) {
        tn_log_error(NULL, "message log: cannot grow the file: %s", strerror(errno));
        return false;
    }
    l->filled += grow;
    return true;
}

tn_err tn_msg_log_append(tn_msg_log *l, const uint8_t *data, size_t len, tn_log_pos *end)
{
    if (l->broken)
        return TN_EDATABASE;
    if (!prefill(l, l->size + len))
        return TN_EDATABASE;
    if (!write_at(l->fd, data, len, l->size)) {
        tn_log_error(NULL, "message log: write failed: %s", strerror(errno));
        /* zero what may have landed, so replay never meets a record of a failed batch */
        if (!write_zeros(l->fd, l->size, len)) {
            tn_log_error(NULL, "message log: cannot clear a failed write: %s", strerror(errno));
            l->broken = true;
        }
        return TN_EDATABASE;
    }
    if (fdatasync(l->fd) != 0) {
        tn_log_error(NULL, "message log: fdatasync failed: %s; restart ternd to recover",
                     strerror(errno));
        l->broken = true;
        return TN_EDATABASE;
    }
    l->size += len;
    *end = (tn_log_pos){l->segment, l->size};
    return TN_OK;
}

bool tn_msg_log_rotate_if_full(tn_msg_log *l)
{
    if (l->size < TN_MSG_LOG_SEGMENT_BYTES || l->broken)
        return true;
    char err[512];
    int fd = open_segment(l->base, l->segment + 1, err, sizeof err);
    if (fd < 0) {
        tn_log_error(NULL, "message log: %s", err);
        return false;
    }
    close(l->fd);
    l->fd = fd;
    l->segment++;
    l->size = 0;
    l->filled = 0;
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

tn_err tn_msg_log_list(const char *base, uint64_t **segments, size_t *count)
{
    *segments = NULL;
    *count = 0;
    const char *slash = strrchr(base, '/');
    const char *name = slash ? slash + 1 : base;
    char *dir = slash ? strndup(base, slash == base ? 1 : (size_t)(slash - base)) : strdup(".");
    if (!dir)
        abort();
    size_t name_len = strlen(name);
    DIR *d = opendir(dir);
    if (!d) {
        tn_log_error(NULL, "message log: cannot list %s: %s", dir, strerror(errno));
        free(dir);
        return TN_EDATABASE;
    }
    size_t cap = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        const char *n = ent->d_name;
        if (strncmp(n, name, name_len) != 0 || strncmp(n + name_len, SEGMENT_SUFFIX, 5) != 0)
            continue;
        char *stop;
        const char *digits = n + name_len + 5;
        uint64_t v = strtoull(digits, &stop, 10);
        if (!*digits || *stop)
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 8;
            *segments = realloc(*segments, cap * sizeof **segments);
            if (!*segments)
                abort();
        }
        (*segments)[(*count)++] = v;
    }
    closedir(d);
    free(dir);
    if (*count)
        qsort(*segments, *count, sizeof **segments, cmp_u64);
    return TN_OK;
}

tn_err tn_msg_log_remove(const char *base, uint64_t segment)
{
    char *path = segment_path(base, segment);
    int rc = unlink(path);
    if (rc != 0 && errno != ENOENT)
        tn_log_error(NULL, "message log: cannot remove %s: %s", path, strerror(errno));
    free(path);
    return rc == 0 || errno == ENOENT ? TN_OK : TN_EDATABASE;
}

tn_err tn_msg_log_set_aside(const char *base)
{
    uint64_t *segs;
    size_t n;
    tn_err e = tn_msg_log_list(base, &segs, &n);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        char *path = segment_path(base, segs[i]);
        size_t len = strlen(path) + sizeof ORPHAN_SUFFIX;
        char *aside = malloc(len);
        if (!aside)
            abort();
        snprintf(aside, len, "%s" ORPHAN_SUFFIX, path);
        if (rename(path, aside) != 0 || sync_dir_of(aside) != 0) {
            tn_log_error(NULL, "message log: cannot rename %s: %s", path, strerror(errno));
            e = TN_EDATABASE;
        } else {
            tn_log_warn(NULL,
                        "message log: %s was written for a database that is gone; kept as %s, "
                        "not replayed",
                        path, aside);
        }
        free(aside);
        free(path);
    }
    free(segs);
    return e;
}

tn_err tn_msg_log_replay(const char *base, uint64_t segment, uint64_t offset,
                         tn_msg_log_record_fn fn, void *udata, bool *clean)
{
    *clean = true;
    char *path = segment_path(base, segment);
    FILE *f = fopen(path, "rb");
    if (!f) {
        tn_err e = errno == ENOENT ? TN_OK : TN_EDATABASE;
        if (e)
            tn_log_error(NULL, "message log: cannot open %s: %s", path, strerror(errno));
        free(path);
        return e;
    }
    free(path);
    tn_err e = TN_OK;
    uint8_t *payload = NULL;
    size_t cap = 0;
    if (fseeko(f, (off_t)offset, SEEK_SET) != 0) {
        fclose(f);
        return TN_EDATABASE;
    }
    for (;;) {
        uint8_t h[HEADER];
        size_t got = fread(h, 1, HEADER, f);
        if (got == 0 && feof(f))
            break;
        uint32_t len = got == HEADER ? get_u32(h) : 0;
        if (got == HEADER && len == 0 && get_u32(h + 4) == 0)
            break; /* the zero-filled space after the last record */
        if (got != HEADER || len > RECORD_MAX) {
            *clean = false;
            break;
        }
        if (len > cap) {
            cap = len;
            payload = realloc(payload, cap);
            if (!payload)
                abort();
        }
        if (fread(payload, 1, len, f) != len ||
            (uint32_t)crc32(0, payload, (uInt)len) != get_u32(h + 4)) {
            *clean = false;
            break;
        }
        offset += HEADER + len;
        if (!fn(payload, len, (tn_log_pos){segment, offset}, udata)) {
            e = TN_EDATABASE;
            break;
        }
    }
    if (ferror(f))
        e = TN_EDATABASE;
    free(payload);
    fclose(f);
    return e;
}
