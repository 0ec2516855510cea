#include "snapshot.h"
#include "snapshot_alarms.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void *xmalloc(size_t n) { return exc_realloc(NULL, n ? n : 1); }

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

/* A fingerprint of the raw alarm state, to tell "nothing changed" cheaply
 * (issue 14: the state journal and the snapshot's alarm arrays): the
 * active alarms, hold-down windows and match counts field by field; history
 * and outbox records are never changed once added, so their bounds do.  An
 * equal fingerprint of different states would need a 64-bit collision. */
static uint64_t fp_lane(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0x100000001B3ull;
    return h ^ (h >> 29);
}

/* Performance (issue 14): four independent lanes of 8 octets, so the
 * multiplications overlap (the alarm array is hashed at every commit:
 * at 5,000 servers the single-lane loop cost 8 % of the agent's CPU). */
static uint64_t fp_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t l[4] = {h, h ^ 0x9E3779B97F4A7C15ull, h ^ 0xC2B2AE3D27D4EB4Full,
                     h ^ 0x165667B19E3779F9ull};
    for (; n >= 32; n -= 32, p += 32) {
        uint64_t v[4];
        memcpy(v, p, 32);
        for (int i = 0; i < 4; i++)
            l[i] = fp_lane(l[i], v[i]);
    }
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        l[0] = fp_lane(l[0], v);
    }
    for (; n > 0; n--, p++)
        l[1] = (l[1] ^ *p) * 0x100000001B3ull;
    return fp_lane(fp_lane(fp_lane(l[0], l[1]), l[2]), l[3]);
}

/* The alarm records' hashes come from the code that saves them (issue 13:
 * no field list kept in step by hand).  The history and the outbox are
 * append-only with immutable entries, so their counts and first entries
 * stand for them. */
static uint64_t hash_of_written(exc_sf_writer *w)   /* and the buffer freed */
{
    uint64_t h = exc_sf_hash_since(w, 0);
    exc_sf_discard(w);
    return h;
}

uint64_t exc_alarm_hash(const exc_alarm *al)
{
    exc_sf_writer w = {0};
    exc_alarm_save(al, &w);
    return hash_of_written(&w);
}

uint64_t exc_alarms_fingerprint(const exc_alarms *a)
{
    exc_sf_writer w = {0};
    exc_alarms_save_index(a, &w);
    exc_alarms_save_matches(a, &w);
    exc_alarms_save_holddown(a, &w);
    uint64_t h = hash_of_written(&w);
    uint64_t scalars[] = {a->n_active, a->n_history, a->n_history ? a->history[0].index : 0,
                          a->n_outbox, a->n_outbox ? a->outbox[0].seq : 0};
    h = fp_bytes(h, scalars, sizeof scalars);
    for (size_t i = 0; i < a->n_active; i++)
        h = fp_lane(h, exc_alarm_hash(&a->active[i]));
    return h;
}

/* Binary search of name among n entries sorted by strcmp, name_of(ctx, i)
 * giving entry i's name: its position, -1 if absent. */
static ptrdiff_t find_sorted(const void *ctx, size_t n,
                             const char *(*name_of)(const void *, size_t), const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(name, name_of(ctx, mid));
        if (r == 0)
            return (ptrdiff_t)mid;
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

static const char *server_name_at(const void *m, size_t i)
{
    return ((const exc_model *)m)->servers[i]->name;
}

static const char *connector_name_at(const void *p, size_t i)
{
    return ((const exc_snap_part *)p)->connectors[i].c.name;
}

/* A server's position in the model (sorted by name), -1 if absent. */
static ptrdiff_t model_index(const exc_model *m, const char *name)
{
    return find_sorted(m, m->n_servers, server_name_at, name);
}

static ptrdiff_t part_connector(const exc_snap_part *p, const char *name)
{
    return find_sorted(p, p->n_connectors, connector_name_at, name);
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

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0x100000001B3ull;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
    return mix(h, 0xFF);
}

/* The alarms of each model server: head[i] the first index into a->active
 * of an alarm on it (or -1), next[] the following one, in a->active's
 * order; sig[i] a signature of what those alarms decide in its rows (0:
 * none).  O(alarms), not O(servers x alarms). */
typedef struct alarm_map {
    ptrdiff_t *head, *next;
    uint64_t *sig;
} alarm_map;

static uint64_t alarm_sig(uint64_t sig, const exc_alarm *al)
{
    uint64_t h = mix(sig ? sig : 1, (uint64_t)al->severity);
    h = mix(h, (uint64_t)al->notification);
    return mix_str(mix_str(h, al->resource), al->article);
}

static void map_alarms(alarm_map *am, const exc_model *m, const exc_alarms *a)
{
    size_t n = m->n_servers;
    am->head = xmalloc(n * sizeof *am->head);
    am->sig = exc_calloc(n ? n : 1, sizeof *am->sig);
    am->next = xmalloc(a->n_active * sizeof *am->next);
    ptrdiff_t *tail = xmalloc(n * sizeof *tail);
    for (size_t i = 0; i < n; i++)
        am->head[i] = -1;
    for (size_t i = 0; i < a->n_active; i++) {
        const exc_alarm *al = &a->active[i];
        am->next[i] = -1;
        ptrdiff_t k = model_index(m, al->server);
        if (k < 0)
            continue;
        if (am->head[k] < 0)
            am->head[k] = (ptrdiff_t)i;
        else
            am->next[tail[k]] = (ptrdiff_t)i;
        tail[k] = (ptrdiff_t)i;
        am->sig[k] = alarm_sig(am->sig[k], al);
    }
    free(tail);
}

/* The same for one server (entry 0), by a scan of the active alarms: for a
 * few parts to build while the alarm state is the previous snapshot's. */
static void map_one(alarm_map *am, const exc_alarms *a, const char *name)
{
    am->head = xmalloc(sizeof *am->head);
    am->sig = exc_calloc(1, sizeof *am->sig);
    am->next = xmalloc(a->n_active * sizeof *am->next);
    am->head[0] = -1;
    ptrdiff_t tail = -1;
    for (size_t i = 0; i < a->n_active; i++) {
        const exc_alarm *al = &a->active[i];
        am->next[i] = -1;
        if (strcmp(al->server, name) != 0)
            continue;
        if (tail < 0)
            am->head[0] = (ptrdiff_t)i;
        else
            am->next[tail] = (ptrdiff_t)i;
        tail = (ptrdiff_t)i;
        am->sig[0] = alarm_sig(am->sig[0], al);
    }
}

static void map_free(alarm_map *am)
{
    free(am->head);
    free(am->next);
    free(am->sig);
}

/* What the alarms on model server k mean for its status and connectors. */
static void apply_alarms(exc_snap_part *p, const exc_alarms *a, const alarm_map *am, size_t k)
{
    exc_snap_server *o = &p->server;
    int *conn_rank = exc_calloc(p->n_connectors ? p->n_connectors : 1, sizeof *conn_rank);
    for (ptrdiff_t i = am->head[k]; i >= 0; i = am->next[i]) {
        const exc_alarm *al = &a->active[i];
        o->alarms++;
        if (exc_alarm_is_stale(al))
            o->status = EXC_SS_STALE;
        else if (o->status != EXC_SS_STALE) {
            if (al->severity == EXC_SEV_CRITICAL)
                o->status = EXC_SS_FAILED;
            else if (o->status != EXC_SS_FAILED)
                o->status = EXC_SS_DEGRADED;
        }
        ptrdiff_t ci = part_connector(p, al->resource);
        if (ci < 0)
            continue;
        exc_snap_connector *c = &p->connectors[ci];
        if (al->severity == EXC_SEV_CRITICAL)
            c->health = EXC_CH_FAILED;
        else if (c->health != EXC_CH_FAILED)
            c->health = EXC_CH_DEGRADED;
        int r = sev_rank(al->severity);
        if (al->article[0] && r > conn_rank[ci]) {
            conn_rank[ci] = r;
            memcpy(c->kb_article, al->article, sizeof c->kb_article);
        }
    }
    free(conn_rank);
}

static void fill_server(exc_snap_server *o, const exc_server *sv)
{
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
}

static void fill_rows(exc_snap_part *p, const exc_server *sv, unsigned stall_samples)
{
    const char *name = p->server.name;
    for (size_t j = 0; j < sv->n_connectors; j++) {
        exc_snap_connector *c = &p->connectors[j];
        c->server = name;
        c->c = sv->connectors[j].c;
        c->last_change_ms = sv->connectors[j].last_change_ms;
        c->health = base_health(c->c.state);
    }
    for (size_t j = 0; j < sv->n_queues; j++) {
        exc_snap_queue *q = &p->queues[j];
        q->server = name;
        q->q = sv->queues[j].q;
        q->state = exc_queue_state(&sv->queues[j], stall_samples);
    }
    for (size_t j = 0; j < sv->n_comports; j++) {
        const exc_mcomport *mp = &sv->comports[j];
        exc_snap_comport *o2 = &p->comports[j];
        o2->server = name;
        memcpy(o2->name, mp->p.name, sizeof o2->name);
        o2->claimants = (uint32_t)mp->p.n_claimants;
        o2->conflict = mp->p.n_claimants >= 2 ? 2 : 1;
        o2->conflict_since_ms = mp->conflict_since_ms;
        for (size_t k = 0; k < mp->p.n_claimants; k++) {
            exc_snap_claimant *cl = &p->claimants[p->n_claimants++];
            cl->server = name;
            memcpy(cl->port, mp->p.name, sizeof cl->port);
            cl->index = (uint32_t)(k + 1);
            cl->kind = mp->p.claimants[k].kind;
            memcpy(cl->name, mp->p.claimants[k].name, sizeof cl->name);
        }
    }
}

/* A new part for model server sv, whose alarms are am's entry k. */
static exc_snap_part *build_part(const exc_model *m, const exc_server *sv, const exc_alarms *a,
                                 const alarm_map *am, size_t k, uint64_t generation)
{
    exc_snap_part *p = exc_calloc(1, sizeof *p);
    p->derived = am->sig[k];
    p->stall_samples = m->stall_samples;
    p->built = generation;
    fill_server(&p->server, sv);
    size_t ncl = 0;
    for (size_t j = 0; j < sv->n_comports; j++)
        ncl += sv->comports[j].p.n_claimants;
    p->n_connectors = sv->n_connectors;
    p->n_queues = sv->n_queues;
    p->n_comports = sv->n_comports;
    p->connectors = exc_calloc(sv->n_connectors ? sv->n_connectors : 1, sizeof *p->connectors);
    p->queues = exc_calloc(sv->n_queues ? sv->n_queues : 1, sizeof *p->queues);
    p->comports = exc_calloc(sv->n_comports ? sv->n_comports : 1, sizeof *p->comports);
    p->claimants = exc_calloc(ncl ? ncl : 1, sizeof *p->claimants);
    fill_rows(p, sv, m->stall_samples);
    apply_alarms(p, a, am, k);
    return p;
}

static void part_free(exc_snap_part *p)
{
    if (!p)
        return;
    free(p->connectors);
    free(p->queues);
    free(p->comports);
    free(p->claimants);
    free(p);
}

/* prev's part of model server sv, or NULL; *k walks prev's servers (both
 * sorted by name).  Stamps are unique: an equal one is the same server with
 * the same content, found without a strcmp. */
static exc_snap_part *prev_part(const exc_snapshot *prev, size_t *k, const exc_server *sv)
{
    if (!prev)
        return NULL;
    if (*k < prev->n_servers && prev->stamps[*k] == sv->stamp)
        return prev->parts[(*k)++];
    while (*k < prev->n_servers && strcmp(prev->parts[*k]->server.name, sv->name) < 0)
        (*k)++;
    if (*k < prev->n_servers && strcmp(prev->parts[*k]->server.name, sv->name) == 0)
        return prev->parts[(*k)++];
    return NULL;
}

/* Above this many parts to build, one map of every alarm (O(alarms log
 * servers)) is cheaper than a scan of the alarms per part. */
#define MAP_ONE_MAX 8

/* The part for model server sv at position i: q (prev's, or NULL) when its
 * stamp and the signature of the alarms on sv are still its own, else a new
 * one.  The alarms come from am (every server mapped) or, am NULL, from a
 * scan for sv alone. */
static exc_snap_part *part_for(const exc_model *m, const exc_server *sv, const exc_alarms *a,
                               const alarm_map *am, size_t i, exc_snap_part *q, uint64_t gen)
{
    alarm_map one;
    if (!am) {
        map_one(&one, a, sv->name);
        i = 0;
    }
    const alarm_map *use = am ? am : &one;
    exc_snap_part *p = q && q->server.stamp == sv->stamp && q->derived == use->sig[i]
                           ? q
                           : build_part(m, sv, a, use, i, gen);
    if (!am)
        map_free(&one);
    return p;
}

/* The parts: prev's where the server is unchanged, new ones elsewhere.
 * When the alarm state is prev's (alarms_same), a shared part's alarms
 * cannot have changed, so no alarm map is needed to decide.  Returns
 * whether every server sits where it sat in prev. */
static bool build_parts(exc_snapshot *s, const exc_snapshot *prev, const exc_model *m,
                        const exc_alarms *a, bool alarms_same)
{
    size_t n = m->n_servers, k = 0, missing = 0;
    alarm_map am = {0};
    bool mapped = !alarms_same;
    if (mapped)
        map_alarms(&am, m, a);
    if (prev && prev->stall_samples != m->stall_samples)
        prev = NULL;   /* every queue state to derive again */
    bool same_layout = prev && prev->n_servers == n;
    s->parts = xmalloc(n * sizeof *s->parts);
    s->stamps = xmalloc(n * sizeof *s->stamps);
    for (size_t i = 0; i < n; i++) {
        const exc_server *sv = m->servers[i];
        exc_snap_part *q = prev_part(prev, &k, sv);
        if (q == NULL || k - 1 != i)   /* not where it sat in prev */
            same_layout = false;
        s->parts[i] = NULL;
        if (q && q->server.stamp == sv->stamp && (!mapped || q->derived == am.sig[i])) {
            s->parts[i] = q;
        } else {
            missing++;
        }
        s->stamps[i] = sv->stamp;
    }
    if (!mapped && missing > MAP_ONE_MAX) {
        map_alarms(&am, m, a);
        mapped = true;
    }
    for (size_t i = 0; missing > 0 && i < n; i++) {
        if (s->parts[i])
            continue;
        missing--;
        s->parts[i] = part_for(m, m->servers[i], a, mapped ? &am : NULL, i, NULL, s->generation);
    }
    if (mapped)
        map_free(&am);
    s->builts = xmalloc(n * sizeof *s->builts);
    for (size_t i = 0; i < n; i++)
        s->builts[i] = s->parts[i]->built;
    s->n_servers = n;
    return same_layout;
}

/* Performance (issue 14): the positions (ascending, once each) of the
 * servers that may differ from prev -- touched since prev was built, or
 * with alarms raised, cleared or renamed since when the alarm state is not
 * prev's -- so that a build visits those, not the estate.  false when that
 * is not known (no prev, servers added or removed, another stallSamples,
 * the lists taken by someone else or overflowed): every server is checked. */
static bool changed_positions(const exc_snapshot *prev, const exc_model *m,
                              const exc_alarms *a, bool alarms_same, size_t **out, size_t *n_out)
{
    if (!prev || prev->stall_samples != m->stall_samples || prev->n_servers != m->n_servers ||
        !exc_model_touched_since(m, EXC_TOUCH_SNAPSHOT, prev->touch_token) ||
        (!alarms_same && !exc_alarms_changed_since(a, prev->alarm_token)))
        return false;
    const exc_touch_list *l = &m->touched[EXC_TOUCH_SNAPSHOT];
    size_t *v = xmalloc((l->n + a->n_changed) * sizeof *v), n = 0;
    for (size_t i = 0; i < l->n; i++)
        v[n++] = l->v[i]->pos;
    for (size_t i = 0; !alarms_same && i < a->n_changed; i++) {
        const exc_server *sv = exc_model_find(m, a->changed[i]);
        if (sv)
            v[n++] = sv->pos;
    }
    qsort(v, n, sizeof *v, exc_cmp_size);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || v[u - 1] != v[i])
            v[u++] = v[i];
    *out = v;
    *n_out = u;
    return true;
}

/* build_parts for the servers at pos[] alone (changed_positions): prev's
 * parts elsewhere.  The same result and return as build_parts; pos[] keeps
 * the positions whose part is new (*n_pos of them), for the lineage and the
 * row totals. */
static bool build_changed_parts(exc_snapshot *s, const exc_snapshot *prev, const exc_model *m,
                                const exc_alarms *a, size_t *pos, size_t *n_pos)
{
    size_t n = m->n_servers;
    bool mapped = *n_pos > MAP_ONE_MAX;
    alarm_map am = {0};
    if (mapped)
        map_alarms(&am, m, a);
    s->parts = exc_memdup(prev->parts, n, sizeof *s->parts);
    s->stamps = exc_memdup(prev->stamps, n, sizeof *s->stamps);
    s->builts = exc_memdup(prev->builts, n, sizeof *s->builts);
    size_t kept = 0;
    for (size_t c = 0; c < *n_pos; c++) {
        size_t i = pos[c];
        const exc_server *sv = m->servers[i];
        exc_snap_part *p = part_for(m, sv, a, mapped ? &am : NULL, i, prev->parts[i],
                                    s->generation);
        if (p == prev->parts[i])
            continue;
        s->parts[i] = p;
        s->stamps[i] = sv->stamp;
        s->builts[i] = p->built;
        pos[kept++] = i;
    }
    *n_pos = kept;
    if (mapped)
        map_free(&am);
    s->n_servers = n;
    return true;   /* the servers are prev's, in the same places */
}

/* exc_verify_changes(): every part shared with prev is of an unchanged
 * server with unchanged alarms, as a walk of everything would decide. */
static void verify_parts(const exc_snapshot *s, const exc_model *m, const exc_alarms *a)
{
    alarm_map am;
    map_alarms(&am, m, a);
    for (size_t i = 0; i < s->n_servers; i++) {
        const exc_snap_part *p = s->parts[i];
        if (p->server.stamp != m->servers[i]->stamp || strcmp(p->server.name, m->servers[i]->name))
            exc_verify_failed("a server changed without exc_model_touch");
        if (p->derived != am.sig[i])
            exc_verify_failed("a server's alarms changed without being listed");
    }
    map_free(&am);
}

/* How many rows of kind k a part has, and row j (issue 14: the tables read
 * the parts; no snapshot-wide row arrays are copied at each build). */
size_t exc_snap_part_rows(const exc_snap_part *p, exc_snap_rows k)
{
    switch (k) {
    case EXC_SNAP_CONNECTORS: return p->n_connectors;
    case EXC_SNAP_QUEUES: return p->n_queues;
    case EXC_SNAP_COMPORTS: return p->n_comports;
    default: return p->n_claimants;
    }
}

const void *exc_snap_part_row(const exc_snap_part *p, exc_snap_rows k, size_t j)
{
    switch (k) {
    case EXC_SNAP_CONNECTORS: return &p->connectors[j];
    case EXC_SNAP_QUEUES: return &p->queues[j];
    case EXC_SNAP_COMPORTS: return &p->comports[j];
    default: return &p->claimants[j];
    }
}

/* The row totals: from every part (no prev to start from). */
static void count_rows(exc_snapshot *s)
{
    for (size_t i = 0; i < s->n_servers; i++) {
        const exc_snap_part *p = s->parts[i];
        s->n_connectors += p->n_connectors;
        s->n_queues += p->n_queues;
        s->n_comports += p->n_comports;
        s->n_claimants += p->n_claimants;
    }
}

/* The same when every server sits where it sat in prev: prev's, with the
 * parts at pos[] (ascending; NULL: wherever the part is not prev's) put in. */
static void recount_rows(exc_snapshot *s, const exc_snapshot *prev, const size_t *pos,
                         size_t n_pos)
{
    size_t n = s->n_servers;
    s->n_connectors = prev->n_connectors;
    s->n_queues = prev->n_queues;
    s->n_comports = prev->n_comports;
    s->n_claimants = prev->n_claimants;
    for (size_t c = 0, i; pos ? c < n_pos : c < n; c++) {
        i = pos ? pos[c] : c;
        const exc_snap_part *p = s->parts[i], *q = prev->parts[i];
        if (p == q)
            continue;
        s->n_connectors += p->n_connectors - q->n_connectors;
        s->n_queues += p->n_queues - q->n_queues;
        s->n_comports += p->n_comports - q->n_comports;
        s->n_claimants += p->n_claimants - q->n_claimants;
    }
}

/* ---------- the lineage: when a part can be freed ----------
 *
 * Performance (issue 14): reference-counting every part cost a write to
 * every part at each build and at each free -- a cache miss per server.
 * Instead the snapshots built one from the last form a lineage, numbered by
 * epoch.  A part replaced in the snapshot of epoch E is held only by
 * snapshots older than E: it is "retired" at E and freed once no live
 * snapshot is older than E.  The newest snapshot's parts (cur) are freed
 * with the lineage, when its last snapshot goes.  Parts are shared only
 * from the newest snapshot of a lineage (a build from an older one starts a
 * lineage of its own, sharing nothing).  Snapshots are freed on the agent
 * thread and the worker's, so the bookkeeping takes the lineage's lock. */
typedef struct exc_snap_lineage {
    pthread_mutex_t lock;
    uint64_t epoch;                        /* the newest snapshot's */
    size_t n_live, cap_live;
    uint64_t *live;                        /* epochs of the snapshots not freed */
    size_t n_retired, cap_retired;
    struct retired { exc_snap_part *p; uint64_t epoch; } *retired;
    size_t n_cur;
    exc_snap_part **cur;                   /* the newest snapshot's parts */
} exc_snap_lineage;

/* prev's lineage if prev is its newest snapshot (its parts can be shared),
 * else NULL. */
static exc_snap_lineage *lineage_of_newest(const exc_snapshot *prev)
{
    if (!prev || !prev->lineage)
        return NULL;
    exc_snap_lineage *l = prev->lineage;
    pthread_mutex_lock(&l->lock);
    bool newest = l->epoch == prev->epoch;
    pthread_mutex_unlock(&l->lock);
    return newest ? l : NULL;
}

static int cmp_ptr(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t)*(void *const *)x, b = (uintptr_t)*(void *const *)y;
    return a < b ? -1 : a > b;
}

/* The parts of old that s does not hold (old: the newest snapshot of the
 * lineage s joins): those at pos[] (build_changed_parts' new ones), or, pos
 * NULL, found by merging sorted pointer lists (the layout may have moved). */
static exc_snap_part **replaced_parts(const exc_snapshot *s, exc_snap_part *const *old,
                                      size_t n_old, const size_t *pos, size_t n_pos,
                                      size_t *n_out)
{
    exc_snap_part **out = xmalloc((pos ? n_pos : n_old) * sizeof *out);
    size_t n = 0;
    if (pos) {
        for (size_t c = 0; c < n_pos; c++)
            out[n++] = old[pos[c]];
    } else {
        exc_snap_part **a = exc_memdup(old, n_old, sizeof *a);
        exc_snap_part **b = exc_memdup(s->parts, s->n_servers, sizeof *b);
        qsort(a, n_old, sizeof *a, cmp_ptr);
        qsort(b, s->n_servers, sizeof *b, cmp_ptr);
        for (size_t i = 0, j = 0; i < n_old; i++) {
            while (j < s->n_servers && cmp_ptr(&b[j], &a[i]) < 0)
                j++;
            if (j == s->n_servers || b[j] != a[i])
                out[n++] = a[i];
        }
        free(a);
        free(b);
    }
    *n_out = n;
    return out;
}

/* s joins lin (NULL: a new one) as its newest snapshot; the parts it
 * replaced retire at its epoch.  pos/n_pos as for replaced_parts. */
static void lineage_join(exc_snapshot *s, exc_snap_lineage *lin, const size_t *pos,
                         size_t n_pos)
{
    if (!lin) {
        lin = exc_calloc(1, sizeof *lin);
        pthread_mutex_init(&lin->lock, NULL);
    }
    size_t n_gone = 0;
    exc_snap_part **gone = lin->cur ? replaced_parts(s, lin->cur, lin->n_cur, pos, n_pos, &n_gone)
                                    : NULL;
    pthread_mutex_lock(&lin->lock);
    s->lineage = lin;
    s->epoch = ++lin->epoch;
    if (lin->n_live == lin->cap_live) {
        lin->cap_live = lin->cap_live ? lin->cap_live * 2 : 4;
        lin->live = exc_realloc(lin->live, lin->cap_live * sizeof *lin->live);
    }
    lin->live[lin->n_live++] = s->epoch;
    if (lin->n_retired + n_gone > lin->cap_retired) {
        lin->cap_retired = (lin->n_retired + n_gone) * 2;
        lin->retired = exc_realloc(lin->retired, lin->cap_retired * sizeof *lin->retired);
    }
    for (size_t i = 0; i < n_gone; i++)
        lin->retired[lin->n_retired++] = (struct retired){gone[i], s->epoch};
    if (pos && lin->n_cur == s->n_servers) {
        for (size_t c = 0; c < n_pos; c++)
            lin->cur[pos[c]] = s->parts[pos[c]];
    } else {
        free(lin->cur);
        lin->cur = exc_memdup(s->parts, s->n_servers, sizeof *lin->cur);
        lin->n_cur = s->n_servers;
    }
    pthread_mutex_unlock(&lin->lock);
    free(gone);
}

/* s is freed: the parts no live snapshot can hold go, and with the last
 * snapshot the lineage. */
static void lineage_leave(exc_snapshot *s)
{
    exc_snap_lineage *lin = s->lineage;
    if (!lin)
        return;
    pthread_mutex_lock(&lin->lock);
    uint64_t oldest = UINT64_MAX;
    for (size_t i = 0; i < lin->n_live; i++) {
        if (lin->live[i] == s->epoch) {
            lin->live[i--] = lin->live[--lin->n_live];
            continue;
        }
        if (lin->live[i] < oldest)
            oldest = lin->live[i];
    }
    bool last = lin->n_live == 0;
    size_t k = 0;
    for (size_t i = 0; i < lin->n_retired; i++) {
        if (last || lin->retired[i].epoch <= oldest)
            part_free(lin->retired[i].p);
        else
            lin->retired[k++] = lin->retired[i];
    }
    lin->n_retired = k;
    pthread_mutex_unlock(&lin->lock);
    if (!last)
        return;
    for (size_t i = 0; i < lin->n_cur; i++)
        part_free(lin->cur[i]);
    free(lin->cur);
    free(lin->live);
    free(lin->retired);
    pthread_mutex_destroy(&lin->lock);
    free(lin);
}

/* The alarm state: prev's whole when the alarm version did not move, else
 * built anew sharing prev's unchanged pieces (fp: the fingerprint, when
 * verifying). */
static void take_alarms(exc_snapshot *s, exc_snap_alarmset *prev, bool same, const exc_alarms *a,
                        uint64_t fp)
{
    if (same) {
        s->aset = prev;
        atomic_fetch_add(&s->aset->refs, 1);
    } else {
        s->aset = exc_snap_alarmset_build(prev, a, fp);
    }
    s->n_alarms = s->aset->n_alarms;
    s->history = s->aset->history->v;
    s->n_history = s->aset->history->n;
    s->outbox = s->aset->outbox->v;
    s->n_outbox = s->aset->outbox->n;
}

/* The KB articles without their rules, with their match counts. */
static void copy_kb(exc_snapshot *s, const exc_kb *kb, const exc_alarms *a)
{
    if (!kb)
        return;
    s->kb = exc_calloc(kb->n, sizeof *s->kb);
    for (size_t i = 0; i < kb->n; i++) {
        exc_snap_kb *k = &s->kb[s->n_kb++];
        k->a = kb->articles[i];
        k->a.rules = NULL;
        k->a.n_rules = 0;
        k->matches = exc_alarms_matches(a, kb->articles[i].id);
    }
}

exc_snapshot *exc_snapshot_build_from(const exc_snapshot *prev, const exc_model *m,
                                      const exc_alarms *a, const exc_kb *kb,
                                      uint64_t generation)
{
    exc_snapshot *s = exc_calloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    s->generation = generation;
    s->reports_accepted = m->reports_accepted;
    s->reports_rejected = m->reports_rejected;
    s->events_accepted = m->events_accepted;
    s->events_rejected = m->events_rejected;
    s->kb_loaded = kb ? (uint32_t)kb->n : 0;
    s->alarms_active = (uint32_t)a->n_active;
    s->alarm_last_changed_ms = a->last_changed_ms;
    s->notifications_dropped = a->dropped;

    s->stall_samples = m->stall_samples;
    bool alarms_same = prev && prev->aset && prev->aset->version == a->version;
    uint64_t fp = 0;
    if (exc_verify_changes()) {
        fp = exc_alarms_fingerprint(a);
        if (alarms_same && prev->aset->fp != fp)
            exc_verify_failed("the alarm state changed without exc_alarms_touch");
    }
    /* parts: shared only from the newest snapshot of prev's lineage */
    exc_snap_lineage *lin = lineage_of_newest(prev);
    const exc_snapshot *share = lin ? prev : NULL;
    size_t *pos = NULL, n_pos = 0;
    bool fast = changed_positions(share, m, a, alarms_same, &pos, &n_pos);
    bool same_layout = fast ? build_changed_parts(s, share, m, a, pos, &n_pos)
                            : build_parts(s, share, m, a, alarms_same);
    lineage_join(s, lin, fast ? pos : NULL, n_pos);
    if (exc_verify_changes())
        verify_parts(s, m, a);
    if (same_layout)
        recount_rows(s, share, fast ? pos : NULL, n_pos);
    else
        count_rows(s);
    free(pos);

    take_alarms(s, prev ? prev->aset : NULL, alarms_same, a, fp);
    copy_kb(s, kb, a);
    return s;
}

exc_snapshot *exc_snapshot_build(const exc_model *m, const exc_alarms *a, const exc_kb *kb,
                                 uint64_t generation)
{
    return exc_snapshot_build_from(NULL, m, a, kb, generation);
}

exc_snapshot *exc_snapshot_ref(exc_snapshot *s)
{
    if (s)
        atomic_fetch_add(&s->refs, 1);
    return s;
}

void exc_snapshot_free(exc_snapshot *s)
{
    if (!s || !exc_snap_last_ref(&s->refs))
        return;
    lineage_leave(s);
    free(s->parts);
    free(s->stamps);
    free(s->builts);
    free(s->kb);
    exc_snap_alarmset_free(s->aset);
    free(s);
}

const exc_alarm *exc_snapshot_alarm_at(const exc_snapshot *s, size_t i)
{
    return exc_snap_alarmset_at(s->aset, i);
}

const exc_snap_kb *exc_snapshot_kb(const exc_snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->n_kb; i++)
        if (strcmp(s->kb[i].a.id, id) == 0)
            return &s->kb[i];
    return NULL;
}
