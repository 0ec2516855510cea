/* Leaving the master without waiting for it.  Net-SNMP's own teardown
 * (subagent_shutdown, a SNMP_CALLBACK_SHUTDOWN callback) sends an AgentX
 * Close and waits up to the session timeout for the Response, and every
 * subtree unregistered after it is another synchronous exchange: seconds
 * with a master that does not answer.  Worse, when the master goes while
 * that Close waits (agent and snmpd stopped together), the disconnect
 * handler unregisters subagent_shutdown from the very callback list being
 * run, and waits 100 ms for the list's lock before failing with
 * "netsnmp_assert lock_holded < 100 failed".  So the agent detaches first:
 * the AgentX callbacks (subagent_shutdown among them) are unregistered, the
 * Close is written without waiting, the session closed; whatever is
 * unregistered afterwards stays local. */
#include "agent.h"

#include <poll.h>

#include "util.h"
#include "notify_send.h"
#include "subagent.h"

#define AGENTX_MSG_CLOSE 2
#define AGENTX_CLOSE_SHUTDOWN 5

void agentx_unregister_callbacks(netsnmp_session *ss);

int exc_agentx_fd(netsnmp_session *s)
{
    void *sp = s ? snmp_sess_pointer(s) : NULL;
    netsnmp_transport *t = sp ? snmp_sess_transport(sp) : NULL;
    return t ? t->sock : -1;
}

bool exc_agentx_writable(netsnmp_session *s)
{
    struct pollfd p = {exc_agentx_fd(s), POLLOUT, 0};
    return p.fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

static void no_op(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
}

void exc_subagent_drain(int max_ms)
{
    exc_notify_stop_sending();
    struct timeval tick = {0, 20000};
    unsigned alarm = snmp_alarm_register_hr(tick, SA_REPEAT, no_op, NULL);
    int64_t t0 = exc_mono_ms();
    for (;;) {
        if (!main_session || exc_notify_unconfirmed() == 0 || exc_mono_ms() - t0 >= max_ms)
            break;
        agent_check_and_process(1);
    }
    if (alarm)
        snmp_alarm_unregister(alarm);
}

void exc_subagent_detach(void)
{
    netsnmp_session *s = main_session;
    if (!s)
        return;
    agentx_unregister_callbacks(s);
    if (s->securityModel != SNMP_DEFAULT_SECMODEL)
        snmp_alarm_unregister((unsigned)s->securityModel);   /* the ping alarm */
    remove_trap_session(s);
    netsnmp_pdu *pdu = exc_agentx_writable(s) ? snmp_pdu_create(AGENTX_MSG_CLOSE) : NULL;
    if (pdu) {
        pdu->version = EXC_AGENTX_VERSION_1;
        pdu->sessid = s->sessid;
        pdu->errstat = AGENTX_CLOSE_SHUTDOWN;
        pdu->time = 0;
        if (snmp_send(s, pdu) == 0)
            snmp_free_pdu(pdu);
    }
    main_session = NULL;
    snmp_close(s);
}
