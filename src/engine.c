#define _GNU_SOURCE
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alarms.h"
#include "event.h"
#include "log.h"
#include "model.h"
#include "report.h"
#include "rules.h"
#include "spool.h"
#include "state.h"
#include "util.h"

#define BATCH_MAX 256            /* files applied per commit */
#define CHECKPOINT_IDLE_MS 1000  /* fold the state journal after this long idle */
#define RESCAN_MS 2000           /* safety-net rescan when inotify is quiet */
#define RESCAN_NO_INOTIFY_MS 500
/* Performance (issue 14): files arriving one after another (a collector
 * polling an estate) are scanned and committed together: a scan within this
 * long of the last one waits for the rest of it (docs/performance.md).
 * Files stay in the spool meanwhile; nothing else is delayed. */
#define COALESCE_MS 50
/* The master confirms a burst of notices one by one.  An acknowledgement
 * with more of the burst still awaiting the master's answer waits for the
 * rest, at most this long, and they are committed together -- one commit a
 * notice otherwise (issue 14); the last of the burst is committed at once.
 * Until then the notices stay in the committed outbox (the agent thread
 * knows they were confirmed and does not send them again); a crash
 * meanwhile sends them once more at the next start. */
#define ACK_COALESCE_MS 100
/* Time-driven changes due within one grain are made by one tick: its due
 * time is rounded up to the grain (never earlier: a held transition goes
 * out at most this much after its hold-down window ends).  The windows a
 * batch opened one report after another end one after another too, and
 * were a tick and a commit each (issue 14). */
#define TICK_GRAIN_MS 100

struct exc_engine {
    exc_config cfg;
    exc_kb kb;
    exc_model model;
    exc_alarms alarms;
    exc_spool spool;
    exc_dispositions disp;       /* the spool files the next commit disposes of */
    exc_state state;             /* the state directory's writer */
    int64_t last_commit_ms;
    int64_t ack_unsaved_ms;      /* monotonic: the first ack not committed yet; 0: none */
    /* The last commit failed (disk full, say): what is in memory -- model,
     * alarms, counters, outbox -- is neither published nor built on until
     * a retry commits it (issue 9.3). */
    bool uncommitted;
    bool batch_full;             /* the last scan took BATCH_MAX files */
    int64_t last_scan_ms;        /* monotonic; COALESCE_MS */
    exc_rules_cfg rules;
    exc_rules_watch watch;       /* the rules tick's (issue 14) */
    uint64_t generation;

    pthread_t thread;
    int wake[2];                 /* agent -> worker */
    int snap[2];                 /* worker -> agent */

    pthread_mutex_t lock;        /* guards the fields below */
    exc_snapshot *pending;
    exc_snapshot *last;          /* worker only: the last built, whose parts the next shares */
    uint64_t ack_seq;
    bool ack_more;               /* more confirmations of ack_seq's burst to come */
    bool stop;
    bool reload;
    exc_config new_cfg;
    exc_kb new_kb;
};

static void set_rules_cfg(exc_engine *e)
{
    e->rules.stale_after = e->cfg.stale_after;
    e->rules.event_ttl = e->cfg.event_ttl;
    e->rules.stall_samples = e->cfg.stall_samples;
}

static void poke(int fd)
{
    char c = 1;
    if (write(fd, &c, 1) < 0 && errno != EAGAIN)
        exc_log(LOG_ERR, "engine: wake-up write failed: %s", strerror(errno));
}

/* exConnConnectorLastChange moves when a connector's state or its derived
 * health changes.  The health (alarms on the connector included) is derived
 * while building the snapshot: compare it with the last one published and
 * note a change in the model (committed with the rest) and in the snapshot.
 * A connector's first health (new row, or just loaded: 0) is no change.
 * The snapshot lists connectors in the model's order (server, then name). */
static void note_health(exc_engine *e, exc_snapshot *s, const exc_snapshot *prev, int64_t now)
{
    /* Only parts built for this snapshot can differ: a shared one is of an
     * unchanged server with unchanged alarms (and is never written).  One
     * where prev has it is told by its pointer, without reading the part. */
    size_t n_prev = prev ? prev->n_servers : 0;
    for (size_t i = 0; i < e->model.n_servers && i < s->n_servers; i++) {
        if (i < n_prev && s->parts[i] == prev->parts[i])
            continue;
        exc_server *sv = e->model.servers[i];
        exc_snap_part *p = s->parts[i];
        if (p->built != s->generation)
            continue;
        for (size_t j = 0; j < sv->n_connectors && j < p->n_connectors; j++) {
            exc_mconnector *mc = &sv->connectors[j];
            exc_snap_connector *c = &p->connectors[j];
            if (mc->health == c->health)
                continue;
            if (mc->health != 0)
                mc->last_change_ms = c->last_change_ms = now;
            mc->health = c->health;
            /* saved fields changed; the part (this snapshot's alone, not
             * shared yet) now shows the model as it is: it takes the new
             * stamp, so the next snapshot can share it */
            exc_model_touch(&e->model, sv);
            p->server.stamp = s->stamps[i] = sv->stamp;
        }
    }
}

static exc_snapshot *build(exc_engine *e)
{
    /* Memory: a snapshot the agent has not taken yet is superseded by this
     * one; free it first, so that at most two exist (the agent's, the new). */
    pthread_mutex_lock(&e->lock);
    exc_snapshot *stale = e->pending;
    e->pending = NULL;
    pthread_mutex_unlock(&e->lock);
    exc_snapshot_free(stale);
    exc_snapshot *s = exc_snapshot_build_from(e->last, &e->model, &e->alarms, &e->kb,
                                              ++e->generation);
    note_health(e, s, e->last, exc_now_ms());
    /* the next build takes what is touched from here on (issue 14): the
     * LastChange notes above are in s already */
    s->touch_token = exc_model_take_touched(&e->model, EXC_TOUCH_SNAPSHOT);
    s->alarm_token = exc_alarms_take_changed(&e->alarms);
    exc_snapshot_free(e->last);
    e->last = exc_snapshot_ref(s);
    return s;
}

/* Hand a snapshot to the agent thread: only ever one built from a state
 * that is committed. */
static void hand_over(exc_engine *e, exc_snapshot *s)
{
    pthread_mutex_lock(&e->lock);
    exc_snapshot *old = e->pending;
    e->pending = s;
    pthread_mutex_unlock(&e->lock);
    exc_snapshot_free(old);   /* never taken: the newer one supersedes it */
    poke(e->snap[1]);
}

/* Performance: a commit appends what changed to the state journal (one
 * fdatasync); the whole state is rewritten only when the journal is folded
 * (state.c), which the idle worker does (checkpoint below). */
static bool commit(exc_engine *e)
{
    exc_err err = {0};
    e->last_commit_ms = exc_mono_ms();
    if (!exc_state_commit(&e->state, &e->model, &e->alarms, &e->disp, &err)) {
        exc_log(LOG_ERR, "state: %s (nothing published until a retry succeeds)", err.msg);
        e->uncommitted = true;
        return false;
    }
    e->ack_unsaved_ms = 0;
    if (e->uncommitted)
        exc_log(LOG_NOTICE, "state: committed again; publishing");
    e->uncommitted = false;
    return true;
}

/* Fold the journal into a new checkpoint (idle, or stopping). */
static void checkpoint(exc_engine *e)
{
    exc_err err = {0};
    if (!exc_state_checkpoint(&e->state, &e->model, &e->alarms, &e->disp, &err))
        exc_log(LOG_ERR, "state: %s", err.msg);
    else
        e->ack_unsaved_ms = 0;
}

/* Finish the files the last commit accounted for. */
static void finish_dispositions(exc_engine *e)
{
    for (size_t i = 0; i < e->disp.n; i++) {
        exc_disposition *j = &e->disp.e[i];
        if (j->action == EXC_DISP_REJECT)
            exc_spool_reject(&e->spool, &j->file, j->reason);
        else
            exc_spool_remove(&j->file);
    }
    exc_dispositions_clear(&e->disp);
}

/* Build a snapshot (its LastChange notes go into the model), commit, and
 * hand the snapshot over only when the commit succeeded: a failed commit's
 * snapshot -- its tables, counters and outbox -- is dropped, never seen. */
static bool commit_and_publish(exc_engine *e)
{
    exc_snapshot *s = build(e);
    if (!commit(e)) {
        exc_snapshot_free(s);
        return false;
    }
    finish_dispositions(e);
    hand_over(e, s);
    return true;
}

/* After a failed commit: when to try again.  The retry waits for the
 * rescan; pending inotify wake-ups would otherwise spin the worker (and
 * rewrite the state) while the disk is still full. */
static int64_t retry_later(exc_engine *e)
{
    exc_spool_drain(&e->spool);
    return exc_now_ms() + RESCAN_MS;
}

static void reject(exc_engine *e, const exc_spool_entry *f, const exc_err *err)
{
    char reason[EXC_ERR_MSG + 32];
    exc_err_format(err, reason, sizeof reason);
    exc_log(LOG_WARNING, "rejected %s: %s", f->path, reason);
    exc_dispositions_add(&e->disp, f, EXC_DISP_REJECT, reason);
    if (f->kind == EXC_SPOOL_REPORT)
        e->model.reports_rejected++;
    else
        e->model.events_rejected++;
}

static void apply_report(exc_engine *e, const exc_spool_entry *f, int64_t now)
{
    exc_report r;
    exc_err err = {0};
    if (!exc_report_parse_file(f->path, e->cfg.max_file_bytes, &r, &err)) {
        reject(e, f, &err);
        return;
    }
    /* A collection-status record names its server in r.status and changes
     * nothing a rule looks at: no rule evaluation for it (r.server is ""). */
    char server[EXC_SERVER_BUF];
    const int kind = r.kind;
    const bool is_status = kind == EXC_REC_STATUS;
    memcpy(server, is_status ? r.status.server : r.server, sizeof server);
    if (!exc_model_apply_report(&e->model, &r, now, &err)) {
        exc_report_free(&r);
        reject(e, f, &err);
        return;
    }
    exc_report_free(&r);
    e->model.reports_accepted++;
    exc_dispositions_add(&e->disp, f, EXC_DISP_DELETE, NULL);
    const exc_server *s = is_status ? NULL : exc_model_find(&e->model, server);
    if (s)
        exc_rules_eval_server(&e->rules, &e->kb, &e->model, &e->alarms, s, now);
    exc_log(LOG_INFO, "accepted %s %s for %s",
            is_status ? "collection status" : kind == EXC_REC_FORGET ? "forget record" : "report",
            f->name, server);
}

static void apply_events(exc_engine *e, const exc_spool_entry *f, int64_t now)
{
    exc_event_batch b;
    exc_err err = {0};
    if (!exc_events_parse_file(f->path, e->cfg.max_file_bytes, &b, &err) ||
        !exc_model_admit_events(&e->model, &b, now, &err)) {
        reject(e, f, &err);
        return;
    }
    for (size_t i = 0; i < b.n; i++) {
        exc_model_note_event(&e->model, b.events[i].server, now);
        exc_model_apply_scm_event(&e->model, &e->kb, &b.events[i], now);   /* issue 11 */
        exc_rules_on_event(&e->rules, &e->kb, &e->model, &e->alarms, &b.events[i], now);
    }
    e->model.events_accepted += b.n;
    exc_dispositions_add(&e->disp, f, EXC_DISP_DELETE, NULL);
    exc_log(LOG_INFO, "accepted %zu event(s) from %s", b.n, f->name);
    exc_events_free(&b);
}

/* One pass over the spool (at most BATCH_MAX files); the count taken.  A
 * full batch means more may be waiting: the caller scans again at once
 * rather than at the next rescan or inotify wake-up. */
static size_t ingest(exc_engine *e)
{
    exc_spool_entry *files;
    size_t n = exc_spool_scan(&e->spool, &files, BATCH_MAX);
    for (size_t i = 0; i < n; i++) {
        int64_t now = exc_now_ms();
        const char *bad = exc_spool_bad_type(&files[i]);
        if (bad) {   /* a FIFO, socket, symlink, directory: never opened */
            exc_err err = {0};
            exc_err_set(&err, 0, "%s", bad);
            reject(e, &files[i], &err);
        } else if (files[i].kind == EXC_SPOOL_REPORT)
            apply_report(e, &files[i], now);
        else
            apply_events(e, &files[i], now);
    }
    free(files);
    return n;
}

static void handle_reload(exc_engine *e)
{
    exc_config cfg;
    exc_kb kb;
    pthread_mutex_lock(&e->lock);
    cfg = e->new_cfg;
    kb = e->new_kb;
    memset(&e->new_kb, 0, sizeof e->new_kb);
    e->reload = false;
    pthread_mutex_unlock(&e->lock);

    if (strcmp(cfg.state_dir, e->cfg.state_dir) != 0) {
        exc_log(LOG_WARNING, "reload: a new state directory takes effect at restart");
        memcpy(cfg.state_dir, e->cfg.state_dir, sizeof cfg.state_dir);
    }
    if (strcmp(cfg.spool_dir, e->cfg.spool_dir) != 0) {
        exc_spool_close(&e->spool);
        exc_spool_open(&e->spool, cfg.spool_dir);
    }
    e->cfg = cfg;
    exc_kb_free(&e->kb);
    e->kb = kb;
    exc_model_configure(&e->model, &cfg);
    exc_alarms_configure(&e->alarms, cfg.history_size, cfg.hold_down, cfg.queue_size,
                         cfg.notifications_enabled);
    set_rules_cfg(e);
    exc_rules_eval_all(&e->rules, &e->kb, &e->model, &e->alarms, exc_now_ms());
    exc_log(LOG_NOTICE, "reloaded: %zu KB article(s)", e->kb.n);
}

/* A scan due within COALESCE_MS of the last one waits for the rest of it
 * (*next_scan moved there; the wake-ups meanwhile drained, the scan lists
 * the directory anyway), unless the last scan filled a batch.  Relative to
 * the last scan, not commit: acks and ticks committing cannot starve it. */
static bool coalescing(exc_engine *e, int64_t *next_scan)
{
    int64_t left = e->last_scan_ms + COALESCE_MS - exc_mono_ms();
    if (left <= 0 || e->batch_full) {
        e->last_scan_ms = exc_mono_ms();
        return false;
    }
    exc_spool_drain(&e->spool);
    *next_scan = exc_now_ms() + left;
    return true;
}

/* The times the worker's passes hand on to each other (wall ms). */
typedef struct worker_times {
    int64_t next_scan;   /* the next spool scan; 0: at once */
    int64_t tick_due;    /* the last tick's next due time (0: none); 1: at once */
    int64_t due;         /* this pass's wake-up for the tick; 0: none */
} worker_times;

/* Read the spool when a scan is due (and not coalesced); true when files
 * were taken.  Sets when the next scan is. */
static bool scan_step(exc_engine *e, worker_times *t)
{
    if (exc_now_ms() < t->next_scan || coalescing(e, &t->next_scan))
        return false;
    exc_spool_drain(&e->spool);
    size_t taken = ingest(e);
    e->batch_full = taken == BATCH_MAX;
    if (taken == BATCH_MAX)
        t->next_scan = 0;   /* commit this batch, then take the next at once */
    else
        t->next_scan = exc_now_ms() +
                       (exc_spool_fd(&e->spool) >= 0 ? RESCAN_MS : RESCAN_NO_INOTIFY_MS);
    /* a file written in place becomes ready after its quiet period */
    int64_t ready = exc_spool_next_ready(&e->spool);
    if (ready > 0 && ready < t->next_scan)
        t->next_scan = ready;
    return taken > 0;
}

/* A tick's due time on the grain (0: none, and 1: at once, kept). */
static int64_t grain_up(int64_t due)
{
    return due > 1 ? (due + TICK_GRAIN_MS - 1) / TICK_GRAIN_MS * TICK_GRAIN_MS : due;
}

/* Time-driven changes: stale servers, eventTtl, hold-down releases; true
 * when they changed the alarms.  Performance (issue 14): when nothing
 * changed since the last tick and nothing it named is due yet (a wake-up
 * that only moved a coalesced scan), it would decide the same: skipped.
 * Otherwise it walks every server only when something is due (rules.h). */
static bool tick_step(exc_engine *e, worker_times *t, bool changed)
{
    uint64_t alarms_before = e->alarms.version;
    if (changed || (t->tick_due > 0 && exc_now_ms() >= t->tick_due))
        t->tick_due = grain_up(exc_rules_tick_watched(&e->watch, &e->rules, &e->kb,
                                                      &e->model, &e->alarms, exc_now_ms()));
    t->due = t->tick_due;
    return e->alarms.version != alarms_before;
}

/* Stopping: a last try at a failed commit (otherwise its files are applied
 * again at the next start), or one checkpoint with the journal folded. */
static void finish(exc_engine *e)
{
    if (e->uncommitted) {
        if (commit(e))
            finish_dispositions(e);
    } else if (exc_state_pending(&e->state) || e->ack_unsaved_ms) {
        checkpoint(e);
    }
}

/* One pass of the worker: what was asked (acks, a reload), a failed commit
 * retried, the spool read, the tick, then one commit that publishes it all.
 * True when stopping and finished. */
static bool worker_step(exc_engine *e, worker_times *t)
{
    pthread_mutex_lock(&e->lock);
    bool stop = e->stop, reload = e->reload, ack_more = e->ack_more;
    uint64_t ack = e->ack_seq;
    pthread_mutex_unlock(&e->lock);
    t->due = 0;

    bool changed = false;
    if (ack && e->alarms.n_outbox && e->alarms.outbox[0].seq <= ack) {
        exc_alarms_ack(&e->alarms, ack);
        if (e->ack_unsaved_ms == 0)
            e->ack_unsaved_ms = exc_mono_ms();
    }
    if (reload) {
        handle_reload(e);
        changed = true;
    }
    /* A commit that failed (disk full, say) is retried before anything new
     * is read or decided: the files it covers must not be applied twice,
     * and nothing of it was published (it is, once committed). */
    if (e->uncommitted && !stop && !commit_and_publish(e)) {
        t->next_scan = retry_later(e);
        return false;
    }
    if (!stop && scan_step(e, t))
        changed = true;
    if (tick_step(e, t, changed))
        changed = true;
    /* acknowledgements not committed yet (by a commit above): now, when
     * the burst is all confirmed or has waited long enough */
    if (e->ack_unsaved_ms &&
        (!ack_more || exc_mono_ms() - e->ack_unsaved_ms >= ACK_COALESCE_MS))
        changed = true;
    if (changed && !commit_and_publish(e) && !stop) {
        t->next_scan = retry_later(e);
        return false;
    }
    if (stop) {
        finish(e);
        return true;
    }
    if (exc_state_pending(&e->state) && e->disp.n == 0 &&
        exc_mono_ms() - e->last_commit_ms >= CHECKPOINT_IDLE_MS)
        checkpoint(e);
    return false;
}

/* When the worker must wake up next: the next scan, the tick's due time or
 * the idle checkpoint, or the commit of acknowledgements, whichever comes
 * first. */
static int64_t next_wake(const exc_engine *e, const worker_times *t)
{
    int64_t wake_at = t->next_scan;
    if (t->due > 0 && t->due < wake_at)
        wake_at = t->due;
    if (exc_state_pending(&e->state)) {
        int64_t at = exc_now_ms() + CHECKPOINT_IDLE_MS - (exc_mono_ms() - e->last_commit_ms);
        if (at < wake_at)
            wake_at = at;
    }
    if (e->ack_unsaved_ms) {
        int64_t at = exc_now_ms() + ACK_COALESCE_MS - (exc_mono_ms() - e->ack_unsaved_ms);
        if (at < wake_at)
            wake_at = at;
    }
    return wake_at;
}

/* Sleep until wake_at (a minute at most), a wake-up through the pipe (an
 * ack, a reload, the stop) or the spool's inotify descriptor; a file
 * renamed in makes the next scan at once. */
static void wait_until(exc_engine *e, int64_t wake_at, worker_times *t)
{
    int64_t timeout = wake_at - exc_now_ms();
    if (timeout < 0)
        timeout = 0;
    if (timeout > 60000)
        timeout = 60000;
    struct pollfd pfd[2] = {{e->wake[0], POLLIN, 0}, {exc_spool_fd(&e->spool), POLLIN, 0}};
    int np = pfd[1].fd >= 0 ? 2 : 1;
    if (poll(pfd, (nfds_t)np, (int)timeout) <= 0)
        return;
    if (pfd[0].revents & POLLIN) {
        char buf[64];
        while (read(e->wake[0], buf, sizeof buf) > 0)
            ;
    }
    if (np == 2 && (pfd[1].revents & POLLIN))
        t->next_scan = 0;
}

static void *worker(void *arg)
{
    exc_engine *e = arg;
    worker_times t = {.next_scan = 0, .tick_due = 1};
    while (!worker_step(e, &t))
        wait_until(e, next_wake(e, &t), &t);
    return NULL;
}

static bool make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    return true;
}

/* The one teardown, of a started engine (its worker joined) or of one that
 * failed to start (whatever was not opened yet is -1 or zeroed). */
static void engine_free(exc_engine *e)
{
    for (int i = 0; i < 2; i++) {
        if (e->wake[i] >= 0)
            close(e->wake[i]);
        if (e->snap[i] >= 0)
            close(e->snap[i]);
    }
    exc_snapshot_free(e->pending);
    exc_snapshot_free(e->last);
    exc_kb_free(&e->new_kb);
    exc_spool_close(&e->spool);
    exc_dispositions_free(&e->disp);
    exc_state_close(&e->state);
    exc_alarms_free(&e->alarms);
    exc_model_free(&e->model);
    exc_kb_free(&e->kb);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

exc_engine *exc_engine_start(const exc_config *cfg, exc_kb *kb, exc_err *err)
{
    exc_engine *e = exc_calloc(1, sizeof *e);
    e->cfg = *cfg;
    e->kb = *kb;
    memset(kb, 0, sizeof *kb);
    exc_model_init(&e->model, cfg->stall_samples);
    exc_alarms_init(&e->alarms, cfg->history_size, cfg->hold_down, cfg->queue_size,
                    cfg->notifications_enabled);
    set_rules_cfg(e);
    e->wake[0] = e->wake[1] = e->snap[0] = e->snap[1] = -1;
    pthread_mutex_init(&e->lock, NULL);

    exc_state_init(&e->state, cfg->state_dir);
    if (!exc_state_prepare(cfg->state_dir, err))
        goto fail;
    bool found;
    if (!exc_state_load(cfg->state_dir, &e->model, &e->alarms, &e->disp, &found, err))
        goto fail;
    /* settings may have changed since the state was written */
    exc_model_configure(&e->model, cfg);
    exc_alarms_configure(&e->alarms, cfg->history_size, cfg->hold_down, cfg->queue_size,
                         cfg->notifications_enabled);
    if (found)
        exc_log(LOG_INFO, "state loaded: %zu server(s), %zu active alarm(s)",
                e->model.n_servers, e->alarms.n_active);
    exc_spool_open(&e->spool, cfg->spool_dir);
    /* files the last commit accounted for but did not get to finish */
    finish_dispositions(e);
    /* the KB may have changed while we were down */
    exc_rules_eval_all(&e->rules, &e->kb, &e->model, &e->alarms, exc_now_ms());

    if (!make_pipe(e->wake) || !make_pipe(e->snap)) {
        exc_err_set(err, 0, "cannot create pipes: %s", strerror(errno));
        goto fail;
    }
    /* The first snapshot, from the loaded state, is waiting before the agent
     * thread serves its first request (exc_feed_init takes it): otherwise a
     * restarted agent answers from an empty MIB -- no alarms, no tables --
     * until the worker's first pass.  Committed first: the KB's re-evaluation
     * may have raised alarms (notices) that must not go out uncommitted; if
     * the commit fails, the worker retries it before anything else. */
    commit_and_publish(e);
    int rc = pthread_create(&e->thread, NULL, worker, e);
    if (rc != 0) {
        exc_err_set(err, 0, "cannot start worker thread: %s", strerror(rc));
        goto fail;
    }
    return e;
fail:
    engine_free(e);
    return NULL;
}

int exc_engine_snapshot_fd(const exc_engine *e) { return e->snap[0]; }

exc_snapshot *exc_engine_take_snapshot(exc_engine *e)
{
    char buf[64];
    while (read(e->snap[0], buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&e->lock);
    exc_snapshot *s = e->pending;
    e->pending = NULL;
    pthread_mutex_unlock(&e->lock);
    return s;
}

void exc_engine_ack(exc_engine *e, uint64_t seq, bool more)
{
    pthread_mutex_lock(&e->lock);
    if (seq >= e->ack_seq) {
        e->ack_seq = seq;
        e->ack_more = more;
    }
    pthread_mutex_unlock(&e->lock);
    poke(e->wake[1]);
}

void exc_engine_reload(exc_engine *e, const exc_config *cfg, exc_kb *kb)
{
    pthread_mutex_lock(&e->lock);
    exc_kb_free(&e->new_kb);
    e->new_cfg = *cfg;
    e->new_kb = *kb;
    memset(kb, 0, sizeof *kb);
    e->reload = true;
    pthread_mutex_unlock(&e->lock);
    poke(e->wake[1]);
}

void exc_engine_stop(exc_engine *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&e->lock);
    e->stop = true;
    pthread_mutex_unlock(&e->lock);
    poke(e->wake[1]);
    pthread_join(e->thread, NULL);
    engine_free(e);
}
