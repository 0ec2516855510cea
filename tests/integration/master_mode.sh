#!/usr/bin/env bash
# -M: exconn-agent as its own master agent on a loopback UDP port.
. "$(dirname "$0")/lib.sh"

SNMPD_PORT=$(free_port)
write_config
start_agent -M "udp:127.0.0.1:$SNMPD_PORT"
wait_registered 10
get EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0 >/dev/null
# read-only: a SET is refused
if snmp snmpset EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0 s x >/dev/null 2>&1; then
    fail "SET on exConnAgentVersion succeeded"
fi
# community other than the configured one gets nothing
if snmpget -v2c -c wrong -t 0.5 -r 0 "127.0.0.1:$SNMPD_PORT" 1.3.6.1.4.1.8072.9999.9999.5500.1.1.1.0 >/dev/null 2>&1; then
    fail "a wrong community was answered"
fi
log "master mode OK"

# Issue 9.8: SIGHUP, then SIGTERM: stopped within a second, with no SNMP
# packet to wake it.  Signals are taken by the agent thread alone (through
# a self-pipe in its select loop; the worker blocks them): with SIGHUP still
# pending on the agent thread, Linux hands a SIGTERM sent right after it to
# another thread -- the worker, in the old agent, which set the flag while
# the agent thread slept on in select().
for round in 1 2 3; do
    [ "$round" -eq 1 ] || { start_agent -M "udp:127.0.0.1:$SNMPD_PORT"; wait_registered 10; }
    t0=$(date +%s%N)
    kill -HUP "$AGENT_PID"; kill -TERM "$AGENT_PID"
    end=$(( t0 + 1000000000 ))
    while kill -0 "$AGENT_PID" 2>/dev/null && [ "$(date +%s%N)" -lt "$end" ]; do sleep 0.02; done
    kill -0 "$AGENT_PID" 2>/dev/null && fail "-M, round $round: still running 1 s after SIGHUP, SIGTERM"
    rc=0; wait "$AGENT_PID" || rc=$?
    AGENT_PID=
    [ "$rc" -eq 0 ] || fail "-M: SIGTERM exit $rc"
    log "-M, round $round: SIGHUP+SIGTERM: exit 0 within $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done
