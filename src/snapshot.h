/* An immutable picture of everything the MIB shows, built by the worker
 * thread after each committed change and handed to the agent thread, which
 * serves GETs and builds notifications from it alone.  Rows are flat copies,
 * so the worker may change its model the moment the snapshot is built. */
#ifndef EXC_SNAPSHOT_H
#define EXC_SNAPSHOT_H

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
     * two snapshots = same server, same rows, same names), and where its
     * rows start in the flat arrays below (they end where the next server's
     * start).  Lets the agent's tables keep their index when only row
     * contents changed (agent/table.c). */
    uint64_t stamp;
    size_t first_connector, first_queue, first_comport, first_claimant;
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

typedef struct exc_snapshot {
    uint64_t generation;
    /* exConnAgent scalars */
    uint64_t reports_accepted, reports_rejected, events_accepted, events_rejected;
    uint32_t kb_loaded;
    uint32_t alarms_active;
    int64_t alarm_last_changed_ms;      /* 0 = never */
    uint64_t notifications_dropped;
    /* tables; each array sorted by its natural key */
    size_t n_servers;       exc_snap_server *servers;
    size_t n_connectors;    exc_snap_connector *connectors;
    size_t n_comports;      exc_snap_comport *comports;
    size_t n_claimants;     exc_snap_claimant *claimants;
    size_t n_queues;        exc_snap_queue *queues;
    size_t n_kb;            exc_snap_kb *kb;
    size_t n_alarms;        exc_alarm *alarms;          /* by index */
    size_t n_history;       exc_history *history;       /* by index */
    /* notifications waiting to be sent, oldest first */
    size_t n_outbox;        exc_notice *outbox;
} exc_snapshot;

/* Build from the worker's state (called on the worker thread). */
exc_snapshot *exc_snapshot_build(const exc_model *m, const exc_alarms *a, const exc_kb *kb,
                                 uint64_t generation);
void exc_snapshot_free(exc_snapshot *s);

/* The rows of servers[i] in one of the flat arrays: *first and the count. */
typedef enum { EXC_SNAP_CONNECTORS, EXC_SNAP_QUEUES, EXC_SNAP_COMPORTS,
               EXC_SNAP_CLAIMANTS } exc_snap_rows;
size_t exc_snapshot_rows_of(const exc_snapshot *s, size_t i, exc_snap_rows which,
                            size_t *first);

/* Lookups used by the notification builder (the row a trap's varbinds come
 * from, so a trap and a poll can never disagree). */
const exc_alarm *exc_snapshot_alarm(const exc_snapshot *s, uint32_t index);
const exc_snap_kb *exc_snapshot_kb(const exc_snapshot *s, const char *id);

#endif
