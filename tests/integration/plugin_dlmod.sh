#!/usr/bin/env bash
# The in-process plugin: a private snmpd loads exconn.so with
#   dlmod exconn PATH
#   exconnConfig CONFIG
# and serves EXCHANGE-CONNECTOR-MIB itself, its worker thread included: a
# report dropped into the plugin's spool shows up in a walk, its alarm's trap
# reaches snmptrapd through snmpd's trap sink, a SIGHUP of snmpd reloads the
# module (state kept), and a restart of snmpd finds the state again.
. "$(dirname "$0")/lib.sh"

PLUGIN=${EXCONN_PLUGIN:-$(dirname "$EXCONN_AGENT")/exconn.so}
[ -f "$PLUGIN" ] || fail "no plugin at $PLUGIN (built next to exconn-agent)"

# A plugin built with the sanitizers needs their runtime loaded first.
PRELOAD=$(ldd "$PLUGIN" | awk '/lib(asan|ubsan)\.so/ {printf "%s%s", sep, $3; sep=":"}')

start_snmptrapd
SNMPD_PORT=$(free_port)
write_config
cat > "$T/snmpd.conf" <<CONF
rocommunity public 127.0.0.1
trap2sink udp:127.0.0.1:$TRAP_PORT public
dlmod exconn $PLUGIN
exconnConfig $CONFIG
CONF

start_plugin_snmpd() {
    env ${PRELOAD:+LD_PRELOAD=$PRELOAD} ASAN_OPTIONS=detect_leaks=0 \
        snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" \
        -I -ifTable,ifXTable,ipAddressTable,smux "udp:127.0.0.1:$SNMPD_PORT" &
    SNMPD_PID=$!
    log "snmpd $SNMPD_PID with $PLUGIN on udp:127.0.0.1:$SNMPD_PORT"
}
started_count() { grep -c "exconn .* started in snmpd" "$T/snmpd.log" 2>/dev/null || true; }
count_is() { [ "$(snmp snmpget -Oqv "$MIB::$1.0" 2>/dev/null)" = "$2" ]; }
trap_seen() { grep -q "$1" "$TRAP_LOG"; }

start_plugin_snmpd
wait_registered 15
wait_for 10 "the worker started inside snmpd" eval '[ "$(started_count)" -ge 1 ]'
grep -q "exconnConfig" "$T/snmpd.log" && fail "snmpd did not know the exconnConfig token"

# a report through the plugin's spool: rows in a walk, its alarm as a trap
drop_file reports 01-exch01.xml "$DATA/reports/exch01-example.xml"
wait_for 10 "report accepted" count_is exConnReportsAccepted 1
walk=$(snmp snmpbulkwalk -Cr50 -Oq "$MIB::exConnMIB") || fail "walk failed"
for want in 'exConnConnectorState."EXCH01"."MS Mail Connector" stopped' \
            'exConnQueueMessages."EXCH01"."MTS-OUT" 12' \
            'exConnComPortConflictState."EXCH01"."COM1" conflict' \
            'exConnServerStatus."EXCH01" degraded'; do
    grep -qF "$want" <<<"$walk" || fail "walk lacks: $want"
done
rows=$(grep -c '^EXCHANGE-CONNECTOR-MIB::exConnConnectorType\.' <<<"$walk")
[ "$rows" -eq 4 ] || fail "expected the 4 connectors of the report in the walk, got $rows"
[ -z "$(ls "$SPOOL/reports")" ] || fail "the accepted report is still in the spool"
wait_for 10 "Q158047 trap through snmpd's trap sink" \
    trap_seen '\.5500\.0\.1	.*STRING: "\?EXCH01'

# SIGHUP: snmpd unloads and reloads every dlmod module; the state survives
kill -HUP "$SNMPD_PID"
wait_for 15 "exconn started again after SIGHUP" eval '[ "$(started_count)" -ge 2 ]'
wait_registered 10
wait_for 10 "counters kept across the reload" count_is exConnReportsAccepted 1
expect "$MIB::exConnQueueMessages.\"EXCH01\".\"MTS-OUT\"" 12

# the reloaded worker ingests: an event raises Q182346 with its trap
drop_file events 02-imc.xml "$DATA/events/q182346-imc-4087.xml"
wait_for 10 "event accepted after the reload" count_is exConnEventsAccepted 1
wait_for 10 "Q182346 trap" trap_seen '\.5500\.0\.3	.*STRING: "\?EXCH05'
kill -0 "$SNMPD_PID" 2>/dev/null || fail "snmpd died"

# stop snmpd (the worker commits), start it again: everything is back
stop_pid "$SNMPD_PID"
SNMPD_PID=
grep -q "exconn: stopped" "$T/snmpd.log" || fail "the worker was not stopped at shutdown"
start_plugin_snmpd
wait_registered 15
wait_for 10 "state found after a restart" count_is exConnEventsAccepted 1
expect "$MIB::exConnReportsAccepted.0" 1
expect "$MIB::exConnConnectorState.\"EXCH01\".\"MS Mail Connector\"" stopped
expect "$MIB::exConnServerStatus.\"EXCH05\"" failed
log "plugin OK"
