#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "mib_oids.h"
#include "feed.h"

#define MAX_TABLES 8
#define EXC_TABLE_CONTAINER_HANDLER "table_container"

typedef struct exc_row {
    netsnmp_index idx;       /* first: the container's key */
    const void *data;
} exc_row;

typedef struct exc_table {
    const exc_table_def *def;
    oid oid[MAX_OID_LEN];
    size_t oid_len;
    netsnmp_handler_registration *reg;
    netsnmp_container *container;
    netsnmp_table_registration_info *info;   /* ours to free: the table helper does not */
    exc_row *rows;               /* in the snapshot's order (the container sorts pointers) */
    size_t n_rows;
    oid *pool;
    const exc_snapshot *loaded;   /* the snapshot the rows point into; NULL = stale */
    /* per server of the loaded snapshot (repoint): the stamp and the
     * generation of its part (which together name the part), its first
     * row and row count */
    size_t n_srv;
    uint64_t *stamps, *built;
    size_t *firsts, *counts;
} exc_table;

static exc_table tables[MAX_TABLES];
static size_t n_tables;

static void drop_rows(exc_table *t)
{
    if (t->container)
        CONTAINER_CLEAR(t->container, NULL, NULL);
    free(t->rows);
    free(t->pool);
    free(t->stamps);
    free(t->built);
    free(t->firsts);
    free(t->counts);
    t->rows = NULL;
    t->pool = NULL;
    t->stamps = t->built = NULL;
    t->firsts = t->counts = NULL;
    t->n_rows = t->n_srv = 0;
    t->loaded = NULL;
}

/* Row j of part p in a per-server table, and how many the part has. */
static const void *part_row(const exc_table_def *d, const exc_snap_part *p, size_t j)
{
    if (d->layout == EXC_TBL_SERVERS)
        return &p->server;
    return exc_snap_part_row(p, d->which, j);
}

static size_t part_rows(const exc_table_def *d, const exc_snap_part *p)
{
    if (d->layout == EXC_TBL_SERVERS)
        return 1;
    return exc_snap_part_rows(p, d->which);
}

size_t exc_table_row_count(const exc_table_def *d, const exc_snapshot *s)
{
    size_t n = 0;
    if (d->layout == EXC_TBL_WHOLE)
        n = d->count(s);
    else if (d->layout == EXC_TBL_SERVERS)
        n = s->n_servers;
    else
        switch (d->which) {
        case EXC_SNAP_CONNECTORS: n = s->n_connectors; break;
        case EXC_SNAP_QUEUES: n = s->n_queues; break;
        case EXC_SNAP_COMPORTS: n = s->n_comports; break;
        default: n = s->n_claimants; break;
        }
    return n;
}

const void *exc_table_next_row(const exc_table_def *d, const exc_snapshot *s, exc_row_cursor *c)
{
    if (d->layout == EXC_TBL_WHOLE)
        return c->i < d->count(s) ? d->row(s, c->i++) : NULL;
    while (c->server < s->n_servers && c->j >= part_rows(d, s->parts[c->server])) {
        c->server++;
        c->j = 0;
    }
    if (c->server >= s->n_servers)
        return NULL;
    return part_row(d, s->parts[c->server], c->j++);
}

/* Remember each server's part and rows (after a full load). */
static int remember_servers(exc_table *t, const exc_snapshot *s)
{
    if (t->def->layout == EXC_TBL_WHOLE || s->n_servers == 0)
        return 0;
    size_t n = s->n_servers;
    t->stamps = malloc(n * sizeof *t->stamps);
    t->built = malloc(n * sizeof *t->built);
    t->firsts = malloc(n * sizeof *t->firsts);
    t->counts = malloc(n * sizeof *t->counts);
    if (!t->stamps || !t->built || !t->firsts || !t->counts)
        return -1;
    size_t first = 0;
    for (size_t i = 0; i < n; i++) {
        t->stamps[i] = s->stamps[i];
        t->built[i] = s->builts[i];
        t->firsts[i] = first;
        first += t->counts[i] = part_rows(t->def, s->parts[i]);
    }
    t->n_srv = n;
    return 0;
}

/* Performance (issue 14): a new snapshot usually shares all but a few
 * servers' parts with the loaded one.  A part is named by its server's
 * stamp and the generation that built it: where both are the ones loaded,
 * it is the very part the rows already point into (alive: the new snapshot
 * holds it), so nothing is done for that server -- one comparison per
 * server, no walk of the rows.  The rows of a new part are pointed at it
 * and their index encoded again and compared; any difference (a row more
 * or less, a queue renamed, a server replaced, the servers not the same)
 * falls back to a full load.  Contents are read from the snapshot at each
 * GET, so a repointed row answers the new values. */
static bool repoint_rows(exc_table *t, const exc_snapshot *s)
{
    if (t->def->layout == EXC_TBL_WHOLE || !t->rows || s->n_servers != t->n_srv)
        return false;
    oid scratch[MAX_OID_LEN];
    for (size_t i = 0; i < s->n_servers; i++) {
        /* contiguous arrays, no read of the part (a cache miss a server) */
        if (s->stamps[i] == t->stamps[i] && s->builts[i] == t->built[i])
            continue;
        const exc_snap_part *p = s->parts[i];
        size_t count = part_rows(t->def, p);
        if (count != t->counts[i])
            return false;
        for (size_t j = 0; j < count; j++) {
            exc_row *r = &t->rows[t->firsts[i] + j];
            r->data = part_row(t->def, p, j);
            size_t len = t->def->index(r->data, scratch, MAX_OID_LEN);
            if (len != r->idx.len || memcmp(scratch, r->idx.oids, len * sizeof *scratch) != 0)
                return false;
        }
        t->stamps[i] = s->stamps[i];
        t->built[i] = s->builts[i];
    }
    t->loaded = s;
    return true;
}

/* Fill the container from the current snapshot. */
static int load_rows(exc_table *t)
{
    const exc_snapshot *s = exc_agent_snapshot();
    if (s && repoint_rows(t, s))
        return 0;
    drop_rows(t);
    if (!s)
        return 0;
    size_t n = exc_table_row_count(t->def, s);
    if (n == 0) {
        t->loaded = s;
        return 0;
    }
    /* one index buffer for the whole table, sized by a first pass */
    oid scratch[MAX_OID_LEN];
    size_t total = 0;
    exc_row_cursor c = {0, 0, 0};
    for (const void *row; (row = exc_table_next_row(t->def, s, &c)) != NULL;)
        total += t->def->index(row, scratch, MAX_OID_LEN);
    t->rows = calloc(n, sizeof *t->rows);
    t->pool = calloc(total ? total : 1, sizeof *t->pool);
    t->n_rows = n;
    if (!t->rows || !t->pool || remember_servers(t, s) != 0) {
        snmp_log(LOG_ERR, "exconn: out of memory loading %s\n", t->def->name);
        drop_rows(t);
        return -1;
    }
    oid *p = t->pool;
    c = (exc_row_cursor){0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        exc_row *r = &t->rows[i];
        r->data = exc_table_next_row(t->def, s, &c);
        r->idx.oids = p;
        r->idx.len = t->def->index(r->data, p, MAX_OID_LEN);
        p += r->idx.len;
        if (CONTAINER_INSERT(t->container, r) != 0) {
            snmp_log(LOG_ERR, "exconn: %s: cannot insert row %zu\n", t->def->name, i);
            drop_rows(t);
            return -1;
        }
    }
    t->loaded = s;
    DEBUGMSGTL((EXC_DEBUG_TOKEN "/table", "%s: loaded %zu rows (generation %llu)\n",
                t->def->name, n, (unsigned long long)s->generation));
    return 0;
}

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)reg;
    exc_table *t = handler->myvoid;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;   /* read-only: the table helpers refuse SETs */
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        if (req->processed)
            continue;
        exc_row *row = netsnmp_container_table_row_extract(req);
        netsnmp_table_request_info *ti = netsnmp_extract_table_info(req);
        exc_val v;
        memset(&v, 0, sizeof v);
        if (!row || !ti || !exc_table_column(t->def, row->data, ti->colnum, &v)) {
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
            continue;
        }
        exc_val_set(req->requestvb, &v);
    }
    return SNMP_ERR_NOERROR;
}

/* The handler in front of table_container (performance: this is on the path
 * of every varbind of a walk, so it stays a few comparisons).
 *
 * 1. Lazy reload: the first request after a new snapshot (re)fills the
 *    container from it.  (This used to be a netsnmp_cache handler; its
 *    per-request bookkeeping -- a sprintf'ed key and an allocation in the
 *    request info for every varbind -- cost more than the rest of our code
 *    together, and reloads here are driven by snapshots, never by time.)
 * 2. Columns a report left out (a queue's byte count, say) have no instance.
 *    table_container turns a GETNEXT into a GET of the next row; when that
 *    row lacks the column, ask the agent to retry from there
 *    (ASN_PRIV_RETRY), so a walk steps over the hole instead of stopping.
 *    (Net-SNMP's sparse-table helper does this for the plain table helper
 *    but calls no handler below it, so it cannot sit above table_container.) */
static int front_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    exc_table *t = handler->myvoid;
    if (t->loaded != exc_agent_snapshot() && load_rows(t) != 0) {
        netsnmp_request_set_error_all(requests, SNMP_ERR_GENERR);
        return SNMP_ERR_NOERROR;
    }
    int rc = netsnmp_call_next_handler(handler, reg, reqinfo, requests);
    if (reqinfo->mode != MODE_GETNEXT)
        return rc;
    for (netsnmp_request_info *req = requests; req; req = req->next)
        if (!req->delegated && req->requestvb->type == SNMP_NOSUCHINSTANCE)
            req->requestvb->type = ASN_PRIV_RETRY;
    return rc;
}

/* The table's INDEX types and column range, for the table helper. */
static netsnmp_table_registration_info *table_info(const exc_table_def *def)
{
    netsnmp_table_registration_info *info = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
    if (!info)
        return NULL;
    for (unsigned i = 0; i < def->n_index; i++)
        netsnmp_table_helper_add_index(info, def->index_type[i]);
    info->min_column = exc_table_min_col(def);
    info->max_column = exc_table_max_col(def);
    return info;
}

/* The one cleanup path of exc_table_register: whatever of t it had built
 * (front and info while not yet handed to Net-SNMP). */
static void table_undo(exc_table *t, netsnmp_mib_handler *front,
                       netsnmp_table_registration_info *info)
{
    snmp_log(LOG_ERR, "exconn: cannot register %s\n", t->def->name);
    if (front)
        netsnmp_handler_free(front);
    if (info)
        netsnmp_table_registration_info_free(info);
    if (t->info)
        netsnmp_table_registration_info_free(t->info);
    if (t->reg) {
        netsnmp_handler_registration_free(t->reg);
        if (t->container)
            CONTAINER_FREE(t->container);
    }
    memset(t, 0, sizeof *t);
}

/* Each Net-SNMP step in order, each checked, one cleanup path (table_undo),
 * as mib2c.container.conf's output does: longer than most, on purpose. */
int exc_table_register(const exc_table_def *def)
{
    static const oid objects[] = {EXC_OBJECTS};
    if (n_tables == MAX_TABLES)
        return SNMPERR_GENERR;
    exc_table *t = &tables[n_tables];
    memset(t, 0, sizeof *t);
    t->def = def;
    memcpy(t->oid, objects, sizeof objects);
    t->oid_len = OID_LENGTH(objects);
    t->oid[t->oid_len++] = def->table;

    netsnmp_table_registration_info *info = NULL;
    netsnmp_mib_handler *front = NULL;
    int rc = SNMPERR_GENERR;

    t->reg = netsnmp_create_handler_registration(def->name, table_handler, t->oid, t->oid_len,
                                                 HANDLER_CAN_RONLY);
    if (!t->reg)
        goto fail;
    t->reg->handler->myvoid = t;
    info = table_info(def);
    if (!info)
        goto fail;

    t->container = netsnmp_container_find("exconn_table:table_container");
    if (!t->container)
        goto fail;
    /* rows are unique by construction; skipping the duplicate check keeps a
     * reload linear (binary_array would sort on every insert otherwise) */
    CONTAINER_SET_OPTIONS(t->container, CONTAINER_KEY_ALLOW_DUPLICATES, rc);
    rc = SNMPERR_GENERR;

    front = netsnmp_create_handler("exconn_table_front", front_handler);
    if (!front)
        goto fail;
    front->myvoid = t;

    /* chain: table -> exconn_table_front -> table_container -> table_handler */
    rc = netsnmp_container_table_register(t->reg, info, t->container,
                                          TABLE_CONTAINER_KEY_NETSNMP_INDEX);
    if (rc != SNMPERR_SUCCESS) {
        info = NULL;   /* freed with the failed registration */
        t->reg = NULL;
        goto fail;
    }
    /* used by the registration, but never freed by Net-SNMP's table helper
     * (valgrind: definitely lost at shutdown): exc_tables_shutdown frees it */
    t->info = info;
    info = NULL;
    rc = netsnmp_inject_handler_before(t->reg, front, EXC_TABLE_CONTAINER_HANDLER);
    if (rc != SNMPERR_SUCCESS) {
        netsnmp_unregister_handler(t->reg);
        t->reg = NULL;
        t->container = NULL;
        goto fail;
    }
    front = NULL;
    n_tables++;
    DEBUGMSGTL((EXC_DEBUG_TOKEN "/table", "registered %s\n", def->name));
    return SNMPERR_SUCCESS;

fail:
    table_undo(t, front, info);
    return rc != SNMPERR_SUCCESS ? rc : SNMPERR_GENERR;
}

void exc_tables_invalidate(void)
{
    /* Rows are never read from a freed snapshot (see exc_feed): tables that
     * reload whole drop them now; per-server tables keep their rows and
     * index (no row is read before the front handler repoints or reloads
     * them: loaded is NULL, which no snapshot is). */
    for (size_t i = 0; i < n_tables; i++) {
        if (tables[i].def->layout == EXC_TBL_WHOLE)
            drop_rows(&tables[i]);
        else
            tables[i].loaded = NULL;
    }
}

void exc_tables_shutdown(void)
{
    for (size_t i = 0; i < n_tables; i++) {
        drop_rows(&tables[i]);
        if (tables[i].reg)
            netsnmp_unregister_handler(tables[i].reg);
        if (tables[i].info)
            netsnmp_table_registration_info_free(tables[i].info);
        tables[i].info = NULL;
    }
    n_tables = 0;
}
