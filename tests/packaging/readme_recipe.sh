#!/usr/bin/env bash
# README "Hooking it into the system snmpd" and "Loading the MIB", tested as
# written (issue 12 item 5): Debian's own snmpd, started as Debian's unit
# starts it, with a copy of Debian's snmpd.conf plus exactly the README's
# drop-in (lib_readme.sh lists the mechanical path/port adaptation); the
# shipped example config; the agent as an unprivileged user from the start
# (as the unit's User= runs it: setpriv, never root); spool and state made by
# the shipped tmpfiles.d file.  Then:
#   - the connector table answers through snmpd;
#   - snmpd is restarted the way systemd restarts it (stop, RuntimeDirectory
#     removed, made again, start): the table is back within pingInterval+1 s
#     (pingInterval of the shipped config);
#   - an alarm raised after the restart reaches the README's trap sink;
#   - the README's MIB-loading commands, run by a fresh account (empty HOME),
#     print the values and not one line on stderr.
# Needs root (to start snmpd as Debian's unit does and to switch users).
. "$EXCONN_SOURCE_DIR/tests/integration/lib.sh"
: "${EXCONN_BINARY_DIR:?}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root"; exit 77; fi
getent passwd Debian-snmp >/dev/null || { echo "SKIP: no Debian-snmp user (Debian package snmpd)"; exit 77; }
. "$EXCONN_SOURCE_DIR/tests/packaging/lib_readme.sh"
DATA=$EXCONN_SOURCE_DIR/tests/data

# the shipped config and tmpfiles.d file, with the test's paths
example=$EXCONN_BINARY_DIR/etc/exconn.xml
tmpfiles=$EXCONN_BINARY_DIR/etc/exconn.tmpfiles
ping=$(sed -n 's/.*<agentx [^>]*pingInterval="\([0-9]*\)".*/\1/p' "$example")
[ -n "$ping" ] || fail "no pingInterval in $example"
spool0=$(sed -n 's/.*<spool dir="\([^"]*\)".*/\1/p' "$example")
state0=$(sed -n 's/.*<state dir="\([^"]*\)".*/\1/p' "$example")
kb0=$(sed -n 's/.*<kb dir="\([^"]*\)".*/\1/p' "$example")
sed -e "s#$spool0#$SPOOL#; s#$state0#$STATE#; s#$kb0#$EXCONN_SOURCE_DIR/kb#" "$example" |
    adapt_paths > "$CONFIG"
sed -e "s#$spool0#$SPOOL#; s#$state0#$STATE#; s# exconn exconn # $RUN_USER $RUN_GROUP #" "$tmpfiles" > "$T/tmpfiles.conf"
systemd-tmpfiles --create "$T/tmpfiles.conf" || fail "systemd-tmpfiles --create"
[ "$(stat -c %U:%a "$SPOOL/reports")" = "$RUN_USER:2770" ] || fail "spool: $(stat -c %U:%a "$SPOOL/reports")"
chmod 755 "$T"; chmod 644 "$CONFIG"
install -m 0640 -o "$RUN_USER" -g "$RUN_GROUP" /dev/null "$AGENT_LOG"   # the test's log file

start_snmptrapd
write_debian_snmpd_conf
log "README drop-in as tested:"; sed 's/^/    /' "$T/snmpd.conf.d/exconn.conf" >&2
start_debian_snmpd

# the agent as the unit (User=) and the README (setpriv) run it: its own
# user from the first instruction
setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --init-groups \
    "$EXCONN_AGENT" -f -c "$CONFIG" -Lf "$AGENT_LOG" -Dexconn &
AGENT_PID=$!
wait_registered 15
[ "$(ps -o user= -p "$AGENT_PID")" = "$RUN_USER" ] || fail "agent runs as $(ps -o user= -p "$AGENT_PID")"
drop_file reports 01-exch01.xml "$DATA/reports/exch01-example.xml"
wait_for 10 "exch01 connectors" snmp_value_ok \
    'EXCHANGE-CONNECTOR-MIB::exConnConnectorState."EXCH01"."Internet Mail Service"'
log "tables served as $RUN_USER through Debian's snmpd"

# snmpd restarted as systemd restarts it
stop_debian_snmpd
start_debian_snmpd
up=$(now_ms)
limit=$(( ping + 1 ))
wait_for $(( limit + 5 )) "tables back after the snmpd restart" snmp_value_ok \
    'EXCHANGE-CONNECTOR-MIB::exConnConnectorState."EXCH01"."Internet Mail Service"'
took=$(( $(now_ms) - up ))
log "tables back ${took} ms after snmpd answered again (limit ${limit} s)"
[ "$took" -le $(( limit * 1000 )) ] || fail "tables back after $took ms, more than pingInterval+1 = $limit s"

# a notification after the restart reaches the README's trap sink
conflict=$(snmptranslate -M "$MIBDIRS" -m EXCHANGE-CONNECTOR-MIB -On EXCHANGE-CONNECTOR-MIB::exConnComPortConflict)
drop_file reports 02-q158047.xml "$DATA/reports/q158047-conflict.xml"
wait_for 15 "exConnComPortConflict for EXCH03 at the trap sink" \
    grep -q "OID: $conflict[[:space:]].*= STRING: EXCH03[[:space:]]" "$TRAP_LOG"
log "exConnComPortConflict ($conflict) received by the sink"

# the MIB-loading commands, by a fresh account: nothing but the README's
# block (localhost -> the test's snmpd; the source-install MIB dir -> the
# source tree's mibs/, as this build is not installed; std-mibs.sh finds the
# modules the suite fetched already: a copy is put in place so it has
# nothing to fetch, integration.std-mibs tests the fetch)
H=$T/home; mkdir -p "$H/.snmp"; cp -r "$EXCONN_STD_MIBS" "$H/.snmp/mibs-std"
readme_block mib-loading |
    sed -e "s#^\./scripts/#$EXCONN_SOURCE_DIR/scripts/#" \
        -e "s#/usr/local/share/snmp/mibs#$EXCONN_SOURCE_DIR/mibs#" \
        -e "s# localhost # 127.0.0.1:$SNMPD_PORT #" > "$T/mib-loading.sh"
rm -rf "$H/.snmp/snmp.conf"
out=$(cd "$H" && env -u MIBS -u MIBDIRS -u SNMPCONFPATH HOME="$H" bash -e "$T/mib-loading.sh" 2>"$T/mib-loading.err") ||
    fail "README MIB-loading block failed: $(cat "$T/mib-loading.err")"
[ ! -s "$T/mib-loading.err" ] || fail "README MIB-loading block printed on stderr: $(head -5 "$T/mib-loading.err")"
[[ "$out" == *'EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0 = STRING:'* ]] || fail "snmpget output: $out"
[[ "$out" == *'exConnConnectorType'*'Internet Mail Service'* ]] || fail "snmptable output: $out"
log "README MIB-loading block: quiet; $(printf '%s\n' "$out" | head -1)"
log "PASS"
