/* The MIB module (agent/mib_module.c): registration of the scalars and
 * tables, sysORTable, and the AgentX connection callbacks. */
#ifndef EXC_MIB_MODULE_H
#define EXC_MIB_MODULE_H

/* Registration of the MIB module (tables, scalars) and its teardown. */
int exc_mib_init(void);
void exc_mib_shutdown(void);
/* Follow the AgentX connection (SNMPD_CALLBACK_INDEX_START/STOP), which
 * gates notifications; exc_mib_init() does it too.  A subagent that
 * registers its subtrees only after init_snmp() has connected calls it
 * before, so that it sees that first connection. */
void exc_mib_watch_master(void);

#endif
