/* Alarms (SPEC §4, §5): the active set, the bounded history of transitions,
 * and the outbox of notifications waiting for the agent thread to send,
 * with the per-identity hold-down.  Owned by the worker thread. */
#ifndef EXC_ALARMS_H
#define EXC_ALARMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb.h"
#include "exc_limits.h"
#include "statefile.h"

typedef enum { EXC_TR_RAISED = 1, EXC_TR_CLEARED = 2 } exc_transition;

typedef struct exc_alarm {
    uint32_t index;                   /* from 1, never reused */
    char article[EXC_ARTICLE_BUF];    /* "" for the stale alarm */
    int severity;                     /* exc_severity */
    int notification;                 /* exc_notification sent on raise */
    char server[EXC_SERVER_BUF];
    char resource[EXC_NAME_BUF];
    char description[EXC_TEXT_BUF];
    int64_t raised_ms, last_seen_ms;  /* wall ms */
    uint32_t count;                   /* matches while active, from 1 */
    int64_t last_event_time;          /* event-raised alarms: epoch s of the newest
                                         matching event's TimeCreated; else 0 */
    int64_t last_event_rx_ms;         /* wall ms that event was received; else 0 */
    bool raise_notified;              /* its raise left the outbox (or was due) */
    char url[EXC_TEXT_BUF];           /* the article's URL at the raise ("" = none),
                                         so the clear notice can carry it too */
    uint64_t stamp;                   /* change tracking, not saved: exc_alarms_touch */
} exc_alarm;

/* The stale alarm (SPEC §4, no report for staleAfter): the one alarm
 * without a KB article, raised with exConnServerStale.  The one definition
 * the rules (src/rules.c) and the server status (src/snapshot.c) use. */
static inline bool exc_alarm_is_stale(const exc_alarm *al)
{
    return al->article[0] == '\0' && al->notification == EXC_NOTIF_SERVER_STALE;
}

typedef struct exc_history {
    uint32_t index;                   /* from 1, never reused */
    int64_t time_ms;
    int transition;                   /* exc_transition */
    uint32_t alarm;
    char article[EXC_ARTICLE_BUF];
    char server[EXC_SERVER_BUF];
    char resource[EXC_NAME_BUF];
    int severity;                     /* exc_severity; cleared(1) for clears */
    char description[EXC_TEXT_BUF];
} exc_history;

/* A notification ready to be sent, varbind values captured at the transition. */
typedef struct exc_notice {
    uint64_t seq;                     /* increasing, never reused */
    int notification;                 /* exc_notification */
    uint32_t alarm;                   /* alarm index (row index of the varbinds) */
    char article[EXC_ARTICLE_BUF];    /* "" = no URL varbind */
    int severity;
    char server[EXC_SERVER_BUF];
    char resource[EXC_NAME_BUF];
    char description[EXC_TEXT_BUF];
    char url[EXC_TEXT_BUF];
} exc_notice;

/* A transition held back by the hold-down window. */
typedef struct exc_deferred {
    uint32_t alarm;
    int transition;
    bool raise_notified;              /* clears: the alarm's raise had been notified
                                         when it cleared (a clear stands only then) */
    exc_notice notice;                /* what to send if it still stands */
} exc_deferred;

typedef struct exc_holddown {
    char article[EXC_ARTICLE_BUF];
    char server[EXC_SERVER_BUF];
    char resource[EXC_NAME_BUF];
    int64_t last_sent_ms;
    size_t n_pending;
    exc_deferred *pending;            /* in order */
} exc_holddown;

typedef struct exc_alarms {
    /* settings */
    unsigned history_size, hold_down, queue_size;
    bool notifications_enabled;
    /* state */
    size_t n_active, cap_active;
    exc_alarm *active;                /* sorted by index */
    size_t n_history, cap_history;
    exc_history *history;             /* oldest first, at most history_size */
    exc_history *history_mem;         /* the allocation (cap_history records) history
                                         points into: dropping the oldest moves history
                                         on, not the records (alarms.c) */
    uint32_t next_alarm_index, next_history_index;
    size_t n_outbox, cap_outbox;
    exc_notice *outbox;               /* oldest first, at most queue_size */
    uint64_t next_seq;
    uint64_t dropped;                 /* notifications dropped from a full outbox */
    int64_t last_changed_ms;          /* active set last changed (0 = never) */
    size_t n_holddown;
    exc_holddown *holddown;
    /* exConnKbArticleMatches, by article */
    size_t n_matches;
    struct exc_match_count { char article[EXC_ARTICLE_BUF]; uint32_t count; } *matches;
    /* Change tracking (issue 14), not saved: a number that moves with every
     * change of anything exc_alarms_save writes.  Equal versions = the same
     * alarm state, so the snapshot shares its alarm arrays and the state
     * journal writes no alarm record; an active alarm's stamp is the version
     * of its own last change, so the journal rewrites only those that moved.
     * Numbers come from one process-wide sequence: no two states share one. */
    uint64_t version;
    /* The servers whose active alarms were raised, cleared or renamed since
     * exc_alarms_take_changed (what a server's snapshot rows derive from
     * them), for the snapshot to rebuild only those; more than
     * EXC_ALARMS_CHANGED_MAX: overflowed (the snapshot checks every server).
     * token: as exc_touch_list's (model.h). */
    size_t n_changed;
    char (*changed)[EXC_SERVER_BUF];
    bool changed_overflow;
    uint64_t changed_token;
} exc_alarms;

#define EXC_ALARMS_CHANGED_MAX 64

void exc_alarms_init(exc_alarms *a, unsigned history_size, unsigned hold_down,
                     unsigned queue_size, bool notifications_enabled);
void exc_alarms_free(exc_alarms *a);
/* Apply new settings (SIGHUP): trims history/outbox to the new bounds. */
void exc_alarms_configure(exc_alarms *a, unsigned history_size, unsigned hold_down,
                          unsigned queue_size, bool notifications_enabled);

exc_alarm *exc_alarms_find(exc_alarms *a, const char *article, const char *server,
                           const char *resource);
const exc_alarm *exc_alarms_by_index(const exc_alarms *a, uint32_t index);

/* Note a change of a's saved state and, when al is not NULL, of that active
 * alarm: every writer calls this (the functions below do; a caller that
 * writes a field of an alarm they return, rules.c, calls it too). */
void exc_alarms_touch(exc_alarms *a, exc_alarm *al);
/* Start the changed-servers list again; the new token.  Whether the list is
 * still the one left with token, not overflowed. */
uint64_t exc_alarms_take_changed(exc_alarms *a);
bool exc_alarms_changed_since(const exc_alarms *a, uint64_t token);

/* Raise, or (already active) update count, last-seen and description.
 * article may be NULL/"" (stale alarm); kb is used for the notice's URL.
 * Returns the alarm; *raised tells whether it was new. */
exc_alarm *exc_alarms_raise(exc_alarms *a, const exc_kb_article *article, int notification,
                            int severity, const char *server, const char *resource,
                            const char *description, int64_t now_ms, bool *raised);

/* Clear an active alarm (records history, queues exConnAlarmCleared). */
void exc_alarms_clear(exc_alarms *a, uint32_t index, int64_t now_ms);
/* Give an active alarm another resource (its identity's last part), no
 * notification: an event alarm named after a service takes the name of the
 * connector a report shows (rules.c).  The caller makes sure no other active
 * alarm has the new identity. */
void exc_alarms_rename(exc_alarms *a, uint32_t index, const char *resource, int64_t now_ms);

void exc_alarms_count_match(exc_alarms *a, const char *article);
uint32_t exc_alarms_matches(const exc_alarms *a, const char *article);

/* Release hold-down windows that ended.  Returns the wall ms of the next
 * window end, or 0 when none is pending. */
int64_t exc_alarms_tick(exc_alarms *a, int64_t now_ms);

/* Forget every hold-down window (what they held back with them). */
void exc_alarms_drop_holddowns(exc_alarms *a);

/* The agent thread sent every notice with seq <= seq. */
void exc_alarms_ack(exc_alarms *a, uint64_t seq);

void exc_alarms_save(const exc_alarms *a, exc_sf_writer *w);
/* Its records one group at a time (the counters record "aix", one active
 * alarm, the matches, the hold-down state), for the change checks that hash
 * what is saved (exc_alarm_hash, exc_alarms_fingerprint). */
void exc_alarms_save_index(const exc_alarms *a, exc_sf_writer *w);
void exc_alarm_save(const exc_alarm *al, exc_sf_writer *w);
void exc_alarms_save_matches(const exc_alarms *a, exc_sf_writer *w);
void exc_alarms_save_holddown(const exc_alarms *a, exc_sf_writer *w);
bool exc_alarms_load_record(exc_alarms *a, const char *tag, exc_sf_reader *r);

#endif
