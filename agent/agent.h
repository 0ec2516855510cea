/* Shared by the agent-side files (everything that talks Net-SNMP).  Only the
 * agent thread runs this code. */
#ifndef EXC_AGENT_H
#define EXC_AGENT_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

#define EXC_DEBUG_TOKEN "exconn"

/* The snapshot the MIB is answering from (never NULL after exc_feed_init). */
const exc_snapshot *exc_agent_snapshot(void);

/* TimeStamp (sysUpTime ticks) of a wall-clock moment; 0 for moments before
 * the agent started or never (ms == 0). */
u_long exc_timestamp(int64_t wall_ms);

/* DateAndTime (RFC 2579, 11 octets, UTC) of a wall-clock moment. */
size_t exc_date_and_time(int64_t wall_ms, u_char out[11]);

/* A column value ready for snmp_set_var_typed_value. */
typedef struct exc_val {
    u_char type;           /* ASN_* */
    long i;                /* INTEGER */
    u_long u;              /* Unsigned32, Gauge32, Counter32, TimeTicks */
    const void *ptr;       /* strings and OIDs (NULL: use i / u) */
    size_t len;            /* octets for strings, bytes for OIDs */
    u_char dt[11];         /* DateAndTime scratch */
} exc_val;

void exc_val_int(exc_val *v, long i);
void exc_val_unsigned(exc_val *v, u_char type, uint64_t u);   /* saturates at 2^32-1 */
void exc_val_string(exc_val *v, const char *s);
void exc_val_datetime(exc_val *v, int64_t wall_ms);
void exc_val_oid(exc_val *v, const oid *o, size_t len);

/* Put v into a varbind. */
int exc_val_set(netsnmp_variable_list *vb, const exc_val *v);

/* Encode a DisplayString index (length, then octets); returns sub-ids used. */
size_t exc_oid_put_string(oid *out, size_t max, const char *s);

/* Registration of the MIB module (tables, scalars) and its teardown. */
int exc_mib_init(void);
void exc_mib_shutdown(void);
/* Follow the AgentX connection (SNMPD_CALLBACK_INDEX_START/STOP), which
 * gates notifications; exc_mib_init() does it too.  A subagent that
 * registers its subtrees only after init_snmp() has connected calls it
 * before, so that it sees that first connection. */
void exc_mib_watch_master(void);

/* Notifications: send what the snapshot's outbox holds (when connected),
 * with flow control over AgentX (agent/notify_flow.h). */
void exc_notify_flush(void);
void exc_notify_set_connected(bool connected);   /* as the master: always */
void exc_notify_master_lost(netsnmp_session *s); /* SNMPD_CALLBACK_INDEX_STOP */
void exc_notify_master_back(netsnmp_session *s); /* SNMPD_CALLBACK_INDEX_START */
unsigned exc_notify_unconfirmed(void);           /* Notify PDUs awaiting a Response */
void exc_notify_stop_sending(void);              /* stopping: write nothing new */
void exc_notify_shutdown(void);   /* forget the connection, drop a pending flush */
uint32_t exc_notify_sent(void);   /* confirmed by the master */

/* Stopping as a subagent (agent/subagent.c): wait up to max_ms for the
 * Responses to Notify PDUs in flight, then leave the master without
 * waiting for it (before snmp_shutdown). */
void exc_subagent_drain(int max_ms);
void exc_subagent_detach(void);

/* The AgentX session to the master (Net-SNMP's main_session) and whether a
 * write to it now cannot block (a master that stopped reading); the
 * socket, -1 without one. */
extern netsnmp_session *main_session;   /* libnetsnmpagent, no installed header */
int exc_agentx_fd(netsnmp_session *s);
bool exc_agentx_writable(netsnmp_session *s);
#define EXC_AGENTX_VERSION_1 193        /* RFC 2741 (agentx/protocol.h is not installed) */

#endif
