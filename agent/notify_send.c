/* Sending the outbox's notices: as AgentX Notify PDUs with flow control
 * and confirmation (agent/notify_flow.h) when a subagent, with send_v2trap
 * to the trap sinks when the master itself (-M, or inside snmpd).  Follows
 * the AgentX session (INDEX_START/STOP) to know what to send again. */
#include "agent.h"
#include "notify.h"

#include <poll.h>
#include <stdlib.h>

#include "feed.h"
#include "notify_flow.h"
#include "util.h"
#include "notify_send.h"
#include "subagent.h"

#define AGENTX_MSG_NOTIFY 12   /* RFC 2741 */

static const oid sysuptime_oid[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static bool connected;
static exc_nflow flow;
static unsigned session_gen;      /* a Response from an older session is ignored */
static int64_t master_start_ms;   /* the master's start on our monotonic clock, 0 = unknown */
static unsigned flush_alarm_id;   /* a pending one-shot flush, 0 = none */
static unsigned retry_alarm_id;   /* a flush again after a failed write, 0 = none */
static bool stopping;             /* SIGTERM: nothing new is written */

/* A subagent (Notify PDUs over AgentX), not the master itself. */
static bool is_subagent(void)
{
    return netsnmp_ds_get_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE);
}

static void flush_alarm(unsigned int reg, void *arg);

/* Flush from the main loop, not from inside a Response callback (which may
 * run inside one of Net-SNMP's synchronous AgentX exchanges). */
static void schedule_flush(void)
{
    if (!flush_alarm_id)
        flush_alarm_id = snmp_alarm_register(0, 0, flush_alarm, NULL);
}

/* A write that failed with the session still up (no Response will come to
 * trigger the next flush): try again in a second, from the main loop like
 * flush_alarm.  A lost session is found by then, and its re-registration
 * flushes anyway. */
static void retry_alarm(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
    retry_alarm_id = 0;
    exc_notify_flush();
}

static void schedule_retry(void)
{
    if (!retry_alarm_id)
        retry_alarm_id = snmp_alarm_register(1, 0, retry_alarm, NULL);
}

/* more: notices still awaiting the master's answer (their acknowledgements
 * follow; the worker commits the burst together). */
static void acknowledge(uint64_t before)
{
    if (flow.confirmed > before)
        exc_feed_ack(flow.confirmed, flow.live > 0);
}

typedef struct notify_req {
    uint64_t seq;
    unsigned gen;
} notify_req;

/* The request inside snmp_async_send.  When the transport's write fails
 * there, Net-SNMP calls it back as SEND_FAILED *and* returns 0, so the
 * caller, which must clean up after a 0 in every other case, owns it: the
 * callback leaves it alone (freeing it in both places was a double free,
 * an abort when the master died as a Notify was written). */
static notify_req *sending;

/* The master's Response to a Notify, or its timeout, or the session's end
 * (Net-SNMP calls every pending request back as timed out when it closes). */
static int on_notify_response(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
                              void *magic)
{
    (void)sess;
    (void)reqid;
    if (op == NETSNMP_CALLBACK_OP_SEND_FAILED && magic == sending)
        return 1;   /* send_agentx sees the 0 and frees it */
    notify_req r = *(notify_req *)magic;
    free(magic);
    if (r.gen != session_gen)
        return 1;
    uint64_t before = flow.confirmed;
    if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu) {
        bool ok = pdu->errstat == 0;
        if (!ok)
            snmp_log(LOG_ERR, "exconn: the master refused notification %llu (AgentX error %ld); "
                     "dropped\n", (unsigned long long)r.seq, pdu->errstat);
        exc_nflow_answered(&flow, r.seq, ok);
        master_start_ms = exc_mono_ms() - (int64_t)pdu->time * 10;
    } else {
        exc_nflow_timed_out(&flow);
        DEBUGMSGTL((EXC_DEBUG_TOKEN "/notify", "notification %llu: no response\n",
                    (unsigned long long)r.seq));
    }
    acknowledge(before);
    schedule_flush();
    return 1;
}

static bool send_agentx(netsnmp_variable_list *vars, uint64_t seq)
{
    netsnmp_session *sess = main_session;
    netsnmp_pdu *pdu = snmp_pdu_create(AGENTX_MSG_NOTIFY);
    notify_req *r = malloc(sizeof *r);
    if (!pdu || !r) {
        free(r);
        snmp_free_pdu(pdu);
        return false;
    }
    u_long up = netsnmp_get_agent_uptime();
    snmp_pdu_add_variable(pdu, sysuptime_oid, OID_LENGTH(sysuptime_oid), ASN_TIMETICKS, &up,
                          sizeof up);
    for (netsnmp_variable_list *v = vars; v; v = v->next_variable)
        snmp_pdu_add_variable(pdu, v->name, v->name_length, v->type, v->val.string, v->val_len);
    pdu->version = EXC_AGENTX_VERSION_1;
    pdu->sessid = sess->sessid;
    pdu->reqid = snmp_get_next_reqid();
    pdu->msgid = snmp_get_next_msgid();
    r->seq = seq;
    r->gen = session_gen;
    sending = r;
    int sent = snmp_async_send(sess, pdu, on_notify_response, r);
    sending = NULL;
    if (sent == 0) {
        snmp_sess_perror("exconn: Notify", sess);
        snmp_free_pdu(pdu);
        free(r);
        return false;
    }
    return true;
}

/* Write one notice: over AgentX (confirmed by the master's Response), or,
 * as the master itself (-M, or inside snmpd), to the trap sinks. */
static bool send_notification(const exc_snapshot *s, const exc_notice *n)
{
    netsnmp_variable_list *vars = exc_notification_varbinds(s, n);
    bool agentx = is_subagent();
    bool ok = true;
    if (agentx)
        ok = main_session && send_agentx(vars, n->seq);
    else
        send_v2trap(vars);
    snmp_free_varbind(vars);
    if (!ok)
        return false;
    exc_nflow_written(&flow, n->seq);
    if (!agentx)
        exc_nflow_answered(&flow, n->seq, true);
    DEBUGMSGTL((EXC_DEBUG_TOKEN "/notify", "sent notification %d for alarm %u (seq %llu)\n",
                n->notification, n->alarm, (unsigned long long)n->seq));
    return true;
}

bool send_exConnComPortConflict(const exc_snapshot *s, const exc_notice *n) { return send_notification(s, n); }
bool send_exConnCcMailExportFailed(const exc_snapshot *s, const exc_notice *n) { return send_notification(s, n); }
bool send_exConnImcQueueInterfaceFailed(const exc_snapshot *s, const exc_notice *n) { return send_notification(s, n); }
bool send_exConnMtaLinkStall(const exc_snapshot *s, const exc_notice *n) { return send_notification(s, n); }
bool send_exConnImcStartFailed(const exc_snapshot *s, const exc_notice *n) { return send_notification(s, n); }
bool send_exConnKbAlarm(const exc_snapshot *s, const exc_notice *n) { return send_notification(s, n); }
bool send_exConnServerStale(const exc_snapshot *s, const exc_notice *n) { return send_notification(s, n); }
bool send_exConnAlarmCleared(const exc_snapshot *s, const exc_notice *n) { return send_notification(s, n); }

static bool dispatch(const exc_snapshot *s, const exc_notice *n)
{
    switch (n->notification) {
    case EXC_NOTIF_COMPORT_CONFLICT: return send_exConnComPortConflict(s, n);
    case EXC_NOTIF_CCMAIL_EXPORT_FAILED: return send_exConnCcMailExportFailed(s, n);
    case EXC_NOTIF_IMC_QUEUE_IF_FAILED: return send_exConnImcQueueInterfaceFailed(s, n);
    case EXC_NOTIF_MTA_LINK_STALL: return send_exConnMtaLinkStall(s, n);
    case EXC_NOTIF_IMC_START_FAILED: return send_exConnImcStartFailed(s, n);
    case EXC_NOTIF_KB_ALARM: return send_exConnKbAlarm(s, n);
    case EXC_NOTIF_SERVER_STALE: return send_exConnServerStale(s, n);
    case EXC_NOTIF_ALARM_CLEARED: return send_exConnAlarmCleared(s, n);
    default:
        snmp_log(LOG_ERR, "exconn: notice %llu has unknown notification %d; dropped\n",
                 (unsigned long long)n->seq, n->notification);
        exc_nflow_written(&flow, n->seq);
        exc_nflow_answered(&flow, n->seq, false);
        return true;
    }
}

/* Write what the outbox holds past the last written notice, in order, as
 * far as the window allows; the rest goes as Responses come back. */
void exc_notify_flush(void)
{
    const exc_snapshot *s = exc_agent_snapshot();
    if (!connected || s->n_outbox == 0 || stopping)
        return;
    bool agentx = is_subagent();
    uint64_t before = flow.confirmed;
    for (size_t i = 0; i < s->n_outbox; i++) {
        const exc_notice *n = &s->outbox[i];
        if (n->seq <= flow.written || n->seq <= flow.confirmed)
            continue;
        if (!exc_nflow_may_send(&flow, n->seq) || (agentx && !exc_agentx_writable(main_session)))
            break;
        if (!dispatch(s, n)) {
            schedule_retry();
            break;
        }
    }
    acknowledge(before);
}

static void flush_alarm(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
    flush_alarm_id = 0;
    exc_notify_flush();
}

static void set_connected(bool c)
{
    if (c == connected)
        return;
    connected = c;
    snmp_log(c ? LOG_INFO : LOG_WARNING, "exconn: %s\n",
             c ? "connected to the master agent" : "master agent lost; queueing notifications");
}

void exc_notify_set_connected(bool c)
{
    set_connected(c);
    if (c)
        schedule_flush();
}

/* The master closed the connection (end of file, reset), rather than the
 * agent giving up on a master that stopped answering. */
static bool master_closed(netsnmp_session *s)
{
    struct pollfd p = {exc_agentx_fd(s), POLLIN | POLLRDHUP, 0};
    if (p.fd < 0)
        return true;
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

void exc_notify_master_lost(netsnmp_session *s)
{
    bool closed = master_closed(s);
    size_t unconfirmed = flow.n;   /* before the loss forgets them (closed) */
    session_gen++;
    exc_nflow_session_lost(&flow, closed);
    DEBUGMSGTL((EXC_DEBUG_TOKEN "/notify", "session lost (%s); %zu unconfirmed after seq %llu\n",
                closed ? "closed by the master" : "given up", unconfirmed,
                (unsigned long long)flow.confirmed));
    set_connected(false);
}

void exc_notify_master_back(netsnmp_session *s)
{
    (void)s;
    session_gen++;
    /* the Open's Response set the agent's sysUpTime to the master's */
    int64_t start = exc_mono_ms() - (int64_t)netsnmp_get_agent_uptime() * 10;
    bool same = master_start_ms != 0 && llabs(start - master_start_ms) < 1000;
    size_t unconfirmed = flow.n;
    uint64_t before = flow.confirmed;
    exc_nflow_session_back(&flow, same);
    if (unconfirmed)
        snmp_log(LOG_INFO, "exconn: %zu unconfirmed notification(s) %s\n", unconfirmed,
                 flow.confirmed > before ? "were handled by the same master before it stopped "
                                          "answering; not sent again"
                                        : "sent again");
    master_start_ms = start;
    acknowledge(before);
    exc_notify_set_connected(true);
}

unsigned exc_notify_unconfirmed(void) { return flow.live; }

void exc_notify_stop_sending(void) { stopping = true; }

void exc_notify_shutdown(void)
{
    /* a module unloaded from snmpd (dlmod) must leave no alarm behind */
    if (flush_alarm_id)
        snmp_alarm_unregister(flush_alarm_id);
    flush_alarm_id = 0;
    if (retry_alarm_id)
        snmp_alarm_unregister(retry_alarm_id);
    retry_alarm_id = 0;
    connected = false;
    stopping = false;
    session_gen++;
    master_start_ms = 0;
    uint32_t sent = flow.sent;
    exc_nflow_init(&flow);   /* the next worker's outbox holds only unacknowledged notices */
    flow.sent = sent;
}

uint32_t exc_notify_sent(void) { return flow.sent; }
