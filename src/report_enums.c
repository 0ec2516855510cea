/* Name <-> value tables of the report's enumerations (SPEC §3, numbered as
 * SPEC §6 numbers them: the report's order, from 1, notApplicable last). */
#include <string.h>

#include "enums.h"
#include "report.h"

#define COUNT EXC_ENUM_COUNT

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

/* Case-sensitive, as the schema's enumerations are. */
int exc_enum_from(const char *const *names, size_t n, const char *s)
{
    if (s == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i + 1;
    return 0;
}

const char *exc_enum_name(const char *const *names, size_t n, int v)
{
    if (v < 1 || (size_t)v > n)
        return NULL;
    return names[v - 1];
}

EXC_ENUM_FUNCS(exc_conn_type, conn_types, COUNT(conn_types))
EXC_ENUM_FUNCS(exc_svc_state, svc_states, COUNT(svc_states))
EXC_ENUM_FUNCS(exc_dirsync, dirsyncs, COUNT(dirsyncs) - 1)
EXC_ENUM_FUNCS(exc_queuefile, queuefiles, COUNT(queuefiles) - 1)
EXC_ENUM_FUNCS(exc_link, links, COUNT(links) - 1)
EXC_ENUM_FUNCS(exc_queue_kind, queue_kinds, COUNT(queue_kinds))
EXC_ENUM_FUNCS(exc_claimant_kind, claimant_kinds, COUNT(claimant_kinds))
EXC_ENUM_FUNCS(exc_collect_status, collect_statuses, COUNT(collect_statuses))
