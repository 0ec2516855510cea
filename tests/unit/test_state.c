/* The state directory (state.c): what exc_state_save writes,
 * exc_state_load gives back (model, alarms, journal, counters); the file is
 * replaced atomically (no temporary left, a stale temporary from a killed
 * writer ignored); a truncated or damaged file is a clear error naming the
 * file (and never a crash, whatever the cut); a missing one is no error. */
#include "fsutil.h"

#include "alarms.h"
#include "cu_main.h"
#include "model.h"
#include "report.h"
#include "state.h"
#include "util.h"

#define EXAMPLE EXC_TEST_DATA("reports/exch01-example.xml")

static char top[1024];

/* A model worth saving: the SPEC example, plus an events-only server, plus
 * a report with awkward strings and numbers at their limits. */
static void build(exc_model *m, exc_alarms *a, exc_journal *j)
{
    exc_model_init(m, 3);
    exc_alarms_init(a, 500, 2, 1000, true);
    memset(j, 0, sizeof *j);
    exc_report r;
    exc_err err = {0};
    CU_ASSERT_FATAL(exc_report_parse_file(EXAMPLE, 0, &r, &err));
    CU_ASSERT_FATAL(exc_model_apply_report(m, &r, 1700000000123, &err));
    exc_report_free(&r);
    /* the same server again, later: queue histories get a second sample */
    CU_ASSERT_FATAL(exc_report_parse_file(EXAMPLE, 0, &r, &err));
    r.collected += 60;
    CU_ASSERT_FATAL(exc_model_apply_report(m, &r, 1700000060456, &err));
    exc_report_free(&r);

    static const char odd[] =
        "<exchangeStatus schemaVersion='1' server='odd-1' site='Site with spaces % 100%'"
        " collected='2026-11-22T10:00:00Z'>"
        "<connector name='Caf\xc3\xa9 %20 connector' type='other' state='unknown'"
        " win32ExitCode='4294967295' serviceExitCode='0'/>"
        "<queue name='%' kind='other' messages='4294967295' bytes='18446744073709551615'"
        " oldestAge='0'/>"
        "<comPort name='COM 9'/>"
        "</exchangeStatus>";
    CU_ASSERT_FATAL(exc_report_parse_memory(odd, strlen(odd), &r, &err));
    CU_ASSERT_FATAL(exc_model_apply_report(m, &r, 5, &err));
    exc_report_free(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(exc_model_note_event(m, "evonly", 1700000099000));
    m->reports_accepted = 3;
    m->reports_rejected = 7;
    m->events_accepted = 11;
    m->events_rejected = UINT64_MAX;

    bool raised;
    exc_alarms_raise(a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_MAJOR, "EXCH01", "COM1",
                     "COM1 claimed by two", 1700000000200, &raised);
    exc_alarms_raise(a, NULL, EXC_NOTIF_SERVER_STALE, EXC_SEV_WARNING, "EVONLY", "EVONLY",
                     "no report", 1700000001000, &raised);
    exc_alarms_clear(a, 2, 1700000002000);

    exc_spool_entry f = {.kind = EXC_SPOOL_REPORT};
    snprintf(f.name, sizeof f.name, "20261122 report.xml");
    snprintf(f.path, sizeof f.path, "/var/spool/exconn/reports/20261122 report.xml");
    exc_journal_add(j, &f, EXC_JRN_DELETE, NULL);
    f.kind = EXC_SPOOL_EVENT;
    snprintf(f.name, sizeof f.name, "bad.xml");
    snprintf(f.path, sizeof f.path, "/var/spool/exconn/events/bad.xml");
    exc_journal_add(j, &f, EXC_JRN_REJECT, "line 3: unknown state \"runing\" 100%");
}

static void release(exc_model *m, exc_alarms *a, exc_journal *j)
{
    exc_model_free(m);
    exc_alarms_free(a);
    exc_journal_free(j);
}

/* text with a line "bogus 1 2" inserted as line 3 */
static char *replaced_line(const char *text)
{
    const char *nl = strchr(text, '\n');
    nl = nl ? strchr(nl + 1, '\n') : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
    size_t at = (size_t)(nl - text) + 1;
    char *out = exc_calloc(1, strlen(text) + 16);
    memcpy(out, text, at);
    strcpy(out + at, "bogus 1 2\n");
    strcat(out, text + at);
    return out;
}

static char *state_text(const char *dir)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/exconn.state", dir);
    return fs_read(p, NULL);
}

static void test_roundtrip(void)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "state"));
    char d1[1100], d2[1100];
    snprintf(d1, sizeof d1, "%s/one", top);
    snprintf(d2, sizeof d2, "%s/two", top);
    exc_err err = {0};
    CU_ASSERT_TRUE_FATAL(exc_state_prepare(d1, &err) && exc_state_prepare(d2, &err));

    exc_model m;
    exc_alarms a;
    exc_journal j;
    build(&m, &a, &j);
    CU_ASSERT_TRUE_FATAL(exc_state_save(d1, &m, &a, &j, &err));
    CU_ASSERT_EQUAL(fs_count_entries(d1), 1);   /* exconn.state, no temporary */
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s/.exconn.state.tmp", d1);
    CU_ASSERT_FALSE(fs_exists(tmp));

    exc_model m2;
    exc_alarms a2;
    exc_journal j2 = {0};
    exc_model_init(&m2, 3);
    exc_alarms_init(&a2, 500, 2, 1000, true);
    bool found = false;
    CU_ASSERT_TRUE_FATAL(exc_state_load(d1, &m2, &a2, &j2, &found, &err));
    CU_ASSERT_TRUE(found);

    /* the same model: field by field where it matters most... */
    CU_ASSERT_EQUAL(m2.reports_accepted, 3);
    CU_ASSERT_EQUAL(m2.reports_rejected, 7);
    CU_ASSERT_EQUAL(m2.events_accepted, 11);
    CU_ASSERT_EQUAL(m2.events_rejected, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(m2.n_servers, 3);
    const exc_server *s = exc_model_find(&m2, "exch01"), *o = exc_model_find(&m, "EXCH01");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->site, "HQ");
    CU_ASSERT_STRING_EQUAL(s->mta_version, "5.0.1460.8");
    CU_ASSERT_EQUAL(s->collected, o->collected);
    CU_ASSERT_EQUAL(s->received_ms, 1700000060456);
    CU_ASSERT_EQUAL(s->created_ms, 1700000000123);
    CU_ASSERT_EQUAL(s->n_connectors, 4);
    CU_ASSERT_EQUAL(s->n_queues, 5);
    CU_ASSERT_EQUAL(s->n_comports, 1);
    const exc_mconnector *c = exc_server_connector(s, "MS Mail Connector");
    CU_ASSERT_TRUE(c && c->c.state == EXC_ST_STOPPED && c->c.win32_exit.known &&
                   c->c.win32_exit.v == 1066 && c->c.service_exit.v == 3 &&
                   strcmp(c->c.com_port, "COM1") == 0 && c->last_change_ms == 1700000000123);
    const exc_mqueue *q = exc_server_queue(s, "X400-PARIS");
    CU_ASSERT_TRUE(q && q->hist.n == 2 && q->hist.v[0] == 40 && q->hist.v[1] == 40 &&
                   !q->q.bytes.known && q->q.oldest_age.v == 7200);
    q = exc_server_queue(s, "IMCDATA-IN");
    CU_ASSERT_TRUE(q && q->q.messages.known && !q->q.bytes.known && !q->q.oldest_age.known);
    const exc_mcomport *p = exc_server_comport(s, "COM1");
    CU_ASSERT_TRUE(p && p->p.n_claimants == 2 && p->conflict_since_ms == 1700000000123 &&
                   strcmp(p->p.claimants[1].name, "Remote Access Service") == 0 &&
                   p->p.claimants[1].kind == EXC_CK_RAS);
    s = exc_model_find(&m2, "ODD-1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->site, "Site with spaces % 100%");
    CU_ASSERT_PTR_NOT_NULL(exc_server_connector(s, "Caf\xc3\xa9 %20 connector"));
    q = exc_server_queue(s, "%");
    CU_ASSERT_TRUE(q && q->q.messages.v == UINT32_MAX && q->q.bytes.v == UINT64_MAX);
    CU_ASSERT_PTR_NOT_NULL(exc_server_comport(s, "COM 9"));
    s = exc_model_find(&m2, "EVONLY");
    CU_ASSERT_TRUE(s && !s->reported && s->events == 1 && s->created_ms == 1700000099000);
    CU_ASSERT_EQUAL(a2.n_active, 1);
    CU_ASSERT_EQUAL(a2.n_history, 3);
    CU_ASSERT_EQUAL_FATAL(j2.n, 2);
    CU_ASSERT_STRING_EQUAL(j2.e[0].file.name, "20261122 report.xml");
    CU_ASSERT_EQUAL(j2.e[0].action, EXC_JRN_DELETE);
    CU_ASSERT_EQUAL(j2.e[1].file.kind, EXC_SPOOL_EVENT);
    CU_ASSERT_STRING_EQUAL(j2.e[1].file.path, "/var/spool/exconn/events/bad.xml");
    CU_ASSERT_STRING_EQUAL(j2.e[1].reason, "line 3: unknown state \"runing\" 100%");

    /* ...and as a whole: saving what was loaded writes the same file */
    CU_ASSERT_TRUE_FATAL(exc_state_save(d2, &m2, &a2, &j2, &err));
    char *t1 = state_text(d1), *t2 = state_text(d2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
    CU_ASSERT_STRING_EQUAL(t1, t2);

    /* a second save replaces the first (the new journal, here none) */
    CU_ASSERT_TRUE_FATAL(exc_state_save(d1, &m, &a, NULL, &err));
    exc_journal_free(&j2);
    release(&m2, &a2, &j2);
    exc_model_init(&m2, 3);
    exc_alarms_init(&a2, 500, 2, 1000, true);
    CU_ASSERT_TRUE(exc_state_load(d1, &m2, &a2, &j2, &found, &err));
    CU_ASSERT_EQUAL(j2.n, 0);
    CU_ASSERT_EQUAL(m2.n_servers, 3);
    free(t1);
    free(t2);
    release(&m2, &a2, &j2);
    release(&m, &a, &j);
    fs_rm_rf(top);
}

static void test_missing_and_leftover_tmp(void)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "state"));
    exc_model m;
    exc_alarms a;
    exc_journal j = {0};
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 2, 1000, true);
    exc_err err = {0};
    bool found = true;
    /* no state yet: fine, nothing found */
    CU_ASSERT_TRUE(exc_state_load(top, &m, &a, &j, &found, &err));
    CU_ASSERT_FALSE(found);
    CU_ASSERT_EQUAL(m.n_servers, 0);
    release(&m, &a, &j);

    /* a writer killed half-way leaves its temporary: ignored by load, replaced
     * by the next save */
    exc_model mb;
    exc_alarms ab;
    exc_journal jb;
    build(&mb, &ab, &jb);
    CU_ASSERT_TRUE_FATAL(exc_state_save(top, &mb, &ab, &jb, &err));
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s/.exconn.state.tmp", top);
    CU_ASSERT_FATAL(fs_write_str(tmp, "exconn-state 1\nsrv HALF"));
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 2, 1000, true);
    CU_ASSERT_TRUE(exc_state_load(top, &m, &a, &j, &found, &err));
    CU_ASSERT_TRUE(found);
    CU_ASSERT_EQUAL(m.n_servers, 3);
    release(&m, &a, &j);
    CU_ASSERT_TRUE(exc_state_save(top, &mb, &ab, &jb, &err));
    CU_ASSERT_FALSE(fs_exists(tmp));
    release(&mb, &ab, &jb);
    fs_rm_rf(top);
}

/* Every cut of a real state file: a clear error, never a crash; cut after a
 * whole record it says "truncated". */
static void test_truncated(void)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "state"));
    exc_model m;
    exc_alarms a;
    exc_journal j;
    build(&m, &a, &j);
    exc_err err = {0};
    CU_ASSERT_TRUE_FATAL(exc_state_save(top, &m, &a, &j, &err));
    release(&m, &a, &j);
    char path[1200];
    snprintf(path, sizeof path, "%s/exconn.state", top);
    size_t len = 0;
    char *full = fs_read(path, &len);
    CU_ASSERT_FATAL(full && len > 200);

    size_t failures = 0, truncated_msgs = 0, line_cuts = 0;
    for (size_t cut = 0; cut < len; cut++) {
        CU_ASSERT_FATAL(fs_write(path, full, cut));
        exc_model_init(&m, 3);
        exc_alarms_init(&a, 500, 2, 1000, true);
        memset(&j, 0, sizeof j);
        exc_err_clear(&err);
        bool found = false;
        bool ok = exc_state_load(top, &m, &a, &j, &found, &err);
        release(&m, &a, &j);
        if (ok && cut == len - 1 && full[cut] == '\n')
            continue;   /* only the last newline gone: the end record is whole */
        if (ok) {
            failures++;
            fprintf(stderr, "\ncut at %zu of %zu loaded\n", cut, len);
            continue;
        }
        /* the message names the file */
        if (strstr(err.msg, "exconn.state") == NULL) {
            failures++;
            fprintf(stderr, "\ncut at %zu: \"%s\"\n", cut, err.msg);
        }
        if (cut > 0 && full[cut - 1] == '\n') {
            line_cuts++;
            if (strstr(err.msg, "truncated (no end record)") != NULL)
                truncated_msgs++;
            else
                fprintf(stderr, "\ncut after line at %zu: \"%s\"\n", cut, err.msg);
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_TRUE(line_cuts > 5);
    CU_ASSERT_EQUAL(truncated_msgs, line_cuts);

    /* the whole file still loads; damaged content is named with its line */
    CU_ASSERT_FATAL(fs_write(path, full, len));
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 2, 1000, true);
    memset(&j, 0, sizeof j);
    bool found;
    CU_ASSERT_TRUE(exc_state_load(top, &m, &a, &j, &found, &err));
    release(&m, &a, &j);
    char *bad = replaced_line(full);
    CU_ASSERT_FATAL(fs_write_str(path, bad));
    free(bad);
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 2, 1000, true);
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_state_load(top, &m, &a, &j, &found, &err));
    release(&m, &a, &j);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown record \"bogus\""));
    CU_ASSERT_EQUAL(err.line, 3);
    /* not a state file at all */
    CU_ASSERT_FATAL(fs_write_str(path, "<exchangeStatus/>\n"));
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 2, 1000, true);
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_state_load(top, &m, &a, &j, &found, &err));
    release(&m, &a, &j);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an exconn state file"));
    free(full);
    fs_rm_rf(top);
}

static void test_prepare(void)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "state"));
    exc_err err = {0};
    char p[1200];
    snprintf(p, sizeof p, "%s/new/", top);
    CU_ASSERT_TRUE(exc_state_prepare(p, &err));   /* created */
    snprintf(p, sizeof p, "%s/file", top);
    CU_ASSERT_FATAL(fs_write_str(p, "x"));
    snprintf(p, sizeof p, "%s/file/state", top);
    CU_ASSERT_FALSE(exc_state_prepare(p, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot create state directory"));
    fs_rm_rf(top);
}

void exc_register_tests(void)
{
    CU_pSuite s = CU_add_suite("state", NULL, NULL);
    CU_add_test(s, "save then load gives the same model, alarms and journal", test_roundtrip);
    CU_add_test(s, "missing state; a killed writer's temporary is ignored",
                test_missing_and_leftover_tmp);
    CU_add_test(s, "truncated or damaged state: a clear error, never a crash", test_truncated);
    CU_add_test(s, "state directory created; an impossible one is an error", test_prepare);
}
