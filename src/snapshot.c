#include "snapshot.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* severity rank: higher is worse */
static int sev_rank(int sev)
{
    switch (sev) {
    case EXC_SEV_CRITICAL: return 5;
    case EXC_SEV_MAJOR: return 4;
    case EXC_SEV_MINOR: return 3;
    case EXC_SEV_WARNING: return 2;
    case EXC_SEV_INDETERMINATE: return 1;
    default: return 0;
    }
}

static int cmp_server(const void *a, const void *b)
{
    return strcmp(((const exc_snap_server *)a)->name, ((const exc_snap_server *)b)->name);
}

static int cmp_conn_key(const char *server, const char *name, const exc_snap_connector *c)
{
    int r = strcmp(server, c->server);
    return r ? r : strcmp(name, c->c.name);
}

static exc_snap_server *find_server(exc_snapshot *s, const char *name)
{
    exc_snap_server key;
    exc_utf8_copy(key.name, sizeof key.name, name);
    return bsearch(&key, s->servers, s->n_servers, sizeof *s->servers, cmp_server);
}

static exc_snap_connector *find_connector(exc_snapshot *s, const char *server, const char *name)
{
    size_t lo = 0, hi = s->n_connectors;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = cmp_conn_key(server, name, &s->connectors[mid]);
        if (r == 0)
            return &s->connectors[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int base_health(int state)
{
    switch (state) {
    case EXC_ST_STOPPED: return EXC_CH_FAILED;
    case EXC_ST_RUNNING: return EXC_CH_OK;
    case EXC_ST_START_PENDING: case EXC_ST_STOP_PENDING: case EXC_ST_CONTINUE_PENDING:
    case EXC_ST_PAUSE_PENDING: case EXC_ST_PAUSED:
        return EXC_CH_DEGRADED;
    default: return EXC_CH_UNKNOWN;
    }
}

exc_snapshot *exc_snapshot_build(const exc_model *m, const exc_alarms *a, const exc_kb *kb,
                                 uint64_t generation)
{
    exc_snapshot *s = exc_calloc(1, sizeof *s);
    s->generation = generation;
    s->reports_accepted = m->reports_accepted;
    s->reports_rejected = m->reports_rejected;
    s->events_accepted = m->events_accepted;
    s->events_rejected = m->events_rejected;
    s->kb_loaded = kb ? (uint32_t)kb->n : 0;
    s->alarms_active = (uint32_t)a->n_active;
    s->alarm_last_changed_ms = a->last_changed_ms;
    s->notifications_dropped = a->dropped;

    size_t nc = 0, nq = 0, np = 0, ncl = 0;
    for (size_t i = 0; i < m->n_servers; i++) {
        const exc_server *sv = m->servers[i];
        nc += sv->n_connectors;
        nq += sv->n_queues;
        np += sv->n_comports;
        for (size_t j = 0; j < sv->n_comports; j++)
            ncl += sv->comports[j].p.n_claimants;
    }
    s->servers = exc_calloc(m->n_servers, sizeof *s->servers);
    s->connectors = exc_calloc(nc, sizeof *s->connectors);
    s->queues = exc_calloc(nq, sizeof *s->queues);
    s->comports = exc_calloc(np, sizeof *s->comports);
    s->claimants = exc_calloc(ncl, sizeof *s->claimants);

    /* the model keeps servers and their children sorted by name, so the flat
     * arrays come out sorted by (server, name) */
    for (size_t i = 0; i < m->n_servers; i++) {
        const exc_server *sv = m->servers[i];
        exc_snap_server *o = &s->servers[s->n_servers++];
        memcpy(o->name, sv->name, sizeof o->name);
        memcpy(o->site, sv->site, sizeof o->site);
        memcpy(o->exchange_version, sv->exchange_version, sizeof o->exchange_version);
        memcpy(o->mta_version, sv->mta_version, sizeof o->mta_version);
        o->reported = sv->reported;
        o->collected = sv->collected;
        o->received_ms = sv->received_ms;
        o->status = sv->reported ? EXC_SS_OK : EXC_SS_UNKNOWN;
        o->collect_status = sv->collect_status;
        o->collect_time = sv->collect_time;
        memcpy(o->collect_error, sv->collect_error, sizeof o->collect_error);
        o->stamp = sv->stamp;
        o->first_connector = s->n_connectors;
        o->first_queue = s->n_queues;
        o->first_comport = s->n_comports;
        o->first_claimant = s->n_claimants;
        for (size_t j = 0; j < sv->n_connectors; j++) {
            exc_snap_connector *c = &s->connectors[s->n_connectors++];
            c->server = o->name;
            c->c = sv->connectors[j].c;
            c->last_change_ms = sv->connectors[j].last_change_ms;
            c->health = base_health(c->c.state);
        }
        for (size_t j = 0; j < sv->n_queues; j++) {
            exc_snap_queue *q = &s->queues[s->n_queues++];
            q->server = o->name;
            q->q = sv->queues[j].q;
            q->state = exc_queue_state(&sv->queues[j], m->stall_samples);
        }
        for (size_t j = 0; j < sv->n_comports; j++) {
            const exc_mcomport *p = &sv->comports[j];
            exc_snap_comport *o2 = &s->comports[s->n_comports++];
            o2->server = o->name;
            memcpy(o2->name, p->p.name, sizeof o2->name);
            o2->claimants = (uint32_t)p->p.n_claimants;
            o2->conflict = p->p.n_claimants >= 2 ? 2 : 1;
            o2->conflict_since_ms = p->conflict_since_ms;
            for (size_t k = 0; k < p->p.n_claimants; k++) {
                exc_snap_claimant *cl = &s->claimants[s->n_claimants++];
                cl->server = o->name;
                memcpy(cl->port, p->p.name, sizeof cl->port);
                cl->index = (uint32_t)(k + 1);
                cl->kind = p->p.claimants[k].kind;
                memcpy(cl->name, p->p.claimants[k].name, sizeof cl->name);
            }
        }
    }

    /* alarms, and what they mean for servers and connectors */
    s->alarms = exc_calloc(a->n_active, sizeof *s->alarms);
    int *conn_rank = exc_calloc(s->n_connectors, sizeof *conn_rank);
    for (size_t i = 0; i < a->n_active; i++) {
        const exc_alarm *al = &a->active[i];
        s->alarms[s->n_alarms++] = *al;
        exc_snap_server *sv = find_server(s, al->server);
        if (sv) {
            sv->alarms++;
            if (al->article[0] == '\0' && strcmp(al->resource, al->server) == 0 &&
                al->notification == EXC_NOTIF_SERVER_STALE)
                sv->status = EXC_SS_STALE;
            else if (sv->status != EXC_SS_STALE) {
                if (al->severity == EXC_SEV_CRITICAL)
                    sv->status = EXC_SS_FAILED;
                else if (sv->status != EXC_SS_FAILED)
                    sv->status = EXC_SS_DEGRADED;
            }
        }
        exc_snap_connector *c = find_connector(s, al->server, al->resource);
        if (c) {
            if (al->severity == EXC_SEV_CRITICAL)
                c->health = EXC_CH_FAILED;
            else if (c->health != EXC_CH_FAILED)
                c->health = EXC_CH_DEGRADED;
            int r = sev_rank(al->severity);
            size_t ci = (size_t)(c - s->connectors);
            if (al->article[0] && r > conn_rank[ci]) {
                conn_rank[ci] = r;
                memcpy(c->kb_article, al->article, sizeof c->kb_article);
            }
        }
    }
    free(conn_rank);

    s->history = exc_calloc(a->n_history, sizeof *s->history);
    if (a->n_history)   /* a->history may be NULL when empty */
        memcpy(s->history, a->history, a->n_history * sizeof *s->history);
    s->n_history = a->n_history;

    s->outbox = exc_calloc(a->n_outbox, sizeof *s->outbox);
    if (a->n_outbox)
        memcpy(s->outbox, a->outbox, a->n_outbox * sizeof *s->outbox);
    s->n_outbox = a->n_outbox;

    if (kb) {
        s->kb = exc_calloc(kb->n, sizeof *s->kb);
        for (size_t i = 0; i < kb->n; i++) {
            exc_snap_kb *k = &s->kb[s->n_kb++];
            k->a = kb->articles[i];
            k->a.rules = NULL;
            k->a.n_rules = 0;
            k->matches = exc_alarms_matches(a, kb->articles[i].id);
        }
    }
    return s;
}

void exc_snapshot_free(exc_snapshot *s)
{
    if (!s)
        return;
    free(s->servers);
    free(s->connectors);
    free(s->comports);
    free(s->claimants);
    free(s->queues);
    free(s->kb);
    free(s->alarms);
    free(s->history);
    free(s->outbox);
    free(s);
}

static size_t first_of(const exc_snap_server *sv, exc_snap_rows which)
{
    switch (which) {
    case EXC_SNAP_CONNECTORS: return sv->first_connector;
    case EXC_SNAP_QUEUES: return sv->first_queue;
    case EXC_SNAP_COMPORTS: return sv->first_comport;
    default: return sv->first_claimant;
    }
}

size_t exc_snapshot_rows_of(const exc_snapshot *s, size_t i, exc_snap_rows which,
                            size_t *first)
{
    static const size_t offsets[] = {offsetof(exc_snapshot, n_connectors),
                                     offsetof(exc_snapshot, n_queues),
                                     offsetof(exc_snapshot, n_comports),
                                     offsetof(exc_snapshot, n_claimants)};
    *first = first_of(&s->servers[i], which);
    size_t end = i + 1 < s->n_servers
                     ? first_of(&s->servers[i + 1], which)
                     : *(const size_t *)((const char *)s + offsets[which]);
    return end - *first;
}

const exc_alarm *exc_snapshot_alarm(const exc_snapshot *s, uint32_t index)
{
    size_t lo = 0, hi = s->n_alarms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->alarms[mid].index == index)
            return &s->alarms[mid];
        if (s->alarms[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const exc_snap_kb *exc_snapshot_kb(const exc_snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->n_kb; i++)
        if (strcmp(s->kb[i].a.id, id) == 0)
            return &s->kb[i];
    return NULL;
}
