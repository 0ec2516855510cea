/* The journal's alarm records (src/state.c commits them): only what changed
 * since the last commit -- the active alarms whose stamp moved, the
 * history records after the last written, and the matches, outbox and
 * hold-down groups when they differ from what was written. */
#define _GNU_SOURCE
#include "state_alarms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"   /* exc_alarm_hash */
#include "util.h"

void exc_alarm_parts_free(alarm_parts *p)
{
    free(p->text);
    free(p->alm);
    memset(p, 0, sizeof *p);
}

/* Records of one tag are contiguous in exc_alarms_save's output, except
 * hld/hdp which interleave: each group is one span. */
static void span_add(struct span *sp, size_t off, size_t len)
{
    if (sp->len == 0)
        sp->off = off;
    sp->len = off + len - sp->off;
}

/* Is alarm record now (index, stamp) the one written as was?  The stamp
 * moves with every change of the alarm (exc_alarms_touch); the check of
 * exc_verify_changes() compares the records' hashes too. */
static bool alarm_same(const struct exc_state_alm *was, const struct exc_state_alm *now)
{
    if (was->index != now->index || was->stamp != now->stamp)
        return false;
    if (exc_verify_changes() && was->hash != now->hash)
        exc_verify_failed("an alarm record changed without exc_alarms_touch");
    return true;
}

/* Is active alarm al one of the records st remembers, unchanged? */
static bool alarm_known(const struct exc_state_alm *prev, size_t n_prev, size_t *i,
                        const struct exc_state_alm *al)
{
    while (*i < n_prev && prev[*i].index < al->index)
        (*i)++;
    return *i < n_prev && alarm_same(&prev[*i], al);
}

/* Where each group of records lies in p->text (exc_alarms_save's output),
 * and which history records are new (index above his_done).  False on a
 * record this code cannot diff. */
static bool find_spans(alarm_parts *p, uint32_t his_done)
{
    p->his_max = his_done;
    size_t his_start = 0, his_end = 0, k = 0;
    for (size_t off = 0; off < p->len;) {
        const char *line = p->text + off;
        const char *nl = memchr(line, '\n', p->len - off);
        size_t n = nl ? (size_t)(nl - line + 1) : p->len - off;
        if (strncmp(line, "aix ", 4) == 0) {
            span_add(&p->aix, off, n);
        } else if (strncmp(line, "mat ", 4) == 0) {
            span_add(&p->mat, off, n);
        } else if (strncmp(line, "out ", 4) == 0) {
            span_add(&p->out, off, n);
        } else if (strncmp(line, "hld ", 4) == 0 || strncmp(line, "hdp ", 4) == 0) {
            span_add(&p->hold, off, n);
        } else if (strncmp(line, "alm ", 4) == 0) {
            /* the changed ones, in the order of p->alm */
            uint32_t idx = (uint32_t)strtoul(line + 4, NULL, 10);
            while (k < p->n_alm && p->alm[k].index != idx)
                k++;
            if (k == p->n_alm) {
                return false;
            }
            p->alm[k].off = off;
            p->alm[k++].len = n;
        } else if (strncmp(line, "his ", 4) == 0) {
            uint32_t idx = (uint32_t)strtoul(line + 4, NULL, 10);
            if (idx > his_done) {
                if (his_end == 0)
                    his_start = off;
                his_end = off + n;
                if (idx > p->his_max)
                    p->his_max = idx;
            }
        } else {
            /* a record this code cannot diff: the commit writes a checkpoint */
            return false;
        }
        off += n;
    }
    p->his.off = his_start;
    p->his.len = his_end > his_start ? his_end - his_start : 0;
    return true;
}

/* What exc_alarms_save writes for a, but only the active alarms that are
 * not among the prev records (all when prev is NULL) and the history
 * records after his_done.  Performance (issue 14): a report on a server
 * with an alarm changes that alarm's count; serialising all of them at
 * every such commit made it cost the size of the estate.  Each alarm is
 * told changed or not by its stamp (alarms.h), not by reading it. */
static bool save_changed(const exc_alarms *a, uint32_t his_done, alarm_parts *p,
                         const struct exc_state_alm *prev, size_t n_prev, exc_sf_writer *w)
{
    exc_alarms view = *a;
    /* not zeroed: only the changed records are written into it (a zeroed
     * copy of every record cost 720 KB a commit at 900 alarms) */
    view.active = exc_realloc(NULL, (a->n_active ? a->n_active : 1) * sizeof *view.active);
    view.n_active = 0;
    size_t k = 0;
    for (size_t i = 0; i < a->n_active; i++)
        if (!prev || !alarm_known(prev, n_prev, &k, &p->alm[i]))
            view.active[view.n_active++] = a->active[i];
    /* the history records after his_done: a suffix, unless indexes wrapped */
    size_t from = a->n_history;
    while (from > 0 && a->history[from - 1].index > his_done)
        from--;
    bool suffix = true;
    for (size_t i = 0; i < from && suffix; i++)
        suffix = a->history[i].index <= his_done;
    if (suffix) {
        view.history = a->history ? a->history + from : NULL;
        view.n_history = a->n_history - from;
    }
    exc_alarms_save(&view, w);
    free(view.active);
    return true;
}

bool exc_alarm_parts_of(const exc_alarms *a, uint32_t his_done, alarm_parts *p,
                           const struct exc_state_alm *prev, size_t n_prev)
{
    memset(p, 0, sizeof *p);
    p->alm = exc_calloc(a->n_active ? a->n_active : 1, sizeof *p->alm);
    p->n_alm = a->n_active;
    for (size_t i = 0; i < a->n_active; i++) {
        p->alm[i].index = a->active[i].index;
        p->alm[i].stamp = a->active[i].stamp;
        if (exc_verify_changes())
            p->alm[i].hash = exc_alarm_hash(&a->active[i]);
    }
    exc_sf_writer w = {0};
    save_changed(a, his_done, p, prev, n_prev, &w);
    p->text = exc_sf_take(&w, &p->len);
    if (!find_spans(p, his_done)) {
        exc_alarm_parts_free(p);
        return false;
    }
    return true;
}

static bool span_same(const alarm_parts *p, struct span sp, const char *prev, size_t prev_len)
{
    return sp.len == prev_len && (prev_len == 0 || memcmp(p->text + sp.off, prev, prev_len) == 0);
}

static void keep_span(char **dst, size_t *dst_len, const alarm_parts *p, struct span sp)
{
    free(*dst);
    *dst = NULL;
    *dst_len = sp.len;
    if (sp.len) {
        *dst = exc_calloc(1, sp.len);
        memcpy(*dst, p->text + sp.off, sp.len);
    }
}

void exc_state_remember_alarms(exc_state *st, alarm_parts *p)
{
    keep_span(&st->mat, &st->mat_len, p, p->mat);
    keep_span(&st->out, &st->out_len, p, p->out);
    keep_span(&st->hold, &st->hold_len, p, p->hold);
    free(st->alm);
    st->alm = p->alm;   /* taken over */
    st->n_alm = p->n_alm;
    p->alm = NULL;
    p->n_alm = 0;
    st->his_done = p->his_max;
}

void exc_state_forget_alarms(exc_state *st)
{
    free(st->mat);
    free(st->out);
    free(st->hold);
    free(st->alm);
    st->mat = st->out = st->hold = NULL;
    st->alm = NULL;
    st->mat_len = st->out_len = st->hold_len = st->n_alm = 0;
    st->his_done = 0;
}

static void put_span(exc_sf_writer *w, const alarm_parts *p, struct span sp)
{
    exc_sf_raw(w, p->text + sp.off, sp.len);
}

/* A group of records (matches, outbox, hold-down) written whole, after a
 * reset of the group, when it is not what was last written. */
static void put_group(exc_sf_writer *w, const alarm_parts *p, struct span sp, const char *was,
                      size_t was_len, const char *group)
{
    if (span_same(p, sp, was, was_len))
        return;
    exc_sf_begin(w, "rst");
    exc_sf_str(w, group);
    exc_sf_end(w);
    put_span(w, p, sp);
}

static void put_almdel(exc_sf_writer *w, uint64_t index)
{
    exc_sf_begin(w, "almdel");
    exc_sf_u64(w, index);
    exc_sf_end(w);
}

void exc_state_write_alarm_delta(exc_sf_writer *w, const exc_state *st, const alarm_parts *p)
{
    put_span(w, p, p->aix);
    put_group(w, p, p->mat, st->mat, st->mat_len, "mat");
    /* active alarms by index (both lists ascending): gone or changed first */
    size_t i = 0, k = 0;
    while (i < st->n_alm || k < p->n_alm) {
        if (k == p->n_alm || (i < st->n_alm && st->alm[i].index < p->alm[k].index)) {
            put_almdel(w, st->alm[i++].index);
        } else if (i == st->n_alm || p->alm[k].index < st->alm[i].index) {
            k++;
        } else {
            if (!alarm_same(&st->alm[i], &p->alm[k]))
                put_almdel(w, st->alm[i].index);
            i++;
            k++;
        }
    }
    i = 0;
    for (k = 0; k < p->n_alm; k++) {
        while (i < st->n_alm && st->alm[i].index < p->alm[k].index)
            i++;
        bool same = i < st->n_alm && alarm_same(&st->alm[i], &p->alm[k]);
        if (!same) {
            struct span sp = {p->alm[k].off, p->alm[k].len};
            put_span(w, p, sp);
        }
    }
    put_span(w, p, p->his);
    put_group(w, p, p->out, st->out, st->out_len, "out");
    put_group(w, p, p->hold, st->hold, st->hold_len, "hold");
}

