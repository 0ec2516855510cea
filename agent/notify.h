#ifndef EXC_NOTIFY_H
#define EXC_NOTIFY_H

#include "agent.h"

/* The varbind list of a notice, snmpTrapOID.0 first (for tests and senders). */
netsnmp_variable_list *exc_notification_varbinds(const exc_snapshot *s, const exc_notice *n);

bool send_exConnComPortConflict(const exc_snapshot *s, const exc_notice *n);
bool send_exConnCcMailExportFailed(const exc_snapshot *s, const exc_notice *n);
bool send_exConnImcQueueInterfaceFailed(const exc_snapshot *s, const exc_notice *n);
bool send_exConnMtaLinkStall(const exc_snapshot *s, const exc_notice *n);
bool send_exConnImcStartFailed(const exc_snapshot *s, const exc_notice *n);
bool send_exConnKbAlarm(const exc_snapshot *s, const exc_notice *n);
bool send_exConnServerStale(const exc_snapshot *s, const exc_notice *n);
bool send_exConnAlarmCleared(const exc_snapshot *s, const exc_notice *n);

#endif
