#!/usr/bin/env bash
# SPEC §8: a crash and restart of the master snmpd (kill -9, then a new snmpd
# on the same UDP port and AgentX socket) while the agent holds servers and
# active alarms.  After each restart every table is back, row for row,
# within pingInterval + 1 s of the new master answering (measured); while
# the master is dead the agent keeps ingesting, queues its notifications and
# sends them, in order, once it is registered again; it never exits and
# does not spin while waiting.
. "$(dirname "$0")/lib.sh"

PING_INTERVAL=1
ROUNDS=${ROUNDS:-3}
start_all

load_estate "exch02-healthy q158047-conflict q166045-dirsync-pending q182346-imc-stopped" \
    "q166045-ccmc-70 q182346-imc-4087" 3
active=$(counter exConnAlarmsActive)
walk_tables > "$T/before"
rows=$(wc -l < "$T/before")
log "agent holds $rows table cells, $active active alarms; $(trap_count) traps so far"

limit=$((PING_INTERVAL + 1))
worst=0
for round in $(seq "$ROUNDS"); do
    restart_snmpd
    wait_for "$limit" "every table back after master restart $round" tables_equal "$T/before"
    took=$(( $(now_ms) - SNMPD_UP_MS ))
    [ "$took" -gt "$worst" ] && worst=$took
    log "restart $round: all $rows cells back ${took} ms after the new master answered (limit ${limit}000 ms)"
    agent_alive || fail "agent exited"
done

# Master dead: ingestion goes on, notifications queue up.
traps_before=$(trap_count)
state_before=$(state_sum)
kill9_snmpd
ticks0=$(cpu_ticks "$AGENT_PID"); t0=$(now_ms)
drop_file reports 60-q148727-imc-stopped.xml "$DATA/reports/q148727-imc-stopped.xml"   # raises Q148727
drop_file reports 61-q158047-repaired.xml "$DATA/reports/q158047-repaired.xml"         # clears both Q158047
wait_for 10 "spool drained while the master is down" \
    spool_empty
wait_for 10 "state committed while the master is down" \
    eval '[ "$(state_sum)" != "$state_before" ]'
grep -rqa 'EXCH01' "$STATE" || fail "EXCH01 not in the committed state"
sleep $((2 * PING_INTERVAL + 1))   # several ping intervals with no master: no spinning
ticks=$(( $(cpu_ticks "$AGENT_PID") - ticks0 )); el=$(( $(now_ms) - t0 ))
agent_alive || fail "agent exited while the master was down"
log "master down ${el} ms: agent used $ticks CPU ticks ($(getconf CLK_TCK)/s)"
[ "$ticks" -le $(( el * $(getconf CLK_TCK) / 1000 / 5 )) ] ||
    fail "agent used $ticks ticks in ${el} ms without a master (spinning?)"
[ "$(trap_count)" -eq "$traps_before" ] || fail "traps arrived with no master"

start_snmpd   # sets SNMPD_UP_MS
wait_for "$limit" "agent registered again" snmp_value_ok EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0
wait_for 5 "3 queued traps delivered" eval '[ "$(trap_count)" -ge $((traps_before + 3)) ]'
# in order: the raise of Q148727 (exConnImcStartFailed, 5) came from the
# first file, the clears of both Q158047 alarms (exConnAlarmCleared, 8) from
# the second
got=$(trap_notifs | tail -n +$((traps_before + 1)) | tr '\n' ' ')
[ "$got" = "5 8 8 " ] || fail "queued traps: got notifications '$got', want '5 8 8 '"
expect EXCHANGE-CONNECTOR-MIB::exConnAlarmsActive.0 $((active + 1 - 2))
expect EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 6
sleep 1
[ "$(trap_count)" -eq $((traps_before + 3)) ] || fail "traps sent twice: $(trap_notifs | tr '\n' ' ')"
agent_alive || fail "agent exited"
log "master restarts: $ROUNDS rounds, worst ${worst} ms to every table (pingInterval ${PING_INTERVAL} s); queued traps delivered in order"
