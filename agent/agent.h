/* Shared by the agent-side files (everything that talks Net-SNMP): the
 * Net-SNMP headers, the snapshot and the column values, the debug token.
 * Only the agent thread runs this code; each file's functions are in its
 * own header (feed.h, notify_send.h, subagent.h, ...). */
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

#endif
