#define _GNU_SOURCE
#include "util.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c >= 0xF0 && c <= 0xF4) return 4;
    return 0;
}

size_t exc_utf8_copy(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    while (src[n] != '\0') {
        size_t l = utf8_seq_len((unsigned char)src[n]);
        if (l == 0)
            l = 1; /* invalid byte: the parsers reject these; just copy */
        if (n + l > cap - 1)
            break;
        size_t k;
        for (k = 1; k < l; k++)
            if (src[n + k] == '\0')
                break;
        if (k < l)
            break;
        n += l;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

bool exc_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t l = utf8_seq_len(c);
        if (l == 0 || i + l > len)
            return false;
        for (size_t k = 1; k < l; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        if (l == 3) {
            if (c == 0xE0 && p[i + 1] < 0xA0) return false;          /* overlong */
            if (c == 0xED && p[i + 1] > 0x9F) return false;          /* surrogate */
        } else if (l == 4) {
            if (c == 0xF0 && p[i + 1] < 0x90) return false;          /* overlong */
            if (c == 0xF4 && p[i + 1] > 0x8F) return false;          /* > U+10FFFF */
        }
        i += l;
    }
    return true;
}

bool exc_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (s == NULL || *s == '\0')
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool exc_parse_iso8601(const char *s, int64_t *out)
{
    int Y, M, D, h, m, sec;
    if (s == NULL || strlen(s) < 20)
        return false;
    if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
        !digits(s + 8, 2, &D) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
        !digits(s + 14, 2, &m) || s[16] != ':' || !digits(s + 17, 2, &sec))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        int n = 0;
        p++;
        while (*p >= '0' && *p <= '9' && n < 9) {
            p++;
            n++;
        }
        if (n == 0)
            return false;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 60)
        return false;
    bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (M == 2 && D == 29 && !leap)
        return false;
    *out = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + m * 60 + sec;
    return true;
}

void exc_format_iso8601(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

size_t exc_utf8_one_line(char *dst, size_t cap, const char *src)
{
    size_t n = exc_utf8_copy(dst, cap, src);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)dst[i];
        if (c < 0x20 || c == 0x7f)
            dst[i] = ' ';
        else if (c == 0xc2 && i + 1 < n && (unsigned char)dst[i + 1] >= 0x80 &&
                 (unsigned char)dst[i + 1] <= 0x9f)
            dst[i] = dst[i + 1] = ' ';   /* C1: two octets, two spaces */
    }
    return n;
}

bool exc_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return true;
    return false;
}

const char *exc_quote(char buf[EXC_QUOTE_BUF], const char *s)
{
    size_t n = exc_utf8_copy(buf, EXC_QUOTE_BUF - 3, s);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
            buf[i] = '?';
    if (s[n] != '\0')
        memcpy(buf + n, "...", 4);
    return buf;
}

void exc_upper(char *dst, size_t cap, const char *src)
{
    size_t n = exc_utf8_copy(dst, cap, src);
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)toupper((unsigned char)dst[i]);
}

int exc_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = toupper((unsigned char)*a), cb = toupper((unsigned char)*b);
        if (ca != cb || ca == 0)
            return ca - cb;
    }
}

int64_t exc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t exc_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void oom(void)
{
    fputs("exconn: out of memory\n", stderr);
    abort();
}

char *exc_strdup(const char *s)
{
    char *r = strdup(s ? s : "");
    if (r == NULL)
        oom();
    return r;
}

void *exc_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom();
    return p;
}

void *exc_memdup(const void *src, size_t n, size_t size)
{
    size_t bytes = n * size;
    void *d = exc_realloc(NULL, bytes ? bytes : 1);
    if (n)
        memcpy(d, src, bytes);
    return d;
}

int exc_cmp_size(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

bool exc_verify_changes(void)
{
    static atomic_int on = -1;   /* -1: not read yet */
    int v = atomic_load(&on);
    if (v < 0) {
        const char *e = getenv("EXCONN_VERIFY_CHANGES");
        v = e != NULL && strcmp(e, "1") == 0;
        atomic_store(&on, v);
    }
    return v == 1;
}

void exc_verify_failed(const char *what)
{
    fprintf(stderr, "exconn: EXCONN_VERIFY_CHANGES: %s\n", what);
    abort();
}

void *exc_realloc(void *p, size_t size)
{
    void *r = realloc(p, size ? size : 1);
    if (r == NULL)
        oom();
    return r;
}

#define NOT_REGULAR "not a regular file: "

/* One table for both forms: exc_file_type is the tail of exc_not_regular. */
static const char *not_regular_text(mode_t m)
{
    if (S_ISFIFO(m)) return NOT_REGULAR "a FIFO";
    if (S_ISLNK(m)) return NOT_REGULAR "a symbolic link";
    if (S_ISDIR(m)) return NOT_REGULAR "a directory";
    if (S_ISSOCK(m)) return NOT_REGULAR "a socket";
    return NOT_REGULAR "a device";
}

const char *exc_file_type(unsigned mode)
{
    return not_regular_text((mode_t)mode) + sizeof NOT_REGULAR - 1;
}

const char *exc_not_regular(unsigned mode)
{
    mode_t m = (mode_t)mode;
    return m == 0 || S_ISREG(m) ? NULL : not_regular_text(m);
}

int exc_open_regular(const char *path, struct stat *st, unsigned *bad_mode)
{
    *bad_mode = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int saved = errno;
        struct stat ls;   /* ELOOP: a symlink; ENXIO: a socket */
        if ((saved == ELOOP || saved == ENXIO) && lstat(path, &ls) == 0 && !S_ISREG(ls.st_mode))
            *bad_mode = (unsigned)ls.st_mode;
        errno = saved;
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        int saved = errno;
        *bad_mode = fstat(fd, st) == 0 ? (unsigned)st->st_mode : 0;
        close(fd);
        errno = *bad_mode ? EINVAL : saved;
        return -1;
    }
    return fd;
}

bool exc_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0) {
            errno = ENOSPC;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

int exc_create_unique(const char *dir, const char *prefix, unsigned mode, char *path,
                      size_t cap)
{
    if ((size_t)snprintf(path, cap, "%s/%s.XXXXXX", dir, prefix) >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* mkostemp opens with O_CREAT|O_EXCL: a name that exists -- a symlink
     * planted there included -- is never opened, another name is tried */
    int fd = mkostemp(path, O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fchmod(fd, (mode_t)mode) != 0) {
        int saved = errno;
        close(fd);
        unlink(path);
        errno = saved;
        return -1;
    }
    return fd;
}
