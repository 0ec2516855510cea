#!/usr/bin/env bash
# Issue 12: agent and snmpd stopped together (SIGTERM to both at once, as a
# system shutdown does), three rounds: the agent exits 0 within a second each
# time and never logs "netsnmp_assert lock_holded < 100 failed" (Net-SNMP's
# own teardown waited for the AgentX Close's Response inside its shutdown
# callbacks; the master's disconnect then unregistered a callback of the
# list being run).  Then the sure way to that window: snmpd frozen, the
# agent stopped (it must leave within a second, waiting for nothing), and
# snmpd killed -- the old agent was still waiting, Close after unregister.
. "$(dirname "$0")/lib.sh"

write_config
start_snmptrapd
for round in 1 2 3; do
    start_snmpd
    start_agent
    wait_registered 10
    drop_file events "$round.xml" "$DATA/events/q182346-imc-4087.xml"
    t0=$(now_ms)
    kill -TERM "$AGENT_PID" "$SNMPD_PID"
    rc=0; wait "$AGENT_PID" || rc=$?
    el=$(( $(now_ms) - t0 )); AGENT_PID=
    wait "$SNMPD_PID" 2>/dev/null || true; SNMPD_PID=
    [ "$rc" -eq 0 ] || fail "round $round: agent exit $rc"
    [ "$el" -lt 1000 ] || fail "round $round: agent took $el ms to stop"
    if grep -q 'lock_holded\|netsnmp_assert' "$AGENT_LOG"; then
        fail "round $round: $(grep 'lock_holded\|netsnmp_assert' "$AGENT_LOG" | head -n 1)"
    fi
    log "round $round: both stopped, agent exit 0 after $el ms"
done

start_snmpd
start_agent -Dagentx/subagent
wait_registered 10
kill -STOP "$SNMPD_PID"
t0=$(now_ms)
kill -TERM "$AGENT_PID"
end=$(( t0 + 1000 ))
while agent_alive && [ "$(now_ms)" -lt "$end" ]; do sleep 0.02; done
if agent_alive; then
    # the old agent: in Net-SNMP's synchronous teardown; kill the master
    # while it waits for the Close's Response
    wait_for 60 "the agent's AgentX Close" grep -q 'closing session' "$AGENT_LOG"
    kill -KILL "$SNMPD_PID"
    wait "$AGENT_PID" || true
    AGENT_PID=
    grep -q 'lock_holded\|netsnmp_assert' "$AGENT_LOG" &&
        fail "frozen, then killed master: $(grep 'lock_holded\|netsnmp_assert' "$AGENT_LOG" | head -n 1)"
    fail "SIGTERM with a frozen master: still running after 1 s"
fi
rc=0; wait "$AGENT_PID" || rc=$?
AGENT_PID=
kill -KILL "$SNMPD_PID"; wait "$SNMPD_PID" 2>/dev/null || true; SNMPD_PID=
[ "$rc" -eq 0 ] || fail "SIGTERM with a frozen master: exit $rc"
grep -q 'lock_holded\|netsnmp_assert' "$AGENT_LOG" && fail "$(grep 'netsnmp_assert' "$AGENT_LOG" | head -n 1)"
log "frozen master: the agent left within $(( $(now_ms) - t0 )) ms, no assertion"
