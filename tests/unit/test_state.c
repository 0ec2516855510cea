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
#include "crc32.h"
#include "state_files.h"
#include "util.h"

#define EXAMPLE EXC_TEST_DATA("reports/exch01-example.xml")

static char top[1024];

/* A model worth saving: the SPEC example, plus an events-only server, plus
 * a report with awkward strings and numbers at their limits. */
static void build(exc_model *m, exc_alarms *a, exc_dispositions *j)
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
    exc_dispositions_add(j, &f, EXC_DISP_DELETE, NULL);
    f.kind = EXC_SPOOL_EVENT;
    snprintf(f.name, sizeof f.name, "bad.xml");
    snprintf(f.path, sizeof f.path, "/var/spool/exconn/events/bad.xml");
    exc_dispositions_add(j, &f, EXC_DISP_REJECT, "line 3: unknown state \"runing\" 100%");
}

static void release(exc_model *m, exc_alarms *a, exc_dispositions *j)
{
    exc_model_free(m);
    exc_alarms_free(a);
    exc_dispositions_free(j);
}

/* load into a fresh model; false with err set on refusal */
static bool load_fresh(const char *dir, exc_err *err, size_t *servers)
{
    exc_model m;
    exc_alarms a;
    exc_dispositions j = {0};
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 2, 1000, true);
    exc_err_clear(err);
    bool found = false;
    bool ok = exc_state_load(dir, &m, &a, &j, &found, err);
    if (servers)
        *servers = m.n_servers;
    release(&m, &a, &j);
    return ok;
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

/* a version-2 text rewritten as version 1 wrote it: header "exconn-state 1",
 * a bare "end" record */
static char *as_version1(const char *v2)
{
    CU_ASSERT_FATAL(strncmp(v2, "exconn-state 2\n", 15) == 0);
    char *out = exc_strdup(v2);
    out[13] = '1';
    char *end = strstr(out, "\nend ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    strcpy(end, "\nend\n");
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
    exc_dispositions j;
    build(&m, &a, &j);
    CU_ASSERT_TRUE_FATAL(exc_state_save(d1, &m, &a, &j, &err));
    CU_ASSERT_EQUAL(fs_count_entries(d1), 1);   /* exconn.state, no temporary */
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s/.exconn.state.tmp", d1);
    CU_ASSERT_FALSE(fs_exists(tmp));

    exc_model m2;
    exc_alarms a2;
    exc_dispositions j2 = {0};
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
    CU_ASSERT_EQUAL(j2.e[0].action, EXC_DISP_DELETE);
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
    exc_dispositions_free(&j2);
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
    exc_dispositions j = {0};
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
    exc_dispositions jb;
    build(&mb, &ab, &jb);
    CU_ASSERT_TRUE_FATAL(exc_state_save(top, &mb, &ab, &jb, &err));
    char tmp[1200], tmp2[1200];
    snprintf(tmp, sizeof tmp, "%s/.exconn.state.tmp", top);   /* older versions' name */
    CU_ASSERT_FATAL(fs_write_str(tmp, "exconn-state 1\nsrv HALF"));
    snprintf(tmp2, sizeof tmp2, "%s/.exconn.state.Ab12Cd", top);
    CU_ASSERT_FATAL(fs_write_str(tmp2, "exconn-state 2\nsrv HALF"));
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 2, 1000, true);
    CU_ASSERT_TRUE(exc_state_load(top, &m, &a, &j, &found, &err));
    CU_ASSERT_TRUE(found);
    CU_ASSERT_EQUAL(m.n_servers, 3);
    release(&m, &a, &j);
    CU_ASSERT_TRUE(exc_state_save(top, &mb, &ab, &jb, &err));
    /* removed when the writer starts (exc_state_prepare) */
    CU_ASSERT_TRUE(exc_state_prepare(top, &err));
    CU_ASSERT_FALSE(fs_exists(tmp));
    CU_ASSERT_FALSE(fs_exists(tmp2));
    CU_ASSERT_EQUAL(fs_count_entries(top), 1);   /* exconn.state only */
    release(&mb, &ab, &jb);
    fs_rm_rf(top);
}

/* A fresh scratch directory (top) with the state of build() saved: its
 * path and text. */
static char *saved_state(char *path, size_t cap, size_t *len)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "state"));
    exc_model m;
    exc_alarms a;
    exc_dispositions j;
    build(&m, &a, &j);
    exc_err err = {0};
    CU_ASSERT_TRUE_FATAL(exc_state_save(top, &m, &a, &j, &err));
    release(&m, &a, &j);
    snprintf(path, cap, "%s/exconn.state", top);
    char *full = fs_read(path, len);
    CU_ASSERT_FATAL(full && *len > 200);
    return full;
}

/* Every cut of a real state file: a clear error, never a crash; cut after a
 * whole record it says "truncated". */
static void test_truncated(void)
{
    char path[1200];
    size_t len = 0;
    char *full = saved_state(path, sizeof path, &len);
    exc_model m;
    exc_alarms a;
    exc_dispositions j;
    exc_err err = {0};

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
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    /* version 2: the checksum catches it before any record is believed */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state: checksum mismatch"));
    /* the same in a version-1 file (no checksum): the record, with its line */
    char *v1 = as_version1(full);
    bad = replaced_line(v1);
    CU_ASSERT_FATAL(fs_write_str(path, bad));
    free(bad);
    free(v1);
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state:3: unknown record \"bogus\""));
    /* not a state file at all */
    CU_ASSERT_FATAL(fs_write_str(path, "<exchangeStatus/>\n"));
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
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

/* issue 14: a commit where one of many alarms changed (its count, as a
 * report on an alarmed server does) journals that alarm alone, and a reload
 * gives every alarm back as it was last committed. */
static void test_alarm_delta(void)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "state"));
    exc_model m;
    exc_alarms a;
    exc_dispositions j;
    build(&m, &a, &j);
    char res[32];
    for (int i = 0; i < 50; i++) {
        snprintf(res, sizeof res, "Q%02d", i);
        exc_alarms_raise(&a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_MINOR, "EXCH01", res, "queue",
                         1700000003000 + i, NULL);
    }
    exc_err err = {0};
    exc_state st;
    exc_state_init(&st, top);
    CU_ASSERT_FATAL(exc_state_checkpoint(&st, &m, &a, &j, &err));
    exc_alarm *al = exc_alarms_raise(&a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_MINOR, "EXCH01",
                                     "Q17", "queue again", 1700000009000, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(al);
    uint32_t count = al->count, index = al->index;
    CU_ASSERT_EQUAL(count, 2);
    CU_ASSERT_FATAL(exc_state_commit(&st, &m, &a, &j, &err));
    exc_state_close(&st);

    char jpath[1200];
    snprintf(jpath, sizeof jpath, "%s/exconn.journal", top);
    size_t len = 0;
    char *text = fs_read(jpath, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    size_t n_alm = 0;
    for (const char *p = text; (p = strstr(p, "\nalm ")) != NULL; p++)
        n_alm++;
    CU_ASSERT_EQUAL(n_alm, 1);   /* Q17 alone, not the 51 active */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "again"));   /* the new description */
    free(text);

    exc_model m2;
    exc_alarms a2;
    exc_dispositions j2 = {0};
    exc_model_init(&m2, 3);
    exc_alarms_init(&a2, 500, 2, 1000, true);
    bool found = false;
    CU_ASSERT_TRUE_FATAL(exc_state_load(top, &m2, &a2, &j2, &found, &err));
    CU_ASSERT_EQUAL(a2.n_active, a.n_active);
    for (size_t i = 0; i < a.n_active && i < a2.n_active; i++) {
        CU_ASSERT_EQUAL(a2.active[i].index, a.active[i].index);
        CU_ASSERT_EQUAL(a2.active[i].count, a.active[i].count);
        CU_ASSERT_STRING_EQUAL(a2.active[i].description, a.active[i].description);
        if (a2.active[i].index == index)
            CU_ASSERT_EQUAL(a2.active[i].count, count);
    }
    release(&m2, &a2, &j2);
    release(&m, &a, &j);
    fs_rm_rf(top);
}

/* issue 9.7: a damaged checkpoint (one byte, same size) and an orphaned
 * journal refuse to load, naming the file; exc_state_check says the same;
 * a version-1 state is still read. */
static void test_damaged_refused(void)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "state"));
    exc_model m;
    exc_alarms a;
    exc_dispositions j;
    build(&m, &a, &j);
    exc_err err = {0};
    exc_state st;
    exc_state_init(&st, top);
    CU_ASSERT_FATAL(exc_state_checkpoint(&st, &m, &a, &j, &err));   /* + an empty journal */
    m.reports_accepted++;
    CU_ASSERT_FATAL(exc_state_commit(&st, &m, &a, &j, &err));       /* + one entry */
    CU_ASSERT_TRUE(exc_state_pending(&st));
    exc_state_close(&st);
    release(&m, &a, &j);
    char path[1200], jpath[1200], aside[1200];
    snprintf(path, sizeof path, "%s/exconn.state", top);
    snprintf(jpath, sizeof jpath, "%s/exconn.journal", top);
    snprintf(aside, sizeof aside, "%s/exconn.state.aside", top);
    size_t len = 0, n;
    char *full = fs_read(path, &len);
    CU_ASSERT_FATAL(full != NULL);
    CU_ASSERT_TRUE(load_fresh(top, &err, &n));
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_TRUE(exc_state_check(top, &err));

    /* one byte changed in a server's site, the size unchanged */
    char *bad = exc_strdup(full);
    char *site = strstr(bad, "HQ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(site);
    site[0] = 'X';
    CU_ASSERT_FATAL(fs_write(path, bad, len));
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state: checksum mismatch"));
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_state_check(top, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state: checksum mismatch"));
    free(bad);

    /* the checkpoint gone, its journal still there */
    CU_ASSERT_FATAL(rename(path, aside) == 0);
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.journal: a journal without its checkpoint"));
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_state_check(top, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "without its checkpoint"));
    /* both moved aside: an empty start */
    CU_ASSERT_FATAL(unlink(jpath) == 0);
    CU_ASSERT_TRUE(load_fresh(top, &err, &n));
    CU_ASSERT_EQUAL(n, 0);

    /* a version-1 checkpoint (an older agent's) is still read */
    char *v1 = as_version1(full);
    CU_ASSERT_FATAL(fs_write_str(path, v1));
    CU_ASSERT_TRUE(load_fresh(top, &err, &n));
    CU_ASSERT_EQUAL(n, 3);
    free(v1);
    free(full);
    fs_rm_rf(top);
}

/* issue 9.17: each start-up refusal says what is wrong, with file (and
 * line where one applies). */
static void test_messages(void)
{
    char path[1200];
    size_t len = 0;
    char *full = saved_state(path, sizeof path, &len);
    exc_err err = {0};

    /* a newer version: says which */
    char *v3 = exc_strdup(full);
    v3[13] = '3';
    CU_ASSERT_FATAL(fs_write_str(path, v3));
    free(v3);
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state:1: state version 3 is not one"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "(version 1)"));

    /* half a file, cut inside a record: truncated, at which line */
    size_t cut = len / 2;
    while (full[cut - 1] == '\n')
        cut++;
    CU_ASSERT_FATAL(fs_write(path, full, cut));
    char want[64];
    size_t lines = 1;
    for (size_t i = 0; i < cut; i++)
        lines += full[i] == '\n';
    snprintf(want, sizeof want, "exconn.state:%zu: truncated (incomplete last line", lines);
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
    if (!strstr(err.msg, want))
        fprintf(stderr, "\nwanted \"%s\" in \"%s\"\n", want, err.msg);

    /* an empty file, a directory, a symlink, a FIFO: each named for what it is */
    CU_ASSERT_FATAL(fs_write(path, "", 0));
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state: empty file (truncated)"));
    CU_ASSERT_FATAL(unlink(path) == 0 && mkdir(path, 0700) == 0);
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state: is a directory, not a state file"));
    CU_ASSERT_FATAL(rmdir(path) == 0 && symlink("/etc/passwd", path) == 0);
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state: is a symbolic link"));
    CU_ASSERT_FATAL(unlink(path) == 0 && mkfifo(path, 0600) == 0);
    CU_ASSERT_FALSE(load_fresh(top, &err, NULL));   /* and does not block */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exconn.state: is a FIFO"));
    CU_ASSERT_FATAL(unlink(path) == 0);
    free(full);
    fs_rm_rf(top);
}

/* issue 9.5: a symlink planted where a temporary used to be created
 * (.exconn.state.tmp, .exconn.journal.tmp) is never written through. */
static void test_tmp_symlink(void)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "state"));
    char target[1200], link1[1200], link2[1200];
    snprintf(target, sizeof target, "%s/target", top);
    CU_ASSERT_FATAL(fs_write_str(target, "precious\n"));
    snprintf(link1, sizeof link1, "%s/.exconn.state.tmp", top);
    snprintf(link2, sizeof link2, "%s/.exconn.journal.tmp", top);
    CU_ASSERT_FATAL(symlink(target, link1) == 0 && symlink(target, link2) == 0);
    exc_model m;
    exc_alarms a;
    exc_dispositions j;
    build(&m, &a, &j);
    exc_err err = {0};
    exc_state st;
    exc_state_init(&st, top);
    CU_ASSERT_TRUE(exc_state_checkpoint(&st, &m, &a, &j, &err));
    CU_ASSERT_TRUE(exc_state_pending(&st) || st.jfd >= 0);
    exc_state_close(&st);
    release(&m, &a, &j);
    char *t = fs_read(target, NULL);
    CU_ASSERT_STRING_EQUAL(t, "precious\n");
    free(t);
    size_t n;
    CU_ASSERT_TRUE(load_fresh(top, &err, &n));
    CU_ASSERT_EQUAL(n, 3);
    fs_rm_rf(top);
}


/* the CRC-32 of the checkpoint and the journal entries (slicing by 8):
 * the check value of CRC-32/ISO-HDLC, and by parts cut anywhere the same as
 * whole */
static void test_crc32(void)
{
    CU_ASSERT_EQUAL(exc_crc32_of("123456789", 9), 0xCBF43926u);
    CU_ASSERT_EQUAL(exc_crc32_of("", 0), 0);
    char buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 31 + 7);
    uint32_t whole = exc_crc32_of(buf, sizeof buf);
    for (size_t cut = 0; cut <= sizeof buf; cut += 13) {
        uint32_t c = exc_crc32_update(0xFFFFFFFFu, buf, cut);
        c = exc_crc32_update(c, buf + cut, sizeof buf - cut) ^ 0xFFFFFFFFu;
        CU_ASSERT_EQUAL(c, whole);
    }
}

void exc_register_tests(void)
{
    CU_pSuite s = CU_add_suite("state", NULL, NULL);
    CU_add_test(s, "save then load gives the same model, alarms and journal", test_roundtrip);
    CU_add_test(s, "missing state; a killed writer's temporary is ignored",
                test_missing_and_leftover_tmp);
    CU_add_test(s, "truncated or damaged state: a clear error, never a crash", test_truncated);
    CU_add_test(s, "state directory created; an impossible one is an error", test_prepare);
    CU_add_test(s, "damaged checkpoint, orphaned journal: refused (9.7)", test_damaged_refused);
    CU_add_test(s, "one alarm changed of many: journaled alone, reloaded (14)",
                test_alarm_delta);
    CU_add_test(s, "start-up refusals name file, line and cause (9.17)", test_messages);
    CU_add_test(s, "temporaries never written through a symlink (9.5)", test_tmp_symlink);
    CU_add_test(s, "CRC-32 check value, by parts", test_crc32);
}
