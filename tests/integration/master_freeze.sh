#!/usr/bin/env bash
# SPEC §8: a frozen master (SIGSTOP) does not stop ingestion.  While snmpd is
# stopped the agent goes on reading the spool and committing its state (the
# state file changes and names the new servers), raises and clears alarms,
# queues the notifications, never exits and does not spin (its CPU time over
# the frozen period is sampled from /proc); after SIGCONT the counters and
# tables show everything ingested meanwhile and the queued notifications
# arrive, each once, in order.
. "$(dirname "$0")/lib.sh"

PING_INTERVAL=2
FREEZE_S=${FREEZE_S:-8}
start_all

load_estate "exch02-healthy q158047-conflict q166045-dirsync-pending q182346-imc-stopped" \
    "q166045-ccmc-70" 3
active=$(counter exConnAlarmsActive)
events=$(counter exConnEventsAccepted)
traps_before=$(trap_count)
state_before=$(state_sum)
log "before the freeze: $active active alarms, $events events, $traps_before traps"

kill -STOP "$SNMPD_PID"
t0=$(now_ms); ticks0=$(cpu_ticks "$AGENT_PID")
log "snmpd $SNMPD_PID stopped"
drop_file reports 60-q148727-imc-stopped.xml "$DATA/reports/q148727-imc-stopped.xml"   # raises Q148727
drop_file reports 61-q158047-repaired.xml "$DATA/reports/q158047-repaired.xml"         # clears both Q158047
for i in 1 2 3 4 5; do   # five servers that never reported: one Q182346 alarm each
    event_xml "FRZ0$i" "$((7000 + i))" MSExchangeIMC 4087 | publish events "7$i-frz0$i.xml"
done
wait_for 10 "spool drained while the master is frozen" \
    spool_empty
wait_for 10 "state committed while the master is frozen" \
    eval '[ "$(state_sum)" != "$state_before" ]'
for i in 1 2 3 4 5; do
    grep -rqa "FRZ0$i" "$STATE" || fail "FRZ0$i not in the committed state"
done
log "ingested and committed $(( $(now_ms) - t0 )) ms into the freeze"
# stay frozen for several ping intervals (each ping times out after 1 s)
while [ $(( $(now_ms) - t0 )) -lt $((FREEZE_S * 1000)) ]; do
    agent_alive || fail "agent exited while the master was frozen"
    sleep 0.5
done
ticks=$(( $(cpu_ticks "$AGENT_PID") - ticks0 )); el=$(( $(now_ms) - t0 ))
hz=$(getconf CLK_TCK)
log "frozen ${el} ms: agent used $ticks CPU ticks (${hz}/s), ingestion included"
[ "$ticks" -le $(( el * hz / 1000 / 5 )) ] ||
    fail "agent used $ticks ticks in ${el} ms with a frozen master (spinning?)"
[ "$(trap_count)" -eq "$traps_before" ] || fail "traps arrived from a frozen master"

kill -CONT "$SNMPD_PID"
t1=$(now_ms)
log "snmpd continued"
wait_for $((PING_INTERVAL + 3)) "agent answers through the master again" \
    snmp_value_ok EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0
log "answering $(( $(now_ms) - t1 )) ms after SIGCONT"
want=$((active + 1 - 2 + 5))
expect EXCHANGE-CONNECTOR-MIB::exConnAlarmsActive.0 "$want"
expect EXCHANGE-CONNECTOR-MIB::exConnEventsAccepted.0 $((events + 5))
expect EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 6
for i in 1 2 3 4 5; do
    expect "EXCHANGE-CONNECTOR-MIB::exConnServerStatus.\"FRZ0$i\"" failed
done
# 1 raise (Q148727), 2 clears (Q158047), 5 raises (Q182346), in that order
wait_for 10 "8 queued traps" eval '[ "$(trap_count)" -ge $((traps_before + 8)) ]'
got=$(trap_notifs | tail -n +$((traps_before + 1)) | tr '\n' ' ')
[ "$got" = "5 8 8 3 3 3 3 3 " ] || fail "queued traps: got '$got', want '5 8 8 3 3 3 3 3 '"
sleep 1
[ "$(trap_count)" -eq $((traps_before + 8)) ] ||
    fail "extra traps: $(trap_notifs | tr '\n' ' ')"
agent_alive || fail "agent exited"
log "frozen master: ingestion went on, $ticks ticks in ${el} ms, 8 queued traps delivered once, in order"
