/* Service Control Manager events -> connector rows (issue 11 item 2).
 *
 * Until a report has described a server, what its System log says about
 * the Exchange services is the best knowledge there is: a 7024 says the
 * service stopped with a service-specific error, a 7023 with a Win32 error,
 * 7000 that it failed to start, 7009 that it timed out starting, 7031/7034
 * that it died, 7036 that it entered the running or stopped state.  Such an
 * event updates (or creates) the row of the connector the service runs,
 * named after the service (MSExchangeIMC) unless a row of its type exists.
 * The first report replaces all of it (exc_model_apply_report), and after
 * that SCM events change no row: reports are the authority.
 *
 * Decisions:
 *  - the provider must be "Service Control Manager" (NT 4.0 through 2022;
 *    Vista and later add a Guid and EventSourceName, which do not matter);
 *  - Data[1] is the display name (looked up as kb.h says), Data[2] the code
 *    or state; for 7009 ("a timeout (%1 ms) ... for the %2 service") the
 *    display name is Data[2]; a code is decimal or "%%N" (a message-table
 *    reference);
 *  - 7036's state is the English word Windows writes ("running",
 *    "stopped"); another word leaves the state unknown;
 *  - events apply in arrival order (the spool's name order is time order,
 *    contract A); the row's last change is the arrival time, as for reports;
 *  - a 7024's Win32 exit code is ERROR_SERVICE_SPECIFIC_ERROR (1066), a
 *    7009's ERROR_SERVICE_REQUEST_TIMEOUT (1053).
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "kb.h"
#include "model.h"
#include "util.h"

#define SCM_PROVIDER "Service Control Manager"
#define ERROR_SERVICE_SPECIFIC_ERROR 1066
#define ERROR_SERVICE_REQUEST_TIMEOUT 1053

/* Decimal, or "%%N": false when neither. */
static bool scm_code(const exc_event *ev, size_t i, uint32_t *out)
{
    if (i >= ev->n_data || ev->data[i] == NULL)
        return false;
    const char *v = ev->data[i];
    if (v[0] == '%' && v[1] == '%')
        v += 2;
    uint64_t n;
    if (!exc_parse_u64(v, UINT32_MAX, &n))
        return false;
    *out = (uint32_t)n;
    return true;
}

static exc_opt_u32 known(uint32_t v) { return (exc_opt_u32){true, v}; }

/* What the event says the service's state is now; false for other events. */
static bool scm_state(const exc_event *ev, exc_connector *c)
{
    uint32_t code;
    exc_opt_u32 none = {false, 0};
    switch (ev->id) {
    case 7024:   /* terminated with service-specific error %2 */
        if (!scm_code(ev, 1, &code))
            return false;
        c->state = EXC_ST_STOPPED;
        c->win32_exit = known(ERROR_SERVICE_SPECIFIC_ERROR);
        c->service_exit = known(code);
        return true;
    case 7023:   /* terminated with error %2 */
    case 7000:   /* failed to start: %2 */
        if (!scm_code(ev, 1, &code))
            return false;
        c->state = EXC_ST_STOPPED;
        c->win32_exit = known(code);
        c->service_exit = none;
        return true;
    case 7009:   /* timed out starting */
        c->state = EXC_ST_STOPPED;
        c->win32_exit = known(ERROR_SERVICE_REQUEST_TIMEOUT);
        c->service_exit = none;
        return true;
    case 7031:   /* terminated unexpectedly */
    case 7034:
        c->state = EXC_ST_STOPPED;
        c->win32_exit = none;
        c->service_exit = none;
        return true;
    case 7036:   /* entered the %2 state */
        if (ev->n_data < 2 || ev->data[1] == NULL)
            return false;
        c->state = exc_strcasecmp(ev->data[1], "running") == 0   ? EXC_ST_RUNNING
                   : exc_strcasecmp(ev->data[1], "stopped") == 0 ? EXC_ST_STOPPED
                                                                 : EXC_ST_UNKNOWN;
        if (c->state == EXC_ST_RUNNING) {
            c->win32_exit = known(0);
            c->service_exit = known(0);
        }
        return true;
    default:
        return false;
    }
}

/* The row of s for a service: the one a report or an earlier event gave it
 * (by service name, or named after it), else the first of its type; NULL. */
static exc_mconnector *row_for(exc_server *s, const exc_kb_service *svc)
{
    for (size_t i = 0; i < s->n_connectors; i++)
        if (exc_strcasecmp(s->connectors[i].c.service, svc->service) == 0)
            return &s->connectors[i];
    for (size_t i = 0; i < s->n_connectors; i++)
        if (s->connectors[i].c.type == svc->type)
            return &s->connectors[i];
    return NULL;
}

/* A new row, kept in name order (the model's binary searches rely on it). */
static exc_mconnector *add_row(exc_server *s, const exc_kb_service *svc)
{
    size_t pos = 0;
    while (pos < s->n_connectors && strcmp(s->connectors[pos].c.name, svc->service) < 0)
        pos++;
    s->connectors = exc_realloc(s->connectors, (s->n_connectors + 1) * sizeof *s->connectors);
    memmove(&s->connectors[pos + 1], &s->connectors[pos],
            (s->n_connectors - pos) * sizeof *s->connectors);
    s->n_connectors++;
    exc_mconnector *m = &s->connectors[pos];
    memset(m, 0, sizeof *m);
    exc_utf8_copy(m->c.name, sizeof m->c.name, svc->service);
    exc_utf8_copy(m->c.service, sizeof m->c.service, svc->service);
    m->c.type = svc->type;
    m->c.state = EXC_ST_UNKNOWN;
    m->c.dirsync = svc->type == EXC_CT_CCMAIL ? EXC_DS_UNKNOWN : EXC_DS_NA;
    m->c.queuefile = svc->type == EXC_CT_INTERNETMAIL ? EXC_QF_UNKNOWN : EXC_QF_NA;
    m->c.link = svc->type == EXC_CT_X400 ? EXC_LINK_UNKNOWN : EXC_LINK_NA;
    return m;
}

bool exc_model_apply_scm_event(exc_model *m, const exc_kb *kb, const exc_event *ev,
                               int64_t now_ms)
{
    size_t name_at = ev->id == 7009 ? 1 : 0;
    if (exc_strcasecmp(ev->provider, SCM_PROVIDER) != 0 || ev->n_data <= name_at)
        return false;
    exc_server *s = exc_model_find(m, ev->server);
    if (s == NULL || s->reported)
        return false;
    exc_model_touch(m, s);
    const exc_kb_service *svc = exc_kb_service_for(kb, s->name, ev->data[name_at]);
    if (svc == NULL)
        return false;
    exc_connector next;
    memset(&next, 0, sizeof next);
    if (!scm_state(ev, &next))
        return false;
    exc_mconnector *row = row_for(s, svc);
    if (row == NULL)
        row = add_row(s, svc);
    row->c.state = next.state;
    if (next.state != EXC_ST_UNKNOWN) {
        row->c.win32_exit = next.win32_exit;
        row->c.service_exit = next.service_exit;
    }
    row->last_change_ms = now_ms;
    return true;
}
