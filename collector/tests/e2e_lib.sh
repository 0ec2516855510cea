# End-to-end helpers for tests/integration/collector_*.sh, sourced after
# tests/integration/lib.sh and lib_alarms.sh: the stand-in Exchange host
# (fakehost.py: smbd + MS-SCMR server), a collect.xml pointing at it, and
# exconn-collect runs into the agent's spool.

COLLECTOR_DIR=$EXCONN_SOURCE_DIR/collector
FAKEHOST="/usr/bin/python3 $COLLECTOR_DIR/tests/fakehost.py"
COLLECT="/usr/bin/python3 $COLLECTOR_DIR/exconn-collect"
HOSTDIR=$T/fakehost
COLLECT_CONF=$T/collect.xml
COLLECT_LOG=$T/collect.log
COLLECTOR_PID=

collector_skip_unless_possible() {
    local tool
    for tool in smbd smbclient net pdbedit eventlogadm; do
        command -v "$tool" >/dev/null 2>&1 || { log "SKIP: $tool missing"; exit 77; }
    done
    [ "$(id -u)" -eq 0 ] || { log "SKIP: the fake host needs root"; exit 77; }
    /usr/bin/python3 -c 'import impacket' 2>/dev/null || { log "SKIP: python3-impacket missing"; exit 77; }
}

collector_cleanup() {
    local rc=$?
    stop_pid "$COLLECTOR_PID"
    $FAKEHOST stop "$HOSTDIR" 2>/dev/null || true
    if [ $rc -ne 0 ] && [ -s "$COLLECT_LOG" ]; then
        echo "--- tail of $COLLECT_LOG" >&2
        tail -n 30 "$COLLECT_LOG" >&2
    fi
    # lib.sh's cleanup exits with the $? it finds on entry: hand it ours
    if (exit "$rc"); then cleanup; else cleanup; fi
}
trap collector_cleanup EXIT

fh() { $FAKEHOST "$1" "$HOSTDIR" "${@:2}"; }   # fh COMMAND ARGS...: change the stand-in host

start_fakehost() {   # start_fakehost [SERVER [VERSION]]
    local env
    env=$($FAKEHOST start "$HOSTDIR" --name "${1:-EXCH01}" --version "${2:-5.0.1457.7}") ||
        fail "the fake host did not start"
    eval "$env"
    log "fake host ${1:-EXCH01}: smbd on $SMB_PORT, MS-SCMR on $SCMR_PORT"
}

# write_collect_config [PASSWORD [EXTRA HOST LINES]]
write_collect_config() {
    printf 'username = %s\npassword = %s\n' "$SMB_USER" "${1:-$SMB_PASSWORD}" > "$T/cred"
    chmod 600 "$T/cred"
    cat > "$COLLECT_CONF" <<XML
<collect>
  <spool dir="$SPOOL"/>
  <state dir="$T/collect-state"/>
  <poll timeout="${COLLECT_TIMEOUT:-10}" interval="${COLLECT_INTERVAL:-60}"/>
  <host server="$NAME" address="127.0.0.1" port="$SMB_PORT" scmrPort="$SCMR_PORT"
        credentials="$T/cred" os="nt4" site="HQ"/>
  ${2:-}
</collect>
XML
}

# collect_once: one cycle, then wait until the agent took every file in.
# Reports carry `collected` (when the poll started) to the second, and two
# reports of one second are one sample to the agent's stall rule (a re-sent
# report; a real collector polls a host once a minute).  So a cycle starts
# only in a second after the previous one ENDED: one that starts late in a
# second may stamp the next.
LAST_COLLECT=0
second_passed() { [ "$(date +%s)" -gt "$LAST_COLLECT" ]; }
collect_once() {
    wait_for 3 "a new second" second_passed
    $COLLECT -c "$COLLECT_CONF" --once >> "$COLLECT_LOG" 2>&1 || fail "exconn-collect --once failed"
    LAST_COLLECT=$(date +%s)
    wait_for 10 "the agent took the collector's files" spool_empty
}

# collect_status SERVER: the status="..." of the newest status record seen
# (kept by the agent in rejected/ while it does not know the record, or
# read from the MIB once it publishes exConnServerCollectStatus)
has_collect_mib() { snmptranslate -M "$MIBDIRS" -m EXCHANGE-CONNECTOR-MIB EXCHANGE-CONNECTOR-MIB::exConnServerCollectStatus >/dev/null 2>&1; }
