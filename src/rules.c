/* The diagnosis (SPEC §4): built-in detectors and event-match rules of the KB
 * articles turned into alarms.
 *
 * Ownership of alarms.  An alarm with an article is either event-raised (its
 * last_event_time / last_event_rx_ms are set) or detector-raised.  Detector
 * alarms of a server are recomputed from the model on every evaluation: the
 * desired set of an article is the union of what its detector rules find,
 * and a detector alarm of the server that is not desired any more clears
 * (this also clears alarms of articles that left the KB or stopped naming a
 * detector).  Event alarms clear on a later report (the raising rule's
 * clearState/clearDirSync) or after eventTtl.  The stale alarm (no article)
 * belongs to exc_rules_tick, with a report clearing it early.
 *
 * Decisions where the spec is silent:
 *   - An event rule's message matches, ASCII case-insensitively, as a
 *     substring of the rendered message or of any EventData/Data item (a
 *     collector may or may not render the message; the data items carry the
 *     same inserts).
 *   - Per article, the first matching event rule decides the resource; an
 *     event raises at most one alarm per article.
 *   - A report clears an event alarm when collected strictly after the newest
 *     matching event's TimeCreated.  When the alarm's resource is the
 *     provider name (the connector was unknown when the event came), the
 *     server's first connector of the rule's type is the one that must show
 *     the clear state.
 *   - An unparsable MTA build (not a dotted list of numbers) is not affected
 *     by Q193760: only an empty one counts as unknown.
 *   - staleAfter 0 / eventTtl 0 switch that time rule off (the config
 *     refuses 0; this keeps a zero from raising everything at once).
 *   - The stale alarm is raised once; it is not updated on every tick (its
 *     description states the age when it was raised).
 *   - A KB reload (exc_rules_eval_all) raises new alarms and clears gone
 *     ones, but does not count matches again for alarms already active.
 */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---------- text helpers ---------- */

typedef struct sbuf {
    char buf[1024];
    size_t len;
} sbuf;

static void sb_init(sbuf *b)
{
    b->buf[0] = '\0';
    b->len = 0;
}

static void sb_addf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_addf(sbuf *b, const char *fmt, ...)
{
    if (b->len >= sizeof b->buf - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->buf + b->len, sizeof b->buf - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    b->len += (size_t)n;
    if (b->len > sizeof b->buf - 1)
        b->len = sizeof b->buf - 1;
}


static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* ASCII case-insensitive substring test. */
static bool contains_nocase(const char *hay, const char *needle)
{
    if (hay == NULL)
        return false;
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && lower((unsigned char)p[k]) == lower((unsigned char)needle[k]))
            k++;
        if (k == n)
            return true;
    }
    return false;
}

/* ---------- alarms to clear ---------- */

/* Clears are collected first and done together: clearing reshapes the
 * active array being walked. */
typedef struct gone_list {
    uint32_t *v;
    size_t n;
} gone_list;

static void gone_add(gone_list *g, uint32_t index)
{
    g->v = exc_realloc(g->v, (g->n + 1) * sizeof *g->v);
    g->v[g->n++] = index;
}

static void gone_clear(gone_list *g, exc_alarms *a, int64_t now_ms)
{
    for (size_t i = 0; i < g->n; i++)
        exc_alarms_clear(a, g->v[i], now_ms);
    free(g->v);
    g->v = NULL;
    g->n = 0;
}

/* ---------- the desired set of one server ---------- */

typedef struct desired {
    const exc_kb_article *art;
    char resource[EXC_NAME_BUF];
    char desc[EXC_TEXT_BUF];
} desired;

typedef struct desired_set {
    size_t n, cap;
    desired *v;
} desired_set;

static void want(desired_set *ds, const exc_kb_article *art, const char *resource,
                 const char *desc)
{
    char res[EXC_NAME_BUF];
    exc_utf8_copy(res, sizeof res, resource);
    for (size_t i = 0; i < ds->n; i++)
        if (ds->v[i].art == art && strcmp(ds->v[i].resource, res) == 0)
            return;   /* two detectors of one article on one resource: first wins */
    if (ds->n == ds->cap) {
        ds->cap = ds->cap ? ds->cap * 2 : 8;
        ds->v = exc_realloc(ds->v, ds->cap * sizeof *ds->v);
    }
    desired *d = &ds->v[ds->n++];
    d->art = art;
    memcpy(d->resource, res, sizeof res);
    exc_utf8_one_line(d->desc, sizeof d->desc, desc);
}

static void claimants_text(sbuf *b, const exc_comport *p)
{
    for (size_t i = 0; i < p->n_claimants; i++)
        sb_addf(b, "%s%s", i ? ", " : "", p->claimants[i].name);
}

/* Q158047 (a): a COM port with two or more claimants. */
static void det_comport(desired_set *ds, const exc_kb_article *art, const exc_server *s)
{
    for (size_t i = 0; i < s->n_comports; i++) {
        const exc_comport *p = &s->comports[i].p;
        if (p->n_claimants < 2)
            continue;
        sbuf b;
        sb_init(&b);
        sb_addf(&b, "%s claimed by ", p->name);
        claimants_text(&b, p);
        want(ds, art, p->name, b.buf);
    }
}

/* Q158047 (b): an msMail connector stopped with service-specific error 3. */
static void det_msmail3(desired_set *ds, const exc_kb_article *art, const exc_server *s)
{
    for (size_t i = 0; i < s->n_connectors; i++) {
        const exc_connector *c = &s->connectors[i].c;
        if (c->type != EXC_CT_MSMAIL || c->state != EXC_ST_STOPPED || !c->service_exit.known ||
            c->service_exit.v != 3)
            continue;
        sbuf b;
        sb_init(&b);
        sb_addf(&b, "%s stopped with service-specific error 3", c->name);
        if (c->com_port[0] != '\0') {
            const exc_mcomport *mp = exc_server_comport(s, c->com_port);
            if (mp == NULL) {
                sb_addf(&b, " (port %s)", c->com_port);
            } else if (mp->p.n_claimants == 0) {
                sb_addf(&b, " (%s, no claimant reported)", c->com_port);
            } else {
                sb_addf(&b, " (%s claimed by ", c->com_port);
                claimants_text(&b, &mp->p);
                sb_addf(&b, ")");
            }
        }
        want(ds, art, c->name, b.buf);
    }
}

#define VER_PARTS 8

/* "a.b.c..." with 1..VER_PARTS decimal components (leading and trailing
 * blanks allowed); missing trailing components count as 0. */
static bool parse_version(const char *s, unsigned long v[VER_PARTS], int *n)
{
    while (*s == ' ' || *s == '\t')
        s++;
    *n = 0;
    memset(v, 0, VER_PARTS * sizeof v[0]);
    for (;;) {
        if (*s < '0' || *s > '9' || *n == VER_PARTS)
            return false;
        unsigned long x = 0;
        while (*s >= '0' && *s <= '9') {
            if (x > 99999999UL)
                return false;
            x = x * 10 + (unsigned long)(*s - '0');
            s++;
        }
        v[(*n)++] = x;
        if (*s != '.')
            break;
        s++;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

static int version_cmp(const unsigned long a[VER_PARTS], const unsigned long b[VER_PARTS])
{
    for (int i = 0; i < VER_PARTS; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

bool exc_rules_mta_build_affected(const char *build, const char **fix)
{
    static const struct { unsigned long major, minor; const char *fix; } lines[] = {
        { 4, 0, "4.0.997.2" },
        { 5, 0, "5.0.1461.50" },
    };
    if (fix)
        *fix = "";
    const char *p = build ? build : "";
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return true;   /* unknown: counts as affected */
    unsigned long v[VER_PARTS], f[VER_PARTS];
    int n, nf;
    if (!parse_version(p, v, &n) || n < 2)
        return false;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (v[0] != lines[i].major || v[1] != lines[i].minor)
            continue;
        if (fix)
            *fix = lines[i].fix;
        parse_version(lines[i].fix, f, &nf);
        return version_cmp(v, f) < 0;
    }
    return false;   /* 5.5 and later, or not a 4.0/5.0 line */
}

/* Q193760: synchronous MTA, a link down, and another link's queue stalled. */
static void det_mta_stall(desired_set *ds, const exc_kb_article *art, const exc_server *s,
                          unsigned stall_samples)
{
    const char *build = s->mta_version[0] ? s->mta_version : s->exchange_version;
    const char *fix;
    if (!exc_rules_mta_build_affected(build, &fix))
        return;
    bool any_down = false;
    for (size_t i = 0; i < s->n_connectors && !any_down; i++)
        any_down = s->connectors[i].c.type == EXC_CT_X400 &&
                   s->connectors[i].c.link == EXC_LINK_DOWN;
    if (!any_down)
        return;
    sbuf stalled;
    sb_init(&stalled);
    bool any_stalled = false;
    for (size_t i = 0; i < s->n_connectors; i++) {
        const exc_connector *c = &s->connectors[i].c;
        if (c->type != EXC_CT_X400 || c->link != EXC_LINK_UP)
            continue;
        for (size_t j = 0; j < s->n_queues; j++) {
            const exc_mqueue *q = &s->queues[j];
            if (strcmp(q->q.connector, c->name) != 0 || !exc_queue_stalled(q, stall_samples))
                continue;
            sb_addf(&stalled, "%s%s stalled at %u messages on %s", any_stalled ? ", " : "",
                    q->q.name, q->q.messages.v, c->name);
            any_stalled = true;
        }
    }
    if (!any_stalled)
        return;
    char build_text[EXC_TEXT_BUF];
    if (build[0] == '\0' || build[strspn(build, " \t")] == '\0')
        snprintf(build_text, sizeof build_text, "MTA version unknown");
    else
        snprintf(build_text, sizeof build_text, "MTA %s below fix %s", build, fix);
    for (size_t i = 0; i < s->n_connectors; i++) {
        const exc_connector *c = &s->connectors[i].c;
        if (c->type != EXC_CT_X400 || c->link != EXC_LINK_DOWN)
            continue;
        sbuf b;
        sb_init(&b);
        sb_addf(&b, "%s down; %s; %s", c->name, build_text, stalled.buf);
        want(ds, art, c->name, b.buf);
    }
}

/* Q148727: an internetMail connector stopped with error 2140, with the
 * article's likely causes the report shows. */
static void det_imc2140(desired_set *ds, const exc_kb_article *art, const exc_server *s)
{
    for (size_t i = 0; i < s->n_connectors; i++) {
        const exc_connector *c = &s->connectors[i].c;
        if (c->type != EXC_CT_INTERNETMAIL || c->state != EXC_ST_STOPPED ||
            !c->win32_exit.known || c->win32_exit.v != 2140)
            continue;
        sbuf causes;
        sb_init(&causes);
        const char *qf = c->queuefile == EXC_QF_READONLY ? "queue.dat read-only"
                         : c->queuefile == EXC_QF_MISSING ? "queue.dat missing"
                         : c->queuefile == EXC_QF_DAMAGED ? "queue.dat damaged"
                         : NULL;
        if (qf)
            sb_addf(&causes, "%s", qf);
        for (size_t j = 0; j < s->n_queues; j++) {
            const exc_queue *q = &s->queues[j].q;
            if (q->kind != EXC_QK_MTSIN && q->kind != EXC_QK_MTSOUT)
                continue;
            /* the server's MTS queues, unless reported under another connector */
            if (q->connector[0] != '\0' && strcmp(q->connector, c->name) != 0 &&
                exc_server_connector(s, q->connector) != NULL &&
                exc_server_connector(s, q->connector)->c.type == EXC_CT_INTERNETMAIL)
                continue;
            if (!q->messages.known || q->messages.v == 0)
                continue;
            sb_addf(&causes, "%s%u messages in %s", causes.len ? ", " : "", q->messages.v,
                    q->name);
        }
        sbuf b;
        sb_init(&b);
        if (causes.len)
            sb_addf(&b, "IMC stopped with error 2140: %s", causes.buf);
        else
            sb_addf(&b, "IMC stopped with error 2140; no likely cause visible in the report");
        want(ds, art, c->name, b.buf);
    }
}

static void run_detector(desired_set *ds, const exc_kb_article *art, int detector,
                         const exc_server *s, unsigned stall_samples)
{
    switch (detector) {
    case EXC_DET_COMPORT_CONFLICT: det_comport(ds, art, s); break;
    case EXC_DET_MSMAIL_EXIT3: det_msmail3(ds, art, s); break;
    case EXC_DET_MTA_LINK_STALL: det_mta_stall(ds, art, s, stall_samples); break;
    case EXC_DET_IMC_EXIT2140: det_imc2140(ds, art, s); break;
    default: break;
    }
}

/* ---------- event alarms ---------- */

static bool event_owned(const exc_alarm *al)
{
    return al->last_event_rx_ms != 0 || al->last_event_time != 0;
}


/* The connector of s an event rule's alarm with this resource is about. */
static const exc_mconnector *rule_connector(const exc_kb_rule *ru, const exc_server *s,
                                            const char *resource)
{
    if (ru->connector_type == 0 || s == NULL)
        return NULL;
    const exc_mconnector *c = exc_server_connector(s, resource);
    if (c != NULL)
        return c->c.type == ru->connector_type ? c : NULL;
    char prov[EXC_NAME_BUF];
    exc_utf8_copy(prov, sizeof prov, ru->provider);
    if (exc_strcasecmp(prov, resource) == 0)
        return exc_server_connector_of_type(s, ru->connector_type);
    return NULL;
}

/* The connector of s a Windows service runs: the one whose reported service
 * name it is, else the first of the service's type; NULL when none. */
static const exc_mconnector *service_connector(const exc_server *s, const char *service,
                                               int type)
{
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < s->n_connectors; i++)
        if (exc_strcasecmp(s->connectors[i].c.service, service) == 0)
            return &s->connectors[i];
    if (exc_server_connector(s, service) != NULL)
        return exc_server_connector(s, service);   /* a row named after the service */
    return type ? exc_server_connector_of_type(s, type) : NULL;
}

/* The resource Data[n] of an event names (resourceData): the display name
 * is looked up as a service (kb.h), which must run a connector of want_type
 * when that is given; the resource is that connector's name when the model
 * knows it, else the service name.  False when the event names no such
 * service. */
static bool data_resource(const exc_kb *kb, const exc_server *s, const char *server,
                          const exc_event *ev, unsigned n, int want_type, char *out, size_t cap,
                          const exc_mconnector **conn)
{
    if (n == 0 || n > ev->n_data || ev->data[n - 1] == NULL)
        return false;
    const exc_kb_service *svc = exc_kb_service_for(kb, server, ev->data[n - 1]);
    if (svc == NULL || (want_type != 0 && svc->type != want_type))
        return false;
    const exc_mconnector *c = service_connector(s, svc->service, svc->type);
    exc_utf8_copy(out, cap, c ? c->c.name : svc->service);
    if (conn)
        *conn = c;
    return true;
}

static bool tests_hold(const exc_kb_data_test *t, size_t n, const exc_event *ev)
{
    for (size_t i = 0; i < n; i++)
        if (!exc_kb_data_test_ok(&t[i], ev->n_data, ev->data))
            return false;
    return true;
}

/* The resource of an alarm a rule raises for an event (false: the rule does
 * not apply, its resourceData names no service of its type). */
static bool rule_resource(const exc_kb *kb, const exc_kb_rule *ru, const exc_server *s,
                          const char *server, const exc_event *ev, unsigned resource_data,
                          char *out, size_t cap, const exc_mconnector **conn)
{
    *conn = NULL;
    if (resource_data != 0)
        return data_resource(kb, s, server, ev, resource_data, ru->connector_type, out, cap,
                             conn);
    const exc_mconnector *c =
        ru->connector_type && s ? exc_server_connector_of_type(s, ru->connector_type) : NULL;
    exc_utf8_copy(out, cap, c ? c->c.name : ru->provider);
    *conn = c;
    return true;
}

/* A report collected after the alarm's newest event shows the connector in
 * the state of one of the article's event rules. */
static bool event_alarm_cleared_by_report(const exc_kb_article *art, const exc_server *s,
                                          const exc_alarm *al)
{
    if (!s->reported || s->collected <= al->last_event_time)
        return false;
    for (size_t i = 0; i < art->n_rules; i++) {
        const exc_kb_rule *ru = &art->rules[i];
        if (ru->kind != EXC_RULE_EVENT || ru->clear_state == 0)
            continue;
        const exc_mconnector *c = rule_connector(ru, s, al->resource);
        if (c == NULL || c->c.state != ru->clear_state)
            continue;
        if (ru->clear_dirsync != 0 && c->c.dirsync != ru->clear_dirsync)
            continue;
        return true;
    }
    return false;
}

/* ---------- evaluation ---------- */

static bool stale_enabled(const exc_rules_cfg *cfg) { return cfg->stale_after > 0; }

/* Event alarms raised before the server's report named its connectors carry
 * the service name (MSExchangeIMC) as resource; once a report shows the
 * connector that service runs, the alarm takes the connector's name, so that
 * events and reports agree on one identity. */
static void adopt_connector_names(const exc_kb *kb, exc_alarms *a, const exc_server *s,
                                  int64_t now_ms)
{
    for (size_t i = 0; s->reported && i < a->n_active; i++) {
        exc_alarm *al = &a->active[i];
        if (exc_alarm_is_stale(al) || exc_strcasecmp(al->server, s->name) != 0 ||
            exc_server_connector(s, al->resource) != NULL)
            continue;
        int type = exc_kb_service_type(kb, al->resource);
        if (type == 0)
            continue;
        const exc_mconnector *c = service_connector(s, al->resource, type);
        if (c == NULL || exc_alarms_find(a, al->article, al->server, c->c.name) != NULL)
            continue;
        exc_alarms_rename(a, al->index, c->c.name, now_ms);
    }
}

static bool has_detector(const exc_kb_article *art)
{
    for (size_t k = 0; k < art->n_rules; k++)
        if (art->rules[k].kind == EXC_RULE_DETECTOR)
            return true;
    return false;
}

static bool is_desired(const desired_set *ds, const char *article, const char *resource)
{
    for (size_t k = 0; k < ds->n; k++)
        if (strcmp(ds->v[k].art->id, article) == 0 && strcmp(ds->v[k].resource, resource) == 0)
            return true;
    return false;
}

/* An event alarm of an article that also has detectors (Q158047 (b) from a
 * 7024, Q148727 from a 7023) is the detectors' to judge once a report
 * collected after the event shows its connector. */
static bool judged_by_report(const exc_kb_article *art, const exc_server *s,
                             const exc_alarm *al)
{
    return has_detector(art) && s->reported && s->collected > al->last_event_time &&
           exc_server_connector(s, al->resource) != NULL;
}

static void eval_server(const exc_rules_cfg *cfg, const exc_kb *kb, exc_alarms *a,
                        const exc_server *s, int64_t now_ms, bool count)
{
    desired_set ds = { 0, 0, NULL };
    adopt_connector_names(kb, a, s, now_ms);
    for (size_t i = 0; kb != NULL && i < kb->n; i++) {
        const exc_kb_article *art = &kb->articles[i];
        for (size_t k = 0; k < art->n_rules; k++)
            if (art->rules[k].kind == EXC_RULE_DETECTOR)
                run_detector(&ds, art, art->rules[k].detector, s, cfg->stall_samples);
    }

    for (size_t i = 0; i < ds.n; i++) {
        const desired *d = &ds.v[i];
        if (!count && exc_alarms_find(a, d->art->id, s->name, d->resource) != NULL)
            continue;   /* re-evaluation without new evidence */
        exc_alarm *al = exc_alarms_raise(a, d->art, d->art->notification, d->art->severity,
                                         s->name, d->resource, d->desc, now_ms, NULL);
        if (al != NULL && event_owned(al) && judged_by_report(d->art, s, al)) {
            al->last_event_time = al->last_event_rx_ms = 0;   /* now the detector's */
            exc_alarms_touch(a, al);
        }
        exc_alarms_count_match(a, d->art->id);
    }

    /* Clears are collected first: clearing reshapes the active array. */
    gone_list gone = {NULL, 0};
    for (size_t i = 0; i < a->n_active; i++) {
        const exc_alarm *al = &a->active[i];
        if (exc_strcasecmp(al->server, s->name) != 0)
            continue;
        bool clear = false;
        if (exc_alarm_is_stale(al)) {
            clear = stale_enabled(cfg) && s->reported &&
                    now_ms - s->received_ms < (int64_t)cfg->stale_after * 1000;
        } else if (event_owned(al)) {
            const exc_kb_article *art = kb ? exc_kb_find(kb, al->article) : NULL;
            clear = art != NULL && (event_alarm_cleared_by_report(art, s, al) ||
                                    (judged_by_report(art, s, al) &&
                                     !is_desired(&ds, al->article, al->resource)));
        } else {
            clear = !is_desired(&ds, al->article, al->resource);
        }
        if (clear) {
            gone_add(&gone, al->index);
        }
    }
    gone_clear(&gone, a, now_ms);
    free(ds.v);
}

void exc_rules_eval_server(const exc_rules_cfg *cfg, const exc_kb *kb, const exc_model *m,
                           exc_alarms *a, const exc_server *s, int64_t now_ms)
{
    (void)m;
    if (s != NULL)
        eval_server(cfg, kb, a, s, now_ms, true);
}

static bool event_rule_matches(const exc_kb_rule *ru, const exc_event *ev)
{
    if (ru->kind != EXC_RULE_EVENT || ru->event_id != ev->id ||
        exc_strcasecmp(ru->provider, ev->provider) != 0 ||
        !tests_hold(ru->tests, ru->n_tests, ev))
        return false;
    if (ru->message[0] == '\0' || contains_nocase(ev->message, ru->message))
        return true;
    for (size_t i = 0; i < ev->n_data; i++)
        if (contains_nocase(ev->data[i], ru->message))
            return true;
    return false;
}

/* "event 70 from MSExchangeCCMC: <first line of the message | data; data>" */
static void event_text(sbuf *b, const exc_event *ev)
{
    sb_addf(b, "event %u from %s", (unsigned)ev->id, ev->provider);
    const char *msg = ev->message;
    if (msg != NULL) {
        /* first non-blank line, trimmed */
        for (;;) {
            msg += strspn(msg, " \t\r\n");
            size_t len = strcspn(msg, "\r\n");
            size_t t = len;
            while (t > 0 && (msg[t - 1] == ' ' || msg[t - 1] == '\t'))
                t--;
            if (t > 0) {
                sb_addf(b, ": %.*s", (int)t, msg);
                return;
            }
            if (msg[len] == '\0')
                break;
            msg += len;
        }
    }
    bool first = true;
    for (size_t i = 0; i < ev->n_data; i++) {
        if (ev->data[i] == NULL || ev->data[i][0] == '\0')
            continue;
        sb_addf(b, "%s%s", first ? ": " : "; ", ev->data[i]);
        first = false;
    }
}

/* Later events that clear (a <clearEvent> of one of the article's event
 * rules, naming the same resource): alarms of the server raised before ev. */
static void clear_by_event(const exc_kb *kb, const exc_server *s, const char *server,
                           exc_alarms *a, const exc_event *ev, int64_t now_ms)
{
    gone_list gone = {NULL, 0};
    for (size_t i = 0; i < a->n_active; i++) {
        const exc_alarm *al = &a->active[i];
        if (exc_alarm_is_stale(al) || exc_strcasecmp(al->server, server) != 0)
            continue;
        /* only what happened before this event: the raising event, or the
         * report that last confirmed a detector alarm */
        int64_t since = event_owned(al) ? al->last_event_time : (s ? s->collected : 0);
        const exc_kb_article *art = exc_kb_find(kb, al->article);
        if (art == NULL || ev->time < since)
            continue;
        bool clear = false;
        for (size_t k = 0; k < art->n_rules && !clear; k++) {
            const exc_kb_rule *ru = &art->rules[k];
            for (size_t c = 0; ru->kind == EXC_RULE_EVENT && c < ru->n_clears && !clear; c++) {
                const exc_kb_clear_event *ce = &ru->clears[c];
                char res[EXC_NAME_BUF];
                const exc_mconnector *conn;
                clear = ce->event_id == ev->id && exc_strcasecmp(ce->provider, ev->provider) == 0 &&
                        tests_hold(ce->tests, ce->n_tests, ev) &&
                        rule_resource(kb, ru, s, server, ev, ce->resource_data, res, sizeof res,
                                      &conn) &&
                        exc_strcasecmp(res, al->resource) == 0;
            }
        }
        if (clear) {
            gone_add(&gone, al->index);
        }
    }
    gone_clear(&gone, a, now_ms);
}

void exc_rules_on_event(const exc_rules_cfg *cfg, const exc_kb *kb, const exc_model *m,
                        exc_alarms *a, const exc_event *ev, int64_t now_ms)
{
    (void)cfg;
    if (kb == NULL || ev == NULL)
        return;
    const exc_server *s = m ? exc_model_find(m, ev->server) : NULL;
    const char *server = s ? s->name : ev->server;
    clear_by_event(kb, s, server, a, ev, now_ms);
    for (size_t i = 0; i < kb->n; i++) {
        const exc_kb_article *art = &kb->articles[i];
        const exc_kb_rule *ru = NULL;
        const exc_mconnector *c = NULL;
        char resource[EXC_NAME_BUF];
        for (size_t k = 0; k < art->n_rules && ru == NULL; k++)
            if (event_rule_matches(&art->rules[k], ev) &&
                rule_resource(kb, &art->rules[k], s, server, ev, art->rules[k].resource_data,
                              resource, sizeof resource, &c))
                ru = &art->rules[k];
        if (ru == NULL)
            continue;

        char suffix[64] = "";
        if (ru->clear_dirsync != 0 && c != NULL && c->c.dirsync != ru->clear_dirsync) {
            if (ru->clear_dirsync == EXC_DS_COMPLETED)
                snprintf(suffix, sizeof suffix, "; dirsync has not completed");
            else
                snprintf(suffix, sizeof suffix, "; dirsync is not %s",
                         exc_dirsync_name(ru->clear_dirsync));
        }
        sbuf b;
        sb_init(&b);
        event_text(&b, ev);
        char desc[EXC_TEXT_BUF];
        exc_utf8_one_line(desc, sizeof desc - strlen(suffix), b.buf);   /* the suffix always fits */
        strcat(desc, suffix);

        exc_alarm *al = exc_alarms_raise(a, art, art->notification, art->severity, server,
                                         resource, desc, now_ms, NULL);
        if (al != NULL) {
            if (ev->time > al->last_event_time)
                al->last_event_time = ev->time;
            al->last_event_rx_ms = now_ms;
            exc_alarms_touch(a, al);
        }
        exc_alarms_count_match(a, art->id);
    }
}

static void next_at(int64_t *next, int64_t t)
{
    if (t != 0 && (*next == 0 || t < *next))
        *next = t;
}

static int cmp_alarm_server(const void *x, const void *y)
{
    return exc_strcasecmp((*(const exc_alarm *const *)x)->server,
                          (*(const exc_alarm *const *)y)->server);
}

static const exc_alarm *find_stale(const exc_alarm *const *v, size_t n, const char *server)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = exc_strcasecmp(v[mid]->server, server);
        if (c == 0)
            return v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The active stale alarms, sorted by server name (looked up per server by
 * find_stale rather than by a scan per server); NULL when none. */
static const exc_alarm **sorted_stale(const exc_alarms *a, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < a->n_active; i++)
        if (exc_alarm_is_stale(&a->active[i]))
            (*n)++;
    if (*n == 0)
        return NULL;
    const exc_alarm **stale = exc_calloc(*n, sizeof *stale);
    size_t k = 0;
    for (size_t i = 0; i < a->n_active; i++)
        if (exc_alarm_is_stale(&a->active[i]))
            stale[k++] = &a->active[i];
    qsort(stale, k, sizeof *stale, cmp_alarm_server);
    return stale;
}

/* Raise the stale alarm of a server that has not reported for ref's age. */
static void raise_stale(exc_alarms *a, const exc_server *s, int64_t now_ms)
{
    int64_t ref = s->reported ? s->received_ms : s->created_ms;
    char when[32], desc[EXC_TEXT_BUF];
    if (s->reported) {
        exc_format_iso8601(s->collected, when, sizeof when);
        snprintf(desc, sizeof desc, "no report for %lld s (last report %s)",
                 (long long)((now_ms - ref) / 1000), when);
    } else {
        exc_format_iso8601(ref / 1000, when, sizeof when);
        snprintf(desc, sizeof desc, "no report since it became known at %s", when);
    }
    exc_server_collect_note(s, desc, sizeof desc);   /* "; collector: why" */
    exc_alarms_raise(a, NULL, EXC_NOTIF_SERVER_STALE, EXC_SEV_WARNING, s->name, s->name, desc,
                     now_ms, NULL);
}

/* Stale servers: raise for those without a report for staleAfter, clear
 * (into gone) for those that reported again; *next gets the first moment
 * one more may turn stale. */
static void tick_stale(const exc_rules_cfg *cfg, const exc_model *m, exc_alarms *a,
                       int64_t now_ms, gone_list *gone, int64_t *next)
{
    int64_t stale_ms = (int64_t)cfg->stale_after * 1000;
    size_t n_stale;
    const exc_alarm **stale = sorted_stale(a, &n_stale);
    uint32_t *raise_idx = NULL;   /* servers (by model position) to raise for */
    size_t n_raise = 0;
    for (size_t i = 0; i < m->n_servers; i++) {
        const exc_server *s = m->servers[i];
        int64_t ref = s->reported ? s->received_ms : s->created_ms;
        const exc_alarm *al = find_stale(stale, n_stale, s->name);
        if (now_ms - ref >= stale_ms) {
            if (al == NULL) {
                raise_idx = exc_realloc(raise_idx, (n_raise + 1) * sizeof *raise_idx);
                raise_idx[n_raise++] = (uint32_t)i;
            }
        } else {
            if (al != NULL)
                gone_add(gone, al->index);
            next_at(next, ref + stale_ms);
        }
    }
    free(stale);   /* raising below moves the active array */
    for (size_t k = 0; k < n_raise; k++)
        raise_stale(a, m->servers[raise_idx[k]], now_ms);
    free(raise_idx);
}

/* The alarms whose reason went (into gone): a stale alarm when its server
 * left or stale detection was switched off, an event's alarm after
 * eventTtl, any alarm of a forgotten server (<forgetServer>). */
static void tick_expired(const exc_rules_cfg *cfg, const exc_model *m, const exc_alarms *a,
                         int64_t now_ms, gone_list *gone, int64_t *next)
{
    for (size_t i = 0; i < a->n_active; i++) {
        const exc_alarm *al = &a->active[i];
        bool server_gone = m != NULL && exc_model_find(m, al->server) == NULL;
        bool clear = server_gone;
        if (exc_alarm_is_stale(al)) {
            clear = clear || !stale_enabled(cfg) || m == NULL;
        } else if (event_owned(al) && cfg->event_ttl > 0) {
            int64_t end = al->last_event_rx_ms + (int64_t)cfg->event_ttl * 1000;
            if (now_ms >= end)
                clear = true;
            else
                next_at(next, end);
        }
        if (clear)
            gone_add(gone, al->index);
    }
}

int64_t exc_rules_tick(const exc_rules_cfg *cfg, const exc_kb *kb, const exc_model *m,
                       exc_alarms *a, int64_t now_ms)
{
    (void)kb;
    int64_t next = 0;
    gone_list gone = {NULL, 0};
    if (stale_enabled(cfg) && m != NULL)
        tick_stale(cfg, m, a, now_ms, &gone, &next);
    tick_expired(cfg, m, a, now_ms, &gone, &next);
    gone_clear(&gone, a, now_ms);
    next_at(&next, exc_alarms_tick(a, now_ms));
    return next;
}

int64_t exc_rules_tick_watched(exc_rules_watch *w, const exc_rules_cfg *cfg, const exc_kb *kb,
                               exc_model *m, exc_alarms *a, int64_t now_ms)
{
    w->ticks++;
    bool walk = !exc_model_touched_since(m, EXC_TOUCH_RULES, w->token) ||
                (w->due != 0 && now_ms >= w->due) || memcmp(&w->cfg, cfg, sizeof *cfg) != 0;
    /* A touched server's staleness clock moves only with a report, whose
     * evaluation (eval_server) already cleared its stale alarm; one touched
     * yet stale (an event, no report) is for the walk to raise. */
    const exc_touch_list *l = &m->touched[EXC_TOUCH_RULES];
    int64_t stale_ms = (int64_t)cfg->stale_after * 1000;
    for (size_t i = 0; !walk && stale_enabled(cfg) && i < l->n; i++) {
        const exc_server *s = l->v[i];
        int64_t ref = s->reported ? s->received_ms : s->created_ms;
        walk = now_ms - ref >= stale_ms;
    }
    if (walk) {
        w->walks++;
        w->due = exc_rules_tick(cfg, kb, m, a, now_ms);
        w->cfg = *cfg;
        w->token = exc_model_take_touched(m, EXC_TOUCH_RULES);
        return w->due;
    }
    /* Deadlines set since the walk -- a touched server's staleness, an event
     * alarm's eventTtl -- all lie at least that long from now: waking then
     * walks everything again, so none is missed. */
    int64_t horizon = 0;
    if (stale_enabled(cfg))
        next_at(&horizon, now_ms + stale_ms);
    if (cfg->event_ttl > 0)
        next_at(&horizon, now_ms + (int64_t)cfg->event_ttl * 1000);
    next_at(&w->due, horizon);
    w->token = exc_model_take_touched(m, EXC_TOUCH_RULES);
    int64_t next = w->due;
    next_at(&next, exc_alarms_tick(a, now_ms));
    return next;
}

void exc_rules_eval_all(const exc_rules_cfg *cfg, const exc_kb *kb, const exc_model *m,
                        exc_alarms *a, int64_t now_ms)
{
    gone_list gone = {NULL, 0};
    for (size_t i = 0; i < a->n_active; i++) {
        const exc_alarm *al = &a->active[i];
        if (exc_alarm_is_stale(al))
            continue;
        const exc_kb_article *art = kb ? exc_kb_find(kb, al->article) : NULL;
        bool clear = art == NULL;
        if (art != NULL && event_owned(al)) {
            clear = true;   /* the article no longer has an event rule */
            for (size_t k = 0; k < art->n_rules && clear; k++)
                if (art->rules[k].kind == EXC_RULE_EVENT)
                    clear = false;
        }
        if (clear) {
            gone_add(&gone, al->index);
        }
    }
    gone_clear(&gone, a, now_ms);
    for (size_t i = 0; m != NULL && i < m->n_servers; i++)
        eval_server(cfg, kb, a, m->servers[i], now_ms, false);
}
