/* exConnAgent: the agent's own scalars (one scalar-group registration). */
#include "agent.h"
#include "scalars.h"

#include "mib_oids.h"
#include "feed.h"
#include "notify_send.h"

enum {
    SC_VERSION = 1, SC_REPORTS_ACCEPTED, SC_REPORTS_REJECTED, SC_EVENTS_ACCEPTED,
    SC_EVENTS_REJECTED, SC_KB_LOADED, SC_ALARMS_ACTIVE, SC_ALARM_LAST_CHANGED,
    SC_NOTIFICATIONS_SENT, SC_NOTIFICATIONS_DROPPED, SC_LAST = SC_NOTIFICATIONS_DROPPED
};

static const oid agent_oid[] = {EXC_AGENT_OID};
static netsnmp_handler_registration *reg;

bool exc_scalar_value(unsigned which, exc_val *v)
{
    const exc_snapshot *s = exc_agent_snapshot();
    switch (which) {
    case SC_VERSION: exc_val_string(v, EXCONN_VERSION); return true;
    case SC_REPORTS_ACCEPTED: exc_val_unsigned(v, ASN_COUNTER, s->reports_accepted); return true;
    case SC_REPORTS_REJECTED: exc_val_unsigned(v, ASN_COUNTER, s->reports_rejected); return true;
    case SC_EVENTS_ACCEPTED: exc_val_unsigned(v, ASN_COUNTER, s->events_accepted); return true;
    case SC_EVENTS_REJECTED: exc_val_unsigned(v, ASN_COUNTER, s->events_rejected); return true;
    case SC_KB_LOADED: exc_val_unsigned(v, ASN_GAUGE, s->kb_loaded); return true;
    case SC_ALARMS_ACTIVE: exc_val_unsigned(v, ASN_GAUGE, s->alarms_active); return true;
    case SC_ALARM_LAST_CHANGED:
        exc_val_unsigned(v, ASN_TIMETICKS, exc_timestamp(s->alarm_last_changed_ms));
        return true;
    case SC_NOTIFICATIONS_SENT: exc_val_unsigned(v, ASN_COUNTER, exc_notify_sent()); return true;
    case SC_NOTIFICATIONS_DROPPED:
        exc_val_unsigned(v, ASN_COUNTER, s->notifications_dropped);
        return true;
    default: return false;
    }
}

static int scalar_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *r,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)r;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        /* the scalar group helper has checked the object and the .0 instance
         * (and lengthened the registration's rootoid while calling us) */
        unsigned which = (unsigned)req->requestvb->name[OID_LENGTH(agent_oid)];
        exc_val v;
        if (exc_scalar_value(which, &v))
            exc_val_set(req->requestvb, &v);
        else
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
    }
    return SNMP_ERR_NOERROR;
}

int exc_scalars_register(void)
{
    reg = netsnmp_create_handler_registration("exConnAgent", scalar_handler, agent_oid,
                                              OID_LENGTH(agent_oid), HANDLER_CAN_RONLY);
    if (!reg)
        return SNMPERR_GENERR;
    int rc = netsnmp_register_scalar_group(reg, SC_VERSION, SC_LAST);
    if (rc != SNMPERR_SUCCESS) {
        reg = NULL;   /* freed by the failed registration */
        snmp_log(LOG_ERR, "exconn: cannot register exConnAgent scalars\n");
    }
    return rc;
}

void exc_scalars_unregister(void)
{
    if (reg)
        netsnmp_unregister_handler(reg);
    reg = NULL;
}
