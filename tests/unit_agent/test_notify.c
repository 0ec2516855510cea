/* In-process unit tests of the notification builder (agent/notify.c):
 * exc_notification_varbinds on a hand-built snapshot and notice.  SPEC §5:
 * after sysUpTime.0 (added by send_v2trap) come snmpTrapOID.0, then
 * exConnAlarmKbArticle, -Severity, -Server, -Resource, -Description indexed
 * by the alarm's index, then exConnKbArticleUrl indexed by the article id,
 * left out for an alarm without an article (the stale alarm).  The values
 * are those the GET column builders give. */
#include "agent.h"
#include "notify.h"
#include "table.h"

#include <stdio.h>
#include <string.h>

#include "cu_main.h"

static const oid exc_root[] = {1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 5500};
static const oid trapoid_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

/* ---------- fixture ---------- */

static exc_alarm alarm_rows[2];
static exc_snap_kb kb_rows[2];
static exc_snapshot snap;

static void set_alarm(exc_alarm *a, uint32_t index, const char *article, int sev, int notif,
                      const char *server, const char *resource, const char *desc,
                      const char *url)
{
    memset(a, 0, sizeof *a);
    a->index = index;
    snprintf(a->article, sizeof a->article, "%s", article);
    a->severity = sev;
    a->notification = notif;
    snprintf(a->server, sizeof a->server, "%s", server);
    snprintf(a->resource, sizeof a->resource, "%s", resource);
    snprintf(a->description, sizeof a->description, "%s", desc);
    snprintf(a->url, sizeof a->url, "%s", url);
    a->raised_ms = a->last_seen_ms = 1795341600000LL;
    a->count = 1;
}

static void set_kb(exc_snap_kb *k, const char *id, const char *url, int sev, int notif)
{
    memset(k, 0, sizeof *k);
    snprintf(k->a.id, sizeof k->a.id, "%s", id);
    snprintf(k->a.title, sizeof k->a.title, "%s title", id);
    snprintf(k->a.url, sizeof k->a.url, "%s", url);
    k->a.severity = sev;
    k->a.notification = notif;
}

static void build_snapshot(void)
{
    memset(&snap, 0, sizeof snap);
    set_alarm(&alarm_rows[0], 7, "Q158047", EXC_SEV_MAJOR, EXC_NOTIF_COMPORT_CONFLICT, "EXCH03",
              "COM1", "COM1 claimed by MS Mail Connector (async), Remote Access Service",
              "https://support.microsoft.com/kb/158047");
    set_alarm(&alarm_rows[1], 300, "", EXC_SEV_WARNING, EXC_NOTIF_SERVER_STALE, "EXCH02", "EXCH02",
              "no report for 900 s (last report 2026-11-22T10:00:00Z)", "");
    set_kb(&kb_rows[0], "Q148727", "https://support.microsoft.com/kb/148727", EXC_SEV_CRITICAL,
           EXC_NOTIF_IMC_START_FAILED);
    set_kb(&kb_rows[1], "Q158047", "https://support.microsoft.com/kb/158047", EXC_SEV_MAJOR,
           EXC_NOTIF_COMPORT_CONFLICT);
    snap.kb = kb_rows;
    snap.n_kb = 2;
}

/* The notice the worker would queue for a transition of row a. */
static void notice_of(exc_notice *n, const exc_alarm *a, int notification, int severity)
{
    memset(n, 0, sizeof *n);
    n->seq = 42;
    n->notification = notification;
    n->alarm = a->index;
    memcpy(n->article, a->article, sizeof n->article);
    n->severity = severity;
    memcpy(n->server, a->server, sizeof n->server);
    memcpy(n->resource, a->resource, sizeof n->resource);
    memcpy(n->description, a->description, sizeof n->description);
    memcpy(n->url, a->url, sizeof n->url);
}

/* ---------- assertions ---------- */

static size_t count_vars(const netsnmp_variable_list *v)
{
    size_t n = 0;
    for (; v; v = v->next_variable)
        n++;
    return n;
}

/* The name of v is exConnObjects.table.1.col followed by index[0..ilen). */
static bool name_is(const netsnmp_variable_list *v, unsigned table, unsigned col,
                    const oid *index, size_t ilen)
{
    oid want[MAX_OID_LEN];
    size_t n = 0;
    memcpy(want, exc_root, sizeof exc_root);
    n = OID_LENGTH(exc_root);
    want[n++] = 1;
    want[n++] = table;
    want[n++] = 1;
    want[n++] = col;
    memcpy(want + n, index, ilen * sizeof(oid));
    n += ilen;
    return snmp_oid_compare(v->name, v->name_length, want, n) == 0;
}

static bool string_is(const netsnmp_variable_list *v, const char *s)
{
    return v->type == ASN_OCTET_STR && v->val_len == strlen(s) &&
           (v->val_len == 0 || memcmp(v->val.string, s, v->val_len) == 0);
}

static bool int_is(const netsnmp_variable_list *v, long i)
{
    return v->type == ASN_INTEGER && v->val_len == sizeof(long) && *v->val.integer == i;
}

static void check_trapoid(const netsnmp_variable_list *v, int notification)
{
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT(snmp_oid_compare(v->name, v->name_length, trapoid_oid,
                               OID_LENGTH(trapoid_oid)) == 0);
    CU_ASSERT_EQUAL_FATAL(v->type, ASN_OBJECT_ID);
    oid want[MAX_OID_LEN];
    size_t n = OID_LENGTH(exc_root);
    memcpy(want, exc_root, sizeof exc_root);
    want[n++] = 0;
    want[n++] = (oid)notification;
    CU_ASSERT_EQUAL(v->val_len, n * sizeof(oid));
    CU_ASSERT(snmp_oid_compare(v->val.objid, v->val_len / sizeof(oid), want, n) == 0);
}

/* varbinds 2..6: the alarm columns of index, with these values */
static const netsnmp_variable_list *check_alarm_vars(const netsnmp_variable_list *v,
                                                     uint32_t index, const char *article,
                                                     int severity, const char *server,
                                                     const char *resource, const char *desc)
{
    oid idx[1] = {index};
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT(name_is(v, 8, 2, idx, 1));
    CU_ASSERT(string_is(v, article));
    v = v->next_variable;
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT(name_is(v, 8, 3, idx, 1));
    CU_ASSERT(int_is(v, severity));
    v = v->next_variable;
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT(name_is(v, 8, 4, idx, 1));
    CU_ASSERT(string_is(v, server));
    v = v->next_variable;
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT(name_is(v, 8, 5, idx, 1));
    CU_ASSERT(string_is(v, resource));
    v = v->next_variable;
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT(name_is(v, 8, 6, idx, 1));
    CU_ASSERT(string_is(v, desc));
    return v->next_variable;
}

/* exConnKbArticleUrl."<id>" = url */
static void check_url(const netsnmp_variable_list *v, const char *id, const char *url)
{
    oid idx[1 + EXC_ARTICLE_MAX];
    size_t n = 0;
    idx[n++] = strlen(id);
    for (const char *p = id; *p; p++)
        idx[n++] = (unsigned char)*p;
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT(name_is(v, 7, 7, idx, n));
    CU_ASSERT(string_is(v, url));
}

/* ---------- tests ---------- */

static void test_raise(void)
{
    build_snapshot();
    exc_notice n;
    notice_of(&n, &alarm_rows[0], EXC_NOTIF_COMPORT_CONFLICT, EXC_SEV_MAJOR);
    netsnmp_variable_list *vars = exc_notification_varbinds(&snap, &n);
    CU_ASSERT_EQUAL(count_vars(vars), 7);
    check_trapoid(vars, 1);
    const netsnmp_variable_list *v =
        check_alarm_vars(vars->next_variable, 7, "Q158047", 4, "EXCH03", "COM1",
                         "COM1 claimed by MS Mail Connector (async), Remote Access Service");
    check_url(v, "Q158047", "https://support.microsoft.com/kb/158047");
    CU_ASSERT_PTR_NULL(v->next_variable);

    /* every alarm varbind is exactly what GET answers for the row */
    v = vars->next_variable;
    for (unsigned col = 2; col <= 6; col++, v = v->next_variable) {
        exc_val val;
        memset(&val, 0, sizeof val);
        CU_ASSERT_FATAL(exc_table_column(&exc_alarm_table, &alarm_rows[0], col, &val));
        netsnmp_variable_list got;
        memset(&got, 0, sizeof got);
        exc_val_set(&got, &val);
        CU_ASSERT_EQUAL(got.type, v->type);
        CU_ASSERT_EQUAL_FATAL(got.val_len, v->val_len);
        CU_ASSERT(memcmp(got.val.string, v->val.string, v->val_len) == 0);
        snmp_free_var_internals(&got);
    }
    exc_val url;
    memset(&url, 0, sizeof url);
    CU_ASSERT_FATAL(exc_table_column(&exc_kb_table, &kb_rows[1], 7, &url));
    CU_ASSERT(string_is(v, url.ptr));
    snmp_free_varbind(vars);
}

static void test_each_notification(void)
{
    build_snapshot();
    for (int notif = EXC_NOTIF_COMPORT_CONFLICT; notif <= EXC_NOTIF_KB_ALARM; notif++) {
        exc_notice n;
        notice_of(&n, &alarm_rows[0], notif, EXC_SEV_CRITICAL);
        netsnmp_variable_list *vars = exc_notification_varbinds(&snap, &n);
        CU_ASSERT_EQUAL(count_vars(vars), 7);
        check_trapoid(vars, notif);
        snmp_free_varbind(vars);
    }
}

static void test_cleared(void)
{
    build_snapshot();
    /* the row has left exConnAlarmTable: the notice carries its values */
    exc_alarm gone;
    set_alarm(&gone, 5, "Q148727", EXC_SEV_CRITICAL, EXC_NOTIF_IMC_START_FAILED, "EXCH01",
              "Internet Mail Service",
              "IMC stopped with error 2140: queue.dat read-only, 12 messages in MTS-OUT",
              "https://support.microsoft.com/kb/148727");
    exc_notice n;
    notice_of(&n, &gone, EXC_NOTIF_ALARM_CLEARED, EXC_SEV_CLEARED);
    netsnmp_variable_list *vars = exc_notification_varbinds(&snap, &n);
    CU_ASSERT_EQUAL(count_vars(vars), 7);
    check_trapoid(vars, 8);
    const netsnmp_variable_list *v = check_alarm_vars(
        vars->next_variable, 5, "Q148727", 1, "EXCH01", "Internet Mail Service",
        "IMC stopped with error 2140: queue.dat read-only, 12 messages in MTS-OUT");
    check_url(v, "Q148727", "https://support.microsoft.com/kb/148727");
    snmp_free_varbind(vars);
}

static void test_stale_has_no_url(void)
{
    build_snapshot();
    exc_notice n;
    notice_of(&n, &alarm_rows[1], EXC_NOTIF_SERVER_STALE, EXC_SEV_WARNING);
    netsnmp_variable_list *vars = exc_notification_varbinds(&snap, &n);
    CU_ASSERT_EQUAL(count_vars(vars), 6);
    check_trapoid(vars, 7);
    const netsnmp_variable_list *v =
        check_alarm_vars(vars->next_variable, 300, "", 6, "EXCH02", "EXCH02",
                         "no report for 900 s (last report 2026-11-22T10:00:00Z)");
    CU_ASSERT_PTR_NULL(v);
    snmp_free_varbind(vars);

    notice_of(&n, &alarm_rows[1], EXC_NOTIF_ALARM_CLEARED, EXC_SEV_CLEARED);
    vars = exc_notification_varbinds(&snap, &n);
    CU_ASSERT_EQUAL(count_vars(vars), 6);
    check_trapoid(vars, 8);
    check_alarm_vars(vars->next_variable, 300, "", 1, "EXCH02", "EXCH02",
                     "no report for 900 s (last report 2026-11-22T10:00:00Z)");
    snmp_free_varbind(vars);
}

static void test_url_source(void)
{
    build_snapshot();
    /* the URL comes from the KB row (as GET answers it) ... */
    exc_notice n;
    notice_of(&n, &alarm_rows[0], EXC_NOTIF_COMPORT_CONFLICT, EXC_SEV_MAJOR);
    snprintf(n.url, sizeof n.url, "https://example.invalid/old");
    netsnmp_variable_list *vars = exc_notification_varbinds(&snap, &n);
    const netsnmp_variable_list *v = vars;
    while (v && v->next_variable)
        v = v->next_variable;
    check_url(v, "Q158047", "https://support.microsoft.com/kb/158047");
    snmp_free_varbind(vars);

    /* ... and from the notice when the article left the KB since */
    exc_alarm a;
    set_alarm(&a, 9, "Q165505", EXC_SEV_MINOR, EXC_NOTIF_KB_ALARM, "EXCH05",
              "Internet Mail Service", "event 4006 from MSExchangeIMC: MTS-OUT",
              "https://support.microsoft.com/kb/165505");
    notice_of(&n, &a, EXC_NOTIF_ALARM_CLEARED, EXC_SEV_CLEARED);
    vars = exc_notification_varbinds(&snap, &n);
    CU_ASSERT_EQUAL(count_vars(vars), 7);
    v = check_alarm_vars(vars->next_variable, 9, "Q165505", 1, "EXCH05", "Internet Mail Service",
                         "event 4006 from MSExchangeIMC: MTS-OUT");
    check_url(v, "Q165505", "https://support.microsoft.com/kb/165505");
    snmp_free_varbind(vars);
}

static void test_bounds(void)
{
    /* the longest names the MIB allows, and the highest alarm index */
    build_snapshot();
    char server[EXC_SERVER_BUF], resource[EXC_NAME_BUF], desc[EXC_TEXT_BUF];
    memset(server, 'S', EXC_SERVER_MAX);
    server[EXC_SERVER_MAX] = '\0';
    memset(resource, 'R', EXC_CONNECTOR_MAX);
    resource[EXC_CONNECTOR_MAX] = '\0';
    memset(desc, 'd', EXC_TEXT_MAX);
    desc[EXC_TEXT_MAX] = '\0';
    exc_alarm a;
    set_alarm(&a, UINT32_MAX, "Q1234567890ABCDE", EXC_SEV_INDETERMINATE, EXC_NOTIF_KB_ALARM,
              server, resource, desc, "https://support.microsoft.com/kb/1");
    CU_ASSERT_EQUAL(strlen(a.article), EXC_ARTICLE_MAX);
    exc_notice n;
    notice_of(&n, &a, EXC_NOTIF_KB_ALARM, EXC_SEV_INDETERMINATE);
    netsnmp_variable_list *vars = exc_notification_varbinds(&snap, &n);
    CU_ASSERT_EQUAL(count_vars(vars), 7);
    const netsnmp_variable_list *v = check_alarm_vars(vars->next_variable, UINT32_MAX,
                                                      "Q1234567890ABCDE", 2, server, resource,
                                                      desc);
    check_url(v, "Q1234567890ABCDE", "https://support.microsoft.com/kb/1");
    snmp_free_varbind(vars);
}

void exc_register_tests(void)
{
    CU_pSuite s = CU_add_suite("notification varbinds", NULL, NULL);
    CU_add_test(s, "raise: order, OIDs, types, values = GET", test_raise);
    CU_add_test(s, "each notification's snmpTrapOID", test_each_notification);
    CU_add_test(s, "exConnAlarmCleared from the notice", test_cleared);
    CU_add_test(s, "stale alarm: no exConnKbArticleUrl", test_stale_has_no_url);
    CU_add_test(s, "URL from the KB row, else the notice", test_url_source);
    CU_add_test(s, "longest names, highest index", test_bounds);
}
