/* The estate model: what the agent knows about every server, built from
 * accepted reports and events.  Owned by the worker thread alone; the agent
 * thread only ever sees immutable snapshots built from it (snapshot.h). */
#ifndef EXC_MODEL_H
#define EXC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "event.h"
#include "report.h"
#include "statefile.h"

#define EXC_STALL_MAX 32   /* upper bound of <queues stallSamples> */

/* Message counts of a queue in its server's most recent reports, oldest
 * first; only consecutive reports that gave a count are kept.  Memory: v is
 * the queue's own allocation of n (at most stallSamples) counts, not an
 * array of EXC_STALL_MAX in every row (docs/performance.md "Memory per
 * row"); NULL when n is 0. */
typedef struct exc_qhist {
    uint32_t n;
    uint32_t *v;
} exc_qhist;

typedef struct exc_mqueue {
    exc_queue q;
    exc_qhist hist;
} exc_mqueue;

typedef struct exc_mconnector {
    exc_connector c;
    int64_t last_change_ms;   /* wall ms: appeared, or state or health changed */
    int health;               /* exConnConnectorHealth last published (engine.c);
                                 0 = none yet.  Not saved: the first snapshot
                                 after a load records it without a change */
} exc_mconnector;

typedef struct exc_mcomport {
    exc_comport p;            /* owns p.claimants */
    int64_t conflict_since_ms; /* wall ms the conflict began; 0 = none */
} exc_mcomport;

enum { EXC_TOUCH_SNAPSHOT, EXC_TOUCH_STATE, EXC_TOUCH_RULES, EXC_TOUCH_N };

typedef struct exc_server {
    char name[EXC_SERVER_BUF];            /* upper-case */
    char site[EXC_NAME_BUF];
    char exchange_version[EXC_NAME_BUF];
    char mta_version[EXC_NAME_BUF];
    bool reported;                        /* a report was ever accepted */
    int64_t collected;                    /* epoch s of the last accepted report */
    int64_t received_ms;                  /* wall ms it was accepted */
    int64_t created_ms;                   /* wall ms the server became known */
    uint64_t events;                      /* events accepted for it */
    /* From the collector's <collectionStatus> records (contract A). */
    int collect_status;                   /* exc_collect_status; 0 = none received */
    int64_t collect_time;                 /* epoch s of that poll attempt */
    char collect_error[EXC_TEXT_BUF];     /* "" when none */
    size_t n_connectors;
    exc_mconnector *connectors;           /* sorted by name (strcmp) */
    size_t n_queues;
    exc_mqueue *queues;                   /* sorted by name (strcmp) */
    size_t n_comports;
    exc_mcomport *comports;               /* sorted by name (strcmp) */
    /* Change tracking (issue 14): a model-wide sequence number taken each
     * time the server may have changed (exc_model_touch).  Equal stamps mean
     * the same content, so the state journal hashes and the snapshot copies
     * only servers whose stamp moved. */
    uint64_t stamp;
    size_t pos;                           /* its index in servers[], when numbered */
    bool listed[EXC_TOUCH_N];             /* in touched[k] (exc_touch_list) */
} exc_server;

/* Performance (issue 14): the servers touched since a consumer last took
 * the list -- the snapshot (EXC_TOUCH_SNAPSHOT), the state journal
 * (EXC_TOUCH_STATE) or the rules' stale check (EXC_TOUCH_RULES) -- so that a commit visits what changed, not the
 * estate.  moved: a server was added or removed since (positions shifted:
 * the consumer walks everything).  token: set at each exc_model_take_touched,
 * from one process-wide sequence; a consumer that kept it knows nobody else
 * took the list since (and that it is this model's). */
typedef struct exc_touch_list {
    exc_server **v;
    size_t n, cap;
    bool moved;
    uint64_t token;
} exc_touch_list;

typedef struct exc_model {
    size_t n_servers, cap_servers;
    uint64_t stamp_seq;                   /* last exc_server.stamp handed out */
    exc_server **servers;                 /* sorted by name (strcmp, names upper-case) */
    exc_server **index;                   /* hash index of servers (model.c), index_cap slots */
    size_t index_cap;
    unsigned stall_samples;
    /* Admission (exc_model_configure; exc_model_init: no clock check, no limits) */
    int64_t max_clock_skew;               /* s; times later than now + this are
                                             refused; < 0 = no check */
    size_t max_servers;                   /* 0 = no limit */
    size_t max_rows;                      /* rows of one server's report, 0 = no limit */
    uint64_t reports_accepted, reports_rejected;
    uint64_t events_accepted, events_rejected;
    exc_touch_list touched[EXC_TOUCH_N];  /* by EXC_TOUCH_* */
    bool numbered;                        /* every server's pos is its index */
} exc_model;

typedef enum { EXC_QS_EMPTY = 1, EXC_QS_FLOWING, EXC_QS_STALLED, EXC_QS_UNKNOWN } exc_qstate;

void exc_model_init(exc_model *m, unsigned stall_samples);
/* Take the settings the model applies from a (new) config: stallSamples,
 * maxClockSkew, <limits>. */
void exc_model_configure(exc_model *m, const exc_config *cfg);
void exc_model_free(exc_model *m);

/* name is compared case-insensitively (looked up upper-cased). */
exc_server *exc_model_find(const exc_model *m, const char *name);
exc_server *exc_model_get_or_add(exc_model *m, const char *name, int64_t now_ms);
/* Note that s (may have) changed: every writer of a server's fields calls
 * this (exc_model_get_or_add does, for the server it returns). */
void exc_model_touch(exc_model *m, exc_server *s);
/* Start list k again (the consumer has dealt with everything in it); the
 * new token. */
uint64_t exc_model_take_touched(exc_model *m, int k);
/* Whether list k is the one a consumer left with token, servers not moved:
 * then its entries are every server touched since. */
bool exc_model_touched_since(const exc_model *m, int k, uint64_t token);
/* Number the servers (pos) if an add or a remove shifted them. */
void exc_model_number(exc_model *m);

/* Apply a parsed file of SPOOL/reports (r->kind):
 *  - a report: refused (false, err set, nothing changed) when it is older
 *    (by collected) than the last one accepted for its server ("stale
 *    report"), later than now + max_clock_skew, over max_rows, or would be
 *    a server beyond max_servers;
 *  - a collection status: sets the server's collect_* fields (creating the
 *    server, status unknown, if new); refused when older than the last
 *    status accepted for it, from the future, or beyond max_servers;
 *  - a forget record: removes the server (refused when there is none).
 * For a report:  On success the report's contents are moved into the model
 * (r is left empty; still call exc_report_free). A report with the same
 * collected time as the last one replaces it without adding queue-history
 * samples twice. */
bool exc_model_apply_report(exc_model *m, exc_report *r, int64_t now_ms, exc_err *err);

/* The checks exc_model_apply_report makes before it changes anything
 * (model_admit.c): clock, limits, staleness of a status record. */
bool exc_model_admit_report(const exc_model *m, const exc_report *r, int64_t now_ms,
                            exc_err *err);
/* Apply an admitted collection status / forget record (model_admit.c). */
bool exc_model_apply_status(exc_model *m, const exc_report *r, int64_t now_ms, exc_err *err);
bool exc_model_apply_forget(exc_model *m, const exc_report *r, exc_err *err);

/* Append "; collector: STATUS[: ERROR]" to desc (capacity cap, cut at a
 * character boundary) when the collector's last poll of s failed: the
 * stale alarm's description says why no report came (contract A). */
void exc_server_collect_note(const exc_server *s, char *desc, size_t cap);

/* Whether a parsed event batch may be applied: no event later than now +
 * max_clock_skew, and no more new servers than max_servers leaves room for.
 * On refusal returns false with err set and frees *b (the caller's reject
 * path then has nothing to free). */
bool exc_model_admit_events(const exc_model *m, exc_event_batch *b, int64_t now_ms,
                            exc_err *err);

/* An event was accepted for a server (creates it, status unknown, if new). */
exc_server *exc_model_note_event(exc_model *m, const char *server, int64_t now_ms);

/* A Service Control Manager event about an Exchange service, for a server no
 * report has described yet: updates or creates the row of the connector
 * the service runs (src/model_events.c).  True when a row changed. */
struct exc_event;
struct exc_kb;
bool exc_model_apply_scm_event(exc_model *m, const struct exc_kb *kb, const struct exc_event *ev,
                               int64_t now_ms);

const exc_mconnector *exc_server_connector(const exc_server *s, const char *name);
const exc_mqueue *exc_server_queue(const exc_server *s, const char *name);
const exc_mcomport *exc_server_comport(const exc_server *s, const char *name);
/* The first connector of a type (by name order), or NULL. */
const exc_mconnector *exc_server_connector_of_type(const exc_server *s, int type);

/* SPEC §4: >0 messages in each of the last stall_samples reports, never
 * falling from one to the next. */
bool exc_queue_stalled(const exc_mqueue *q, unsigned stall_samples);
int exc_queue_state(const exc_mqueue *q, unsigned stall_samples);   /* exc_qstate */

/* Forget a server and everything under it (the state journal's "drop"
 * record); false when there is none of that name. */
bool exc_model_remove(exc_model *m, const char *name);

/* Persistence (records inside the state file, see state.c). */
void exc_model_save(const exc_model *m, exc_sf_writer *w);
/* The parts of exc_model_save: the counters record, and one server with
 * everything under it (what the state journal rewrites when it changed;
 * state.c tells a change by hashing what this writes). */
void exc_model_save_counters(const exc_model *m, exc_sf_writer *w);
void exc_model_save_server(const exc_server *s, exc_sf_writer *w);
/* Called for each record whose tag the model owns; returns false if the tag
 * is not the model's.  Sets r->bad on malformed data. */
bool exc_model_load_record(exc_model *m, const char *tag, exc_sf_reader *r);

#endif
