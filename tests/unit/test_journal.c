/* The state journal (state.c): commits appended to exconn.journal replay to
 * exactly the state that was committed; an interrupted append loses only
 * that commit; a replaced or removed checkpoint makes the next commit a
 * checkpoint; a journal left beside a newer checkpoint is ignored. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "fsutil.h"

#include "alarms.h"
#include "event.h"
#include "kb.h"
#include "model.h"
#include "report.h"
#include "rules.h"
#include "state.h"
#include "util.h"

typedef struct world {
    char dir[512];
    exc_kb kb;
    exc_model m;
    exc_alarms a;
    exc_dispositions j;
    exc_rules_cfg rc;
    exc_state st;
    int64_t now;
} world;

static bool world_init(world *w, const char *tag)
{
    memset(w, 0, sizeof *w);
    if (!fs_mkdtemp(w->dir, sizeof w->dir, tag))
        return false;
    exc_err err = {0};
    if (!exc_kb_load_dir(EXCONN_SOURCE_DIR "/kb", &w->kb, &err))
        return false;
    exc_model_init(&w->m, 3);
    exc_alarms_init(&w->a, 500, 0, 1000, true);
    w->rc = (exc_rules_cfg){.stale_after = 900, .event_ttl = 86400, .stall_samples = 3};
    exc_state_init(&w->st, w->dir);
    w->now = exc_now_ms();
    return true;
}

static void world_done(world *w)
{
    exc_state_close(&w->st);
    exc_dispositions_free(&w->j);
    exc_alarms_free(&w->a);
    exc_model_free(&w->m);
    exc_kb_free(&w->kb);
    fs_rm_rf(w->dir);
}

static void apply_report(world *w, const char *path)
{
    exc_report r;
    exc_err err = {0};
    CU_ASSERT_FATAL(exc_report_parse_file(path, 0, &r, &err));
    char server[EXC_SERVER_BUF];
    memcpy(server, r.server, sizeof server);
    w->now += 1000;
    CU_ASSERT_FATAL(exc_model_apply_report(&w->m, &r, w->now, &err));
    exc_report_free(&r);
    w->m.reports_accepted++;
    exc_rules_eval_server(&w->rc, &w->kb, &w->m, &w->a, exc_model_find(&w->m, server), w->now);
}

static void apply_events(world *w, const char *path)
{
    exc_event_batch b;
    exc_err err = {0};
    CU_ASSERT_FATAL(exc_events_parse_file(path, 0, &b, &err));
    w->now += 1000;
    for (size_t i = 0; i < b.n; i++) {
        exc_model_note_event(&w->m, b.events[i].server, w->now);
        exc_rules_on_event(&w->rc, &w->kb, &w->m, &w->a, &b.events[i], w->now);
    }
    w->m.events_accepted += b.n;
    exc_events_free(&b);
}

/* A journal entry for a file, as the engine records it. */
static void note_file(world *w, const char *name)
{
    exc_spool_entry f = {.kind = EXC_SPOOL_REPORT};
    snprintf(f.name, sizeof f.name, "%s", name);
    snprintf(f.path, sizeof f.path, "%s/spool/reports/%s", w->dir, name);
    exc_dispositions_clear(&w->j);
    exc_dispositions_add(&w->j, &f, EXC_DISP_DELETE, NULL);
}

/* Everything a state file holds, as text. */
static char *dump(const exc_model *m, const exc_alarms *a, const exc_dispositions *j)
{
    size_t len = 0;
    exc_sf_writer wr = {0};
    exc_model_save(m, &wr);
    exc_alarms_save(a, &wr);
    for (size_t i = 0; j && i < j->n; i++) {
        exc_sf_begin(&wr, "jrn");
        exc_sf_str(&wr, j->e[i].file.name);
        exc_sf_u64(&wr, (uint64_t)j->e[i].action);
        exc_sf_end(&wr);
    }
    return exc_sf_take(&wr, &len);
}

static char *dump_world(const world *w) { return dump(&w->m, &w->a, &w->j); }

/* Load the state directory into a fresh model/alarms/journal and dump it. */
static char *dump_loaded(const world *w)
{
    exc_model m;
    exc_alarms a;
    exc_dispositions j = {0};
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 0, 1000, true);
    bool found = false;
    exc_err err = {0};
    bool ok = exc_state_load(w->dir, &m, &a, &j, &found, &err);
    CU_ASSERT_TRUE(ok && found);
    if (!ok)
        fprintf(stderr, "\nload: %s\n", err.msg);
    char *d = dump(&m, &a, &j);
    exc_dispositions_free(&j);
    exc_alarms_free(&a);
    exc_model_free(&m);
    return d;
}

static bool commit(world *w)
{
    exc_err err = {0};
    bool ok = exc_state_commit(&w->st, &w->m, &w->a, &w->j, &err);
    if (!ok)
        fprintf(stderr, "\ncommit: %s\n", err.msg);
    return ok;
}

static long file_size(const world *w, const char *name)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", w->dir, name);
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

#define ASSERT_SAME(a, b)                                                   \
    do {                                                                    \
        bool same_ = strcmp((a), (b)) == 0;                                 \
        CU_ASSERT_TRUE(same_);                                              \
        if (!same_)                                                         \
            fprintf(stderr, "\n--- committed\n%s--- loaded\n%s", (a), (b)); \
    } while (0)

/* Reports, events and alarms committed through the journal load back as
 * they were, entry after entry; each entry holds only what changed. */
static void replay(unsigned hold_down)
{
    world w;
    CU_ASSERT_FATAL(world_init(&w, "journal-replay"));
    exc_alarms_configure(&w.a, 500, hold_down, 1000, true);
    apply_report(&w, EXC_TEST_DATA("reports/exch02-healthy.xml"));
    note_file(&w, "01.xml");
    CU_ASSERT_FATAL(commit(&w));   /* the first commit is a checkpoint */
    CU_ASSERT_TRUE(file_size(&w, "exconn.state") > 0);
    long j0 = file_size(&w, "exconn.journal");
    CU_ASSERT_TRUE(j0 > 0);
    CU_ASSERT_FALSE(exc_state_pending(&w.st));

    static const char *const steps[] = {
        "reports/exch01-example.xml",    /* a new server, Q158047 raised */
        "events/q182346-imc-4087.xml",   /* an event creates EXCH05: Q182346 */
        "reports/q182346-imc-stopped.xml",
        "reports/q158047-repaired.xml",  /* clears */
        "events/wrapped-events.xml",
        "reports/q193760-stall-1.xml",
        "reports/q193760-stall-2.xml",
        "reports/q193760-stall-3.xml",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char path[1024], name[32];
        snprintf(path, sizeof path, "%s/tests/data/%s", EXCONN_SOURCE_DIR, steps[i]);
        if (strncmp(steps[i], "events/", 7) == 0)
            apply_events(&w, path);
        else
            apply_report(&w, path);
        snprintf(name, sizeof name, "%02zu.xml", i + 2);
        note_file(&w, name);
        CU_ASSERT_FATAL(commit(&w));
        CU_ASSERT_TRUE(exc_state_pending(&w.st));
        char *want = dump_world(&w), *got = dump_loaded(&w);
        ASSERT_SAME(want, got);
        free(want);
        free(got);
    }
    long ckp = file_size(&w, "exconn.state");

    /* every server touched, none changed (issue 14: written and hashed in
     * one pass, then taken back): an entry without a server record */
    long before_touch = file_size(&w, "exconn.journal");
    for (size_t i = 0; i < w.m.n_servers; i++)
        exc_model_touch(&w.m, w.m.servers[i]);
    exc_dispositions_clear(&w.j);
    CU_ASSERT_FATAL(commit(&w));
    CU_ASSERT_TRUE(file_size(&w, "exconn.journal") - before_touch < 300);
    {
        char *want_t = dump_world(&w), *got_t = dump_loaded(&w);
        ASSERT_SAME(want_t, got_t);
        free(want_t);
        free(got_t);
    }

    /* an acknowledgement only: a small entry, the checkpoint untouched */
    long before = file_size(&w, "exconn.journal");
    if (w.a.n_outbox)
        exc_alarms_ack(&w.a, w.a.outbox[w.a.n_outbox - 1].seq);
    exc_dispositions_clear(&w.j);
    CU_ASSERT_FATAL(commit(&w));
    CU_ASSERT_EQUAL(file_size(&w, "exconn.state"), ckp);
    CU_ASSERT_TRUE(file_size(&w, "exconn.journal") - before < 4096);
    char *want = dump_world(&w), *got = dump_loaded(&w);
    ASSERT_SAME(want, got);
    if (hold_down)
        CU_ASSERT_PTR_NOT_NULL(strstr(want, "\nhld "));
    free(got);

    /* folding: a checkpoint with the same content, an empty journal */
    exc_err err = {0};
    CU_ASSERT_FATAL(exc_state_checkpoint(&w.st, &w.m, &w.a, &w.j, &err));
    CU_ASSERT_FALSE(exc_state_pending(&w.st));
    CU_ASSERT_EQUAL(file_size(&w, "exconn.journal"), j0);   /* the header only */
    got = dump_loaded(&w);
    ASSERT_SAME(want, got);
    free(want);
    free(got);
    world_done(&w);
}

static void test_replay(void) { replay(0); }
/* with hold-down windows: their records (hld, hdp) go through the journal */
static void test_replay_holddown(void) { replay(2); }

/* A crash in the middle of an append: the load gives the previous commit. */
static void test_torn_tail(void)
{
    world w;
    CU_ASSERT_FATAL(world_init(&w, "journal-torn"));
    apply_report(&w, EXC_TEST_DATA("reports/exch02-healthy.xml"));
    CU_ASSERT_FATAL(commit(&w));
    apply_report(&w, EXC_TEST_DATA("reports/exch01-example.xml"));
    note_file(&w, "02.xml");
    CU_ASSERT_FATAL(commit(&w));
    char *previous = dump_world(&w);
    long at = file_size(&w, "exconn.journal");
    apply_report(&w, EXC_TEST_DATA("reports/q158047-repaired.xml"));
    note_file(&w, "03.xml");
    CU_ASSERT_FATAL(commit(&w));
    long full = file_size(&w, "exconn.journal");
    CU_ASSERT_FATAL(full > at + 10);

    char p[700];
    snprintf(p, sizeof p, "%s/exconn.journal", w.dir);
    for (long cut = full - 1; cut > at; cut -= (full - at) / 3 + 1) {
        CU_ASSERT_FATAL(truncate(p, cut) == 0);
        char *got = dump_loaded(&w);
        ASSERT_SAME(previous, got);   /* 02.xml pending, 03.xml never committed */
        free(got);
    }
    /* a damaged byte inside the last entry: the same */
    CU_ASSERT_FATAL(truncate(p, at) == 0);
    FILE *fp = fopen(p, "a");
    fputs("commit 3 20 00000000\nmctr 1 2 3 4\n", fp);
    fclose(fp);
    char *got = dump_loaded(&w);
    ASSERT_SAME(previous, got);
    free(got);
    free(previous);
    world_done(&w);
}

/* The checkpoint removed (or replaced) under the journal: the next commit
 * writes a checkpoint, never an entry that no checkpoint would lead to. */
static void test_checkpoint_gone(void)
{
    world w;
    CU_ASSERT_FATAL(world_init(&w, "journal-gone"));
    apply_report(&w, EXC_TEST_DATA("reports/exch02-healthy.xml"));
    CU_ASSERT_FATAL(commit(&w));
    apply_report(&w, EXC_TEST_DATA("reports/exch01-example.xml"));
    CU_ASSERT_FATAL(commit(&w));
    char p[700];
    snprintf(p, sizeof p, "%s/exconn.state", w.dir);
    CU_ASSERT_FATAL(unlink(p) == 0);
    apply_report(&w, EXC_TEST_DATA("reports/q158047-repaired.xml"));
    CU_ASSERT_FATAL(commit(&w));
    CU_ASSERT_TRUE(file_size(&w, "exconn.state") > 0);
    CU_ASSERT_FALSE(exc_state_pending(&w.st));
    char *want = dump_world(&w), *got = dump_loaded(&w);
    ASSERT_SAME(want, got);
    free(want);
    free(got);

    /* a directory where the checkpoint goes: the commit fails */
    CU_ASSERT_FATAL(unlink(p) == 0 && mkdir(p, 0700) == 0);
    apply_report(&w, EXC_TEST_DATA("reports/exch01-example.xml"));
    exc_err err = {0};
    CU_ASSERT_FALSE(exc_state_commit(&w.st, &w.m, &w.a, &w.j, &err));
    CU_ASSERT_FATAL(rmdir(p) == 0);
    CU_ASSERT_TRUE(commit(&w));
    want = dump_world(&w);
    got = dump_loaded(&w);
    ASSERT_SAME(want, got);
    free(want);
    free(got);
    world_done(&w);
}

/* exc_state_save writes a checkpoint of a new generation: the journal
 * beside it (of the old one) is not replayed over it. */
static void test_other_generation_ignored(void)
{
    world w;
    CU_ASSERT_FATAL(world_init(&w, "journal-gen"));
    apply_report(&w, EXC_TEST_DATA("reports/exch02-healthy.xml"));
    CU_ASSERT_FATAL(commit(&w));
    apply_report(&w, EXC_TEST_DATA("reports/exch01-example.xml"));
    CU_ASSERT_FATAL(commit(&w));   /* an entry adding EXCH01 */
    CU_ASSERT_TRUE(exc_state_pending(&w.st));

    /* another state written over the checkpoint: EXCH03 only */
    exc_model m;
    exc_alarms a;
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 0, 1000, true);
    exc_report r;
    exc_err err = {0};
    CU_ASSERT_FATAL(exc_report_parse_file(EXC_TEST_DATA("reports/q158047-repaired.xml"), 0, &r,
                                          &err));
    CU_ASSERT_FATAL(exc_model_apply_report(&m, &r, w.now, &err));
    exc_report_free(&r);
    CU_ASSERT_FATAL(exc_state_save(w.dir, &m, &a, NULL, &err));
    char *want = dump(&m, &a, NULL), *got = dump_loaded(&w);
    ASSERT_SAME(want, got);   /* the old journal's EXCH01 is not added */
    free(want);
    free(got);

    /* and the writer notices: its next commit is a checkpoint of its own */
    CU_ASSERT_FATAL(commit(&w));
    CU_ASSERT_FALSE(exc_state_pending(&w.st));
    want = dump_world(&w);
    got = dump_loaded(&w);
    ASSERT_SAME(want, got);
    free(want);
    free(got);
    exc_alarms_free(&a);
    exc_model_free(&m);
    world_done(&w);
}

/* A server gone from the model is gone after a replay ("drop"). */
static void test_server_removed(void)
{
    world w;
    CU_ASSERT_FATAL(world_init(&w, "journal-drop"));
    apply_report(&w, EXC_TEST_DATA("reports/exch02-healthy.xml"));
    apply_report(&w, EXC_TEST_DATA("reports/exch01-example.xml"));
    CU_ASSERT_FATAL(commit(&w));
    CU_ASSERT_TRUE(exc_model_remove(&w.m, "exch01"));
    CU_ASSERT_FALSE(exc_model_remove(&w.m, "EXCH01"));
    CU_ASSERT_FATAL(commit(&w));
    CU_ASSERT_TRUE(exc_state_pending(&w.st));
    char *want = dump_world(&w), *got = dump_loaded(&w);
    ASSERT_SAME(want, got);
    CU_ASSERT_PTR_NULL(strstr(got, "srv EXCH01 "));
    free(want);
    free(got);
    world_done(&w);
}

void exc_register_tests(void)
{
    CU_pSuite s = CU_add_suite("state journal", NULL, NULL);
    CU_add_test(s, "commits replay to what was committed", test_replay);
    CU_add_test(s, "the same with hold-down windows", test_replay_holddown);
    CU_add_test(s, "an interrupted append loses that commit only", test_torn_tail);
    CU_add_test(s, "checkpoint removed or blocked", test_checkpoint_gone);
    CU_add_test(s, "a journal of another generation is ignored", test_other_generation_ignored);
    CU_add_test(s, "a removed server stays removed", test_server_removed);
}
