/* Unit tests of src/rules.c: the SPEC §4 table, article by article, with
 * the KB built in code (mirroring the files in kb/) and the model fed reports built
 * in code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarms.h"
#include "cu_main.h"
#include "event.h"
#include "kb.h"
#include "model.h"
#include "report.h"
#include "rules.h"
#include "util.h"

#define C0 1795341600LL              /* 2026-11-22T10:00:00Z */
#define T0 (C0 * 1000 + 30000)       /* reports arrive 30 s after collection */

/* ---------- KB in code ---------- */

static void add_article(exc_kb *kb, const char *id, int sev, int notif)
{
    kb->articles = exc_realloc(kb->articles, (kb->n + 1) * sizeof *kb->articles);
    exc_kb_article *a = &kb->articles[kb->n++];
    memset(a, 0, sizeof *a);
    snprintf(a->id, sizeof a->id, "%s", id);
    snprintf(a->title, sizeof a->title, "%s title", id);
    snprintf(a->url, sizeof a->url, "https://support.microsoft.com/kb/%s", id + 1);
    a->severity = sev;
    a->notification = notif;
}

static exc_kb_rule *add_rule(exc_kb *kb, int kind)
{
    exc_kb_article *a = &kb->articles[kb->n - 1];
    a->rules = exc_realloc(a->rules, (a->n_rules + 1) * sizeof *a->rules);
    exc_kb_rule *r = &a->rules[a->n_rules++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    return r;
}

static void add_detector(exc_kb *kb, int det) { add_rule(kb, EXC_RULE_DETECTOR)->detector = det; }

static void add_event(exc_kb *kb, const char *provider, uint16_t id, int ctype, int clear_state,
                      int clear_dirsync)
{
    exc_kb_rule *r = add_rule(kb, EXC_RULE_EVENT);
    snprintf(r->provider, sizeof r->provider, "%s", provider);
    r->event_id = id;
    r->connector_type = ctype;
    r->clear_state = clear_state;
    r->clear_dirsync = clear_dirsync;
}

/* The five shipped articles, sorted by id as exc_kb_find expects. */
static void build_kb(exc_kb *kb)
{
    memset(kb, 0, sizeof *kb);
    add_article(kb, "Q148727", EXC_SEV_CRITICAL, EXC_NOTIF_IMC_START_FAILED);
    add_detector(kb, EXC_DET_IMC_EXIT2140);
    add_article(kb, "Q158047", EXC_SEV_MAJOR, EXC_NOTIF_COMPORT_CONFLICT);
    add_detector(kb, EXC_DET_COMPORT_CONFLICT);
    add_detector(kb, EXC_DET_MSMAIL_EXIT3);
    add_article(kb, "Q166045", EXC_SEV_MAJOR, EXC_NOTIF_CCMAIL_EXPORT_FAILED);
    add_event(kb, "MSExchangeCCMC", 70, EXC_CT_CCMAIL, EXC_ST_RUNNING, EXC_DS_COMPLETED);
    add_article(kb, "Q182346", EXC_SEV_CRITICAL, EXC_NOTIF_IMC_QUEUE_IF_FAILED);
    add_event(kb, "MSExchangeIMC", 4087, EXC_CT_INTERNETMAIL, EXC_ST_RUNNING, 0);
    add_article(kb, "Q193760", EXC_SEV_CRITICAL, EXC_NOTIF_MTA_LINK_STALL);
    add_detector(kb, EXC_DET_MTA_LINK_STALL);
}

/* ---------- fixture ---------- */

typedef struct fx {
    exc_kb kb;
    exc_model m;
    exc_alarms a;
    exc_rules_cfg cfg;
} fx;

static void fx_init(fx *f)
{
    build_kb(&f->kb);
    exc_model_init(&f->m, 3);
    exc_alarms_init(&f->a, 500, 0, 1000, true);
    f->cfg.stale_after = 900;
    f->cfg.event_ttl = 86400;
    f->cfg.stall_samples = 3;
}

static void fx_free(fx *f)
{
    exc_kb_free(&f->kb);
    exc_model_free(&f->m);
    exc_alarms_free(&f->a);
}

/* ---------- reports in code ---------- */

static void rep_init(exc_report *r, const char *server, int64_t collected, const char *exv,
                     const char *mtav)
{
    memset(r, 0, sizeof *r);
    snprintf(r->server, sizeof r->server, "%s", server);
    snprintf(r->site, sizeof r->site, "HQ");
    r->collected = collected;
    snprintf(r->exchange_version, sizeof r->exchange_version, "%s", exv);
    snprintf(r->mta_version, sizeof r->mta_version, "%s", mtav);
}

static exc_connector *rep_conn(exc_report *r, const char *name, int type, int state)
{
    r->connectors = exc_realloc(r->connectors, (r->n_connectors + 1) * sizeof *r->connectors);
    exc_connector *c = &r->connectors[r->n_connectors++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->type = type;
    c->state = state;
    c->dirsync = type == EXC_CT_CCMAIL ? EXC_DS_UNKNOWN : EXC_DS_NA;
    c->queuefile = type == EXC_CT_INTERNETMAIL ? EXC_QF_UNKNOWN : EXC_QF_NA;
    c->link = type == EXC_CT_X400 ? EXC_LINK_UNKNOWN : EXC_LINK_NA;
    return c;
}

/* messages < 0: unknown */
static void rep_queue(exc_report *r, const char *name, const char *conn, int kind, long messages)
{
    r->queues = exc_realloc(r->queues, (r->n_queues + 1) * sizeof *r->queues);
    exc_queue *q = &r->queues[r->n_queues++];
    memset(q, 0, sizeof *q);
    snprintf(q->name, sizeof q->name, "%s", name);
    snprintf(q->connector, sizeof q->connector, "%s", conn);
    q->kind = kind;
    if (messages >= 0) {
        q->messages.known = true;
        q->messages.v = (uint32_t)messages;
    }
}

static void rep_port(exc_report *r, const char *name, const char *c1, const char *c2)
{
    r->comports = exc_realloc(r->comports, (r->n_comports + 1) * sizeof *r->comports);
    exc_comport *p = &r->comports[r->n_comports++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    const char *names[2] = { c1, c2 };
    for (int i = 0; i < 2; i++) {
        if (names[i] == NULL)
            continue;
        p->claimants = exc_realloc(p->claimants, (p->n_claimants + 1) * sizeof *p->claimants);
        exc_claimant *c = &p->claimants[p->n_claimants++];
        c->kind = i == 0 ? EXC_CK_MSMAIL : EXC_CK_RAS;
        snprintf(c->name, sizeof c->name, "%s", names[i]);
    }
}

/* Apply r to the model and evaluate its server, as the engine does. */
static const exc_server *apply(fx *f, exc_report *r, int64_t now)
{
    char server[EXC_SERVER_BUF];
    memcpy(server, r->server, sizeof server);
    exc_err err;
    memset(&err, 0, sizeof err);
    bool ok = exc_model_apply_report(&f->m, r, now, &err);
    if (!ok)
        fprintf(stderr, "\napply_report: %s\n", err.msg);
    CU_ASSERT_FATAL(ok);
    exc_report_free(r);
    const exc_server *s = exc_model_find(&f->m, server);
    CU_ASSERT_FATAL(s != NULL);
    exc_rules_eval_server(&f->cfg, &f->kb, &f->m, &f->a, s, now);
    return s;
}

static void on_event(fx *f, exc_event *ev, int64_t now)
{
    exc_model_note_event(&f->m, ev->server, now);
    exc_rules_on_event(&f->cfg, &f->kb, &f->m, &f->a, ev, now);
}

static void event_init(exc_event *ev, const char *server, const char *provider, uint16_t id,
                       int64_t time, char *message)
{
    memset(ev, 0, sizeof *ev);
    snprintf(ev->server, sizeof ev->server, "%s", server);
    snprintf(ev->provider, sizeof ev->provider, "%s", provider);
    ev->id = id;
    ev->level = 2;
    ev->time = time;
    ev->message = message;
}

static const exc_alarm *only_alarm(fx *f)
{
    CU_ASSERT_EQUAL(f->a.n_active, 1);
    return f->a.n_active == 1 ? &f->a.active[0] : NULL;
}

/* The one active alarm is ARTICLE's, with this severity, notification and
 * resource (and SERVER, unless NULL); its description is the caller's to
 * check. */
static const exc_alarm *expect_alarm(fx *f, const char *article, int severity, int notification,
                                     const char *server, const char *resource)
{
    const exc_alarm *al = only_alarm(f);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_STRING_EQUAL(al->article, article);
    CU_ASSERT_EQUAL(al->severity, severity);
    CU_ASSERT_EQUAL(al->notification, notification);
    if (server != NULL)
        CU_ASSERT_STRING_EQUAL(al->server, server);
    CU_ASSERT_STRING_EQUAL(al->resource, resource);
    return al;
}

static size_t count_article(const fx *f, const char *article)
{
    size_t n = 0;
    for (size_t i = 0; i < f->a.n_active; i++)
        n += strcmp(f->a.active[i].article, article) == 0;
    return n;
}

/* ---------- Q158047 ---------- */

static void test_q158047_comport(void)
{
    fx f;
    fx_init(&f);
    exc_report r;
    rep_init(&r, "exch01", C0, "5.0.1457.7", "");
    rep_port(&r, "COM1", "MS Mail Connector (async)", "Remote Access Service");
    rep_port(&r, "COM2", "UPS Service", NULL);   /* one claimant: no conflict */
    apply(&f, &r, T0);
    const exc_alarm *al = expect_alarm(&f, "Q158047", EXC_SEV_MAJOR, EXC_NOTIF_COMPORT_CONFLICT,
                                       "EXCH01", "COM1");
    CU_ASSERT_STRING_EQUAL(al->description,
                           "COM1 claimed by MS Mail Connector (async), Remote Access Service");
    CU_ASSERT_EQUAL(exc_alarms_matches(&f.a, "Q158047"), 1);
    CU_ASSERT_EQUAL_FATAL(f.a.n_outbox, 1);
    CU_ASSERT_STRING_EQUAL(f.a.outbox[0].url, "https://support.microsoft.com/kb/158047");

    /* still conflicting: count and last-seen updated, nothing new sent */
    rep_init(&r, "EXCH01", C0 + 60, "5.0.1457.7", "");
    rep_port(&r, "COM1", "MS Mail Connector (async)", "Remote Access Service");
    apply(&f, &r, T0 + 60000);
    al = only_alarm(&f);
    CU_ASSERT_EQUAL(al->count, 2);
    CU_ASSERT_EQUAL(al->last_seen_ms, T0 + 60000);
    CU_ASSERT_EQUAL(f.a.n_outbox, 1);
    CU_ASSERT_EQUAL(exc_alarms_matches(&f.a, "Q158047"), 2);

    /* at most one claimant: clears */
    rep_init(&r, "EXCH01", C0 + 120, "5.0.1457.7", "");
    rep_port(&r, "COM1", "MS Mail Connector (async)", NULL);
    apply(&f, &r, T0 + 120000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL_FATAL(f.a.n_outbox, 2);
    CU_ASSERT_EQUAL(f.a.outbox[1].notification, EXC_NOTIF_ALARM_CLEARED);
    CU_ASSERT_EQUAL(f.a.history[f.a.n_history - 1].transition, EXC_TR_CLEARED);

    /* a conflict again is a new alarm; the port gone from the report clears */
    rep_init(&r, "EXCH01", C0 + 180, "5.0.1457.7", "");
    rep_port(&r, "COM1", "A", "B");
    apply(&f, &r, T0 + 180000);
    al = only_alarm(&f);
    CU_ASSERT_EQUAL(al->index, 2);
    rep_init(&r, "EXCH01", C0 + 240, "5.0.1457.7", "");
    apply(&f, &r, T0 + 240000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    fx_free(&f);
}

static void test_q158047_msmail_exit3(void)
{
    fx f;
    fx_init(&f);
    exc_report r;
    rep_init(&r, "EXCH01", C0, "5.0.1457.7", "");
    exc_connector *c = rep_conn(&r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_STOPPED);
    c->win32_exit = (exc_opt_u32){ true, 1066 };
    c->service_exit = (exc_opt_u32){ true, 3 };
    snprintf(c->com_port, sizeof c->com_port, "COM1");
    rep_port(&r, "COM1", "MS Mail Connector (async)", "Remote Access Service");
    apply(&f, &r, T0);
    CU_ASSERT_EQUAL(f.a.n_active, 2);   /* (a) the port and (b) the connector */
    const exc_alarm *al = exc_alarms_find(&f.a, "Q158047", "EXCH01", "MS Mail Connector");
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_EQUAL(al->severity, EXC_SEV_MAJOR);
    CU_ASSERT_STRING_EQUAL(al->description,
                           "MS Mail Connector stopped with service-specific error 3 (COM1 claimed "
                           "by MS Mail Connector (async), Remote Access Service)");
    CU_ASSERT_PTR_NOT_NULL(exc_alarms_find(&f.a, "Q158047", "EXCH01", "COM1"));
    CU_ASSERT_EQUAL(exc_alarms_matches(&f.a, "Q158047"), 2);

    /* the conflict is gone but the connector still fails: (b) stays, (a) clears */
    rep_init(&r, "EXCH01", C0 + 60, "5.0.1457.7", "");
    c = rep_conn(&r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_STOPPED);
    c->service_exit = (exc_opt_u32){ true, 3 };
    snprintf(c->com_port, sizeof c->com_port, "COM1");
    apply(&f, &r, T0 + 60000);
    al = only_alarm(&f);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_STRING_EQUAL(al->resource, "MS Mail Connector");
    CU_ASSERT_STRING_EQUAL(al->description,
                           "MS Mail Connector stopped with service-specific error 3 (port COM1)");

    /* running again: clears */
    rep_init(&r, "EXCH01", C0 + 120, "5.0.1457.7", "");
    rep_conn(&r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_RUNNING);
    apply(&f, &r, T0 + 120000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);

    /* no false alarms: another service exit code, an unknown one, another type */
    rep_init(&r, "EXCH01", C0 + 180, "5.0.1457.7", "");
    c = rep_conn(&r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_STOPPED);
    c->service_exit = (exc_opt_u32){ true, 5 };
    rep_conn(&r, "MS Mail Connector 2", EXC_CT_MSMAIL, EXC_ST_STOPPED);
    c = rep_conn(&r, "Other", EXC_CT_OTHER, EXC_ST_STOPPED);
    c->service_exit = (exc_opt_u32){ true, 3 };
    c = rep_conn(&r, "MS Mail Connector 3", EXC_CT_MSMAIL, EXC_ST_START_PENDING);
    c->service_exit = (exc_opt_u32){ true, 3 };
    apply(&f, &r, T0 + 180000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    fx_free(&f);
}

/* ---------- Q166045 ---------- */

static void ccmail_report(exc_report *r, int64_t collected, int state, int dirsync)
{
    rep_init(r, "EXCH01", collected, "5.0.1457.7", "");
    exc_connector *c = rep_conn(r, "cc:Mail Connector", EXC_CT_CCMAIL, state);
    c->dirsync = dirsync;
    snprintf(c->service, sizeof c->service, "MSExchangeCCMC");
}

static void test_q166045(void)
{
    fx f;
    fx_init(&f);
    exc_report r;
    ccmail_report(&r, C0, EXC_ST_RUNNING, EXC_DS_PENDING);
    apply(&f, &r, T0);
    CU_ASSERT_EQUAL(f.a.n_active, 0);

    char msg[] = "Lotus cc:Mail EXPORT to file msg1a2b.ccm returned result code 3.\r\n"
                 "The Microsoft Exchange Connector for Lotus cc:Mail has not been configured";
    exc_event ev;
    event_init(&ev, "EXCH01", "MSExchangeCCMC", 70, C0 + 100, msg);
    on_event(&f, &ev, T0 + 100000);
    const exc_alarm *al = expect_alarm(&f, "Q166045", EXC_SEV_MAJOR, EXC_NOTIF_CCMAIL_EXPORT_FAILED,
                                       NULL, "cc:Mail Connector");
    CU_ASSERT_STRING_EQUAL(al->description,
                           "event 70 from MSExchangeCCMC: Lotus cc:Mail EXPORT to file "
                           "msg1a2b.ccm returned result code 3.; dirsync has not completed");
    CU_ASSERT_EQUAL(al->last_event_time, C0 + 100);
    CU_ASSERT_EQUAL(al->last_event_rx_ms, T0 + 100000);
    CU_ASSERT_EQUAL(exc_alarms_matches(&f.a, "Q166045"), 1);
    CU_ASSERT_EQUAL_FATAL(f.a.n_outbox, 1);
    CU_ASSERT_EQUAL(f.a.outbox[0].notification, EXC_NOTIF_CCMAIL_EXPORT_FAILED);

    /* the event again (provider case does not matter): an update */
    event_init(&ev, "exch01", "msexchangeccmc", 70, C0 + 200, msg);
    on_event(&f, &ev, T0 + 200000);
    al = only_alarm(&f);
    CU_ASSERT_EQUAL(al->count, 2);
    CU_ASSERT_EQUAL(al->last_event_time, C0 + 200);
    CU_ASSERT_EQUAL(f.a.n_outbox, 1);
    /* an older event (replayed) does not move the event time back */
    event_init(&ev, "EXCH01", "MSExchangeCCMC", 70, C0 + 50, msg);
    on_event(&f, &ev, T0 + 210000);
    CU_ASSERT_EQUAL(only_alarm(&f)->last_event_time, C0 + 200);

    /* a report collected before the last event, or in the same second,
     * does not clear */
    ccmail_report(&r, C0 + 150, EXC_ST_RUNNING, EXC_DS_COMPLETED);
    apply(&f, &r, T0 + 220000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    ccmail_report(&r, C0 + 200, EXC_ST_RUNNING, EXC_DS_COMPLETED);
    apply(&f, &r, T0 + 230000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    /* later, running but dirsync still pending: does not clear */
    ccmail_report(&r, C0 + 300, EXC_ST_RUNNING, EXC_DS_PENDING);
    apply(&f, &r, T0 + 300000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    /* later, dirsync completed but stopped: does not clear */
    ccmail_report(&r, C0 + 360, EXC_ST_STOPPED, EXC_DS_COMPLETED);
    apply(&f, &r, T0 + 360000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    /* running with dirsync completed: clears */
    ccmail_report(&r, C0 + 420, EXC_ST_RUNNING, EXC_DS_COMPLETED);
    apply(&f, &r, T0 + 420000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL_FATAL(f.a.n_outbox, 2);
    CU_ASSERT_EQUAL(f.a.outbox[1].notification, EXC_NOTIF_ALARM_CLEARED);

    /* with dirsync completed the description does not add the dirsync note */
    event_init(&ev, "EXCH01", "MSExchangeCCMC", 70, C0 + 500, msg);
    on_event(&f, &ev, T0 + 500000);
    al = only_alarm(&f);
    CU_ASSERT_STRING_EQUAL(al->description,
                           "event 70 from MSExchangeCCMC: Lotus cc:Mail EXPORT to file "
                           "msg1a2b.ccm returned result code 3.");
    fx_free(&f);
}

static void test_q166045_unknown_server_and_no_false(void)
{
    fx f;
    fx_init(&f);
    exc_event ev;
    /* no report yet: the resource is the provider; Data items describe it */
    char d1[] = "msg00ff.ccm", d2[] = "3";
    event_init(&ev, "EXCH05", "MSExchangeCCMC", 70, C0, NULL);
    ev.data[0] = d1;
    ev.data[1] = d2;
    ev.n_data = 2;
    on_event(&f, &ev, T0);
    const exc_alarm *al = only_alarm(&f);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_STRING_EQUAL(al->server, "EXCH05");
    CU_ASSERT_STRING_EQUAL(al->resource, "MSExchangeCCMC");
    CU_ASSERT_STRING_EQUAL(al->description, "event 70 from MSExchangeCCMC: msg00ff.ccm; 3");
    /* a later report showing the ccMail connector healthy clears it */
    exc_report r;
    rep_init(&r, "EXCH05", C0 + 60, "5.0.1457.7", "");
    rep_conn(&r, "cc:Mail Connector", EXC_CT_CCMAIL, EXC_ST_RUNNING)->dirsync = EXC_DS_COMPLETED;
    apply(&f, &r, T0 + 60000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);

    /* no false alarms: id 70 from another provider, another id from CCMC */
    char msg[] = "Lotus cc:Mail EXPORT to file msg1.ccm returned result code 3.";
    event_init(&ev, "EXCH05", "MSExchangeIMC", 70, C0 + 100, msg);
    on_event(&f, &ev, T0 + 100000);
    event_init(&ev, "EXCH05", "MSExchangeCCMC", 71, C0 + 100, msg);
    on_event(&f, &ev, T0 + 100000);
    event_init(&ev, "EXCH05", "MSExchangeCCMCX", 70, C0 + 100, msg);
    on_event(&f, &ev, T0 + 100000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL(exc_alarms_matches(&f.a, "Q166045"), 1);
    fx_free(&f);
}

/* ---------- Q182346 ---------- */

static void imc_report(exc_report *r, int64_t collected, int state)
{
    rep_init(r, "EXCH01", collected, "5.0.1457.7", "");
    exc_connector *c = rep_conn(r, "Internet Mail Service", EXC_CT_INTERNETMAIL, state);
    c->queuefile = EXC_QF_OK;
}

static void test_q182346(void)
{
    fx f;
    fx_init(&f);
    exc_report r;
    imc_report(&r, C0, EXC_ST_STOPPED);
    apply(&f, &r, T0);

    char d1[] = "The service could not be started because the queue\nviewing interface "
                "could not be registered.";
    char d2[] = "0x80004005";
    exc_event ev;
    event_init(&ev, "EXCH01", "MSExchangeIMC", 4087, C0 + 10, NULL);
    ev.data[0] = d1;
    ev.data[1] = d2;
    ev.n_data = 2;
    on_event(&f, &ev, T0 + 10000);
    const exc_alarm *al = expect_alarm(&f, "Q182346", EXC_SEV_CRITICAL, EXC_NOTIF_IMC_QUEUE_IF_FAILED,
                                       NULL, "Internet Mail Service");
    CU_ASSERT_STRING_EQUAL(al->description,
                           "event 4087 from MSExchangeIMC: The service could not be started "
                           "because the queue viewing interface could not be registered.; "
                           "0x80004005");

    /* still stopped later: stays; running later: clears */
    imc_report(&r, C0 + 60, EXC_ST_STOPPED);
    apply(&f, &r, T0 + 60000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    imc_report(&r, C0 + 120, EXC_ST_RUNNING);
    apply(&f, &r, T0 + 120000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);

    /* no false alarms: another id, another provider */
    event_init(&ev, "EXCH01", "MSExchangeIMC", 4088, C0 + 200, NULL);
    on_event(&f, &ev, T0 + 200000);
    event_init(&ev, "EXCH01", "MSExchangeMTA", 4087, C0 + 200, NULL);
    on_event(&f, &ev, T0 + 200000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    fx_free(&f);
}

static void test_event_ttl(void)
{
    fx f;
    fx_init(&f);
    f.cfg.event_ttl = 3600;
    f.cfg.stale_after = 1000000;
    exc_report r;
    imc_report(&r, C0, EXC_ST_STOPPED);
    apply(&f, &r, T0);
    exc_event ev;
    event_init(&ev, "EXCH01", "MSExchangeIMC", 4087, C0 + 10, NULL);
    on_event(&f, &ev, T0 + 10000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    int64_t end = T0 + 10000 + 3600 * 1000LL;
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, T0 + 20000), end);
    /* a new matching event restarts the TTL */
    on_event(&f, &ev, T0 + 20000);
    end = T0 + 20000 + 3600 * 1000LL;
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, end - 1), end);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, end);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL(f.a.history[f.a.n_history - 1].transition, EXC_TR_CLEARED);
    fx_free(&f);
}

/* ---------- Q193760 ---------- */

static void mta_report(exc_report *r, int64_t collected, const char *exv, const char *mtav,
                       int paris_link, long london_msgs)
{
    rep_init(r, "EXCH01", collected, exv, mtav);
    rep_conn(r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING)->link = paris_link;
    rep_conn(r, "X.400 to LONDON", EXC_CT_X400, EXC_ST_RUNNING)->link = EXC_LINK_UP;
    rep_queue(r, "X400-PARIS", "X.400 to PARIS", EXC_QK_X400LINK, 40);
    rep_queue(r, "X400-LONDON", "X.400 to LONDON", EXC_QK_X400LINK, london_msgs);
}

/* One report of an MTA series and how many alarms are active after it. */
typedef struct mta_step {
    int minute;          /* collected C0 + minute, applied 30 s later */
    const char *mtav;    /* exConnServerMtaVersion ("" unknown) */
    int paris_link;
    long london_msgs;
    size_t active;       /* alarms active once it is applied */
} mta_step;

/* Apply the steps (Exchange 5.0.1457.7), checking the active count after each. */
static void mta_steps(fx *f, const mta_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        exc_report r;
        mta_report(&r, C0 + steps[i].minute * 60, "5.0.1457.7", steps[i].mtav,
                   steps[i].paris_link, steps[i].london_msgs);
        apply(f, &r, T0 + steps[i].minute * 60000);
        if (f->a.n_active != steps[i].active)
            fprintf(stderr, "\nstep %zu (minute %d): %zu alarms, want %zu\n", i, steps[i].minute,
                    f->a.n_active, steps[i].active);
        CU_ASSERT_EQUAL(f->a.n_active, steps[i].active);
    }
}

/* Three reports (stallSamples 3) with the given LONDON counts. */
static void mta_series(fx *f, const char *exv, const char *mtav, int link, long q1, long q2,
                       long q3)
{
    long q[3] = { q1, q2, q3 };
    for (int i = 0; i < 3; i++) {
        exc_report r;
        mta_report(&r, C0 + i * 60, exv, mtav, link, q[i]);
        apply(f, &r, T0 + i * 60000);
    }
}

static void test_q193760(void)
{
    fx f;
    fx_init(&f);
    static const mta_step stall[] = {
        { 0, "5.0.1457.7", EXC_LINK_DOWN, 40, 0 },
        { 1, "5.0.1457.7", EXC_LINK_DOWN, 40, 0 },   /* two samples: not stalled yet */
        { 2, "5.0.1457.7", EXC_LINK_DOWN, 40, 1 },
    };
    mta_steps(&f, stall, sizeof stall / sizeof stall[0]);
    const exc_alarm *al = expect_alarm(&f, "Q193760", EXC_SEV_CRITICAL, EXC_NOTIF_MTA_LINK_STALL,
                                       NULL, "X.400 to PARIS");
    CU_ASSERT_STRING_EQUAL(al->description,
                           "X.400 to PARIS down; MTA 5.0.1457.7 below fix 5.0.1461.50; "
                           "X400-LONDON stalled at 40 messages on X.400 to LONDON");
    static const mta_step after[] = {
        { 3, "5.0.1457.7", EXC_LINK_UP, 41, 0 },     /* the link back up: clears */
        { 4, "5.0.1457.7", EXC_LINK_DOWN, 42, 1 },   /* down again, still stalled: raised */
        { 5, "5.0.1457.7", EXC_LINK_DOWN, 10, 0 },   /* the queue drains: clears */
    };
    mta_steps(&f, after, sizeof after / sizeof after[0]);
    fx_free(&f);

    /* the MTA upgraded to the fixed build: clears */
    fx_init(&f);
    mta_series(&f, "5.0.1457.7", "", EXC_LINK_DOWN, 5, 6, 7);
    al = only_alarm(&f);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_STRING_EQUAL(al->description,
                           "X.400 to PARIS down; MTA 5.0.1457.7 below fix 5.0.1461.50; "
                           "X400-LONDON stalled at 7 messages on X.400 to LONDON");
    static const mta_step fixed[] = { { 10, "5.0.1461.50", EXC_LINK_DOWN, 8, 0 } };
    mta_steps(&f, fixed, 1);
    fx_free(&f);

    /* both versions unknown: affected */
    fx_init(&f);
    mta_series(&f, "", "", EXC_LINK_DOWN, 5, 5, 5);
    al = only_alarm(&f);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_STRING_EQUAL(al->description,
                           "X.400 to PARIS down; MTA version unknown; "
                           "X400-LONDON stalled at 5 messages on X.400 to LONDON");
    fx_free(&f);

    /* a 4.0 MTA below its fix */
    fx_init(&f);
    mta_series(&f, "4.0.837", "4.0.996.9", EXC_LINK_DOWN, 5, 5, 5);
    al = only_alarm(&f);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(al->description, "MTA 4.0.996.9 below fix 4.0.997.2"));
    fx_free(&f);
}

static void test_q193760_no_false(void)
{
    struct { const char *exv, *mtav; int link; long q[3]; } cases[] = {
        { "5.5.2650.24", "5.5.2650.24", EXC_LINK_DOWN, { 40, 40, 40 } },  /* 5.5 */
        { "5.0.1457.7", "5.0.1461.50", EXC_LINK_DOWN, { 40, 40, 40 } },   /* fixed 5.0 */
        { "4.0.837", "4.0.997.2", EXC_LINK_DOWN, { 40, 40, 40 } },        /* fixed 4.0 */
        { "5.0.1457.7", "", EXC_LINK_DOWN, { 40, 30, 20 } },              /* draining */
        { "5.0.1457.7", "", EXC_LINK_DOWN, { 40, 0, 40 } },               /* emptied */
        { "5.0.1457.7", "", EXC_LINK_UNKNOWN, { 40, 40, 40 } },           /* no link down */
        { "5.0.1457.7", "", EXC_LINK_UP, { 40, 40, 40 } },
        { "5.0.1457.7", "", EXC_LINK_DOWN, { -1, -1, -1 } },              /* unknown counts */
        { "6.0.6249.0", "", EXC_LINK_DOWN, { 40, 40, 40 } },
        { "5.0.1457.7", "unparsable", EXC_LINK_DOWN, { 40, 40, 40 } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx f;
        fx_init(&f);
        mta_series(&f, cases[i].exv, cases[i].mtav, cases[i].link, cases[i].q[0],
                   cases[i].q[1], cases[i].q[2]);
        if (f.a.n_active != 0)
            fprintf(stderr, "\nfalse alarm in case %zu: %s\n", i, f.a.active[0].description);
        CU_ASSERT_EQUAL(f.a.n_active, 0);
        fx_free(&f);
    }

    /* the other connector's link is not known to be up */
    fx f;
    fx_init(&f);
    for (int i = 0; i < 3; i++) {
        exc_report r;
        mta_report(&r, C0 + i * 60, "5.0.1457.7", "", EXC_LINK_DOWN, 40);
        r.connectors[1].link = EXC_LINK_UNKNOWN;   /* X.400 to LONDON */
        apply(&f, &r, T0 + i * 60000);
    }
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    fx_free(&f);

    /* only one x400 connector, down, with its own queue stalled: no "other" link */
    fx_init(&f);
    for (int i = 0; i < 3; i++) {
        exc_report r;
        rep_init(&r, "EXCH01", C0 + i * 60, "5.0.1457.7", "");
        rep_conn(&r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING)->link = EXC_LINK_DOWN;
        rep_queue(&r, "X400-PARIS", "X.400 to PARIS", EXC_QK_X400LINK, 40);
        rep_queue(&r, "OTHERQ", "", EXC_QK_OTHER, 40);   /* belongs to no connector */
        apply(&f, &r, T0 + i * 60000);
    }
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    fx_free(&f);
}

static void test_version_compare(void)
{
    const char *fix = NULL;
    CU_ASSERT_TRUE(exc_rules_mta_build_affected("4.0.996.9", &fix));
    CU_ASSERT_STRING_EQUAL(fix, "4.0.997.2");
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("4.0.997.2", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("4.0.997.10", NULL));   /* numeric, not text */
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("4.0.1000", NULL));
    CU_ASSERT_TRUE(exc_rules_mta_build_affected("4.0.837", NULL));
    CU_ASSERT_TRUE(exc_rules_mta_build_affected("5.0.1460.8", &fix));
    CU_ASSERT_STRING_EQUAL(fix, "5.0.1461.50");
    CU_ASSERT_TRUE(exc_rules_mta_build_affected("5.0.1461.49", NULL));
    CU_ASSERT_TRUE(exc_rules_mta_build_affected("5.0.999.99", NULL));
    CU_ASSERT_TRUE(exc_rules_mta_build_affected("5.0", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5.0.1461.50", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5.0.1461.50.1", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5.0.1462", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5.5.1960.6", &fix));
    CU_ASSERT_STRING_EQUAL(fix, "");
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5.5.2650.24", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("6.0.6249.0", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("3.5.1", NULL));
    CU_ASSERT_TRUE(exc_rules_mta_build_affected("", NULL));       /* unknown */
    CU_ASSERT_TRUE(exc_rules_mta_build_affected(NULL, NULL));
    CU_ASSERT_TRUE(exc_rules_mta_build_affected("  ", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("garbage", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5.0.1457.7 SP1", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5..0", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5", NULL));
    CU_ASSERT_FALSE(exc_rules_mta_build_affected("5.0.99999999999999999999", NULL));
}

/* ---------- Q148727 ---------- */

static void imc2140_report(exc_report *r, int64_t collected, int state, uint32_t exit_code,
                           int queuefile, long mts_out)
{
    rep_init(r, "EXCH01", collected, "4.0.837", "");
    exc_connector *c = rep_conn(r, "Internet Mail Service", EXC_CT_INTERNETMAIL, state);
    c->win32_exit = (exc_opt_u32){ true, exit_code };
    c->queuefile = queuefile;
    rep_queue(r, "MTS-IN", "Internet Mail Service", EXC_QK_MTSIN, 0);
    rep_queue(r, "MTS-OUT", "Internet Mail Service", EXC_QK_MTSOUT, mts_out);
    rep_queue(r, "IMCDATA-OUT", "Internet Mail Service", EXC_QK_IMCOUT, 3);
}

static void test_q148727(void)
{
    fx f;
    fx_init(&f);
    exc_report r;
    imc2140_report(&r, C0, EXC_ST_STOPPED, 2140, EXC_QF_READONLY, 12);
    apply(&f, &r, T0);
    const exc_alarm *al = expect_alarm(&f, "Q148727", EXC_SEV_CRITICAL, EXC_NOTIF_IMC_START_FAILED,
                                       NULL, "Internet Mail Service");
    CU_ASSERT_STRING_EQUAL(al->description,
                           "IMC stopped with error 2140: queue.dat read-only, "
                           "12 messages in MTS-OUT");

    imc2140_report(&r, C0 + 60, EXC_ST_STOPPED, 2140, EXC_QF_DAMAGED, 0);
    apply(&f, &r, T0 + 60000);
    al = only_alarm(&f);
    CU_ASSERT_STRING_EQUAL(al->description, "IMC stopped with error 2140: queue.dat damaged");
    CU_ASSERT_EQUAL(al->count, 2);

    imc2140_report(&r, C0 + 120, EXC_ST_STOPPED, 2140, EXC_QF_OK, 0);
    apply(&f, &r, T0 + 120000);
    al = only_alarm(&f);
    CU_ASSERT_STRING_EQUAL(al->description,
                           "IMC stopped with error 2140; no likely cause visible in the report");

    imc2140_report(&r, C0 + 180, EXC_ST_STOPPED, 2140, EXC_QF_MISSING, -1);
    apply(&f, &r, T0 + 180000);
    CU_ASSERT_STRING_EQUAL(only_alarm(&f)->description,
                           "IMC stopped with error 2140: queue.dat missing");

    /* stopped with another exit code: clears (and is no alarm) */
    imc2140_report(&r, C0 + 240, EXC_ST_STOPPED, 1066, EXC_QF_READONLY, 12);
    apply(&f, &r, T0 + 240000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    /* running, even with 2140 left in the report: no alarm */
    imc2140_report(&r, C0 + 300, EXC_ST_RUNNING, 2140, EXC_QF_READONLY, 12);
    apply(&f, &r, T0 + 300000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL(exc_alarms_matches(&f.a, "Q148727"), 4);
    fx_free(&f);
}

/* ---------- stale ---------- */

static void test_stale(void)
{
    fx f;
    fx_init(&f);
    exc_report r;
    rep_init(&r, "EXCH01", C0, "5.5.2650.24", "");
    apply(&f, &r, T0);
    int64_t due = T0 + 900 * 1000LL;
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, due - 1), due);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, due + 60000), 0);
    const exc_alarm *al = expect_alarm(&f, "", EXC_SEV_WARNING, EXC_NOTIF_SERVER_STALE,
                                       "EXCH01", "EXCH01");
    CU_ASSERT_STRING_EQUAL(al->description,
                           "no report for 960 s (last report 2026-11-22T10:00:00Z)");
    CU_ASSERT_EQUAL_FATAL(f.a.n_outbox, 1);
    CU_ASSERT_EQUAL(f.a.outbox[0].notification, EXC_NOTIF_SERVER_STALE);
    CU_ASSERT_STRING_EQUAL(f.a.outbox[0].url, "");
    /* later ticks do not raise it again nor count it */
    exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, due + 120000);
    CU_ASSERT_EQUAL(only_alarm(&f)->count, 1);
    CU_ASSERT_EQUAL(f.a.n_outbox, 1);

    /* a report arrives: cleared */
    rep_init(&r, "EXCH01", C0 + 1000, "5.5.2650.24", "");
    apply(&f, &r, due + 180000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL_FATAL(f.a.n_outbox, 2);
    CU_ASSERT_EQUAL(f.a.outbox[1].notification, EXC_NOTIF_ALARM_CLEARED);
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, due + 180001),
                    due + 180000 + 900 * 1000LL);

    /* a server known only from events goes stale from when it became known */
    exc_event ev;
    event_init(&ev, "EXCH07", "SomeProvider", 1, C0, NULL);
    on_event(&f, &ev, T0);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, T0 + 900 * 1000LL);
    const exc_alarm *st = exc_alarms_find(&f.a, "", "EXCH07", "EXCH07");
    CU_ASSERT_FATAL(st != NULL);
    CU_ASSERT_STRING_EQUAL(st->description,
                           "no report since it became known at 2026-11-22T10:00:30Z");
    fx_free(&f);
}

static void test_stale_many(void)
{
    fx f;
    fx_init(&f);
    f.cfg.stale_after = 100;
    const char *names[] = { "ZULU", "ALPHA", "MIKE", "BRAVO", "exch10" };
    for (int i = 0; i < 5; i++) {
        exc_report r;
        rep_init(&r, names[i], C0, "5.5.2650.24", "");
        apply(&f, &r, T0 + i * 10000);   /* 10 s apart */
    }
    /* at T0+125 s: ZULU (T0), ALPHA (T0+10), MIKE (T0+20) are stale */
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, T0 + 125000), T0 + 130000);
    CU_ASSERT_EQUAL(f.a.n_active, 3);
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, T0 + 126000), T0 + 130000);
    CU_ASSERT_EQUAL(f.a.n_active, 3);
    CU_ASSERT_EQUAL(f.a.n_outbox, 3);
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, T0 + 140000), 0);
    CU_ASSERT_EQUAL(f.a.n_active, 5);
    CU_ASSERT_PTR_NOT_NULL(exc_alarms_find(&f.a, "", "EXCH10", "EXCH10"));
    /* MIKE reports again: only its alarm clears, at the next evaluation */
    exc_report r;
    rep_init(&r, "MIKE", C0 + 200, "5.5.2650.24", "");
    apply(&f, &r, T0 + 200000);
    CU_ASSERT_EQUAL(f.a.n_active, 4);
    CU_ASSERT_PTR_NULL(exc_alarms_find(&f.a, "", "MIKE", "MIKE"));
    CU_ASSERT_EQUAL(exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, T0 + 201000), T0 + 300000);
    CU_ASSERT_EQUAL(f.a.n_active, 4);
    fx_free(&f);
}

/* issue 14: the worker's tick (exc_rules_tick_watched, which walks every
 * server only when something is due) decides what exc_rules_tick decides,
 * at every second of a run with servers going stale, a report clearing one,
 * a server added and one known from an event only */
static void test_stale_watched(void)
{
    fx f, g;   /* f: the walk at every tick; g: the watched tick */
    fx_init(&f);
    fx_init(&g);
    f.cfg.stale_after = g.cfg.stale_after = 100;
    exc_rules_watch w;
    memset(&w, 0, sizeof w);
    const char *names[] = { "ZULU", "ALPHA", "MIKE", "BRAVO", "exch10" };
    for (int i = 0; i < 5; i++) {
        exc_report r;
        rep_init(&r, names[i], C0, "5.5.2650.24", "");
        apply(&f, &r, T0 + i * 10000);
        rep_init(&r, names[i], C0, "5.5.2650.24", "");
        apply(&g, &r, T0 + i * 10000);
    }
    for (int64_t t = T0 + 40000; t <= T0 + 500000; t += 1000) {
        if (t == T0 + 200000 || t == T0 + 330000) {   /* MIKE reports, twice */
            exc_report r;
            rep_init(&r, "MIKE", C0 + (t - T0) / 1000, "5.5.2650.24", "");
            apply(&f, &r, t);
            rep_init(&r, "MIKE", C0 + (t - T0) / 1000, "5.5.2650.24", "");
            apply(&g, &r, t);
        }
        if (t == T0 + 250000) {   /* a new server, known from an event */
            exc_event ev;
            event_init(&ev, "EXCH20", "SomeProvider", 1, C0 + 250, NULL);
            on_event(&f, &ev, t);
            on_event(&g, &ev, t);
        }
        int64_t nf = exc_rules_tick(&f.cfg, &f.kb, &f.m, &f.a, t);
        int64_t ng = exc_rules_tick_watched(&w, &g.cfg, &g.kb, &g.m, &g.a, t);
        /* never later than the walk's next time (earlier is allowed) */
        CU_ASSERT_TRUE(nf == 0 || (ng != 0 && ng <= nf));
        CU_ASSERT_EQUAL_FATAL(g.a.n_active, f.a.n_active);
        for (size_t i = 0; i < f.a.n_active; i++) {
            CU_ASSERT_STRING_EQUAL(g.a.active[i].server, f.a.active[i].server);
            CU_ASSERT_EQUAL(g.a.active[i].notification, f.a.active[i].notification);
        }
        CU_ASSERT_EQUAL(g.a.n_outbox, f.a.n_outbox);
    }
    /* and it did skip the walk most of the time (461 ticks) */
    CU_ASSERT_EQUAL(w.ticks, 461);
    CU_ASSERT_TRUE(w.walks > 0 && w.walks < w.ticks / 4);
    fprintf(stderr, " [%llu of %llu ticks walked] ", (unsigned long long)w.walks,
            (unsigned long long)w.ticks);
    CU_ASSERT_PTR_NOT_NULL(exc_alarms_find(&g.a, "", "EXCH20", "EXCH20"));
    fx_free(&f);
    fx_free(&g);
}

/* ---------- KB changes, detectors without articles ---------- */

static void test_no_article_no_detector_and_reload(void)
{
    fx f;
    fx_init(&f);
    exc_report r;
    rep_init(&r, "EXCH01", C0, "4.0.837", "");
    rep_port(&r, "COM1", "A", "B");
    exc_connector *c = rep_conn(&r, "Internet Mail Service", EXC_CT_INTERNETMAIL,
                                EXC_ST_STOPPED);
    c->win32_exit = (exc_opt_u32){ true, 2140 };
    apply(&f, &r, T0);
    CU_ASSERT_EQUAL(f.a.n_active, 2);
    exc_event ev;
    event_init(&ev, "EXCH01", "MSExchangeIMC", 4087, C0 + 5, NULL);
    on_event(&f, &ev, T0 + 5000);
    CU_ASSERT_EQUAL(f.a.n_active, 3);
    const exc_alarm *imc = exc_alarms_find(&f.a, "Q148727", "EXCH01", "Internet Mail Service");
    CU_ASSERT_FATAL(imc != NULL);
    uint32_t imc_count = imc->count;
    uint32_t imc_matches = exc_alarms_matches(&f.a, "Q148727");

    /* reload without Q158047 and Q182346: their alarms clear; the rest stay,
     * not counted again */
    exc_kb kb2;
    memset(&kb2, 0, sizeof kb2);
    add_article(&kb2, "Q148727", EXC_SEV_CRITICAL, EXC_NOTIF_IMC_START_FAILED);
    add_detector(&kb2, EXC_DET_IMC_EXIT2140);
    exc_rules_eval_all(&f.cfg, &kb2, &f.m, &f.a, T0 + 10000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    CU_ASSERT_EQUAL(count_article(&f, "Q158047"), 0);
    CU_ASSERT_EQUAL(count_article(&f, "Q182346"), 0);
    imc = exc_alarms_find(&f.a, "Q148727", "EXCH01", "Internet Mail Service");
    CU_ASSERT_FATAL(imc != NULL);
    CU_ASSERT_EQUAL(imc->count, imc_count);
    CU_ASSERT_EQUAL(exc_alarms_matches(&f.a, "Q148727"), imc_matches);

    /* with that KB the COM port conflict is not detected at all */
    rep_init(&r, "EXCH01", C0 + 60, "4.0.837", "");
    rep_port(&r, "COM1", "A", "B");
    rep_port(&r, "COM2", "C", "D");
    CU_ASSERT_FATAL(exc_model_apply_report(&f.m, &r, T0 + 60000, &(exc_err){0}));
    exc_report_free(&r);
    exc_rules_eval_server(&f.cfg, &kb2, &f.m, &f.a, exc_model_find(&f.m, "EXCH01"),
                          T0 + 60000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);   /* and the IMC is not in the report any more */

    /* the full KB back: detected again */
    exc_rules_eval_all(&f.cfg, &f.kb, &f.m, &f.a, T0 + 70000);
    CU_ASSERT_EQUAL(count_article(&f, "Q158047"), 2);
    exc_kb_free(&kb2);
    fx_free(&f);
}

/* A custom article may name a detector and an event rule at once: the
 * detector pass does not clear the event's alarm. */
static void test_event_alarm_not_cleared_by_detectors(void)
{
    fx f;
    fx_init(&f);
    add_article(&f.kb, "Q999999", EXC_SEV_MINOR, EXC_NOTIF_KB_ALARM);
    add_event(&f.kb, "MSExchangeMTA", 9318, 0, 0, 0);
    exc_kb_rule *ru = add_rule(&f.kb, EXC_RULE_EVENT);
    snprintf(ru->provider, sizeof ru->provider, "MSExchangeMTA");
    ru->event_id = 9411;
    snprintf(ru->message, sizeof ru->message, "association");
    add_detector(&f.kb, EXC_DET_COMPORT_CONFLICT);
    char msg[] = "An RPC communications error occurred.";
    exc_event ev;
    event_init(&ev, "EXCH01", "MSExchangeMTA", 9318, C0, msg);
    on_event(&f, &ev, T0);
    const exc_alarm *al = only_alarm(&f);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_STRING_EQUAL(al->resource, "MSExchangeMTA");
    CU_ASSERT_EQUAL(al->severity, EXC_SEV_MINOR);
    CU_ASSERT_EQUAL(al->notification, EXC_NOTIF_KB_ALARM);
    CU_ASSERT_STRING_EQUAL(al->description,
                           "event 9318 from MSExchangeMTA: An RPC communications error occurred.");
    exc_report r;
    rep_init(&r, "EXCH01", C0 + 60, "5.5.2650.24", "");
    apply(&f, &r, T0 + 60000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);   /* only eventTtl clears it (no clearState) */

    /* message substring rules: in the message or in a Data item, any case */
    char m2[] = "The ASSOCIATION was refused";
    event_init(&ev, "EXCH02", "MSExchangeMTA", 9411, C0, m2);
    on_event(&f, &ev, T0);
    CU_ASSERT_PTR_NOT_NULL(exc_alarms_find(&f.a, "Q999999", "EXCH02", "MSExchangeMTA"));
    char d1[] = "no assoc here";
    event_init(&ev, "EXCH03", "MSExchangeMTA", 9411, C0, NULL);
    ev.data[0] = d1;
    ev.n_data = 1;
    on_event(&f, &ev, T0);
    CU_ASSERT_PTR_NULL(exc_alarms_find(&f.a, "Q999999", "EXCH03", "MSExchangeMTA"));
    char d2[] = "association 12 refused";
    ev.data[1] = d2;
    ev.n_data = 2;
    on_event(&f, &ev, T0);
    CU_ASSERT_PTR_NOT_NULL(exc_alarms_find(&f.a, "Q999999", "EXCH03", "MSExchangeMTA"));
    fx_free(&f);
}

static void test_description_bounds(void)
{
    fx f;
    fx_init(&f);
    /* a long multi-byte message is cut at a character boundary, one line,
     * and keeps the dirsync note */
    exc_report r;
    ccmail_report(&r, C0, EXC_ST_RUNNING, EXC_DS_FAILED);
    apply(&f, &r, T0);
    char msg[1200];
    size_t n = 0;
    while (n + 2 < 1000) {
        msg[n++] = (char)0xC3;
        msg[n++] = (char)0xA9;
    }
    msg[n] = '\0';
    exc_event ev;
    event_init(&ev, "EXCH01", "MSExchangeCCMC", 70, C0 + 1, msg);
    on_event(&f, &ev, T0 + 1000);
    const exc_alarm *al = only_alarm(&f);
    CU_ASSERT_FATAL(al != NULL);
    size_t len = strlen(al->description);
    CU_ASSERT(len <= 255);
    CU_ASSERT(exc_utf8_valid(al->description, len));
    const char *tail = "; dirsync has not completed";
    CU_ASSERT(len > strlen(tail) &&
              strcmp(al->description + len - strlen(tail), tail) == 0);

    /* Data items with line breaks stay on one line */
    char d1[] = "line one\nline two";
    event_init(&ev, "EXCH09", "MSExchangeIMC", 4087, C0, NULL);
    ev.data[0] = d1;
    ev.n_data = 1;
    on_event(&f, &ev, T0);
    al = exc_alarms_find(&f.a, "Q182346", "EXCH09", "MSExchangeIMC");
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_STRING_EQUAL(al->description, "event 4087 from MSExchangeIMC: line one line two");
    fx_free(&f);
}

/* The shipped kb/ directory drives the same rules. */
static void test_shipped_kb(void)
{
    fx f;
    fx_init(&f);
    exc_kb_free(&f.kb);
    exc_err err;
    memset(&err, 0, sizeof err);
    bool ok = exc_kb_load_dir(EXCONN_SOURCE_DIR "/kb", &f.kb, &err);
    if (!ok)
        fprintf(stderr, "\nkb: %s: %s\n", err.file, err.msg);
    CU_ASSERT_FATAL(ok);
    exc_report r;
    rep_init(&r, "EXCH01", C0, "5.0.1457.7", "");
    rep_port(&r, "COM1", "MS Mail Connector (async)", "Remote Access Service");
    rep_conn(&r, "cc:Mail Connector", EXC_CT_CCMAIL, EXC_ST_RUNNING)->dirsync = EXC_DS_PENDING;
    apply(&f, &r, T0);
    char msg[] = "Lotus cc:Mail EXPORT to file msg0001.ccm returned result code 3.";
    exc_event ev;
    event_init(&ev, "EXCH01", "MSExchangeCCMC", 70, C0 + 10, msg);
    on_event(&f, &ev, T0 + 10000);
    const exc_alarm *p = exc_alarms_find(&f.a, "Q158047", "EXCH01", "COM1");
    const exc_alarm *c = exc_alarms_find(&f.a, "Q166045", "EXCH01", "cc:Mail Connector");
    CU_ASSERT_FATAL(p != NULL && c != NULL);
    CU_ASSERT_EQUAL(p->severity, EXC_SEV_MAJOR);
    CU_ASSERT_EQUAL(c->severity, EXC_SEV_MAJOR);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->description, "dirsync has not completed"));
    CU_ASSERT_STRING_EQUAL(c->url, "https://support.microsoft.com/kb/166045");
    ccmail_report(&r, C0 + 60, EXC_ST_RUNNING, EXC_DS_COMPLETED);
    apply(&f, &r, T0 + 60000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    fx_free(&f);
}

/* ---------- Service Control Manager events (issue 11) ---------- */

/* as the engine does: model first (SCM rows), then the rules */
static void on_scm(fx *f, const char *server, uint16_t id, int64_t time, char *d1, char *d2,
                   int64_t now)
{
    exc_event ev;
    event_init(&ev, server, "Service Control Manager", id, time, NULL);
    ev.data[0] = d1;
    ev.data[1] = d2;
    ev.n_data = d2 ? 2 : 1;
    exc_model_note_event(&f->m, ev.server, now);
    exc_model_apply_scm_event(&f->m, &f->kb, &ev, now);
    exc_rules_on_event(&f->cfg, &f->kb, &f->m, &f->a, &ev, now);
}

static void load_shipped(fx *f)
{
    exc_kb_free(&f->kb);
    exc_err err;
    memset(&err, 0, sizeof err);
    bool ok = exc_kb_load_dir(EXCONN_SOURCE_DIR "/kb", &f->kb, &err);
    if (!ok)
        fprintf(stderr, "\nkb: %s: %s\n", err.file, err.msg);
    CU_ASSERT_FATAL(ok);
}

static void test_scm_no_report(void)
{
    fx f;
    fx_init(&f);
    load_shipped(&f);
    char msmi[] = "Microsoft Exchange MS Mail Connector Interchange", three[] = "3", five[] = "5";
    char imc[] = "Microsoft Exchange Internet Mail Service", e2140[] = "%%2140";
    char running[] = "running";

    /* Q158047 (b) from a 7024 with code 3; a 7024 with code 5 raises nothing */
    on_scm(&f, "EXCH07", 7024, C0, msmi, three, T0);
    on_scm(&f, "EXCH06", 7024, C0, msmi, five, T0);
    const exc_alarm *al = only_alarm(&f);
    CU_ASSERT_FATAL(al != NULL);
    CU_ASSERT_STRING_EQUAL(al->article, "Q158047");
    CU_ASSERT_STRING_EQUAL(al->server, "EXCH07");
    CU_ASSERT_STRING_EQUAL(al->resource, "MSExchangeMSMI");   /* no report: the service */
    CU_ASSERT_EQUAL(al->notification, EXC_NOTIF_COMPORT_CONFLICT);
    CU_ASSERT_STRING_EQUAL(al->description, "event 7024 from Service Control Manager: "
                           "Microsoft Exchange MS Mail Connector Interchange; 3");
    /* the connector row says what the SCM said */
    const exc_server *s = exc_model_find(&f.m, "EXCH07");
    CU_ASSERT_FATAL(s != NULL && s->n_connectors == 1);
    const exc_connector *c = &s->connectors[0].c;
    CU_ASSERT_STRING_EQUAL(c->name, "MSExchangeMSMI");
    CU_ASSERT_EQUAL(c->type, EXC_CT_MSMAIL);
    CU_ASSERT_EQUAL(c->state, EXC_ST_STOPPED);
    CU_ASSERT_TRUE(c->service_exit.known && c->service_exit.v == 3);
    CU_ASSERT_TRUE(c->win32_exit.known && c->win32_exit.v == 1066);
    s = exc_model_find(&f.m, "EXCH06");
    CU_ASSERT_TRUE(s != NULL && s->n_connectors == 1 && s->connectors[0].c.service_exit.v == 5);

    /* Q148727 from a 7023 with %%2140 */
    on_scm(&f, "EXCH08", 7023, C0, imc, e2140, T0);
    const exc_alarm *q = exc_alarms_find(&f.a, "Q148727", "EXCH08", "MSExchangeIMC");
    CU_ASSERT_FATAL(q != NULL);
    uint32_t q_index = q->index;
    CU_ASSERT_EQUAL(q->severity, EXC_SEV_CRITICAL);
    s = exc_model_find(&f.m, "EXCH08");
    CU_ASSERT_TRUE(s != NULL && s->n_connectors == 1 &&
                   s->connectors[0].c.type == EXC_CT_INTERNETMAIL &&
                   s->connectors[0].c.win32_exit.v == 2140);

    /* a 7036 "running" for the MS Mail service clears, and the row follows */
    on_scm(&f, "EXCH07", 7036, C0 + 60, msmi, running, T0 + 60000);
    CU_ASSERT_PTR_NULL(exc_alarms_find(&f.a, "Q158047", "EXCH07", "MSExchangeMSMI"));
    s = exc_model_find(&f.m, "EXCH07");
    CU_ASSERT_EQUAL(s->connectors[0].c.state, EXC_ST_RUNNING);
    /* ... an older one would not have: the alarm's event came later */
    on_scm(&f, "EXCH07", 7024, C0 + 120, msmi, three, T0 + 120000);
    on_scm(&f, "EXCH07", 7036, C0 + 100, msmi, running, T0 + 121000);
    CU_ASSERT_PTR_NOT_NULL(exc_alarms_find(&f.a, "Q158047", "EXCH07", "MSExchangeMSMI"));

    /* a report names the IMC: the alarm takes the connector's name, and the
     * detector's finding is the same alarm (one identity, same index) */
    exc_report r;
    rep_init(&r, "EXCH08", C0 + 200, "4.0.994.63", "");
    exc_connector *rc = rep_conn(&r, "Internet Mail Connector", EXC_CT_INTERNETMAIL,
                                 EXC_ST_STOPPED);
    snprintf(rc->service, sizeof rc->service, "MSExchangeIMC");
    rc->win32_exit.known = true;
    rc->win32_exit.v = 2140;
    apply(&f, &r, T0 + 200000);
    CU_ASSERT_EQUAL(count_article(&f, "Q148727"), 1);
    q = exc_alarms_find(&f.a, "Q148727", "EXCH08", "Internet Mail Connector");
    CU_ASSERT_FATAL(q != NULL);
    CU_ASSERT_EQUAL(q->index, q_index);
    CU_ASSERT_PTR_NOT_NULL(strstr(q->description, "IMC stopped with error 2140"));
    /* the report is the authority now: SCM events change no row */
    on_scm(&f, "EXCH08", 7036, C0 + 210, imc, running, T0 + 210000);
    s = exc_model_find(&f.m, "EXCH08");
    CU_ASSERT_EQUAL(s->connectors[0].c.state, EXC_ST_STOPPED);
    /* ... but the 7036 (newer than the report) did clear the alarm */
    CU_ASSERT_EQUAL(count_article(&f, "Q148727"), 0);
    fx_free(&f);
}

static void test_scm_report_clears(void)
{
    fx f;
    fx_init(&f);
    load_shipped(&f);
    char imc4[] = "Microsoft Exchange Internet Mail Connector", e2140[] = "2140";
    /* a 7023 alarm, then a report collected later with the IMC running */
    on_scm(&f, "EXCH09", 7023, C0, imc4, e2140, T0);
    CU_ASSERT_PTR_NOT_NULL(exc_alarms_find(&f.a, "Q148727", "EXCH09", "MSExchangeIMC"));
    exc_report r;
    rep_init(&r, "EXCH09", C0 + 60, "4.0.994.63", "");
    rep_conn(&r, "IMC", EXC_CT_INTERNETMAIL, EXC_ST_RUNNING);   /* no service attribute */
    apply(&f, &r, T0 + 60000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    /* a report collected before the event does not clear it */
    on_scm(&f, "EXCH10", 7023, C0 + 100, imc4, e2140, T0 + 100000);
    rep_init(&r, "EXCH10", C0 + 50, "4.0.994.63", "");
    rep_conn(&r, "IMC", EXC_CT_INTERNETMAIL, EXC_ST_RUNNING);
    apply(&f, &r, T0 + 101000);
    CU_ASSERT_EQUAL(count_article(&f, "Q148727"), 1);
    /* unknown services and other SCM events leave rows and alarms alone */
    char spooler[] = "Print Spooler", x[] = "3";
    on_scm(&f, "EXCH11", 7024, C0, spooler, x, T0);
    const exc_server *s = exc_model_find(&f.m, "EXCH11");
    CU_ASSERT_TRUE(s != NULL && s->n_connectors == 0);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    fx_free(&f);
}

/* ---------- no false alarms across types ---------- */

static int cmp_article(const void *x, const void *y)
{
    return strcmp(((const exc_kb_article *)x)->id, ((const exc_kb_article *)y)->id);
}

/* Conditions that resemble a fault on the wrong kind of object. */
static void test_no_false_cross_type(void)
{
    fx f;
    fx_init(&f);
    exc_report r;
    rep_init(&r, "EXCH01", C0, "5.0.1457.7", "5.0.1457.7");
    /* Q148727 wants an internetMail connector stopped with win32 2140 */
    exc_connector *c = rep_conn(&r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_STOPPED);
    c->win32_exit = (exc_opt_u32){ true, 2140 };
    c = rep_conn(&r, "Fax Gateway", EXC_CT_OTHER, EXC_ST_STOPPED);
    c->win32_exit = (exc_opt_u32){ true, 2140 };
    c = rep_conn(&r, "Internet Mail Service", EXC_CT_INTERNETMAIL, EXC_ST_PAUSED);
    c->win32_exit = (exc_opt_u32){ true, 2140 };
    c->queuefile = EXC_QF_READONLY;
    c = rep_conn(&r, "Internet Mail Service 2", EXC_CT_INTERNETMAIL, EXC_ST_STOPPED);
    c->queuefile = EXC_QF_DAMAGED;   /* exit code not reported */
    /* Q158047 (b) wants an msMail connector: service exit 3 on an IMC */
    c = rep_conn(&r, "Internet Mail Service 3", EXC_CT_INTERNETMAIL, EXC_ST_STOPPED);
    c->service_exit = (exc_opt_u32){ true, 3 };
    /* Q158047 (a): ports with one claimant or none */
    rep_port(&r, "COM1", "MS Mail Connector (async)", NULL);
    rep_port(&r, "COM2", NULL, NULL);
    /* Q193760: a link down, but the stalled queue is the IMC's, not another
     * X.400 link's */
    rep_conn(&r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING)->link = EXC_LINK_DOWN;
    rep_conn(&r, "X.400 to LONDON", EXC_CT_X400, EXC_ST_RUNNING)->link = EXC_LINK_UP;
    rep_queue(&r, "X400-LONDON", "X.400 to LONDON", EXC_QK_X400LINK, 0);
    rep_queue(&r, "MTS-OUT", "Internet Mail Service", EXC_QK_MTSOUT, 40);
    apply(&f, &r, T0);
    for (int i = 1; i < 3; i++) {   /* three samples: MTS-OUT is stalled */
        exc_report r2;
        rep_init(&r2, "EXCH01", C0 + i * 60, "5.0.1457.7", "5.0.1457.7");
        rep_conn(&r2, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING)->link = EXC_LINK_DOWN;
        rep_conn(&r2, "X.400 to LONDON", EXC_CT_X400, EXC_ST_RUNNING)->link = EXC_LINK_UP;
        rep_conn(&r2, "Internet Mail Service", EXC_CT_INTERNETMAIL, EXC_ST_RUNNING);
        rep_queue(&r2, "X400-LONDON", "X.400 to LONDON", EXC_QK_X400LINK, 0);
        rep_queue(&r2, "MTS-OUT", "Internet Mail Service", EXC_QK_MTSOUT, 40);
        apply(&f, &r2, T0 + i * 60000);
    }
    const exc_server *s = exc_model_find(&f.m, "EXCH01");
    CU_ASSERT_FATAL(s != NULL);
    const exc_mqueue *q = NULL;
    for (size_t i = 0; i < s->n_queues; i++)
        if (strcmp(s->queues[i].q.name, "MTS-OUT") == 0)
            q = &s->queues[i];
    CU_ASSERT_FATAL(q != NULL);
    CU_ASSERT_TRUE(exc_queue_stalled(q, 3));   /* the rule saw a stalled queue */
    if (f.a.n_active != 0)
        fprintf(stderr, "\nfalse alarm: %s\n", f.a.active[0].description);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL(f.a.n_outbox, 0);

    /* event rules: the right id and provider but not the required message
     * substring; the right message from the wrong provider */
    add_article(&f.kb, "Q165505", EXC_SEV_MINOR, EXC_NOTIF_KB_ALARM);
    exc_kb_rule *ru = add_rule(&f.kb, EXC_RULE_EVENT);
    snprintf(ru->provider, sizeof ru->provider, "MSExchangeIMC");
    ru->event_id = 4006;
    snprintf(ru->message, sizeof ru->message, "MTS-OUT");
    qsort(f.kb.articles, f.kb.n, sizeof *f.kb.articles, cmp_article);   /* as exc_kb_find wants */
    char m1[] = "A message in MTS-IN could not be converted.";
    char m2[] = "A message in MTS-OUT could not be converted.";
    exc_event ev;
    event_init(&ev, "EXCH01", "MSExchangeIMC", 4006, C0 + 200, m1);
    on_event(&f, &ev, T0 + 200000);
    event_init(&ev, "EXCH01", "MSExchangeMTA", 4006, C0 + 200, m2);
    on_event(&f, &ev, T0 + 200000);
    event_init(&ev, "EXCH01", "MSExchangeIMC", 4007, C0 + 200, m2);
    on_event(&f, &ev, T0 + 200000);
    CU_ASSERT_EQUAL(f.a.n_active, 0);
    CU_ASSERT_EQUAL(exc_alarms_matches(&f.a, "Q165505"), 0);
    /* positive control: the matching one raises */
    event_init(&ev, "EXCH01", "MSExchangeIMC", 4006, C0 + 200, m2);
    on_event(&f, &ev, T0 + 200000);
    CU_ASSERT_EQUAL(f.a.n_active, 1);
    fx_free(&f);
}

void exc_register_tests(void)
{
    static CU_TestInfo tests[] = {
        { "Q158047 (a) COM port conflict", test_q158047_comport },
        { "Q158047 (b) MS Mail service error 3", test_q158047_msmail_exit3 },
        { "Q166045 cc:Mail event 70", test_q166045 },
        { "Q166045 unknown server; no false alarms", test_q166045_unknown_server_and_no_false },
        { "Q182346 IMC event 4087", test_q182346 },
        { "eventTtl", test_event_ttl },
        { "Q193760 MTA link stall", test_q193760 },
        { "Q193760 no false alarms", test_q193760_no_false },
        { "MTA version comparison", test_version_compare },
        { "Q148727 IMC error 2140", test_q148727 },
        { "stale server", test_stale },
        { "stale: many servers", test_stale_many },
        { "stale: the watched tick decides as the walk", test_stale_watched },
        { "KB reload; no article, no detector", test_no_article_no_detector_and_reload },
        { "custom article: event alarm vs detectors", test_event_alarm_not_cleared_by_detectors },
        { "description bounds", test_description_bounds },
        { "shipped KB", test_shipped_kb },
        { "no false alarms across types", test_no_false_cross_type },
        { "SCM events without a report", test_scm_no_report },
        { "SCM alarms and later reports", test_scm_report_clears },
        CU_TEST_INFO_NULL,
    };
    exc_add_suite("rules", NULL, NULL, tests);
}
