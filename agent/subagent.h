/* The AgentX session to the master (agent/subagent.c). */
#ifndef EXC_SUBAGENT_H
#define EXC_SUBAGENT_H

#include "agent.h"

/* Stopping as a subagent: wait up to max_ms for the Responses to Notify
 * PDUs in flight, then leave the master without waiting for it (before
 * snmp_shutdown). */
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
