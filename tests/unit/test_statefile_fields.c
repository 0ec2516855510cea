/* Records described by a table of fields (statefile.h, exc_sf_*_fields):
 * the table's writer puts each kind as the hand-written writers did, its
 * reader reads it back, and a malformed or out-of-range field marks the
 * record bad. */
#include "cu_main.h"
#include "statefile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { bool known; uint32_t v; } opt32;
typedef struct { bool known; uint64_t v; } opt64;

typedef struct rec {
    char name[8];
    char text[8];
    uint64_t big;
    uint32_t small;
    int64_t sig;
    bool flag;
    int color;   /* 1 red, 2 green */
    int level;   /* 3..5 */
    opt32 o32;
    opt64 o64;
} rec;

static const char *color_name(int v) { return v == 1 ? "red" : v == 2 ? "green" : NULL; }

static const exc_sf_field fields[] = {
    EXC_SF_F_NAME(rec, name),   EXC_SF_F_STR(rec, text),  EXC_SF_F_U64(rec, big),
    EXC_SF_F_U32(rec, small),   EXC_SF_F_I64(rec, sig),   EXC_SF_F_BOOL(rec, flag),
    EXC_SF_F_ENUM(rec, color, color_name), EXC_SF_F_RANGE(rec, level, 3, 5),
    EXC_SF_F_OPT32(rec, o32),   EXC_SF_F_OPT64(rec, o64),
};
#define N EXC_SF_NFIELDS(fields)

static char *write_rec(const rec *x)
{
    size_t len = 0;
    exc_sf_writer w = {0};
    exc_sf_begin(&w, "tst");
    exc_sf_put_fields(&w, x, fields, N);
    exc_sf_end(&w);
    return exc_sf_take(&w, &len);
}

/* Reads the one record of text into *x; returns !bad.  whole: with
 * exc_sf_get_record, over a *x filled with junk (it zeroes it first). */
static bool read_any(const char *text, rec *x, bool whole)
{
    FILE *fp = fmemopen((void *)text, strlen(text), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    exc_sf_reader r;
    memset(&r, 0, sizeof r);
    r.fp = fp;
    const char *tag = exc_sf_next(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tag);
    CU_ASSERT_STRING_EQUAL(tag, "tst");
    bool ok;
    if (whole) {
        memset(x, 0xAB, sizeof *x);
        ok = EXC_SF_GET_RECORD(&r, x, fields);
    } else {
        memset(x, 0, sizeof *x);
        exc_sf_get_fields(&r, x, fields, N);
        ok = exc_sf_at_end(&r);
    }
    exc_sf_reader_free(&r);
    fclose(fp);
    return ok;
}

static bool read_rec(const char *text, rec *x) { return read_any(text, x, false); }
static bool get_record(const char *text, rec *x) { return read_any(text, x, true); }

static rec sample(void)
{
    rec x;
    memset(&x, 0, sizeof x);
    strcpy(x.name, "A B");
    x.big = UINT64_MAX;
    x.small = 4000000000u;
    x.sig = -42;
    x.flag = true;
    x.color = 2;
    x.level = 5;
    x.o32 = (opt32){ true, 7 };
    x.o64 = (opt64){ false, 99 };   /* not known: written as 0 */
    return x;
}

static void test_write(void)
{
    rec x = sample();
    char *text = write_rec(&x);
    CU_ASSERT_STRING_EQUAL(text, "tst A%20B % 18446744073709551615 4000000000 -42 1 2 5 1 7 0 0\n");
    free(text);
}

static void test_round_trip(void)
{
    rec x = sample(), y;
    char *text = write_rec(&x);
    CU_ASSERT_TRUE(read_rec(text, &y));
    free(text);
    x.o64.v = 0;
    CU_ASSERT_STRING_EQUAL(y.name, x.name);
    CU_ASSERT_STRING_EQUAL(y.text, "");
    CU_ASSERT_TRUE(y.big == x.big && y.small == x.small && y.sig == x.sig);
    CU_ASSERT_TRUE(y.flag && y.color == 2 && y.level == 5);
    CU_ASSERT_TRUE(y.o32.known && y.o32.v == 7 && !y.o64.known && y.o64.v == 0);

    rec z;
    memset(&z, 0, sizeof z);
    exc_sf_copy_fields(&z, &y, fields, N);
    CU_ASSERT_EQUAL(memcmp(&z, &y, sizeof z), 0);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "tst % % 1 1 1 1 1 3 0 0 0 0\n",           /* empty name */
        "tst a % 1 4294967296 1 1 1 3 0 0 0 0\n",  /* u32 too large */
        "tst a % 1 1 1 2 1 3 0 0 0 0\n",           /* bool 2 */
        "tst a % 1 1 1 1 3 3 0 0 0 0\n",           /* no such color */
        "tst a % 1 1 1 1 1 6 0 0 0 0\n",           /* level out of range */
        "tst a % 1 1 1 1 1 2 0 0 0 0\n",           /* level below range */
        "tst a % 1 1 1 1 1 3 0 5 0 0\n",           /* unknown with a value */
        "tst a % 1 1 1 1 1 3 0 0 2 0\n",           /* known 2 */
        "tst a % 1 1 1 1 1 3 0 0 0\n",             /* a field missing */
        "tst a % 1 1 1 1 1 3 0 0 0 0 9\n",         /* a field too many */
    };
    rec x;
    CU_ASSERT_TRUE(read_rec("tst a % 1 1 1 1 1 3 0 0 0 0\n", &x));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_FALSE(read_rec(bad[i], &x));
}

static void test_get_record(void)
{
    rec x;
    CU_ASSERT_TRUE(get_record("tst a % 1 1 1 1 1 3 0 0 0 0\n", &x));
    CU_ASSERT_STRING_EQUAL(x.text, "");
    CU_ASSERT_TRUE(!x.o32.known && x.o32.v == 0 && !x.o64.known && x.o64.v == 0);
    CU_ASSERT_FALSE(get_record("tst a % 1 1 1 1 1 3 0 0 0 0 9\n", &x));
    CU_ASSERT_FALSE(get_record("tst a % 1 1 1 1 1 3 0 0 0\n", &x));
}

/* A sink that collects what it is given; fail_after: refuse the call after
 * that many (0: never). */
typedef struct sink_buf {
    char out[1 << 19];
    size_t len;
    unsigned calls, fail_after;
} sink_buf;

static bool to_buf(void *cookie, const char *b, size_t n)
{
    sink_buf *s = cookie;
    if (s->fail_after && s->calls >= s->fail_after)
        return false;
    s->calls++;
    CU_ASSERT_FATAL(s->len + n <= sizeof s->out);
    memcpy(s->out + s->len, b, n);
    s->len += n;
    return true;
}

static void put_lines(exc_sf_writer *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        exc_sf_begin(w, "row");
        exc_sf_u64(w, i);
        exc_sf_str(w, "a value with spaces and % in it");
        exc_sf_end(w);
    }
}

/* The buffered writer: a sink gets, in order, exactly what a buffer-only
 * writer holds; nothing goes out while held; a dropped hold takes back
 * what was written since; the hash of a span is exc_sf_hash of its octets. */
static void test_buffered_writer(void)
{
    exc_sf_writer mem = {0};
    put_lines(&mem, 3000);
    size_t len = 0;
    char *all = exc_sf_take(&mem, &len);
    CU_ASSERT_FATAL(len > 2 * EXC_SF_FLUSH_AT && len < (1 << 18));
    CU_ASSERT_EQUAL(all[len], '\0');

    static sink_buf s;
    memset(&s, 0, sizeof s);
    exc_sf_writer w = {.sink = to_buf, .cookie = &s};
    put_lines(&w, 3000);
    CU_ASSERT_TRUE(s.calls >= 2);               /* flushed as it filled */
    CU_ASSERT_TRUE(w.len < EXC_SF_FLUSH_AT);
    CU_ASSERT_TRUE(exc_sf_flush(&w));
    CU_ASSERT_EQUAL(w.len, 0);
    CU_ASSERT_TRUE(s.len == len && memcmp(s.out, all, len) == 0);

    /* a hold: no flush however much is written, the span hashed, dropped */
    unsigned calls = s.calls;
    size_t at = exc_sf_hold(&w);
    put_lines(&w, 3000);
    CU_ASSERT_EQUAL(s.calls, calls);
    CU_ASSERT_TRUE(exc_sf_flush(&w));           /* a flush inside a hold: nothing goes */
    CU_ASSERT_EQUAL(s.calls, calls);
    CU_ASSERT_EQUAL(w.len - at, len);
    CU_ASSERT_EQUAL(exc_sf_hash_since(&w, at), exc_sf_hash(all, len));
    CU_ASSERT_NOT_EQUAL(exc_sf_hash(all, len), exc_sf_hash(all, len - 1));
    exc_sf_release(&w, at, true);
    CU_ASSERT_EQUAL(w.len, at);
    CU_ASSERT_TRUE(exc_sf_flush(&w));
    CU_ASSERT_EQUAL(s.len, len);                /* the dropped span never went out */

    /* a sink that fails: the writer says so and writes nothing more */
    s.fail_after = s.calls;
    put_lines(&w, 3000);
    CU_ASSERT_TRUE(w.failed);
    CU_ASSERT_FALSE(exc_sf_flush(&w));
    CU_ASSERT_EQUAL(s.len, len);
    exc_sf_discard(&w);
    free(all);
}

/* What w holds is want (w emptied). */
static void expect_written(exc_sf_writer *w, const char *want)
{
    size_t len;
    char *got = exc_sf_take(w, &len);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

/* Numbers are formatted by hand: each as printf would, at every length. */
static void test_numbers(void)
{
    uint64_t u[] = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 1796411032487ull,
                    10000000000000000000ull, UINT64_MAX};
    int64_t s[] = {0, -1, -9, -10, -99, -100, -101, 42, INT64_MAX, INT64_MIN};
    char want[64];
    exc_sf_writer w = {0};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        exc_sf_u64(&w, u[i]);
        snprintf(want, sizeof want, " %" PRIu64, u[i]);
        expect_written(&w, want);
    }
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        exc_sf_i64(&w, s[i]);
        snprintf(want, sizeof want, " %" PRId64, s[i]);
        expect_written(&w, want);
    }
}

void exc_register_tests(void)
{
    static CU_TestInfo tests[] = {
        { "writes each kind", test_write },
        { "reads back what it wrote", test_round_trip },
        { "a malformed field marks the record bad", test_malformed },
        { "a whole record, zeroed first", test_get_record },
        { "the buffered writer: sink, hold, hash", test_buffered_writer },
        { "numbers as printf writes them", test_numbers },
        CU_TEST_INFO_NULL,
    };
    exc_add_suite("statefile_fields", NULL, NULL, tests);
}
