/* Unit tests of src/alarms.c: active set, history, outbox, hold-down,
 * persistence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarms.h"
#include "cu_main.h"
#include "statefile.h"

#define T0 1795341600000LL   /* 2026-11-22T10:00:00Z in ms */

static exc_kb_article art_q158047, art_q148727;

static void make_article(exc_kb_article *a, const char *id, int sev, int notif)
{
    memset(a, 0, sizeof *a);
    snprintf(a->id, sizeof a->id, "%s", id);
    snprintf(a->url, sizeof a->url, "https://support.microsoft.com/kb/%s", id + 1);
    a->severity = sev;
    a->notification = notif;
}

static int setup(void)
{
    make_article(&art_q158047, "Q158047", EXC_SEV_MAJOR, EXC_NOTIF_COMPORT_CONFLICT);
    make_article(&art_q148727, "Q148727", EXC_SEV_CRITICAL, EXC_NOTIF_IMC_START_FAILED);
    return 0;
}

static exc_alarm *raise_port(exc_alarms *a, const char *server, const char *port,
                             const char *desc, int64_t now, bool *raised)
{
    return exc_alarms_raise(a, &art_q158047, art_q158047.notification, art_q158047.severity,
                            server, port, desc, now, raised);
}

static void test_raise_update_clear(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 0, 1000, true);
    bool raised = false;
    exc_alarm *al = raise_port(&a, "EXCH01", "COM1", "COM1 claimed by A, B", T0, &raised);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT(raised);
    CU_ASSERT_EQUAL(al->index, 1);
    CU_ASSERT_EQUAL(al->count, 1);
    CU_ASSERT_EQUAL(al->raised_ms, T0);
    CU_ASSERT_EQUAL(al->last_seen_ms, T0);
    CU_ASSERT_EQUAL(al->severity, EXC_SEV_MAJOR);
    CU_ASSERT_STRING_EQUAL(al->article, "Q158047");
    CU_ASSERT(al->raise_notified);
    CU_ASSERT_EQUAL(a.n_active, 1);
    CU_ASSERT_EQUAL(a.last_changed_ms, T0);
    CU_ASSERT_EQUAL_FATAL(a.n_history, 1);
    CU_ASSERT_EQUAL(a.history[0].index, 1);
    CU_ASSERT_EQUAL(a.history[0].transition, EXC_TR_RAISED);
    CU_ASSERT_EQUAL(a.history[0].severity, EXC_SEV_MAJOR);
    CU_ASSERT_EQUAL(a.history[0].alarm, 1);
    CU_ASSERT_EQUAL_FATAL(a.n_outbox, 1);
    const exc_notice *n = &a.outbox[0];
    CU_ASSERT_EQUAL(n->seq, 1);
    CU_ASSERT_EQUAL(n->notification, EXC_NOTIF_COMPORT_CONFLICT);
    CU_ASSERT_EQUAL(n->alarm, 1);
    CU_ASSERT_STRING_EQUAL(n->article, "Q158047");
    CU_ASSERT_EQUAL(n->severity, EXC_SEV_MAJOR);
    CU_ASSERT_STRING_EQUAL(n->server, "EXCH01");
    CU_ASSERT_STRING_EQUAL(n->resource, "COM1");
    CU_ASSERT_STRING_EQUAL(n->description, "COM1 claimed by A, B");
    CU_ASSERT_STRING_EQUAL(n->url, "https://support.microsoft.com/kb/158047");

    /* the same identity again: an update, no notification */
    al = raise_port(&a, "exch01", "COM1", "COM1 claimed by A, B, C", T0 + 5000, &raised);
    CU_ASSERT_FALSE(raised);
    CU_ASSERT_EQUAL(al->index, 1);
    CU_ASSERT_EQUAL(al->count, 2);
    CU_ASSERT_EQUAL(al->raised_ms, T0);
    CU_ASSERT_EQUAL(al->last_seen_ms, T0 + 5000);
    CU_ASSERT_STRING_EQUAL(al->description, "COM1 claimed by A, B, C");
    CU_ASSERT_EQUAL(a.n_active, 1);
    CU_ASSERT_EQUAL(a.n_history, 1);
    CU_ASSERT_EQUAL(a.n_outbox, 1);
    CU_ASSERT_EQUAL(a.last_changed_ms, T0);
    CU_ASSERT_PTR_EQUAL(exc_alarms_find(&a, "Q158047", "EXCH01", "COM1"), al);
    CU_ASSERT_PTR_NULL(exc_alarms_find(&a, "Q158047", "EXCH01", "COM2"));
    CU_ASSERT_PTR_EQUAL(exc_alarms_by_index(&a, 1), al);

    exc_alarms_clear(&a, 1, T0 + 10000);
    CU_ASSERT_EQUAL(a.n_active, 0);
    CU_ASSERT_PTR_NULL(exc_alarms_by_index(&a, 1));
    CU_ASSERT_EQUAL(a.last_changed_ms, T0 + 10000);
    CU_ASSERT_EQUAL_FATAL(a.n_history, 2);
    const exc_history *h = &a.history[1];
    CU_ASSERT_EQUAL(h->index, 2);
    CU_ASSERT_EQUAL(h->transition, EXC_TR_CLEARED);
    CU_ASSERT_EQUAL(h->severity, EXC_SEV_CLEARED);
    CU_ASSERT_EQUAL(h->alarm, 1);
    CU_ASSERT_EQUAL(h->time_ms, T0 + 10000);
    CU_ASSERT_STRING_EQUAL(h->description, "COM1 claimed by A, B, C");
    CU_ASSERT_EQUAL_FATAL(a.n_outbox, 2);
    n = &a.outbox[1];
    CU_ASSERT_EQUAL(n->seq, 2);
    CU_ASSERT_EQUAL(n->notification, EXC_NOTIF_ALARM_CLEARED);
    CU_ASSERT_EQUAL(n->alarm, 1);
    CU_ASSERT_EQUAL(n->severity, EXC_SEV_CLEARED);
    CU_ASSERT_STRING_EQUAL(n->resource, "COM1");
    CU_ASSERT_STRING_EQUAL(n->url, "https://support.microsoft.com/kb/158047");

    /* clearing what is not active does nothing */
    exc_alarms_clear(&a, 1, T0 + 11000);
    exc_alarms_clear(&a, 99, T0 + 11000);
    CU_ASSERT_EQUAL(a.n_history, 2);
    CU_ASSERT_EQUAL(a.n_outbox, 2);
    exc_alarms_free(&a);
}

static void test_indexes_never_reused(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 0, 1000, true);
    raise_port(&a, "EXCH01", "COM1", "x", T0, NULL);
    raise_port(&a, "EXCH01", "COM2", "x", T0, NULL);
    exc_alarms_clear(&a, 2, T0 + 1);
    exc_alarm *al = raise_port(&a, "EXCH01", "COM2", "x", T0 + 2, NULL);
    CU_ASSERT_EQUAL(al->index, 3);
    exc_alarms_clear(&a, 1, T0 + 3);
    al = raise_port(&a, "EXCH01", "COM1", "x", T0 + 4, NULL);
    CU_ASSERT_EQUAL(al->index, 4);
    CU_ASSERT_EQUAL_FATAL(a.n_active, 2);
    CU_ASSERT_EQUAL(a.active[0].index, 3);   /* sorted by index */
    CU_ASSERT_EQUAL(a.active[1].index, 4);
    /* the stale alarm: no article, no URL */
    al = exc_alarms_raise(&a, NULL, EXC_NOTIF_SERVER_STALE, EXC_SEV_WARNING, "EXCH02", "EXCH02",
                          "no report for 900 s", T0 + 5, NULL);
    CU_ASSERT_EQUAL(al->index, 5);
    CU_ASSERT_STRING_EQUAL(al->article, "");
    CU_ASSERT_PTR_EQUAL(exc_alarms_find(&a, "", "EXCH02", "EXCH02"), al);
    CU_ASSERT_PTR_EQUAL(exc_alarms_find(&a, NULL, "EXCH02", "EXCH02"), al);
    const exc_notice *n = &a.outbox[a.n_outbox - 1];
    CU_ASSERT_EQUAL(n->notification, EXC_NOTIF_SERVER_STALE);
    CU_ASSERT_STRING_EQUAL(n->article, "");
    CU_ASSERT_STRING_EQUAL(n->url, "");
    CU_ASSERT_EQUAL(n->severity, EXC_SEV_WARNING);
    exc_alarms_clear(&a, 5, T0 + 6);
    n = &a.outbox[a.n_outbox - 1];
    CU_ASSERT_EQUAL(n->notification, EXC_NOTIF_ALARM_CLEARED);
    CU_ASSERT_STRING_EQUAL(n->url, "");
    exc_alarms_free(&a);
}

static void test_history_bound(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 3, 0, 1000, true);
    for (int i = 0; i < 3; i++) {
        exc_alarm *al = raise_port(&a, "EXCH01", "COM1", "x", T0 + i * 10, NULL);
        exc_alarms_clear(&a, al->index, T0 + i * 10 + 5);
    }
    CU_ASSERT_EQUAL_FATAL(a.n_history, 3);
    CU_ASSERT_EQUAL(a.history[0].index, 4);
    CU_ASSERT_EQUAL(a.history[2].index, 6);
    CU_ASSERT_EQUAL(a.history[2].transition, EXC_TR_CLEARED);
    CU_ASSERT_EQUAL(a.next_history_index, 7);
    /* shrinking the bound trims the oldest */
    exc_alarms_configure(&a, 1, 0, 1000, true);
    CU_ASSERT_EQUAL_FATAL(a.n_history, 1);
    CU_ASSERT_EQUAL(a.history[0].index, 6);
    /* many more, the bound grown again: always the newest, oldest first, in
     * an allocation of twice the bound at most */
    exc_alarms_configure(&a, 5, 0, 1000, true);
    for (int i = 0; i < 40; i++) {
        exc_alarm *al = raise_port(&a, "EXCH01", "COM1", "x", T0 + 100 + i * 10, NULL);
        exc_alarms_clear(&a, al->index, T0 + 100 + i * 10 + 5);
        if (i < 2)
            continue;   /* (one left, two a round) */
        CU_ASSERT_EQUAL_FATAL(a.n_history, 5);
        for (size_t k = 0; k < 5; k++)
            CU_ASSERT_EQUAL(a.history[k].index, a.next_history_index - 5 + k);
        CU_ASSERT(a.cap_history <= 10);
    }
    exc_alarms_free(&a);
}

static void test_outbox_drop_oldest_and_ack(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 0, 2, true);
    raise_port(&a, "EXCH01", "COM1", "x", T0, NULL);
    raise_port(&a, "EXCH01", "COM2", "x", T0, NULL);
    raise_port(&a, "EXCH01", "COM3", "x", T0, NULL);
    CU_ASSERT_EQUAL_FATAL(a.n_outbox, 2);
    CU_ASSERT_EQUAL(a.outbox[0].seq, 2);
    CU_ASSERT_STRING_EQUAL(a.outbox[0].resource, "COM2");
    CU_ASSERT_EQUAL(a.outbox[1].seq, 3);
    CU_ASSERT_EQUAL(a.dropped, 1);
    CU_ASSERT_EQUAL(a.n_history, 3);   /* nothing lost from the history */

    exc_alarms_ack(&a, 1);             /* already gone: no change */
    CU_ASSERT_EQUAL(a.n_outbox, 2);
    exc_alarms_ack(&a, 2);
    CU_ASSERT_EQUAL_FATAL(a.n_outbox, 1);
    CU_ASSERT_EQUAL(a.outbox[0].seq, 3);
    raise_port(&a, "EXCH01", "COM4", "x", T0, NULL);
    CU_ASSERT_EQUAL(a.outbox[1].seq, 4);
    exc_alarms_ack(&a, 100);
    CU_ASSERT_EQUAL(a.n_outbox, 0);
    raise_port(&a, "EXCH01", "COM5", "x", T0, NULL);
    CU_ASSERT_EQUAL(a.outbox[0].seq, 5);   /* seq never reused */
    CU_ASSERT_EQUAL(a.dropped, 1);
    exc_alarms_free(&a);
}

static void test_notifications_disabled(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 0, 10, false);
    exc_alarm *al = raise_port(&a, "EXCH01", "COM1", "x", T0, NULL);
    CU_ASSERT(al->raise_notified);
    exc_alarms_clear(&a, al->index, T0 + 1);
    CU_ASSERT_EQUAL(a.n_outbox, 0);
    CU_ASSERT_EQUAL(a.n_history, 2);
    CU_ASSERT_EQUAL(a.dropped, 0);
    /* enabling again: new transitions are queued */
    exc_alarms_configure(&a, 500, 0, 10, true);
    raise_port(&a, "EXCH01", "COM1", "x", T0 + 2, NULL);
    CU_ASSERT_EQUAL(a.n_outbox, 1);
    /* disabling discards what waits, counted as dropped */
    exc_alarms_configure(&a, 500, 0, 10, false);
    CU_ASSERT_EQUAL(a.n_outbox, 0);
    CU_ASSERT_EQUAL(a.dropped, 1);
    exc_alarms_free(&a);
}

static void test_holddown_deferred_released(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 2, 100, true);
    exc_alarm *al = raise_port(&a, "EXCH01", "COM1", "x", T0, NULL);
    uint32_t idx = al->index;
    CU_ASSERT_EQUAL(a.n_outbox, 1);              /* first: sent at once */
    exc_alarms_clear(&a, idx, T0 + 500);
    CU_ASSERT_EQUAL(a.n_outbox, 1);              /* inside the window: held */
    CU_ASSERT_EQUAL(a.n_history, 2);             /* but in the history at once */
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 1000), T0 + 2000);
    CU_ASSERT_EQUAL(a.n_outbox, 1);
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 2000), 0);
    CU_ASSERT_EQUAL_FATAL(a.n_outbox, 2);
    CU_ASSERT_EQUAL(a.outbox[1].notification, EXC_NOTIF_ALARM_CLEARED);
    CU_ASSERT_EQUAL(a.outbox[1].alarm, idx);
    CU_ASSERT_EQUAL(a.outbox[1].seq, 2);

    /* another identity is not held by this one's window */
    raise_port(&a, "EXCH01", "COM2", "x", T0 + 2100, NULL);
    CU_ASSERT_EQUAL(a.n_outbox, 3);
    /* after the window ended, a new transition goes at once */
    al = raise_port(&a, "EXCH01", "COM1", "x", T0 + 4500, NULL);
    CU_ASSERT_EQUAL(a.n_outbox, 4);
    CU_ASSERT(al->raise_notified);
    /* windows long over are forgotten */
    exc_alarms_tick(&a, T0 + 100000);
    CU_ASSERT_EQUAL(a.n_holddown, 0);
    exc_alarms_free(&a);
}

static void test_holddown_unnotified_raise_and_clear_dropped(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 2, 100, true);
    exc_alarm *al = raise_port(&a, "EXCH01", "COM1", "x", T0, NULL);
    uint32_t first = al->index;
    exc_alarms_clear(&a, first, T0 + 100);            /* held */
    al = raise_port(&a, "EXCH01", "COM1", "y", T0 + 200, NULL);
    uint32_t second = al->index;
    CU_ASSERT_FALSE(al->raise_notified);               /* held */
    exc_alarms_clear(&a, second, T0 + 300);           /* held */
    CU_ASSERT_EQUAL(a.n_outbox, 1);
    CU_ASSERT_EQUAL(a.n_history, 4);
    /* window 1 ends: only the first clear (its raise was notified) */
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 2000), 0);
    CU_ASSERT_EQUAL_FATAL(a.n_outbox, 2);
    CU_ASSERT_EQUAL(a.outbox[1].notification, EXC_NOTIF_ALARM_CLEARED);
    CU_ASSERT_EQUAL(a.outbox[1].alarm, first);
    /* the second raise never stood long enough, nor its clear */
    exc_alarms_tick(&a, T0 + 4000);
    exc_alarms_tick(&a, T0 + 10000);
    CU_ASSERT_EQUAL(a.n_outbox, 2);
    CU_ASSERT_EQUAL(a.n_history, 4);
    exc_alarms_free(&a);
}

static void test_holddown_one_per_window(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 2, 100, true);
    exc_alarm *al = raise_port(&a, "EXCH01", "COM1", "x", T0, NULL);
    uint32_t first = al->index;
    exc_alarms_clear(&a, first, T0 + 100);
    al = raise_port(&a, "EXCH01", "COM1", "y", T0 + 200, NULL);   /* stays */
    uint32_t second = al->index;
    CU_ASSERT_EQUAL(a.n_outbox, 1);
    /* window 1 ends: the clear; the raise waits for the next window */
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 2500), T0 + 4500);
    CU_ASSERT_EQUAL_FATAL(a.n_outbox, 2);
    CU_ASSERT_EQUAL(a.outbox[1].alarm, first);
    CU_ASSERT_FALSE(exc_alarms_by_index(&a, second)->raise_notified);
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 4000), T0 + 4500);
    CU_ASSERT_EQUAL(a.n_outbox, 2);
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 4500), 0);
    CU_ASSERT_EQUAL_FATAL(a.n_outbox, 3);
    CU_ASSERT_EQUAL(a.outbox[2].alarm, second);
    CU_ASSERT_EQUAL(a.outbox[2].notification, EXC_NOTIF_COMPORT_CONFLICT);
    CU_ASSERT_STRING_EQUAL(a.outbox[2].description, "y");
    CU_ASSERT(exc_alarms_by_index(&a, second)->raise_notified);
    /* its clear, inside the new window, stands: sent when it ends */
    exc_alarms_clear(&a, second, T0 + 5000);
    CU_ASSERT_EQUAL(a.n_outbox, 3);
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 6500), 0);
    CU_ASSERT_EQUAL(a.n_outbox, 4);
    CU_ASSERT_EQUAL(a.outbox[3].alarm, second);
    /* ordered seqs */
    for (size_t i = 1; i < a.n_outbox; i++)
        CU_ASSERT(a.outbox[i].seq > a.outbox[i - 1].seq);
    exc_alarms_free(&a);
}

static void test_holddown_zero(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 0, 100, true);
    for (int i = 0; i < 3; i++) {
        exc_alarm *al = raise_port(&a, "EXCH01", "COM1", "x", T0 + i, NULL);
        exc_alarms_clear(&a, al->index, T0 + i);
    }
    CU_ASSERT_EQUAL(a.n_outbox, 6);
    CU_ASSERT_EQUAL(a.n_holddown, 0);
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 10), 0);
    exc_alarms_free(&a);
}

static void test_matches(void)
{
    exc_alarms a;
    exc_alarms_init(&a, 500, 0, 100, true);
    CU_ASSERT_EQUAL(exc_alarms_matches(&a, "Q158047"), 0);
    exc_alarms_count_match(&a, "Q158047");
    exc_alarms_count_match(&a, "Q158047");
    exc_alarms_count_match(&a, "Q148727");
    exc_alarms_count_match(&a, "");
    CU_ASSERT_EQUAL(exc_alarms_matches(&a, "Q158047"), 2);
    CU_ASSERT_EQUAL(exc_alarms_matches(&a, "Q148727"), 1);
    CU_ASSERT_EQUAL(exc_alarms_matches(&a, "Q999999"), 0);
    exc_alarms_free(&a);
}

/* ---------- persistence ---------- */

static char *save_to_string(const exc_alarms *a)
{
    exc_sf_writer w = {0};
    exc_alarms_save(a, &w);
    CU_ASSERT_FALSE(w.failed);
    size_t len;
    return exc_sf_take(&w, &len);
}

/* Load text into a; returns whether any record was bad, and counts records
 * that were not the alarms'. */
static bool load_from_string(exc_alarms *a, const char *text, int *foreign)
{
    FILE *fp = tmpfile();
    fputs(text, fp);
    rewind(fp);
    exc_sf_reader r;
    memset(&r, 0, sizeof r);
    r.fp = fp;
    const char *tag;
    bool bad = false;
    if (foreign)
        *foreign = 0;
    while ((tag = exc_sf_next(&r)) != NULL) {
        r.bad = false;
        if (!exc_alarms_load_record(a, tag, &r) && foreign)
            (*foreign)++;
        bad = bad || r.bad;
    }
    exc_sf_reader_free(&r);
    fclose(fp);
    return bad;
}

static void build_rich_state(exc_alarms *a)
{
    exc_alarms_init(a, 10, 2, 50, true);
    exc_alarm *al = raise_port(a, "EXCH01", "COM1", "COM1 claimed by A, B", T0, NULL);
    al->last_event_time = 1795341500;
    al->last_event_rx_ms = T0 - 5;
    uint32_t i1 = al->index;
    raise_port(a, "EXCH01", "COM2", "spaces and % and\ttab and \xc3\xa9", T0 + 1, NULL);
    exc_alarms_raise(a, &art_q148727, EXC_NOTIF_IMC_START_FAILED, EXC_SEV_CRITICAL, "EXCH02",
                     "Internet Mail Service", "IMC stopped with error 2140: queue.dat read-only",
                     T0 + 2, NULL);
    exc_alarms_raise(a, NULL, EXC_NOTIF_SERVER_STALE, EXC_SEV_WARNING, "EXCH03", "EXCH03",
                     "no report for 900 s", T0 + 3, NULL);
    exc_alarms_clear(a, i1, T0 + 100);                       /* deferred clear */
    raise_port(a, "EXCH01", "COM1", "again", T0 + 200, NULL); /* deferred raise */
    exc_alarms_count_match(a, "Q158047");
    exc_alarms_count_match(a, "Q148727");
    exc_alarms_ack(a, 1);
}

static void test_save_load_roundtrip(void)
{
    exc_alarms a, b;
    build_rich_state(&a);
    CU_ASSERT_EQUAL(a.n_holddown, 4);
    char *text = save_to_string(&a);

    exc_alarms_init(&b, 10, 2, 50, true);
    int foreign = 0;
    CU_ASSERT_FALSE(load_from_string(&b, text, &foreign));
    CU_ASSERT_EQUAL(foreign, 0);
    char *again = save_to_string(&b);
    CU_ASSERT_STRING_EQUAL(text, again);

    CU_ASSERT_EQUAL(b.n_active, a.n_active);
    CU_ASSERT_EQUAL(b.n_history, a.n_history);
    CU_ASSERT_EQUAL(b.n_outbox, a.n_outbox);
    CU_ASSERT_EQUAL(b.next_alarm_index, a.next_alarm_index);
    CU_ASSERT_EQUAL(b.next_history_index, a.next_history_index);
    CU_ASSERT_EQUAL(b.next_seq, a.next_seq);
    CU_ASSERT_EQUAL(b.dropped, a.dropped);
    CU_ASSERT_EQUAL(b.last_changed_ms, a.last_changed_ms);
    CU_ASSERT_EQUAL(b.n_holddown, a.n_holddown);
    CU_ASSERT_EQUAL(exc_alarms_matches(&b, "Q158047"), 1);
    for (size_t i = 0; i < a.n_active && i < b.n_active; i++) {
        const exc_alarm *x = &a.active[i], *y = &b.active[i];
        CU_ASSERT_EQUAL(x->index, y->index);
        CU_ASSERT_STRING_EQUAL(x->article, y->article);
        CU_ASSERT_STRING_EQUAL(x->server, y->server);
        CU_ASSERT_STRING_EQUAL(x->resource, y->resource);
        CU_ASSERT_STRING_EQUAL(x->description, y->description);
        CU_ASSERT_STRING_EQUAL(x->url, y->url);
        CU_ASSERT_EQUAL(x->severity, y->severity);
        CU_ASSERT_EQUAL(x->notification, y->notification);
        CU_ASSERT_EQUAL(x->raised_ms, y->raised_ms);
        CU_ASSERT_EQUAL(x->last_seen_ms, y->last_seen_ms);
        CU_ASSERT_EQUAL(x->count, y->count);
        CU_ASSERT_EQUAL(x->last_event_time, y->last_event_time);
        CU_ASSERT_EQUAL(x->last_event_rx_ms, y->last_event_rx_ms);
        CU_ASSERT_EQUAL(x->raise_notified, y->raise_notified);
    }
    const exc_alarm *c2 = exc_alarms_find(&b, "Q158047", "EXCH01", "COM2");
    CU_ASSERT_FATAL(c2 != NULL);
    CU_ASSERT_STRING_EQUAL(c2->description, "spaces and % and\ttab and \xc3\xa9");

    /* both behave the same afterwards: the deferred clear, then the raise */
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 2000), exc_alarms_tick(&b, T0 + 2000));
    CU_ASSERT_EQUAL(exc_alarms_tick(&a, T0 + 4000), exc_alarms_tick(&b, T0 + 4000));
    CU_ASSERT_EQUAL(a.n_outbox, b.n_outbox);
    CU_ASSERT_EQUAL(b.outbox[b.n_outbox - 1].seq, a.outbox[a.n_outbox - 1].seq);
    CU_ASSERT_STRING_EQUAL(b.outbox[b.n_outbox - 1].description, "again");
    /* and a new alarm gets a fresh index in both */
    CU_ASSERT_EQUAL(raise_port(&b, "EXCH09", "COM9", "x", T0 + 5000, NULL)->index,
                    a.next_alarm_index);

    free(text);
    free(again);
    exc_alarms_free(&a);
    exc_alarms_free(&b);
}

static void test_load_respects_bounds(void)
{
    exc_alarms a, b;
    exc_alarms_init(&a, 10, 0, 50, true);
    for (int i = 0; i < 6; i++)
        raise_port(&a, "EXCH01", i % 2 ? "COM1" : "COM2", "x", T0 + i, NULL);
    CU_ASSERT_EQUAL(a.n_outbox, 2);
    for (size_t i = 0; i < 2; i++)
        exc_alarms_clear(&a, a.active[0].index, T0 + 10);
    for (int i = 0; i < 4; i++)
        raise_port(&a, "EXCH01", "COM3", "x", T0 + 20 + i, NULL);
    char *text = save_to_string(&a);
    exc_alarms_init(&b, 2, 0, 1, true);
    CU_ASSERT_FALSE(load_from_string(&b, text, NULL));
    CU_ASSERT_EQUAL_FATAL(b.n_history, 2);
    CU_ASSERT_EQUAL(b.history[1].index, a.history[a.n_history - 1].index);
    CU_ASSERT_EQUAL_FATAL(b.n_outbox, 1);
    CU_ASSERT_EQUAL(b.outbox[0].seq, a.outbox[a.n_outbox - 1].seq);
    CU_ASSERT_EQUAL(b.dropped, a.dropped + a.n_outbox - 1);
    CU_ASSERT_EQUAL(b.next_history_index, a.next_history_index);
    free(text);
    exc_alarms_free(&a);
    exc_alarms_free(&b);
}

static void test_load_malformed(void)
{
    static const char *const bad[] = {
        "aix\n",
        "aix 0 1 1 0 0\n",
        "aix 1 1 1 0 x\n",
        "aix 1 1 1 0 0 extra\n",
        "alm 1 Q158047 4 1 EXCH01 COM1 d %\n",
        "alm 1 Q158047 9 1 EXCH01 COM1 d % 0 0 1 0 0 0\n",
        "alm 1 Q158047 4 99 EXCH01 COM1 d % 0 0 1 0 0 0\n",
        "alm 0 Q158047 4 1 EXCH01 COM1 d % 0 0 1 0 0 0\n",
        "alm 1 Q158047 4 1 EXCH01 COM1 d % 0 0 1 0 0 2\n",
        "alm 1 Q158047 4 1 EXCH01 COM1 d % 0 0 1 0 0 0\n"
        "alm 1 Q158047 4 1 EXCH01 COM2 d % 0 0 1 0 0 0\n",
        "alm 1 Q158047 4 1 EXCH01 COM1 d % 0 0 1 0 0 0\n"
        "alm 2 Q158047 4 1 EXCH01 COM1 d % 0 0 1 0 0 0\n",
        "alm 1 Q158047 4 1 EXCH01 COM1 d %zz 0 0 1 0 0 0\n",
        "alm 1 Q1580470000000000000000 4 1 EXCH01 COM1 d % 0 0 1 0 0 0\n",
        "alm 1 Q158047 4 1 EXCH01 COM1 d % 0 0 99999999999 0 0 0\n",
        "his 1 0 3 1 Q158047 EXCH01 COM1 4 d\n",
        "his 2 0 1 1 Q158047 EXCH01 COM1 4 d\nhis 1 0 1 1 Q158047 EXCH01 COM1 4 d\n",
        "out 0 1 1 Q158047 4 EXCH01 COM1 d %\n",
        "out 5 1 1 Q158047 4 EXCH01 COM1 d %\nout 5 1 1 Q158047 4 EXCH01 COM1 d %\n",
        "out 5 1 1 Q158047 4 EXCH01 COM1 d\n",
        "hdp Q158047 EXCH01 COM1 1 1 0 0 1 1 Q158047 4 EXCH01 COM1 d %\n",
        "hld Q158047 EXCH01 COM1 0\nhld Q158047 EXCH01 COM1 0\n",
        "hld Q158047 EXCH01 COM1 0\nhdp Q158047 EXCH01 COM1 1 3 0 0 1 1 Q158047 4 EXCH01 "
        "COM1 d %\n",
        "hld Q158047 EXCH01 COM1 0\nhdp Q158047 EXCH01 COM1 1 1 0 0 1 2 Q158047 4 EXCH01 "
        "COM1 d %\n",
        "mat % 3\n",
        "mat Q158047 3\nmat Q158047 4\n",
        "mat Q158047 -1\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        exc_alarms a;
        exc_alarms_init(&a, 10, 2, 10, true);
        bool was_bad = load_from_string(&a, bad[i], NULL);
        if (!was_bad)
            fprintf(stderr, "\nnot flagged bad: %s", bad[i]);
        CU_ASSERT(was_bad);
        exc_alarms_free(&a);
    }
    /* records that are not the alarms' are left alone */
    exc_alarms a;
    exc_alarms_init(&a, 10, 2, 10, true);
    int foreign = 0;
    CU_ASSERT_FALSE(load_from_string(&a, "srv EXCH01\nmctr 1 2 3 4\n", &foreign));
    CU_ASSERT_EQUAL(foreign, 2);
    /* a counter never goes backwards, whatever the order of records */
    CU_ASSERT_FALSE(load_from_string(
        &a, "alm 7 Q158047 4 1 EXCH01 COM1 d % 0 0 1 0 0 1\naix 3 1 1 0 0\n", NULL));
    CU_ASSERT_EQUAL(a.next_alarm_index, 8);
    exc_alarms_free(&a);
}

void exc_register_tests(void)
{
    static CU_TestInfo tests[] = {
        { "raise, update, clear", test_raise_update_clear },
        { "indexes never reused; stale alarm", test_indexes_never_reused },
        { "history bound", test_history_bound },
        { "outbox drops oldest; ack", test_outbox_drop_oldest_and_ack },
        { "notifications disabled", test_notifications_disabled },
        { "hold-down: deferred and released", test_holddown_deferred_released },
        { "hold-down: unnotified raise+clear dropped",
          test_holddown_unnotified_raise_and_clear_dropped },
        { "hold-down: one per window", test_holddown_one_per_window },
        { "hold-down zero", test_holddown_zero },
        { "article matches", test_matches },
        { "save/load round trip", test_save_load_roundtrip },
        { "load respects bounds", test_load_respects_bounds },
        { "load malformed", test_load_malformed },
        CU_TEST_INFO_NULL,
    };
    exc_add_suite("alarms", setup, NULL, tests);
}
