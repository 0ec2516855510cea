#define _GNU_SOURCE
#include "statefile.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The writer is on the commit path of every change (state.c): pieces are
 * copied into one buffer, numbers are formatted by hand, and a hash is
 * taken once over a whole span rather than piece by piece. */
static uint64_t mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0x100000001B3ull;
    return h ^ (h >> 29);
}

/* eight octets at a time, the length mixed in first (FNV's offset basis
 * as the seed) */
uint64_t exc_sf_hash(const char *s, size_t n)
{
    uint64_t h = mix(0xCBF29CE484222325ull, n);
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        h = mix(h, v);
    }
    uint64_t tail = 0;
    memcpy(&tail, s, n);
    return mix(h, tail);
}

static void reserve(exc_sf_writer *w, size_t n)
{
    if (w->cap - w->len >= n)
        return;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap - w->len < n)
        cap *= 2;
    w->buf = exc_realloc(w->buf, cap);
    w->cap = cap;
}

static inline void put_n(exc_sf_writer *w, const char *s, size_t n)
{
    if (w->failed || n == 0)
        return;
    reserve(w, n);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

void exc_sf_raw(exc_sf_writer *w, const char *s, size_t n) { put_n(w, s, n); }

bool exc_sf_flush(exc_sf_writer *w)
{
    if (w->sink && !w->failed && w->len > 0 && w->held == 0) {
        if (!w->sink(w->cookie, w->buf, w->len))
            w->failed = true;
        w->len = 0;
    }
    return !w->failed;
}

size_t exc_sf_hold(exc_sf_writer *w)
{
    w->held++;
    return w->len;
}

uint64_t exc_sf_hash_since(const exc_sf_writer *w, size_t pos)
{
    return exc_sf_hash(w->buf + pos, w->len - pos);
}

void exc_sf_release(exc_sf_writer *w, size_t pos, bool drop)
{
    if (drop && pos <= w->len)
        w->len = pos;
    if (w->held > 0)
        w->held--;
}

char *exc_sf_take(exc_sf_writer *w, size_t *len)
{
    reserve(w, 1);
    w->buf[w->len] = '\0';
    char *b = w->buf;
    *len = w->len;
    w->buf = NULL;
    w->len = w->cap = 0;
    return b;
}

void exc_sf_discard(exc_sf_writer *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

static void put(exc_sf_writer *w, const char *s) { put_n(w, s, strlen(s)); }

void exc_sf_begin(exc_sf_writer *w, const char *tag) { put(w, tag); }

/* Octets a field escapes: controls, space, '%', DEL (and NUL: the end). */
static inline bool escaped(unsigned char c) { return c <= ' ' || c == '%' || c == 0x7f; }

void exc_sf_str(exc_sf_writer *w, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (s == NULL || *s == '\0') {
        put_n(w, " %", 2); /* a lone % is the empty string */
        return;
    }
    put_n(w, " ", 1);
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        const unsigned char *run = p;
        while (!escaped(*p))
            p++;
        put_n(w, (const char *)run, (size_t)(p - run));
        if (*p == '\0')
            return;
        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        put_n(w, esc, 3);
        p++;
    }
}

/* " " + decimal digits of v, with a leading '-' when neg; two digits a step */
static void put_number(exc_sf_writer *w, uint64_t v, bool neg)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char buf[24];
    char *p = buf + sizeof buf;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = pairs[d + 1];
        *--p = pairs[d];
    }
    if (v >= 10) {
        *--p = pairs[v * 2 + 1];
        *--p = pairs[v * 2];
    } else {
        *--p = (char)('0' + v);
    }
    if (neg)
        *--p = '-';
    *--p = ' ';
    put_n(w, p, (size_t)(buf + sizeof buf - p));
}

void exc_sf_u64(exc_sf_writer *w, uint64_t v) { put_number(w, v, false); }

void exc_sf_i64(exc_sf_writer *w, int64_t v)
{
    put_number(w, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void exc_sf_end(exc_sf_writer *w)
{
    put_n(w, "\n", 1);
    if (w->sink && w->len >= EXC_SF_FLUSH_AT)
        exc_sf_flush(w);
}

const char *exc_sf_next(exc_sf_reader *r)
{
    for (;;) {
        ssize_t n = getline(&r->line, &r->cap, r->fp);
        if (n < 0)
            return NULL;
        r->lineno++;
        while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
            r->line[--n] = '\0';
        if (n == 0 || r->line[0] == '#')
            continue;
        char *sp = strchr(r->line, ' ');
        if (sp) {
            *sp = '\0';
            r->cursor = sp + 1;
        } else {
            r->cursor = r->line + n;
        }
        return r->line;
    }
}

static char *next_field(exc_sf_reader *r)
{
    if (r->cursor == NULL || *r->cursor == '\0') {
        r->bad = true;
        return NULL;
    }
    char *start = r->cursor;
    char *sp = strchr(start, ' ');
    if (sp) {
        *sp = '\0';
        r->cursor = sp + 1;
    } else {
        r->cursor = start + strlen(start);
    }
    return start;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* unescape in place; returns false on a malformed escape */
static bool unescape(char *s)
{
    if (strcmp(s, "%") == 0) {
        s[0] = '\0';
        return true;
    }
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '%') {
            int h = hexval(p[1]), l = h >= 0 ? hexval(p[2]) : -1;
            if (h < 0 || l < 0)
                return false;
            *o++ = (char)(h * 16 + l);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return true;
}

void exc_sf_get_str(exc_sf_reader *r, char *dst, size_t cap)
{
    char *f = next_field(r);
    if (f == NULL || !unescape(f)) {
        r->bad = true;
        dst[0] = '\0';
        return;
    }
    if (strlen(f) >= cap)
        r->bad = true;
    exc_utf8_copy(dst, cap, f);
}

char *exc_sf_get_strdup(exc_sf_reader *r)
{
    char *f = next_field(r);
    if (f == NULL || !unescape(f)) {
        r->bad = true;
        return exc_strdup("");
    }
    return exc_strdup(f);
}

uint64_t exc_sf_get_u64(exc_sf_reader *r)
{
    char *f = next_field(r);
    uint64_t v;
    if (f == NULL || !exc_parse_u64(f, UINT64_MAX, &v)) {
        r->bad = true;
        return 0;
    }
    return v;
}

int64_t exc_sf_get_i64(exc_sf_reader *r)
{
    char *f = next_field(r);
    if (f == NULL) {
        r->bad = true;
        return 0;
    }
    bool neg = f[0] == '-';
    uint64_t v;
    if (!exc_parse_u64(neg ? f + 1 : f, (uint64_t)INT64_MAX, &v)) {
        r->bad = true;
        return 0;
    }
    return neg ? -(int64_t)v : (int64_t)v;
}

void exc_sf_reader_free(exc_sf_reader *r)
{
    free(r->line);
    r->line = NULL;
    r->cap = 0;
}

/* ---- records described by a table of fields ---- */

uint32_t exc_sf_get_u32(exc_sf_reader *r)
{
    uint64_t v = exc_sf_get_u64(r);
    if (v > UINT32_MAX) {
        r->bad = true;
        return 0;
    }
    return (uint32_t)v;
}

bool exc_sf_get_bool(exc_sf_reader *r)
{
    uint64_t v = exc_sf_get_u64(r);
    if (v > 1)
        r->bad = true;
    return v == 1;
}

bool exc_sf_at_end(exc_sf_reader *r)
{
    if (r->cursor != NULL && *r->cursor != '\0')
        r->bad = true;
    return !r->bad;
}

static int get_enum(exc_sf_reader *r, const exc_sf_field *f)
{
    uint64_t v = exc_sf_get_u64(r);
    if (f->name_of != NULL ? v > 1000 || f->name_of((int)v) == NULL
                           : v < (uint64_t)f->lo || v > (uint64_t)f->hi) {
        r->bad = true;
        return f->name_of != NULL ? 0 : f->lo;
    }
    return (int)v;
}

/* The unsigned member of size bytes at p (a uint32_t or a uint64_t). */
static uint64_t load_unsigned(const char *p, size_t size)
{
    if (size == sizeof(uint32_t)) {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void store_unsigned(char *p, size_t size, uint64_t v)
{
    if (size == sizeof(uint32_t)) {
        uint32_t v32 = (uint32_t)v;
        memcpy(p, &v32, sizeof v32);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

void exc_sf_put_fields(exc_sf_writer *w, const void *rec, const exc_sf_field *f, size_t n)
{
    const char *base = rec;
    for (size_t i = 0; i < n; i++) {
        const char *p = base + f[i].off;
        switch (f[i].kind) {
        case EXC_SF_STR:
        case EXC_SF_NAME:
            exc_sf_str(w, p);
            break;
        case EXC_SF_U64:
        case EXC_SF_U32:
            exc_sf_u64(w, load_unsigned(p, f[i].size));
            break;
        case EXC_SF_I64: {
            int64_t v;
            memcpy(&v, p, sizeof v);
            exc_sf_i64(w, v);
            break;
        }
        case EXC_SF_BOOL: {
            bool v;
            memcpy(&v, p, sizeof v);
            exc_sf_u64(w, v ? 1 : 0);
            break;
        }
        case EXC_SF_ENUM: {
            int v;
            memcpy(&v, p, sizeof v);
            exc_sf_u64(w, (uint64_t)v);
            break;
        }
        case EXC_SF_OPT32:
        case EXC_SF_OPT64: {
            bool known;
            memcpy(&known, base + f[i].known, sizeof known);
            exc_sf_u64(w, known ? 1 : 0);
            exc_sf_u64(w, known ? load_unsigned(p, f[i].size) : 0);
            break;
        }
        }
    }
}

void exc_sf_get_fields(exc_sf_reader *r, void *rec, const exc_sf_field *f, size_t n)
{
    char *base = rec;
    for (size_t i = 0; i < n; i++) {
        char *p = base + f[i].off;
        switch (f[i].kind) {
        case EXC_SF_STR:
        case EXC_SF_NAME:
            exc_sf_get_str(r, p, f[i].size);
            if (f[i].kind == EXC_SF_NAME && p[0] == '\0')
                r->bad = true;
            break;
        case EXC_SF_U64:
            store_unsigned(p, f[i].size, exc_sf_get_u64(r));
            break;
        case EXC_SF_U32:
            store_unsigned(p, f[i].size, exc_sf_get_u32(r));
            break;
        case EXC_SF_I64: {
            int64_t v = exc_sf_get_i64(r);
            memcpy(p, &v, sizeof v);
            break;
        }
        case EXC_SF_BOOL: {
            bool v = exc_sf_get_bool(r);
            memcpy(p, &v, sizeof v);
            break;
        }
        case EXC_SF_ENUM: {
            int v = get_enum(r, &f[i]);
            memcpy(p, &v, sizeof v);
            break;
        }
        case EXC_SF_OPT32:
        case EXC_SF_OPT64: {
            bool known = exc_sf_get_bool(r);
            uint64_t v = f[i].kind == EXC_SF_OPT32 ? exc_sf_get_u32(r) : exc_sf_get_u64(r);
            if (!known && v != 0)
                r->bad = true;
            memcpy(base + f[i].known, &known, sizeof known);
            store_unsigned(p, f[i].size, v);
            break;
        }
        }
    }
}

void exc_sf_copy_fields(void *dst, const void *src, const exc_sf_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        memcpy((char *)dst + f[i].off, (const char *)src + f[i].off, f[i].size);
        if (f[i].kind == EXC_SF_OPT32 || f[i].kind == EXC_SF_OPT64)
            memcpy((char *)dst + f[i].known, (const char *)src + f[i].known, sizeof(bool));
    }
}

bool exc_sf_get_record(exc_sf_reader *r, void *rec, size_t size, const exc_sf_field *f,
                       size_t n)
{
    memset(rec, 0, size);
    exc_sf_get_fields(r, rec, f, n);
    return exc_sf_at_end(r);
}
