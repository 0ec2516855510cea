# Helpers for the Event-to-Trap tests (sourced after lib.sh and
# lib_alarms.sh): a second snmptrapd that runs exconn-traphandle for the
# translator's enterprises, and snmptrap -v 1 in the translator's format.
# The fixture's snmptrapd still receives the agent's own notifications.

TH_HANDLER=$(cd "$(dirname "$EXCONN_AGENT")/.." && pwd)/traphandle/exconn-traphandle
TH_CONF=$T/traphandle.xml
TH_STATE=$T/traphandle-state
TH_LOG=$T/snmptrapd-handler.log
TH_PID= TH_PORT=
W2K=.1.3.6.1.4.1.311.1.13.1     # Windows 2000 and later (evntagnt.dll)
NT4=.1.3.6.1.4.1.311.1.4.1      # the SMS Event to Trap Translator on NT 4.0

[ -x "$TH_HANDLER" ] || fail "no exconn-traphandle at $TH_HANDLER (build the traphandle/ directory)"
# (set +e: under errexit the subshell's failing status would end the trap before cleanup)
trap 'rc=$?; stop_pid "$TH_PID"; set +e; (exit $rc); cleanup' EXIT

# start_trap_handler "ADDRESS SERVER"...: write traphandle.xml and start the
# handler's snmptrapd (symbolic OIDs, as a stock snmptrapd with MIBs prints them)
start_trap_handler() {
    local hosts="" h
    for h in "$@"; do hosts+="  <host address=\"${h%% *}\" server=\"${h#* }\"/>"$'\n'; done
    mkdir -p "$SPOOL/events"
    cat > "$TH_CONF" <<XML
<traphandle>
  <spool dir="$SPOOL"/>
  <state dir="$TH_STATE"/>
$hosts</traphandle>
XML
    TH_PORT=$(free_port)
    cat > "$T/snmptrapd-handler.conf" <<CONF
disableAuthorization yes
traphandle $W2K* $TH_HANDLER -c $TH_CONF
traphandle $NT4* $TH_HANDLER -c $TH_CONF
CONF
    snmptrapd -f -C -c "$T/snmptrapd-handler.conf" -Lf "$TH_LOG" "udp:127.0.0.1:$TH_PORT" &
    TH_PID=$!
    wait_for 10 "handler snmptrapd started" grep -q "NET-SNMP version" "$TH_LOG"
    log "handler snmptrapd $TH_PID on udp:127.0.0.1:$TH_PORT"
}

# start_all_with_handler "ADDRESS SERVER"...: the fixture (snmptrapd for the
# agent's notifications, snmpd, the agent) and the handler's snmptrapd
start_all_with_handler() {
    start_snmptrapd
    start_snmpd
    start_agent
    wait_all_registered 10
    start_trap_handler "$@"
}

# enterprise BASE SOURCE: BASE.<len>.<ASCII of SOURCE>
enterprise() {
    local base=$1 src=$2 i oid
    oid="$base.${#src}"
    for ((i = 0; i < ${#src}; i++)); do oid+=".$(printf '%d' "'${src:i:1}")"; done
    echo "$oid"
}

# send_event_trap AGENT_ADDR SOURCE EVENT_ID32 MESSAGE [INSERTION STRING...]:
# the Windows 2000+ translator's trap (varbinds W2K.9999.n.0: message, user,
# computer, type, category, insertion strings)
send_event_trap() {
    local agent=$1 src=$2 id=$3 msg=$4; shift 4
    local v=$W2K.9999 args=() n=6 s
    args+=("$v.1.0" s "$msg" "$v.2.0" s "NT AUTHORITY\\SYSTEM" "$v.3.0" s "$agent"
           "$v.4.0" s 1 "$v.5.0" s 0)
    for s in "$@"; do args+=("$v.$n.0" s "$s"); n=$((n + 1)); done
    snmptrap -v 1 -c public "127.0.0.1:$TH_PORT" "$(enterprise "$W2K" "$src")" "$agent" 6 "$id" '' \
        "${args[@]}" || fail "snmptrap failed"
}

# send_nt4_trap AGENT_ADDR SOURCE EVENT_ID32 MESSAGE [INSERTION STRING...]:
# the NT 4.0 (SMS) translator's enterprise, varbinds taken by position
send_nt4_trap() {
    local agent=$1 src=$2 id=$3 msg=$4; shift 4
    local ent args=() n=1 s
    ent=$(enterprise "$NT4" "$src")
    for s in "$msg" SYSTEM "$agent" 1 0 "$@"; do args+=("$ent.$n" s "$s"); n=$((n + 1)); done
    snmptrap -v 1 -c public "127.0.0.1:$TH_PORT" "$ent" "$agent" 6 "$id" '' "${args[@]}" ||
        fail "snmptrap failed"
}

# th_counter NAME: the handler's counter (0 when absent)
th_counter() { awk -v k="$1" '$1 == k { print $2 }' "$TH_STATE/counters" 2>/dev/null | grep . || echo 0; }
th_counter_is() { [ "$(th_counter "$1")" = "$2" ]; }

# later_report SRC OUT [SED EXPR...]: a copy of report SRC collected 2 s from
# now, so strictly after a trap received now (TimeCreated is the receive
# time, to the microsecond; a report's collected is to the second)
later_report() {
    local src=$1 out=$2 at; shift 2
    at=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)
    report_copy "$src" "$out" "s/collected=\"[^\"]*\"/collected=\"$at\"/" "$@"
}
