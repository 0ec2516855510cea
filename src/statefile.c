#define _GNU_SOURCE
#include "statefile.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void put(exc_sf_writer *w, const char *s)
{
    if (!w->failed && fputs(s, w->fp) == EOF)
        w->failed = true;
}

void exc_sf_begin(exc_sf_writer *w, const char *tag) { put(w, tag); }

void exc_sf_str(exc_sf_writer *w, const char *s)
{
    char buf[8];
    put(w, " ");
    if (s == NULL || *s == '\0') {
        put(w, "%"); /* a lone % is the empty string */
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == '%' || *p == 0x7f) {
            snprintf(buf, sizeof buf, "%%%02X", *p);
            put(w, buf);
        } else {
            buf[0] = (char)*p;
            buf[1] = '\0';
            put(w, buf);
        }
    }
}

void exc_sf_u64(exc_sf_writer *w, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, " %" PRIu64, v);
    put(w, buf);
}

void exc_sf_i64(exc_sf_writer *w, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, " %" PRId64, v);
    put(w, buf);
}

void exc_sf_end(exc_sf_writer *w) { put(w, "\n"); }

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
