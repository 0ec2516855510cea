/* EXCHANGE-CONNECTOR-MIB as a Net-SNMP module: scalars, the eight tables,
 * the sysORTable entry, and the AgentX connection callbacks that gate
 * notifications.  Used by the daemon (and usable from a dlmod plugin). */
#include "agent.h"
#include "mib_module.h"

#include <net-snmp/agent/agent_callbacks.h>
#include <net-snmp/agent/agent_sysORTable.h>

#include "mib_oids.h"
#include "scalars.h"
#include "table.h"
#include "notify_send.h"

static oid module_oid[] = {EXC_MIB_ROOT};
static bool sysor_registered;
static bool watching;

static int on_index_start(int major, int minor, void *server, void *client)
{
    (void)major; (void)minor; (void)client;
    exc_notify_master_back(server);
    return SNMP_ERR_NOERROR;
}

static int on_index_stop(int major, int minor, void *server, void *client)
{
    (void)major; (void)minor; (void)client;
    exc_notify_master_lost(server);
    return SNMP_ERR_NOERROR;
}

void exc_mib_watch_master(void)
{
    if (watching)
        return;
    watching = true;
    if (netsnmp_ds_get_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE)) {
        /* subagent: notifications go out only while the master is there */
        snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
                               on_index_start, NULL);
        snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
                               on_index_stop, NULL);
    } else {
        exc_notify_set_connected(true);   /* we are the master: traps go to our sinks */
    }
}

int exc_mib_init(void)
{
    static const exc_table_def *const defs[] = {
        &exc_server_table, &exc_connector_table, &exc_comport_table, &exc_claimant_table,
        &exc_queue_table,  &exc_kb_table,        &exc_alarm_table,   &exc_history_table,
    };
    /* The scalars last: once exConnAgentVersion.0 answers through the
     * master, every table and the sysORTable entry are registered too (a
     * subagent registers one subtree at a time, each waiting for the
     * master's Response), so a poll of it is a readiness check. */
    int rc = SNMPERR_SUCCESS;
    for (size_t i = 0; rc == SNMPERR_SUCCESS && i < sizeof defs / sizeof defs[0]; i++)
        rc = exc_table_register(defs[i]);
    if (rc == SNMPERR_SUCCESS &&
        register_sysORTable(module_oid, OID_LENGTH(module_oid),
                            "EXCHANGE-CONNECTOR-MIB: Exchange connector health (exconn)") == 0)
        sysor_registered = true;
    if (rc == SNMPERR_SUCCESS)
        rc = exc_scalars_register();
    if (rc != SNMPERR_SUCCESS) {
        exc_mib_shutdown();
        return rc;
    }
    exc_mib_watch_master();
    return SNMPERR_SUCCESS;
}

void exc_mib_shutdown(void)
{
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
                             on_index_start, NULL, 1);
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
                             on_index_stop, NULL, 1);
    watching = false;
    if (sysor_registered)
        unregister_sysORTable(module_oid, OID_LENGTH(module_oid));
    sysor_registered = false;
    exc_tables_shutdown();
    exc_scalars_unregister();
    exc_notify_shutdown();
}
