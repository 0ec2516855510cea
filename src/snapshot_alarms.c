/* The alarm state of a snapshot (snapshot.h exc_snap_alarmset): the active
 * alarms in chunks, the history and the outbox, each shared with the
 * previous snapshot where it did not change.
 *
 * Performance (issue 14): every report on a server with an active alarm
 * counts that alarm again, which moves the alarm state's version; copying
 * every alarm, the history and the outbox at each such commit was the
 * largest cost of a report that grew with the estate (about 450 KB a
 * commit at 5,000 servers, docs/performance.md).  Now such a commit copies
 * one chunk of at most EXC_ALARM_CHUNK alarms. */
#include "snapshot_alarms.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void chunk_free(exc_snap_alarm_chunk *c)
{
    if (c && exc_snap_last_ref(&c->refs))
        free(c);
}

static exc_snap_alarm_chunk *chunk_new(const exc_alarm *a, size_t n)
{
    exc_snap_alarm_chunk *c = exc_calloc(1, sizeof *c + n * sizeof *a);
    atomic_init(&c->refs, 1);
    c->n = (uint32_t)n;
    memcpy(c->a, a, n * sizeof *a);
    return c;
}

/* Does chunk c hold exactly the alarms a[0..n) as they are now?  An alarm
 * that changed has a new stamp (exc_alarms_touch); with exc_verify_changes()
 * its fields are compared too. */
static bool chunk_same(const exc_snap_alarm_chunk *c, const exc_alarm *a, size_t n)
{
    if (c->n != n)
        return false;
    for (size_t t = 0; t < n; t++)
        if (c->a[t].index != a[t].index || c->a[t].stamp != a[t].stamp)
            return false;
    if (exc_verify_changes())
        for (size_t t = 0; t < n; t++)
            if (exc_alarm_hash(&c->a[t]) != exc_alarm_hash(&a[t]))
                exc_verify_failed("an alarm changed without exc_alarms_touch (snapshot)");
    return true;
}

typedef struct chunk_list {
    size_t n, cap;
    struct exc_snap_alarm_run *v;
} chunk_list;

static void list_add(chunk_list *l, exc_snap_alarm_chunk *c)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = exc_realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++].chunk = c;
}

/* New chunks for the alarms a[0..n), EXC_ALARM_CHUNK at a time. */
static void list_copy(chunk_list *l, const exc_alarm *a, size_t n)
{
    for (size_t i = 0; i < n; i += EXC_ALARM_CHUNK)
        list_add(l, chunk_new(a + i, n - i < EXC_ALARM_CHUNK ? n - i : EXC_ALARM_CHUNK));
}

/* The chunks of the active alarms, prev's where they still hold.  Each of
 * prev's chunks stands for a range of indexes, up to the next chunk's
 * first (the last one: every index above).  Indexes are never reused and
 * a new alarm takes the highest, so the alarms of a range can only have
 * changed or gone, except after the last chunk, where new alarms go: a
 * range's alarms now are shared as the chunk when they are the same,
 * copied otherwise.  (Clears make chunks smaller; only an empty one goes.) */
static void build_chunks(exc_snap_alarmset *as, const exc_snap_alarmset *prev,
                         const exc_alarms *a)
{
    chunk_list l = {0, 0, NULL};
    size_t j = 0;
    for (size_t k = 0; prev && k < prev->n_chunks; k++) {
        exc_snap_alarm_chunk *c = prev->chunks[k].chunk;
        size_t from = j;
        if (k + 1 == prev->n_chunks) {
            /* the last range: as many as the chunk held; the newer alarms
             * after them go to new chunks below -- together with the last
             * chunk's when it has room (chunks stay full at the end) */
            size_t left = a->n_active - j;
            if (c->n < EXC_ALARM_CHUNK && left > c->n)
                break;
            j += left < c->n ? left : c->n;
        } else {
            uint32_t hi = prev->chunks[k + 1].chunk->a[0].index;
            while (j < a->n_active && a->active[j].index < hi)
                j++;
        }
        if (chunk_same(c, a->active + from, j - from)) {
            atomic_fetch_add(&c->refs, 1);
            list_add(&l, c);
        } else {
            list_copy(&l, a->active + from, j - from);
        }
    }
    list_copy(&l, a->active + j, a->n_active - j);   /* the newer (all without prev) */
    as->n_alarms = a->n_active;
    as->n_chunks = l.n;
    as->chunks = l.v;
    for (size_t k = 0, pos = 0; k < l.n; pos += l.v[k++].chunk->n)
        l.v[k].first = pos;
}

/* prev's array when it is the same (count, first and last keys), else a
 * copy of v[0..n). */
static exc_snap_array *share_array(exc_snap_array *prev, const void *v, size_t n, size_t size,
                                   uint64_t (*key)(const void *))
{
    if (prev && prev->n == n &&
        (n == 0 || (key(prev->v) == key(v) &&
                    key((const char *)prev->v + (n - 1) * size) ==
                        key((const char *)v + (n - 1) * size)))) {
        if (exc_verify_changes() && n && memcmp(prev->v, v, n * size) != 0)
            exc_verify_failed("a history or outbox record changed in place (snapshot)");
        atomic_fetch_add(&prev->refs, 1);
        return prev;
    }
    exc_snap_array *arr = exc_calloc(1, sizeof *arr);
    atomic_init(&arr->refs, 1);
    arr->n = n;
    arr->v = exc_memdup(v, n, size);
    return arr;
}

static uint64_t history_key(const void *h)
{
    return ((const exc_history *)h)->index;
}

static uint64_t notice_key(const void *n)
{
    return ((const exc_notice *)n)->seq;
}

exc_snap_alarmset *exc_snap_alarmset_build(const exc_snap_alarmset *prev, const exc_alarms *a,
                                           uint64_t fp)
{
    exc_snap_alarmset *as = exc_calloc(1, sizeof *as);
    atomic_init(&as->refs, 1);
    as->version = a->version;
    as->fp = fp;
    build_chunks(as, prev, a);
    as->history = share_array(prev ? prev->history : NULL, a->history, a->n_history,
                              sizeof *a->history, history_key);
    as->outbox = share_array(prev ? prev->outbox : NULL, a->outbox, a->n_outbox,
                             sizeof *a->outbox, notice_key);
    return as;
}

static void array_free(exc_snap_array *arr)
{
    if (arr && exc_snap_last_ref(&arr->refs)) {
        free(arr->v);
        free(arr);
    }
}

void exc_snap_alarmset_free(exc_snap_alarmset *as)
{
    if (as && exc_snap_last_ref(&as->refs)) {
        for (size_t k = 0; k < as->n_chunks; k++)
            chunk_free(as->chunks[k].chunk);
        free(as->chunks);
        array_free(as->history);
        array_free(as->outbox);
        free(as);
    }
}

const exc_alarm *exc_snap_alarmset_at(const exc_snap_alarmset *as, size_t i)
{
    if (i >= as->n_alarms)
        return NULL;
    size_t lo = 0, hi = as->n_chunks;   /* the last chunk whose first <= i */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (as->chunks[mid].first <= i)
            lo = mid;
        else
            hi = mid;
    }
    return &as->chunks[lo].chunk->a[i - as->chunks[lo].first];
}
