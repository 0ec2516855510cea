/* The estate model (model.h): servers in a sorted array of pointers, each
 * server's connectors, queues and COM ports in name-sorted arrays, so every
 * lookup is a binary search and every table walk is in index order. */
#include "model.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ------------------------------------------------------------------------ */
/* Servers                                                                   */

void exc_model_init(exc_model *m, unsigned stall_samples)
{
    memset(m, 0, sizeof *m);
    if (stall_samples < 1)
        stall_samples = 1;
    if (stall_samples > EXC_STALL_MAX)
        stall_samples = EXC_STALL_MAX;
    m->stall_samples = stall_samples;
    m->max_clock_skew = -1;   /* no clock check, no limits until configured */
}

static void free_queues(exc_mqueue *q, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(q[i].hist.v);
    free(q);
}

static void free_comports(exc_mcomport *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].p.claimants);
    free(p);
}

static void server_free(exc_server *s)
{
    if (s == NULL)
        return;
    free(s->connectors);
    free_queues(s->queues, s->n_queues);
    free_comports(s->comports, s->n_comports);
    free(s);
}

void exc_model_free(exc_model *m)
{
    for (size_t i = 0; i < m->n_servers; i++)
        server_free(m->servers[i]);
    free(m->servers);
    free(m->index);
    for (int k = 0; k < EXC_TOUCH_N; k++)
        free(m->touched[k].v);
    unsigned k = m->stall_samples;
    memset(m, 0, sizeof *m);
    m->stall_samples = k;
}

/* Upper-cased key of a server name; false when the name cannot be one
 * (NULL, empty or longer than EXC_SERVER_MAX). */
static bool server_key(const char *name, char key[EXC_SERVER_BUF])
{
    if (name == NULL || name[0] == '\0' || strlen(name) > EXC_SERVER_MAX)
        return false;
    exc_upper(key, EXC_SERVER_BUF, name);
    return true;
}

/* Binary search by name over a sorted array (the servers, a server's
 * children): base/n/size describe the array; name_of gives an element's
 * name.  Returns the index or -(insertion point) - 1. */
typedef const char *(*name_fn)(const void *elem);

static ptrdiff_t name_search(const void *base, size_t n, size_t size, name_fn name_of,
                             const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name_of((const char *)base + mid * size), name);
        if (c == 0)
            return (ptrdiff_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(ptrdiff_t)lo - 1;
}

static const char *server_name(const void *e) { return (*(exc_server *const *)e)->name; }

/* Index of key in m->servers, or (when absent) -(insertion point) - 1. */
static ptrdiff_t server_search(const exc_model *m, const char *key)
{
    return name_search(m->servers, m->n_servers, sizeof *m->servers, server_name, key);
}

/* Performance (issue 14): a hash index of the servers by key beside the
 * sorted array, for exc_model_find (called per active alarm at every tick
 * of the rules: a binary search there read a server per probe, a cache
 * miss each, O(alarms log servers) per commit).  Open addressing, linear
 * probing, at most half full; rebuilt when a server is removed. */
static size_t key_hash(const char *key)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 0x100000001B3ull;
    return (size_t)(h ^ (h >> 32));
}

static void index_put(exc_server **tab, size_t cap, exc_server *s)
{
    size_t i = key_hash(s->name) & (cap - 1);
    while (tab[i] != NULL)
        i = (i + 1) & (cap - 1);
    tab[i] = s;
}

static void index_rebuild(exc_model *m, size_t cap)
{
    free(m->index);
    m->index = exc_calloc(cap, sizeof *m->index);
    m->index_cap = cap;
    for (size_t i = 0; i < m->n_servers; i++)
        index_put(m->index, cap, m->servers[i]);
}

/* s was just added to m->servers */
static void index_add(exc_model *m, exc_server *s)
{
    if (m->n_servers * 2 > m->index_cap)
        index_rebuild(m, m->index_cap ? m->index_cap * 2 : 128);   /* s included */
    else
        index_put(m->index, m->index_cap, s);
}

/* An add or a remove: the consumers of the touched lists walk everything. */
static void servers_moved(exc_model *m)
{
    m->numbered = false;
    for (int k = 0; k < EXC_TOUCH_N; k++)
        m->touched[k].moved = true;
}

exc_server *exc_model_find(const exc_model *m, const char *name)
{
    char key[EXC_SERVER_BUF];
    if (!server_key(name, key) || m->index_cap == 0)
        return NULL;
    for (size_t i = key_hash(key) & (m->index_cap - 1); m->index[i] != NULL;
         i = (i + 1) & (m->index_cap - 1))
        if (strcmp(m->index[i]->name, key) == 0)
            return m->index[i];
    return NULL;
}

exc_server *exc_model_get_or_add(exc_model *m, const char *name, int64_t now_ms)
{
    char key[EXC_SERVER_BUF] = {0};   /* copied whole into the server: no stray octets */
    if (!server_key(name, key))
        return NULL;
    ptrdiff_t i = server_search(m, key);
    if (i >= 0) {
        exc_model_touch(m, m->servers[i]);   /* returned to be written */
        return m->servers[i];
    }
    size_t at = (size_t)(-i - 1);
    if (m->n_servers == m->cap_servers) {
        size_t cap = m->cap_servers ? m->cap_servers * 2 : 64;
        m->servers = exc_realloc(m->servers, cap * sizeof *m->servers);
        m->cap_servers = cap;
    }
    exc_server *s = exc_calloc(1, sizeof *s);
    memcpy(s->name, key, sizeof s->name);
    s->created_ms = now_ms;
    exc_model_touch(m, s);
    memmove(&m->servers[at + 1], &m->servers[at], (m->n_servers - at) * sizeof *m->servers);
    m->servers[at] = s;
    m->n_servers++;
    index_add(m, s);
    servers_moved(m);
    return s;
}

void exc_model_touch(exc_model *m, exc_server *s)
{
    s->stamp = ++m->stamp_seq;
    for (int k = 0; k < EXC_TOUCH_N; k++) {
        exc_touch_list *l = &m->touched[k];
        if (s->listed[k])
            continue;
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 64;
            l->v = exc_realloc(l->v, l->cap * sizeof *l->v);
        }
        l->v[l->n++] = s;
        s->listed[k] = true;
    }
}

uint64_t exc_model_take_touched(exc_model *m, int k)
{
    static atomic_uint_fast64_t token_seq;
    exc_touch_list *l = &m->touched[k];
    for (size_t i = 0; i < l->n; i++)
        l->v[i]->listed[k] = false;
    l->n = 0;
    l->moved = false;
    exc_model_number(m);   /* positions hold until the next add or remove */
    l->token = atomic_fetch_add(&token_seq, 1) + 1;
    return l->token;
}

bool exc_model_touched_since(const exc_model *m, int k, uint64_t token)
{
    return token != 0 && m->touched[k].token == token && !m->touched[k].moved && m->numbered;
}

void exc_model_number(exc_model *m)
{
    if (m->numbered)
        return;
    for (size_t i = 0; i < m->n_servers; i++)
        m->servers[i]->pos = i;
    m->numbered = true;
}

exc_server *exc_model_note_event(exc_model *m, const char *server, int64_t now_ms)
{
    exc_server *s = exc_model_get_or_add(m, server, now_ms);
    if (s)
        s->events++;
    return s;
}

bool exc_model_remove(exc_model *m, const char *name)
{
    char key[EXC_SERVER_BUF];
    if (!server_key(name, key))
        return false;
    ptrdiff_t i = server_search(m, key);
    if (i < 0)
        return false;
    exc_server *gone = m->servers[i];
    for (int k = 0; k < EXC_TOUCH_N; k++) {   /* no pointer to it may stay behind */
        exc_touch_list *l = &m->touched[k];
        for (size_t j = 0; gone->listed[k] && j < l->n; j++)
            if (l->v[j] == gone) {
                l->v[j] = l->v[--l->n];
                break;
            }
    }
    server_free(gone);
    memmove(&m->servers[i], &m->servers[i + 1],
            (m->n_servers - (size_t)i - 1) * sizeof *m->servers);
    m->n_servers--;
    index_rebuild(m, m->index_cap);
    servers_moved(m);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Children: looked up by name (name_search) in arrays sorted by it        */
/* (connectors, queues, COM ports).                                         */

static const char *mconn_name(const void *e) { return ((const exc_mconnector *)e)->c.name; }
static const char *mqueue_name(const void *e) { return ((const exc_mqueue *)e)->q.name; }
static const char *mport_name(const void *e) { return ((const exc_mcomport *)e)->p.name; }

const exc_mconnector *exc_server_connector(const exc_server *s, const char *name)
{
    if (s == NULL || name == NULL)
        return NULL;
    ptrdiff_t i = name_search(s->connectors, s->n_connectors, sizeof *s->connectors,
                               mconn_name, name);
    return i >= 0 ? &s->connectors[i] : NULL;
}

const exc_mqueue *exc_server_queue(const exc_server *s, const char *name)
{
    if (s == NULL || name == NULL)
        return NULL;
    ptrdiff_t i = name_search(s->queues, s->n_queues, sizeof *s->queues, mqueue_name, name);
    return i >= 0 ? &s->queues[i] : NULL;
}

const exc_mcomport *exc_server_comport(const exc_server *s, const char *name)
{
    if (s == NULL || name == NULL)
        return NULL;
    ptrdiff_t i = name_search(s->comports, s->n_comports, sizeof *s->comports, mport_name,
                               name);
    return i >= 0 ? &s->comports[i] : NULL;
}

const exc_mconnector *exc_server_connector_of_type(const exc_server *s, int type)
{
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < s->n_connectors; i++)
        if (s->connectors[i].c.type == type)
            return &s->connectors[i];
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Queue state                                                               */

static unsigned clamp_samples(unsigned k)
{
    if (k < 1)
        return 1;
    if (k > EXC_STALL_MAX)
        return EXC_STALL_MAX;
    return k;
}

bool exc_queue_stalled(const exc_mqueue *q, unsigned stall_samples)
{
    unsigned k = clamp_samples(stall_samples);
    const exc_qhist *h = &q->hist;
    if (h->n > EXC_STALL_MAX || h->n < k)
        return false;
    uint32_t first = h->n - k;
    for (uint32_t i = first; i < h->n; i++) {
        if (h->v[i] == 0)
            return false;
        if (i > first && h->v[i] < h->v[i - 1])
            return false;
    }
    return true;
}

int exc_queue_state(const exc_mqueue *q, unsigned stall_samples)
{
    if (!q->q.messages.known)
        return EXC_QS_UNKNOWN;
    if (q->q.messages.v == 0)
        return EXC_QS_EMPTY;
    if (exc_queue_stalled(q, stall_samples))
        return EXC_QS_STALLED;
    return EXC_QS_FLOWING;
}

/* Keep only the newest k samples (in place: v keeps its allocation). */
static void hist_trim(exc_qhist *h, unsigned k)
{
    if (h->n > k) {
        uint32_t drop = h->n - k;
        memmove(h->v, h->v + drop, k * sizeof h->v[0]);
        h->n = k;
    }
}

/* The history after a report with count v: prev's samples (its last one
 * replaced when the report has the same collected time), then v, the
 * newest k kept, in an allocation of its own. */
static exc_qhist hist_next(const exc_qhist *prev, uint32_t v, bool replace_last, unsigned k)
{
    exc_qhist h = {0, exc_calloc(k, sizeof *h.v)};
    uint32_t keep = prev ? prev->n : 0;
    if (keep > 0 && replace_last)
        keep--;
    if (keep > k - 1)
        keep = k - 1;
    if (keep > 0)
        memcpy(h.v, prev->v + (prev->n - (replace_last ? 1 : 0) - keep), keep * sizeof *h.v);
    h.v[keep] = v;
    h.n = keep + 1;
    return h;
}

/* ------------------------------------------------------------------------ */
/* Applying a report                                                         */

static int cmp_conn(const void *a, const void *b)
{
    return strcmp(((const exc_mconnector *)a)->c.name, ((const exc_mconnector *)b)->c.name);
}

static int cmp_queue(const void *a, const void *b)
{
    return strcmp(((const exc_mqueue *)a)->q.name, ((const exc_mqueue *)b)->q.name);
}

static int cmp_port(const void *a, const void *b)
{
    return strcmp(((const exc_mcomport *)a)->p.name, ((const exc_mcomport *)b)->p.name);
}

static bool opt32_eq(exc_opt_u32 a, exc_opt_u32 b)
{
    return a.known == b.known && (!a.known || a.v == b.v);
}

/* The fields a connector's health and alarms depend on. */
static bool conn_same_state(const exc_connector *a, const exc_connector *b)
{
    return a->type == b->type && a->state == b->state && opt32_eq(a->win32_exit, b->win32_exit) &&
           opt32_eq(a->service_exit, b->service_exit) && a->dirsync == b->dirsync &&
           a->queuefile == b->queuefile && a->link == b->link;
}

/* The rows of an accepted report, sorted by name, before they replace the
 * server's (the phases of exc_model_apply_report below). */
typedef struct new_rows {
    size_t nc, nq, np;
    exc_mconnector *conns;
    exc_mqueue *queues;
    exc_mcomport *ports;   /* claimants borrowed from the report until taken */
} new_rows;

/* A report collected before the last accepted one of its server is refused. */
static bool is_older(const exc_server *old, const exc_report *r, exc_err *err)
{
    if (!old || !old->reported || r->collected >= old->collected)
        return false;
    char a[32], b[32];
    exc_format_iso8601(r->collected, a, sizeof a);
    exc_format_iso8601(old->collected, b, sizeof b);
    exc_err_set(err, 0, "stale report: collected %s is older than the last accepted %s", a, b);
    return true;
}

/* Phase 1: the report's rows, copied and sorted (the model is not touched). */
static void rows_copy(new_rows *n, const exc_report *r)
{
    n->nc = r->n_connectors, n->nq = r->n_queues, n->np = r->n_comports;
    n->conns = n->nc ? exc_calloc(n->nc, sizeof *n->conns) : NULL;
    n->queues = n->nq ? exc_calloc(n->nq, sizeof *n->queues) : NULL;
    n->ports = n->np ? exc_calloc(n->np, sizeof *n->ports) : NULL;
    for (size_t i = 0; i < n->nc; i++)
        n->conns[i].c = r->connectors[i];
    for (size_t i = 0; i < n->nq; i++)
        n->queues[i].q = r->queues[i];
    for (size_t i = 0; i < n->np; i++)
        n->ports[i].p = r->comports[i];
    if (n->nc > 1)
        qsort(n->conns, n->nc, sizeof *n->conns, cmp_conn);
    if (n->nq > 1)
        qsort(n->queues, n->nq, sizeof *n->queues, cmp_queue);
    if (n->np > 1)
        qsort(n->ports, n->np, sizeof *n->ports, cmp_port);
}

/* Phase 2: two rows of one name make the report unacceptable (sorted, they
 * are neighbours); the copies are freed then, the claimants still the
 * report's. */
static bool rows_unique(new_rows *n, exc_err *err)
{
    const char *what = NULL, *name = NULL;
    for (size_t i = 1; i < n->nc && !what; i++)
        if (strcmp(n->conns[i - 1].c.name, n->conns[i].c.name) == 0)
            what = "connector", name = n->conns[i].c.name;
    for (size_t i = 1; i < n->nq && !what; i++)
        if (strcmp(n->queues[i - 1].q.name, n->queues[i].q.name) == 0)
            what = "queue", name = n->queues[i].q.name;
    for (size_t i = 1; i < n->np && !what; i++)
        if (strcmp(n->ports[i - 1].p.name, n->ports[i].p.name) == 0)
            what = "COM port", name = n->ports[i].p.name;
    if (!what)
        return true;
    exc_err_set(err, 0, "duplicate %s name \"%s\"", what, name);
    free(n->conns);
    free(n->queues);
    free(n->ports);
    return false;
}

/* Phase 3: what the new rows carry on from the server's current ones: a
 * connector's last change and published health, a queue's sample history
 * (a report of the same collection time is the same sample again), a COM
 * port's conflict start. */
static void rows_carry_on(new_rows *n, const exc_server *s, const exc_report *r,
                          unsigned stall_samples, int64_t now_ms)
{
    for (size_t i = 0; i < n->nc; i++) {
        const exc_mconnector *prev = exc_server_connector(s, n->conns[i].c.name);
        n->conns[i].last_change_ms =
            prev && conn_same_state(&prev->c, &n->conns[i].c) ? prev->last_change_ms : now_ms;
        n->conns[i].health = prev ? prev->health : 0;
    }
    bool same_collected = s->reported && r->collected == s->collected;
    unsigned k = clamp_samples(stall_samples);
    for (size_t i = 0; i < n->nq; i++) {
        exc_mqueue *q = &n->queues[i];
        const exc_mqueue *prev = exc_server_queue(s, q->q.name);
        memset(&q->hist, 0, sizeof q->hist);
        if (!q->q.messages.known)
            continue;
        bool continues = prev && prev->q.messages.known && prev->hist.n > 0 &&
                         prev->hist.n <= EXC_STALL_MAX;
        q->hist = hist_next(continues ? &prev->hist : NULL, q->q.messages.v, same_collected, k);
    }
    for (size_t i = 0; i < n->np; i++) {
        exc_mcomport *p = &n->ports[i];
        const exc_mcomport *prev =
            p->p.n_claimants >= 2 ? exc_server_comport(s, p->p.name) : NULL;
        bool continues = prev && prev->p.n_claimants >= 2 && prev->conflict_since_ms != 0;
        p->conflict_since_ms = p->p.n_claimants < 2 ? 0
                               : continues           ? prev->conflict_since_ms
                                                     : now_ms;
    }
}

/* A report's name field into the model's (both EXC_NAME_BUF). */
static void copy_name(char dst[EXC_NAME_BUF], const char src[EXC_NAME_BUF])
{
    memcpy(dst, src, EXC_NAME_BUF);
    dst[EXC_NAME_BUF - 1] = '\0';
}

/* Phase 4, the commit: the server drops its rows and takes the new ones
 * (and the claimant arrays from the report, which keeps no rows); then the
 * report's own fields. */
static void rows_take(exc_server *s, new_rows *n, exc_report *r, int64_t now_ms)
{
    free(s->connectors);
    free_queues(s->queues, s->n_queues);
    free_comports(s->comports, s->n_comports);
    s->connectors = n->conns, s->n_connectors = n->nc;
    s->queues = n->queues, s->n_queues = n->nq;
    s->comports = n->ports, s->n_comports = n->np;

    free(r->connectors);
    free(r->queues);
    free(r->comports);
    r->connectors = NULL, r->n_connectors = 0;
    r->queues = NULL, r->n_queues = 0;
    r->comports = NULL, r->n_comports = 0;

    copy_name(s->site, r->site);
    copy_name(s->exchange_version, r->exchange_version);
    copy_name(s->mta_version, r->mta_version);
    s->reported = true;
    s->collected = r->collected;
    s->received_ms = now_ms;
}

bool exc_model_apply_report(exc_model *m, exc_report *r, int64_t now_ms, exc_err *err)
{
    if (!exc_model_admit_report(m, r, now_ms, err))
        return false;
    if (r->kind == EXC_REC_STATUS)
        return exc_model_apply_status(m, r, now_ms, err);
    if (r->kind == EXC_REC_FORGET)
        return exc_model_apply_forget(m, r, err);
    char key[EXC_SERVER_BUF];
    if (!server_key(r->server, key)) {
        exc_err_set(err, 0, "report has no valid server name");
        return false;
    }
    exc_server *old = exc_model_find(m, key);
    if (is_older(old, r, err))
        return false;
    /* nothing in the model changes until the report is known acceptable */
    new_rows n;
    rows_copy(&n, r);
    if (!rows_unique(&n, err))
        return false;
    exc_server *s = old ? old : exc_model_get_or_add(m, key, now_ms);
    exc_model_touch(m, s);
    rows_carry_on(&n, s, r, m->stall_samples, now_ms);
    rows_take(s, &n, r, now_ms);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Persistence                                                               */
/*
 * mctr <reports_accepted> <reports_rejected> <events_accepted> <events_rejected>
 * srv  <server> <site> <exchangeVersion> <mtaVersion> <reported 0|1> <collected s>
 *      <received_ms> <created_ms> <events>
 * con  <server> <name> <type> <service> <state> <w32 known 0|1> <w32> <svc known 0|1> <svc>
 *      <comPort> <dirSync> <queueFile> <remoteSite> <link> <last_change_ms>
 * que  <server> <name> <connector> <kind> <messages known> <messages> <bytes known> <bytes>
 *      <oldestAge known> <oldestAge> <hist n> <v1> ... <vn>
 * com  <server> <port> <conflict_since_ms>
 * clm  <server> <port> <kind> <name>          (one per claimant, in order)
 * cst  <server> <collectStatus> <collected s> <error>
 *      (the last collection status, only when one was received)
 *
 * Enumerations are stored as their MIB numbers.  Children carry their
 * server's name, so records may come in any order; a child before its
 * server's srv record creates the server, which srv then fills in.
 */

#define TAG_CTR "mctr"
#define TAG_SRV "srv"
#define TAG_CON "con"
#define TAG_QUE "que"
#define TAG_COM "com"
#define TAG_CLM "clm"
#define TAG_CST "cst"

/* Each record's fields after its tag (and, in a child record, after its
 * server's name), listed once for the writer and the reader. */
static const exc_sf_field ctr_fields[] = {
    EXC_SF_F_U64(exc_model, reports_accepted), EXC_SF_F_U64(exc_model, reports_rejected),
    EXC_SF_F_U64(exc_model, events_accepted), EXC_SF_F_U64(exc_model, events_rejected),
};
/* the name first: applying a loaded srv record skips it (the server found
 * or created by that name keeps its own) */
static const exc_sf_field srv_fields[] = {
    EXC_SF_F_NAME(exc_server, name),       EXC_SF_F_STR(exc_server, site),
    EXC_SF_F_STR(exc_server, exchange_version), EXC_SF_F_STR(exc_server, mta_version),
    EXC_SF_F_BOOL(exc_server, reported),   EXC_SF_F_I64(exc_server, collected),
    EXC_SF_F_I64(exc_server, received_ms), EXC_SF_F_I64(exc_server, created_ms),
    EXC_SF_F_U64(exc_server, events),
};
static const exc_sf_field cst_fields[] = {
    EXC_SF_F_ENUM(exc_server, collect_status, exc_collect_status_name),
    EXC_SF_F_I64(exc_server, collect_time), EXC_SF_F_STR(exc_server, collect_error),
};
static const exc_sf_field con_fields[] = {
    EXC_SF_F_NAME(exc_mconnector, c.name),
    EXC_SF_F_ENUM(exc_mconnector, c.type, exc_conn_type_name),
    EXC_SF_F_STR(exc_mconnector, c.service),
    EXC_SF_F_ENUM(exc_mconnector, c.state, exc_svc_state_name),
    EXC_SF_F_OPT32(exc_mconnector, c.win32_exit), EXC_SF_F_OPT32(exc_mconnector, c.service_exit),
    EXC_SF_F_STR(exc_mconnector, c.com_port),
    EXC_SF_F_ENUM(exc_mconnector, c.dirsync, exc_dirsync_name),
    EXC_SF_F_ENUM(exc_mconnector, c.queuefile, exc_queuefile_name),
    EXC_SF_F_STR(exc_mconnector, c.remote_site),
    EXC_SF_F_ENUM(exc_mconnector, c.link, exc_link_name),
    EXC_SF_F_I64(exc_mconnector, last_change_ms),
};
/* then <hist n> <v1> ... <vn> */
static const exc_sf_field que_fields[] = {
    EXC_SF_F_NAME(exc_mqueue, q.name), EXC_SF_F_STR(exc_mqueue, q.connector),
    EXC_SF_F_ENUM(exc_mqueue, q.kind, exc_queue_kind_name),
    EXC_SF_F_OPT32(exc_mqueue, q.messages), EXC_SF_F_OPT64(exc_mqueue, q.bytes),
    EXC_SF_F_OPT32(exc_mqueue, q.oldest_age),
};
/* com and clm: after the server's name, the port's */
static const exc_sf_field com_fields[] = {
    EXC_SF_F_I64(exc_mcomport, conflict_since_ms),
};
static const exc_sf_field clm_fields[] = {
    EXC_SF_F_ENUM(exc_claimant, kind, exc_claimant_kind_name), EXC_SF_F_NAME(exc_claimant, name),
};

#define PUT(w, rec, table) exc_sf_put_fields((w), (rec), (table), EXC_SF_NFIELDS(table))
#define GET(r, rec, table) exc_sf_get_fields((r), (rec), (table), EXC_SF_NFIELDS(table))

/* Starts a record of server s's: its tag and s's name. */
static void begin_child(exc_sf_writer *w, const char *tag, const exc_server *s)
{
    exc_sf_begin(w, tag);
    exc_sf_str(w, s->name);
}

void exc_model_save_counters(const exc_model *m, exc_sf_writer *w)
{
    exc_sf_begin(w, TAG_CTR);
    PUT(w, m, ctr_fields);
    exc_sf_end(w);
}

void exc_model_save_server(const exc_server *s, exc_sf_writer *w)
{
    exc_sf_begin(w, TAG_SRV);
    PUT(w, s, srv_fields);
    exc_sf_end(w);
    if (s->collect_status != 0) {
        begin_child(w, TAG_CST, s);
        PUT(w, s, cst_fields);
        exc_sf_end(w);
    }

    for (size_t j = 0; j < s->n_connectors; j++) {
        begin_child(w, TAG_CON, s);
        PUT(w, &s->connectors[j], con_fields);
        exc_sf_end(w);
    }
    for (size_t j = 0; j < s->n_queues; j++) {
        const exc_mqueue *mq = &s->queues[j];
        begin_child(w, TAG_QUE, s);
        PUT(w, mq, que_fields);
        uint32_t n = mq->hist.n <= EXC_STALL_MAX ? mq->hist.n : EXC_STALL_MAX;
        exc_sf_u64(w, n);
        for (uint32_t h = 0; h < n; h++)
            exc_sf_u64(w, mq->hist.v[h]);
        exc_sf_end(w);
    }
    for (size_t j = 0; j < s->n_comports; j++) {
        const exc_mcomport *mp = &s->comports[j];
        begin_child(w, TAG_COM, s);
        exc_sf_str(w, mp->p.name);
        PUT(w, mp, com_fields);
        exc_sf_end(w);
        for (size_t c = 0; c < mp->p.n_claimants; c++) {
            begin_child(w, TAG_CLM, s);
            exc_sf_str(w, mp->p.name);
            PUT(w, &mp->p.claimants[c], clm_fields);
            exc_sf_end(w);
        }
    }
}

void exc_model_save(const exc_model *m, exc_sf_writer *w)
{
    exc_model_save_counters(m, w);
    for (size_t i = 0; i < m->n_servers; i++)
        exc_model_save_server(m->servers[i], w);
}

/* ---- loading: each marks r->bad on anything out of range ---- */

/* A non-empty name that fits cap. */
static void get_name(exc_sf_reader *r, char *dst, size_t cap)
{
    exc_sf_get_str(r, dst, cap);
    if (dst[0] == '\0')
        r->bad = true;
}

/* The server a child record belongs to (created if not yet seen: its srv
 * record may come later in a hand-edited file). */
static exc_server *record_server(exc_model *m, exc_sf_reader *r, const char *name)
{
    exc_server *s = exc_model_get_or_add(m, name, 0);
    if (s == NULL)
        r->bad = true;
    return s;
}

/* The server a whole child record belongs to, NULL when the record is bad. */
static exc_server *record_owner(exc_model *m, exc_sf_reader *r, const char *name)
{
    return exc_sf_at_end(r) ? record_server(m, r, name) : NULL;
}

/* Insert or find an element in a name-sorted array (base, *n elements of
 * size).  Returns the (possibly moved) array; *idx is the element's index,
 * *existed whether it was there already (a new one is zeroed). */
static void *child_insert(void *base, size_t *n, size_t size, name_fn name_of, const char *name,
                          size_t *idx, bool *existed)
{
    ptrdiff_t i = name_search(base, *n, size, name_of, name);
    if (i >= 0) {
        *existed = true;
        *idx = (size_t)i;
        return base;
    }
    *existed = false;
    size_t at = (size_t)(-i - 1);
    /* grow by one: loading happens once at start-up and arrays are small */
    char *b = exc_realloc(base, (*n + 1) * size);
    memmove(b + (at + 1) * size, b + at * size, (*n - at) * size);
    memset(b + at * size, 0, size);
    (*n)++;
    *idx = at;
    return b;
}

static void load_ctr(exc_model *m, exc_sf_reader *r)
{
    exc_model t;
    if (EXC_SF_GET_RECORD(r, &t, ctr_fields))
        exc_sf_copy_fields(m, &t, ctr_fields, EXC_SF_NFIELDS(ctr_fields));
}

static void load_srv(exc_model *m, exc_sf_reader *r)
{
    exc_server t;
    if (!EXC_SF_GET_RECORD(r, &t, srv_fields))
        return;
    exc_server *s = exc_model_get_or_add(m, t.name, t.created_ms);
    if (s == NULL) {
        r->bad = true;
        return;
    }
    exc_sf_copy_fields(s, &t, srv_fields + 1, EXC_SF_NFIELDS(srv_fields) - 1);
}

/* A child record as read: its server's name, a port's (com, clm), its
 * fields and a queue's history (que). */
typedef struct child_rec {
    char server[EXC_SERVER_BUF];
    char port[EXC_PORT_BUF];
    union {
        exc_mconnector mc;
        exc_mqueue mq;
        exc_mcomport mp;
        exc_claimant c;
        exc_server s;
    } u;
    uint64_t hist_n;
    uint32_t hist_v[EXC_STALL_MAX];
} child_rec;

/* que: <hist n> <v1> ... <vn> after the fields */
static void read_hist(exc_sf_reader *r, child_rec *t)
{
    uint64_t n = exc_sf_get_u64(r);
    if (n > EXC_STALL_MAX) {
        r->bad = true;
        return;
    }
    for (uint64_t i = 0; i < n && !r->bad; i++)
        t->hist_v[i] = exc_sf_get_u32(r);
    /* a history ends with the current count, and exists only when it is known */
    const exc_opt_u32 *cur = &t->u.mq.q.messages;
    if (n > 0 && (!cur->known || t->hist_v[n - 1] != cur->v))
        r->bad = true;
    t->hist_n = n;
}

static void apply_con(exc_model *m, exc_server *s, child_rec *t)
{
    (void)m;
    bool existed;
    size_t at;
    s->connectors = child_insert(s->connectors, &s->n_connectors, sizeof *s->connectors,
                                 mconn_name, t->u.mc.c.name, &at, &existed);
    s->connectors[at] = t->u.mc;
}

static void apply_que(exc_model *m, exc_server *s, child_rec *t)
{
    exc_mqueue mq = t->u.mq;
    uint64_t n = t->hist_n;
    if (n > 0) {
        mq.hist.v = exc_calloc(n, sizeof *mq.hist.v);
        memcpy(mq.hist.v, t->hist_v, n * sizeof *t->hist_v);
        mq.hist.n = (uint32_t)n;
        hist_trim(&mq.hist, clamp_samples(m->stall_samples));
    }
    bool existed;
    size_t at;
    s->queues = child_insert(s->queues, &s->n_queues, sizeof *s->queues, mqueue_name,
                             mq.q.name, &at, &existed);
    if (existed)
        free(s->queues[at].hist.v);
    s->queues[at] = mq;
}

static exc_mcomport *port_slot(exc_server *s, const char *name)
{
    bool existed;
    size_t at;
    s->comports = child_insert(s->comports, &s->n_comports, sizeof *s->comports, mport_name,
                               name, &at, &existed);
    exc_mcomport *p = &s->comports[at];
    if (!existed)
        exc_utf8_copy(p->p.name, sizeof p->p.name, name);
    return p;
}

/* com: a conflict cannot have begun before the epoch */
static void check_since(exc_sf_reader *r, child_rec *t)
{
    if (t->u.mp.conflict_since_ms < 0)
        r->bad = true;
}

static void apply_com(exc_model *m, exc_server *s, child_rec *t)
{
    (void)m;
    port_slot(s, t->port)->conflict_since_ms = t->u.mp.conflict_since_ms;
}

static void apply_clm(exc_model *m, exc_server *s, child_rec *t)
{
    (void)m;
    exc_mcomport *p = port_slot(s, t->port);
    p->p.claimants =
        exc_realloc(p->p.claimants, (p->p.n_claimants + 1) * sizeof *p->p.claimants);
    p->p.claimants[p->p.n_claimants++] = t->u.c;
}

static void apply_cst(exc_model *m, exc_server *s, child_rec *t)
{
    (void)m;
    exc_sf_copy_fields(s, &t->u.s, cst_fields, EXC_SF_NFIELDS(cst_fields));
}

/* The records of a server's parts; each is applied only once read whole. */
static const struct child_kind {
    const char *tag;
    bool port;                                   /* a port's name follows the server's */
    const exc_sf_field *fields;
    size_t n_fields;
    void (*tail)(exc_sf_reader *r, child_rec *t); /* what follows the fields */
    void (*apply)(exc_model *m, exc_server *s, child_rec *t);
} child_kinds[] = {
#define CHILD(tag, port, table, tail, apply) { tag, port, table, EXC_SF_NFIELDS(table), tail, apply }
    CHILD(TAG_CON, false, con_fields, NULL, apply_con),
    CHILD(TAG_QUE, false, que_fields, read_hist, apply_que),
    CHILD(TAG_COM, true, com_fields, check_since, apply_com),
    CHILD(TAG_CLM, true, clm_fields, NULL, apply_clm),
    CHILD(TAG_CST, false, cst_fields, NULL, apply_cst),
#undef CHILD
};

static void load_child(exc_model *m, exc_sf_reader *r, const struct child_kind *k)
{
    child_rec t;
    memset(&t, 0, sizeof t);
    get_name(r, t.server, sizeof t.server);
    if (k->port)
        get_name(r, t.port, sizeof t.port);
    exc_sf_get_fields(r, &t.u, k->fields, k->n_fields);
    if (k->tail != NULL)
        k->tail(r, &t);
    exc_server *s = record_owner(m, r, t.server);
    if (s != NULL)
        k->apply(m, s, &t);
}

bool exc_model_load_record(exc_model *m, const char *tag, exc_sf_reader *r)
{
    if (strcmp(tag, TAG_SRV) == 0) {
        load_srv(m, r);
        return true;
    }
    if (strcmp(tag, TAG_CTR) == 0) {
        load_ctr(m, r);
        return true;
    }
    for (size_t i = 0; i < sizeof child_kinds / sizeof child_kinds[0]; i++) {
        if (strcmp(tag, child_kinds[i].tag) == 0) {
            load_child(m, r, &child_kinds[i]);
            return true;
        }
    }
    return false;
}
