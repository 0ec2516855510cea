#!/usr/bin/env bash
# Fault soak, agent death 1 (issue 9): snmpd killed -9 while Notify PDUs are
# in flight.  The master's Responses still in the agent's socket buffer are
# read, each lets the next Notify be written, and that write fails (EPIPE:
# the master's end is gone) before the agent has read the end of file.
# Net-SNMP then calls the request's callback with SEND_FAILED from inside
# snmp_async_send and returns 0; the agent freed the request both in the
# callback and after the failed call: a double free, glibc abort (SIGABRT,
# exit 134, at cycle 147 of the 10-minute fault soak).  Here: storms of N
# raises, snmpd killed -9 in the middle of each flush and started again,
# ROUNDS times; the agent must survive every kill (at least one write must
# have failed, or the window was not hit: skipped), and after the last
# restart every notice reaches snmptrapd (none lost).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_faults.sh"

N=${STORM_N:-400}
ROUNDS=${ROUNDS:-8}
write_config '<notifications queueSize="'"$((N * ROUNDS))"'"/>'
# snmptrapd over TCP (as in notify_storm.sh: a loaded snmptrapd drops UDP
# datagrams, which would look like a lost notice)
TRAP_PORT=$(free_port)
printf 'disableAuthorization yes\n' > "$T/snmptrapd.conf"
: > "$TRAP_LOG"
snmptrapd -f -C -c "$T/snmptrapd.conf" -On -Lf "$TRAP_LOG" -F 'TRAP %v\n' "tcp:127.0.0.1:$TRAP_PORT" &
TRAPD_PID=$!
wait_for 10 "snmptrapd started" grep -q "NET-SNMP version" "$TRAP_LOG"
master() { start_snmpd_with "0660 0750" "trapsess -v 2c -c public tcp:127.0.0.1:$TRAP_PORT"; }
master
start_agent
wait_registered 10

storm_file() {   # storm_file PREFIX: N IMC 4087 events, one per server PREFIX0001..
    local t; t=$(date -u +%Y-%m-%dT%H:%M:%S.0000000Z)
    echo '<Events>'
    for i in $(seq "$N"); do event_xml "$(printf '%s%04d' "$1" "$i")" "$i" MSExchangeIMC 4087 "$t"; done
    echo '</Events>'
}
lost_count() { grep -c 'master agent lost' "$AGENT_LOG" || true; }
servers_trapped() {   # the exConnAlarmServer of each raise trap, one per line
    grep -o "OID: $EXC_NOTIF_PREFIX\.3	.*" "$TRAP_LOG" | grep -o "STRING: K[0-9]*" || true
}
failed_writes() { grep -c 'Notify: Failure in sendto' "$AGENT_LOG" || true; }
sent_lines() { grep -c 'exconn/notify: sent notification' "$AGENT_LOG" || true; }

for r in $(seq "$ROUNDS"); do
    p=$(printf 'K%02d' "$r")
    storm_file "$p" > "$T/$p.xml"
    before=$(sent_lines)
    drop_file events "$p.xml" "$T/$p.xml"
    # in the middle of the flush: some written, many still to come
    wait_for 30 "storm $p under way" eval '[ "$(( $(sent_lines) - before ))" -ge $((N / 4)) ]'
    kill9_snmpd
    wait_for 5 "the agent notices the master's death" eval '! agent_alive || [ "$(lost_count)" -ge '"$r"' ]'
    agent_alive || fail "round $r: the agent died when snmpd was killed -9 ($(tail -n 3 "$AGENT_LOG" | tr '\n' ' '))"
    master
    wait_registered 20
    agent_alive || fail "round $r: the agent died after snmpd came back"
done
fw=$(failed_writes)
log "$ROUNDS kills of snmpd during a flush: $fw Notify write(s) failed, the agent survived each"
wait_for 120 "every notice at snmptrapd" eval '[ "$(servers_trapped | sort -u | wc -l)" -ge $((N * ROUNDS)) ]'
[ "$fw" -gt 0 ] || { log "no Notify write failed in $ROUNDS kills: the window was not hit"; exit 77; }
log "PASS"
