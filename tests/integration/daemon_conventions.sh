#!/usr/bin/env bash
# Issue 12, daemon conventions (contract B).  A usage error exits 2;
# --version names the Net-SNMP version too.  Without -f the parent exits
# only once the daemon is ready (it answers at once), and non-zero with
# the daemon's one-line reason when it fails after the fork.  With
# NOTIFY_SOCKET set, READY=1, RELOADING=1 and READY=1 around SIGHUP, and
# STOPPING=1 arrive there.  As root: the pid file is written in a directory
# only root may write (before the privilege drop), and -u keeps the user's
# supplementary groups (initgroups).
. "$(dirname "$0")/lib.sh"

rc=0; "$EXCONN_AGENT" --no-such-option >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "unknown option: exit $rc, want 2"
rc=0; "$EXCONN_AGENT" -c >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing option argument: exit $rc, want 2"
v=$("$EXCONN_AGENT" --version)
nv=$(net-snmp-config --version)
[[ "$v" == *"Net-SNMP $nv"* ]] || fail "--version: '$v' does not name Net-SNMP $nv"
log "usage errors exit 2; --version: $v"

write_config
start_snmptrapd
start_snmpd

# an error after the fork: the parent says why and exits non-zero
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$STATE"; chmod 755 "$STATE"
    rc=0; out=$("$EXCONN_AGENT" -c "$CONFIG" -Le -u nobody -g "$(id -gn nobody)" 2>&1) || rc=$?
    [ "$rc" -ne 0 ] && [[ "$out" == *"state directory $STATE is not writable"* ]] ||
        fail "failure after the fork: rc=$rc: $out"
    log "failure after the fork: rc=$rc: $(printf '%s\n' "$out" | tail -n 1)"
    rm -rf "$STATE"
fi

# readiness: the parent returns once the daemon is registered
cat > "$T/notify.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], 'a', buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode() + '\n')
PY
/usr/bin/python3 "$T/notify.py" "$T/notify.sock" "$T/notify.log" &
NOTIFY_PID=$!
trap 'r=$?; set +e; kill "$NOTIFY_PID" 2>/dev/null; (exit $r); cleanup' EXIT
wait_for 5 "notify socket" test -S "$T/notify.sock"
chmod 666 "$T/notify.sock"   # as systemd's: the daemon writes to it after dropping root
PIDF=$T/run/agent.pid
mkdir -p "$T/run"; chmod 755 "$T/run"
args=(-c "$CONFIG" -Lf "$AGENT_LOG" -p "$PIDF")
[ "$(id -u)" -eq 0 ] && { mkdir -p "$SPOOL" "$STATE"; chown nobody "$SPOOL" "$STATE"; args+=(-u nobody); }
rc=0; NOTIFY_SOCKET=$T/notify.sock "$EXCONN_AGENT" "${args[@]}" || rc=$?
[ "$rc" -eq 0 ] || fail "daemon start: exit $rc"
AGENT_PID=$(cat "$PIDF") || fail "no pid file once the parent returned"
snmp_value_ok EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0 || fail "not answering when the parent returned"
wait_for 5 "READY=1" grep -qx 'READY=1' "$T/notify.log"
log "daemon $AGENT_PID ready when the parent returned; READY=1 sent"
if [ "$(id -u)" -eq 0 ]; then
    [ "$(stat -c %U "$PIDF")" = root ] || fail "pid file owner $(stat -c %U "$PIDF")"
    [ "$(ps -o user= -p "$AGENT_PID")" = nobody ] || fail "daemon runs as $(ps -o user= -p "$AGENT_PID")"
fi
kill -HUP "$AGENT_PID"
wait_for 10 "RELOADING=1 then READY=1" eval '[ "$(tr "\n" " " < "$T/notify.log")" = "READY=1 RELOADING=1 READY=1 " ]'
kill -TERM "$AGENT_PID"
wait_for 5 "daemon gone" eval '! kill -0 '"$AGENT_PID"' 2>/dev/null'
AGENT_PID=
wait_for 5 "STOPPING=1" grep -qx 'STOPPING=1' "$T/notify.log"
log "sd_notify: $(tr '\n' ' ' < "$T/notify.log")"

# -u keeps the user's supplementary groups
if [ "$(id -u)" -eq 0 ]; then
    u=excnt$$; g=excntg$$
    groupadd "$g" && useradd -M -N -g nogroup -G "$g" -s /usr/sbin/nologin "$u" ||
        fail "cannot create a test user"
    trap 'r=$?; set +e; kill "$NOTIFY_PID" 2>/dev/null; stop_pid "$AGENT_PID"; userdel "$u" 2>/dev/null || true; groupdel "$g" 2>/dev/null || true; (exit $r); cleanup' EXIT
    rm -f "$PIDF"; chown "$u" "$SPOOL" "$STATE"
    start_agent -u "$u"
    wait_registered 10
    groups=$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$AGENT_PID/status")
    want=$(getent group "$g" | cut -d: -f3)
    [[ " $groups " == *" $want "* ]] || fail "supplementary group $g ($want) not kept: Groups:$groups"
    log "-u $u: supplementary groups kept:$groups"
fi
