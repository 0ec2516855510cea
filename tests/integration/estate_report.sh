#!/usr/bin/env bash
# SPEC §3 example report -> the MIB, through snmpd over AgentX:
#  - picked up within one second of its rename (measured: rename -> value
#    visible, polled, for a new server and for replacing reports);
#  - every column of exConnServerTable, exConnConnectorTable,
#    exConnComPortTable, exConnComClaimantTable, exConnQueueTable and the
#    exConnAgent scalars checked against the report by snmpget on name
#    indexes (labels from the MIB and numbers as SPEC §6 numbers them), and
#    again by walking (snmptable, snmpbulkwalk, snmpwalk);
#  - values the report left out have no instance, and walks step over them.
. "$(dirname "$0")/lib.sh"

start_all

S='"EXCH01"'
status_oid=$(oid_of "$X::exConnServerStatus.$S")
expect_absent "$X::exConnServerStatus.$S"

# ---- pick-up latency: a new server ----------------------------------------
ms=$(pickup reports 20261122-100000-exch01.xml "$EXAMPLE" "$status_oid" 2)
accepted_at=$(date +%s)
log "report picked up and served after $ms ms (deadline $PICKUP_DEADLINE_MS ms)"
wait_for 5 "report deleted from the spool once committed" spool_empty

# ---- exConnAgent ------------------------------------------------------------
expect "$X::exConnAgentVersion.0" "$("$EXCONN_AGENT" --version | awk '{print $2}')"
expectn "$X::exConnReportsAccepted.0" 1
expectn "$X::exConnReportsRejected.0" 0
expectn "$X::exConnEventsAccepted.0" 0
expectn "$X::exConnEventsRejected.0" 0
expectn "$X::exConnKbArticlesLoaded.0" "$(ls "$EXCONN_SOURCE_DIR"/kb/*.xml | wc -l)"
# COM1 has two claimants (Q158047 a), the MS Mail connector is stopped with
# service exit code 3 (Q158047 b): two major alarms, nothing else
expectn "$X::exConnAlarmsActive.0" 2
changed=$(getn "$X::exConnAlarmActiveLastChanged.0")
[ "$changed" -gt 0 ] || fail "exConnAlarmActiveLastChanged is $changed"
wait_value "$X::exConnNotificationsSent.0" 2
expectn "$X::exConnNotificationsDropped.0" 0

# ---- exConnServerTable ------------------------------------------------------
expect "$X::exConnServerSite.$S" HQ
expect "$X::exConnServerExchangeVersion.$S" 5.0.1457.7
expect "$X::exConnServerMtaVersion.$S" 5.0.1460.8
# DateAndTime of collected="2026-11-22T10:00:00Z": 2026 (07 EA), 11, 22, 10h,
# 0 min, 0 s, 0 ds, '+', 0, 0
expect "$X::exConnServerLastReport.$S" "2026-11-22,10:0:0.0,+0:0"
dt=$(raw_get "$(oid_of "$X::exConnServerLastReport.$S")" -Ox)
[ "$(echo "$dt" | tr -d '" ')" = "07EA0B160A0000002B0000" ] || fail "DateAndTime octets: $dt"
# counted from the report's acceptance (the collector's clock aside)
age=$(getn "$X::exConnServerReportAge.$S")
age=${age%% *}
[ "$age" -le $(( $(date +%s) - accepted_at + 1 )) ] ||
    fail "exConnServerReportAge $age s, $(( $(date +%s) - accepted_at )) s after the report"
expect_enum "$X::exConnServerStatus.$S" degraded 2
expectn "$X::exConnServerAlarms.$S" 2
# names are published upper-case: no row under another case
expect_absent "$X::exConnServerSite.\"exch01\""

# ---- exConnConnectorTable ---------------------------------------------------
# conn NAME TYPE# SERVICE STATE# W32 SVC HEALTH# KB COMPORT DIRSYNC# QUEUEFILE# REMOTE LINK#
conn() {
    local i="$S.\"$1\""
    expectn "$X::exConnConnectorType.$i" "$2"
    expect "$X::exConnConnectorService.$i" "$3"
    expectn "$X::exConnConnectorState.$i" "$4"
    if [ "$5" = - ]; then expect_absent "$X::exConnConnectorWin32ExitCode.$i"
    else expectn "$X::exConnConnectorWin32ExitCode.$i" "$5"; fi
    if [ "$6" = - ]; then expect_absent "$X::exConnConnectorServiceExitCode.$i"
    else expectn "$X::exConnConnectorServiceExitCode.$i" "$6"; fi
    expectn "$X::exConnConnectorHealth.$i" "$7"
    expect "$X::exConnConnectorKbArticle.$i" "$8"
    expect "$X::exConnConnectorComPort.$i" "$9"
    expectn "$X::exConnConnectorDirSync.$i" "${10}"
    expectn "$X::exConnConnectorQueueFile.$i" "${11}"
    expect "$X::exConnConnectorRemoteSite.$i" "${12}"
    expectn "$X::exConnConnectorLinkState.$i" "${13}"
    local lc
    lc=$(getn "$X::exConnConnectorLastChange.$i")
    [ "$lc" -gt 0 ] || fail "exConnConnectorLastChange.$i is $lc (the row was created after the agent started)"
}
#    name                    type svc             state w32  svc health kb       port   ds qf rs      link
conn "MS Mail Connector"     1 MSExchangeMSMI     1     1066 3   3      Q158047  COM1   5  6  ""      4
conn "cc:Mail Connector"     2 MSExchangeCCMC     4     -    -   1      ""       ""     2  6  ""      4
conn "Internet Mail Service" 3 MSExchangeIMC      4     -    -   1      ""       ""     5  3  ""      4
conn "X.400 to PARIS"        4 MSExchangeMTA      4     -    -   1      ""       ""     5  6  PARIS   2
# the labels agree with the numbers
expect "$X::exConnConnectorState.$S.\"MS Mail Connector\"" stopped
expect "$X::exConnConnectorHealth.$S.\"MS Mail Connector\"" failed
expect "$X::exConnConnectorDirSync.$S.\"cc:Mail Connector\"" pending
expect "$X::exConnConnectorQueueFile.$S.\"Internet Mail Service\"" readOnly
expect "$X::exConnConnectorLinkState.$S.\"X.400 to PARIS\"" down
expect "$X::exConnConnectorType.$S.\"X.400 to PARIS\"" x400
expect_absent "$X::exConnConnectorType.$S.\"ms mail connector\""

# ---- exConnComPortTable / exConnComClaimantTable ------------------------------
expectn "$X::exConnComPortClaimants.$S.\"COM1\"" 2
expect_enum "$X::exConnComPortConflictState.$S.\"COM1\"" conflict 2
since=$(getn "$X::exConnComPortConflictSince.$S.\"COM1\"")
[ "$since" -gt 0 ] || fail "exConnComPortConflictSince is $since"
# a TimeStamp names a moment: it reads the same poll after poll
since_oid=$(oid_of "$X::exConnComPortConflictSince.$S.\"COM1\"")
for _ in $(seq 30); do
    got=$(raw_get "$since_oid" -Ot)
    [ "$got" = "$since" ] || fail "exConnComPortConflictSince moved from $since to $got between polls"
    sleep 0.01
done
expect_enum "$X::exConnComClaimantKind.$S.\"COM1\".1" msMailConnector 1
expect "$X::exConnComClaimantName.$S.\"COM1\".1" "MS Mail Connector (async)"
expect_enum "$X::exConnComClaimantKind.$S.\"COM1\".2" remoteAccess 2
expect "$X::exConnComClaimantName.$S.\"COM1\".2" "Remote Access Service"
expect_absent "$X::exConnComClaimantName.$S.\"COM1\".3"

# ---- exConnQueueTable ---------------------------------------------------------
# queue NAME KIND# CONNECTOR MESSAGES BYTES OLDESTAGE STATE#   (- = not in the report)
queue() {
    local i="$S.\"$1\""
    expectn "$X::exConnQueueKind.$i" "$2"
    expect "$X::exConnQueueConnector.$i" "$3"
    local col v
    for col in Messages:$4 Bytes:$5 OldestAge:$6; do
        v=${col#*:}
        if [ "$v" = - ]; then expect_absent "$X::exConnQueue${col%%:*}.$i"
        else
            got=$(getn "$X::exConnQueue${col%%:*}.$i")
            [ "${got%% *}" = "$v" ] || fail "exConnQueue${col%%:*}.$i: expected $v, got '$got'"
        fi
    done
    expectn "$X::exConnQueueState.$i" "$7"
}
#     name          kind connector                messages bytes  age   state
queue MTS-IN        1 "Internet Mail Service"    0        0      0     1
queue MTS-OUT       2 "Internet Mail Service"    12       40960  3600  2
queue IMCDATA-IN    3 "Internet Mail Service"    0        -      -     1
queue IMCDATA-OUT   4 "Internet Mail Service"    3        -      -     2
queue X400-PARIS    5 "X.400 to PARIS"           40       -      7200  2
expect "$X::exConnQueueMessages.$S.\"MTS-OUT\"" 12
expect "$X::exConnQueueState.$S.\"MTS-OUT\"" flowing
expect "$X::exConnQueueState.$S.\"IMCDATA-IN\"" empty

# ---- the same by walking --------------------------------------------------------
table() {   # table NAME [CUT-FIELDS]: snmptable rows, '|'-separated, index first
    snmp snmptable -Cf '|' -Ci -Cb -CH "$X::$1" | { if [ -n "${2:-}" ]; then cut -d'|' -f"$2"; else cat; fi; }
}
check_table() {   # check_table NAME EXPECTED [CUT-FIELDS]
    local got
    got=$(table "$1" "${3:-}") || fail "snmptable $1 failed"
    [ "$got" = "$2" ] || fail "$1 by snmptable:
$got
--- expected:
$2"
}
# ReportAge (field 6) and TimeStamps are left out: they move with time
check_table exConnServerTable \
'"EXCH01"|HQ|5.0.1457.7|5.0.1460.8|2026-11-22,10:0:0.0,+0:0|degraded|2|unknown||?' 1-5,7-
check_table exConnConnectorTable \
'"EXCH01"."X.400 to PARIS"|x400|MSExchangeMTA|running|?|?|ok|||notApplicable|notApplicable|PARIS|down
"EXCH01"."MS Mail Connector"|msMail|MSExchangeMSMI|stopped|1066|3|failed|Q158047|COM1|notApplicable|notApplicable||notApplicable
"EXCH01"."cc:Mail Connector"|ccMail|MSExchangeCCMC|running|?|?|ok|||pending|notApplicable||notApplicable
"EXCH01"."Internet Mail Service"|internetMail|MSExchangeIMC|running|?|?|ok|||notApplicable|readOnly||notApplicable' 1-13
check_table exConnComPortTable '"EXCH01"."COM1"|2|conflict' 1-3
check_table exConnComClaimantTable \
'"EXCH01"."COM1".1|msMailConnector|MS Mail Connector (async)
"EXCH01"."COM1".2|remoteAccess|Remote Access Service'
# '?': no instance (the report did not give the value)
check_table exConnQueueTable \
'"EXCH01"."MTS-IN"|mtsIn|Internet Mail Service|0|0 octets|0 seconds|empty
"EXCH01"."MTS-OUT"|mtsOut|Internet Mail Service|12|40960 octets|3600 seconds|flowing
"EXCH01"."IMCDATA-IN"|imcInbound|Internet Mail Service|0|?|?|empty
"EXCH01"."X400-PARIS"|x400Link|X.400 to PARIS|40|?|7200 seconds|flowing
"EXCH01"."IMCDATA-OUT"|imcOutbound|Internet Mail Service|3|?|?|flowing'

# a walk steps over the holes: the bytes column has exactly the two given
# values, and the next object after the last of them is the first age
got=$(snmp snmpbulkwalk -Oqs "$X::exConnQueueBytes")
[ "$got" = 'exConnQueueBytes."EXCH01"."MTS-IN" 0 octets
exConnQueueBytes."EXCH01"."MTS-OUT" 40960 octets' ] || fail "bulkwalk of exConnQueueBytes: $got"
got=$(snmp snmpgetnext -Oqs "$X::exConnQueueBytes.$S.\"MTS-OUT\"")
[ "$got" = 'exConnQueueOldestAge."EXCH01"."MTS-IN" 0 seconds' ] || fail "getnext after the last bytes: $got"
got=$(snmp snmpgetnext -Oqs "$X::exConnConnectorWin32ExitCode.$S.\"X.400 to PARIS\"")
[ "$got" = 'exConnConnectorWin32ExitCode."EXCH01"."MS Mail Connector" 1066' ] ||
    fail "getnext over the X.400 connector's missing exit code: $got"
got=$(snmp snmpgetnext -Oqs "$X::exConnConnectorWin32ExitCode.$S.\"MS Mail Connector\"")
[ "$got" = 'exConnConnectorServiceExitCode."EXCH01"."MS Mail Connector" 3' ] ||
    fail "getnext past the last exit code: $got"

# GETNEXT (snmpwalk) and GETBULK (snmpbulkwalk) walks of the whole MIB agree,
# row for row, and hold every instance checked above
walk_estate "$T/bulk"
snmp snmpwalk -Cc "$X::exConnObjects" | sed -E "/$VOLATILE_RE/s/ = .*/ = */" >"$T/next"
same_walk "$T/bulk" "$T/next" "snmpwalk and snmpbulkwalk differ"
n=$(grep -c '^EXCHANGE-CONNECTOR-MIB::exConnQueue' "$T/bulk")
[ "$n" -eq 25 ] || fail "$n queue instances in the walk, expected 25 (30 cells, 5 not given)"
n=$(grep -c '^EXCHANGE-CONNECTOR-MIB::exConnConnector' "$T/bulk")
[ "$n" -eq 46 ] || fail "$n connector instances in the walk, expected 46 (52 cells, 6 not given)"

# ---- pick-up latency: replacing reports --------------------------------------------
msg_oid=$(oid_of "$X::exConnQueueMessages.$S.\"MTS-OUT\"")
worst=0
for k in 1 2 3 4 5; do
    sed -e "s/collected=\"2026-11-22T10:00:00Z\"/collected=\"2026-11-22T10:0$k:00Z\"/" \
        -e "s/messages=\"12\"/messages=\"$((100 + k))\"/" "$EXAMPLE" >"$T/r$k.xml"
    ms=$(pickup reports "20261122-100${k}00-exch01.xml" "$T/r$k.xml" "$msg_oid" $((100 + k)))
    log "report $k: $ms ms"
    [ "$ms" -gt "$worst" ] && worst=$ms
done
expectn "$X::exConnReportsAccepted.0" 6

# ---- derived states move with alarms, and LastChange with them (SPEC §6) --------
# MSExchangeIMC 4087 (Q182346, critical) on EXCH01: its Internet Mail
# connector fails, the server with it; the other connectors do not change
I="$S.\"Internet Mail Service\""
lc_imc=$(getn "$X::exConnConnectorLastChange.$I")
lc_cc=$(getn "$X::exConnConnectorLastChange.$S.\"cc:Mail Connector\"")
printf "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='MSExchangeIMC'/><EventID Qualifiers='49152'>4087</EventID><Level>2</Level><TimeCreated SystemTime='2026-11-22T10:05:30Z'/><EventRecordID>7</EventRecordID><Computer>exch01.corp.example</Computer></System><EventData><Data>MTS-OUT</Data></EventData></Event>\r\n" >"$T/imc-4087.xml"
ms=$(pickup events 20261122-100530-imc.xml "$T/imc-4087.xml" "$(oid_of "$X::exConnConnectorHealth.$I")" 3)
log "event picked up, connector failed after $ms ms"
expect "$X::exConnConnectorHealth.$I" failed
expect "$X::exConnConnectorKbArticle.$I" Q182346
expect_enum "$X::exConnServerStatus.$S" failed 3
expectn "$X::exConnServerAlarms.$S" 3
lc=$(getn "$X::exConnConnectorLastChange.$I")
[ "$lc" -gt "$lc_imc" ] || fail "exConnConnectorLastChange of the failed connector stayed $lc (was $lc_imc)"
expectn "$X::exConnConnectorLastChange.$S.\"cc:Mail Connector\"" "$lc_cc"
log "estate report OK; worst pick-up $worst ms"
