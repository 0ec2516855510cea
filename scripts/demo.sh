#!/usr/bin/env bash
# demo.sh [--once]: build exconn, start a private snmpd master and snmptrapd on
# loopback plus exconn-agent, feed it the sample Exchange data shipped in the
# repo (a healthy server and the five KB scenarios, then their repairs), and
# print what an operator would look at.  Keeps running until Ctrl-C; with
# --once it prints and exits.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
once=false; [ "${1:-}" = "--once" ] && once=true

"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$top/build" exconn-agent >/dev/null
"$top/scripts/std-mibs.sh" "$top/build/mibs-std" >/dev/null

export EXCONN_AGENT=$top/build/agent/exconn-agent EXCONN_SOURCE_DIR=$top
export EXCONN_STD_MIBS=$top/build/mibs-std HOLD_DOWN=0
. "$top/tests/integration/lib.sh"
data=$top/tests/data

heading() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
traps() {   # the traps snmptrapd received, one per line, by name
  grep '^TRAP' "$TRAP_LOG" | sed 's/^TRAP //' | tr '\t' '\n' |
    snmptranslate_values | sed 's/^/  /'
}
snmptranslate_values() {   # print "name = value" lines with symbolic names
  while IFS= read -r line; do
    case $line in
      *"= OID: "*) oid=${line%% = *}; val=${line#*= OID: }
        echo "$(snmptranslate -M "$MIBDIRS" -m ALL "$oid" 2>/dev/null || echo "$oid") = $(snmptranslate -M "$MIBDIRS" -m ALL "$val" 2>/dev/null || echo "$val")";;
      *) oid=${line%% = *}; echo "$(snmptranslate -M "$MIBDIRS" -m ALL "$oid" 2>/dev/null || echo "$oid") = ${line#* = }";;
    esac
  done
}
at_least() { [ "$(get "$1")" -ge "$2" ]; }   # at_least OBJECT N
at_most() { [ "$(get "$1")" -le "$2" ]; }
wait_accepted() {
  wait_for 10 "$1 reports accepted" at_least EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 "$1"
}

start_snmptrapd
start_snmpd
start_agent
wait_registered 10

heading "exconn-agent, fetched through snmpd over AgentX"
snmp snmpget EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0 EXCHANGE-CONNECTOR-MIB::exConnKbArticlesLoaded.0

heading "Feeding a healthy server and the five KB scenarios into $SPOOL"
n=0
for f in exch02-healthy q158047-conflict q166045-dirsync-pending q182346-imc-stopped \
         q193760-stall-1 q193760-stall-2 q193760-stall-3 q148727-imc-stopped; do
  drop_file reports "$(printf '%02d' $n)-$f.xml" "$data/reports/$f.xml"; n=$((n + 1))
  echo "  reports/$f.xml"
  wait_accepted "$n"   # the MTA scenario needs its three reports in order
done
for f in q166045-ccmc-70 q182346-imc-4087; do
  drop_file events "$f.xml" "$data/events/$f.xml"; echo "  events/$f.xml"
done
wait_for 10 "events accepted" at_least EXCHANGE-CONNECTOR-MIB::exConnEventsAccepted.0 2

heading "Servers"
snmp snmptable -Cb -Ci EXCHANGE-CONNECTOR-MIB::exConnServerTable
heading "Connectors"
snmp snmptable -Cb -Ci -Cw 200 EXCHANGE-CONNECTOR-MIB::exConnConnectorTable
heading "COM ports and their claimants"
snmp snmptable -Ci EXCHANGE-CONNECTOR-MIB::exConnComPortTable   # no -Cb: it would cut the common "exConnComPortC"
snmp snmptable -Cb -Ci EXCHANGE-CONNECTOR-MIB::exConnComClaimantTable
heading "IMC and X.400 queues"
snmp snmptable -Cb -Ci EXCHANGE-CONNECTOR-MIB::exConnQueueTable
heading "Single values by name, as an NMS polls them"
snmp snmpget 'EXCHANGE-CONNECTOR-MIB::exConnQueueMessages."EXCH01"."MTS-OUT"' \
             'EXCHANGE-CONNECTOR-MIB::exConnConnectorState."EXCH01"."Internet Mail Service"' || true
heading "Active alarms"
snmp snmptable -Cb -Ci -Cw 250 EXCHANGE-CONNECTOR-MIB::exConnAlarmTable
heading "Traps received by snmptrapd"
traps

heading "Repairing every scenario"
for f in q158047-repaired q166045-repaired q182346-repaired q193760-repaired q148727-repaired; do
  drop_file reports "$(printf '%02d' $n)-$f.xml" "$data/reports/$f.xml"; n=$((n + 1))
  echo "  reports/$f.xml"
done
wait_accepted "$n"
wait_for 10 "alarms cleared" at_most EXCHANGE-CONNECTOR-MIB::exConnAlarmsActive.0 0
heading "Alarm history"
snmp snmptable -Cb -Ci -Cw 250 EXCHANGE-CONNECTOR-MIB::exConnAlarmHistoryTable
heading "Traps received by snmptrapd (after the repairs)"
traps

if $once; then exit 0; fi
heading "Running: snmpd on udp:127.0.0.1:$SNMPD_PORT (community public), spool $SPOOL. Ctrl-C to stop."
echo "  try: snmpwalk -v2c -c public -M $MIBDIRS -m EXCHANGE-CONNECTOR-MIB 127.0.0.1:$SNMPD_PORT exConnMIB"
wait "$AGENT_PID"
