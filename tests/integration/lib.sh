# shellcheck shell=bash disable=SC2034
# The integration test toolkit (sourced by tests/integration/*.sh): one
# library, each helper defined once.
#
# Starts a private snmpd (master agentx, AgentX socket in a temp dir, UDP on a
# free 127.0.0.1 port, -C so no system config leaks in), a snmptrapd on another
# free loopback port logging received traps to a file, and exconn-agent against
# them; waits for conditions by polling with a deadline (never a bare sleep);
# and tears everything down on exit, whether the test passed or failed.
#
# Sections: the fixture; processes (snmpd, snmptrapd, the agent, the
# Event-to-Trap handler's snmptrapd); reading the MIB; the spool; received
# traps; alarm rows and history; walks of the estate; the agent process.
#
# Environment (set by CTest): EXCONN_AGENT (the binary), EXCONN_SOURCE_DIR,
# EXCONN_STD_MIBS (directory of the SNMPv2 modules, see scripts/std-mibs.sh).

# sourced once (the lib_*.sh shims of the old names source it too)
[ -z "${EXC_LIB_SOURCED:-}" ] || return 0
EXC_LIB_SOURCED=1

set -euo pipefail

: "${EXCONN_AGENT:?EXCONN_AGENT must name the exconn-agent binary}"
: "${EXCONN_SOURCE_DIR:?}"
: "${EXCONN_STD_MIBS:?}"

T=$(mktemp -d "${TMPDIR:-/tmp}/exconn-it.XXXXXX")
chmod 755 "$T"
SNMPD_PID= TRAPD_PID= AGENT_PID= TH_PID=
SNMPD_PORT= TRAP_PORT= TH_PORT=
AGENTX_SOCK=$T/agentx.sock
TRAP_LOG=$T/traps.log
AGENT_LOG=$T/agent.log
SPOOL=$T/spool
STATE=$T/state
CONFIG=$T/exconn.xml
MIBDIRS="$EXCONN_STD_MIBS:/usr/share/snmp/mibs:$EXCONN_SOURCE_DIR/mibs"
export MIBS=EXCHANGE-CONNECTOR-MIB MIBDIRS SNMPCONFPATH=$T/snmpconf SNMP_PERSISTENT_DIR=$T/persist
mkdir -p "$T/snmpconf" "$T/persist"

MIB=EXCHANGE-CONNECTOR-MIB
X=$MIB                      # the estate tests' short name for it
DATA=$EXCONN_SOURCE_DIR/tests/data
EXAMPLE=$DATA/reports/exch01-example.xml
PICKUP_DEADLINE_MS=${PICKUP_DEADLINE_MS:-1000}   # SPEC §3: within one second

# numeric OIDs: snmptrapd logs with -On, so traps are compared numerically
EXC_ROOT=.1.3.6.1.4.1.8072.9999.9999.5500
EXC_NOTIF=$EXC_ROOT.0
EXC_ALARM_ENTRY=$EXC_ROOT.1.8.1
EXC_KB_ENTRY=$EXC_ROOT.1.7.1
SYSUPTIME_OID=.1.3.6.1.2.1.1.3.0
TRAPOID_OID=.1.3.6.1.6.3.1.1.4.1.0

# the Event-to-Trap handler (start_trap_handler) and the translators' enterprises
TH_HANDLER=$(cd "$(dirname "$EXCONN_AGENT")/.." && pwd)/traphandle/exconn-traphandle
TH_CONF=$T/traphandle.xml
TH_STATE=$T/traphandle-state
TH_LOG=$T/snmptrapd-handler.log
W2K=.1.3.6.1.4.1.311.1.13.1     # Windows 2000 and later (evntagnt.dll)
NT4=.1.3.6.1.4.1.311.1.4.1      # the SMS Event to Trap Translator on NT 4.0

# ============================================================== the fixture

log() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
fail() {
    log "FAIL: $*"
    for f in "$AGENT_LOG" "$T/snmpd.log" "$TRAP_LOG"; do
        [ -s "$f" ] && { echo "--- tail of $f" >&2; tail -n 40 "$f" >&2; }
    done
    exit 1
}

stop_pid() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    kill -CONT "$SNMPD_PID" 2>/dev/null || true
    stop_pid "$TH_PID"; stop_pid "$AGENT_PID"; stop_pid "$SNMPD_PID"; stop_pid "$TRAPD_PID"
    if [ $rc -eq 0 ] && [ -z "${EXCONN_KEEP:-}" ]; then rm -rf "$T"; else log "kept $T"; fi
    exit $rc
}
trap cleanup EXIT

# wait_for DEADLINE_SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
wait_for() {
    local limit=$1 what=$2; shift 2
    local end=$(( $(date +%s%N) + limit * 1000000000 ))
    while ! "$@" >/dev/null 2>&1; do
        [ "$(date +%s%N)" -lt "$end" ] || fail "timed out after ${limit}s waiting for: $what"
        sleep 0.05
    done
}

# now_ms: wall clock in milliseconds
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

free_port() {
    python3 - "$@" <<'PY'
import socket, sys
kind = socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# ================================================================ processes

write_config() {   # write_config [EXTRA XML LINES]
    cat > "$CONFIG" <<XML
<exconn>
  <agentx address="unix:$AGENTX_SOCK" pingInterval="${PING_INTERVAL:-1}"/>
  <spool dir="$SPOOL"/>
  <state dir="$STATE"/>
  <kb dir="${KB_DIR:-$EXCONN_SOURCE_DIR/kb}"/>
  <alarms holdDown="${HOLD_DOWN:-0}" eventTtl="${EVENT_TTL:-86400}"/>
  ${1:-}
</exconn>
XML
}

# start_snmpd [PERMS [EXTRA]]: the master, with "agentXPerms PERMS" (default
# root's socket, "0660 0750") and further snmpd.conf lines (e.g. a longer
# agentxTimeout for a slow agent); sets SNMPD_UP_MS to the moment it answers
start_snmpd() {
    [ -n "$SNMPD_PORT" ] || SNMPD_PORT=$(free_port)
    cat > "$T/snmpd.conf" <<CONF
master agentx
agentXSocket unix:$AGENTX_SOCK
agentXPerms ${1:-0660 0750}
rocommunity public 127.0.0.1
trap2sink udp:127.0.0.1:$TRAP_PORT public
${2:-}
CONF
    snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" \
        -I -ifTable,ifXTable,ipAddressTable \
        "udp:127.0.0.1:$SNMPD_PORT" &
    SNMPD_PID=$!
    wait_for 10 "snmpd answers on $SNMPD_PORT" \
        snmpget -v2c -c public -t 0.5 -r 0 "127.0.0.1:$SNMPD_PORT" SNMPv2-MIB::sysUpTime.0
    wait_for 5 "AgentX socket" test -S "$AGENTX_SOCK"
    SNMPD_UP_MS=$(now_ms)
    log "snmpd $SNMPD_PID on udp:127.0.0.1:$SNMPD_PORT, agentx $AGENTX_SOCK ($(stat -c '%A %U:%G' "$AGENTX_SOCK"))"
}

# kill9_snmpd: kill -9 the master; restart_snmpd [PERMS [EXTRA]]: and start
# it again on the same UDP port and AgentX socket
kill9_snmpd() {
    kill -KILL "$SNMPD_PID" 2>/dev/null || true
    wait "$SNMPD_PID" 2>/dev/null || true
    SNMPD_PID=
}
restart_snmpd() { kill9_snmpd; start_snmpd "$@"; }

start_snmptrapd() {
    [ -n "$TRAP_PORT" ] || TRAP_PORT=$(free_port)
    cat > "$T/snmptrapd.conf" <<CONF
disableAuthorization yes
format2 TRAP %#v\n
CONF
    : > "$TRAP_LOG"
    # -On: numeric OIDs, so the assertions do not depend on MIB loading
    snmptrapd -f -C -c "$T/snmptrapd.conf" -On -Lf "$TRAP_LOG" -F 'TRAP %v\n' \
        "udp:127.0.0.1:$TRAP_PORT" &
    TRAPD_PID=$!
    # snmptrapd logs that it started once it listens
    wait_for 10 "snmptrapd started" grep -q "NET-SNMP version" "$TRAP_LOG"
    log "snmptrapd $TRAPD_PID on udp:127.0.0.1:$TRAP_PORT"
}

start_agent() {   # start_agent [EXTRA ARGS]
    [ -f "$CONFIG" ] || write_config
    "$EXCONN_AGENT" -f -c "$CONFIG" -Lf "$AGENT_LOG" -Dexconn "$@" &
    AGENT_PID=$!
    log "exconn-agent $AGENT_PID"
}

wait_registered() {   # the agent's subtree answers through the master
    wait_for "${1:-10}" "exconn-agent registered with snmpd" \
        snmp_value_ok EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0
}

# wait_all_registered [SECONDS]: every subtree of the agent is registered with
# the master, not just the first (the scalars): exConnMIB's sysORTable entry
# is sent after the last table's registration
sysor_has_exconn() { snmp snmpwalk -On SNMPv2-MIB::sysORID 2>/dev/null | grep -q "= OID: $EXC_ROOT\$"; }
wait_all_registered() {
    wait_registered "${1:-10}"
    wait_for "${1:-10}" "exConnMIB in sysORTable (all subtrees registered)" sysor_has_exconn
}

# start_fixture: snmptrapd, snmpd and the agent (with the $CONFIG written so
# far, or the default one), every subtree registered; start_all [EXTRA
# CONFIG XML]: the usual prologue, write_config then start_fixture
start_fixture() {
    start_snmptrapd
    start_snmpd
    start_agent
    wait_all_registered 10
}
start_all() { write_config "$@"; start_fixture; }

# stop_master: stop snmpd (SIGTERM) and wait until the agent noticed
stop_master() {
    stop_pid "$SNMPD_PID"
    SNMPD_PID=
    wait_for 10 "the agent noticed the master is gone" grep -q "master agent lost" "$AGENT_LOG"
}

# start_trap_handler "ADDRESS SERVER"...: a second snmptrapd that runs
# exconn-traphandle for the translators' enterprises (symbolic OIDs, as a
# stock snmptrapd with MIBs prints them), with a traphandle.xml mapping each
# ADDRESS to SERVER; the first snmptrapd still receives the agent's traps
start_trap_handler() {
    [ -x "$TH_HANDLER" ] || fail "no exconn-traphandle at $TH_HANDLER (build the traphandle/ directory)"
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

# enterprise BASE SOURCE: BASE.<len>.<ASCII of SOURCE>
enterprise() { echo "$1.$(str_index "$2")"; }

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

# ========================================================== reading the MIB

snmp() {   # snmp CMD ARGS...: a net-snmp client against our snmpd
    local cmd=$1; shift
    "$cmd" -v2c -c public -t 1 -r 1 -M "$MIBDIRS" -m EXCHANGE-CONNECTOR-MIB \
        "127.0.0.1:$SNMPD_PORT" "$@"
}

# numeric OID of a (named) instance, e.g. oid_of "$MIB::exConnServerStatus.\"EXCH01\""
oid_of() { snmptranslate -M "$MIBDIRS" -m "$MIB" -On "$1"; }

# raw_get NUMERIC-OID [FLAGS]: the value only, no MIB loaded (fast, for polling)
raw_get() {
    snmpget -v2c -c public -t 1 -r 0 -m '' -Oqv ${2:-} "127.0.0.1:$SNMPD_PORT" "$1" 2>/dev/null
}

# get OID [FLAGS]: the value only (-Oqv, plus FLAGS), failing on "No Such ..."
get() {
    local out
    out=$(snmp snmpget -Oqv${2:-} "$1") || fail "snmpget $1 failed"
    [[ "$out" != *"No Such"* ]] || fail "snmpget $1: $out"
    printf '%s' "$out"
}
# getn OID: the value with enumerations and TimeTicks as plain numbers
getn() { get "$1" et; }
# ticks OID: a TimeTicks/TimeStamp value as a plain number
ticks() { snmp snmpget -Oqvt "$1"; }
# counter NAME: an exConnAgent scalar's value (e.g. counter exConnEventsAccepted);
# counter_ge NAME N: it is at least N
counter() { get "$MIB::$1.0"; }
counter_ge() { [ "$(counter "$1")" -ge "$2" ]; }
# master_uptime: sysUpTime.0 of snmpd, in ticks
master_uptime() { snmp snmpget -Oqvt SNMPv2-MIB::sysUpTime.0; }

# expect OID VALUE; expectn OID NUMBER (an enumeration's number as SPEC §6
# numbers it, a count...); expect_enum OID LABEL NUMBER: the MIB's label and
# the SPEC's number
expect() {
    local got
    got=$(get "$1")
    [ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"
}
expectn() {
    local got
    got=$(getn "$1")
    [ "$got" = "$2" ] || fail "$1: expected $2, got '$got'"
}
expect_enum() { expect "$1" "$2"; expectn "$1" "$3"; }

# predicates, for wait_for: value_is OID VALUE; value_ge OID N;
# snmp_value_ok OID (answers with a value); no_object OID (snmpd answers,
# but not with a value: no instance, or the subagent's subtree is gone);
# no_instance OID (answers "No Such Instance")
value_is() { [ "$(snmp snmpget -Oqv "$1" 2>/dev/null)" = "$2" ]; }
value_ge() { local v; v=$(snmp snmpget -Oqv "$1" 2>/dev/null) && [ "$v" -ge "$2" ]; }
snmp_value_ok() { local out; out=$(snmp snmpget -Oqv "$@") && [[ "$out" != *"No Such"* ]]; }
no_object() { local v; v=$(snmp snmpget -Oqv "$1" 2>&1) && [[ "$v" == *"No Such"* ]]; }
no_instance() { local v; v=$(snmp snmpget -Oqv "$1" 2>&1); [[ "$v" == *"No Such Instance"* ]]; }

# wait_value OID VALUE [SECONDS]
wait_value() { wait_for "${3:-5}" "$1 = $2" value_is "$1" "$2"; }
# wait_accepted OBJECT N [SECONDS]: exConnReportsAccepted/exConnEventsAccepted reached N
wait_accepted() { wait_for "${3:-10}" "$1 >= $2" value_ge "$MIB::$1.0" "$2"; }

# expect_absent OID: the instance does not exist (a value the report left out,
# or a row that is gone)
expect_absent() {
    no_object "$1" || fail "$1: expected no instance, got '$(snmp snmpget -Oqv "$1" 2>&1)'"
}

# The OID sub-identifiers of a DisplayString index: length, then octets.
str_index() {
    local s=$1 out=${#1} i
    for ((i = 0; i < ${#s}; i++)); do out+=.$(printf '%d' "'${s:i:1}"); done
    echo "$out"
}

# dt_ms VALUE: a DateAndTime as snmpget -Oqv prints it (2026-11-22,3:49:51.3,+0:0,
# UTC) in epoch milliseconds
dt_ms() {
    local v=$1 d t
    d=${v%%,*}; t=${v#*,}; t=${t%%,*}
    echo $(( $(date -u -d "$d ${t%.*}" +%s) * 1000 + ${t##*.} * 100 ))
}

# ================================================================ the spool

# publish DIR NAME: stdin becomes SPOOL/DIR/NAME, published as collectors do
# (dot name, rename); drop_file DIR NAME SOURCE: the same with a file
publish() {
    mkdir -p "$SPOOL/$1"
    cat > "$SPOOL/$1/.$2.tmp"
    mv "$SPOOL/$1/.$2.tmp" "$SPOOL/$1/$2"
}
drop_file() { publish "$1" "$2" < "$3"; }

# feed DIR NAME SOURCE: drop_file with a name-ordered prefix
FEED_N=0
feed() { FEED_N=$((FEED_N + 1)); drop_file "$1" "$(printf '%03d' "$FEED_N")-$2" "$3"; }

# drop_batch DIR NAME=SOURCE...: publish several files at once (all written
# under dot names first, then renamed in a row), so that they are processed
# back to back
drop_batch() {
    local dir=$1 spec; shift
    mkdir -p "$SPOOL/$dir"
    for spec in "$@"; do cp "${spec#*=}" "$SPOOL/$dir/.${spec%%=*}.tmp"; done
    for spec in "$@"; do mv "$SPOOL/$dir/.${spec%%=*}.tmp" "$SPOOL/$dir/${spec%%=*}"; done
}

# pickup DIR NAME SOURCE NUMERIC-OID VALUE: publish SOURCE as DIR/NAME (dot
# name, rename) and poll the OID until it reads VALUE; prints the milliseconds
# from the rename to the value, and fails past PICKUP_DEADLINE_MS.
pickup() {
    local dir=$1 name=$2 src=$3 oid=$4 want=$5 t0 t got
    mkdir -p "$SPOOL/$dir"
    cp "$src" "$SPOOL/$dir/.$name.tmp"
    t0=$(now_ms)
    mv "$SPOOL/$dir/.$name.tmp" "$SPOOL/$dir/$name"
    while :; do
        got=$(raw_get "$oid") || got=
        t=$(now_ms)
        [ "$got" = "$want" ] && break
        [ $((t - t0)) -le "$PICKUP_DEADLINE_MS" ] ||
            fail "$dir/$name: $oid still '$got' (want '$want') $((t - t0)) ms after the rename"
        sleep 0.005
    done
    echo $((t - t0))
}

# load_estate "REPORT..." "EVENT..." ALARMS: a known estate with active
# alarms -- the named tests/data reports (in that order) and event files
# published, all of them accepted, ALARMS alarms active and their traps in
load_estate() {
    local -a reports events
    read -r -a reports <<<"$1"
    read -r -a events <<<"$2"
    local n=0 f
    for f in "${reports[@]}"; do
        drop_file reports "$(printf '%02d' $n)-$f.xml" "$DATA/reports/$f.xml"; n=$((n + 1))
    done
    n=50
    for f in "${events[@]}"; do drop_file events "$n-$f.xml" "$DATA/events/$f.xml"; n=$((n + 1)); done
    wait_for 10 "${#reports[@]} reports accepted" counter_ge exConnReportsAccepted "${#reports[@]}"
    wait_for 10 "${#events[@]} events accepted" counter_ge exConnEventsAccepted "${#events[@]}"
    wait_for 10 "$3 alarms active" counter_ge exConnAlarmsActive "$3"
    wait_traps "$3"
}

# report_copy SOURCE OUT SED_EXPR...: a sample report edited by sed
# (another server name, collection time, version...)
report_copy() {
    local src=$1 out=$2; shift 2
    local args=() e
    for e in "$@"; do args+=(-e "$e"); done
    sed "${args[@]}" "$src" > "$out"
}

# later_report SRC OUT [SED EXPR...]: a copy of report SRC collected 2 s from
# now, so strictly after a trap received now (TimeCreated is the receive
# time, to the microsecond; a report's collected is to the second)
later_report() {
    local src=$1 out=$2 at; shift 2
    at=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)
    report_copy "$src" "$out" "s/collected=\"[^\"]*\"/collected=\"$at\"/" "$@"
}

# event_xml SERVER RECORDID PROVIDER ID [TIME]: one Windows event, as wevtutil prints it
event_xml() {
    local t=${5:-$(date -u +%Y-%m-%dT%H:%M:%S.0000000Z)}
    cat <<XML
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="$3"/>
    <EventID Qualifiers="49152">$4</EventID>
    <Level>2</Level>
    <TimeCreated SystemTime="$t"/>
    <EventRecordID>$2</EventRecordID>
    <Channel>Application</Channel>
    <Computer>$1.corp.example</Computer>
  </System>
  <EventData><Data>record $2</Data></EventData>
</Event>
XML
}

# spool_count DIR: regular files waiting in SPOOL/DIR (dot files excluded);
# spool_empty: nothing at all left in reports/ or events/ (but dot-files:
# no file, and no directory, FIFO or link either)
spool_count() { find "$SPOOL/$1" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l; }
spool_empty() {
    [ -z "$(find "$SPOOL/reports" "$SPOOL/events" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null)" ]
}

# rejected_reason NAME: the one line of SPOOL/rejected/NAME.reason (fails
# unless NAME was moved there and its .reason has exactly one line)
rejected_reason() {
    local r=$SPOOL/rejected/$1.reason
    [ -f "$SPOOL/rejected/$1" ] || fail "$1 not in rejected/"
    [ -f "$r" ] || fail "$1.reason missing"
    [ "$(wc -l <"$r")" -eq 1 ] || fail "$1.reason has $(wc -l <"$r") lines: $(cat "$r")"
    [ "$(tail -c1 "$r" | od -An -c | tr -d ' ')" = '\n' ] || fail "$1.reason does not end a line"
    cat "$r"
}

# ========================================================== received traps
# snmptrapd logs each trap as one line, "TRAP " then its varbinds separated
# by tabs, each "OID = TYPE: value" with numeric OIDs (-On), so a trap
# varbind can be compared byte for byte with `snmpget -On` of the same
# instance.

# exc_traps: the exConn notifications received so far, one per line, without
# the "TRAP " prefix (snmpd's own coldStart and the like are left out).
exc_traps() {
    [ -f "$TRAP_LOG" ] || return 0
    # complete lines only: snmptrapd may be half-way through writing one
    local log
    log=$(cat "$TRAP_LOG"; printf x)
    log=${log%x}
    [[ "$log" == *$'\n' ]] || log=${log%$'\n'*}$'\n'
    printf '%s' "$log" | awk -F'\t' -v want="$TRAPOID_OID = OID: $EXC_NOTIF." '
        /^TRAP / { sub(/^TRAP /, ""); if (index($2, want) == 1) print }'
}

# trap_count [NOTIF]: how many exConn traps (of notification NOTIF) arrived
trap_count() {
    if [ $# -eq 0 ]; then
        exc_traps | wc -l
    else
        exc_traps | awk -F'\t' -v oid="$TRAPOID_OID = OID: $EXC_NOTIF.$1" '$2 == oid' | wc -l
    fi
}

# trap_notifs: the notification numbers received, in order, one per line
trap_notifs() { exc_traps | cut -f2 | sed 's/.*\.//'; }

traps_at_least() { [ "$(trap_count "${@:2}")" -ge "$1" ]; }

# wait_traps N [SECONDS [NOTIF]]: until at least N exConn traps (of NOTIF) arrived
wait_traps() {
    local n=$1 limit=${2:-10}
    wait_for "$limit" "$n exConn trap(s)${3:+ of notification $3}" traps_at_least "$n" ${3:+"$3"}
}

# trap_line K: the K-th exConn trap (1-based, in arrival order)
trap_line() { exc_traps | sed -n "${1}p"; }

# trap_varbinds K: its varbinds, one "OID = TYPE: value" per line
trap_varbinds() { trap_line "$1" | tr '\t' '\n'; }

# trap_vb K N: the N-th varbind of trap K
trap_vb() { trap_varbinds "$1" | sed -n "${2}p"; }

# trap_notif K: the notification's last sub-identifier (exConnMIB.0.N)
trap_notif() { local v; v=$(trap_vb "$1" 2); echo "${v##*.}"; }

# trap_alarm K: the alarm index its varbinds carry (exConnAlarmKbArticle's index)
trap_alarm() { local v; v=$(trap_vb "$1" 3); v=${v%% = *}; echo "${v##*.}"; }

# trap_uptime K: its sysUpTime.0 in ticks
trap_uptime() { trap_vb "$1" 1 | sed -n 's/.*Timeticks: (\([0-9]*\)).*/\1/p'; }

# trap_value K OID: the "TYPE: value" of the varbind named OID
trap_value() {
    trap_varbinds "$1" | awk -v oid="$2 = " 'index($0, oid) == 1 { print substr($0, length(oid) + 1); exit }'
}

# trap_for ALARM [NOTIF]: the position K of the first trap of alarm index
# ALARM (of notification NOTIF), or nothing
trap_for() {
    local k=0 line
    while IFS= read -r line; do
        k=$((k + 1))
        local f2 f3
        f2=$(printf '%s' "$line" | cut -f2)
        f3=$(printf '%s' "$line" | cut -f3)
        f3=${f3%% = *}
        if [ "${f3##*.}" = "$1" ] && { [ -z "${2:-}" ] || [ "${f2##*.}" = "$2" ]; }; then
            echo "$k"
            return 0
        fi
    done < <(exc_traps)
}
has_trap_for() { [ -n "$(trap_for "$@")" ]; }

# expect_nth_trap K NOTIF ALARM: exactly K exConn traps arrived (waited for),
# the last one is notification NOTIF for alarm index ALARM, and its values
# are the row's
expect_nth_trap() {
    wait_traps "$1" 10
    [ "$(trap_count)" -eq "$1" ] || fail "expected $1 traps: $(exc_traps)"
    [ "$(trap_notif "$1")" = "$2" ] && [ "$(trap_alarm "$1")" = "$3" ] ||
        fail "trap $1 is not notification $2 for alarm $3: $(trap_line "$1")"
    assert_trap_is_row "$1"
}

# assert_trap K NOTIF ALARM ARTICLE: the shape SPEC §5 fixes.  sysUpTime.0,
# snmpTrapOID.0 = exConnMIB.0.NOTIF, then exConnAlarmKbArticle, -Severity,
# -Server, -Resource, -Description indexed by ALARM, then
# exConnKbArticleUrl indexed by ARTICLE (absent when ARTICLE is empty), and
# nothing else.
assert_trap() {
    local k=$1 notif=$2 alarm=$3 article=$4
    local -a vb
    mapfile -t vb < <(trap_varbinds "$k")
    [ ${#vb[@]} -gt 0 ] || fail "trap $k: no such trap"
    local want=7 i
    [ -n "$article" ] && want=8
    [ ${#vb[@]} -eq $want ] || fail "trap $k: ${#vb[@]} varbinds, expected $want: $(trap_line "$k")"
    [[ "${vb[0]}" == "$SYSUPTIME_OID = Timeticks: "* ]] || fail "trap $k: first varbind is not sysUpTime.0: ${vb[0]}"
    [ "${vb[1]}" = "$TRAPOID_OID = OID: $EXC_NOTIF.$notif" ] ||
        fail "trap $k: snmpTrapOID.0 is '${vb[1]}', expected $EXC_NOTIF.$notif"
    for i in 2 3 4 5 6; do
        [ "${vb[i]%% = *}" = "$EXC_ALARM_ENTRY.$i.$alarm" ] ||
            fail "trap $k: varbind $((i + 1)) is '${vb[i]%% = *}', expected $EXC_ALARM_ENTRY.$i.$alarm"
    done
    local kbv=${vb[2]#"$EXC_ALARM_ENTRY.2.$alarm = "}
    if [ -n "$article" ]; then
        [ "$kbv" = "STRING: $article" ] ||
            fail "trap $k: exConnAlarmKbArticle is '$kbv', expected '$article'"
    else
        case $kbv in '""' | 'STRING: ' | 'STRING:') ;;
            *) fail "trap $k: exConnAlarmKbArticle is '$kbv', expected empty" ;; esac
    fi
    if [ -n "$article" ]; then
        [ "${vb[7]%% = *}" = "$EXC_KB_ENTRY.7.$(str_index "$article")" ] ||
            fail "trap $k: last varbind is '${vb[7]%% = *}', expected exConnKbArticleUrl.\"$article\""
    fi
}

# assert_trap_is_row K: every alarm/KB varbind of trap K equals what snmpget
# returns for the same instance now (the row must still be active).
assert_trap_is_row() {
    local k=$1 line oids=() want=() got i
    while IFS= read -r line; do
        case ${line%% = *} in "$EXC_ALARM_ENTRY".* | "$EXC_KB_ENTRY".*) ;; *) continue ;; esac
        oids+=("${line%% = *}")
        want+=("$line")
    done < <(trap_varbinds "$k")
    [ ${#oids[@]} -gt 0 ] || fail "trap $k carries no alarm varbinds"
    # one request for all of them: the row is read at one moment
    mapfile -t got < <(snmp snmpget -On "${oids[@]}") || fail "snmpget ${oids[*]} failed"
    for i in "${!want[@]}"; do
        [ "${got[i]:-}" = "${want[i]}" ] ||
            fail "trap $k varbind '${want[i]}' but snmpget says '${got[i]:-}'"
    done
}

# assert_cleared_trap K RAISE_K: trap K is the exConnAlarmCleared of the alarm
# that trap RAISE_K raised: same row index, article, server, resource,
# description and URL, severity cleared(1).
assert_cleared_trap() {
    local k=$1 r=$2 alarm article
    alarm=$(trap_alarm "$r")
    article=$(trap_value "$r" "$EXC_ALARM_ENTRY.2.$alarm")
    article=${article#STRING: }
    [ "$article" = '""' ] && article=
    assert_trap "$k" 8 "$alarm" "$article"
    local -a a b
    mapfile -t a < <(trap_varbinds "$r")
    mapfile -t b < <(trap_varbinds "$k")
    [ "${b[3]}" = "$EXC_ALARM_ENTRY.3.$alarm = INTEGER: cleared(1)" ] ||
        fail "trap $k: severity '${b[3]}', expected cleared(1)"
    local i
    for i in 2 4 5 6 7; do
        [ $i -lt ${#a[@]} ] || continue
        [ "${a[i]}" = "${b[i]}" ] || fail "trap $k varbind $((i + 1)) '${b[i]}' differs from the raise's '${a[i]}'"
    done
}

# raise_trap ALARM NOTIF ARTICLE: the raise trap of ALARM is there, has the
# SPEC §5 shape, and its values are the row's; prints its position
raise_trap() {
    local k
    k=$(trap_for "$1" "$2")
    [ -n "$k" ] || fail "no notification $2 for alarm $1; traps: $(exc_traps)"
    assert_trap "$k" "$2" "$1" "$3"
    assert_trap_is_row "$k"
    echo "$k"
}

# cleared_trap ALARM RAISE_K [SECONDS]: waits for the exConnAlarmCleared of
# ALARM and checks it against the raise; prints its position
cleared_trap() {
    wait_for "${3:-10}" "exConnAlarmCleared for alarm $1" has_trap_for "$1" 8
    local k
    k=$(trap_for "$1" 8)
    assert_cleared_trap "$k" "$2"
    echo "$k"
}

# expect_cleared ALARM RAISE_K LAST_CHANGED_BEFORE: the exConnAlarmCleared
# of the only active alarm ALARM (cleared_trap), after which no alarm is
# active, its row is gone, its history reads "raised cleared" and
# exConnAlarmActiveLastChanged moved past LAST_CHANGED_BEFORE to the clear
# (last_changed_at); sets CLEARED_K to the trap's position and LAST_CHANGED
expect_cleared() {
    CLEARED_K=$(cleared_trap "$1" "$2")
    wait_for 10 "no active alarm" value_is "$MIB::exConnAlarmsActive.0" 0
    no_instance "$MIB::exConnAlarmKbArticle.$1" || fail "alarm $1 still in exConnAlarmTable"
    expect_history "$1" "raised cleared"
    LAST_CHANGED=$(last_changed_at "$CLEARED_K" "$3")
}

# =============================================== alarm rows and history

# the alarm index of an active alarm by (server, resource), or nothing
alarm_index_of() {
    local line idx
    while read -r line; do
        idx=${line%% *}; idx=${idx##*.}
        if [ "$(get "$MIB::exConnAlarmServer.$idx")" = "$1" ] &&
           [ "$(get "$MIB::exConnAlarmResource.$idx")" = "$2" ]; then
            echo "$idx"
            return 0
        fi
    done < <(snmp snmpwalk -On -Oq "$MIB::exConnAlarmResource" | grep "^$EXC_ALARM_ENTRY\.")
}

# expect_row ALARM ARTICLE SEVERITY SERVER RESOURCE DESCRIPTION: the active
# alarm row through snmpd (DESCRIPTION is a shell pattern)
expect_row() {
    local i=$1 d
    expect "$MIB::exConnAlarmKbArticle.$i" "$2"
    expect "$MIB::exConnAlarmSeverity.$i" "$3"
    expect "$MIB::exConnAlarmServer.$i" "$4"
    expect "$MIB::exConnAlarmResource.$i" "$5"
    d=$(get "$MIB::exConnAlarmDescription.$i")
    # shellcheck disable=SC2053
    [[ "$d" == $6 ]] || fail "exConnAlarmDescription.$i is '$d', expected '$6'"
}

# expect_raised NOTIF ARTICLE SEVERITY SERVER RESOURCE DESCRIPTION: the
# active alarm of (SERVER, RESOURCE) exists, its row is as given
# (expect_row) and its raise trap NOTIF has the SPEC §5 shape and the row's
# values (raise_trap); sets ALARM to its index and RAISED_K to the trap's
# position
expect_raised() {
    ALARM=$(alarm_index_of "$4" "$5")
    [ -n "$ALARM" ] || fail "no alarm row for server $4, resource $5"
    expect_row "$ALARM" "$2" "$3" "$4" "$5" "$6"
    RAISED_K=$(raise_trap "$ALARM" "$1" "$2")
}

# history_indexes ALARM: the exConnAlarmHistoryTable indexes of one alarm
# index, oldest first
history_indexes() {
    local line
    while read -r line; do
        [ -n "$line" ] || continue
        case $line in *"No Such"* | *"No more"*) continue ;; esac
        [ "${line##* }" = "$1" ] || continue
        line=${line%% *}
        echo "${line##*.}"
    done < <(snmp snmpwalk -On -Oq "$MIB::exConnAlarmHistoryAlarm")
}

# history_of ALARM: its transitions, oldest first, e.g. "raised cleared"
history_of() {
    local h out=()
    for h in $(history_indexes "$1"); do
        out+=("$(get "$MIB::exConnAlarmHistoryTransition.$h")")
    done
    echo "${out[*]}"
}

# history_row ALARM TRANSITION COLUMN: a column of the history row of that
# alarm and transition (raised|cleared)
history_row() {
    local h
    for h in $(history_indexes "$1"); do
        if [ "$(get "$MIB::exConnAlarmHistoryTransition.$h")" = "$2" ]; then
            get "$MIB::$3.$h"
            return 0
        fi
    done
    fail "no $2 history row for alarm $1"
}

# history_ms ALARM TRANSITION: the history row's time in epoch milliseconds
history_ms() { dt_ms "$(history_row "$1" "$2" exConnAlarmHistoryTime)"; }

# expect_history ALARM "raised cleared": its transitions in exConnAlarmHistoryTable,
# and the cleared row (if any) with severity cleared(1)
expect_history() {
    local h
    h=$(history_of "$1")
    [ "$h" = "$2" ] || fail "history of alarm $1 is '$h', expected '$2'"
    if [[ "$2" == *cleared* ]]; then
        h=$(history_row "$1" cleared exConnAlarmHistorySeverity)
        [ "$h" = cleared ] || fail "history: cleared row of alarm $1 has severity $h"
    fi
}

# last_changed: exConnAlarmActiveLastChanged in ticks
last_changed() { ticks "$MIB::exConnAlarmActiveLastChanged.0"; }

# last_changed_at TRAP_K [PREVIOUS]: exConnAlarmActiveLastChanged is the
# moment of the transition trap K announced (within 1 s before its
# sysUpTime.0, which the same agent stamps -- give or take 0.5 s: the
# subagent re-synchronises its sysUpTime with the master's on every AgentX
# response), and later than PREVIOUS; prints it
last_changed_at() {
    local lc up
    lc=$(last_changed); up=$(trap_uptime "$1")
    [ "$lc" -gt "${2:-0}" ] || fail "exConnAlarmActiveLastChanged $lc did not move past ${2:-0}"
    [ -n "$up" ] || fail "trap $1 has no sysUpTime.0: '$(trap_line "$1")'; traps: $(exc_traps)"
    [ "$lc" -le $((up + 50)) ] && [ "$lc" -ge $((up - 100)) ] ||
        fail "exConnAlarmActiveLastChanged $lc is not at trap $1 (sysUpTime $up)"
    echo "$lc"
}

# ====================================================== walks of the estate

# Objects whose value moves with time or with the process, masked in walks
# that are compared: the report age, this process's notification count, and
# TimeStamps (compared apart, with a tolerance: see timestamps_close).
VOLATILE_RE='^EXCHANGE-CONNECTOR-MIB::(exConnServerReportAge|exConnNotificationsSent|exConnAlarmActiveLastChanged|exConnConnectorLastChange|exConnComPortConflictSince)[.]'

# walk_estate FILE: the whole exConnObjects subtree (GETBULK), volatile values
# masked; walk_timestamps FILE: the TimeStamps alone, as "name ticks".
walk_estate() {
    snmp snmpbulkwalk -Cc "$MIB::exConnObjects" >"$1.raw" || fail "snmpbulkwalk failed"
    sed -E "/$VOLATILE_RE/s/ = .*/ = */" "$1.raw" >"$1"
    [ -s "$1" ] || fail "empty walk"
}
walk_timestamps() {   # lines "NAME = TICKS"
    snmp snmpbulkwalk -Oet "$MIB::exConnObjects" | grep -E "$VOLATILE_RE" |
        grep -Ev 'ReportAge|NotificationsSent' >"$1"
    grep -Eq ' = [0-9]+$' "$1" || fail "no TimeStamps in the walk"
}

# timestamps_close A B TICKS: the same objects, each value within TICKS
timestamps_close() {
    local tol=$3 out
    [ "$(sed 's/ = .*//' "$1")" = "$(sed 's/ = .*//' "$2")" ] ||
        fail "TimeStamp objects differ: $(diff "$1" "$2" | head -5)"
    out=$(paste -d'\t' "$1" "$2" | awk -F'\t' -v tol="$tol" '
        { n1 = split($1, a, " = "); n2 = split($2, b, " = ")
          if (a[n1] !~ /^[0-9]+$/ || b[n2] !~ /^[0-9]+$/) { print "not a number: " $0; next }
          d = a[n1] - b[n2]; if (d < 0) d = -d
          if (d > tol) print $1 " -> " b[n2] }') || fail "timestamps_close: awk failed"
    [ -z "$out" ] || fail "TimeStamps moved by more than $tol ticks: $out"
}

# timestamps_before FILE TICKS: every TimeStamp in FILE is at most TICKS (a
# sysUpTime.0 taken before the agent restarted: nothing was reset to the
# restart)
timestamps_before() {
    local out
    out=$(awk -F' = ' -v up="$2" '$NF + 0 > up + 0 { print }' "$1")
    [ -z "$out" ] || fail "TimeStamps after the restart ($2): $out"
}

# same_walk A B [MESSAGE]: fail with the difference when two walk files differ
same_walk() {
    diff -u "$1" "$2" >"$T/walk.diff" || { cat "$T/walk.diff" >&2; fail "${3:-walks differ}"; }
}

# walk_tables: every row of every exconn table, one "name.index value" line
# each, sorted; left out are the scalars, exConnServerReportAge (it moves
# with the clock) and the TimeStamp columns (sysUpTime of the master at the
# change: a restarted master has a new sysUpTime, and a change from before
# its start reads 0, RFC 2579), so two walks of an unchanged agent are
# identical, across master restarts too.
walk_tables() {
    snmp snmpbulkwalk -Os -Oq -Cr50 EXCHANGE-CONNECTOR-MIB::exConnObjects |
        grep -v -E '^(exConnServerReportAge|exConnConnectorLastChange|exConnComPortConflictSince)\.|^[A-Za-z0-9]+\.0 ' |
        LC_ALL=C sort
}

# tables_equal FILE: walk_tables matches FILE (and is not empty)
# (the last walk is kept in FILE.last, to diff when a wait times out)
tables_equal() {
    walk_tables > "$1.last" 2>/dev/null || return 1
    [ -s "$1.last" ] && cmp -s "$1" "$1.last"
}

# ======================================================= the agent process

# proc_stat PID: the fields of /proc/PID/stat after the command name (which
# may hold spaces, so counted from the closing parenthesis): state first
proc_stat() { sed 's/^.*) //' "/proc/$1/stat"; }

# cpu_ticks PID: user + system CPU time of a process, in clock ticks
# (fields 14 and 15 of /proc/PID/stat)
cpu_ticks() { proc_stat "$1" | awk '{ print $12 + $13 }'; }

# agent_alive: the agent process still exists (and is not a zombie)
agent_alive() {
    [ -n "$AGENT_PID" ] && [ -r "/proc/$AGENT_PID/stat" ] &&
        [ "$(proc_stat "$AGENT_PID" | cut -d' ' -f1)" != Z ]
}

# state_sum: a checksum of everything in the state directory (changes with
# every commit, whatever the files' format)
state_sum() { { cat "$STATE"/* 2>/dev/null || true; } | md5sum; }
