# Fixture of the README recipe tests (sourced after tests/integration/lib.sh):
# Debian's own snmpd, as its systemd unit runs it, with a copy of Debian's
# /etc/snmp/snmpd.conf plus exactly the lines README.md gives.
#
# The adaptation is mechanical, and only in paths and ports (a test cannot
# take port 161, /run/agentx or /etc/snmp/snmpd.conf.d on a shared machine):
#   snmpd.conf  "agentaddress ..."              -> udp:127.0.0.1:$SNMPD_PORT
#               "includeDir /etc/snmp/snmpd.conf.d" -> $T/snmpd.conf.d
#   README      /run/agentx                      -> $T/run/agentx
#               "trap2sink localhost"            -> 127.0.0.1:$TRAP_PORT
#               user and group exconn            -> $RUN_USER / $RUN_GROUP
#                                                   (exconn if it exists, else nobody)
#   the unit    ExecStart of snmpd.service, with -LOw (syslog) replaced by
#               -Lf $T/snmpd.log, plus -C -c $T/snmpd.conf -p $T/snmpd.pid;
#               RuntimeDirectory=agentx is made (root, 0755) before each start
#               and removed after each stop, as systemd does.
: "${T:?source tests/integration/lib.sh first}"

if getent passwd exconn >/dev/null; then RUN_USER=exconn; else RUN_USER=nobody; fi
RUN_GROUP=$(id -gn "$RUN_USER")
RUNDIR=$T/run
SNMPD_UNIT=${SNMPD_UNIT:-/lib/systemd/system/snmpd.service}
DEBIAN_SNMPD_CONF=${DEBIAN_SNMPD_CONF:-/etc/snmp/snmpd.conf}

# readme_block NAME: the fenced block after "<!-- readme-test: NAME -->" in README.md
readme_block() {
    awk -v m="<!-- readme-test: $1 -->" '
        $0 == m { want = 1; next }
        want && /^```/ { if (inb) exit; inb = 1; next }
        inb { print }' "$EXCONN_SOURCE_DIR/README.md"
}

# adapt_paths: the README's paths and names -> the test's (see above)
adapt_paths() {
    sed -e "s#/run/agentx#$RUNDIR/agentx#g" \
        -e "s#^trap2sink localhost#trap2sink 127.0.0.1:$TRAP_PORT#" \
        -e "s#\\bexconn\$#$RUN_GROUP#" \
        -e "s#--reuid=exconn --regid=exconn#--reuid=$RUN_USER --regid=$RUN_GROUP#"
}

# write_debian_snmpd_conf: Debian's snmpd.conf + the README's drop-in
write_debian_snmpd_conf() {
    [ -r "$DEBIAN_SNMPD_CONF" ] || fail "no $DEBIAN_SNMPD_CONF (Debian package snmpd)"
    [ -n "$SNMPD_PORT" ] || SNMPD_PORT=$(free_port)
    mkdir -p "$T/snmpd.conf.d"
    sed -e "s#^agentaddress .*#agentaddress udp:127.0.0.1:$SNMPD_PORT#" \
        -e "s#^includeDir /etc/snmp/snmpd.conf.d#includeDir $T/snmpd.conf.d#" \
        "$DEBIAN_SNMPD_CONF" > "$T/snmpd.conf"
    grep -q "^agentaddress udp:127.0.0.1:$SNMPD_PORT" "$T/snmpd.conf" || fail "no agentaddress in $DEBIAN_SNMPD_CONF"
    grep -q "^includeDir $T/snmpd.conf.d" "$T/snmpd.conf" || fail "no includeDir in $DEBIAN_SNMPD_CONF"
    readme_block snmpd-dropin | adapt_paths > "$T/snmpd.conf.d/exconn.conf"
    [ -s "$T/snmpd.conf.d/exconn.conf" ] || fail "README has no snmpd-dropin block"
}

# the snmpd command line of Debian's unit, adapted
snmpd_unit_cmd() {
    local line
    line=$(sed -n 's/^ExecStart=//p' "$SNMPD_UNIT")
    [ -n "$line" ] || fail "no ExecStart in $SNMPD_UNIT"
    # shellcheck disable=SC2086
    set -- $line
    local a out=()
    for a in "$@"; do
        if [ "$a" = "-LOw" ]; then out+=(-Lf "$T/snmpd.log"); else out+=("$a"); fi
    done
    printf '%s\n' "${out[@]}" -C -c "$T/snmpd.conf" -p "$T/snmpd.pid"
}

start_debian_snmpd() {
    local rt
    rt=$(sed -n 's/^RuntimeDirectory=//p' "$SNMPD_UNIT")
    [ "$rt" = agentx ] || fail "$SNMPD_UNIT: RuntimeDirectory=$rt, the README assumes agentx"
    install -d -m 0755 -o root -g root "$RUNDIR" "$RUNDIR/agentx"
    mkdir -p "$T/persist"; chown Debian-snmp: "$T/persist"
    local cmd=()
    mapfile -t cmd < <(snmpd_unit_cmd)
    "${cmd[@]}" &
    SNMPD_PID=$!
    wait_for 10 "Debian's snmpd answers" snmp snmpget -On .1.3.6.1.2.1.1.3.0   # sysUpTime.0
    log "Debian snmpd $SNMPD_PID (${cmd[*]})"
}

stop_debian_snmpd() {
    stop_pid "$SNMPD_PID"
    wait "$SNMPD_PID" 2>/dev/null || true
    SNMPD_PID=
    rm -rf "$RUNDIR/agentx"   # systemd removes the RuntimeDirectory on stop
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
