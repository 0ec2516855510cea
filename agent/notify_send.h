/* Sending the snapshot's outbox (agent/notify_send.c): every notice not
 * sent yet, in order, when connected, with flow control over AgentX
 * (agent/notify_flow.h). */
#ifndef EXC_NOTIFY_SEND_H
#define EXC_NOTIFY_SEND_H

#include "agent.h"

void exc_notify_flush(void);
void exc_notify_set_connected(bool connected);   /* as the master: always */
void exc_notify_master_lost(netsnmp_session *s); /* SNMPD_CALLBACK_INDEX_STOP */
void exc_notify_master_back(netsnmp_session *s); /* SNMPD_CALLBACK_INDEX_START */
unsigned exc_notify_unconfirmed(void);           /* Notify PDUs awaiting a Response */
void exc_notify_stop_sending(void);              /* stopping: write nothing new */
void exc_notify_shutdown(void);   /* forget the connection, drop a pending flush */
uint32_t exc_notify_sent(void);   /* confirmed by the master */

#endif
