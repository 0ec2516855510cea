#!/usr/bin/env bash
# SPEC §8: a representative run is clean under valgrind.  exconn-agent runs
# under memcheck (--leak-check=full, --error-exitcode) through reports,
# events, raised and cleared alarms with their traps, hostile files, table
# walks, a SIGHUP reload, a master restart and SIGTERM; the run must exit 0,
# report "ERROR SUMMARY: 0 errors" and nothing definitely (or indirectly)
# lost.  Skipped when the agent is built with AddressSanitizer (the two
# cannot share a process) or valgrind is missing.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then echo "SKIP: no valgrind"; exit 77; fi
if ldd "$EXCONN_AGENT" 2>/dev/null | grep libasan >/dev/null; then   # not -q: with pipefail, ldd would die of SIGPIPE
    echo "SKIP: $EXCONN_AGENT is built with AddressSanitizer"; exit 77
fi
VG_LOG=$T/valgrind.log
cat > "$T/agent-vg" <<SH
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no \
  --num-callers=30 --log-file="$VG_LOG" "$EXCONN_AGENT" "\$@"
SH
chmod +x "$T/agent-vg"
REAL_AGENT=$EXCONN_AGENT
EXCONN_AGENT=$T/agent-vg

# memcheck slows the agent down some 30 times: give it time at the master
# (agentxTimeout) and at the clients
PING_INTERVAL=2
snmp() {
    local cmd=$1; shift
    "$cmd" -v2c -c public -t 15 -r 0 -M "$MIBDIRS" -m EXCHANGE-CONNECTOR-MIB \
        "127.0.0.1:$SNMPD_PORT" "$@"
}
VG_SNMPD=("0660 0750" "agentxTimeout 10")   # a slow agent: a longer agentxTimeout
write_config
start_snmptrapd
start_snmpd "${VG_SNMPD[@]}"
start_agent
wait_registered 60
n=0
for f in exch01-example exch02-healthy q158047-conflict q166045-dirsync-pending q182346-imc-stopped \
         q148727-imc-stopped q193760-stall-1 q193760-stall-2 q193760-stall-3; do
    drop_file reports "$(printf '%02d' $n)-$f.xml" "$DATA/reports/$f.xml"; n=$((n + 1))
done
for f in "$DATA"/events/*.xml; do drop_file events "50-${f##*/}" "$f"; done
drop_file reports 60-bad.xml "$DATA/hostile/billion-laughs.xml"
drop_file events 61-bad.xml "$DATA/hostile/event-xxe.xml"
wait_for 60 "reports accepted" counter_ge exConnReportsAccepted $n
wait_for 60 "spool drained" spool_empty
wait_for 60 "alarms raised" counter_ge exConnAlarmsActive 4
wait_for 60 "traps sent" eval '[ "$(trap_count)" -ge 4 ]'
walk_tables > "$T/walk1"
snmp snmpbulkwalk -Cr50 EXCHANGE-CONNECTOR-MIB::exConnMIB > /dev/null
snmp snmptable -Ci EXCHANGE-CONNECTOR-MIB::exConnAlarmTable > /dev/null

# repairs: alarms clear, exConnAlarmCleared traps
for f in q158047-repaired q166045-repaired q182346-repaired q148727-repaired q193760-repaired; do
    drop_file reports "$(printf '%02d' $n)-$f.xml" "$DATA/reports/$f.xml"; n=$((n + 1))
done
wait_for 60 "repairs accepted" counter_ge exConnReportsAccepted $n
wait_for 60 "clear traps" eval '[ "$(trap_notifs | grep -c "^8$")" -ge 3 ]'

# SIGHUP reload (refused, then applied) and a master restart
printf '<exconn><bogus/></exconn>\n' > "$T/bad.xml"; cp "$CONFIG" "$T/good.xml"
cp "$T/bad.xml" "$CONFIG"; kill -HUP "$AGENT_PID"
wait_for 30 "reload refused" grep -q 'reload refused' "$AGENT_LOG"
cp "$T/good.xml" "$CONFIG"; kill -HUP "$AGENT_PID"
wait_for 30 "reloaded" grep -q 'reloaded:' "$AGENT_LOG"
walk_tables > "$T/walk2"
restart_snmpd "${VG_SNMPD[@]}"
wait_for 30 "re-registered" tables_equal "$T/walk2"
snmp snmpbulkwalk -Cr50 EXCHANGE-CONNECTOR-MIB::exConnMIB > /dev/null

kill -TERM "$AGENT_PID"
rc=0; wait "$AGENT_PID" || rc=$?
AGENT_PID=
summary=$(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|All heap blocks were freed' "$VG_LOG" | sed 's/^==[0-9]*== *//')
log "valgrind: $(printf '%s' "$summary" | tr '\n' ';')"
[ "$rc" -eq 0 ] || { cat "$VG_LOG" >&2; fail "agent under valgrind exited $rc"; }
grep -q 'ERROR SUMMARY: 0 errors' "$VG_LOG" || { cat "$VG_LOG" >&2; fail "valgrind found errors"; }
if ! grep -q 'All heap blocks were freed' "$VG_LOG"; then
    grep -q 'definitely lost: 0 bytes in 0 blocks' "$VG_LOG" &&
        grep -q 'indirectly lost: 0 bytes in 0 blocks' "$VG_LOG" ||
        { cat "$VG_LOG" >&2; fail "valgrind: memory lost"; }
fi
log "valgrind run of $REAL_AGENT: clean"
