# shellcheck shell=bash disable=SC2034
# Helpers for the estate tests (estate_*.sh: what a report or an event file
# makes the MIB show, through snmpd over AgentX), sourced after lib.sh.

X=EXCHANGE-CONNECTOR-MIB
DATA=$EXCONN_SOURCE_DIR/tests/data
EXAMPLE=$DATA/reports/exch01-example.xml
PICKUP_DEADLINE_MS=${PICKUP_DEADLINE_MS:-1000}   # SPEC §3: within one second

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# numeric OID of a (named) instance, e.g. oid_of "$X::exConnServerStatus.\"EXCH01\""
oid_of() { snmptranslate -M "$MIBDIRS" -m "$X" -On "$1"; }

# raw_get NUMERIC-OID [FLAGS]: the value only, no MIB loaded (fast, for polling)
raw_get() {
    snmpget -v2c -c public -t 1 -r 0 -m '' -Oqv ${2:-} "127.0.0.1:$SNMPD_PORT" "$1" 2>/dev/null
}

# getn OID: the value with enumerations and TimeTicks as plain numbers
getn() {
    local out
    out=$(snmp snmpget -Oqvet "$1") || fail "snmpget $1 failed"
    [[ "$out" != *"No Such"* ]] || fail "snmpget $1: $out"
    printf '%s' "$out"
}

# expectn OID NUMBER: an enumeration's number (as SPEC §6 numbers it), a count...
expectn() {
    local got
    got=$(getn "$1")
    [ "$got" = "$2" ] || fail "$1: expected $2, got '$got'"
}

# expect_enum OID LABEL NUMBER: the MIB's label and the SPEC's number
expect_enum() { expect "$1" "$2"; expectn "$1" "$3"; }

# expect_absent OID: the instance does not exist (a value the report left out,
# or a row that is gone)
expect_absent() {
    local out
    out=$(snmp snmpget -Oqv "$1" 2>&1) || fail "snmpget $1 failed: $out"
    [[ "$out" == *"No Such Instance"* || "$out" == *"No Such Object"* ]] ||
        fail "$1: expected no instance, got '$out'"
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

# Objects whose value moves with time or with the process, masked in walks
# that are compared: the report age, this process's notification count, and
# TimeStamps (compared apart, with a tolerance: see timestamps_close).
VOLATILE_RE='^EXCHANGE-CONNECTOR-MIB::(exConnServerReportAge|exConnNotificationsSent|exConnAlarmActiveLastChanged|exConnConnectorLastChange|exConnComPortConflictSince)[.]'

# walk_estate FILE: the whole exConnObjects subtree (GETBULK), volatile values
# masked; walk_timestamps FILE: the TimeStamps alone, as "name ticks".
walk_estate() {
    snmp snmpbulkwalk -Cc "$X::exConnObjects" >"$1.raw" || fail "snmpbulkwalk failed"
    sed -E "/$VOLATILE_RE/s/ = .*/ = */" "$1.raw" >"$1"
    [ -s "$1" ] || fail "empty walk"
}
walk_timestamps() {   # lines "NAME = TICKS"
    snmp snmpbulkwalk -Oet "$X::exConnObjects" | grep -E "$VOLATILE_RE" |
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

# master_uptime: sysUpTime.0 of snmpd, in ticks
master_uptime() { snmp snmpget -Oqvt SNMPv2-MIB::sysUpTime.0; }

# same_walk A B: fail with the difference when two walk files differ
same_walk() {
    diff -u "$1" "$2" >"$T/walk.diff" || { cat "$T/walk.diff" >&2; fail "${3:-walks differ}"; }
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

# spool_empty: nothing left in reports/ or events/ (but dot-files)
spool_empty() {
    [ -z "$(find "$SPOOL/reports" "$SPOOL/events" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null)" ]
}

value_is() { [ "$(snmp snmpget -Oqv "$1" 2>/dev/null)" = "$2" ]; }

# wait_value OID VALUE [SECONDS]
wait_value() { wait_for "${3:-5}" "$1 = $2" value_is "$1" "$2"; }
