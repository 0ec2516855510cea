/* Unit tests of the estate model (model.c): applying reports, derived
 * per-report state (last change, conflict since, queue history), queue state
 * per SPEC §4/§6, lookups, and save/load of the state records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "model.h"
#include "statefile.h"
#include "util.h"

/* ---- building reports by hand ---- */

static exc_report *mk_report(const char *server, int64_t collected)
{
    exc_report *r = exc_calloc(1, sizeof *r);
    exc_utf8_copy(r->server, sizeof r->server, server);
    exc_utf8_copy(r->site, sizeof r->site, "HQ");
    exc_utf8_copy(r->exchange_version, sizeof r->exchange_version, "5.0.1457.7");
    exc_utf8_copy(r->mta_version, sizeof r->mta_version, "5.0.1460.8");
    r->collected = collected;
    return r;
}

static exc_connector *add_conn(exc_report *r, const char *name, int type, int state)
{
    r->connectors = exc_realloc(r->connectors, (r->n_connectors + 1) * sizeof *r->connectors);
    exc_connector *c = &r->connectors[r->n_connectors++];
    memset(c, 0, sizeof *c);
    exc_utf8_copy(c->name, sizeof c->name, name);
    c->type = type;
    c->state = state;
    c->dirsync = type == EXC_CT_CCMAIL ? EXC_DS_COMPLETED : EXC_DS_NA;
    c->queuefile = type == EXC_CT_INTERNETMAIL ? EXC_QF_OK : EXC_QF_NA;
    c->link = type == EXC_CT_X400 ? EXC_LINK_UP : EXC_LINK_NA;
    return c;
}

/* messages < 0 = unknown */
static exc_queue *add_queue(exc_report *r, const char *name, long messages)
{
    r->queues = exc_realloc(r->queues, (r->n_queues + 1) * sizeof *r->queues);
    exc_queue *q = &r->queues[r->n_queues++];
    memset(q, 0, sizeof *q);
    exc_utf8_copy(q->name, sizeof q->name, name);
    exc_utf8_copy(q->connector, sizeof q->connector, "X.400 to PARIS");
    q->kind = EXC_QK_X400LINK;
    if (messages >= 0) {
        q->messages.known = true;
        q->messages.v = (uint32_t)messages;
    }
    return q;
}

static exc_comport *add_port(exc_report *r, const char *name, size_t claimants)
{
    r->comports = exc_realloc(r->comports, (r->n_comports + 1) * sizeof *r->comports);
    exc_comport *p = &r->comports[r->n_comports++];
    memset(p, 0, sizeof *p);
    exc_utf8_copy(p->name, sizeof p->name, name);
    p->n_claimants = claimants;
    p->claimants = claimants ? exc_calloc(claimants, sizeof *p->claimants) : NULL;
    for (size_t i = 0; i < claimants; i++) {
        p->claimants[i].kind = i == 0 ? EXC_CK_MSMAIL : EXC_CK_RAS;
        snprintf(p->claimants[i].name, sizeof p->claimants[i].name, "claimant %zu", i + 1);
    }
    return p;
}

static void drop_report(exc_report *r)
{
    exc_report_free(r);
    free(r);
}

/* A <collectionStatus> record as the parser gives it. */
static exc_report *mk_status(const char *server, int64_t collected, int status, const char *error)
{
    exc_report *r = exc_calloc(1, sizeof *r);
    r->kind = EXC_REC_STATUS;
    exc_upper(r->status.server, sizeof r->status.server, server);
    r->status.status = status;
    exc_utf8_copy(r->status.error, sizeof r->status.error, error);
    r->collected = collected;
    return r;
}

static exc_report *mk_forget(const char *server)
{
    exc_report *r = exc_calloc(1, sizeof *r);
    r->kind = EXC_REC_FORGET;
    exc_upper(r->server, sizeof r->server, server);
    return r;
}

/* Apply, expecting a refusal whose reason holds `kw`. */
static void apply_refused(exc_model *m, exc_report *r, int64_t now_ms, const char *kw)
{
    exc_err err;
    exc_err_clear(&err);
    bool ok = exc_model_apply_report(m, r, now_ms, &err);
    CU_ASSERT_FALSE(ok);
    if (strstr(err.msg, kw) == NULL)
        fprintf(stderr, "\n  reason \"%s\", want \"%s\"\n", err.msg, kw);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, kw));
    drop_report(r);
}

/* Apply and free; returns the apply result. */
static bool apply(exc_model *m, exc_report *r, int64_t now_ms)
{
    exc_err err;
    exc_err_clear(&err);
    bool ok = exc_model_apply_report(m, r, now_ms, &err);
    if (ok) {
        CU_ASSERT_PTR_NULL(r->connectors);
        CU_ASSERT_PTR_NULL(r->queues);
        CU_ASSERT_PTR_NULL(r->comports);
        CU_ASSERT_EQUAL(r->n_connectors + r->n_queues + r->n_comports, 0);
        CU_ASSERT_STRING_EQUAL(err.msg, "");
    }
    drop_report(r);
    return ok;
}

/* A server with one queue whose counts are given (-1 = unknown), one report each. */
static void queue_series(exc_model *m, const long *counts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        exc_report *r = mk_report("EXCH01", 1000 + (int64_t)i * 60);
        add_queue(r, "X400-PARIS", counts[i]);
        CU_ASSERT_TRUE(apply(m, r, 5000 + (int64_t)i));
    }
}

static int queue_state_after(unsigned k, const long *counts, size_t n)
{
    exc_model m;
    exc_model_init(&m, k);
    queue_series(&m, counts, n);
    const exc_mqueue *q = exc_server_queue(exc_model_find(&m, "EXCH01"), "X400-PARIS");
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    int st = exc_queue_state(q, k);
    CU_ASSERT_EQUAL(exc_queue_stalled(q, k), st == EXC_QS_STALLED);
    exc_model_free(&m);
    return st;
}

/* ---- tests ---- */

static void test_add_and_replace(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    exc_report *r = mk_report("EXCH01", 1000);
    add_conn(r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING);
    add_conn(r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_STOPPED);
    add_conn(r, "Internet Mail Service", EXC_CT_INTERNETMAIL, EXC_ST_RUNNING);
    add_queue(r, "MTS-OUT", 12);
    add_queue(r, "MTS-IN", 0);
    add_port(r, "COM2", 1);
    add_port(r, "COM1", 2);
    CU_ASSERT_TRUE(apply(&m, r, 10000));

    CU_ASSERT_EQUAL_FATAL(m.n_servers, 1);
    exc_server *s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE(s->reported);
    CU_ASSERT_EQUAL(s->collected, 1000);
    CU_ASSERT_EQUAL(s->received_ms, 10000);
    CU_ASSERT_EQUAL(s->created_ms, 10000);
    CU_ASSERT_STRING_EQUAL(s->site, "HQ");
    CU_ASSERT_STRING_EQUAL(s->mta_version, "5.0.1460.8");
    CU_ASSERT_EQUAL(m.reports_accepted, 0); /* the engine counts files */
    CU_ASSERT_EQUAL_FATAL(s->n_connectors, 3);
    CU_ASSERT_STRING_EQUAL(s->connectors[0].c.name, "Internet Mail Service");
    CU_ASSERT_STRING_EQUAL(s->connectors[1].c.name, "MS Mail Connector");
    CU_ASSERT_STRING_EQUAL(s->connectors[2].c.name, "X.400 to PARIS");
    CU_ASSERT_EQUAL_FATAL(s->n_queues, 2);
    CU_ASSERT_STRING_EQUAL(s->queues[0].q.name, "MTS-IN");
    CU_ASSERT_STRING_EQUAL(s->queues[1].q.name, "MTS-OUT");
    CU_ASSERT_EQUAL_FATAL(s->n_comports, 2);
    CU_ASSERT_STRING_EQUAL(s->comports[0].p.name, "COM1");
    CU_ASSERT_EQUAL(s->comports[0].p.n_claimants, 2);
    CU_ASSERT_STRING_EQUAL(s->comports[0].p.claimants[1].name, "claimant 2");

    const exc_mconnector *c = exc_server_connector(s, "MS Mail Connector");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->c.state, EXC_ST_STOPPED);
    CU_ASSERT_PTR_NULL(exc_server_connector(s, "ms mail connector")); /* names are exact */
    CU_ASSERT_PTR_NULL(exc_server_connector(s, "Nope"));
    CU_ASSERT_PTR_NOT_NULL(exc_server_queue(s, "MTS-OUT"));
    CU_ASSERT_PTR_NULL(exc_server_queue(s, "MTS-XX"));
    CU_ASSERT_PTR_NOT_NULL(exc_server_comport(s, "COM2"));
    CU_ASSERT_PTR_NULL(exc_server_comport(s, "COM3"));
    CU_ASSERT_PTR_EQUAL(exc_server_connector_of_type(s, EXC_CT_X400), &s->connectors[2]);
    CU_ASSERT_PTR_NULL(exc_server_connector_of_type(s, EXC_CT_CCMAIL));

    /* A second report replaces everything: the MS Mail connector, MTS-IN and
     * COM2 are gone. */
    r = mk_report("EXCH01", 1060);
    exc_utf8_copy(r->site, sizeof r->site, "PARIS");
    r->mta_version[0] = '\0';
    add_conn(r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING);
    add_conn(r, "Internet Mail Service", EXC_CT_INTERNETMAIL, EXC_ST_RUNNING);
    add_queue(r, "MTS-OUT", 3);
    add_port(r, "COM1", 0);
    CU_ASSERT_TRUE(apply(&m, r, 20000));
    s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_EQUAL_FATAL(m.n_servers, 1);
    CU_ASSERT_EQUAL(s->collected, 1060);
    CU_ASSERT_EQUAL(s->received_ms, 20000);
    CU_ASSERT_EQUAL(s->created_ms, 10000);
    CU_ASSERT_STRING_EQUAL(s->site, "PARIS");
    CU_ASSERT_STRING_EQUAL(s->mta_version, "");
    CU_ASSERT_EQUAL(s->n_connectors, 2);
    CU_ASSERT_PTR_NULL(exc_server_connector(s, "MS Mail Connector"));
    CU_ASSERT_PTR_NULL(exc_server_connector_of_type(s, EXC_CT_MSMAIL));
    CU_ASSERT_EQUAL(s->n_queues, 1);
    CU_ASSERT_PTR_NULL(exc_server_queue(s, "MTS-IN"));
    CU_ASSERT_EQUAL(s->n_comports, 1);
    CU_ASSERT_PTR_NULL(exc_server_comport(s, "COM2"));
    CU_ASSERT_EQUAL(s->comports[0].p.n_claimants, 0);
    CU_ASSERT_PTR_NULL(s->comports[0].p.claimants);

    /* An empty report empties the server. */
    CU_ASSERT_TRUE(apply(&m, mk_report("exch01", 1120), 30000));
    CU_ASSERT_EQUAL(s->n_connectors + s->n_queues + s->n_comports, 0);
    exc_model_free(&m);
}

static void test_many_servers_sorted(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    /* insert in a scrambled order, enough to grow the pointer array */
    for (unsigned i = 0; i < 300; i++) {
        char name[16];
        snprintf(name, sizeof name, "srv%03u", (i * 7919u) % 300u);
        exc_report *r = mk_report(name, 1000);
        add_conn(r, "C", EXC_CT_OTHER, EXC_ST_RUNNING);
        CU_ASSERT_TRUE(apply(&m, r, 1));
    }
    CU_ASSERT_EQUAL_FATAL(m.n_servers, 300);
    for (size_t i = 1; i < m.n_servers; i++)
        CU_ASSERT_TRUE(strcmp(m.servers[i - 1]->name, m.servers[i]->name) < 0);
    CU_ASSERT_STRING_EQUAL(m.servers[0]->name, "SRV000");
    CU_ASSERT_PTR_NOT_NULL(exc_model_find(&m, "Srv123"));
    CU_ASSERT_PTR_NULL(exc_model_find(&m, "SRV300"));
    exc_model_free(&m);
}

static void test_stale_rejected(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    exc_report *r = mk_report("EXCH01", 2000);
    add_conn(r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_RUNNING);
    add_queue(r, "Q", 4);
    add_port(r, "COM1", 2);
    CU_ASSERT_TRUE(apply(&m, r, 10000));

    r = mk_report("EXCH01", 1999);
    add_conn(r, "Other", EXC_CT_OTHER, EXC_ST_STOPPED);
    add_queue(r, "Q", 9);
    add_port(r, "COM1", 3);
    exc_err err;
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_model_apply_report(&m, r, 20000, &err));
    char a[32], b[32], want[EXC_ERR_MSG];
    exc_format_iso8601(1999, a, sizeof a);
    exc_format_iso8601(2000, b, sizeof b);
    snprintf(want, sizeof want, "stale report: collected %s is older than the last accepted %s",
             a, b);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "1970-01-01T00:33:19Z"));
    /* the report still owns its contents */
    CU_ASSERT_EQUAL(r->n_connectors, 1);
    CU_ASSERT_EQUAL(r->n_comports, 1);
    drop_report(r);

    exc_server *s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_EQUAL(s->collected, 2000);
    CU_ASSERT_EQUAL(s->received_ms, 10000);
    CU_ASSERT_EQUAL_FATAL(s->n_connectors, 1);
    CU_ASSERT_STRING_EQUAL(s->connectors[0].c.name, "MS Mail Connector");
    CU_ASSERT_EQUAL(s->queues[0].q.messages.v, 4);
    CU_ASSERT_EQUAL(s->queues[0].hist.n, 1);
    CU_ASSERT_EQUAL(s->comports[0].p.n_claimants, 2);
    CU_ASSERT_EQUAL(s->comports[0].conflict_since_ms, 10000);

    /* a server known only from events has no "last accepted" yet */
    exc_model_note_event(&m, "EXCH02", 30000);
    CU_ASSERT_TRUE(apply(&m, mk_report("EXCH02", 5), 31000));
    exc_model_free(&m);
}

static void test_duplicate_names_rejected(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    exc_report *r = mk_report("EXCH01", 2000);
    add_conn(r, "A", EXC_CT_OTHER, EXC_ST_RUNNING);
    CU_ASSERT_TRUE(apply(&m, r, 1));

    r = mk_report("EXCH01", 3000);
    add_queue(r, "Q", 1);
    add_queue(r, "Q", 2);
    add_port(r, "COM1", 2);
    exc_err err;
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_model_apply_report(&m, r, 2, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "duplicate queue"));
    drop_report(r);
    exc_server *s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_EQUAL(s->collected, 2000);
    CU_ASSERT_EQUAL(s->n_connectors, 1);
    CU_ASSERT_EQUAL(s->n_queues, 0);

    /* no server name */
    r = mk_report("", 3000);
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_model_apply_report(&m, r, 2, &err));
    CU_ASSERT_STRING_NOT_EQUAL(err.msg, "");
    drop_report(r);
    CU_ASSERT_EQUAL(m.n_servers, 1);
    exc_model_free(&m);
}

static void test_same_collected_replaces(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    exc_report *r = mk_report("EXCH01", 1000);
    add_queue(r, "Q", 10);
    CU_ASSERT_TRUE(apply(&m, r, 1));
    r = mk_report("EXCH01", 1060);
    add_queue(r, "Q", 20);
    add_conn(r, "A", EXC_CT_OTHER, EXC_ST_RUNNING);
    CU_ASSERT_TRUE(apply(&m, r, 2));
    /* same collected time again: accepted, replaces contents, and the last
     * history sample is replaced rather than appended */
    r = mk_report("EXCH01", 1060);
    add_queue(r, "Q", 25);
    add_conn(r, "B", EXC_CT_OTHER, EXC_ST_RUNNING);
    CU_ASSERT_TRUE(apply(&m, r, 3));
    exc_server *s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_EQUAL(s->received_ms, 3);
    CU_ASSERT_EQUAL_FATAL(s->n_connectors, 1);
    CU_ASSERT_STRING_EQUAL(s->connectors[0].c.name, "B");
    const exc_mqueue *q = exc_server_queue(s, "Q");
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_EQUAL_FATAL(q->hist.n, 2);
    CU_ASSERT_EQUAL(q->hist.v[0], 10);
    CU_ASSERT_EQUAL(q->hist.v[1], 25);
    CU_ASSERT_EQUAL(q->q.messages.v, 25);
    /* 10, 20 then 20 again at the same time: still two samples, not stalled */
    r = mk_report("EXCH01", 1060);
    add_queue(r, "Q", 20);
    CU_ASSERT_TRUE(apply(&m, r, 4));
    q = exc_server_queue(s, "Q");
    CU_ASSERT_EQUAL(q->hist.n, 2);
    CU_ASSERT_TRUE(exc_queue_stalled(q, 2)); /* 10, 20 with k = 2 is stalled */
    CU_ASSERT_FALSE(exc_queue_stalled(q, 3));
    exc_model_free(&m);
}

static void test_last_change(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    exc_report *r = mk_report("EXCH01", 1000);
    add_conn(r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_RUNNING);
    add_conn(r, "cc:Mail Connector", EXC_CT_CCMAIL, EXC_ST_RUNNING);
    add_conn(r, "IMS", EXC_CT_INTERNETMAIL, EXC_ST_RUNNING);
    add_conn(r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING);
    CU_ASSERT_TRUE(apply(&m, r, 100));
    exc_server *s = exc_model_find(&m, "EXCH01");
    for (size_t i = 0; i < s->n_connectors; i++)
        CU_ASSERT_EQUAL(s->connectors[i].last_change_ms, 100);

    /* unchanged (service name and remote site are not state): carried over */
    r = mk_report("EXCH01", 1060);
    exc_connector *c = add_conn(r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_RUNNING);
    exc_utf8_copy(c->service, sizeof c->service, "MSExchangeMSMI");
    add_conn(r, "cc:Mail Connector", EXC_CT_CCMAIL, EXC_ST_RUNNING);
    add_conn(r, "IMS", EXC_CT_INTERNETMAIL, EXC_ST_RUNNING);
    c = add_conn(r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING);
    exc_utf8_copy(c->remote_site, sizeof c->remote_site, "PARIS");
    add_conn(r, "New", EXC_CT_OTHER, EXC_ST_RUNNING);
    CU_ASSERT_TRUE(apply(&m, r, 200));
    CU_ASSERT_EQUAL(exc_server_connector(s, "MS Mail Connector")->last_change_ms, 100);
    CU_ASSERT_EQUAL(exc_server_connector(s, "cc:Mail Connector")->last_change_ms, 100);
    CU_ASSERT_EQUAL(exc_server_connector(s, "IMS")->last_change_ms, 100);
    CU_ASSERT_EQUAL(exc_server_connector(s, "X.400 to PARIS")->last_change_ms, 100);
    CU_ASSERT_EQUAL(exc_server_connector(s, "New")->last_change_ms, 200);

    /* each relevant field changes on one connector */
    r = mk_report("EXCH01", 1120);
    c = add_conn(r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_RUNNING);
    c->service_exit.known = true;
    c->service_exit.v = 3;
    c = add_conn(r, "cc:Mail Connector", EXC_CT_CCMAIL, EXC_ST_RUNNING);
    c->dirsync = EXC_DS_PENDING;
    c = add_conn(r, "IMS", EXC_CT_INTERNETMAIL, EXC_ST_RUNNING);
    c->queuefile = EXC_QF_READONLY;
    c = add_conn(r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING);
    c->link = EXC_LINK_DOWN;
    add_conn(r, "New", EXC_CT_OTHER, EXC_ST_STOPPED);
    CU_ASSERT_TRUE(apply(&m, r, 300));
    for (size_t i = 0; i < s->n_connectors; i++)
        CU_ASSERT_EQUAL(s->connectors[i].last_change_ms, 300);

    /* win32 exit code changes; then all unchanged again */
    r = mk_report("EXCH01", 1180);
    c = add_conn(r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_RUNNING);
    c->service_exit.known = true;
    c->service_exit.v = 3;
    c->win32_exit.known = true;
    c->win32_exit.v = 1066;
    add_conn(r, "New", EXC_CT_OTHER, EXC_ST_STOPPED);
    CU_ASSERT_TRUE(apply(&m, r, 400));
    CU_ASSERT_EQUAL(exc_server_connector(s, "MS Mail Connector")->last_change_ms, 400);
    CU_ASSERT_EQUAL(exc_server_connector(s, "New")->last_change_ms, 300);

    /* a connector that disappears and comes back is new again */
    r = mk_report("EXCH01", 1240);
    add_conn(r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_RUNNING);
    CU_ASSERT_TRUE(apply(&m, r, 500));
    r = mk_report("EXCH01", 1300);
    add_conn(r, "New", EXC_CT_OTHER, EXC_ST_STOPPED);
    CU_ASSERT_TRUE(apply(&m, r, 600));
    CU_ASSERT_EQUAL(exc_server_connector(s, "New")->last_change_ms, 600);
    exc_model_free(&m);
}

static void test_conflict_since(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    exc_report *r = mk_report("EXCH01", 1000);
    add_port(r, "COM1", 2);
    add_port(r, "COM2", 1);
    CU_ASSERT_TRUE(apply(&m, r, 100));
    exc_server *s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM1")->conflict_since_ms, 100);
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM2")->conflict_since_ms, 0);

    r = mk_report("EXCH01", 1060);
    add_port(r, "COM1", 3);
    add_port(r, "COM2", 2);
    CU_ASSERT_TRUE(apply(&m, r, 200));
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM1")->conflict_since_ms, 100);
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM2")->conflict_since_ms, 200);

    r = mk_report("EXCH01", 1120);
    add_port(r, "COM1", 1);
    add_port(r, "COM2", 2);
    CU_ASSERT_TRUE(apply(&m, r, 300));
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM1")->conflict_since_ms, 0);
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM2")->conflict_since_ms, 200);

    r = mk_report("EXCH01", 1180);
    add_port(r, "COM1", 2);
    CU_ASSERT_TRUE(apply(&m, r, 400));
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM1")->conflict_since_ms, 400);
    /* the port vanished for a report: a new conflict */
    r = mk_report("EXCH01", 1240);
    CU_ASSERT_TRUE(apply(&m, r, 500));
    r = mk_report("EXCH01", 1300);
    add_port(r, "COM1", 2);
    CU_ASSERT_TRUE(apply(&m, r, 600));
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM1")->conflict_since_ms, 600);
    exc_model_free(&m);
}

static void test_queue_history(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    const long counts[] = {5, 6, 7, 8, 9};
    queue_series(&m, counts, 5);
    exc_server *s = exc_model_find(&m, "EXCH01");
    const exc_mqueue *q = exc_server_queue(s, "X400-PARIS");
    CU_ASSERT_EQUAL_FATAL(q->hist.n, 3);
    CU_ASSERT_EQUAL(q->hist.v[0], 7);
    CU_ASSERT_EQUAL(q->hist.v[1], 8);
    CU_ASSERT_EQUAL(q->hist.v[2], 9);

    /* unknown count resets to empty; the next known count starts afresh */
    exc_report *r = mk_report("EXCH01", 5000);
    add_queue(r, "X400-PARIS", -1);
    CU_ASSERT_TRUE(apply(&m, r, 1));
    q = exc_server_queue(s, "X400-PARIS");
    CU_ASSERT_EQUAL(q->hist.n, 0);
    CU_ASSERT_EQUAL(exc_queue_state(q, 3), EXC_QS_UNKNOWN);
    r = mk_report("EXCH01", 5060);
    add_queue(r, "X400-PARIS", 11);
    CU_ASSERT_TRUE(apply(&m, r, 2));
    q = exc_server_queue(s, "X400-PARIS");
    CU_ASSERT_EQUAL(q->hist.n, 1);
    CU_ASSERT_EQUAL(q->hist.v[0], 11);

    /* a queue missing from a report starts afresh when it returns */
    r = mk_report("EXCH01", 5120);
    add_queue(r, "X400-PARIS", 12);
    CU_ASSERT_TRUE(apply(&m, r, 3));
    CU_ASSERT_EQUAL(exc_server_queue(s, "X400-PARIS")->hist.n, 2);
    CU_ASSERT_TRUE(apply(&m, mk_report("EXCH01", 5180), 4));
    r = mk_report("EXCH01", 5240);
    add_queue(r, "X400-PARIS", 13);
    CU_ASSERT_TRUE(apply(&m, r, 5));
    q = exc_server_queue(s, "X400-PARIS");
    CU_ASSERT_EQUAL(q->hist.n, 1);
    CU_ASSERT_EQUAL(q->hist.v[0], 13);
    exc_model_free(&m);

    /* the largest setting keeps EXC_STALL_MAX samples */
    exc_model_init(&m, EXC_STALL_MAX);
    long many[EXC_STALL_MAX + 5];
    for (size_t i = 0; i < EXC_STALL_MAX + 5; i++)
        many[i] = (long)i + 1;
    queue_series(&m, many, EXC_STALL_MAX + 5);
    q = exc_server_queue(exc_model_find(&m, "EXCH01"), "X400-PARIS");
    CU_ASSERT_EQUAL(q->hist.n, EXC_STALL_MAX);
    CU_ASSERT_EQUAL(q->hist.v[0], 6);
    CU_ASSERT_EQUAL(q->hist.v[EXC_STALL_MAX - 1], EXC_STALL_MAX + 5);
    CU_ASSERT_EQUAL(exc_queue_state(q, EXC_STALL_MAX), EXC_QS_STALLED);
    exc_model_free(&m);
}

static void test_queue_states(void)
{
    const long stalled[] = {40, 40, 45};
    const long fell[] = {40, 39, 45};
    const long zero_first[] = {0, 5, 6};
    const long two[] = {40, 45};
    const long empty[] = {3, 2, 0};
    const long unknown[] = {3, 4, -1};
    const long recovered[] = {40, 40, 45, 44};
    const long long_run[] = {1, 0, 2, 3, 4};
    const long gap[] = {40, -1, 41, 42};
    CU_ASSERT_EQUAL(queue_state_after(3, stalled, 3), EXC_QS_STALLED);
    CU_ASSERT_EQUAL(queue_state_after(3, fell, 3), EXC_QS_FLOWING);
    CU_ASSERT_EQUAL(queue_state_after(3, zero_first, 3), EXC_QS_FLOWING);
    CU_ASSERT_EQUAL(queue_state_after(3, two, 2), EXC_QS_FLOWING);
    CU_ASSERT_EQUAL(queue_state_after(2, two, 2), EXC_QS_STALLED);
    CU_ASSERT_EQUAL(queue_state_after(3, empty, 3), EXC_QS_EMPTY);
    CU_ASSERT_EQUAL(queue_state_after(3, unknown, 3), EXC_QS_UNKNOWN);
    CU_ASSERT_EQUAL(queue_state_after(3, recovered, 4), EXC_QS_FLOWING);
    CU_ASSERT_EQUAL(queue_state_after(3, long_run, 5), EXC_QS_STALLED);
    CU_ASSERT_EQUAL(queue_state_after(3, gap, 4), EXC_QS_FLOWING);
    CU_ASSERT_EQUAL(queue_state_after(1, two, 1), EXC_QS_STALLED);

    /* direct: a history judged against a different setting */
    exc_mqueue q;
    uint32_t counts[4];
    memset(&q, 0, sizeof q);
    q.hist.v = counts;
    q.q.messages.known = true;
    q.q.messages.v = 9;
    q.hist.n = 4;
    q.hist.v[0] = 1;
    q.hist.v[1] = 9;
    q.hist.v[2] = 7;
    q.hist.v[3] = 9;
    CU_ASSERT_TRUE(exc_queue_stalled(&q, 2));
    CU_ASSERT_FALSE(exc_queue_stalled(&q, 3));
    CU_ASSERT_FALSE(exc_queue_stalled(&q, 5));
    q.hist.n = 0;
    CU_ASSERT_EQUAL(exc_queue_state(&q, 3), EXC_QS_FLOWING);
}

static void test_find_and_events(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    exc_server *s = exc_model_note_event(&m, "exch01", 777);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->name, "EXCH01");
    CU_ASSERT_FALSE(s->reported);
    CU_ASSERT_EQUAL(s->events, 1);
    CU_ASSERT_EQUAL(s->created_ms, 777);
    CU_ASSERT_EQUAL(s->collected, 0);
    CU_ASSERT_EQUAL(s->n_connectors, 0);
    CU_ASSERT_PTR_EQUAL(exc_model_note_event(&m, "Exch01", 888), s);
    CU_ASSERT_EQUAL(s->events, 2);
    CU_ASSERT_EQUAL(s->created_ms, 777);
    CU_ASSERT_EQUAL(m.n_servers, 1);
    CU_ASSERT_PTR_EQUAL(exc_model_find(&m, "EXCH01"), s);
    CU_ASSERT_PTR_EQUAL(exc_model_find(&m, "eXcH01"), s);
    CU_ASSERT_PTR_NULL(exc_model_find(&m, "EXCH02"));
    CU_ASSERT_PTR_NULL(exc_model_find(&m, ""));
    CU_ASSERT_PTR_NULL(exc_model_find(&m, NULL));
    CU_ASSERT_PTR_NULL(exc_model_find(&m, "EXCH01EXCH01EXCH01EXCH01EXCH01EXCH01"));
    CU_ASSERT_PTR_NULL(exc_model_get_or_add(&m, "", 1));
    CU_ASSERT_PTR_NULL(exc_model_get_or_add(&m, "123456789012345678901234567890123", 1));
    CU_ASSERT_PTR_NOT_NULL(exc_model_get_or_add(&m, "12345678901234567890123456789012", 1));
    CU_ASSERT_EQUAL(m.n_servers, 2);

    /* the report later fills in the event-created server */
    exc_report *r = mk_report("EXCH01", 1000);
    add_conn(r, "A", EXC_CT_OTHER, EXC_ST_RUNNING);
    CU_ASSERT_TRUE(apply(&m, r, 999));
    CU_ASSERT_PTR_EQUAL(exc_model_find(&m, "exch01"), s);
    CU_ASSERT_TRUE(s->reported);
    CU_ASSERT_EQUAL(s->events, 2);
    CU_ASSERT_EQUAL(s->created_ms, 777);
    exc_model_free(&m);
    CU_ASSERT_EQUAL(m.n_servers, 0);
    exc_model_free(&m); /* twice is harmless */
}

/* ---- persistence ---- */

static void assert_opt32_eq(exc_opt_u32 a, exc_opt_u32 b)
{
    CU_ASSERT_EQUAL(a.known, b.known);
    CU_ASSERT_EQUAL(a.v, b.v);
}

static void assert_models_equal(const exc_model *a, const exc_model *b)
{
    CU_ASSERT_EQUAL(a->reports_accepted, b->reports_accepted);
    CU_ASSERT_EQUAL(a->reports_rejected, b->reports_rejected);
    CU_ASSERT_EQUAL(a->events_accepted, b->events_accepted);
    CU_ASSERT_EQUAL(a->events_rejected, b->events_rejected);
    CU_ASSERT_EQUAL_FATAL(a->n_servers, b->n_servers);
    for (size_t i = 0; i < a->n_servers; i++) {
        const exc_server *x = a->servers[i], *y = b->servers[i];
        CU_ASSERT_STRING_EQUAL(x->name, y->name);
        CU_ASSERT_STRING_EQUAL(x->site, y->site);
        CU_ASSERT_STRING_EQUAL(x->exchange_version, y->exchange_version);
        CU_ASSERT_STRING_EQUAL(x->mta_version, y->mta_version);
        CU_ASSERT_EQUAL(x->reported, y->reported);
        CU_ASSERT_EQUAL(x->collected, y->collected);
        CU_ASSERT_EQUAL(x->received_ms, y->received_ms);
        CU_ASSERT_EQUAL(x->created_ms, y->created_ms);
        CU_ASSERT_EQUAL(x->events, y->events);
        CU_ASSERT_EQUAL(x->collect_status, y->collect_status);
        CU_ASSERT_EQUAL(x->collect_time, y->collect_time);
        CU_ASSERT_STRING_EQUAL(x->collect_error, y->collect_error);
        CU_ASSERT_EQUAL_FATAL(x->n_connectors, y->n_connectors);
        for (size_t j = 0; j < x->n_connectors; j++) {
            const exc_mconnector *c = &x->connectors[j], *d = &y->connectors[j];
            CU_ASSERT_STRING_EQUAL(c->c.name, d->c.name);
            CU_ASSERT_EQUAL(c->c.type, d->c.type);
            CU_ASSERT_STRING_EQUAL(c->c.service, d->c.service);
            CU_ASSERT_EQUAL(c->c.state, d->c.state);
            assert_opt32_eq(c->c.win32_exit, d->c.win32_exit);
            assert_opt32_eq(c->c.service_exit, d->c.service_exit);
            CU_ASSERT_STRING_EQUAL(c->c.com_port, d->c.com_port);
            CU_ASSERT_EQUAL(c->c.dirsync, d->c.dirsync);
            CU_ASSERT_EQUAL(c->c.queuefile, d->c.queuefile);
            CU_ASSERT_STRING_EQUAL(c->c.remote_site, d->c.remote_site);
            CU_ASSERT_EQUAL(c->c.link, d->c.link);
            CU_ASSERT_EQUAL(c->last_change_ms, d->last_change_ms);
        }
        CU_ASSERT_EQUAL_FATAL(x->n_queues, y->n_queues);
        for (size_t j = 0; j < x->n_queues; j++) {
            const exc_mqueue *q = &x->queues[j], *p = &y->queues[j];
            CU_ASSERT_STRING_EQUAL(q->q.name, p->q.name);
            CU_ASSERT_STRING_EQUAL(q->q.connector, p->q.connector);
            CU_ASSERT_EQUAL(q->q.kind, p->q.kind);
            assert_opt32_eq(q->q.messages, p->q.messages);
            CU_ASSERT_EQUAL(q->q.bytes.known, p->q.bytes.known);
            CU_ASSERT_EQUAL(q->q.bytes.v, p->q.bytes.v);
            assert_opt32_eq(q->q.oldest_age, p->q.oldest_age);
            CU_ASSERT_EQUAL_FATAL(q->hist.n, p->hist.n);
            CU_ASSERT_EQUAL(memcmp(q->hist.v, p->hist.v, q->hist.n * sizeof q->hist.v[0]), 0);
        }
        CU_ASSERT_EQUAL_FATAL(x->n_comports, y->n_comports);
        for (size_t j = 0; j < x->n_comports; j++) {
            const exc_mcomport *p = &x->comports[j], *o = &y->comports[j];
            CU_ASSERT_STRING_EQUAL(p->p.name, o->p.name);
            CU_ASSERT_EQUAL(p->conflict_since_ms, o->conflict_since_ms);
            CU_ASSERT_EQUAL_FATAL(p->p.n_claimants, o->p.n_claimants);
            for (size_t k = 0; k < p->p.n_claimants; k++) {
                CU_ASSERT_EQUAL(p->p.claimants[k].kind, o->p.claimants[k].kind);
                CU_ASSERT_STRING_EQUAL(p->p.claimants[k].name, o->p.claimants[k].name);
            }
        }
    }
}

/* A model with every kind of field set, including awkward strings. */
static void build_rich_model(exc_model *m)
{
    exc_model_init(m, 3);
    m->reports_accepted = 12345678901ULL;
    m->reports_rejected = 7;
    m->events_accepted = 99;
    m->events_rejected = 1;

    for (int round = 0; round < 4; round++) {
        exc_report *r = mk_report("EXCH01", 1700000000 + round * 60);
        exc_utf8_copy(r->site, sizeof r->site, "Head Office %20 100%");
        exc_connector *c = add_conn(r, "MS Mail Connector", EXC_CT_MSMAIL, EXC_ST_STOPPED);
        exc_utf8_copy(c->service, sizeof c->service, "MSExchangeMSMI");
        exc_utf8_copy(c->com_port, sizeof c->com_port, "COM1");
        c->win32_exit.known = true;
        c->win32_exit.v = 1066;
        c->service_exit.known = true;
        c->service_exit.v = round < 2 ? 3 : 4294967295u;
        c = add_conn(r, "cc:Mail Connector", EXC_CT_CCMAIL, EXC_ST_RUNNING);
        c->dirsync = EXC_DS_PENDING;
        c = add_conn(r, "Internet Mail Service", EXC_CT_INTERNETMAIL, EXC_ST_PAUSED);
        c->queuefile = EXC_QF_READONLY;
        c = add_conn(r, "X.400 to PARIS", EXC_CT_X400, EXC_ST_RUNNING);
        exc_utf8_copy(c->remote_site, sizeof c->remote_site, "PARIS\tcôté");
        c->link = EXC_LINK_DOWN;
        exc_queue *q = add_queue(r, "MTS-OUT", 12 + round);
        q->kind = EXC_QK_MTSOUT;
        q->bytes.known = true;
        q->bytes.v = 18446744073709551615ULL;
        q->oldest_age.known = true;
        q->oldest_age.v = 3600;
        q = add_queue(r, "X400-PARIS", round == 2 ? -1 : 40);
        q = add_queue(r, "IMCDATA-IN", 0);
        q->connector[0] = '\0';
        add_port(r, "COM1", 2);
        add_port(r, "COM2", 0);
        add_port(r, "COM3", 1);
        CU_ASSERT_TRUE(apply(m, r, 1700000000000LL + round * 1000));
    }
    exc_report *r = mk_report("exch02", -5); /* before the epoch: negative */
    r->exchange_version[0] = '\0';
    add_conn(r, "Only", EXC_CT_OTHER, EXC_ST_UNKNOWN);
    CU_ASSERT_TRUE(apply(m, r, 42));
    exc_model_note_event(m, "EXCH02", 43);
    exc_model_note_event(m, "EVENTONLY", 44);
    exc_model_note_event(m, "EVENTONLY", 45);
    exc_report *st = mk_status("EXCH01", 1700000300, EXC_CS_AUTH_FAILED,
                               "NT_STATUS_LOGON_FAILURE \"quoted\" %20");
    CU_ASSERT_TRUE(apply(m, st, 46));
}

static void load_all(exc_model *m, FILE *fp, bool *bad, unsigned *unknown)
{
    exc_sf_reader rd;
    memset(&rd, 0, sizeof rd);
    rd.fp = fp;
    const char *tag;
    *unknown = 0;
    while ((tag = exc_sf_next(&rd)) != NULL) {
        if (!exc_model_load_record(m, tag, &rd))
            (*unknown)++;
        if (rd.bad)
            break;
    }
    *bad = rd.bad;
    exc_sf_reader_free(&rd);
}

/* What exc_model_save writes for m, appended to fp. */
static void save_model_to(FILE *fp, const exc_model *m)
{
    exc_sf_writer w = {0};
    exc_model_save(m, &w);
    CU_ASSERT_FALSE(w.failed);
    CU_ASSERT_EQUAL(fwrite(w.buf, 1, w.len, fp), w.len);
    exc_sf_discard(&w);
}

static void test_save_load_roundtrip(void)
{
    exc_model a, b;
    build_rich_model(&a);
    FILE *fp = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    save_model_to(fp, &a);
    fputs("alarm 1 2 3\n", fp); /* someone else's record */
    rewind(fp);

    exc_model_init(&b, 3);
    bool bad;
    unsigned unknown;
    load_all(&b, fp, &bad, &unknown);
    CU_ASSERT_FALSE(bad);
    CU_ASSERT_EQUAL(unknown, 1);
    assert_models_equal(&a, &b);

    /* spot checks that the model had what we think it had */
    const exc_server *s = exc_model_find(&b, "EXCH01");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->site, "Head Office %20 100%");
    const exc_mqueue *q = exc_server_queue(s, "MTS-OUT");
    CU_ASSERT_EQUAL(q->hist.n, 3);
    CU_ASSERT_EQUAL(exc_queue_state(q, 3), EXC_QS_STALLED);
    CU_ASSERT_EQUAL(exc_server_queue(s, "X400-PARIS")->hist.n, 1);
    CU_ASSERT_EQUAL(exc_server_comport(s, "COM1")->conflict_since_ms, 1700000000000LL);
    CU_ASSERT_EQUAL(exc_server_connector(s, "MS Mail Connector")->last_change_ms,
                    1700000002000LL);
    CU_ASSERT_EQUAL(exc_model_find(&b, "EXCH02")->collected, -5);
    CU_ASSERT_FALSE(exc_model_find(&b, "EVENTONLY")->reported);

    /* applying the same next report to both gives the same result */
    exc_report *r1 = mk_report("EXCH01", 1700000240), *r2 = mk_report("EXCH01", 1700000240);
    add_queue(r1, "MTS-OUT", 20);
    add_queue(r2, "MTS-OUT", 20);
    add_port(r1, "COM1", 2);
    add_port(r2, "COM1", 2);
    CU_ASSERT_TRUE(apply(&a, r1, 1));
    CU_ASSERT_TRUE(apply(&b, r2, 1));
    assert_models_equal(&a, &b);

    fclose(fp);
    exc_model_free(&a);
    exc_model_free(&b);
}

/* Records out of order, children before their server, duplicates: order and
 * invariants are re-established. */
static void test_load_out_of_order(void)
{
    exc_model a, b;
    build_rich_model(&a);
    FILE *fp = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    save_model_to(fp, &a);
    rewind(fp);
    /* read all lines, write them back reversed, except that claimants keep
     * their relative order (it is the claimant index) */
    char *lines[256];
    size_t n = 0;
    char buf[4096];
    while (n < 256 && fgets(buf, sizeof buf, fp))
        lines[n++] = exc_strdup(buf);
    CU_ASSERT_TRUE_FATAL(n > 10 && n < 256);
    FILE *out = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    for (size_t i = n; i-- > 0;)
        if (strncmp(lines[i], "clm ", 4) != 0)
            fputs(lines[i], out);
    for (size_t i = 0; i < n; i++)
        if (strncmp(lines[i], "clm ", 4) == 0)
            fputs(lines[i], out);
    /* a duplicate connector record replaces the first */
    for (size_t i = 0; i < n; i++)
        if (strncmp(lines[i], "con ", 4) == 0) {
            fputs(lines[i], out);
            break;
        }
    fputs("# a comment\n\n", out);
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    rewind(out);

    exc_model_init(&b, 3);
    bool bad;
    unsigned unknown;
    load_all(&b, out, &bad, &unknown);
    CU_ASSERT_FALSE(bad);
    CU_ASSERT_EQUAL(unknown, 0);
    assert_models_equal(&a, &b);
    fclose(fp);
    fclose(out);
    exc_model_free(&a);
    exc_model_free(&b);
}

/* Loads one record into a model with stall_samples 3; returns r->bad. */
static bool load_one(exc_model *m, const char *text, bool *owned)
{
    FILE *fp = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs(text, fp);
    rewind(fp);
    exc_sf_reader rd;
    memset(&rd, 0, sizeof rd);
    rd.fp = fp;
    const char *tag = exc_sf_next(&rd);
    bool is_model = false;
    if (tag)
        is_model = exc_model_load_record(m, tag, &rd);
    if (owned)
        *owned = is_model;
    bool bad = rd.bad;
    exc_sf_reader_free(&rd);
    fclose(fp);
    return bad;
}

static void test_load_bad_records(void)
{
    static const char *const bad[] = {
        "srv\n",
        "srv EXCH01\n",
        "srv % HQ % % 1 0 0 0 0\n",                        /* empty server name */
        "srv EXCH01 HQ % % 2 0 0 0 0\n",                   /* reported not 0/1 */
        "srv EXCH01 HQ % % 1 x 0 0 0\n",                   /* not a number */
        "srv EXCH01 HQ % % 1 0 0 0 0 extra\n",             /* trailing field */
        "srv EXCH01 HQ %G1 % 1 0 0 0 0\n",                 /* bad escape */
        "srv 123456789012345678901234567890123 HQ % % 1 0 0 0 0\n", /* too long */
        "srv EXCH01 HQ % % 1 0 0 0 -1\n",                  /* negative unsigned */
        "srv EXCH01 HQ % % 1 99999999999999999999 0 0 0\n", /* overflow */
        "con EXCH01 A 0 svc 4 0 0 0 0 % 5 6 % 4 0\n",      /* type 0 */
        "con EXCH01 A 6 svc 4 0 0 0 0 % 5 6 % 4 0\n",      /* type 6 */
        "con EXCH01 A 5 svc 9 0 0 0 0 % 5 6 % 4 0\n",      /* state 9 */
        "con EXCH01 A 5 svc 4 1 4294967296 0 0 % 5 6 % 4 0\n", /* u32 overflow */
        "con EXCH01 A 5 svc 4 0 7 0 0 % 5 6 % 4 0\n",      /* unknown with value */
        "con EXCH01 A 5 svc 4 0 0 0 0 % 6 6 % 4 0\n",      /* dirsync 6 */
        "con EXCH01 A 5 svc 4 0 0 0 0 % 5 7 % 4 0\n",      /* queuefile 7 */
        "con EXCH01 A 5 svc 4 0 0 0 0 % 5 6 % 5 0\n",      /* link 5 */
        "con EXCH01 A 5 svc 4 0 0 0 0 % 5 6 % 4\n",        /* missing field */
        "con EXCH01 % 5 svc 4 0 0 0 0 % 5 6 % 4 0\n",      /* empty name */
        "con EXCH01 A 5 svc 4 0 0 0 0 COM12345678901234567 5 6 % 4 0\n", /* long port */
        "que EXCH01 Q C 5 1 3 0 0 0 0 33 3\n",             /* hist n > max */
        "que EXCH01 Q C 5 1 3 0 0 0 0 3 1 2\n",            /* hist too short */
        "que EXCH01 Q C 5 1 3 0 0 0 0 1 3 4\n",            /* hist too long */
        "que EXCH01 Q C 5 1 3 0 0 0 0 2 1 2\n",            /* hist does not end at count */
        "que EXCH01 Q C 5 0 0 0 0 0 0 1 0\n",              /* hist with unknown count */
        "que EXCH01 Q C 7 1 3 0 0 0 0 1 3\n",              /* kind 7 */
        "que EXCH01 Q C 5 1 3 0 5 0 0 1 3\n",              /* bytes unknown with value */
        "que EXCH01 Q C 5 1 3 0 0 0 0 18446744073709551615\n",
        "com EXCH01 COM1 -5\n",
        "com EXCH01 COM1\n",
        "com EXCH01 % 0\n",
        "clm EXCH01 COM1 8 RAS\n",
        "clm EXCH01 COM1 0 RAS\n",
        "clm EXCH01 COM1 2 %\n",
        "clm EXCH01 COM1 2\n",
        "mctr 1 2 3\n",
        "mctr 1 2 3 4 5\n",
        "mctr a b c d\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        exc_model m;
        exc_model_init(&m, 3);
        bool owned = false;
        bool isbad = load_one(&m, bad[i], &owned);
        if (!isbad || !owned)
            fprintf(stderr, "\n  not refused: %s", bad[i]);
        CU_ASSERT_TRUE(owned);
        CU_ASSERT_TRUE(isbad);
        /* a refused record adds nothing */
        CU_ASSERT_EQUAL(m.n_servers, 0);
        exc_model_free(&m);
    }

    /* good single records, and a foreign tag */
    exc_model m;
    exc_model_init(&m, 2);
    bool owned;
    CU_ASSERT_FALSE(load_one(&m, "que exch01 Q C 5 1 3 0 0 0 0 3 1 2 3\n", &owned));
    CU_ASSERT_TRUE(owned);
    const exc_server *s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->name, "EXCH01");
    const exc_mqueue *q = exc_server_queue(s, "Q");
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_EQUAL(q->hist.n, 2); /* trimmed to the model's setting */
    CU_ASSERT_EQUAL(q->hist.v[0], 2);
    CU_ASSERT_EQUAL(q->hist.v[1], 3);
    CU_ASSERT_FALSE(load_one(&m, "clm EXCH01 COM9 2 RAS\n", &owned));
    CU_ASSERT_FALSE(load_one(&m, "clm EXCH01 COM9 1 MS%20Mail\n", &owned));
    const exc_mcomport *p = exc_server_comport(s, "COM9");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL_FATAL(p->p.n_claimants, 2);
    CU_ASSERT_STRING_EQUAL(p->p.claimants[1].name, "MS Mail");
    CU_ASSERT_EQUAL(p->conflict_since_ms, 0);
    CU_ASSERT_FALSE(load_one(&m, "com EXCH01 COM9 5000\n", &owned));
    CU_ASSERT_EQUAL(p->conflict_since_ms, 5000);
    CU_ASSERT_EQUAL(p->p.n_claimants, 2);
    CU_ASSERT_FALSE(load_one(&m, "alarm 1 2\n", &owned));
    CU_ASSERT_FALSE(owned);
    CU_ASSERT_FALSE(load_one(&m, "end\n", &owned));
    CU_ASSERT_FALSE(owned);
    exc_model_free(&m);
}

/* Corrupting a saved file anywhere never crashes (valgrind/ASan check the
 * memory side); every line either loads or sets bad. */
static void test_load_corrupted_file(void)
{
    exc_model a;
    build_rich_model(&a);
    FILE *fp = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    save_model_to(fp, &a);
    long len = ftell(fp);
    CU_ASSERT_TRUE_FATAL(len > 0 && len < 65536);
    char *text = exc_calloc((size_t)len + 1, 1);
    rewind(fp);
    CU_ASSERT_EQUAL_FATAL(fread(text, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);

    static const char subst[] = {' ', '%', 'x', '9', '\n', '-', '\0'};
    unsigned bad_count = 0, runs = 0;
    for (long pos = 0; pos < len; pos += 3) {
        for (size_t k = 0; k < sizeof subst; k++) {
            char *t = exc_calloc((size_t)len + 1, 1);
            memcpy(t, text, (size_t)len);
            t[pos] = subst[k];
            FILE *f = tmpfile();
            CU_ASSERT_PTR_NOT_NULL_FATAL(f);
            fwrite(t, 1, (size_t)len, f);
            rewind(f);
            exc_model b;
            exc_model_init(&b, 3);
            bool bad;
            unsigned unknown;
            load_all(&b, f, &bad, &unknown);
            bad_count += bad;
            runs++;
            /* whatever loaded keeps the sort invariants */
            for (size_t i = 1; i < b.n_servers; i++)
                CU_ASSERT_TRUE(strcmp(b.servers[i - 1]->name, b.servers[i]->name) < 0);
            for (size_t i = 0; i < b.n_servers; i++) {
                const exc_server *s = b.servers[i];
                for (size_t j = 1; j < s->n_connectors; j++)
                    CU_ASSERT_TRUE(strcmp(s->connectors[j - 1].c.name, s->connectors[j].c.name) < 0);
                for (size_t j = 1; j < s->n_queues; j++)
                    CU_ASSERT_TRUE(strcmp(s->queues[j - 1].q.name, s->queues[j].q.name) < 0);
                for (size_t j = 1; j < s->n_comports; j++)
                    CU_ASSERT_TRUE(strcmp(s->comports[j - 1].p.name, s->comports[j].p.name) < 0);
                for (size_t j = 0; j < s->n_queues; j++)
                    CU_ASSERT_TRUE(s->queues[j].hist.n <= 3);
            }
            exc_model_free(&b);
            fclose(f);
            free(t);
        }
    }
    CU_ASSERT_TRUE(bad_count > 0);
    CU_ASSERT_TRUE(runs > 0);
    free(text);
    exc_model_free(&a);
}

/* ---- admission: clock skew, limits (issue 9 items 6, 9) ---- */

/* A model configured as the engine does it, with these admission settings. */
static void configured(exc_model *m, unsigned skew, unsigned max_servers, unsigned max_rows)
{
    exc_config c;
    exc_config_defaults(&c);
    c.max_clock_skew = skew;
    c.max_servers = max_servers;
    c.max_rows_per_server = max_rows;
    exc_model_init(m, 3);
    exc_model_configure(m, &c);
}

static void test_future_refused(void)
{
    exc_model m;
    configured(&m, 300, 0, 0);
    const int64_t now = 1795341600000LL;   /* 2026-11-22T10:00:00Z */
    /* 2099 would lock the server out: refused, nothing created */
    apply_refused(&m, mk_report("EXCH01", 4070908800LL), now, "in the future");
    CU_ASSERT_EQUAL(m.n_servers, 0);
    /* within the tolerance: accepted; a later normal report is not stale */
    CU_ASSERT_TRUE(apply(&m, mk_report("EXCH01", now / 1000 + 300), now));
    apply_refused(&m, mk_report("EXCH01", now / 1000 + 361), now + 60000, "maxClockSkew");
    CU_ASSERT_TRUE(apply(&m, mk_report("EXCH01", now / 1000 + 360), now + 60000));
    /* a status from the future likewise */
    apply_refused(&m, mk_status("EXCH01", now / 1000 + 301, EXC_CS_OK, ""), now, "in the future");
    CU_ASSERT_EQUAL(exc_model_find(&m, "EXCH01")->collect_status, 0);
    /* skew 0: not one second ahead */
    exc_model_free(&m);
    configured(&m, 0, 0, 0);
    apply_refused(&m, mk_report("EXCH02", now / 1000 + 1), now, "allows 0 s");
    exc_model_free(&m);
}

static void test_limits(void)
{
    exc_model m;
    configured(&m, 300, 2, 3);
    exc_report *r = mk_report("EXCH01", 1000);
    add_conn(r, "A", EXC_CT_OTHER, EXC_ST_RUNNING);
    add_queue(r, "Q1", 1);
    add_port(r, "COM1", 1);   /* 4 rows: the port and its claimant */
    apply_refused(&m, r, 2000000, "maxRowsPerServer");
    CU_ASSERT_EQUAL(m.n_servers, 0);
    r = mk_report("EXCH01", 1000);
    add_conn(r, "A", EXC_CT_OTHER, EXC_ST_RUNNING);
    add_port(r, "COM1", 1);
    CU_ASSERT_TRUE(apply(&m, r, 2000000));
    CU_ASSERT_TRUE(apply(&m, mk_status("EXCH02", 1000, EXC_CS_UNREACHABLE, ""), 2000000));
    apply_refused(&m, mk_report("EXCH03", 1000), 2000000, "maxServers");
    apply_refused(&m, mk_status("EXCH03", 1000, EXC_CS_OK, ""), 2000000, "maxServers");
    CU_ASSERT_EQUAL(m.n_servers, 2);
    /* known servers still report */
    CU_ASSERT_TRUE(apply(&m, mk_report("exch02", 1001), 2000000));

    /* events: a batch naming a third server is refused whole and freed */
    exc_event_batch b = {2, exc_calloc(2, sizeof(exc_event))};
    exc_utf8_copy(b.events[0].server, sizeof b.events[0].server, "EXCH01");
    exc_utf8_copy(b.events[1].server, sizeof b.events[1].server, "EXCH03");
    b.events[0].time = b.events[1].time = 1000;
    exc_err err;
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_model_admit_events(&m, &b, 2000000, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "maxServers"));
    CU_ASSERT_EQUAL(b.n, 0);
    CU_ASSERT_PTR_NULL(b.events);
    exc_model_free(&m);
}

static void test_events_future(void)
{
    exc_model m;
    configured(&m, 300, 0, 0);
    const int64_t now = 1795341600000LL;
    exc_event_batch b = {2, exc_calloc(2, sizeof(exc_event))};
    for (int i = 0; i < 2; i++) {
        exc_utf8_copy(b.events[i].server, sizeof b.events[i].server, "EXCH01");
        exc_utf8_copy(b.events[i].provider, sizeof b.events[i].provider, "MSExchangeIMC");
        b.events[i].id = 4087;
        b.events[i].record_id = 10 + (uint64_t)i;
        b.events[i].time = now / 1000 + 300;
    }
    exc_err err;
    exc_err_clear(&err);
    CU_ASSERT_TRUE(exc_model_admit_events(&m, &b, now, &err));
    CU_ASSERT_EQUAL(b.n, 2);
    b.events[1].time = 4070908800LL;   /* 2099 */
    CU_ASSERT_FALSE(exc_model_admit_events(&m, &b, now, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "event 2 (MSExchangeIMC 4087, record 11)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "2099-01-01T00:00:00Z is in the future"));
    CU_ASSERT_EQUAL(b.n, 0);
    /* unconfigured (unit tests of others): no clock check */
    exc_model m2;
    exc_model_init(&m2, 3);
    CU_ASSERT_TRUE(apply(&m2, mk_report("EXCH01", 4070908800LL), 1));
    exc_model_free(&m2);
    exc_model_free(&m);
}

/* ---- collection status and forgetServer (contract A; issue 9 item 6) ---- */

static void test_collection_status(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    /* unknown server: created, status unknown, no report */
    CU_ASSERT_TRUE(
        apply(&m, mk_status("exch01", 1000, EXC_CS_AUTH_FAILED, "NT_STATUS_LOGON_FAILURE"), 5000));
    exc_server *s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_FALSE(s->reported);
    CU_ASSERT_EQUAL(s->created_ms, 5000);
    CU_ASSERT_EQUAL(s->collect_status, EXC_CS_AUTH_FAILED);
    CU_ASSERT_EQUAL(s->collect_time, 1000);
    CU_ASSERT_STRING_EQUAL(s->collect_error, "NT_STATUS_LOGON_FAILURE");
    char desc[EXC_TEXT_BUF] = "no report for 960 s";
    exc_server_collect_note(s, desc, sizeof desc);
    CU_ASSERT_STRING_EQUAL(desc,
                           "no report for 960 s; collector: authFailed: NT_STATUS_LOGON_FAILURE");

    /* a report keeps the status; a status never touches the report's clock */
    exc_report *r = mk_report("EXCH01", 1100);
    add_queue(r, "Q", 5);
    CU_ASSERT_TRUE(apply(&m, r, 6000));
    CU_ASSERT_TRUE(apply(&m, mk_status("EXCH01", 1160, EXC_CS_UNREACHABLE, ""), 9000));
    s = exc_model_find(&m, "EXCH01");
    CU_ASSERT_EQUAL(s->received_ms, 6000);
    CU_ASSERT_EQUAL(s->collected, 1100);
    CU_ASSERT_EQUAL(s->n_queues, 1);
    CU_ASSERT_EQUAL(s->collect_status, EXC_CS_UNREACHABLE);
    CU_ASSERT_STRING_EQUAL(s->collect_error, "");
    strcpy(desc, "x");
    exc_server_collect_note(s, desc, sizeof desc);
    CU_ASSERT_STRING_EQUAL(desc, "x; collector: unreachable");
    /* stale status refused, the same time accepted */
    apply_refused(&m, mk_status("EXCH01", 1159, EXC_CS_OK, ""), 9000, "stale collection status");
    CU_ASSERT_EQUAL(s->collect_status, EXC_CS_UNREACHABLE);
    CU_ASSERT_TRUE(apply(&m, mk_status("EXCH01", 1160, EXC_CS_OK, ""), 9000));
    strcpy(desc, "x");
    exc_server_collect_note(s, desc, sizeof desc);
    CU_ASSERT_STRING_EQUAL(desc, "x");   /* ok: nothing to add */

    /* forget: gone with everything; a later report starts afresh */
    CU_ASSERT_TRUE(apply(&m, mk_forget("exch01"), 9500));
    CU_ASSERT_PTR_NULL(exc_model_find(&m, "EXCH01"));
    apply_refused(&m, mk_forget("EXCH01"), 9500, "no server \"EXCH01\" is known");
    CU_ASSERT_TRUE(apply(&m, mk_report("EXCH01", 900), 9600));   /* older than before: fine */
    CU_ASSERT_EQUAL(exc_model_find(&m, "EXCH01")->collect_status, 0);
    exc_model_free(&m);
}

/* issue 14: the touched lists a commit's consumers take (model.h) */
static void test_touched_lists(void)
{
    exc_model m;
    exc_model_init(&m, 3);
    exc_server *a = exc_model_get_or_add(&m, "EXCH01", 1000);
    exc_server *b = exc_model_get_or_add(&m, "EXCH02", 1000);
    CU_ASSERT_FATAL(a && b);
    const exc_touch_list *l = &m.touched[EXC_TOUCH_SNAPSHOT];
    CU_ASSERT_EQUAL(l->n, 2);
    CU_ASSERT_TRUE(l->moved);
    CU_ASSERT_FALSE(exc_model_touched_since(&m, EXC_TOUCH_SNAPSHOT, 0));
    uint64_t t = exc_model_take_touched(&m, EXC_TOUCH_SNAPSHOT);
    CU_ASSERT_EQUAL(l->n, 0);
    CU_ASSERT_TRUE(exc_model_touched_since(&m, EXC_TOUCH_SNAPSHOT, t));
    CU_ASSERT_EQUAL(a->pos, 0);   /* numbered when taken */
    CU_ASSERT_EQUAL(b->pos, 1);
    /* each list on its own; a server listed once however often touched */
    CU_ASSERT_EQUAL(m.touched[EXC_TOUCH_STATE].n, 2);
    exc_model_touch(&m, b);
    exc_model_touch(&m, b);
    CU_ASSERT_EQUAL(l->n, 1);
    CU_ASSERT_PTR_EQUAL(l->v[0], b);
    CU_ASSERT_EQUAL(m.touched[EXC_TOUCH_STATE].n, 2);
    /* a token of the other list, or an old one, is not this list's */
    uint64_t t2 = exc_model_take_touched(&m, EXC_TOUCH_STATE);
    CU_ASSERT_FALSE(exc_model_touched_since(&m, EXC_TOUCH_SNAPSHOT, t2));
    CU_ASSERT_TRUE(exc_model_touched_since(&m, EXC_TOUCH_SNAPSHOT, t));
    /* a remove: moved, and no pointer to the freed server stays listed */
    CU_ASSERT_TRUE(exc_model_remove(&m, "EXCH02"));
    CU_ASSERT_EQUAL(l->n, 0);
    CU_ASSERT_FALSE(exc_model_touched_since(&m, EXC_TOUCH_SNAPSHOT, t));
    CU_ASSERT_FALSE(exc_model_touched_since(&m, EXC_TOUCH_STATE, t2));
    /* an add shifts positions: numbered again at the next take */
    exc_server *c = exc_model_get_or_add(&m, "EXCH00", 1000);
    CU_ASSERT_FATAL(c != NULL);
    exc_model_take_touched(&m, EXC_TOUCH_SNAPSHOT);
    CU_ASSERT_EQUAL(c->pos, 0);
    CU_ASSERT_EQUAL(exc_model_find(&m, "EXCH01")->pos, 1);
    exc_model_free(&m);
}

void exc_register_tests(void)
{
    CU_pSuite s = CU_add_suite("model", NULL, NULL);
    CU_add_test(s, "add and replace", test_add_and_replace);
    CU_add_test(s, "many servers stay sorted", test_many_servers_sorted);
    CU_add_test(s, "stale report rejected, model unchanged", test_stale_rejected);
    CU_add_test(s, "duplicate names rejected", test_duplicate_names_rejected);
    CU_add_test(s, "same collected replaces", test_same_collected_replaces);
    CU_add_test(s, "connector last change", test_last_change);
    CU_add_test(s, "COM port conflict since", test_conflict_since);
    CU_add_test(s, "queue history", test_queue_history);
    CU_add_test(s, "queue states (SPEC 4/6)", test_queue_states);
    CU_add_test(s, "find is case-insensitive; events create servers", test_find_and_events);
    CU_add_test(s, "save/load round trip", test_save_load_roundtrip);
    CU_add_test(s, "load out of order", test_load_out_of_order);
    CU_add_test(s, "bad records set bad", test_load_bad_records);
    CU_add_test(s, "corrupted file never crashes", test_load_corrupted_file);
    CU_add_test(s, "reports and statuses from the future refused", test_future_refused);
    CU_add_test(s, "maxServers and maxRowsPerServer", test_limits);
    CU_add_test(s, "events from the future refused", test_events_future);
    CU_add_test(s, "collection status and forgetServer", test_collection_status);
    CU_add_test(s, "touched lists (issue 14)", test_touched_lists);
}
