# Helpers for the reliability tests (SPEC §8: master and agent faults,
# hostile spool input, privileges), sourced after lib.sh.

EXC_NOTIF_PREFIX=.1.3.6.1.4.1.8072.9999.9999.5500.0
DATA=$EXCONN_SOURCE_DIR/tests/data

# now_ms: wall clock in milliseconds
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# cpu_ticks PID: user + system CPU time of a process, in clock ticks
# (fields 14 and 15 of /proc/PID/stat; the command name may hold spaces, so
# count from the closing parenthesis)
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

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

# exc_trap_count: how many exConn notifications snmptrapd received
exc_trap_count() {
    grep -c "OID: $EXC_NOTIF_PREFIX\." "$TRAP_LOG" || true
}

# exc_trap_notifs: the notification numbers received, in order, one per line
exc_trap_notifs() {
    grep -o "OID: $EXC_NOTIF_PREFIX\.[0-9]*" "$TRAP_LOG" | sed 's/.*\.//' || true
}

# restart_snmpd: kill -9 the master and start it again on the same UDP port
# and AgentX socket; sets SNMPD_UP_MS to the moment it answers again
kill9_snmpd() {
    kill -KILL "$SNMPD_PID" 2>/dev/null || true
    wait "$SNMPD_PID" 2>/dev/null || true
    SNMPD_PID=
}
restart_snmpd() {
    kill9_snmpd
    start_snmpd
    SNMPD_UP_MS=$(now_ms)
}

# counter NAME: an exConnAgent scalar's value (e.g. counter exConnEventsAccepted)
counter() { get "EXCHANGE-CONNECTOR-MIB::$1.0"; }

# agent_alive: the agent process still exists (and is not a zombie)
agent_alive() {
    [ -n "$AGENT_PID" ] && [ -r "/proc/$AGENT_PID/stat" ] &&
        [ "$(sed 's/^.*) //' "/proc/$AGENT_PID/stat" | cut -d' ' -f1)" != Z ]
}

# state_sum: a checksum of everything in the state directory (changes with
# every commit, whatever the files' format)
state_sum() { { cat "$STATE"/* 2>/dev/null || true; } | md5sum; }

# spool_count DIR: files waiting in SPOOL/DIR (dot files excluded)
spool_count() { find "$SPOOL/$1" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l; }

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

# publish DIR NAME: stdin becomes SPOOL/DIR/NAME, published as collectors do
publish() {
    mkdir -p "$SPOOL/$1"
    cat > "$SPOOL/$1/.$2.tmp"
    mv "$SPOOL/$1/.$2.tmp" "$SPOOL/$1/$2"
}

# start_snmpd_with PERMS [EXTRA]: start_snmpd with "agentXPerms PERMS" (lib.sh
# keeps the socket root's) and further snmpd.conf lines, e.g. a longer
# agentxTimeout for a slow agent
start_snmpd_with() {
    [ -n "$SNMPD_PORT" ] || SNMPD_PORT=$(free_port)
    cat > "$T/snmpd.conf" <<CONF
master agentx
agentXSocket unix:$AGENTX_SOCK
agentXPerms $1
rocommunity public 127.0.0.1
trap2sink udp:127.0.0.1:$TRAP_PORT public
${2:-}
CONF
    snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" \
        -I -ifTable,ifXTable,ipAddressTable "udp:127.0.0.1:$SNMPD_PORT" &
    SNMPD_PID=$!
    wait_for 10 "snmpd answers on $SNMPD_PORT" \
        snmpget -v2c -c public -t 0.5 -r 0 "127.0.0.1:$SNMPD_PORT" SNMPv2-MIB::sysUpTime.0
    wait_for 5 "AgentX socket" test -S "$AGENTX_SOCK"
    SNMPD_UP_MS=$(now_ms)
    log "snmpd $SNMPD_PID on udp:127.0.0.1:$SNMPD_PORT, agentx socket $(stat -c '%A %U:%G' "$AGENTX_SOCK")"
}

# start_all [EXTRA CONFIG XML]: config, snmptrapd, snmpd and the agent,
# registered
start_all() {
    write_config "$@"
    start_snmptrapd
    start_snmpd
    start_agent
    wait_registered 10
}
