# Integration test fixture (sourced by tests/integration/*.sh).
#
# Starts a private snmpd (master agentx, AgentX socket in a temp dir, UDP on a
# free 127.0.0.1 port, -C so no system config leaks in), a snmptrapd on another
# free loopback port logging received traps to a file, and exconn-agent against
# them; waits for conditions by polling with a deadline (never a bare sleep);
# and tears everything down on exit, whether the test passed or failed.
#
# Environment (set by CTest): EXCONN_AGENT (the binary), EXCONN_SOURCE_DIR,
# EXCONN_STD_MIBS (directory of the SNMPv2 modules, see scripts/std-mibs.sh).

set -euo pipefail

: "${EXCONN_AGENT:?EXCONN_AGENT must name the exconn-agent binary}"
: "${EXCONN_SOURCE_DIR:?}"
: "${EXCONN_STD_MIBS:?}"

T=$(mktemp -d "${TMPDIR:-/tmp}/exconn-it.XXXXXX")
chmod 755 "$T"
SNMPD_PID= TRAPD_PID= AGENT_PID=
SNMPD_PORT= TRAP_PORT=
AGENTX_SOCK=$T/agentx.sock
TRAP_LOG=$T/traps.log
AGENT_LOG=$T/agent.log
SPOOL=$T/spool
STATE=$T/state
CONFIG=$T/exconn.xml
MIBDIRS="$EXCONN_STD_MIBS:/usr/share/snmp/mibs:$EXCONN_SOURCE_DIR/mibs"
export MIBS=EXCHANGE-CONNECTOR-MIB MIBDIRS SNMPCONFPATH=$T/snmpconf SNMP_PERSISTENT_DIR=$T/persist
mkdir -p "$T/snmpconf" "$T/persist"

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
    stop_pid "$AGENT_PID"; stop_pid "$SNMPD_PID"; stop_pid "$TRAPD_PID"
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

start_snmpd() {
    [ -n "$SNMPD_PORT" ] || SNMPD_PORT=$(free_port)
    cat > "$T/snmpd.conf" <<CONF
master agentx
agentXSocket unix:$AGENTX_SOCK
agentXPerms 0660 0750
rocommunity public 127.0.0.1
trap2sink udp:127.0.0.1:$TRAP_PORT public
CONF
    snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" \
        -I -ifTable,ifXTable,ipAddressTable \
        "udp:127.0.0.1:$SNMPD_PORT" &
    SNMPD_PID=$!
    wait_for 10 "snmpd answers on $SNMPD_PORT" \
        snmpget -v2c -c public -t 0.5 -r 0 "127.0.0.1:$SNMPD_PORT" SNMPv2-MIB::sysUpTime.0
    log "snmpd $SNMPD_PID on udp:127.0.0.1:$SNMPD_PORT, agentx $AGENTX_SOCK"
}

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

snmp() {   # snmp CMD ARGS...: a net-snmp client against our snmpd
    local cmd=$1; shift
    "$cmd" -v2c -c public -t 1 -r 1 -M "$MIBDIRS" -m EXCHANGE-CONNECTOR-MIB \
        "127.0.0.1:$SNMPD_PORT" "$@"
}

wait_registered() {   # the agent's subtree answers through the master
    wait_for "${1:-10}" "exconn-agent registered with snmpd" \
        snmp_value_ok EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0
}

snmp_value_ok() { local out; out=$(snmp snmpget -Oqv "$@") && [[ "$out" != *"No Such"* ]]; }

# get OID: the value only (-Oqv), failing on "No Such ..."
get() {
    local out
    out=$(snmp snmpget -Oqv "$@") || fail "snmpget $* failed"
    [[ "$out" != *"No Such"* ]] || fail "snmpget $*: $out"
    printf '%s' "$out"
}

# expect OID VALUE
expect() {
    local got
    got=$(get "$1")
    [ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"
}

# drop_file DIR NAME SOURCE: publish a file the way collectors do (dot name, rename)
drop_file() {
    mkdir -p "$SPOOL/$1"
    cp "$3" "$SPOOL/$1/.$2.tmp"
    mv "$SPOOL/$1/.$2.tmp" "$SPOOL/$1/$2"
}
