/* What the model accepts (issue 9 items 6 and 9; contract A): times not in
 * the future beyond maxClockSkew, at most maxServers servers and
 * maxRowsPerServer rows per report; and the two small records of
 * SPOOL/reports besides the report itself: <collectionStatus> and
 * <forgetServer>.  Every refusal says what was wrong and which setting
 * decides it, and changes nothing. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void exc_model_configure(exc_model *m, const exc_config *cfg)
{
    m->stall_samples = cfg->stall_samples;
    m->max_clock_skew = cfg->max_clock_skew;
    m->max_servers = cfg->max_servers;
    m->max_rows = cfg->max_rows_per_server;
}

/* A time later than now + skew: the reason, naming the setting. */
static bool check_time(const exc_model *m, const char *what, int64_t t, int64_t now_ms,
                       exc_err *err)
{
    int64_t limit = now_ms / 1000 + m->max_clock_skew;
    if (m->max_clock_skew < 0 || t <= limit)
        return true;
    char a[32], b[32];
    exc_format_iso8601(t, a, sizeof a);
    exc_format_iso8601(now_ms / 1000, b, sizeof b);
    exc_err_set(err, 0,
                "%s %s is in the future (now %s; <servers maxClockSkew> allows %lld s)", what,
                a, b, (long long)m->max_clock_skew);
    return false;
}

static bool room_for(const exc_model *m, size_t new_servers, exc_err *err)
{
    if (m->max_servers == 0 || m->n_servers + new_servers <= m->max_servers)
        return true;
    exc_err_set(err, 0, "a new server would exceed <limits maxServers> (%zu servers known)",
                m->n_servers);
    return false;
}

static size_t report_rows(const exc_report *r)
{
    size_t rows = r->n_connectors + r->n_queues + r->n_comports;
    for (size_t i = 0; i < r->n_comports; i++)
        rows += r->comports[i].n_claimants;
    return rows;
}

bool exc_model_admit_report(const exc_model *m, const exc_report *r, int64_t now_ms,
                            exc_err *err)
{
    switch (r->kind) {
    case EXC_REC_REPORT: {
        size_t rows = report_rows(r);
        if (m->max_rows != 0 && rows > m->max_rows) {
            exc_err_set(err, 0,
                        "report has %zu rows (connectors, queues, COM ports, claimants), "
                        "more than <limits maxRowsPerServer> %zu",
                        rows, m->max_rows);
            return false;
        }
        return check_time(m, "report collected", r->collected, now_ms, err) &&
               (exc_model_find(m, r->server) != NULL || room_for(m, 1, err));
    }
    case EXC_REC_STATUS: {
        if (!check_time(m, "collection status collected", r->collected, now_ms, err))
            return false;
        const exc_server *s = exc_model_find(m, r->status.server);
        if (s == NULL)
            return room_for(m, 1, err);
        if (s->collect_status != 0 && r->collected < s->collect_time) {
            char a[32], b[32];
            exc_format_iso8601(r->collected, a, sizeof a);
            exc_format_iso8601(s->collect_time, b, sizeof b);
            exc_err_set(err, 0,
                        "stale collection status: collected %s is older than the last "
                        "accepted %s",
                        a, b);
            return false;
        }
        return true;
    }
    case EXC_REC_FORGET:
        if (exc_model_find(m, r->server) == NULL) {
            exc_err_set(err, 0, "forgetServer: no server \"%s\" is known", r->server);
            return false;
        }
        return true;
    default:
        exc_err_set(err, 0, "unknown record kind");
        return false;
    }
}

bool exc_model_apply_status(exc_model *m, const exc_report *r, int64_t now_ms, exc_err *err)
{
    exc_server *s = exc_model_get_or_add(m, r->status.server, now_ms);
    if (s == NULL) {
        exc_err_set(err, 0, "collection status has no valid server name");
        return false;
    }
    s->collect_status = r->status.status;
    s->collect_time = r->collected;
    memcpy(s->collect_error, r->status.error, sizeof s->collect_error);
    s->collect_error[sizeof s->collect_error - 1] = '\0';
    return true;
}

bool exc_model_apply_forget(exc_model *m, const exc_report *r, exc_err *err)
{
    if (!exc_model_remove(m, r->server)) {
        exc_err_set(err, 0, "forgetServer: no server \"%s\" is known", r->server);
        return false;
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Distinct servers of the batch the model does not know yet. */
static size_t new_servers(const exc_model *m, const exc_event_batch *b)
{
    const char **names = exc_calloc(b->n ? b->n : 1, sizeof *names);
    size_t n = 0, distinct = 0;
    for (size_t i = 0; i < b->n; i++)
        if (exc_model_find(m, b->events[i].server) == NULL)
            names[n++] = b->events[i].server;
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(names[i - 1], names[i]) != 0)
            distinct++;
    free(names);
    return distinct;
}

bool exc_model_admit_events(const exc_model *m, exc_event_batch *b, int64_t now_ms,
                            exc_err *err)
{
    bool ok = true;
    for (size_t i = 0; ok && i < b->n; i++) {
        const exc_event *ev = &b->events[i];
        char what[EXC_QUOTE_BUF + 64], q[EXC_QUOTE_BUF], rec[32] = "";
        if (ev->record_id != 0)
            snprintf(rec, sizeof rec, ", record %llu", (unsigned long long)ev->record_id);
        snprintf(what, sizeof what, "event %zu (%s %u%s) created", i + 1,
                 exc_quote(q, ev->provider), (unsigned)ev->id, rec);
        ok = check_time(m, what, ev->time, now_ms, err);
    }
    if (ok && m->max_servers != 0)
        ok = room_for(m, new_servers(m, b), err);
    if (!ok)
        exc_events_free(b);
    return ok;
}

void exc_server_collect_note(const exc_server *s, char *desc, size_t cap)
{
    if (s->collect_status == 0 || s->collect_status == EXC_CS_OK || cap == 0)
        return;
    char note[EXC_TEXT_BUF + 48];
    snprintf(note, sizeof note, "; collector: %s%s%s", exc_collect_status_name(s->collect_status),
             s->collect_error[0] ? ": " : "", s->collect_error);
    size_t n = strlen(desc);
    if (n + 1 < cap)
        exc_utf8_copy(desc + n, cap - n, note);
}
