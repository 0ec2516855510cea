/* The notifications of EXCHANGE-CONNECTOR-MIB: their varbinds (sent by
 * agent/notify_send.c, one send_* function each).
 * Varbinds, after sysUpTime.0 and snmpTrapOID.0: exConnAlarmKbArticle,
 * exConnAlarmSeverity, exConnAlarmServer, exConnAlarmResource,
 * exConnAlarmDescription (indexed by the alarm's index) and
 * exConnKbArticleUrl (indexed by the article id; left out when the alarm has
 * no article).  Values come from the same column builders that answer GET. */
#include "agent.h"
#include "notify.h"

#include <string.h>

#include "mib_oids.h"
#include "table.h"

static const oid snmptrap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

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
        if (exc_table_column(&exc_alarm_table, &row, alarm_cols[i], &v))
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
        if (exc_table_column(&exc_kb_table, k, EXC_COL_KB_URL, &v))
            add_column(&vars, EXC_TBL_KB, EXC_COL_KB_URL, kb_index, kn, &v);
    }
    return vars;
}
