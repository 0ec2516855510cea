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
#include <time.h>

#define AGENTX_VERSION_1 193
#define AGENTX_MSG_CLOSE 2
#define AGENTX_CLOSE_SHUTDOWN 5

extern netsnmp_session *main_session;   /* libnetsnmpagent, no installed header */
void agentx_unregister_callbacks(netsnmp_session *ss);

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
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (!main_session || exc_notify_unconfirmed() == 0 || ms >= max_ms)
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
    void *sp = snmp_sess_pointer(s);
    netsnmp_transport *tr = sp ? snmp_sess_transport(sp) : NULL;
    struct pollfd p = {tr ? tr->sock : -1, POLLOUT, 0};
    netsnmp_pdu *pdu = p.fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)
                           ? snmp_pdu_create(AGENTX_MSG_CLOSE)
                           : NULL;
    if (pdu) {
        pdu->version = AGENTX_VERSION_1;
        pdu->sessid = s->sessid;
        pdu->errstat = AGENTX_CLOSE_SHUTDOWN;
        pdu->time = 0;
        if (snmp_send(s, pdu) == 0)
            snmp_free_pdu(pdu);
    }
    main_session = NULL;
    snmp_close(s);
}
