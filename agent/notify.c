/* The notifications of EXCHANGE-CONNECTOR-MIB: one send_* function each.
 * Varbinds, after sysUpTime.0 and snmpTrapOID.0: exConnAlarmKbArticle,
 * exConnAlarmSeverity, exConnAlarmServer, exConnAlarmResource,
 * exConnAlarmDescription (indexed by the alarm's index) and
 * exConnKbArticleUrl (indexed by the article id; left out when the alarm has
 * no article).  Values come from the same column builders that answer GET. */
#include "agent.h"
#include "notify.h"

#include <string.h>

#include "feed.h"
#include "mib_oids.h"
#include "table.h"

static const oid snmptrap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
static bool connected;
static uint64_t last_sent_seq;
static uint32_t sent;
static unsigned flush_alarm_id;   /* a pending one-shot flush, 0 = none */

static void add_column(netsnmp_variable_list **vars, unsigned table, unsigned col,
                       const oid *index, size_t index_len, const exc_val *v)
{
    oid name[MAX_OID_LEN];
    static const oid objects[] = {EXC_OBJECTS};
    size_t n = OID_LENGTH(objects);
    memcpy(name, objects, sizeof objects);
    name[n++] = table;
    name[n++] = 1;      /* the table's entry */
    name[n++] = col;
    memcpy(name + n, index, index_len * sizeof(oid));
    n += index_len;
    netsnmp_variable_list *vb =
        snmp_varlist_add_variable(vars, name, n, v->type, NULL, 0);
    if (vb)
        exc_val_set(vb, v);
}

/* The alarm row as the notice captured it (for a cleared alarm the row has
 * already left exConnAlarmTable: the notice keeps its values). */
static void notice_row(const exc_notice *n, exc_alarm *a)
{
    memset(a, 0, sizeof *a);
    a->index = n->alarm;
    memcpy(a->article, n->article, sizeof a->article);
    a->severity = n->severity;
    memcpy(a->server, n->server, sizeof a->server);
    memcpy(a->resource, n->resource, sizeof a->resource);
    memcpy(a->description, n->description, sizeof a->description);
}

netsnmp_variable_list *exc_notification_varbinds(const exc_snapshot *s, const exc_notice *n)
{
    static const oid notifications[] = {EXC_NOTIFICATIONS};
    static const unsigned alarm_cols[] = {EXC_COL_ALARM_KBARTICLE, EXC_COL_ALARM_SEVERITY,
                                          EXC_COL_ALARM_SERVER, EXC_COL_ALARM_RESOURCE,
                                          EXC_COL_ALARM_DESCRIPTION};
    netsnmp_variable_list *vars = NULL;
    oid trap[MAX_OID_LEN];
    size_t tn = OID_LENGTH(notifications);
    memcpy(trap, notifications, sizeof notifications);
    trap[tn++] = (oid)n->notification;
    snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID,
                              trap, tn * sizeof(oid));

    exc_alarm row;
    notice_row(n, &row);
    oid alarm_index[1] = {n->alarm};
    for (size_t i = 0; i < sizeof alarm_cols / sizeof alarm_cols[0]; i++) {
        exc_val v;
        memset(&v, 0, sizeof v);
        if (exc_alarm_column(&row, alarm_cols[i], &v))
            add_column(&vars, EXC_TBL_ALARM, alarm_cols[i], alarm_index, 1, &v);
    }
    if (n->article[0]) {
        const exc_snap_kb *k = exc_snapshot_kb(s, n->article);
        exc_snap_kb fallback;
        if (!k) {   /* article unloaded since: keep the URL the notice captured */
            memset(&fallback, 0, sizeof fallback);
            memcpy(fallback.a.id, n->article, sizeof fallback.a.id);
            memcpy(fallback.a.url, n->url, sizeof fallback.a.url);
            k = &fallback;
        }
        oid kb_index[MAX_OID_LEN];
        size_t kn = exc_oid_put_string(kb_index, MAX_OID_LEN, k->a.id);
        exc_val v;
        memset(&v, 0, sizeof v);
        if (exc_kb_column(k, EXC_COL_KB_URL, &v))
            add_column(&vars, EXC_TBL_KB, EXC_COL_KB_URL, kb_index, kn, &v);
    }
    return vars;
}

static void send_notification(const exc_snapshot *s, const exc_notice *n)
{
    netsnmp_variable_list *vars = exc_notification_varbinds(s, n);
    send_v2trap(vars);
    snmp_free_varbind(vars);
    sent++;
    DEBUGMSGTL((EXC_DEBUG_TOKEN "/notify", "sent notification %d for alarm %u (seq %llu)\n",
                n->notification, n->alarm, (unsigned long long)n->seq));
}

void send_exConnComPortConflict(const exc_snapshot *s, const exc_notice *n) { send_notification(s, n); }
void send_exConnCcMailExportFailed(const exc_snapshot *s, const exc_notice *n) { send_notification(s, n); }
void send_exConnImcQueueInterfaceFailed(const exc_snapshot *s, const exc_notice *n) { send_notification(s, n); }
void send_exConnMtaLinkStall(const exc_snapshot *s, const exc_notice *n) { send_notification(s, n); }
void send_exConnImcStartFailed(const exc_snapshot *s, const exc_notice *n) { send_notification(s, n); }
void send_exConnKbAlarm(const exc_snapshot *s, const exc_notice *n) { send_notification(s, n); }
void send_exConnServerStale(const exc_snapshot *s, const exc_notice *n) { send_notification(s, n); }
void send_exConnAlarmCleared(const exc_snapshot *s, const exc_notice *n) { send_notification(s, n); }

static void dispatch(const exc_snapshot *s, const exc_notice *n)
{
    switch (n->notification) {
    case EXC_NOTIF_COMPORT_CONFLICT: send_exConnComPortConflict(s, n); break;
    case EXC_NOTIF_CCMAIL_EXPORT_FAILED: send_exConnCcMailExportFailed(s, n); break;
    case EXC_NOTIF_IMC_QUEUE_IF_FAILED: send_exConnImcQueueInterfaceFailed(s, n); break;
    case EXC_NOTIF_MTA_LINK_STALL: send_exConnMtaLinkStall(s, n); break;
    case EXC_NOTIF_IMC_START_FAILED: send_exConnImcStartFailed(s, n); break;
    case EXC_NOTIF_KB_ALARM: send_exConnKbAlarm(s, n); break;
    case EXC_NOTIF_SERVER_STALE: send_exConnServerStale(s, n); break;
    case EXC_NOTIF_ALARM_CLEARED: send_exConnAlarmCleared(s, n); break;
    default:
        snmp_log(LOG_ERR, "exconn: notice %llu has unknown notification %d; dropped\n",
                 (unsigned long long)n->seq, n->notification);
    }
}

void exc_notify_flush(void)
{
    const exc_snapshot *s = exc_agent_snapshot();
    if (!connected || s->n_outbox == 0)
        return;
    uint64_t before = last_sent_seq;
    for (size_t i = 0; i < s->n_outbox; i++) {
        if (s->outbox[i].seq <= last_sent_seq)
            continue;
        dispatch(s, &s->outbox[i]);
        last_sent_seq = s->outbox[i].seq;
    }
    if (last_sent_seq != before)
        exc_feed_ack(last_sent_seq);
}

static void flush_alarm(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
    flush_alarm_id = 0;
    exc_notify_flush();
}

void exc_notify_set_connected(bool c)
{
    if (c == connected)
        return;
    connected = c;
    snmp_log(c ? LOG_INFO : LOG_WARNING, "exconn: %s\n",
             c ? "connected to the master agent" : "master agent lost; queueing notifications");
    /* send what queued up once the reconnect has finished */
    if (c && !flush_alarm_id)
        flush_alarm_id = snmp_alarm_register(0, 0, flush_alarm, NULL);
}

void exc_notify_shutdown(void)
{
    /* a module unloaded from snmpd (dlmod) must leave no alarm behind */
    if (flush_alarm_id)
        snmp_alarm_unregister(flush_alarm_id);
    flush_alarm_id = 0;
    connected = false;
    last_sent_seq = 0;   /* the next worker's outbox holds only unacknowledged notices */
}

uint32_t exc_notify_sent(void) { return sent; }
