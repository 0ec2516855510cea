/* The diagnosis (SPEC §4): built-in detectors and event-match rules from the
 * KB articles, turning the model's facts into alarms. */
#ifndef EXC_RULES_H
#define EXC_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "alarms.h"
#include "event.h"
#include "kb.h"
#include "model.h"

typedef struct exc_rules_cfg {
    unsigned stale_after;   /* seconds */
    unsigned event_ttl;     /* seconds */
    unsigned stall_samples;
} exc_rules_cfg;

/* Re-evaluate every detector and the report-based clear conditions of
 * event alarms for one server (after a report was applied). */
void exc_rules_eval_server(const exc_rules_cfg *cfg, const exc_kb *kb, const exc_model *m,
                           exc_alarms *a, const exc_server *s, int64_t now_ms);

/* Match one accepted event against the KB's event rules. */
void exc_rules_on_event(const exc_rules_cfg *cfg, const exc_kb *kb, const exc_model *m,
                        exc_alarms *a, const exc_event *ev, int64_t now_ms);

/* Time-driven rules: stale servers, eventTtl expiry.  Returns the wall ms
 * at which something may next change (0 = nothing pending). */
int64_t exc_rules_tick(const exc_rules_cfg *cfg, const exc_kb *kb, const exc_model *m,
                       exc_alarms *a, int64_t now_ms);

/* Performance (issue 14): what exc_rules_tick_watched keeps between ticks. */
typedef struct exc_rules_watch {
    uint64_t token;         /* the model's EXC_TOUCH_RULES list it took (model.h) */
    int64_t due;            /* the full tick's next time, lowered since; 0: none */
    exc_rules_cfg cfg;      /* the settings of that tick */
    uint64_t ticks, walks;  /* how many, and how many walked everything */
} exc_rules_watch;

/* The same decisions as exc_rules_tick, for the worker: the walk of every
 * server and alarm is done only when something it named is due, a server
 * was added or removed, or the settings changed; otherwise only the servers
 * touched since the last tick are looked at (a report, whose evaluation
 * clears its server's stale alarm, moves only that server's deadline, and
 * later, never earlier). */
int64_t exc_rules_tick_watched(exc_rules_watch *w, const exc_rules_cfg *cfg, const exc_kb *kb,
                               exc_model *m, exc_alarms *a, int64_t now_ms);

/* After a KB reload: alarms of articles (or detectors) that no longer exist
 * are cleared; every server re-evaluated. */
void exc_rules_eval_all(const exc_rules_cfg *cfg, const exc_kb *kb, const exc_model *m,
                        exc_alarms *a, int64_t now_ms);

/* Q193760: whether an MTA build (mtaVersion, else exchangeVersion) has the
 * synchronous-MTA problem: "" (unknown) does; 4.0.x below 4.0.997.2 and
 * 5.0.x below 5.0.1461.50 do; anything else, including text that is not a
 * dotted list of numbers, does not.  *fix (may be NULL) gets the fixed build
 * of the line, or "" when none applies. */
bool exc_rules_mta_build_affected(const char *build, const char **fix);

#endif
