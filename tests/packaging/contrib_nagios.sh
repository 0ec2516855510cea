#!/usr/bin/env bash
# contrib/nagios against the real check_snmp (monitoring-plugins): each
# command_line of exconn-commands.cfg, with its macros expanded as Nagios
# does ($USER1$, $HOSTADDRESS$, $_HOSTSNMP_PORT$, $ARGn$), run against a
# live agent, exits 0 / 1 / 2 as the states the reports set call for; the
# index helper agrees with the example services, and those run too.
. "$EXCONN_SOURCE_DIR/tests/integration/lib.sh"
USER1=/usr/lib/nagios/plugins
[ -x "$USER1/check_snmp" ] || fail "check_snmp missing (Debian package monitoring-plugins-standard)"
C=$EXCONN_SOURCE_DIR/contrib/nagios
DATA=$EXCONN_SOURCE_DIR/tests/data

start_snmptrapd
start_snmpd
start_agent
wait_registered 10
# EXCH02 everything running, reported just now (so not stale); EXCH01 IMC
# stopped with 2140 and 12 messages in MTS-OUT; EXCH06 a stalled X.400 queue
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sed "s/collected=\"[^\"]*\"/collected=\"$now\"/" "$DATA/reports/exch02-healthy.xml" > "$T/exch02-now.xml"
drop_file reports 00-exch02.xml "$T/exch02-now.xml"
for f in q148727-imc-stopped q193760-stall-1 q193760-stall-2 q193760-stall-3; do
    drop_file reports "$f.xml" "$DATA/reports/$f.xml"
done
wait_for 10 "reports accepted" eval '[ "$(get EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0)" -eq 5 ]'

# nagios COMMAND ARGS...: the command's command_line, macros expanded, run
nagios() {
    local name=$1; shift
    local line
    line=$(awk -v n="$name" '
        $1 == "command_name" && $2 == n { want = 1; next }
        want && $1 == "command_line" { sub(/^[ \t]*command_line[ \t]+/, ""); print; exit }' \
        "$C/exconn-commands.cfg")
    [ -n "$line" ] || fail "no command $name in exconn-commands.cfg"
    line=${line//'$USER1$'/$USER1}
    line=${line//'$HOSTADDRESS$'/127.0.0.1}
    line=${line//'$_HOSTSNMP_PORT$'/$SNMPD_PORT}
    local i=1 a
    for a in "$@"; do line=${line//"\$ARG$i\$"/$a}; i=$((i + 1)); done
    [[ "$line" != *'$'* ]] || fail "unexpanded macro in: $line"
    eval "$line"
}
# expect_rc RC COMMAND ARGS...
expect_rc() {
    local want=$1 out rc=0; shift
    out=$(nagios "$@" 2>&1) || rc=$?
    [ "$rc" -eq "$want" ] || fail "$1 ${*:2}: exit $rc, want $want: $out"
    log "rc $rc: $1: $out"
}
idx() { sh "$C/exconn-index" "$@"; }

expect_rc 0 check_exconn_connector public "$(idx EXCH02 'Internet Mail Service')"
expect_rc 2 check_exconn_connector public "$(idx EXCH01 'Internet Mail Service')"
expect_rc 0 check_exconn_queue_depth public "$(idx EXCH01 MTS-OUT)" 100 500
expect_rc 1 check_exconn_queue_depth public "$(idx EXCH01 MTS-OUT)" 10 20
expect_rc 2 check_exconn_queue_depth public "$(idx EXCH01 MTS-OUT)" 5 10
expect_rc 0 check_exconn_queue_state public "$(idx EXCH02 X400-LONDON)"
expect_rc 2 check_exconn_queue_state public "$(idx EXCH06 X400-LONDON)"
expect_rc 0 check_exconn_server public "$(idx EXCH02)"
expect_rc 2 check_exconn_server public "$(idx EXCH01)"
alarms=$(get EXCHANGE-CONNECTOR-MIB::exConnAlarmsActive.0)
expect_rc 0 check_exconn_alarms public "$alarms" $((alarms + 1))
expect_rc 1 check_exconn_alarms public 0 "$alarms"
expect_rc 2 check_exconn_alarms public 0 $((alarms - 1))

# the example services: their indexes are exconn-index's, and they run
grep -q "check_exconn_connector!public!$(idx EXCH01 'Internet Mail Service')\$" "$C/exconn-services.cfg" ||
    fail "exconn-services.cfg: connector index differs from exconn-index"
while IFS='!' read -r cmd args; do
    IFS='!' read -r -a a <<< "$args"
    rc=0; nagios "$cmd" "${a[@]}" >/dev/null 2>&1 || rc=$?
    [ "$rc" -le 2 ] || fail "example service $cmd!$args: exit $rc"
done < <(sed -n 's/^ *check_command *//p' "$C/exconn-services.cfg")
log "PASS"
