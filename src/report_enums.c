/* Name <-> value tables of the report's enumerations (SPEC §3, numbered as
 * SPEC §6 numbers them: the report's order, from 1, notApplicable last). */
#include <string.h>

#include "report.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const conn_types[] = {"msMail", "ccMail", "internetMail", "x400", "other"};
static const char *const svc_states[] = {"stopped",         "startPending", "stopPending",
                                         "running",         "continuePending",
                                         "pausePending",    "paused",       "unknown"};
/* The last name of the next three is the MIB's notApplicable, never a report value. */
static const char *const dirsyncs[] = {"completed", "pending", "failed", "unknown",
                                       "notApplicable"};
static const char *const queuefiles[] = {"ok",      "missing", "readOnly", "damaged",
                                         "unknown", "notApplicable"};
static const char *const links[] = {"up", "down", "unknown", "notApplicable"};
static const char *const queue_kinds[] = {"mtsIn",       "mtsOut",   "imcInbound",
                                          "imcOutbound", "x400Link", "other"};
static const char *const claimant_kinds[] = {"msMailConnector", "remoteAccess", "mtaAsync",
                                             "ups",             "modem",        "otherDevice",
                                             "otherApplication"};
/* contract A: exConnServerCollectStatus */
static const char *const collect_statuses[] = {"ok",           "unreachable",   "authFailed",
                                               "accessDenied", "protocolError", "unknown"};

/* Case-sensitive, as the schema's enumerations are. n = how many names are
 * report values (the tail beyond n, notApplicable, is not accepted). */
static int from(const char *const *names, size_t n, const char *s)
{
    if (s == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i + 1;
    return 0;
}

static const char *name(const char *const *names, size_t n, int v)
{
    if (v < 1 || (size_t)v > n)
        return NULL;
    return names[v - 1];
}

int exc_conn_type_from(const char *s) { return from(conn_types, COUNT(conn_types), s); }
int exc_svc_state_from(const char *s) { return from(svc_states, COUNT(svc_states), s); }
int exc_dirsync_from(const char *s) { return from(dirsyncs, COUNT(dirsyncs) - 1, s); }
int exc_queuefile_from(const char *s) { return from(queuefiles, COUNT(queuefiles) - 1, s); }
int exc_link_from(const char *s) { return from(links, COUNT(links) - 1, s); }
int exc_queue_kind_from(const char *s) { return from(queue_kinds, COUNT(queue_kinds), s); }
int exc_claimant_kind_from(const char *s)
{
    return from(claimant_kinds, COUNT(claimant_kinds), s);
}

const char *exc_conn_type_name(int v) { return name(conn_types, COUNT(conn_types), v); }
const char *exc_svc_state_name(int v) { return name(svc_states, COUNT(svc_states), v); }
const char *exc_dirsync_name(int v) { return name(dirsyncs, COUNT(dirsyncs), v); }
const char *exc_queuefile_name(int v) { return name(queuefiles, COUNT(queuefiles), v); }
const char *exc_link_name(int v) { return name(links, COUNT(links), v); }
const char *exc_queue_kind_name(int v) { return name(queue_kinds, COUNT(queue_kinds), v); }
const char *exc_claimant_kind_name(int v)
{
    return name(claimant_kinds, COUNT(claimant_kinds), v);
}
int exc_collect_status_from(const char *s)
{
    return from(collect_statuses, COUNT(collect_statuses), s);
}
const char *exc_collect_status_name(int v)
{
    return name(collect_statuses, COUNT(collect_statuses), v);
}
