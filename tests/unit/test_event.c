/* Windows event parser (src/event.c): root-less wevtutil output, a wrapping
 * root, namespaces, encodings, the fields SPEC §3 uses, limits, and the
 * hostile event files of tests/data/hostile. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "event.h"
#include "util.h"

#define EV(rel) EXC_TEST_DATA("events/" rel)
#define HOST(rel) EXC_TEST_DATA("hostile/" rel)
#define NS "http://schemas.microsoft.com/win/2004/08/events/event"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    *len = got;
    return buf;
}

static bool reason_has(const exc_err *e, const char *kws)
{
    char buf[300], alt[200];
    exc_err_format(e, buf, sizeof buf);
    snprintf(alt, sizeof alt, "%s", kws);
    for (char *save = NULL, *k = strtok_r(alt, "|", &save); k; k = strtok_r(NULL, "|", &save))
        if (strstr(buf, k) != NULL)
            return true;
    return false;
}

static int64_t ts(const char *iso)
{
    int64_t t = -1;
    CU_ASSERT_TRUE(exc_parse_iso8601(iso, &t));
    return t;
}

static bool parse_file(const char *path, exc_event_batch *b, exc_err *e)
{
    return exc_events_parse_file(path, 1 << 20, b, e);
}

static bool parse_str(const char *s, exc_event_batch *b, exc_err *e)
{
    return exc_events_parse_memory(s, strlen(s), b, e);
}

/* one event with the given System content and extra children */
static char *event_doc(const char *system, const char *after)
{
    size_t n = strlen(system) + strlen(after) + 256;
    char *d = malloc(n);
    snprintf(d, n, "<Event xmlns='" NS "'><System>%s</System>%s</Event>", system, after);
    return d;
}

#define SYS_OK                                                                                   \
    "<Provider Name='MSExchangeIMC'/><EventID>4087</EventID>"                                    \
    "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>EXCH05</Computer>"

static void expect_reject(const char *doc, const char *kws, int line)
{
    exc_event_batch b = {.n = 77, .events = (exc_event *)&b};
    exc_err e;
    bool ok = parse_str(doc, &b, &e);
    CU_ASSERT_FALSE(ok);
    if (ok) {
        fprintf(stderr, "\n  accepted: %s\n", doc);
        exc_events_free(&b);
        return;
    }
    CU_ASSERT_EQUAL(b.n, 77);   /* untouched */
    bool kw = reason_has(&e, kws), ln = line < 0 || e.line == line;
    if (!kw || !ln)
        fprintf(stderr, "\n  reason line %d \"%s\" (want \"%s\" line %d) for %.80s\n", e.line,
                e.msg, kws, line, doc);
    CU_ASSERT(kw);
    CU_ASSERT(ln);
}

/* -------------------------------------------------------------------- */

static void test_rootless(void)
{
    exc_event_batch b;
    exc_err e;
    CU_ASSERT_TRUE_FATAL(parse_file(EV("wevtutil-rootless.xml"), &b, &e));
    CU_ASSERT_EQUAL_FATAL(b.n, 3);
    const exc_event *v = b.events;
    CU_ASSERT_STRING_EQUAL(v[0].provider, "MSExchangeMTA");
    CU_ASSERT_EQUAL(v[0].id, 9298);
    CU_ASSERT_EQUAL(v[0].level, 4);
    CU_ASSERT_EQUAL(v[0].time, ts("2026-11-22T09:58:01Z"));
    CU_ASSERT_EQUAL(v[0].record_id, 1001);
    CU_ASSERT_STRING_EQUAL(v[0].server, "EXCH01");   /* exch01.corp.example */
    CU_ASSERT_EQUAL(v[0].n_data, 1);
    CU_ASSERT_STRING_EQUAL(v[0].data[0], "X.400 to PARIS");
    CU_ASSERT_PTR_NULL(v[0].message);

    CU_ASSERT_STRING_EQUAL(v[1].provider, "MSExchangeCCMC");
    CU_ASSERT_EQUAL(v[1].id, 70);
    CU_ASSERT_EQUAL(v[1].level, 2);
    CU_ASSERT_EQUAL(v[1].time, ts("2026-11-22T09:59:30Z"));   /* .1234567 dropped */
    CU_ASSERT_EQUAL(v[1].record_id, 1002);
    CU_ASSERT_STRING_EQUAL(v[1].server, "EXCH01");
    CU_ASSERT_EQUAL_FATAL(v[1].n_data, 2);
    CU_ASSERT_STRING_EQUAL(v[1].data[0],
                           "cc:Mail EXPORT to file msg0001.ccm returned result code 3");
    CU_ASSERT_STRING_EQUAL(v[1].data[1], "3");

    CU_ASSERT_STRING_EQUAL(v[2].provider, "MSExchangeIMC");
    CU_ASSERT_EQUAL(v[2].id, 4087);
    CU_ASSERT_EQUAL(v[2].time, ts("2026-11-22T10:00:05Z"));
    CU_ASSERT_EQUAL(v[2].record_id, 1003);
    exc_events_free(&b);
    CU_ASSERT_EQUAL(b.n, 0);
    CU_ASSERT_PTR_NULL(b.events);
    exc_events_free(&b);
}

static void test_wrapped(void)
{
    exc_event_batch b;
    exc_err e;
    CU_ASSERT_TRUE_FATAL(parse_file(EV("wrapped-events.xml"), &b, &e));
    CU_ASSERT_EQUAL_FATAL(b.n, 2);
    CU_ASSERT_STRING_EQUAL(b.events[0].provider, "MSExchangeCCMC");
    CU_ASSERT_EQUAL(b.events[0].id, 70);
    CU_ASSERT_EQUAL(b.events[0].time, ts("2026-11-22T10:01:00Z"));   /* 9 fraction digits */
    CU_ASSERT_EQUAL(b.events[0].record_id, 2001);
    CU_ASSERT_STRING_EQUAL(b.events[0].server, "EXCH04");
    CU_ASSERT_STRING_EQUAL(b.events[1].provider, "MSExchangeIS");
    CU_ASSERT_EQUAL(b.events[1].id, 1000);
    CU_ASSERT_EQUAL(b.events[1].level, -1);
    CU_ASSERT_EQUAL(b.events[1].record_id, 0);
    CU_ASSERT_EQUAL(b.events[1].n_data, 0);
    exc_events_free(&b);

    /* any root name, also namespaced, also holding a single event */
    CU_ASSERT_TRUE_FATAL(parse_str("<x:Batch xmlns:x='urn:x'><Event xmlns='" NS "'><System>" SYS_OK
                                   "</System></Event></x:Batch>",
                                   &b, &e));
    CU_ASSERT_EQUAL(b.n, 1);
    exc_events_free(&b);
}

static void test_no_namespace(void)
{
    exc_event_batch b;
    exc_err e;
    CU_ASSERT_TRUE_FATAL(parse_file(EV("no-namespace.xml"), &b, &e));
    CU_ASSERT_EQUAL_FATAL(b.n, 2);
    CU_ASSERT_STRING_EQUAL(b.events[0].provider, "MSExchangeIMC");
    CU_ASSERT_EQUAL(b.events[0].id, 4087);
    CU_ASSERT_EQUAL(b.events[0].time, ts("2026-11-22T10:04:00Z"));   /* +00:00 */
    CU_ASSERT_STRING_EQUAL(b.events[1].server, "EXCH04");
    CU_ASSERT_EQUAL(b.events[1].id, 70);
    exc_events_free(&b);
    /* a prefixed event namespace is the same namespace */
    CU_ASSERT_TRUE_FATAL(parse_str("<e:Event xmlns:e='" NS "'><e:System>"
                                   "<e:Provider Name='P'/><e:EventID>5</e:EventID>"
                                   "<e:TimeCreated SystemTime='2026-11-22T10:00:00Z'/>"
                                   "<e:Computer>H</e:Computer></e:System></e:Event>",
                                   &b, &e));
    CU_ASSERT_EQUAL(b.events[0].id, 5);
    exc_events_free(&b);
}

static void test_kb_events(void)
{
    exc_event_batch b;
    exc_err e;
    /* Q166045 with a rendered message */
    CU_ASSERT_TRUE_FATAL(parse_file(EV("q166045-ccmc-70.xml"), &b, &e));
    CU_ASSERT_EQUAL_FATAL(b.n, 1);
    CU_ASSERT_STRING_EQUAL(b.events[0].provider, "MSExchangeCCMC");
    CU_ASSERT_EQUAL(b.events[0].id, 70);
    CU_ASSERT_STRING_EQUAL(b.events[0].server, "EXCH04");
    CU_ASSERT_EQUAL(b.events[0].record_id, 40070);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.events[0].message);
    CU_ASSERT_STRING_EQUAL(b.events[0].message,
                           "cc:Mail EXPORT to file msg0001.ccm returned result code 3");
    exc_events_free(&b);
    /* Q182346: Qualifiers, FQDN, UserData skipped */
    CU_ASSERT_TRUE_FATAL(parse_file(EV("q182346-imc-4087.xml"), &b, &e));
    CU_ASSERT_EQUAL_FATAL(b.n, 1);
    CU_ASSERT_STRING_EQUAL(b.events[0].provider, "MSExchangeIMC");
    CU_ASSERT_EQUAL(b.events[0].id, 4087);
    CU_ASSERT_EQUAL(b.events[0].level, 2);
    CU_ASSERT_STRING_EQUAL(b.events[0].server, "EXCH05");
    CU_ASSERT_EQUAL(b.events[0].n_data, 1);
    exc_events_free(&b);
    /* the negative: id 70 from another provider parses as such */
    CU_ASSERT_TRUE_FATAL(parse_file(EV("negative-70-other-provider.xml"), &b, &e));
    CU_ASSERT_STRING_EQUAL(b.events[0].provider, "MSExchangeIS");
    CU_ASSERT_EQUAL(b.events[0].id, 70);
    exc_events_free(&b);
}

static void test_event_id_bits(void)
{
    exc_event_batch b;
    exc_err e;
    CU_ASSERT_TRUE_FATAL(parse_file(EV("ccmc-eventid-65606.xml"), &b, &e));
    CU_ASSERT_EQUAL(b.events[0].id, 70);   /* 0x10046 */
    CU_ASSERT_EQUAL(b.events[0].time, ts("2026-11-22T10:06:00Z"));
    exc_events_free(&b);
    /* a classic full 32-bit id (severity bits set): low 16 bits */
    char *d = event_doc("<Provider Name='P'/><EventID> 3221229559 </EventID>"
                        "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>",
                        "");
    CU_ASSERT_TRUE_FATAL(parse_str(d, &b, &e));
    CU_ASSERT_EQUAL(b.events[0].id, 4087);   /* 0xC0000FF7 */
    exc_events_free(&b);
    free(d);
    expect_reject("<Event><System><Provider Name='P'/><EventID>4294967296</EventID>"
                  "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>"
                  "</System></Event>",
                  "EventID \"4294967296\" is not a number", 1);
    expect_reject("<Event><System><Provider Name='P'/><EventID>-70</EventID>"
                  "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>"
                  "</System></Event>",
                  "EventID", 1);
    expect_reject("<Event><System><Provider Name='P'/><EventID></EventID>"
                  "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>"
                  "</System></Event>",
                  "EventID \"\" is not a number", 1);
    expect_reject("<Event><System><Provider Name='P'/><EventID Qualifiers='x'>1</EventID>"
                  "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>"
                  "</System></Event>",
                  "Qualifiers", 1);
    expect_reject("<Event><System><Provider Name='P'/><EventID>1<b/></EventID>"
                  "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>"
                  "</System></Event>",
                  "unexpected element <b>", 1);
}

static void test_times(void)
{
    exc_event_batch b;
    exc_err e;
    const char *good[] = {"2026-11-22T10:00:00.1234567Z", "2026-11-22T10:00:00.123456789Z",
                          "2026-11-22T10:00:00.1Z", "2026-11-22T10:00:00Z",
                          /* python-evtx's isoformat(' '), naive (0.6) or with a zone */
                          "2026-11-22 10:00:00.354563", "2026-11-22 10:00:00",
                          "2026-11-22 10:00:00.354563+00:00", "2026-11-22 10:00:00+00:00",
                          "2026-11-22 10:00:00Z"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char sys[256];
        snprintf(sys, sizeof sys,
                 "<Provider Name='P'/><EventID>1</EventID><TimeCreated SystemTime='%s'/>"
                 "<Computer>H</Computer>",
                 good[i]);
        char *d = event_doc(sys, "");
        CU_ASSERT_TRUE(parse_str(d, &b, &e));
        if (b.n == 1)
            CU_ASSERT_EQUAL(b.events[0].time, ts("2026-11-22T10:00:00Z"));
        exc_events_free(&b);
        free(d);
    }
    const char *bad[] = {"2026-11-22T10:00:00.1234567890Z", "2026-11-22T10:00:00.Z",
                         "2026-11-22 10:00:00+01:00", "2026-11-22T10:00:00", "",
                         "2026-11-22 10:00:00.", "2026-11-22 10:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char sys[256];
        snprintf(sys, sizeof sys,
                 "<Provider Name='P'/><EventID>1</EventID><TimeCreated SystemTime='%s'/>"
                 "<Computer>H</Computer>",
                 bad[i]);
        char *d = event_doc(sys, "");
        expect_reject(d, "ISO 8601", 1);
        free(d);
    }
    char *d = event_doc("<Provider Name='P'/><EventID>1</EventID><TimeCreated/>"
                        "<Computer>H</Computer>",
                        "");
    expect_reject(d, "without SystemTime", 1);
    free(d);
}

static void test_fields(void)
{
    exc_event_batch b;
    exc_err e;
    /* Level, EventRecordID at their limits; other System children skipped;
     * foreign-namespace look-alikes ignored; RenderingInfo's own Level ignored */
    char *d = event_doc(
        "<Provider Name='MSExchangeIMC' Guid='{00000000-0000-0000-0000-000000000000}' "
        "EventSourceName='MSExchangeIMC'/><EventID Qualifiers='65535'>4087</EventID>"
        "<Version>0</Version><Level>255</Level><Task>0</Task><Opcode>0</Opcode>"
        "<Keywords>0x80000000000000</Keywords>"
        "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/>"
        "<EventRecordID>18446744073709551615</EventRecordID>"
        "<Correlation/><Execution ProcessID='1' ThreadID='2'/><Channel>Application</Channel>"
        "<Computer>\n  exch05.corp.example  \n</Computer><Security UserID='S-1-5-18'/>"
        "<x:EventID xmlns:x='urn:x'>70</x:EventID><x:Computer xmlns:x='urn:x'>OTHER</x:Computer>",
        "<EventData><Data Name='a'>one</Data><Binary>00FF</Binary><Data/><Data Name='c'>th&amp;ree"
        "</Data></EventData>"
        "<RenderingInfo Culture='en-US'><Level>Error</Level><Message>first</Message>"
        "<Message>second</Message></RenderingInfo>"
        "<UserData><Deep><Deeper a='1'>x</Deeper></Deep></UserData>");
    CU_ASSERT_TRUE_FATAL(parse_str(d, &b, &e));
    free(d);
    const exc_event *v = &b.events[0];
    CU_ASSERT_EQUAL(v->id, 4087);
    CU_ASSERT_EQUAL(v->level, 255);
    CU_ASSERT_EQUAL(v->record_id, UINT64_MAX);
    CU_ASSERT_STRING_EQUAL(v->server, "EXCH05");
    CU_ASSERT_EQUAL_FATAL(v->n_data, 3);
    CU_ASSERT_STRING_EQUAL(v->data[0], "one");
    CU_ASSERT_STRING_EQUAL(v->data[1], "");
    CU_ASSERT_STRING_EQUAL(v->data[2], "th&ree");
    CU_ASSERT_STRING_EQUAL(v->message, "first");
    exc_events_free(&b);

    /* 128-octet provider accepted, 129 rejected */
    char sys[512], name[130];
    memset(name, 'p', 129);
    name[128] = '\0';
    snprintf(sys, sizeof sys,
             "<Provider Name='%s'/><EventID>1</EventID>"
             "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>",
             name);
    d = event_doc(sys, "");
    CU_ASSERT_TRUE(parse_str(d, &b, &e));
    CU_ASSERT_EQUAL(strlen(b.events[0].provider), 128);
    exc_events_free(&b);
    free(d);
    name[128] = 'p';
    name[129] = '\0';
    snprintf(sys, sizeof sys,
             "<Provider Name='%s'/><EventID>1</EventID>"
             "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>",
             name);
    d = event_doc(sys, "");
    expect_reject(d, "provider name longer than 128", 1);
    free(d);

    /* Level, EventRecordID empty = absent; bad = rejected */
    d = event_doc(SYS_OK "<Level/><EventRecordID></EventRecordID>", "");
    CU_ASSERT_TRUE_FATAL(parse_str(d, &b, &e));
    CU_ASSERT_EQUAL(b.events[0].level, -1);
    CU_ASSERT_EQUAL(b.events[0].record_id, 0);
    exc_events_free(&b);
    free(d);
    d = event_doc(SYS_OK "<Level>256</Level>", "");
    expect_reject(d, "Level \"256\"", 1);
    free(d);
    d = event_doc(SYS_OK "<EventRecordID>18446744073709551616</EventRecordID>", "");
    expect_reject(d, "EventRecordID", 1);
    free(d);
    d = event_doc(SYS_OK "<Provider Name='Q'/>", "");
    expect_reject(d, "duplicate <Provider>", 1);
    free(d);
    d = event_doc(SYS_OK "<Computer>X</Computer>", "");
    expect_reject(d, "duplicate <Computer>", 1);
    free(d);
    d = event_doc("<Provider/><EventID>1</EventID>"
                  "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>",
                  "");
    expect_reject(d, "<Provider> without Name", 1);
    free(d);
    d = event_doc("<Provider Name='a&#x7F;b'/><EventID>1</EventID>"
                  "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>H</Computer>",
                  "");
    expect_reject(d, "control character", 1);
    free(d);

    /* Computer: the part before the first dot, a valid server name */
    const struct {
        const char *computer, *server;
    } comp[] = {{"exch01.corp.example", "EXCH01"}, {"Exch-02", "EXCH-02"}, {"h.", "H"},
                {"SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS.x", "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"}};
    for (size_t i = 0; i < sizeof comp / sizeof comp[0]; i++) {
        snprintf(sys, sizeof sys,
                 "<Provider Name='P'/><EventID>1</EventID>"
                 "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>%s</Computer>",
                 comp[i].computer);
        d = event_doc(sys, "");
        CU_ASSERT_TRUE(parse_str(d, &b, &e));
        if (b.n == 1)
            CU_ASSERT_STRING_EQUAL(b.events[0].server, comp[i].server);
        exc_events_free(&b);
        free(d);
    }
    const char *badcomp[] = {"", ".corp.example", "EXCH 01", "exch01/x",
                             "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS.corp"};
    for (size_t i = 0; i < sizeof badcomp / sizeof badcomp[0]; i++) {
        snprintf(sys, sizeof sys,
                 "<Provider Name='P'/><EventID>1</EventID>"
                 "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/><Computer>%s</Computer>",
                 badcomp[i]);
        d = event_doc(sys, "");
        expect_reject(d, "server name", 1);
        free(d);
    }
}

/* Data: at most EXC_EVENT_MAX_DATA kept, each cut to EXC_EVENT_DATA_MAX
 * octets at a character boundary; Message cut to EXC_EVENT_MESSAGE_MAX. */
static void test_limits(void)
{
    size_t cap = 64 * 1024;
    char *after = malloc(cap);
    size_t o = (size_t)snprintf(after, cap, "<EventData>");
    for (int i = 0; i < EXC_EVENT_MAX_DATA + 5; i++)
        o += (size_t)snprintf(after + o, cap - o, "<Data>d%d</Data>", i);
    /* a message of 3-octet characters: the limit falls inside one */
    o += (size_t)snprintf(after + o, cap - o, "</EventData><RenderingInfo><Message>");
    for (int i = 0; i < 3000; i++)
        o += (size_t)snprintf(after + o, cap - o, "\xe2\x82\xac");   /* 9000 octets */
    snprintf(after + o, cap - o, "</Message></RenderingInfo>");
    char *d = event_doc(SYS_OK, after);
    exc_event_batch b;
    exc_err e;
    CU_ASSERT_TRUE_FATAL(parse_str(d, &b, &e));
    CU_ASSERT_EQUAL(b.events[0].n_data, EXC_EVENT_MAX_DATA);
    CU_ASSERT_STRING_EQUAL(b.events[0].data[0], "d0");
    CU_ASSERT_STRING_EQUAL(b.events[0].data[EXC_EVENT_MAX_DATA - 1], "d31");
    size_t ml = strlen(b.events[0].message);
    CU_ASSERT(ml <= EXC_EVENT_MESSAGE_MAX && ml > EXC_EVENT_MESSAGE_MAX - 3);
    CU_ASSERT_EQUAL(ml % 3, 0);
    CU_ASSERT_TRUE(exc_utf8_valid(b.events[0].message, ml));
    exc_events_free(&b);
    free(d);

    o = (size_t)snprintf(after, cap, "<EventData><Data>x");
    for (int i = 0; i < 2000; i++)
        o += (size_t)snprintf(after + o, cap - o, "\xc3\xa9");   /* 1 + 4000 octets */
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(after + o, cap - o, "\xe2\x82\xac");   /* + 300 */
    snprintf(after + o, cap - o, "</Data></EventData>");
    d = event_doc(SYS_OK, after);
    CU_ASSERT_TRUE_FATAL(parse_str(d, &b, &e));
    size_t dl = strlen(b.events[0].data[0]);
    CU_ASSERT(dl <= EXC_EVENT_DATA_MAX && dl > EXC_EVENT_DATA_MAX - 3);
    CU_ASSERT_EQUAL(dl, 4096 - 2);   /* x + 2000*2 + 31*3 = 4094; the 32nd euro would end at 4097 */
    CU_ASSERT_TRUE(exc_utf8_valid(b.events[0].data[0], dl));
    exc_events_free(&b);
    free(d);
    free(after);
}

static void test_encodings(void)
{
    exc_event_batch b, w;
    exc_err e;
    /* UTF-16LE with BOM (Windows PowerShell Out-File) = the UTF-8 file */
    CU_ASSERT_TRUE_FATAL(parse_file(EV("utf16le-bom.xml"), &b, &e));
    CU_ASSERT_TRUE_FATAL(parse_file(EV("wrapped-events.xml"), &w, &e));
    CU_ASSERT_EQUAL_FATAL(b.n, w.n);
    for (size_t i = 0; i < b.n; i++) {
        CU_ASSERT_STRING_EQUAL(b.events[i].provider, w.events[i].provider);
        CU_ASSERT_EQUAL(b.events[i].id, w.events[i].id);
        CU_ASSERT_EQUAL(b.events[i].time, w.events[i].time);
        CU_ASSERT_STRING_EQUAL(b.events[i].server, w.events[i].server);
        CU_ASSERT_EQUAL(b.events[i].n_data, w.events[i].n_data);
    }
    exc_events_free(&b);
    exc_events_free(&w);

    /* UTF-16BE with BOM, built here; and a UTF-8 BOM before the declaration */
    const char *src = "<?xml version='1.0' encoding='UTF-16'?>\n<Event><System>" SYS_OK
                      "</System><EventData><Data>\xc3\xa9t\xc3\xa9</Data></EventData></Event>";
    /* ASCII apart from U+00E9: encode by hand */
    size_t n = strlen(src);
    unsigned char *be = malloc(2 * n + 2);
    size_t k = 0;
    be[k++] = 0xfe;
    be[k++] = 0xff;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)src[i];
        if (c == 0xc3) {
            c = 0xc0 | ((unsigned char)src[++i] & 0x3f);
        }
        be[k++] = (unsigned char)(c >> 8);
        be[k++] = (unsigned char)c;
    }
    CU_ASSERT_TRUE_FATAL(exc_events_parse_memory((const char *)be, k, &b, &e));
    CU_ASSERT_STRING_EQUAL(b.events[0].data[0], "\xc3\xa9t\xc3\xa9");
    exc_events_free(&b);
    /* a truncated UTF-16 file (odd length) is rejected */
    CU_ASSERT_FALSE(exc_events_parse_memory((const char *)be, k - 3, &b, &e));
    free(be);

    CU_ASSERT_TRUE(parse_str("\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>"
                             "<Event><System>" SYS_OK "</System></Event>",
                             &b, &e));
    exc_events_free(&b);
    /* ISO-8859-1 declared: converted */
    CU_ASSERT_TRUE_FATAL(parse_str("<?xml version='1.0' encoding='ISO-8859-1'?>\n"
                                   "<Event><System>" SYS_OK "</System>"
                                   "<EventData><Data>caf\xe9</Data></EventData></Event>",
                                   &b, &e));
    CU_ASSERT_STRING_EQUAL(b.events[0].data[0], "caf\xc3\xa9");
    exc_events_free(&b);
    /* invalid UTF-8 */
    expect_reject("<Event><System>" SYS_OK "</System><EventData><Data>\xff</Data></EventData>"
                  "</Event>",
                  "UTF-8", 1);
    /* an unknown encoding */
    expect_reject("<?xml version='1.0' encoding='x-no-such'?><Event/>", "malformed", -1);
}

static void test_structure(void)
{
    exc_event_batch b;
    exc_err e;
    /* declaration, comments and PIs before; comments after; no root */
    CU_ASSERT_TRUE_FATAL(parse_str("<?xml version='1.0'?>\n<!-- a -->\n<?pi x?>\n"
                                   "<Event><System>" SYS_OK "</System></Event>\n<!-- b -->\n"
                                   "<Event><System>" SYS_OK "</System></Event>\n<!-- c -->\n",
                                   &b, &e));
    CU_ASSERT_EQUAL(b.n, 2);
    exc_events_free(&b);

    /* line numbers are the file's own, with and without a declaration */
    expect_reject("<?xml version='1.0'?>\n<!-- x -->\n<Event>\n<System>\n"
                  "<Provider Name='P'/><EventID>x</EventID></System></Event>",
                  "EventID \"x\"", 5);
    expect_reject("\n\n<Events>\n<Event><System>" SYS_OK "</System></Event>\n<Other/>\n</Events>",
                  "unexpected element <Other> inside <Events>", 5);
    expect_reject("<Event><System>" SYS_OK "</System></Event>\n\n<Other/>",
                  "unexpected top-level element <Other>", 3);
    expect_reject("<Events><Event><System>" SYS_OK "</System></Event></Events>\n"
                  "<Event><System>" SYS_OK "</System></Event>",
                  "after the root element", 2);
    expect_reject("<Events>text<Event><System>" SYS_OK "</System></Event></Events>",
                  "unexpected text inside <Events>", 1);
    expect_reject("<Event><System>" SYS_OK "</System></Event>\n<![CDATA[x]]>", "text outside", -1);
    expect_reject("\n<Event>\n</Event>", "event 1: missing <System/Provider>", 2);
    expect_reject("<Event><System><Provider Name='P'/><EventID>1</EventID>"
                  "<Computer>H</Computer></System></Event>",
                  "missing <System/TimeCreated>", 1);
    expect_reject("<Event><System><Provider Name='P'/><EventID>1</EventID>"
                  "<TimeCreated SystemTime='2026-11-22T10:00:00Z'/></System></Event>",
                  "missing <System/Computer>", 1);
    /* fields in a foreign namespace do not count */
    expect_reject("<Event xmlns='" NS "'><System xmlns='urn:x'>" SYS_OK "</System></Event>",
                  "missing <System/Provider>", 1);
    expect_reject("<Event xmlns='urn:x'><System>" SYS_OK "</System></Event>",
                  "<Event> in unknown namespace", 1);
    /* a file that would escape the virtual root */
    expect_reject("<Event><System>" SYS_OK "</System></Event></exconn-events><exconn-events>"
                  "<Event><System>" SYS_OK "</System></Event>",
                  "malformed", -1);
    expect_reject("</Events>", "malformed", -1);
    /* the XML declaration only at the very start */
    expect_reject("\n<?xml version='1.0'?><Event><System>" SYS_OK "</System></Event>",
                  "malformed", -1);
    /* DOCTYPE anywhere: in the prolog with its line, after the first event */
    expect_reject("<?xml version='1.0'?>\n<!-- c -->\n<!DOCTYPE Event>\n<Event/>", "DOCTYPE", 3);
    expect_reject("<Event><System>" SYS_OK "</System></Event>\n<!DOCTYPE Event>", "malformed|DOCTYPE",
                  -1);
    /* entity references are not expanded */
    expect_reject("<Event><System>" SYS_OK "</System><EventData><Data>&ent;</Data></EventData></Event>",
                  "malformed|entity", -1);
    /* empties */
    expect_reject("", "empty", 0);
    expect_reject("   \n\n", "no <Event>", 0);
    expect_reject("<!-- nothing -->", "no <Event>", 0);
    expect_reject("<Events/>", "no <Event>", 0);
    expect_reject("<Events></Events>", "no <Event>", 0);
    /* nesting: an element at depth EXC_EVENT_MAX_DEPTH below the file's top
     * is fine, one deeper is not (the virtual root is not counted) */
    char doc[4096];
    size_t o = (size_t)snprintf(doc, sizeof doc, "<Event><System>" SYS_OK "</System><UserData>");
    for (int i = 0; i < 15; i++)   /* Event=0 UserData=1, x at 2..16 */
        o += (size_t)snprintf(doc + o, sizeof doc - o, "<x>");
    for (int i = 0; i < 15; i++)
        o += (size_t)snprintf(doc + o, sizeof doc - o, "</x>");
    snprintf(doc + o, sizeof doc - o, "</UserData></Event>");
    CU_ASSERT_TRUE(parse_str(doc, &b, &e));
    exc_events_free(&b);
    o = (size_t)snprintf(doc, sizeof doc, "<Event><System>" SYS_OK "</System><UserData>");
    for (int i = 0; i < 16; i++)
        o += (size_t)snprintf(doc + o, sizeof doc - o, "<x>");
    for (int i = 0; i < 16; i++)
        o += (size_t)snprintf(doc + o, sizeof doc - o, "</x>");
    snprintf(doc + o, sizeof doc - o, "</UserData></Event>");
    expect_reject(doc, "nested deeper", 1);
}

static void test_file_limits(void)
{
    exc_event_batch b;
    exc_err e;
    CU_ASSERT_FALSE(exc_events_parse_file(EV("wevtutil-rootless.xml"), 200, &b, &e));
    CU_ASSERT(reason_has(&e, "too large"));
    CU_ASSERT_TRUE(exc_events_parse_file(EV("wevtutil-rootless.xml"), 0, &b, &e));
    exc_events_free(&b);
    CU_ASSERT_FALSE(exc_events_parse_file("/nonexistent/x.xml", 0, &b, &e));
    CU_ASSERT(reason_has(&e, "cannot open"));
    CU_ASSERT_FALSE(exc_events_parse_file(EXC_TEST_DATA("events"), 0, &b, &e));
    CU_ASSERT(reason_has(&e, "not a regular file"));
    /* NULL err allowed; a stale message in err does not block the parse */
    CU_ASSERT_TRUE(exc_events_parse_file(EV("wevtutil-rootless.xml"), 0, &b, NULL));
    exc_events_free(&b);
    exc_err_clear(&e);
    exc_err_set(&e, 1, "stale");
    CU_ASSERT_TRUE(exc_events_parse_file(EV("wevtutil-rootless.xml"), 0, &b, &e));
    exc_events_free(&b);

    /* a large root-less batch generated at run time: all in order */
    char dir[] = "/tmp/exconn-test-event-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/batch.xml", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 5000; i++)
        fprintf(f,
                "<Event xmlns='" NS "'><System><Provider Name='MSExchangeIMC'/>"
                "<EventID>%d</EventID><TimeCreated SystemTime='2026-11-22T10:00:00Z'/>"
                "<EventRecordID>%d</EventRecordID><Computer>EXCH%02d</Computer></System>"
                "<EventData><Data>%d</Data></EventData></Event>\n",
                i, i, i % 100, i);
    fclose(f);
    CU_ASSERT_TRUE_FATAL(exc_events_parse_file(path, 0, &b, &e));
    CU_ASSERT_EQUAL(b.n, 5000);
    bool in_order = true;
    for (size_t i = 0; i < b.n; i++)
        in_order = in_order && b.events[i].record_id == i && b.events[i].id == i;
    CU_ASSERT_TRUE(in_order);
    CU_ASSERT_STRING_EQUAL(b.events[4999].server, "EXCH99");
    exc_events_free(&b);
    /* a bad 4,000th event rejects the whole file, with its line */
    f = fopen(path, "a");
    fputs("<Event><System><Provider Name='P'/><EventID>bad</EventID></System></Event>\n", f);
    fclose(f);
    CU_ASSERT_FALSE(exc_events_parse_file(path, 0, &b, &e));
    CU_ASSERT(reason_has(&e, "EventID \"bad\""));
    CU_ASSERT_EQUAL(e.line, 5001);
    unlink(path);
    rmdir(dir);
}

static const struct hostile {
    const char *file, *kw;
    int line;
} hostile[] = {
    {"event-no-event.xml", "no <Event>", 0},
    {"event-missing-eventid.xml", "event 2: missing <System/EventID>", 9},
    {"event-eventid-nan.xml", "EventID \"forty\" is not a number", 4},
    {"event-deep-nesting.xml", "nested deeper", 3},
    {"event-xxe.xml", "DOCTYPE", 2},
    {"event-long-computer.xml", "server name is longer than 32", 6},
    {"event-bad-namespace.xml", "unknown namespace", 1},
    {"event-second-root.xml", "after the root element", 11},
    {"event-truncated.xml", "malformed", -1},
    {"event-bad-time.xml", "ISO 8601", 5},
    {"event-text-outside.xml", "text outside", 10},
    {"event-duplicate-eventid.xml", "duplicate <EventID>", 4},
    {"event-xinclude.xml", "unexpected element <include>", 7},
    {"event-billion-laughs.xml", "DOCTYPE", 2},
    {"event-invalid-utf8.xml", "not proper UTF-8", 3},
    {"event-out-of-range.xml", "EventRecordID \"18446744073709551616\" is not an unsigned", 6},
};
#define N_HOSTILE (sizeof hostile / sizeof hostile[0])

static void test_hostile(void)
{
    for (size_t i = 0; i < N_HOSTILE; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", EXC_TEST_DATA("hostile"), hostile[i].file);
        exc_event_batch b = {.n = 77, .events = NULL};
        exc_err e;
        bool ok = parse_file(path, &b, &e);
        CU_ASSERT_FALSE(ok);
        if (ok) {
            fprintf(stderr, "\n  %s accepted\n", hostile[i].file);
            exc_events_free(&b);
            continue;
        }
        CU_ASSERT_EQUAL(b.n, 77);
        bool kw = reason_has(&e, hostile[i].kw);
        bool line = hostile[i].line < 0 || e.line == hostile[i].line;
        if (!kw || !line)
            fprintf(stderr, "\n  %s: line %d \"%s\" (want \"%s\", line %d)\n", hostile[i].file,
                    e.line, e.msg, hostile[i].kw, hostile[i].line);
        CU_ASSERT(kw);
        CU_ASSERT(line);
    }
    /* the XXE marker's content is nowhere in the reason */
    char have[128] = "";
    FILE *f = fopen("/tmp/exconn-xxe-marker", "r");
    if (f != NULL) {
        if (fgets(have, sizeof have, f) == NULL)
            have[0] = '\0';
        fclose(f);
        have[strcspn(have, "\n")] = '\0';
    }
    exc_event_batch b;
    exc_err e;
    CU_ASSERT_FALSE(parse_file(HOST("event-xxe.xml"), &b, &e));
    if (have[0] != '\0')
        CU_ASSERT_PTR_NULL(strstr(e.msg, have));
}

/* Every file in tests/data/hostile, the report ones too, is rejected by the
 * event parser; every event-* file is in the table above. */
static void test_hostile_dir(void)
{
    DIR *d = opendir(EXC_TEST_DATA("hostile"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
            continue;
        if (strncmp(de->d_name, "event-", 6) == 0) {
            bool listed = false;
            for (size_t i = 0; i < N_HOSTILE; i++)
                listed = listed || strcmp(hostile[i].file, de->d_name) == 0;
            if (!listed)
                fprintf(stderr, "\n  %s not tested\n", de->d_name);
            CU_ASSERT(listed);
        }
        char path[512];
        snprintf(path, sizeof path, "%s/%s", EXC_TEST_DATA("hostile"), de->d_name);
        exc_event_batch b;
        exc_err e;
        bool ok = parse_file(path, &b, &e);
        if (ok) {
            fprintf(stderr, "\n  %s accepted as events\n", de->d_name);
            exc_events_free(&b);
        }
        CU_ASSERT_FALSE(ok);
        CU_ASSERT(e.msg[0] != '\0');
    }
    closedir(d);
}

/* Every prefix of a root-less file and single-octet corruptions: no crash,
 * no leak, no acceptance of a cut event. */
static void test_mutations(void)
{
    size_t len = 0;
    char *buf = slurp(EV("q166045-ccmc-70.xml"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    size_t end = len;
    while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == ' '))
        end--;
    exc_event_batch b;
    exc_err e;
    int accepted = 0;
    for (size_t n = 1; n < end; n++) {
        if (exc_events_parse_memory(buf, n, &b, &e)) {
            accepted++;
            exc_events_free(&b);
        }
    }
    CU_ASSERT_EQUAL(accepted, 0);
    static const char junk[] = {'\0', '<', '>', '&', '"', '\xff', '\xfe', 'x', '/', '?'};
    char *m = malloc(len);
    for (size_t pos = 0; pos < len; pos += 2) {
        memcpy(m, buf, len);
        m[pos] = junk[pos % sizeof junk];
        if (exc_events_parse_memory(m, len, &b, &e))
            exc_events_free(&b);
        else
            CU_ASSERT(e.msg[0] != '\0');
    }
    free(m);
    free(buf);
}

/* tests/data/events/producers: one file per producer, in its own style
 * (README there); each must be accepted with these fields. */
typedef struct prod_event {
    const char *provider;
    unsigned id;
    const char *time;      /* to the second */
    const char *server;
    size_t n_data;
    const char *data0, *data_last;
    bool message;
} prod_event;

static const struct {
    const char *file;
    size_t n;
    prod_event ev[3];
} producers[] = {
    {"wevtutil-6.1-xml.xml", 2,
     {{"MSExchangeIMC", 4087, "2026-11-22T10:00:05Z", "EXCH02", 1, "0x80004005", "0x80004005",
       false},
      {"MSExchangeCCMC", 70, "2026-11-22T10:02:11Z", "EXCH02", 2, "3",
       "C:\\exchsrvr\\ccmcdata\\export", false}}},
    {"wevtutil-renderedxml.xml", 1,
     {{"Service Control Manager", 7036, "2026-11-22T11:45:12Z", "EXCH03", 2,
       "Microsoft Exchange Internet Mail Service", "running", true}}},
    {"get-winevent-toxml-ps5.1.xml", 1,
     {{"Service Control Manager", 7023, "2026-11-22T11:30:00Z", "EXCH03", 2,
       "Microsoft Exchange Internet Mail Service", "%%2140", false}}},
    {"eventviewer-saveas-xml.xml", 1,
     {{"MSExchangeMTA", 9301, "2026-11-22T12:00:00Z", "EXCH04", 2, "SITE-B", "X.400 link down",
       false}}},
    {"wef-forwardedevents.xml", 1,
     {{"Service Control Manager", 7024, "2026-11-22T13:14:15Z", "EXCH05", 2,
       "Microsoft Exchange MS Mail Connector Interchange", "%%3", true}}},
    {"evtx_dump-0.6.1.xml", 2,
     {{"Service Control Manager", 7024, "2026-11-21T10:00:05Z", "EXCH01", 2,
       "Microsoft Exchange MS Mail Connector Interchange", "3", false},
      {"Service Control Manager", 7036, "2026-11-21T10:01:05Z", "EXCH01", 2,
       "Microsoft Exchange MS Mail Connector Interchange", "running", false}}},
    {"evtx_dump-tzaware.xml", 2,
     {{"Service Control Manager", 7024, "2026-11-21T10:00:05Z", "EXCH01", 2,
       "Microsoft Exchange MS Mail Connector Interchange", "3", false},
      {"Service Control Manager", 7036, "2026-11-21T10:01:05Z", "EXCH01", 2,
       "Microsoft Exchange MS Mail Connector Interchange", "running", false}}},
    {"no-eventdata.xml", 3,
     {{"MSExchangeIS", 1001, "2026-11-22T14:00:00Z", "EXCH06", 0, NULL, NULL, false},
      {"Microsoft-Windows-Eventlog", 104, "2026-11-22T14:00:01Z", "EXCH06", 0, NULL, NULL, false},
      {"MSExchangeIS", 1000, "2026-11-22T14:00:02Z", "EXCH06", 0, NULL, NULL, false}}},
    {"exconn-traphandle.xml", 1,
     {{"MSExchangeCCMC", 70, "2026-11-22T15:00:00Z", "EXCH01", 3, "3", "C:\\ccmail", false}}},
};

static void check_producer_event(const char *file, size_t i, const exc_event *got,
                                 const prod_event *want)
{
    char why[512];
    snprintf(why, sizeof why, "%s event %zu: %s/%u %lld %s n_data=%zu", file, i + 1, got->provider,
             got->id, (long long)got->time, got->server, got->n_data);
    bool ok = strcmp(got->provider, want->provider) == 0 && got->id == want->id &&
              got->time == ts(want->time) && strcmp(got->server, want->server) == 0 &&
              got->n_data == want->n_data && (got->message != NULL) == want->message;
    if (ok && want->n_data > 0)
        ok = strcmp(got->data[0], want->data0) == 0 &&
             strcmp(got->data[got->n_data - 1], want->data_last) == 0;
    if (!ok)
        fprintf(stderr, "producer mismatch: %s\n", why);
    CU_ASSERT_TRUE(ok);
}

static void test_producers(void)
{
    for (size_t f = 0; f < sizeof producers / sizeof *producers; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s", EV("producers/"), producers[f].file);
        exc_event_batch b;
        exc_err e;
        bool ok = parse_file(path, &b, &e);
        if (!ok) {
            char m[300];
            exc_err_format(&e, m, sizeof m);
            fprintf(stderr, "producer file %s rejected: %s\n", producers[f].file, m);
        }
        CU_ASSERT_TRUE_FATAL(ok);
        CU_ASSERT_EQUAL(b.n, producers[f].n);
        for (size_t i = 0; i < b.n && i < producers[f].n; i++)
            check_producer_event(producers[f].file, i, &b.events[i], &producers[f].ev[i]);
        exc_events_free(&b);
    }
}

void exc_register_tests(void)
{
    static CU_TestInfo tests[] = {
        { "root-less concatenation, in order", test_rootless },
        { "wrapping root", test_wrapped },
        { "no namespace", test_no_namespace },
        { "KB events", test_kb_events },
        { "EventID low 16 bits", test_event_id_bits },
        { "SystemTime fractions", test_times },
        { "producer corpus", test_producers },
        { "fields", test_fields },
        { "Data and Message limits", test_limits },
        { "encodings", test_encodings },
        { "structure and line numbers", test_structure },
        { "file limits and large batches", test_file_limits },
        { "hostile files", test_hostile },
        { "hostile directory", test_hostile_dir },
        { "prefixes and corruptions", test_mutations },
        CU_TEST_INFO_NULL,
    };
    exc_add_suite("event", NULL, NULL, tests);
}
