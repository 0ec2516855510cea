/* KB article loader (src/kb.c, src/kb_enums.c): the shipped articles, an
 * operator-added one, edge cases that must load, and files that must be
 * rejected with the right line and reason. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "cu_main.h"
#include "kb.h"
#include "report.h"

#define KB_DIR EXCONN_SOURCE_DIR "/kb"
#define KB_XSD EXCONN_SOURCE_DIR "/schemas/kb-article.xsd"
#define KB_EXTRA EXC_TEST_DATA("kb-extra")
#define KB_T(rel) EXC_TEST_DATA("kb/" rel)

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static void check_text(const char *what, const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > EXC_TEXT_MAX)
        fprintf(stderr, "\n  %s: %zu octets\n", what, n);
    CU_ASSERT(n >= 1 && n <= EXC_TEXT_MAX);
    CU_ASSERT(strchr(s, '\n') == NULL);
    CU_ASSERT(s[0] != ' ' && s[n - 1] != ' ');
    CU_ASSERT(strstr(s, "  ") == NULL);
}

static const exc_kb_rule *find_detector(const exc_kb_article *a, int det)
{
    for (size_t i = 0; i < a->n_rules; i++)
        if (a->rules[i].kind == EXC_RULE_DETECTOR && a->rules[i].detector == det)
            return &a->rules[i];
    return NULL;
}

/* ---- name tables ---- */

static void test_enums(void)
{
    CU_ASSERT_EQUAL(exc_severity_from("cleared"), EXC_SEV_CLEARED);
    CU_ASSERT_EQUAL(exc_severity_from("critical"), EXC_SEV_CRITICAL);
    CU_ASSERT_EQUAL(exc_severity_from("warning"), EXC_SEV_WARNING);
    CU_ASSERT_EQUAL(exc_severity_from("Critical"), 0);
    CU_ASSERT_EQUAL(exc_severity_from(""), 0);
    CU_ASSERT_EQUAL(exc_severity_from(NULL), 0);
    for (int v = EXC_SEV_CLEARED; v <= EXC_SEV_WARNING; v++)
        CU_ASSERT_EQUAL(exc_severity_from(exc_severity_name(v)), v);
    CU_ASSERT_PTR_NULL(exc_severity_name(0));
    CU_ASSERT_PTR_NULL(exc_severity_name(7));

    CU_ASSERT_EQUAL(exc_notification_from("exConnComPortConflict"), EXC_NOTIF_COMPORT_CONFLICT);
    CU_ASSERT_EQUAL(exc_notification_from("exConnImcQueueInterfaceFailed"),
                    EXC_NOTIF_IMC_QUEUE_IF_FAILED);
    CU_ASSERT_EQUAL(exc_notification_from("exConnAlarmCleared"), EXC_NOTIF_ALARM_CLEARED);
    CU_ASSERT_EQUAL(exc_notification_from("exConnNope"), 0);
    for (int v = EXC_NOTIF_COMPORT_CONFLICT; v <= EXC_NOTIF_ALARM_CLEARED; v++)
        CU_ASSERT_EQUAL(exc_notification_from(exc_notification_name(v)), v);
    CU_ASSERT_PTR_NULL(exc_notification_name(0));
    CU_ASSERT_PTR_NULL(exc_notification_name(9));

    CU_ASSERT_EQUAL(exc_detector_from("comPortConflict"), EXC_DET_COMPORT_CONFLICT);
    CU_ASSERT_EQUAL(exc_detector_from("msMailServiceError3"), EXC_DET_MSMAIL_EXIT3);
    CU_ASSERT_EQUAL(exc_detector_from("mtaLinkStall"), EXC_DET_MTA_LINK_STALL);
    CU_ASSERT_EQUAL(exc_detector_from("imcStartFailed2140"), EXC_DET_IMC_EXIT2140);
    CU_ASSERT_EQUAL(exc_detector_from("none"), 0);
    for (int v = EXC_DET_COMPORT_CONFLICT; v <= EXC_DET_IMC_EXIT2140; v++)
        CU_ASSERT_EQUAL(exc_detector_from(exc_detector_name(v)), v);
    CU_ASSERT_PTR_NULL(exc_detector_name(EXC_DET_NONE));
    CU_ASSERT_PTR_NULL(exc_detector_name(5));
}

/* ---- the shipped KB ---- */

static void test_shipped(void)
{
    exc_kb kb = {0};
    exc_err err = {0};
    CU_ASSERT_FATAL(exc_kb_load_dir(KB_DIR, &kb, &err));
    CU_ASSERT_EQUAL_FATAL(kb.n, 5);
    CU_ASSERT_STRING_EQUAL(err.file, "");

    static const char *const ids[] = {"Q148727", "Q158047", "Q166045", "Q182346", "Q193760"};
    for (size_t i = 0; i < kb.n; i++) {
        const exc_kb_article *a = &kb.articles[i];
        CU_ASSERT_STRING_EQUAL(a->id, ids[i]);      /* sorted by id */
        CU_ASSERT_PTR_EQUAL(exc_kb_find(&kb, ids[i]), a);
        check_text("title", a->title);
        check_text("appliesTo", a->applies_to);
        check_text("symptom", a->symptom);
        check_text("cause", a->cause);
        check_text("resolution", a->resolution);
        check_text("url", a->url);
        char url[64];
        snprintf(url, sizeof url, "https://support.microsoft.com/kb/%s", a->id + 1);
        CU_ASSERT_STRING_EQUAL(a->url, url);
        CU_ASSERT(a->n_rules >= 1);
        char file[64];
        snprintf(file, sizeof file, "/kb/%s.xml", a->id);
        CU_ASSERT(ends_with(a->file, file));
    }

    const exc_kb_article *a = exc_kb_find(&kb, "Q158047");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->severity, EXC_SEV_MAJOR);
    CU_ASSERT_EQUAL(a->notification, EXC_NOTIF_COMPORT_CONFLICT);
    CU_ASSERT_EQUAL_FATAL(a->n_rules, 3);
    CU_ASSERT_PTR_NOT_NULL(find_detector(a, EXC_DET_COMPORT_CONFLICT));
    CU_ASSERT_PTR_NOT_NULL(find_detector(a, EXC_DET_MSMAIL_EXIT3));
    /* (b) from the SCM's 7024 with code 3, cleared by a 7036 "running" */
    const exc_kb_rule *r = &a->rules[2];
    CU_ASSERT_EQUAL(r->kind, EXC_RULE_EVENT);
    CU_ASSERT_STRING_EQUAL(r->provider, "Service Control Manager");
    CU_ASSERT_EQUAL(r->event_id, 7024);
    CU_ASSERT_EQUAL(r->connector_type, EXC_CT_MSMAIL);
    CU_ASSERT_EQUAL(r->resource_data, 1);
    CU_ASSERT_STRING_EQUAL(r->log, "System");
    CU_ASSERT_EQUAL(r->qualifiers, 49152);
    CU_ASSERT_EQUAL_FATAL(r->n_tests, 1);
    CU_ASSERT_EQUAL(r->tests[0].index, 2);
    CU_ASSERT_EQUAL(r->tests[0].kind, EXC_DT_EQUALS);
    CU_ASSERT_STRING_EQUAL(r->tests[0].value, "3");
    CU_ASSERT_EQUAL_FATAL(r->n_clears, 1);
    CU_ASSERT_STRING_EQUAL(r->clears[0].provider, "Service Control Manager");
    CU_ASSERT_EQUAL(r->clears[0].event_id, 7036);
    CU_ASSERT_EQUAL(r->clears[0].resource_data, 1);   /* the rule's */
    CU_ASSERT_EQUAL(r->clears[0].qualifiers, 16384);
    CU_ASSERT_STRING_EQUAL(r->clears[0].tests[0].value, "running");

    a = exc_kb_find(&kb, "Q166045");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->severity, EXC_SEV_MAJOR);
    CU_ASSERT_EQUAL(a->notification, EXC_NOTIF_CCMAIL_EXPORT_FAILED);
    CU_ASSERT_EQUAL_FATAL(a->n_rules, 1);
    CU_ASSERT_EQUAL(a->rules[0].kind, EXC_RULE_EVENT);
    CU_ASSERT_STRING_EQUAL(a->rules[0].provider, "MSExchangeCCMC");
    CU_ASSERT_EQUAL(a->rules[0].event_id, 70);
    CU_ASSERT_STRING_EQUAL(a->rules[0].message, "");
    CU_ASSERT_EQUAL(a->rules[0].connector_type, EXC_CT_CCMAIL);
    CU_ASSERT_EQUAL(a->rules[0].clear_state, EXC_ST_RUNNING);
    CU_ASSERT_EQUAL(a->rules[0].clear_dirsync, EXC_DS_COMPLETED);
    CU_ASSERT_EQUAL(a->rules[0].detector, EXC_DET_NONE);

    a = exc_kb_find(&kb, "Q182346");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->severity, EXC_SEV_CRITICAL);
    CU_ASSERT_EQUAL(a->notification, EXC_NOTIF_IMC_QUEUE_IF_FAILED);
    CU_ASSERT_EQUAL_FATAL(a->n_rules, 1);
    CU_ASSERT_EQUAL(a->rules[0].kind, EXC_RULE_EVENT);
    CU_ASSERT_STRING_EQUAL(a->rules[0].provider, "MSExchangeIMC");
    CU_ASSERT_EQUAL(a->rules[0].event_id, 4087);
    CU_ASSERT_EQUAL(a->rules[0].connector_type, EXC_CT_INTERNETMAIL);
    CU_ASSERT_EQUAL(a->rules[0].clear_state, EXC_ST_RUNNING);
    CU_ASSERT_EQUAL(a->rules[0].clear_dirsync, 0);

    a = exc_kb_find(&kb, "Q193760");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->severity, EXC_SEV_CRITICAL);
    CU_ASSERT_EQUAL(a->notification, EXC_NOTIF_MTA_LINK_STALL);
    CU_ASSERT_EQUAL(a->n_rules, 1);
    CU_ASSERT_PTR_NOT_NULL(find_detector(a, EXC_DET_MTA_LINK_STALL));
    CU_ASSERT_PTR_NOT_NULL(strstr(a->applies_to, "4.0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a->applies_to, "5.0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a->resolution, "4.0.997.2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a->resolution, "5.0.1461.50"));

    a = exc_kb_find(&kb, "Q148727");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->severity, EXC_SEV_CRITICAL);
    CU_ASSERT_EQUAL(a->notification, EXC_NOTIF_IMC_START_FAILED);
    CU_ASSERT_EQUAL_FATAL(a->n_rules, 2);
    CU_ASSERT_PTR_NOT_NULL(find_detector(a, EXC_DET_IMC_EXIT2140));
    CU_ASSERT_EQUAL(a->rules[1].event_id, 7023);   /* a Win32 exit code: 7023, not 7024 */
    CU_ASSERT_EQUAL(a->rules[1].connector_type, EXC_CT_INTERNETMAIL);
    CU_ASSERT_STRING_EQUAL(a->rules[1].tests[0].value, "2140");
    CU_ASSERT_EQUAL(kb.n_services, 0);   /* no services.xml shipped: the defaults */

    CU_ASSERT_PTR_NULL(exc_kb_find(&kb, "Q165505"));
    CU_ASSERT_PTR_NULL(exc_kb_find(&kb, "q158047"));   /* lookups are exact */
    CU_ASSERT_PTR_NULL(exc_kb_find(&kb, ""));
    CU_ASSERT_PTR_NULL(exc_kb_find(&kb, NULL));
    CU_ASSERT_PTR_NULL(exc_kb_find(NULL, "Q158047"));

    exc_kb_free(&kb);
    CU_ASSERT_EQUAL(kb.n, 0);
    CU_ASSERT_PTR_NULL(kb.articles);
    exc_kb_free(&kb);                 /* a second free is harmless */
    CU_ASSERT_PTR_NULL(exc_kb_find(&kb, "Q158047"));
}

static char *slurp(const char *path, size_t *len);

/* The raw files too, measured without the loader: each text element, its
 * white space folded as the loader folds it, is at most 255 octets (the
 * shipped files use no entity references, which could only shrink it). */
static void test_shipped_raw_lengths(void)
{
    static const char *const files[] = {"Q158047", "Q166045", "Q182346", "Q193760", "Q148727"};
    static const char *const tags[] = {"title", "appliesTo", "symptom", "cause", "resolution",
                                       "url"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, KB_DIR "/%s.xml", files[i]);
        size_t len = 0;   /* CUnit's FATAL asserts are not noreturn to gcc -O3 */
        char *buf = slurp(path, &len);
        CU_ASSERT_FATAL(buf != NULL && len > 0);
        buf[len - 1] = '\0';   /* files end in a newline */
        for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++) {
            char open[32], close[32];
            snprintf(open, sizeof open, "<%s>", tags[k]);
            snprintf(close, sizeof close, "</%s>", tags[k]);
            const char *b = strstr(buf, open), *e = strstr(buf, close);
            CU_ASSERT_FATAL(b != NULL && e != NULL && b < e);
            b += strlen(open);
            CU_ASSERT(memchr(b, '&', (size_t)(e - b)) == NULL);
            size_t n = 0;
            bool space = false;
            for (const char *c = b; c < e; c++) {
                if (*c == ' ' || *c == '\n' || *c == '\t' || *c == '\r') {
                    space = n > 0;
                    continue;
                }
                n += space ? 2 : 1;
                space = false;
            }
            if (n < 1 || n > 255)
                fprintf(stderr, "\n  %s <%s>: %zu octets\n", files[i], tags[k], n);
            CU_ASSERT(n >= 1 && n <= 255);
        }
        free(buf);
    }
}

/* ---- schema ---- */

static int n_schema_errors;

static void schema_error(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    n_schema_errors++;
    if (getenv("EXC_TEST_VERBOSE") != NULL && e != NULL && e->message != NULL)
        fprintf(stderr, "  schema: line %d: %s", e->line, e->message);
}

static char *slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (buf == NULL)
                break;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Parsed from memory: the hardened external-entity loader the KB loader
 * installs refuses every file, including a schema's. */
static xmlSchemaPtr load_schema(void)
{
    size_t len;
    char *xsd = slurp(KB_XSD, &len);
    if (xsd == NULL)
        return NULL;
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(xsd, (int)len);
    xmlSchemaSetParserStructuredErrors(pc, schema_error, NULL);
    xmlSchemaPtr s = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    free(xsd);
    return s;
}

/* 0 = valid, > 0 = invalid, -1 = could not read */
static int schema_check(xmlSchemaPtr s, const char *path)
{
    size_t len;
    char *buf = slurp(path, &len);
    if (buf == NULL)
        return -1;
    xmlDocPtr doc = xmlReadMemory(buf, (int)len, path, NULL, XML_PARSE_NONET);
    free(buf);
    if (doc == NULL)
        return 1;
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(s);
    xmlSchemaSetValidStructuredErrors(vc, schema_error, NULL);
    int rc = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlFreeDoc(doc);
    return rc;
}

static void test_schema_shipped(void)
{
    exc_kb kb = {0};
    exc_err err = {0};
    CU_ASSERT_FATAL(exc_kb_load_dir(KB_DIR, &kb, &err)); /* sets libxml2 up too */
    n_schema_errors = 0;
    xmlSchemaPtr s = load_schema();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(n_schema_errors, 0);
    for (size_t i = 0; i < kb.n; i++) {
        int rc = schema_check(s, kb.articles[i].file);
        if (rc != 0)
            fprintf(stderr, "\n  %s does not validate (%d)\n", kb.articles[i].file, rc);
        CU_ASSERT_EQUAL(rc, 0);
    }
    CU_ASSERT_EQUAL(schema_check(s, KB_EXTRA "/Q165505.xml"), 0);
    CU_ASSERT_EQUAL(schema_check(s, KB_T("mixed/Q10.xml")), 0);
    CU_ASSERT_EQUAL(schema_check(s, KB_T("mixed/Q2.xml")), 0);
    CU_ASSERT_EQUAL(n_schema_errors, 0);

    /* and the schema refuses what the loader refuses, where XSD can say it */
    static const char *const refused[] = {
        "QUNKELEM", "QUNKATTR", "QROOTATTR", "QTEXTATTR", "QBADSEV", "QBADSEV2", "QBADEVID", "QEVIDTEXT",
        "QNORULES", "QHTTP", "QNOTIFSTALE", "QNOTIFBAD", "QBADDET", "QBADCT", "QBADSTATE",
        "QNOPROV", "QNORES", "QTWOTITLES", "QEMPTY", "QNS", "QROOT", "QMALFORMED",
        "QTEXTCHILD", "QRULETEXT", "QROOTTEXT", "QEVTEXT", "QTRAILING", "noid", "idlong",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, KB_T("bad/%s.xml"), refused[i]);
        int rc = schema_check(s, path);
        if (rc <= 0)
            fprintf(stderr, "\n  schema accepts %s (%d)\n", refused[i], rc);
        CU_ASSERT(rc > 0);
    }
    xmlSchemaFree(s);
    exc_kb_free(&kb);
}

/* ---- an operator-added article ---- */

static void check_q165505(const exc_kb_article *a)
{
    CU_ASSERT_STRING_EQUAL(a->id, "Q165505");
    CU_ASSERT_EQUAL(a->severity, EXC_SEV_MINOR);
    CU_ASSERT_EQUAL(a->notification, EXC_NOTIF_KB_ALARM);   /* none named: the generic one */
    CU_ASSERT_STRING_EQUAL(a->url, "https://support.microsoft.com/kb/165505");
    CU_ASSERT_STRING_EQUAL(a->symptom, "Mail through the Internet Mail Connector stops; "
                           "messages wait in MTS-IN or MTS-OUT and the queue does not shrink.");
    CU_ASSERT_EQUAL_FATAL(a->n_rules, 2);
    const exc_kb_rule *r = &a->rules[0];
    CU_ASSERT_EQUAL(r->kind, EXC_RULE_EVENT);
    CU_ASSERT_STRING_EQUAL(r->provider, "MSExchangeIMC");
    CU_ASSERT_EQUAL(r->event_id, 4006);
    CU_ASSERT_STRING_EQUAL(r->message, "MTS-OUT");
    CU_ASSERT_EQUAL(r->connector_type, EXC_CT_INTERNETMAIL);
    CU_ASSERT_EQUAL(r->clear_state, EXC_ST_RUNNING);
    CU_ASSERT_EQUAL(r->clear_dirsync, 0);
    r = &a->rules[1];
    CU_ASSERT_EQUAL(r->kind, EXC_RULE_EVENT);
    CU_ASSERT_STRING_EQUAL(r->provider, "MSExchangeMTA");
    CU_ASSERT_EQUAL(r->event_id, 9411);
    CU_ASSERT_STRING_EQUAL(r->message, "");
    CU_ASSERT_EQUAL(r->connector_type, 0);
    CU_ASSERT_EQUAL(r->clear_state, 0);
}

static void test_extra(void)
{
    exc_kb kb = {0};
    exc_err err = {0};
    CU_ASSERT_FATAL(exc_kb_load_dir(KB_EXTRA, &kb, &err));
    CU_ASSERT_STRING_EQUAL(err.file, "");
    CU_ASSERT_EQUAL_FATAL(kb.n, 1);
    check_q165505(&kb.articles[0]);
    CU_ASSERT_PTR_EQUAL(exc_kb_find(&kb, "Q165505"), &kb.articles[0]);
    exc_kb_free(&kb);

    exc_kb_article a;
    CU_ASSERT_FATAL(exc_kb_load_file(KB_EXTRA "/Q165505.xml", &a, &err));
    check_q165505(&a);
    CU_ASSERT_STRING_EQUAL(a.file, KB_EXTRA "/Q165505.xml");
    exc_kb_article_free(&a);

    /* a trailing slash on the directory makes no double slash */
    CU_ASSERT_FATAL(exc_kb_load_dir(KB_EXTRA "/", &kb, &err));
    CU_ASSERT_STRING_EQUAL(kb.articles[0].file, KB_EXTRA "/Q165505.xml");
    exc_kb_free(&kb);
}

/* ---- edge cases that must load ---- */

static void test_mixed_dir(void)
{
    exc_kb kb = {0};
    exc_err err = {0};
    /* dot-files and files not ending in .xml are not articles */
    CU_ASSERT_FATAL(exc_kb_load_dir(KB_T("mixed"), &kb, &err));
    CU_ASSERT_EQUAL_FATAL(kb.n, 2);
    CU_ASSERT_STRING_EQUAL(kb.articles[0].id, "Q10");   /* byte order, not numeric */
    CU_ASSERT_STRING_EQUAL(kb.articles[1].id, "Q2");
    CU_ASSERT_PTR_EQUAL(exc_kb_find(&kb, "Q2"), &kb.articles[1]);
    CU_ASSERT_PTR_NULL(exc_kb_find(&kb, "Q3"));

    const exc_kb_article *a = exc_kb_find(&kb, "Q10");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->severity, EXC_SEV_WARNING);
    CU_ASSERT_EQUAL(a->notification, EXC_NOTIF_KB_ALARM);
    CU_ASSERT_STRING_EQUAL(a->title, "Wrapped title text");      /* white space folded */
    CU_ASSERT_STRING_EQUAL(a->applies_to, "Exchange <any>");     /* CDATA */
    CU_ASSERT_STRING_EQUAL(a->url, "https://example.invalid/kb/10");
    CU_ASSERT_EQUAL(strlen(a->symptom), 255);                    /* the limit, multi-byte */
    CU_ASSERT_EQUAL((unsigned char)a->symptom[0], 0xC3);
    CU_ASSERT_EQUAL(a->symptom[254], 'x');
    CU_ASSERT_EQUAL_FATAL(a->n_rules, 2);
    CU_ASSERT_EQUAL(a->rules[0].kind, EXC_RULE_DETECTOR);
    CU_ASSERT_EQUAL(a->rules[0].detector, EXC_DET_COMPORT_CONFLICT);
    CU_ASSERT_EQUAL(a->rules[1].kind, EXC_RULE_EVENT);
    CU_ASSERT_EQUAL(a->rules[1].event_id, 70);
    CU_ASSERT_STRING_EQUAL(a->rules[1].message, "a <b>");
    exc_kb_free(&kb);
}

/* ---- files that must be rejected ---- */

typedef struct bad_case {
    const char *file;
    int line;
    const char *keyword;
} bad_case;

static const bad_case bad_cases[] = {
    {"QUNKELEM", 8, "unknown element <keywords>"},
    {"QUNKATTR", 10, "unknown attribute level"},
    {"QROOTATTR", 2, "unknown attribute author"},
    {"QTEXTATTR", 4, "unknown attribute lang on <appliesTo>"},
    {"QBADSEV", 2, "severity \"cleared\""},
    {"QBADSEV2", 2, "severity \"fatal\""},
    {"QTOOLONG", 5, "<symptom> is too long: 256 octets"},
    /* The DOCTYPE is refused inside src/xmlsafe.c; libxml2 keeps no line
     * for it, so the reason may carry none: any line, 0 included. */
    {"QDOCTYPE", -1, "DOCTYPE"},
    {"QMISMATCH", 2, "file name"},
    {"QBADEVID", 10, "event id \"65536\""},
    {"QEVIDTEXT", 10, "event id \"0x46\""},
    {"QNORULES", 9, "no rule"},
    {"QHTTP", 8, "https://"},
    {"QNOTIFSTALE", 2, "notification exConnServerStale"},
    {"QNOTIFBAD", 2, "unknown notification"},
    {"QBADDET", 10, "unknown detector \"diskFull\""},
    {"QDUPDET", 11, "detector mtaLinkStall named twice"},
    {"QDIRSYNC", 10, "clearDirSync needs clearState"},
    {"QBADCT", 10, "connectorType \"fax\""},
    {"QBADSTATE", 10, "clearState \"up\""},
    {"QNOPROV", 10, "no provider"},
    {"QNORES", 2, "no <resolution>"},
    {"QTWOTITLES", 4, "<title> given more than once"},
    {"QEMPTY", 6, "<cause> is empty"},
    {"QNS", 2, "namespace"},
    {"QROOT", 2, "<kbArticle>"},
    {"QMALFORMED", 6, "malformed XML"},
    {"QTEXTCHILD", 3, "unexpected element <b>"},
    {"QRULETEXT", 11, "unexpected text in <rules>"},
    {"QROOTTEXT", 5, "unexpected text in <kbArticle>"},
    {"QEVTEXT", 12, "unexpected text in <event>"},
    {"QTRAILING", 13, "malformed XML"},
    {"noid", 2, "no id attribute"},
    {"QDATAIDX", 11, "index \"0\" is not a number from 1 to 32"},
    {"QDATABOTH", 11, "one of equals and matches"},
    {"QDATANONE", 11, "needs index and one of equals"},
    {"QCLEARNOID", 11, "<clearEvent> has no id"},
    {"QCLEARDATA", 11, "unknown element <clearEvent> in <clearEvent>"},
    {"QDATACHILD", 11, "unknown element <x> in <data>"},
    {"idlong", 2, "is not 1 to 16 letters and digits"},
};

static void test_bad_files(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        char path[512];
        snprintf(path, sizeof path, KB_T("bad/%s.xml"), c->file);
        exc_kb_article a, before;
        memset(&a, 0x5A, sizeof a);
        before = a;
        exc_err err = {0};
        bool ok = exc_kb_load_file(path, &a, &err);
        bool line_ok = c->line < 0 ? err.line >= 0 : err.line == c->line;
        bool good = !ok && line_ok && strstr(err.msg, c->keyword) != NULL;
        if (!good)
            fprintf(stderr, "\n  %s: ok=%d line %d: %s (want line %d, \"%s\")\n", c->file, ok,
                    err.line, err.msg, c->line, c->keyword);
        CU_ASSERT(good);
        CU_ASSERT(memcmp(&a, &before, sizeof a) == 0);   /* *out untouched on failure */
        if (ok)
            exc_kb_article_free(&a);
    }
}

/* Insertion-string tests, globs, services.xml and the display-name lookup. */
static void test_scm(void)
{
    CU_ASSERT_TRUE(exc_kb_glob("Microsoft Exchange MS Mail Connector (PC MTA - *)",
                               "microsoft exchange ms mail connector (pc mta - HUB1)"));
    CU_ASSERT_TRUE(exc_kb_glob("a*b*c", "aXXbYYbc"));
    CU_ASSERT_TRUE(exc_kb_glob("*", ""));
    CU_ASSERT_TRUE(exc_kb_glob("1?", "12"));
    CU_ASSERT_FALSE(exc_kb_glob("1?", "1"));
    CU_ASSERT_FALSE(exc_kb_glob("a*b", "aXXbc"));
    CU_ASSERT_FALSE(exc_kb_glob("abc", "abcd"));
    /* a long mismatching subject ends in linear time (no backtracking blow-up) */
    char big[4096];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CU_ASSERT_FALSE(exc_kb_glob("*a*a*a*a*a*a*a*a*b", big));

    char *data[] = {"Microsoft Exchange Internet Mail Service", "%%2140", "3", "12"};
    exc_kb_data_test t = {2, EXC_DT_EQUALS, "2140"};
    CU_ASSERT_TRUE(exc_kb_data_test_ok(&t, 4, data));   /* %%N equals N */
    t.index = 3;
    snprintf(t.value, sizeof t.value, "3");
    CU_ASSERT_TRUE(exc_kb_data_test_ok(&t, 4, data));
    t.index = 4;
    CU_ASSERT_FALSE(exc_kb_data_test_ok(&t, 4, data));  /* equals is exact */
    t.index = 5;
    CU_ASSERT_FALSE(exc_kb_data_test_ok(&t, 4, data));  /* no Data[5] */
    exc_kb_data_test m = {1, EXC_DT_MATCHES, "internet mail"};
    CU_ASSERT_TRUE(exc_kb_data_test_ok(&m, 4, data));   /* substring, any case */
    snprintf(m.value, sizeof m.value, "*mail");
    CU_ASSERT_FALSE(exc_kb_data_test_ok(&m, 4, data));  /* a glob is whole-string */
    snprintf(m.value, sizeof m.value, "*mail service");
    CU_ASSERT_TRUE(exc_kb_data_test_ok(&m, 4, data));

    exc_kb kb;
    exc_err err = {0};
    bool ok = exc_kb_load_dir(EXC_TEST_DATA("kb-scm"), &kb, &err);
    if (!ok)
        fprintf(stderr, "\n  kb-scm: %s: line %d: %s\n", err.file, err.line, err.msg);
    CU_ASSERT_TRUE_FATAL(ok);
    CU_ASSERT_EQUAL(kb.n, 1);   /* services.xml is not an article */
    CU_ASSERT_EQUAL_FATAL(kb.n_services, 2);
    CU_ASSERT_STRING_EQUAL(kb.services[0].server, "EXCH09");
    const exc_kb_rule *r = &kb.articles[0].rules[0];
    CU_ASSERT_EQUAL(r->n_tests, 2);
    CU_ASSERT_EQUAL(r->tests[1].kind, EXC_DT_MATCHES);
    CU_ASSERT_EQUAL(r->n_clears, 2);
    CU_ASSERT_STRING_EQUAL(r->clears[1].provider, "MSExchangeIMC");
    CU_ASSERT_EQUAL(r->clears[1].resource_data, 2);
    CU_ASSERT_EQUAL(r->clears[1].qualifiers, -1);

    const exc_kb_service *sv = exc_kb_service_for(&kb, "EXCH09", "imc (site b)");
    CU_ASSERT_TRUE(sv != NULL && strcmp(sv->service, "MSExchangeIMC") == 0);
    CU_ASSERT_PTR_NULL(exc_kb_service_for(&kb, "EXCH01", "IMC (Site B)"));   /* EXCH09's only */
    sv = exc_kb_service_for(&kb, "EXCH01", "MS Mail async MTA HUB");
    CU_ASSERT_TRUE(sv != NULL && sv->type == EXC_CT_MSMAIL);
    /* the Exchange defaults, with or without a KB */
    sv = exc_kb_service_for(NULL, "EXCH01", "Microsoft Exchange Internet Mail Connector");
    CU_ASSERT_TRUE(sv != NULL && sv->type == EXC_CT_INTERNETMAIL);
    sv = exc_kb_service_for(&kb, "EXCH01", "Microsoft Exchange MS Mail Connector (PC MTA - HUB)");
    CU_ASSERT_TRUE(sv != NULL && strcmp(sv->service, "MSExchangeMSMI") == 0);
    sv = exc_kb_service_for(&kb, "EXCH01", "Microsoft Exchange Connector for Lotus cc:Mail");
    CU_ASSERT_TRUE(sv != NULL && sv->type == EXC_CT_CCMAIL);
    sv = exc_kb_service_for(&kb, "EXCH01", "Microsoft Exchange Message Transfer Agent");
    CU_ASSERT_TRUE(sv != NULL && strcmp(sv->service, "MSExchangeMTA") == 0);
    CU_ASSERT_PTR_NULL(exc_kb_service_for(&kb, "EXCH01", "Print Spooler"));
    CU_ASSERT_EQUAL(exc_kb_service_type(&kb, "msexchangeimc"), EXC_CT_INTERNETMAIL);
    CU_ASSERT_EQUAL(exc_kb_service_type(&kb, "Spooler"), 0);
    exc_kb_free(&kb);
    CU_ASSERT_EQUAL(kb.n_services, 0);

    /* a bad services.xml rejects the directory, naming the file */
    char dir[] = "/tmp/exconn-kbscm-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/QSCM1.xml", dir);
    size_t len;
    char *art = slurp(EXC_TEST_DATA("kb-scm/QSCM1.xml"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(art);
    FILE *f = fopen(path, "w");
    fwrite(art, 1, len, f);
    fclose(f);
    free(art);
    snprintf(path, sizeof path, "%s/services.xml", dir);
    f = fopen(path, "w");
    fputs("<serviceNames>\n  <service displayName=\"x\" service=\"S\"/>\n</serviceNames>\n", f);
    fclose(f);
    CU_ASSERT_FALSE(exc_kb_load_dir(dir, &kb, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.file, "services.xml"));
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs displayName, service and connectorType"));
    unlink(path);
    snprintf(path, sizeof path, "%s/QSCM1.xml", dir);
    unlink(path);
    rmdir(dir);
}

static void test_missing_file(void)
{
    exc_kb_article a;
    exc_err err = {0};
    CU_ASSERT_FALSE(exc_kb_load_file(KB_T("bad/QNOSUCH.xml"), &a, &err));
    CU_ASSERT_EQUAL(err.line, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open"));
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_file(NULL, &a, &err));
    CU_ASSERT_NOT_EQUAL(err.msg[0], '\0');
    CU_ASSERT_FALSE(exc_kb_load_file(KB_T("bad/QNOSUCH.xml"), &a, NULL));  /* err optional */
    /* a stale message in err does not hide the real reason */
    snprintf(err.msg, sizeof err.msg, "old reason");
    CU_ASSERT_FALSE(exc_kb_load_file(KB_T("bad/QBADSEV.xml"), &a, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "severity"));
}

/* Files written at run time: too big to commit, or empty. */
static void test_generated_files(void)
{
    char dir[] = "/tmp/exconn-kb-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char big[128], empty[128];
    snprintf(big, sizeof big, "%s/QBIG.xml", dir);
    snprintf(empty, sizeof empty, "%s/QEMPTYFILE.xml", dir);

    FILE *f = fopen(big, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("<?xml version=\"1.0\"?>\n<!--", f);
    for (int i = 0; i < EXC_KB_MAX_FILE_BYTES / 8 + 1; i++)
        fputs(" padding", f);
    fputs("-->\n", f);
    fclose(f);
    f = fopen(empty, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);

    exc_kb_article a;
    exc_err err = {0};
    CU_ASSERT_FALSE(exc_kb_load_file(big, &a, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "too large"));
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_file(empty, &a, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "empty"));

    /* a directory loads all or nothing; the first bad file by name is named */
    exc_kb kb = {0};
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_dir(dir, &kb, &err));
    CU_ASSERT_STRING_EQUAL(err.file, big);
    CU_ASSERT_EQUAL(kb.n, 0);
    CU_ASSERT_PTR_NULL(kb.articles);

    unlink(big);
    unlink(empty);
    rmdir(dir);
}

/* ---- directories that must be rejected ---- */

static void test_bad_dirs(void)
{
    exc_kb kb = {0};
    exc_err err = {0};

    /* duplicate ids: Q900001.xml and q900001.xml; the later name is blamed */
    CU_ASSERT_FALSE(exc_kb_load_dir(KB_T("dup"), &kb, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "duplicate article id q900001"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "dup/Q900001.xml"));
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT(ends_with(err.file, "/dup/q900001.xml"));
    CU_ASSERT_EQUAL(kb.n, 0);
    CU_ASSERT_PTR_NULL(kb.articles);

    /* one bad file among good ones: nothing is loaded */
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_dir(KB_T("onebad"), &kb, &err));
    CU_ASSERT(ends_with(err.file, "/onebad/Q2.xml"));
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "severity \"high\""));
    CU_ASSERT_EQUAL(kb.n, 0);

    /* only a README and a dot-file: no articles */
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_dir(KB_T("empty"), &kb, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no KB articles"));
    CU_ASSERT_STRING_EQUAL(err.file, KB_T("empty"));

    /* missing directory */
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_dir(KB_T("no-such-dir"), &kb, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open KB directory"));
    CU_ASSERT_STRING_EQUAL(err.file, KB_T("no-such-dir"));

    /* a file where a directory should be */
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_dir(KB_DIR "/Q158047.xml", &kb, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open KB directory"));

    /* the bad/ directory as a whole: its first bad file by name */
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_dir(KB_T("bad"), &kb, &err));
    CU_ASSERT(ends_with(err.file, "/bad/QBADCT.xml"));

    /* the file in the error's one-line form */
    char line[EXC_ERR_FILE + EXC_ERR_MSG + 32];
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_dir(KB_T("onebad"), &kb, &err));
    exc_err_format(&err, line, sizeof line);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "/onebad/Q2.xml:2: "));
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_kb_load_dir(NULL, &kb, &err));
    CU_ASSERT_EQUAL(kb.n, 0);
}

/* ---- no global state: loaders run side by side ---- */

static void *load_many(void *arg)
{
    int *good = arg;
    for (int i = 0; i < 20; i++) {
        exc_kb kb = {0};
        exc_err err = {0};
        if (exc_kb_load_dir(KB_DIR, &kb, &err) && kb.n == 5 &&
            exc_kb_find(&kb, "Q193760") != NULL)
            (*good)++;
        exc_kb_free(&kb);
        exc_kb_article a;
        if (!exc_kb_load_file(KB_T("bad/QBADEVID.xml"), &a, &err) && err.line == 10)
            (*good)++;
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[4];
    int good[4] = {0};
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, load_many, &good[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(good[i], 40);
    }
}

void exc_register_tests(void)
{
    static CU_TestInfo tests[] = {
        { "name tables", test_enums },
        { "shipped articles", test_shipped },
        { "shipped texts at most 255 octets", test_shipped_raw_lengths },
        { "schema accepts shipped, refuses bad", test_schema_shipped },
        { "operator-added article", test_extra },
        { "edge cases that load", test_mixed_dir },
        { "bad files rejected with line and reason", test_bad_files },
        { "missing file and optional err", test_missing_file },
        { "SCM rules, data tests, services.xml", test_scm },
        { "oversized and empty files", test_generated_files },
        { "bad directories", test_bad_dirs },
        { "concurrent loads", test_threads },
        CU_TEST_INFO_NULL,
    };
    exc_add_suite("kb", NULL, NULL, tests);
}
