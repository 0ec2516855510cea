/* An immutable picture of everything the MIB shows, built by the worker
 * thread after each committed change and handed to the agent thread, which
 * serves GETs and builds notifications from it alone.  Rows are copies, so
 * the worker may change its model the moment the snapshot is built.
 *
 * Performance (issue 14): a server's rows live in an exc_snap_part, which
 * is immutable once built and shared, reference-counted, by every snapshot
 * in which the server did not change (same model stamp, same alarms on it,
 * same stallSamples).  A snapshot holds an array of its parts (in server
 * order; the tables read the rows from them), so building one costs the
 * servers that changed plus a pointer per server.  Snapshots are reference-counted: the
 * worker keeps the last one it built to share its parts with the next.
 * Parts are not: a part replaced in a new snapshot is freed once every
 * older snapshot is (snapshot.c, "lineage"), so neither a build nor a free
 * visits the parts that did not change. */
#ifndef EXC_SNAPSHOT_H
#define EXC_SNAPSHOT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "alarms.h"
#include "kb.h"
#include "model.h"
#include "report.h"

typedef enum { EXC_SS_OK = 1, EXC_SS_DEGRADED, EXC_SS_FAILED, EXC_SS_STALE,
               EXC_SS_UNKNOWN } exc_server_status;
typedef enum { EXC_CH_OK = 1, EXC_CH_DEGRADED, EXC_CH_FAILED, EXC_CH_UNKNOWN } exc_conn_health;

typedef struct exc_snap_server {
    char name[EXC_SERVER_BUF];
    char site[EXC_NAME_BUF];
    char exchange_version[EXC_NAME_BUF];
    char mta_version[EXC_NAME_BUF];
    bool reported;
    int64_t collected;          /* epoch s of the last report (when reported) */
    int64_t received_ms;        /* wall ms it was accepted (ReportAge counts from here) */
    int status;                 /* exc_server_status */
    uint32_t alarms;            /* active alarms on the server */
    int collect_status;         /* exc_collect_status; 0 = no status record yet */
    int64_t collect_time;       /* epoch s of the collector's last poll attempt */
    char collect_error[EXC_TEXT_BUF];
    /* Change tracking (issue 14): the model's stamp of this server (equal in
     * two snapshots = same server, same rows, same names).  Lets the agent's
     * tables keep their index when only row contents changed (table.c). */
    uint64_t stamp;
} exc_snap_server;

/* Memory: the rows below name their server through a pointer to its
 * exc_snap_server's name (same snapshot, never moved) rather than a copy of
 * EXC_SERVER_BUF octets each (docs/performance.md "Memory per row"). */

typedef struct exc_snap_connector {
    const char *server;         /* its exc_snap_server's name */
    exc_connector c;
    int health;                 /* exc_conn_health */
    char kb_article[EXC_ARTICLE_BUF];   /* most severe active article on it, "" */
    int64_t last_change_ms;
} exc_snap_connector;

typedef struct exc_snap_comport {
    const char *server;         /* its exc_snap_server's name */
    char name[EXC_PORT_BUF];
    uint32_t claimants;
    int conflict;               /* 1 none, 2 conflict */
    int64_t conflict_since_ms;  /* 0 = none */
} exc_snap_comport;

typedef struct exc_snap_claimant {
    const char *server;         /* its exc_snap_server's name */
    char port[EXC_PORT_BUF];
    uint32_t index;             /* 1-based position in the report */
    int kind;
    char name[EXC_NAME_BUF];
} exc_snap_claimant;

typedef struct exc_snap_queue {
    const char *server;         /* its exc_snap_server's name */
    exc_queue q;
    int state;                  /* exc_queue_state */
} exc_snap_queue;

typedef struct exc_snap_kb {
    exc_kb_article a;           /* copy; rules not carried (n_rules 0, rules NULL) */
    uint32_t matches;
} exc_snap_kb;

/* One server's rows (see above); never written once shared.  Freed when no
 * live snapshot can hold it any more (the lineage, snapshot.c). */
typedef struct exc_snap_part {
    uint64_t derived;           /* signature of the alarms on the server */
    unsigned stall_samples;     /* the queue states were derived with */
    uint64_t built;             /* generation of the snapshot that built it */
    exc_snap_server server;
    size_t n_connectors, n_queues, n_comports, n_claimants;
    exc_snap_connector *connectors;
    exc_snap_queue *queues;
    exc_snap_comport *comports;
    exc_snap_claimant *claimants;
} exc_snap_part;

/* The active alarms in chunks (issue 14): a new snapshot whose alarm state
 * moved shares every chunk none of whose alarms changed -- a report that
 * counts one alarm again copies that alarm's chunk, not every alarm.  A
 * chunk holds the alarms of a range of indexes, in index order; never
 * written once shared, freed with its last reference. */
#define EXC_ALARM_CHUNK 32
typedef struct exc_snap_alarm_chunk {
    atomic_uint refs;
    uint32_t n;                 /* at most EXC_ALARM_CHUNK */
    exc_alarm a[];
} exc_snap_alarm_chunk;

/* An array shared while unchanged (the history, the outbox: records are
 * only appended and dropped from the front, so the same count and the same
 * first and last keys are the same array). */
typedef struct exc_snap_array {
    atomic_uint refs;
    size_t n;
    void *v;
} exc_snap_array;

/* The alarm state of a snapshot, shared whole by consecutive snapshots
 * while the alarm state's version (alarms.h) is the same, by its pieces
 * otherwise (src/snapshot_alarms.c). */
typedef struct exc_snap_alarmset {
    atomic_uint refs;
    uint64_t version;           /* exc_alarms.version it was built at */
    uint64_t fp;                /* its fingerprint, with exc_verify_changes() */
    size_t n_alarms, n_chunks;
    struct exc_snap_alarm_run {
        exc_snap_alarm_chunk *chunk;
        size_t first;           /* the position of chunk->a[0] among the alarms */
    } *chunks;
    exc_snap_array *history, *outbox;
} exc_snap_alarmset;

typedef struct exc_snapshot {
    atomic_uint refs;           /* exc_snapshot_free drops one */
    uint64_t generation;
    /* What the next build from this one may take for the changes since
     * (model.h exc_touch_list, alarms.h changed): the tokens of the lists
     * the engine started again right after this build; 0: none. */
    uint64_t touch_token, alarm_token;
    /* the snapshots that share parts, and this one's place among them
     * (snapshot.c: when a replaced part can be freed) */
    struct exc_snap_lineage *lineage;
    uint64_t epoch;
    /* exConnAgent scalars */
    uint64_t reports_accepted, reports_rejected, events_accepted, events_rejected;
    uint32_t kb_loaded;
    uint32_t alarms_active;
    int64_t alarm_last_changed_ms;      /* 0 = never */
    uint64_t notifications_dropped;
    /* tables; each sorted by its natural key.  The per-server ones are
     * the parts' rows, server by server (a part's rows are sorted by name):
     * exc_snap_part_rows/_row; their totals below. */
    size_t n_servers;
    exc_snap_part **parts;              /* parts[i] holds server i (exc_snapshot_server) */
    uint64_t *stamps;                   /* stamps[i]: server i's stamp, contiguous */
    uint64_t *builts;                   /* builts[i]: parts[i]->built, contiguous */
    unsigned stall_samples;             /* the queue states were derived with */
    size_t n_connectors, n_comports, n_claimants, n_queues;
    size_t n_kb;            exc_snap_kb *kb;
    exc_snap_alarmset *aset;            /* the alarms (exc_snapshot_alarm_at), and the
                                           arrays below */
    size_t n_alarms;                                    /* by index */
    size_t n_history;       exc_history *history;       /* by index */
    /* notifications waiting to be sent, oldest first */
    size_t n_outbox;        exc_notice *outbox;
} exc_snapshot;

/* Build from the worker's state (called on the worker thread), sharing the
 * parts of prev (NULL: none) whose server did not change. */
exc_snapshot *exc_snapshot_build_from(const exc_snapshot *prev, const exc_model *m,
                                      const exc_alarms *a, const exc_kb *kb,
                                      uint64_t generation);
exc_snapshot *exc_snapshot_build(const exc_model *m, const exc_alarms *a, const exc_kb *kb,
                                 uint64_t generation);
/* A fingerprint of the alarm state: equal = unchanged, but for a 64-bit
 * collision (see snapshot.c).  Too slow for every commit at scale (issue
 * 14: the versions decide there); with exc_verify_changes() (util.h) the
 * worker checks with it that no change went without a new version. */
uint64_t exc_alarms_fingerprint(const exc_alarms *a);
/* A hash of one alarm record's fields (the state journal tells changed
 * records by it). */
uint64_t exc_alarm_hash(const exc_alarm *al);

/* Another reference; exc_snapshot_free drops one (frees with the last). */
exc_snapshot *exc_snapshot_ref(exc_snapshot *s);
void exc_snapshot_free(exc_snapshot *s);

/* Server i of the snapshot (in name order). */
static inline const exc_snap_server *exc_snapshot_server(const exc_snapshot *s, size_t i)
{
    return &s->parts[i]->server;
}

/* A part's rows of one kind: how many, and row j. */
typedef enum { EXC_SNAP_CONNECTORS, EXC_SNAP_QUEUES, EXC_SNAP_COMPORTS,
               EXC_SNAP_CLAIMANTS } exc_snap_rows;
size_t exc_snap_part_rows(const exc_snap_part *p, exc_snap_rows k);
const void *exc_snap_part_row(const exc_snap_part *p, exc_snap_rows k, size_t j);

/* Active alarm i (0 <= i < n_alarms), in index order (the alarm table's
 * rows); NULL past the last. */
const exc_alarm *exc_snapshot_alarm_at(const exc_snapshot *s, size_t i);
/* A KB article by id (the URL varbind of a notification). */
const exc_snap_kb *exc_snapshot_kb(const exc_snapshot *s, const char *id);

#endif
