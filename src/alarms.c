/* Alarms (SPEC §4, §5): active set, bounded history, notification outbox and
 * the per-identity hold-down.
 *
 * Hold-down model.  Every alarm identity (article, server, resource) that sent
 * a notification within the last hold_down seconds, or that has transitions
 * waiting, has an exc_holddown entry.  A transition goes to the outbox at once
 * when its identity has nothing waiting and its window is over (or never
 * began); otherwise it is appended to the identity's deferred list.  When the
 * window ends (exc_alarms_tick) the entries that no longer stand are dropped
 * and the first one that stands is sent, which starts a new window:
 *   - a raise stands while its alarm (by index) is still active;
 *   - a clear stands only when the raise of that alarm had been notified by
 *     the time it cleared (captured in the deferred entry), so an operator
 *     never receives a clear for an alarm whose raise he never saw.
 * Neither condition can become true again once false, so dropping is final.
 * The history records every transition whatever the hold-down does.
 *
 * "Notified" means the notification was due: it entered the outbox, or it
 * would have had notifications been enabled, or it was pushed out of a full
 * outbox (counted in dropped).  That keeps raise/clear pairs consistent when
 * notifications are switched on again.
 *
 * Decisions where the spec is silent:
 *   - Disabling notifications (exc_alarms_configure) discards what is queued,
 *     counting it in dropped; so does shrinking queue_size below the queue.
 *   - An update of an active alarm changes count, last-seen and description
 *     only; severity and notification stay those of the raise.
 */
#include "alarms.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---------- change tracking ---------- */

/* One sequence for every exc_alarms in the process (the state journal and
 * the snapshot compare versions; two states must never share one). */
static atomic_uint_fast64_t version_seq;

void exc_alarms_touch(exc_alarms *a, exc_alarm *al)
{
    a->version = atomic_fetch_add(&version_seq, 1) + 1;
    if (al)
        al->stamp = a->version;
}

/* An alarm on server was raised, cleared or renamed. */
static void server_changed(exc_alarms *a, const char *server)
{
    if (a->changed_overflow)
        return;
    for (size_t i = 0; i < a->n_changed; i++)
        if (strcmp(a->changed[i], server) == 0)
            return;
    if (a->n_changed == EXC_ALARMS_CHANGED_MAX) {
        a->changed_overflow = true;
        return;
    }
    if (a->changed == NULL)
        a->changed = exc_calloc(EXC_ALARMS_CHANGED_MAX, sizeof *a->changed);
    snprintf(a->changed[a->n_changed++], EXC_SERVER_BUF, "%s", server);
}

uint64_t exc_alarms_take_changed(exc_alarms *a)
{
    a->n_changed = 0;
    a->changed_overflow = false;
    a->changed_token = atomic_fetch_add(&version_seq, 1) + 1;
    return a->changed_token;
}

bool exc_alarms_changed_since(const exc_alarms *a, uint64_t token)
{
    return token != 0 && a->changed_token == token && !a->changed_overflow;
}

/* ---------- small helpers ---------- */

static void copy(char *dst, size_t cap, const char *src)
{
    exc_utf8_copy(dst, cap, src ? src : "");
}

static bool same_identity(const char *art1, const char *srv1, const char *res1,
                          const char *art2, const char *srv2, const char *res2)
{
    return strcmp(art1, art2) == 0 && exc_strcasecmp(srv1, srv2) == 0 &&
           strcmp(res1, res2) == 0;
}

static int64_t hold_ms(const exc_alarms *a) { return (int64_t)a->hold_down * 1000; }

/* ---------- lifecycle ---------- */

void exc_alarms_init(exc_alarms *a, unsigned history_size, unsigned hold_down,
                     unsigned queue_size, bool notifications_enabled)
{
    memset(a, 0, sizeof *a);
    a->history_size = history_size;
    a->hold_down = hold_down;
    a->queue_size = queue_size;
    a->notifications_enabled = notifications_enabled;
    a->next_alarm_index = 1;
    a->next_history_index = 1;
    a->next_seq = 1;
    exc_alarms_touch(a, NULL);
}

void exc_alarms_free(exc_alarms *a)
{
    free(a->active);
    free(a->history_mem);
    free(a->outbox);
    exc_alarms_drop_holddowns(a);
    free(a->holddown);
    free(a->matches);
    free(a->changed);
    memset(a, 0, sizeof *a);
}

/* The history and the outbox are arrays kept oldest first and bounded: these
 * two serve the outbox (the history: history_room below). */

/* Drops the oldest of the *n elements (of size bytes) at base so that at
 * most keep remain; returns how many it dropped. */
static size_t keep_newest(void *base, size_t *n, size_t keep, size_t size)
{
    if (*n <= keep)
        return 0;
    size_t drop = *n - keep;
    memmove(base, (char *)base + drop * size, (*n - drop) * size);
    *n -= drop;
    return drop;
}

/* Room for one more element at the end of a bounded array (limit > 0): drops
 * the oldest beyond limit - 1 (their number in *dropped), then grows the
 * capacity, doubling from 16 but never past limit.  Returns the (possibly
 * moved) array. */
static void *bounded_room(void *base, size_t *n, size_t *cap, size_t limit, size_t size,
                          size_t *dropped)
{
    *dropped = keep_newest(base, n, limit - 1, size);
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        if (c > limit)
            c = limit;
        if (c <= *n)
            c = *n + 1;
        *cap = c;
        base = exc_realloc(base, c * size);
    }
    return base;
}

/* The history drops its oldest records by moving its start on in its
 * allocation (twice historySize at most), and moves its records back to the
 * allocation's start only when the end is reached: appending to a full
 * history costs one record, not a move of all (issue 14: every raise and
 * clear appends, and moving 500 records each time was a cost that grew with
 * the alarms). */
static void history_drop_oldest(exc_alarms *a, size_t keep)
{
    if (a->n_history <= keep)
        return;
    a->history += a->n_history - keep;
    a->n_history = keep;
}

static void trim_history(exc_alarms *a)
{
    history_drop_oldest(a, a->history_size);
}

/* Room for one more record at the end of the history (history_size > 0). */
static void history_room(exc_alarms *a)
{
    history_drop_oldest(a, a->history_size - 1);
    size_t front = a->history_mem ? (size_t)(a->history - a->history_mem) : 0;
    if (front + a->n_history < a->cap_history)
        return;
    if (front > 0) {   /* the end reached: the records back to the start */
        memmove(a->history_mem, a->history, a->n_history * sizeof *a->history);
    } else {
        size_t c = a->cap_history ? a->cap_history * 2 : 16;
        if (c > 2 * (size_t)a->history_size)
            c = 2 * (size_t)a->history_size;
        if (c <= a->n_history)
            c = a->n_history + 1;
        a->cap_history = c;
        a->history_mem = exc_realloc(a->history_mem, c * sizeof *a->history_mem);
    }
    a->history = a->history_mem;
}

static void trim_outbox(exc_alarms *a, size_t limit)
{
    a->dropped += keep_newest(a->outbox, &a->n_outbox, limit, sizeof *a->outbox);
}

void exc_alarms_configure(exc_alarms *a, unsigned history_size, unsigned hold_down,
                          unsigned queue_size, bool notifications_enabled)
{
    a->history_size = history_size;
    a->hold_down = hold_down;
    a->queue_size = queue_size;
    a->notifications_enabled = notifications_enabled;
    trim_history(a);
    trim_outbox(a, notifications_enabled ? queue_size : 0);
    exc_alarms_touch(a, NULL);
}

/* ---------- lookups ---------- */

exc_alarm *exc_alarms_find(exc_alarms *a, const char *article, const char *server,
                           const char *resource)
{
    if (article == NULL)
        article = "";
    for (size_t i = 0; i < a->n_active; i++) {
        exc_alarm *al = &a->active[i];
        if (same_identity(al->article, al->server, al->resource, article, server, resource))
            return al;
    }
    return NULL;
}

static size_t active_pos(const exc_alarms *a, uint32_t index, bool *found)
{
    size_t lo = 0, hi = a->n_active;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->active[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < a->n_active && a->active[lo].index == index;
    return lo;
}

const exc_alarm *exc_alarms_by_index(const exc_alarms *a, uint32_t index)
{
    bool found;
    size_t pos = active_pos(a, index, &found);
    return found ? &a->active[pos] : NULL;
}

/* Insert keeping the order by index; returns the stored alarm. */
static exc_alarm *active_insert(exc_alarms *a, const exc_alarm *al)
{
    bool found;
    size_t pos = active_pos(a, al->index, &found);
    if (a->n_active == a->cap_active) {
        a->cap_active = a->cap_active ? a->cap_active * 2 : 16;
        a->active = exc_realloc(a->active, a->cap_active * sizeof *a->active);
    }
    memmove(a->active + pos + 1, a->active + pos, (a->n_active - pos) * sizeof *a->active);
    a->active[pos] = *al;
    a->n_active++;
    return &a->active[pos];
}

/* ---------- history and outbox ---------- */

/* Appends h to the history (history_size > 0), dropping the oldest when full. */
static void history_append(exc_alarms *a, const exc_history *h)
{
    history_room(a);
    a->history[a->n_history++] = *h;
}

static void history_add(exc_alarms *a, const exc_alarm *al, int transition, int severity,
                        int64_t now_ms)
{
    exc_history h;
    memset(&h, 0, sizeof h);
    exc_alarms_touch(a, NULL);
    h.index = a->next_history_index++;
    if (a->next_history_index == 0)
        a->next_history_index = 1;
    h.time_ms = now_ms;
    h.transition = transition;
    h.alarm = al->index;
    copy(h.article, sizeof h.article, al->article);
    copy(h.server, sizeof h.server, al->server);
    copy(h.resource, sizeof h.resource, al->resource);
    h.severity = severity;
    copy(h.description, sizeof h.description, al->description);
    if (a->history_size == 0)
        return;
    history_append(a, &h);
}

/* Append n with sequence number seq, dropping the oldest when full. */
static void outbox_append(exc_alarms *a, const exc_notice *n, uint64_t seq)
{
    exc_alarms_touch(a, NULL);
    if (a->queue_size == 0) {
        a->dropped++;
        return;
    }
    size_t dropped;
    a->outbox = bounded_room(a->outbox, &a->n_outbox, &a->cap_outbox, a->queue_size,
                             sizeof *a->outbox, &dropped);
    a->dropped += dropped;
    exc_notice *o = &a->outbox[a->n_outbox++];
    *o = *n;
    o->seq = seq;
}

/* A notification is due: it enters the outbox with the next seq, unless
 * notifications are disabled. */
static void outbox_push(exc_alarms *a, const exc_notice *n)
{
    if (!a->notifications_enabled)
        return;
    outbox_append(a, n, a->next_seq++);
}

void exc_alarms_ack(exc_alarms *a, uint64_t seq)
{
    size_t k = 0;
    while (k < a->n_outbox && a->outbox[k].seq <= seq)
        k++;
    if (k > 0) {
        memmove(a->outbox, a->outbox + k, (a->n_outbox - k) * sizeof *a->outbox);
        a->n_outbox -= k;
        exc_alarms_touch(a, NULL);
    }
}

/* ---------- hold-down ---------- */

static exc_holddown *hd_find(exc_alarms *a, const char *article, const char *server,
                             const char *resource)
{
    for (size_t i = 0; i < a->n_holddown; i++) {
        exc_holddown *h = &a->holddown[i];
        if (same_identity(h->article, h->server, h->resource, article, server, resource))
            return h;
    }
    return NULL;
}

static exc_holddown *hd_add(exc_alarms *a, const char *article, const char *server,
                            const char *resource, int64_t last_sent_ms)
{
    a->holddown = exc_realloc(a->holddown, (a->n_holddown + 1) * sizeof *a->holddown);
    exc_holddown *h = &a->holddown[a->n_holddown++];
    memset(h, 0, sizeof *h);
    copy(h->article, sizeof h->article, article);
    copy(h->server, sizeof h->server, server);
    copy(h->resource, sizeof h->resource, resource);
    h->last_sent_ms = last_sent_ms;
    return h;
}

void exc_alarms_drop_holddowns(exc_alarms *a)
{
    for (size_t i = 0; i < a->n_holddown; i++)
        free(a->holddown[i].pending);
    a->n_holddown = 0;
}

static void hd_remove(exc_alarms *a, size_t i)
{
    free(a->holddown[i].pending);
    memmove(a->holddown + i, a->holddown + i + 1,
            (a->n_holddown - i - 1) * sizeof *a->holddown);
    a->n_holddown--;
}

static void hd_append(exc_holddown *h, const exc_deferred *d)
{
    h->pending = exc_realloc(h->pending, (h->n_pending + 1) * sizeof *h->pending);
    h->pending[h->n_pending++] = *d;
}

static void mark_raise_notified(exc_alarms *a, uint32_t index)
{
    bool found;
    size_t pos = active_pos(a, index, &found);
    if (found) {
        a->active[pos].raise_notified = true;
        exc_alarms_touch(a, &a->active[pos]);
    }
}

/* Route one transition through the hold-down. */
static void transition(exc_alarms *a, const exc_alarm *al, int tr, bool raise_notified,
                       const exc_notice *n, int64_t now_ms)
{
    exc_alarms_touch(a, NULL);   /* the outbox or the hold-down state moves */
    exc_holddown *h = hd_find(a, al->article, al->server, al->resource);
    bool window_open = h != NULL && a->hold_down > 0 && now_ms - h->last_sent_ms < hold_ms(a);
    if (h == NULL || (h->n_pending == 0 && !window_open)) {
        if (tr == EXC_TR_CLEARED && !raise_notified)
            return;   /* never announced: nothing to take back */
        outbox_push(a, n);
        if (tr == EXC_TR_RAISED)
            mark_raise_notified(a, al->index);
        if (a->hold_down > 0) {
            if (h == NULL)
                h = hd_add(a, al->article, al->server, al->resource, now_ms);
            h->last_sent_ms = now_ms;
        }
        return;
    }
    exc_deferred d;
    memset(&d, 0, sizeof d);
    d.alarm = al->index;
    d.transition = tr;
    d.raise_notified = raise_notified;
    d.notice = *n;
    d.notice.seq = 0;
    hd_append(h, &d);
}

static bool deferred_stands(const exc_alarms *a, const exc_deferred *d)
{
    if (d->transition == EXC_TR_RAISED)
        return exc_alarms_by_index(a, d->alarm) != NULL;
    return d->raise_notified;
}

int64_t exc_alarms_tick(exc_alarms *a, int64_t now_ms)
{
    int64_t next = 0;
    size_t i = 0;
    while (i < a->n_holddown) {
        exc_holddown *h = &a->holddown[i];
        bool ended = a->hold_down == 0 || now_ms - h->last_sent_ms >= hold_ms(a);
        if (!ended) {
            if (h->n_pending > 0) {
                int64_t end = h->last_sent_ms + hold_ms(a);
                if (next == 0 || end < next)
                    next = end;
            }
            i++;
            continue;
        }
        /* The window is over: drop what no longer stands (that is final),
         * then send the first that does; with no hold-down, send them all. */
        exc_alarms_touch(a, NULL);
        size_t k = 0;
        for (size_t j = 0; j < h->n_pending; j++)
            if (deferred_stands(a, &h->pending[j]))
                h->pending[k++] = h->pending[j];
        h->n_pending = k;
        size_t sent = 0;
        while (sent < h->n_pending && (a->hold_down == 0 || sent == 0)) {
            exc_deferred *d = &h->pending[sent];
            outbox_push(a, &d->notice);
            if (d->transition == EXC_TR_RAISED)
                mark_raise_notified(a, d->alarm);
            sent++;
        }
        if (sent > 0) {
            memmove(h->pending, h->pending + sent, (h->n_pending - sent) * sizeof *h->pending);
            h->n_pending -= sent;
            h->last_sent_ms = now_ms;
        }
        if (h->n_pending == 0 && (sent == 0 || a->hold_down == 0)) {
            hd_remove(a, i);   /* nothing waiting, window over: forget it */
            continue;
        }
        if (h->n_pending == 0) {
            free(h->pending);
            h->pending = NULL;
        } else {
            int64_t end = h->last_sent_ms + hold_ms(a);
            if (next == 0 || end < next)
                next = end;
        }
        i++;
    }
    return next;
}

/* ---------- raise / clear ---------- */

static void notice_from(exc_notice *n, const exc_alarm *al, int notification, int severity)
{
    memset(n, 0, sizeof *n);
    n->notification = notification;
    n->alarm = al->index;
    copy(n->article, sizeof n->article, al->article);
    n->severity = severity;
    copy(n->server, sizeof n->server, al->server);
    copy(n->resource, sizeof n->resource, al->resource);
    copy(n->description, sizeof n->description, al->description);
    copy(n->url, sizeof n->url, al->url);
}

exc_alarm *exc_alarms_raise(exc_alarms *a, const exc_kb_article *article, int notification,
                            int severity, const char *server, const char *resource,
                            const char *description, int64_t now_ms, bool *raised)
{
    const char *id = article ? article->id : "";
    exc_alarm *al = exc_alarms_find(a, id, server, resource);
    if (al != NULL) {
        al->count++;
        al->last_seen_ms = now_ms;
        copy(al->description, sizeof al->description, description);
        exc_alarms_touch(a, al);
        if (raised)
            *raised = false;
        return al;
    }
    exc_alarm n;
    memset(&n, 0, sizeof n);
    n.index = a->next_alarm_index++;
    if (a->next_alarm_index == 0)
        a->next_alarm_index = 1;
    copy(n.article, sizeof n.article, id);
    n.severity = severity;
    n.notification = notification;
    copy(n.server, sizeof n.server, server);
    copy(n.resource, sizeof n.resource, resource);
    copy(n.description, sizeof n.description, description);
    copy(n.url, sizeof n.url, article ? article->url : "");
    n.raised_ms = n.last_seen_ms = now_ms;
    n.count = 1;
    al = active_insert(a, &n);
    exc_alarms_touch(a, al);
    server_changed(a, al->server);
    uint32_t index = al->index;
    a->last_changed_ms = now_ms;
    history_add(a, al, EXC_TR_RAISED, severity, now_ms);
    exc_notice note;
    notice_from(&note, al, notification, severity);
    transition(a, al, EXC_TR_RAISED, false, &note, now_ms);
    if (raised)
        *raised = true;
    return (exc_alarm *)exc_alarms_by_index(a, index);
}

void exc_alarms_rename(exc_alarms *a, uint32_t index, const char *resource, int64_t now_ms)
{
    bool found;
    size_t pos = active_pos(a, index, &found);
    if (!found)
        return;
    copy(a->active[pos].resource, sizeof a->active[pos].resource, resource);
    a->last_changed_ms = now_ms;
    exc_alarms_touch(a, &a->active[pos]);
    server_changed(a, a->active[pos].server);
}

void exc_alarms_clear(exc_alarms *a, uint32_t index, int64_t now_ms)
{
    bool found;
    size_t pos = active_pos(a, index, &found);
    if (!found)
        return;
    exc_alarm al = a->active[pos];
    memmove(a->active + pos, a->active + pos + 1, (a->n_active - pos - 1) * sizeof *a->active);
    a->n_active--;
    a->last_changed_ms = now_ms;
    exc_alarms_touch(a, NULL);
    server_changed(a, al.server);
    history_add(a, &al, EXC_TR_CLEARED, EXC_SEV_CLEARED, now_ms);
    exc_notice note;
    notice_from(&note, &al, EXC_NOTIF_ALARM_CLEARED, EXC_SEV_CLEARED);
    transition(a, &al, EXC_TR_CLEARED, al.raise_notified, &note, now_ms);
}

/* ---------- matches ---------- */

void exc_alarms_count_match(exc_alarms *a, const char *article)
{
    if (article == NULL || *article == '\0')
        return;
    exc_alarms_touch(a, NULL);
    for (size_t i = 0; i < a->n_matches; i++)
        if (strcmp(a->matches[i].article, article) == 0) {
            a->matches[i].count++;   /* Counter32: wraps */
            return;
        }
    a->matches = exc_realloc(a->matches, (a->n_matches + 1) * sizeof *a->matches);
    copy(a->matches[a->n_matches].article, sizeof a->matches[a->n_matches].article, article);
    a->matches[a->n_matches].count = 1;
    a->n_matches++;
}

uint32_t exc_alarms_matches(const exc_alarms *a, const char *article)
{
    if (article == NULL)
        return 0;
    for (size_t i = 0; i < a->n_matches; i++)
        if (strcmp(a->matches[i].article, article) == 0)
            return a->matches[i].count;
    return 0;
}

/* ---------- persistence ----------
 * aix next_alarm next_history next_seq dropped last_changed_ms
 * mat article count
 * alm index article severity notification server resource description url
 *     raised_ms last_seen_ms count last_event_time last_event_rx_ms raise_notified
 * his index time_ms transition alarm article server resource severity description
 * out <notice>
 * hld article server resource last_sent_ms
 * hdp article server resource alarm transition raise_notified <notice>
 * <notice> = seq notification alarm article severity server resource description url
 * A hdp follows the hld of its identity. */

typedef struct exc_match_count match_count;

/* Each record's fields, listed once for the writer and the reader. */
static const exc_sf_field aix_fields[] = {
    EXC_SF_F_U32(exc_alarms, next_alarm_index), EXC_SF_F_U32(exc_alarms, next_history_index),
    EXC_SF_F_U64(exc_alarms, next_seq),         EXC_SF_F_U64(exc_alarms, dropped),
    EXC_SF_F_I64(exc_alarms, last_changed_ms),
};
static const exc_sf_field mat_fields[] = {
    EXC_SF_F_STR(match_count, article), EXC_SF_F_U32(match_count, count),
};
static const exc_sf_field alm_fields[] = {
    EXC_SF_F_U32(exc_alarm, index),
    EXC_SF_F_STR(exc_alarm, article),
    EXC_SF_F_RANGE(exc_alarm, severity, EXC_SEV_INDETERMINATE, EXC_SEV_WARNING),
    EXC_SF_F_RANGE(exc_alarm, notification, EXC_NOTIF_COMPORT_CONFLICT, EXC_NOTIF_ALARM_CLEARED),
    EXC_SF_F_STR(exc_alarm, server),      EXC_SF_F_STR(exc_alarm, resource),
    EXC_SF_F_STR(exc_alarm, description), EXC_SF_F_STR(exc_alarm, url),
    EXC_SF_F_I64(exc_alarm, raised_ms),   EXC_SF_F_I64(exc_alarm, last_seen_ms),
    EXC_SF_F_U32(exc_alarm, count),
    EXC_SF_F_I64(exc_alarm, last_event_time), EXC_SF_F_I64(exc_alarm, last_event_rx_ms),
    EXC_SF_F_BOOL(exc_alarm, raise_notified),
};
static const exc_sf_field his_fields[] = {
    EXC_SF_F_U32(exc_history, index),
    EXC_SF_F_I64(exc_history, time_ms),
    EXC_SF_F_RANGE(exc_history, transition, EXC_TR_RAISED, EXC_TR_CLEARED),
    EXC_SF_F_U32(exc_history, alarm),
    EXC_SF_F_STR(exc_history, article),   EXC_SF_F_STR(exc_history, server),
    EXC_SF_F_STR(exc_history, resource),
    EXC_SF_F_RANGE(exc_history, severity, EXC_SEV_CLEARED, EXC_SEV_WARNING),
    EXC_SF_F_STR(exc_history, description),
};
static const exc_sf_field notice_fields[] = {
    EXC_SF_F_U64(exc_notice, seq),
    EXC_SF_F_RANGE(exc_notice, notification, EXC_NOTIF_COMPORT_CONFLICT, EXC_NOTIF_ALARM_CLEARED),
    EXC_SF_F_U32(exc_notice, alarm),
    EXC_SF_F_STR(exc_notice, article),
    EXC_SF_F_RANGE(exc_notice, severity, EXC_SEV_CLEARED, EXC_SEV_WARNING),
    EXC_SF_F_STR(exc_notice, server),      EXC_SF_F_STR(exc_notice, resource),
    EXC_SF_F_STR(exc_notice, description), EXC_SF_F_STR(exc_notice, url),
};
/* the identity (the first HD_ID of them), then the time */
static const exc_sf_field hld_fields[] = {
    EXC_SF_F_STR(exc_holddown, article), EXC_SF_F_STR(exc_holddown, server),
    EXC_SF_F_STR(exc_holddown, resource), EXC_SF_F_I64(exc_holddown, last_sent_ms),
};
#define HD_ID 3
/* after its hold-down's identity; then <notice> */
static const exc_sf_field hdp_fields[] = {
    EXC_SF_F_U32(exc_deferred, alarm),
    EXC_SF_F_RANGE(exc_deferred, transition, EXC_TR_RAISED, EXC_TR_CLEARED),
    EXC_SF_F_BOOL(exc_deferred, raise_notified),
};

#define PUT(w, rec, table) exc_sf_put_fields((w), (rec), (table), EXC_SF_NFIELDS(table))
#define GET(r, rec, table) exc_sf_get_fields((r), (rec), (table), EXC_SF_NFIELDS(table))

void exc_alarm_save(const exc_alarm *al, exc_sf_writer *w)
{
    exc_sf_begin(w, "alm");
    PUT(w, al, alm_fields);
    exc_sf_end(w);
}

void exc_alarms_save_index(const exc_alarms *a, exc_sf_writer *w)
{
    exc_sf_begin(w, "aix");
    PUT(w, a, aix_fields);
    exc_sf_end(w);
}

void exc_alarms_save_matches(const exc_alarms *a, exc_sf_writer *w)
{
    for (size_t i = 0; i < a->n_matches; i++) {
        exc_sf_begin(w, "mat");
        PUT(w, &a->matches[i], mat_fields);
        exc_sf_end(w);
    }
}

void exc_alarms_save_holddown(const exc_alarms *a, exc_sf_writer *w)
{
    for (size_t i = 0; i < a->n_holddown; i++) {
        const exc_holddown *h = &a->holddown[i];
        exc_sf_begin(w, "hld");
        PUT(w, h, hld_fields);
        exc_sf_end(w);
        for (size_t j = 0; j < h->n_pending; j++) {
            const exc_deferred *d = &h->pending[j];
            exc_sf_begin(w, "hdp");
            exc_sf_put_fields(w, h, hld_fields, HD_ID);
            PUT(w, d, hdp_fields);
            PUT(w, &d->notice, notice_fields);
            exc_sf_end(w);
        }
    }
}

void exc_alarms_save(const exc_alarms *a, exc_sf_writer *w)
{
    exc_alarms_save_index(a, w);
    exc_alarms_save_matches(a, w);
    for (size_t i = 0; i < a->n_active; i++)
        exc_alarm_save(&a->active[i], w);
    for (size_t i = 0; i < a->n_history; i++) {
        exc_sf_begin(w, "his");
        PUT(w, &a->history[i], his_fields);
        exc_sf_end(w);
    }
    for (size_t i = 0; i < a->n_outbox; i++) {
        exc_sf_begin(w, "out");
        PUT(w, &a->outbox[i], notice_fields);
        exc_sf_end(w);
    }
    exc_alarms_save_holddown(a, w);
}

static void load_notice(exc_sf_reader *r, exc_notice *n)
{
    memset(n, 0, sizeof *n);
    GET(r, n, notice_fields);
    if (n->alarm == 0)
        r->bad = true;
}

static void bump_u32(uint32_t *next, uint32_t used)
{
    if (used != UINT32_MAX && *next <= used)
        *next = used + 1;
}

/* A record that does not fit: marked bad and passed over (still one of ours). */
static bool reject(exc_sf_reader *r)
{
    r->bad = true;
    return true;
}

static bool load_index(exc_alarms *a, exc_sf_reader *r)
{
    exc_alarms t;
    if (!EXC_SF_GET_RECORD(r, &t, aix_fields) || t.next_alarm_index == 0 ||
        t.next_history_index == 0 || t.next_seq == 0)
        return reject(r);
    /* never move a counter backwards, whatever order records come in */
    if (t.next_alarm_index > a->next_alarm_index)
        a->next_alarm_index = t.next_alarm_index;
    if (t.next_history_index > a->next_history_index)
        a->next_history_index = t.next_history_index;
    if (t.next_seq > a->next_seq)
        a->next_seq = t.next_seq;
    a->dropped = t.dropped;
    a->last_changed_ms = t.last_changed_ms;
    return true;
}

static bool load_match(exc_alarms *a, exc_sf_reader *r)
{
    match_count t;
    bool whole = EXC_SF_GET_RECORD(r, &t, mat_fields);
    bool dup = false;
    for (size_t i = 0; i < a->n_matches; i++)
        dup = dup || strcmp(a->matches[i].article, t.article) == 0;
    if (!whole || t.article[0] == '\0' || dup)
        return reject(r);
    exc_alarms_count_match(a, t.article);
    a->matches[a->n_matches - 1].count = t.count;
    return true;
}

static bool load_alarm(exc_alarms *a, exc_sf_reader *r)
{
    exc_alarm al;
    if (!EXC_SF_GET_RECORD(r, &al, alm_fields) || al.index == 0 ||
        exc_alarms_by_index(a, al.index) != NULL ||
        exc_alarms_find(a, al.article, al.server, al.resource) != NULL)
        return reject(r);
    exc_alarms_touch(a, active_insert(a, &al));
    bump_u32(&a->next_alarm_index, al.index);
    return true;
}

static bool load_history(exc_alarms *a, exc_sf_reader *r)
{
    exc_history h;
    /* history is written oldest first, indexes increasing */
    if (!EXC_SF_GET_RECORD(r, &h, his_fields) || h.index == 0 || h.alarm == 0 ||
        (a->n_history > 0 && h.index <= a->history[a->n_history - 1].index))
        return reject(r);
    if (a->history_size > 0)
        history_append(a, &h);
    bump_u32(&a->next_history_index, h.index);
    return true;
}

static bool load_outbox(exc_alarms *a, exc_sf_reader *r)
{
    exc_notice n;
    load_notice(r, &n);
    if (!exc_sf_at_end(r) || n.seq == 0 || n.seq == UINT64_MAX ||
        (a->n_outbox > 0 && n.seq <= a->outbox[a->n_outbox - 1].seq))
        return reject(r);
    /* A notice keeps the seq it had: the agent acknowledges by seq.  With
     * notifications disabled nothing waits in the outbox (as configure). */
    if (a->notifications_enabled)
        outbox_append(a, &n, n.seq);
    else
        a->dropped++;
    if (a->next_seq <= n.seq)
        a->next_seq = n.seq + 1;
    return true;
}

static bool load_holddown(exc_alarms *a, exc_sf_reader *r)
{
    exc_holddown t;
    if (!EXC_SF_GET_RECORD(r, &t, hld_fields) ||
        hd_find(a, t.article, t.server, t.resource) != NULL)
        return reject(r);
    hd_add(a, t.article, t.server, t.resource, t.last_sent_ms);
    return true;
}

static bool load_deferred(exc_alarms *a, exc_sf_reader *r)
{
    exc_holddown id;
    exc_deferred d;
    memset(&id, 0, sizeof id);
    memset(&d, 0, sizeof d);
    exc_sf_get_fields(r, &id, hld_fields, HD_ID);
    GET(r, &d, hdp_fields);
    load_notice(r, &d.notice);
    exc_holddown *h = exc_sf_at_end(r) ? hd_find(a, id.article, id.server, id.resource) : NULL;
    if (h == NULL || d.alarm == 0 || d.notice.alarm != d.alarm)
        return reject(r);
    hd_append(h, &d);
    return true;
}

bool exc_alarms_load_record(exc_alarms *a, const char *tag, exc_sf_reader *r)
{
    static const struct {
        const char *tag;
        bool (*load)(exc_alarms *a, exc_sf_reader *r);
    } loaders[] = {
        { "aix", load_index },   { "mat", load_match },    { "alm", load_alarm },
        { "his", load_history }, { "out", load_outbox },   { "hld", load_holddown },
        { "hdp", load_deferred },
    };
    exc_alarms_touch(a, NULL);
    for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++)
        if (strcmp(tag, loaders[i].tag) == 0)
            return loaders[i].load(a, r);
    return false;
}
