#!/usr/bin/env bash
# contrib/snmptt against the real SNMPTT (Debian's snmptt 1.5, standalone
# mode as snmptrapd's traphandle): the committed exconn-snmptt.conf is what
# gen-snmptt-conf makes of the KB; an alarm raised (Q158047, major) and
# cleared on a live agent give exactly the two log lines, with the real
# severity (Major, from exConnAlarmSeverity) and the clear (Normal).
. "$EXCONN_SOURCE_DIR/tests/integration/lib.sh"
command -v snmptt >/dev/null || fail "snmptt missing (Debian packages snmptt libnet-ip-perl)"
C=$EXCONN_SOURCE_DIR/contrib/snmptt
DATA=$EXCONN_SOURCE_DIR/tests/data

/usr/bin/python3 "$C/gen-snmptt-conf" "$EXCONN_SOURCE_DIR/kb" > "$T/gen.conf" || fail "gen-snmptt-conf"
diff -u "$C/exconn-snmptt.conf" "$T/gen.conf" >&2 ||
    fail "contrib/snmptt/exconn-snmptt.conf is stale: rerun gen-snmptt-conf"

# Debian's snmptt.ini, with the test's files (log to a file, no syslog)
sed -e "s#^log_file = .*#log_file = $T/snmptt.log#" \
    -e "s#^syslog_enable = .*#syslog_enable = 0#" \
    -e "s#^syslog_system_enable = .*#syslog_system_enable = 0#" \
    -e "s#^log_system_enable = .*#log_system_enable = 0#" \
    -e "s#^unknown_trap_log_enable = .*#unknown_trap_log_enable = 1#" \
    -e "s#^unknown_trap_log_file = .*#unknown_trap_log_file = $T/snmptt-unknown.log#" \
    -e "s#^/etc/snmptt/snmptt.conf\$#$C/exconn-snmptt.conf#" \
    /etc/snmp/snmptt.ini > "$T/snmptt.ini"
grep -qx "$C/exconn-snmptt.conf" "$T/snmptt.ini" || fail "snmptt.ini: no snmptt_conf_files entry to replace"

TRAP_PORT=$(free_port)
cat > "$T/snmptrapd.conf" <<CONF
disableAuthorization yes
traphandle default /usr/sbin/snmptt --ini=$T/snmptt.ini
CONF
: > "$TRAP_LOG"
# -On: numeric OIDs, as SNMPTT's documentation asks of snmptrapd
snmptrapd -f -C -c "$T/snmptrapd.conf" -On -Lf "$TRAP_LOG" "udp:127.0.0.1:$TRAP_PORT" 2>"$T/snmptrapd.err" &
TRAPD_PID=$!
wait_for 10 "snmptrapd started" grep -q "NET-SNMP version" "$TRAP_LOG"
start_snmpd
start_agent
wait_registered 10
drop_file reports 01-raise.xml "$DATA/reports/q158047-conflict.xml"
wait_for 20 "SNMPTT logged the raise" grep -q '5500\.0\.1 Major "exconn"' "$T/snmptt.log"
drop_file reports 02-clear.xml "$DATA/reports/q158047-repaired.xml"
wait_for 20 "SNMPTT logged the clears" eval '[ "$(grep -c "5500\.0\.8 Normal" "$T/snmptt.log")" -ge 2 ]'
log "snmptt.log:"; sed 's/^/    /' "$T/snmptt.log" >&2

# the COM1 alarm: raised (Major), cleared (Normal), each exactly once
raise=$(grep -c '\.5500\.0\.1 Major "exconn" .* exconn Q158047 Major on EXCH03: COM1: COM1 claimed by MS Mail Connector (async), Remote Access Service (see https://support.microsoft.com/kb/158047)$' "$T/snmptt.log") || true
[ "$raise" -eq 1 ] || fail "raise line: $raise matches"
clear=$(grep -c '\.5500\.0\.8 Normal "exconn" .* exconn cleared Q158047 on EXCH03: COM1: ' "$T/snmptt.log") || true
[ "$clear" -eq 1 ] || fail "clear line: $clear matches"
# MATCH on the severity picked one EVENT per trap: the two raises, not 2 x 5
n=$(grep -c '\.5500\.0\.1 ' "$T/snmptt.log") || true
[ "$n" -eq 2 ] || fail "$n lines for exConnComPortConflict, want 2 (one per alarm)"
# every trap the agent sent matched an EVENT (none unknown, none logged twice)
! grep -q 'Unknown trap (\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.5500' "$T/snmptt-unknown.log" ||
    fail "unknown exconn traps: $(cat "$T/snmptt-unknown.log")"
n_traps=$(grep -c '5500\.0\.[0-9]' "$T/snmptt.log") || true
log "PASS ($n_traps exconn lines)"
