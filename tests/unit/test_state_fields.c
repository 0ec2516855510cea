/* Issue 13.1: every field the state saves survives a restart on its own.
 * A server's journal entry is written only when the state thinks the
 * server changed; a field that is saved but not part of that decision is
 * never journaled, and its new value is lost when the agent restarts from
 * checkpoint + journal.  For each saved field (server, collection status,
 * connector, queue and its history, COM port, claimant, counters): a
 * checkpoint of a model, that one field changed, one journal commit, a
 * load into a fresh model -- the loaded server serialises exactly as the
 * changed one; the same for each field of an active alarm. */
#include "fsutil.h"

#include "alarms.h"
#include "cu_main.h"
#include "model.h"
#include "report.h"
#include "state.h"
#include "statefile.h"
#include "util.h"

#define EXAMPLE EXC_TEST_DATA("reports/exch01-example.xml")

static exc_server *srv(exc_model *m) { return exc_model_find(m, "EXCH01"); }

static exc_mconnector *conn(exc_model *m, const char *name)
{
    return (exc_mconnector *)exc_server_connector(srv(m), name);
}

static exc_mqueue *queue(exc_model *m, const char *name)
{
    return (exc_mqueue *)exc_server_queue(srv(m), name);
}

static exc_mcomport *com1(exc_model *m) { return &srv(m)->comports[0]; }

/* ---- one change per saved field ---- */

#define IMC "Internet Mail Service"
#define X400 "X.400 to PARIS"
#define CCMAIL "cc:Mail Connector"
#define MSMAIL "MS Mail Connector"

static void f_site(exc_model *m) { snprintf(srv(m)->site, sizeof srv(m)->site, "BRANCH"); }
static void f_exver(exc_model *m) { snprintf(srv(m)->exchange_version, EXC_NAME_BUF, "5.5.2653.23"); }
static void f_mtaver(exc_model *m) { snprintf(srv(m)->mta_version, EXC_NAME_BUF, "5.0.1461.50"); }
static void f_collected(exc_model *m) { srv(m)->collected += 7; }
static void f_received(exc_model *m) { srv(m)->received_ms += 7; }
static void f_created(exc_model *m) { srv(m)->created_ms -= 7; }
static void f_events(exc_model *m) { srv(m)->events += 1; }
static void f_cst(exc_model *m) { srv(m)->collect_status = EXC_CS_AUTH_FAILED; }
static void f_cst_time(exc_model *m) { srv(m)->collect_time += 60; }
static void f_cst_error(exc_model *m)
{
    snprintf(srv(m)->collect_error, EXC_TEXT_BUF, "logon failure (another one)");
}
static void f_type(exc_model *m) { conn(m, MSMAIL)->c.type = EXC_CT_OTHER; }
static void f_service(exc_model *m) { snprintf(conn(m, MSMAIL)->c.service, EXC_NAME_BUF, "MSMI2"); }
static void f_state(exc_model *m) { conn(m, MSMAIL)->c.state = EXC_ST_RUNNING; }
static void f_win32(exc_model *m) { conn(m, MSMAIL)->c.win32_exit.v = 0; }
static void f_win32_known(exc_model *m) { conn(m, MSMAIL)->c.win32_exit.known = false; }
static void f_svcexit(exc_model *m) { conn(m, MSMAIL)->c.service_exit.v = 4; }
static void f_com(exc_model *m) { snprintf(conn(m, MSMAIL)->c.com_port, EXC_PORT_BUF, "COM2"); }
static void f_dirsync(exc_model *m) { conn(m, CCMAIL)->c.dirsync = EXC_DS_COMPLETED; }
static void f_queuefile(exc_model *m) { conn(m, IMC)->c.queuefile = EXC_QF_OK; }
static void f_remote(exc_model *m) { snprintf(conn(m, X400)->c.remote_site, EXC_NAME_BUF, "LONDON"); }
static void f_link(exc_model *m) { conn(m, X400)->c.link = EXC_LINK_UP; }
static void f_lastchange(exc_model *m) { conn(m, IMC)->last_change_ms += 7; }
static void f_qconn(exc_model *m) { snprintf(queue(m, "MTS-OUT")->q.connector, EXC_NAME_BUF, X400); }
static void f_qkind(exc_model *m) { queue(m, "MTS-OUT")->q.kind = EXC_QK_OTHER; }
static void f_qmsgs(exc_model *m)
{
    exc_mqueue *q = queue(m, "MTS-OUT");
    q->q.messages.v = 13;
    q->hist.v[q->hist.n - 1] = 13;   /* a history ends with the current count */
}
static void f_qbytes(exc_model *m) { queue(m, "MTS-OUT")->q.bytes.v = 1; }
static void f_qbytes_known(exc_model *m) { queue(m, "MTS-OUT")->q.bytes.known = false; }
static void f_qage(exc_model *m) { queue(m, "MTS-OUT")->q.oldest_age.v = 3601; }
static void f_qhist(exc_model *m) { queue(m, "MTS-OUT")->hist.v[0] = 11; }
static void f_conflict(exc_model *m) { com1(m)->conflict_since_ms += 7; }
static void f_clmkind(exc_model *m) { com1(m)->p.claimants[1].kind = EXC_CK_OTHERAPP; }
static void f_clmname(exc_model *m)
{
    snprintf(com1(m)->p.claimants[1].name, EXC_NAME_BUF, "RAS (another)");
}

typedef struct field {
    const char *name;
    void (*change)(exc_model *);
} field;

static const field fields[] = {
    {"site", f_site}, {"exchangeVersion", f_exver}, {"mtaVersion", f_mtaver},
    {"collected", f_collected}, {"received", f_received}, {"created", f_created},
    {"events", f_events}, {"collection status", f_cst}, {"collection time", f_cst_time},
    {"collection error", f_cst_error}, {"connector type", f_type}, {"service", f_service},
    {"service state", f_state}, {"win32 exit code", f_win32},
    {"win32 exit code known", f_win32_known}, {"service exit code", f_svcexit},
    {"COM port", f_com}, {"dirSync", f_dirsync}, {"queue file", f_queuefile},
    {"remote site", f_remote}, {"link", f_link}, {"last change", f_lastchange},
    {"queue connector", f_qconn}, {"queue kind", f_qkind}, {"queue messages", f_qmsgs},
    {"queue bytes", f_qbytes}, {"queue bytes known", f_qbytes_known},
    {"queue oldest age", f_qage}, {"queue history", f_qhist},
    {"conflict since", f_conflict}, {"claimant kind", f_clmkind},
    {"claimant name", f_clmname},
};

/* the active alarm's saved fields */
static exc_alarm *alm(exc_alarms *a) { return &a->active[0]; }
static void a_article(exc_alarms *a) { snprintf(alm(a)->article, EXC_ARTICLE_BUF, "Q999999"); }
static void a_sev(exc_alarms *a) { alm(a)->severity = EXC_SEV_CRITICAL; }
static void a_notif(exc_alarms *a) { alm(a)->notification = EXC_NOTIF_COMPORT_CONFLICT; }
static void a_server(exc_alarms *a) { snprintf(alm(a)->server, EXC_SERVER_BUF, "EXCH02"); }
static void a_resource(exc_alarms *a) { snprintf(alm(a)->resource, EXC_NAME_BUF, "COM2"); }
static void a_desc(exc_alarms *a) { snprintf(alm(a)->description, EXC_TEXT_BUF, "other words"); }
static void a_url(exc_alarms *a) { snprintf(alm(a)->url, EXC_TEXT_BUF, "https://example.net/kb"); }
static void a_raised(exc_alarms *a) { alm(a)->raised_ms -= 7; }
static void a_seen(exc_alarms *a) { alm(a)->last_seen_ms += 7; }
static void a_count(exc_alarms *a) { alm(a)->count += 1; }
static void a_evtime(exc_alarms *a) { alm(a)->last_event_time = 1700000000; }
static void a_evrx(exc_alarms *a) { alm(a)->last_event_rx_ms = 1700000000456; }
static void a_notified(exc_alarms *a) { alm(a)->raise_notified = !alm(a)->raise_notified; }

typedef struct alarm_field {
    const char *name;
    void (*change)(exc_alarms *);
} alarm_field;

static const alarm_field alarm_fields[] = {
    {"alarm article", a_article}, {"alarm severity", a_sev},
    {"alarm notification", a_notif}, {"alarm server", a_server},
    {"alarm resource", a_resource}, {"alarm description", a_desc}, {"alarm URL", a_url},
    {"alarm raised", a_raised}, {"alarm last seen", a_seen}, {"alarm count", a_count},
    {"alarm event time", a_evtime}, {"alarm event received", a_evrx},
    {"alarm raise notified", a_notified},
};

/* ---- fixture ---- */

/* what the model does whenever it changes a server: a new stamp (issue 14;
 * every writer calls exc_model_touch, and the journal hashes only servers
 * whose stamp moved) */
static void touch(exc_model *m) { exc_model_touch(m, srv(m)); }

static void build(exc_model *m, exc_alarms *a)
{
    exc_model_init(m, 3);
    exc_alarms_init(a, 500, 2, 1000, true);
    exc_report r;
    exc_err err = {0};
    for (int i = 0; i < 2; i++) {   /* twice: the queue histories get two samples */
        CU_ASSERT_FATAL(exc_report_parse_file(EXAMPLE, 0, &r, &err));
        r.collected += 60 * i;
        CU_ASSERT_FATAL(exc_model_apply_report(m, &r, 1700000000123 + 60000 * i, &err));
        exc_report_free(&r);
    }
    exc_server *s = srv(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    s->collect_status = EXC_CS_OK;
    s->collect_time = s->collected;
    CU_ASSERT_FATAL(s->n_comports == 1 && s->comports[0].p.n_claimants == 2);
    CU_ASSERT_FATAL(queue(m, "MTS-OUT")->hist.n == 2);
    com1(m)->conflict_since_ms = 1700000000123;
    bool raised;
    exc_alarms_raise(a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_MAJOR, "EXCH01", "COM1",
                     "COM1 claimed by two", 1700000000200, &raised);
    CU_ASSERT_FATAL(raised && a->n_active == 1);
}

/* what the state file holds for the server, the counters and the alarms */
static char *serialised(const exc_model *m, const exc_alarms *a)
{
    size_t len = 0;
    exc_sf_writer w = {0};
    exc_model_save_counters(m, &w);
    exc_model_save_server(exc_model_find(m, "EXCH01"), &w);
    exc_alarms_save(a, &w);
    return exc_sf_take(&w, &len);
}

/* checkpoint; change one field (or the counters); commit; load fresh */
static void check_survives(const char *what, void (*change)(exc_model *),
                           void (*change_alarm)(exc_alarms *))
{
    char dir[1024];
    CU_ASSERT_FATAL(fs_mkdtemp(dir, sizeof dir, "fields"));
    exc_model m, back;
    exc_alarms a, aback;
    exc_dispositions j = {0}, jback = {0};
    exc_err err = {0};
    build(&m, &a);
    exc_state st;
    exc_state_init(&st, dir);
    CU_ASSERT_FATAL(exc_state_checkpoint(&st, &m, &a, &j, &err));
    char *before = serialised(&m, &a);
    if (change) {
        change(&m);
        touch(&m);
    }
    if (change_alarm) {
        change_alarm(&a);
        exc_alarms_touch(&a, alm(&a));   /* what every writer of an alarm does */
    }
    /* the change must show in what is saved: a field left out of the save
     * (and so of the change hash, which the save code feeds) fails here */
    char *after = serialised(&m, &a);
    if (strcmp(before, after) == 0)
        fprintf(stderr, "\n%s is not saved\n", what);
    CU_ASSERT_STRING_NOT_EQUAL(before, after);
    free(before);
    free(after);
    CU_ASSERT_FATAL(exc_state_commit(&st, &m, &a, &j, &err));
    exc_state_close(&st);

    exc_model_init(&back, 3);
    exc_alarms_init(&aback, 500, 2, 1000, true);
    bool found = false;
    CU_ASSERT_FATAL(exc_state_load(dir, &back, &aback, &jback, &found, &err));
    CU_ASSERT_TRUE(found);
    char *want = serialised(&m, &a), *got = serialised(&back, &aback);
    if (strcmp(want, got) != 0)
        fprintf(stderr, "\n%s lost at restart:\nsaved:  %s\nloaded: %s\n", what, want, got);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(want);
    free(got);
    exc_model_free(&m);
    exc_model_free(&back);
    exc_alarms_free(&a);
    exc_alarms_free(&aback);
    exc_dispositions_free(&j);
    exc_dispositions_free(&jback);
    fs_rm_rf(dir);
}

static void test_each_field(void)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        check_survives(fields[i].name, fields[i].change, NULL);
}

static void test_each_alarm_field(void)
{
    for (size_t i = 0; i < sizeof alarm_fields / sizeof alarm_fields[0]; i++)
        check_survives(alarm_fields[i].name, NULL, alarm_fields[i].change);
}

static void c_counters(exc_model *m)
{
    m->reports_accepted++;
    m->reports_rejected += 2;
    m->events_accepted += 3;
    m->events_rejected += 4;
}

static void test_counters(void) { check_survives("counters", c_counters, NULL); }

void exc_register_tests(void)
{
    static CU_TestInfo tests[] = {
        { "each saved server field survives a restart alone", test_each_field },
        { "each saved field of an active alarm survives a restart alone",
          test_each_alarm_field },
        { "the counters survive a restart", test_counters },
        CU_TEST_INFO_NULL,
    };
    exc_add_suite("state fields", NULL, NULL, tests);
}
