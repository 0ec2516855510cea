/* Unit tests of src/snapshot.c's sharing (issue 14): a snapshot built from
 * the previous one shares the parts of servers that did not change (same
 * model stamp, same alarms on them) and the alarm arrays while the alarm
 * state is the same; a touched server, or one whose alarms changed, gets a
 * new part with the new values; every snapshot frees independently. */
#include <stdio.h>
#include <string.h>

#include "alarms.h"
#include "cu_main.h"
#include "model.h"
#include "report.h"
#include "snapshot.h"
#include "util.h"

#define EXAMPLE EXC_TEST_DATA("reports/exch01-example.xml")
#define NOW 1795341630000LL

typedef struct fx {
    exc_model m;
    exc_alarms a;
} fx;

static void fx_init(fx *f)
{
    exc_model_init(&f->m, 3);
    exc_alarms_init(&f->a, 100, 0, 100, true);
    exc_report r;
    exc_err err = {0};
    CU_ASSERT_TRUE_FATAL(exc_report_parse_file(EXAMPLE, 1 << 20, &r, &err));
    CU_ASSERT_TRUE_FATAL(exc_model_apply_report(&f->m, &r, NOW, &err));
    exc_report_free(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(exc_model_note_event(&f->m, "EXCH02", NOW));
}

static void fx_free(fx *f)
{
    exc_alarms_free(&f->a);
    exc_model_free(&f->m);
}

static void test_unchanged_shares_everything(void)
{
    fx f;
    fx_init(&f);
    exc_snapshot *s1 = exc_snapshot_build_from(NULL, &f.m, &f.a, NULL, 1);
    exc_snapshot *s2 = exc_snapshot_build_from(s1, &f.m, &f.a, NULL, 2);
    CU_ASSERT_EQUAL_FATAL(s1->n_servers, 2);
    CU_ASSERT_EQUAL_FATAL(s2->n_servers, 2);
    for (size_t i = 0; i < 2; i++) {
        CU_ASSERT_PTR_EQUAL(s1->parts[i], s2->parts[i]);
        CU_ASSERT_PTR_EQUAL(exc_snapshot_server(s2, i), exc_snapshot_server(s1, i));
    }
    CU_ASSERT_PTR_EQUAL(s1->aset, s2->aset);
    CU_ASSERT_EQUAL(s2->n_connectors, s1->n_connectors);
    CU_ASSERT_TRUE(s2->n_connectors > 0);
    CU_ASSERT_PTR_EQUAL(exc_snap_part_row(s2->parts[0], EXC_SNAP_CONNECTORS, 0),
                        exc_snap_part_row(s1->parts[0], EXC_SNAP_CONNECTORS, 0));
    exc_snapshot_free(s1);   /* the older first: s2 still reads its parts */
    CU_ASSERT_STRING_EQUAL(exc_snapshot_server(s2, 0)->name, "EXCH01");
    CU_ASSERT_STRING_EQUAL(s2->parts[0]->connectors[0].server, "EXCH01");
    exc_snapshot_free(s2);
    fx_free(&f);
}

static void test_touched_server_rebuilt(void)
{
    fx f;
    fx_init(&f);
    exc_snapshot *s1 = exc_snapshot_build_from(NULL, &f.m, &f.a, NULL, 1);
    exc_model_note_event(&f.m, "EXCH02", NOW + 1000);   /* touches EXCH02 only */
    exc_snapshot *s2 = exc_snapshot_build_from(s1, &f.m, &f.a, NULL, 2);
    CU_ASSERT_PTR_EQUAL(s2->parts[0], s1->parts[0]);
    CU_ASSERT_PTR_NOT_EQUAL(s2->parts[1], s1->parts[1]);
    CU_ASSERT_EQUAL(s2->parts[1]->built, 2);
    CU_ASSERT_NOT_EQUAL(exc_snapshot_server(s2, 1)->stamp, exc_snapshot_server(s1, 1)->stamp);
    exc_snapshot_free(s2);
    exc_snapshot_free(s1);
    fx_free(&f);
}

static void test_alarm_rebuilds_its_server(void)
{
    fx f;
    fx_init(&f);
    exc_snapshot *s1 = exc_snapshot_build_from(NULL, &f.m, &f.a, NULL, 1);
    const char *conn = s1->parts[0]->connectors[0].c.name;
    CU_ASSERT_EQUAL(exc_snapshot_server(s1, 0)->status, EXC_SS_OK);
    CU_ASSERT_NOT_EQUAL(s1->parts[0]->connectors[0].health, EXC_CH_FAILED);
    exc_alarms_raise(&f.a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_CRITICAL, "EXCH01", conn,
                     "test", NOW, NULL);
    exc_snapshot *s2 = exc_snapshot_build_from(s1, &f.m, &f.a, NULL, 2);
    CU_ASSERT_PTR_NOT_EQUAL(s2->parts[0], s1->parts[0]);   /* alarms changed on it */
    CU_ASSERT_PTR_EQUAL(s2->parts[1], s1->parts[1]);       /* nothing changed on it */
    CU_ASSERT_PTR_NOT_EQUAL(s2->aset, s1->aset);
    CU_ASSERT_EQUAL(s2->n_alarms, 1);
    CU_ASSERT_EQUAL(exc_snapshot_server(s2, 0)->alarms, 1);
    CU_ASSERT_EQUAL(exc_snapshot_server(s2, 0)->status, EXC_SS_FAILED);
    CU_ASSERT_EQUAL(s2->parts[0]->connectors[0].health, EXC_CH_FAILED);
    /* the previous snapshot still shows what it showed */
    CU_ASSERT_EQUAL(exc_snapshot_server(s1, 0)->status, EXC_SS_OK);
    CU_ASSERT_EQUAL(s1->n_alarms, 0);
    exc_snapshot_free(s1);
    exc_snapshot *s3 = exc_snapshot_build_from(s2, &f.m, &f.a, NULL, 3);
    CU_ASSERT_PTR_EQUAL(s3->parts[0], s2->parts[0]);
    CU_ASSERT_PTR_EQUAL(s3->aset, s2->aset);
    exc_snapshot_free(s2);
    exc_snapshot_free(s3);
    fx_free(&f);
}

static void test_rows_of(void)
{
    fx f;
    fx_init(&f);
    exc_snapshot *s = exc_snapshot_build_from(NULL, &f.m, &f.a, NULL, 1);
    /* the totals are the parts' rows; EXCH02 (known from an event) has none */
    CU_ASSERT_EQUAL(exc_snap_part_rows(s->parts[0], EXC_SNAP_QUEUES), s->n_queues);
    CU_ASSERT_EQUAL(exc_snap_part_rows(s->parts[1], EXC_SNAP_QUEUES), 0);
    CU_ASSERT_EQUAL(exc_snap_part_rows(s->parts[0], EXC_SNAP_CONNECTORS), s->n_connectors);
    CU_ASSERT_TRUE(s->n_queues > 1);
    CU_ASSERT_PTR_EQUAL(exc_snap_part_row(s->parts[0], EXC_SNAP_QUEUES, 1),
                        &s->parts[0]->queues[1]);
    exc_snapshot_free(s);
    fx_free(&f);
}


/* issue 14, the lineage: with the touched lists taken as the engine takes
 * them, a build from the newest snapshot visits the touched servers only;
 * a replaced part lives while an older snapshot does (run under ASan, the
 * sanitizer suite catches a part freed early or never); a build from an
 * older snapshot shares nothing */
static void test_lineage(void)
{
    fx f;
    fx_init(&f);
    exc_snapshot *s1 = exc_snapshot_build_from(NULL, &f.m, &f.a, NULL, 1);
    s1->touch_token = exc_model_take_touched(&f.m, EXC_TOUCH_SNAPSHOT);
    s1->alarm_token = exc_alarms_take_changed(&f.a);
    exc_snap_part *old = s1->parts[1];
    exc_model_note_event(&f.m, "EXCH02", NOW + 1000);
    exc_snapshot *s2 = exc_snapshot_build_from(s1, &f.m, &f.a, NULL, 2);
    s2->touch_token = exc_model_take_touched(&f.m, EXC_TOUCH_SNAPSHOT);
    s2->alarm_token = exc_alarms_take_changed(&f.a);
    CU_ASSERT_PTR_EQUAL(s2->parts[0], s1->parts[0]);
    CU_ASSERT_PTR_NOT_EQUAL(s2->parts[1], old);
    CU_ASSERT_PTR_EQUAL(s2->lineage, s1->lineage);
    /* s2 is the newest: s3 from s2 shares; s4 from s1 (not the newest)
     * starts a lineage of its own */
    exc_snapshot *s3 = exc_snapshot_build_from(s2, &f.m, &f.a, NULL, 3);
    CU_ASSERT_PTR_EQUAL(s3->parts[1], s2->parts[1]);
    exc_snapshot *s4 = exc_snapshot_build_from(s1, &f.m, &f.a, NULL, 4);
    CU_ASSERT_PTR_NOT_EQUAL(s4->lineage, s1->lineage);
    CU_ASSERT_PTR_NOT_EQUAL(s4->parts[0], s1->parts[0]);
    /* s2 and s3 freed: s1 still reads the part they replaced */
    exc_snapshot_free(s2);
    exc_snapshot_free(s3);
    CU_ASSERT_STRING_EQUAL(old->server.name, "EXCH02");
    CU_ASSERT_EQUAL(s1->parts[1]->n_connectors, 0);
    exc_snapshot_free(s1);
    CU_ASSERT_STRING_EQUAL(exc_snapshot_server(s4, 1)->name, "EXCH02");
    exc_snapshot_free(s4);
    fx_free(&f);
}

/* Active alarm i of s has index want and count c. */
static bool alarm_is(const exc_snapshot *s, size_t i, uint32_t want, uint32_t c)
{
    const exc_alarm *al = exc_snapshot_alarm_at(s, i);
    return al && al->index == want && al->count == c;
}

/* The alarm state by pieces (src/snapshot_alarms.c): counting one alarm
 * again copies its chunk only; a clear rebuilds the chunk it was in; a new
 * alarm goes to a new chunk after the last; the history and the outbox are
 * shared while unchanged.  Every snapshot still reads what it read. */
static void test_alarm_chunks(void)
{
    fx f;
    fx_init(&f);
    const size_t n = 3 * EXC_ALARM_CHUNK + 5;
    uint32_t idx[3 * EXC_ALARM_CHUNK + 5];
    for (size_t i = 0; i < n; i++) {
        char res[16];
        snprintf(res, sizeof res, "R%zu", i);
        idx[i] = exc_alarms_raise(&f.a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_MINOR, "EXCH01", res,
                                  "test", NOW, NULL)->index;
    }
    exc_snapshot *s1 = exc_snapshot_build_from(NULL, &f.m, &f.a, NULL, 1);
    CU_ASSERT_EQUAL_FATAL(s1->n_alarms, n);
    CU_ASSERT_EQUAL_FATAL(s1->aset->n_chunks, 4);
    CU_ASSERT_PTR_NULL(exc_snapshot_alarm_at(s1, n));

    /* count alarm 40 again (chunk 1): the rest is shared */
    exc_alarms_raise(&f.a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_MINOR, "EXCH01", "R40", "test",
                     NOW + 1000, NULL);
    exc_snapshot *s2 = exc_snapshot_build_from(s1, &f.m, &f.a, NULL, 2);
    CU_ASSERT_PTR_NOT_EQUAL_FATAL(s2->aset, s1->aset);
    CU_ASSERT_EQUAL_FATAL(s2->aset->n_chunks, 4);
    CU_ASSERT_PTR_EQUAL(s2->aset->chunks[0].chunk, s1->aset->chunks[0].chunk);
    CU_ASSERT_PTR_NOT_EQUAL(s2->aset->chunks[1].chunk, s1->aset->chunks[1].chunk);
    CU_ASSERT_PTR_EQUAL(s2->aset->chunks[2].chunk, s1->aset->chunks[2].chunk);
    CU_ASSERT_PTR_EQUAL(s2->aset->chunks[3].chunk, s1->aset->chunks[3].chunk);
    CU_ASSERT_PTR_EQUAL(s2->aset->history, s1->aset->history);
    CU_ASSERT_PTR_EQUAL(s2->aset->outbox, s1->aset->outbox);
    CU_ASSERT_TRUE(alarm_is(s2, 40, idx[40], 2));
    CU_ASSERT_TRUE(alarm_is(s1, 40, idx[40], 1));

    /* clear alarm 10 (chunk 0) and raise one more: chunk 0 rebuilt with one
     * alarm less, chunks 1 and 2 shared, the new alarm copied into the last
     * chunk with the 5 it had room beside; the history and the outbox
     * changed */
    exc_alarms_clear(&f.a, idx[10], NOW + 2000);
    uint32_t extra = exc_alarms_raise(&f.a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_MINOR, "EXCH01",
                                      "EXTRA", "test", NOW + 2000, NULL)->index;
    exc_snapshot *s3 = exc_snapshot_build_from(s2, &f.m, &f.a, NULL, 3);
    CU_ASSERT_EQUAL_FATAL(s3->n_alarms, n);
    CU_ASSERT_EQUAL_FATAL(s3->aset->n_chunks, 4);
    CU_ASSERT_EQUAL(s3->aset->chunks[0].chunk->n, EXC_ALARM_CHUNK - 1);
    for (size_t k = 1; k < 3; k++)
        CU_ASSERT_PTR_EQUAL(s3->aset->chunks[k].chunk, s2->aset->chunks[k].chunk);
    CU_ASSERT_PTR_NOT_EQUAL(s3->aset->chunks[3].chunk, s2->aset->chunks[3].chunk);
    CU_ASSERT_EQUAL(s3->aset->chunks[3].chunk->n, 6);
    /* one more: the last chunk has room again, so again one chunk of 7 */
    exc_alarms_raise(&f.a, NULL, EXC_NOTIF_KB_ALARM, EXC_SEV_MINOR, "EXCH01", "EXTRA2", "test",
                     NOW + 3000, NULL);
    exc_snapshot *s4 = exc_snapshot_build_from(s3, &f.m, &f.a, NULL, 4);
    CU_ASSERT_EQUAL(s4->aset->n_chunks, 4);
    CU_ASSERT_EQUAL(s4->aset->chunks[3].chunk->n, 7);
    CU_ASSERT_PTR_EQUAL(s4->aset->chunks[0].chunk, s3->aset->chunks[0].chunk);
    exc_snapshot_free(s4);
    CU_ASSERT_PTR_NOT_EQUAL(s3->aset->history, s2->aset->history);
    CU_ASSERT_PTR_NOT_EQUAL(s3->aset->outbox, s2->aset->outbox);
    CU_ASSERT_EQUAL(s3->history[s3->n_history - 1].alarm, extra);   /* (full: oldest dropped) */
    /* every alarm in index order, at its position */
    for (size_t i = 0, j = 0; i < n; i++)
        if (i != 10)
            CU_ASSERT_TRUE(alarm_is(s3, j++, idx[i], i == 40 ? 2 : 1));
    CU_ASSERT_TRUE(alarm_is(s3, n - 1, extra, 1));
    CU_ASSERT_PTR_NULL(exc_snapshot_alarm_at(s3, n));
    /* the older snapshots, freed in any order, keep theirs */
    exc_snapshot_free(s2);
    CU_ASSERT_TRUE(alarm_is(s1, 10, idx[10], 1));
    exc_snapshot_free(s1);
    CU_ASSERT_TRUE(alarm_is(s3, 38, idx[39], 1));
    exc_snapshot_free(s3);
    fx_free(&f);
}

void exc_register_tests(void)
{
    CU_pSuite s = CU_add_suite("snapshot", NULL, NULL);
    CU_add_test(s, "unchanged: parts and alarms shared", test_unchanged_shares_everything);
    CU_add_test(s, "the lineage: replaced parts live while older snapshots do", test_lineage);
    CU_add_test(s, "a touched server gets a new part", test_touched_server_rebuilt);
    CU_add_test(s, "an alarm rebuilds its server's part", test_alarm_rebuilds_its_server);
    CU_add_test(s, "rows of a server", test_rows_of);
    CU_add_test(s, "alarms shared by chunks", test_alarm_chunks);
}
