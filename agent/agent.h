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
#include "values.h"   /* exc_val: every table, the scalars and the notifications */

#define EXC_DEBUG_TOKEN "exconn"

/* The snapshot the MIB is answering from (never NULL after exc_feed_init). */
const exc_snapshot *exc_agent_snapshot(void);

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
