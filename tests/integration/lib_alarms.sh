# Helpers for the alarm and notification tests (SPEC §4, §5), sourced after
# lib.sh.  snmptrapd logs each trap as one line, "TRAP " then its varbinds
# separated by tabs, each "OID = TYPE: value" with numeric OIDs (-On), so a
# trap varbind can be compared byte for byte with `snmpget -On` of the same
# instance.

EXC_ROOT=.1.3.6.1.4.1.8072.9999.9999.5500
EXC_NOTIF=$EXC_ROOT.0
EXC_ALARM_ENTRY=$EXC_ROOT.1.8.1
EXC_KB_ENTRY=$EXC_ROOT.1.7.1
SYSUPTIME_OID=.1.3.6.1.2.1.1.3.0
TRAPOID_OID=.1.3.6.1.6.3.1.1.4.1.0
MIB=EXCHANGE-CONNECTOR-MIB
DATA=$EXCONN_SOURCE_DIR/tests/data

# The exConn notifications received so far, one per line, without the
# "TRAP " prefix (snmpd's own coldStart and the like are left out).
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

# The OID sub-identifiers of a DisplayString index: length, then octets.
str_index() {
    local s=$1 out=${#1} i
    for ((i = 0; i < ${#s}; i++)); do out+=.$(printf '%d' "'${s:i:1}"); done
    echo "$out"
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

# history_of ALARM: the transitions of exConnAlarmHistoryTable for one alarm
# index, oldest first, e.g. "raised cleared"
history_of() {
    local line h out=()
    while read -r line; do
        [ -n "$line" ] || continue
        case $line in *"No Such"* | *"No more"*) continue ;; esac
        h=${line%% *}; h=${h##*.}
        [ "${line##* }" = "$1" ] || continue
        out+=("$(get "$MIB::exConnAlarmHistoryTransition.$h")")
    done < <(snmp snmpwalk -On -Oq "$MIB::exConnAlarmHistoryAlarm")
    echo "${out[*]}"
}

# history_row ALARM TRANSITION COLUMN: a column of the history row of that
# alarm and transition (raised|cleared)
history_row() {
    local line h
    while read -r line; do
        h=${line%% *}; h=${h##*.}
        [ "${line##* }" = "$1" ] || continue
        if [ "$(get "$MIB::exConnAlarmHistoryTransition.$h")" = "$2" ]; then
            get "$MIB::$3.$h"
            return 0
        fi
    done < <(snmp snmpwalk -On -Oq "$MIB::exConnAlarmHistoryAlarm")
    fail "no $2 history row for alarm $1"
}

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

value_is() { [ "$(snmp snmpget -Oqv "$1" 2>/dev/null)" = "$2" ]; }      # value_is OID VALUE
value_ge() { local v; v=$(snmp snmpget -Oqv "$1" 2>/dev/null) && [ "$v" -ge "$2" ]; }
no_instance() { local v; v=$(snmp snmpget -Oqv "$1" 2>&1); [[ "$v" == *"No Such Instance"* ]]; }
spool_empty() { [ -z "$(find "$SPOOL/reports" "$SPOOL/events" -maxdepth 1 -type f ! -name '.*' 2>/dev/null)" ]; }

# ticks OID: a TimeTicks/TimeStamp value as a plain number
ticks() { snmp snmpget -Oqvt "$1"; }

# wait_accepted OBJECT N: exConnReportsAccepted/exConnEventsAccepted reached N
wait_accepted() { wait_for "${3:-10}" "$1 >= $2" value_ge "$MIB::$1.0" "$2"; }

# feed DIR NAME SOURCE: drop_file with a name-ordered prefix
FEED_N=0
feed() { FEED_N=$((FEED_N + 1)); drop_file "$1" "$(printf '%03d' "$FEED_N")-$2" "$3"; }

# report_copy SOURCE OUT SED_EXPR...: a sample report edited by sed
# (another server name, collection time, version...)
report_copy() {
    local src=$1 out=$2; shift 2
    local args=() e
    for e in "$@"; do args+=(-e "$e"); done
    sed "${args[@]}" "$src" > "$out"
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

# cleared_trap ALARM RAISE_K: waits for the exConnAlarmCleared of ALARM and
# checks it against the raise; prints its position
cleared_trap() {
    wait_for "${3:-10}" "exConnAlarmCleared for alarm $1" has_trap_for "$1" 8
    local k
    k=$(trap_for "$1" 8)
    assert_cleared_trap "$k" "$2"
    echo "$k"
}
has_trap_for() { [ -n "$(trap_for "$@")" ]; }

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
# no_object OID: snmpd answers, but not with a value (the subagent's subtree is gone)
no_object() { local v; v=$(snmp snmpget -Oqv "$1" 2>&1) && [[ "$v" == *"No Such"* ]]; }

# drop_batch DIR NAME=SOURCE...: publish several files at once (all written
# under dot names first, then renamed in a row), so that they are processed
# back to back
drop_batch() {
    local dir=$1 spec; shift
    mkdir -p "$SPOOL/$dir"
    for spec in "$@"; do cp "${spec#*=}" "$SPOOL/$dir/.${spec%%=*}.tmp"; done
    for spec in "$@"; do mv "$SPOOL/$dir/.${spec%%=*}.tmp" "$SPOOL/$dir/${spec%%=*}"; done
}

# dt_ms VALUE: a DateAndTime as snmpget -Oqv prints it (2026-11-22,3:49:51.3,+0:0,
# UTC) in epoch milliseconds
dt_ms() {
    local v=$1 d t
    d=${v%%,*}; t=${v#*,}; t=${t%%,*}
    echo $(( $(date -u -d "$d ${t%.*}" +%s) * 1000 + ${t##*.} * 100 ))
}

# history_ms ALARM TRANSITION: the history row's time in epoch milliseconds
history_ms() { dt_ms "$(history_row "$1" "$2" exConnAlarmHistoryTime)"; }

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

# wait_all_registered [SECONDS]: every subtree of the agent is registered with
# the master, not just the first (the scalars): exConnMIB's sysORTable entry
# is sent after the last table's registration
sysor_has_exconn() { snmp snmpwalk -On SNMPv2-MIB::sysORID 2>/dev/null | grep -q "= OID: $EXC_ROOT\$"; }
wait_all_registered() {
    wait_registered "${1:-10}"
    wait_for "${1:-10}" "exConnMIB in sysORTable (all subtrees registered)" sysor_has_exconn
}
