#!/usr/bin/env bash
# SPEC §8: the agent runs unprivileged.  Started as root with -u nobody -g
# nogroup it drops to uid/gid nobody/nogroup with nobody's supplementary
# groups (initgroups: none here, and none of root's; daemon_conventions.sh
# checks a user that has one),
# and works with write access to nothing but the spool and state
# directories (owned by nobody; the config, the KB, the test directory and
# everything else stay root's and read-only to it): it ingests, rejects,
# commits, re-registers after a restart of snmpd -- reconnecting as nobody,
# which only the master's agentXPerms (socket group nogroup, mode 0660)
# allows -- and exits 0 on SIGTERM.  A state directory it cannot write is a
# start-up failure with a one-line reason.  Needs root (skipped otherwise).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: privileges.sh needs root to switch users"; exit 77
fi
USER_=nobody
GROUP_=$(id -gn nobody)
uid=$(id -u nobody) gid=$(getent group "$GROUP_" | cut -d: -f3)

# snmpd with the AgentX socket open to the agent's group (start_snmpd keeps
# it root-only by default): the documented deployment line "agentXPerms 0660 0750 root GROUP"
AGENTX_PERMS="0660 0750 root $GROUP_"

# a state directory nobody cannot write: refused at start, one line, non-zero
mkdir -p "$STATE" "$SPOOL"
chown root:root "$STATE"; chmod 755 "$STATE"
write_config
rc=0
out=$("$EXCONN_AGENT" -f -Le -c "$CONFIG" -u "$USER_" -g "$GROUP_" 2>&1) || rc=$?
[ "$rc" -ne 0 ] && [[ "$out" == *"state directory $STATE is not writable"* ]] ||
    fail "unwritable state: rc=$rc: $out"
log "unwritable state directory refused: $(printf '%s\n' "$out" | tail -n 1)"

# the real run: only spool/ and state/ belong to nobody
chown -R "$USER_:$GROUP_" "$SPOOL" "$STATE"; chmod 750 "$SPOOL" "$STATE"
chmod 644 "$CONFIG"
start_snmptrapd
start_snmpd "$AGENTX_PERMS"
start_agent -u "$USER_" -g "$GROUP_"
wait_registered 10
ids=$(awk '/^Uid:|^Gid:/ { print $2, $3, $4, $5 }' "/proc/$AGENT_PID/status" | tr '\n' ' ')
[ "$ids" = "$uid $uid $uid $uid $gid $gid $gid $gid " ] || fail "uids/gids: $ids"
groups=$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$AGENT_PID/status" | tr -d ' ')
[ -z "$groups" ] || [ "$groups" = "$gid" ] || fail "groups other than nobody's: $groups"
log "agent $AGENT_PID runs as $(ps -o user=,group= -p "$AGENT_PID")"

drop_file reports 01-q158047.xml "$DATA/reports/q158047-conflict.xml"
drop_file events 02-ccmc.xml "$DATA/events/q166045-ccmc-70.xml"
drop_file reports 03-bad.xml "$DATA/hostile/bad-enum.xml"
wait_for 10 "report accepted" eval '[ "$(counter exConnReportsAccepted)" -eq 1 ]'
wait_for 10 "event accepted" eval '[ "$(counter exConnEventsAccepted)" -eq 1 ]'
wait_for 10 "bad report rejected" test -s "$SPOOL/rejected/03-bad.xml.reason"
wait_for 10 "spool drained" spool_empty
[ -z "$(find "$STATE" -mindepth 1 ! -user "$USER_")" ] || fail "state files not nobody's: $(ls -l "$STATE")"
# everything nobody owns under the test directory is in spool/ or state/
stray=$(find "$T" -user "$USER_" ! -path "$SPOOL" ! -path "$SPOOL/*" ! -path "$STATE" ! -path "$STATE/*")
[ -z "$stray" ] || fail "the agent wrote outside spool/ and state/: $stray"

# master restart: the agent reconnects as nobody, through agentXPerms
walk_tables > "$T/before"
restart_snmpd "$AGENTX_PERMS"
wait_for $((${PING_INTERVAL:-1} + 2)) "re-registered as nobody" tables_equal "$T/before"
log "re-registered as $USER_ after a master restart"

# SIGTERM as nobody: commits and exits 0
drop_file events 04-imc.xml "$DATA/events/q182346-imc-4087.xml"
wait_for 10 "second event accepted" eval '[ "$(counter exConnEventsAccepted)" -eq 2 ]'
kill -TERM "$AGENT_PID"
rc=0; wait "$AGENT_PID" || rc=$?
AGENT_PID=
[ "$rc" -eq 0 ] || fail "SIGTERM: exit $rc"
# what it committed, as a restarted agent (still nobody) reads it back
start_agent -u "$USER_" -g "$GROUP_"
wait_registered 10
got=$(for c in exConnReportsAccepted exConnReportsRejected exConnEventsAccepted exConnEventsRejected; do
    printf '%s ' "$(counter $c)"; done)
[ "$got" = "1 1 2 0 " ] || fail "counters after SIGTERM and restart: $got"
log "unprivileged: uid $uid gid $gid, writes only spool/ and state/, reconnects via agentXPerms, SIGTERM exit 0"
