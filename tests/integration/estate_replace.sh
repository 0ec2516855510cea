#!/usr/bin/env bash
# SPEC §3: a report describes its server completely and replaces everything
# the agent knew about it (a connector, queue or COM port it leaves out is
# gone from the tables); server names compare case-insensitively; a report
# older than the last accepted one is rejected as stale (rejected/ with a
# .reason saying so, exConnReportsRejected + 1, tables unchanged).
. "$(dirname "$0")/lib.sh"

start_all

S='"EXCH01"'
msg_oid=$(oid_of "$X::exConnQueueMessages.$S.\"MTS-OUT\"")
ms=$(pickup reports 01-exch01.xml "$EXAMPLE" "$msg_oid" 12)
log "first report served after $ms ms"
expect "$X::exConnConnectorType.$S.\"MS Mail Connector\"" msMail
expect "$X::exConnComPortClaimants.$S.\"COM1\"" 2
expectn "$X::exConnAlarmsActive.0" 2

# The same server a quarter of an hour later, written in lower case, without
# the MS Mail connector (lines 3-4 of the example), the MTS-IN queue (line 9)
# and COM1 (lines 18-21); MTS-OUT down to 2 messages.
sed -n '3,4p;9p;18,21p' "$EXAMPLE" | grep -c . | grep -qx 7 || fail "the example changed shape"
sed -e '3,4d;9d;18,21d' \
    -e 's/server="EXCH01"/server="exch01"/' \
    -e 's/collected="2026-11-22T10:00:00Z"/collected="2026-11-22T10:15:00Z"/' \
    -e 's/messages="12" bytes="40960"/messages="2"  bytes="2048" /' "$EXAMPLE" >"$T/later.xml"
ms=$(pickup reports 02-exch01-later.xml "$T/later.xml" "$msg_oid" 2)
log "replacing report served after $ms ms"
wait_for 5 "spool emptied" spool_empty

# gone: every column of the MS Mail connector's row, MTS-IN, COM1 and its claimants
for col in Type Service State Win32ExitCode ServiceExitCode Health KbArticle ComPort DirSync \
           QueueFile RemoteSite LinkState LastChange; do
    expect_absent "$X::exConnConnector$col.$S.\"MS Mail Connector\""
done
for col in Kind Connector Messages Bytes OldestAge State; do
    expect_absent "$X::exConnQueue$col.$S.\"MTS-IN\""
done
for col in Claimants ConflictState ConflictSince; do
    expect_absent "$X::exConnComPort$col.$S.\"COM1\""
done
expect_absent "$X::exConnComClaimantName.$S.\"COM1\".1"
expect_absent "$X::exConnComClaimantKind.$S.\"COM1\".2"
# still one server, EXCH01, with the new report's values
got=$(snmp snmpbulkwalk -Oqs "$X::exConnServerLastReport")
[ "$got" = 'exConnServerLastReport."EXCH01" 2026-11-22,10:15:0.0,+0:0' ] || fail "servers: $got"
expect_absent "$X::exConnServerLastReport.\"exch01\""
expect "$X::exConnQueueBytes.$S.\"MTS-OUT\"" "2048 octets"
# what stays is as the new report says; the alarms went with the port and
# the connector: the server is ok
got=$(snmp snmptable -Cf '|' -Ci -Cb -CH "$X::exConnConnectorTable" | cut -d'|' -f1-13)
[ "$got" = '"EXCH01"."X.400 to PARIS"|x400|MSExchangeMTA|running|?|?|ok|||notApplicable|notApplicable|PARIS|down
"EXCH01"."cc:Mail Connector"|ccMail|MSExchangeCCMC|running|?|?|ok|||pending|notApplicable||notApplicable
"EXCH01"."Internet Mail Service"|internetMail|MSExchangeIMC|running|?|?|ok|||notApplicable|readOnly||notApplicable' ] ||
    fail "connectors after the replacement:
$got"
got=$(snmp snmptable -Cf '|' -Ci -Cb -CH "$X::exConnQueueTable")
[ "$got" = '"EXCH01"."MTS-OUT"|mtsOut|Internet Mail Service|2|2048 octets|3600 seconds|flowing
"EXCH01"."IMCDATA-IN"|imcInbound|Internet Mail Service|0|?|?|empty
"EXCH01"."X400-PARIS"|x400Link|X.400 to PARIS|40|?|7200 seconds|flowing
"EXCH01"."IMCDATA-OUT"|imcOutbound|Internet Mail Service|3|?|?|flowing' ] ||
    fail "queues after the replacement:
$got"
[ -z "$(snmp snmpbulkwalk -Oqs "$X::exConnComPortTable" | grep -v 'No Such')" ] ||
    fail "COM ports left: $(snmp snmpbulkwalk -Oqs "$X::exConnComPortTable")"
[ -z "$(snmp snmpbulkwalk -Oqs "$X::exConnComClaimantTable" | grep -v 'No Such')" ] ||
    fail "claimants left"
wait_value "$X::exConnAlarmsActive.0" 0
expect_enum "$X::exConnServerStatus.$S" ok 1
expectn "$X::exConnServerAlarms.$S" 0
expectn "$X::exConnReportsAccepted.0" 2

# ---- an older report: stale -------------------------------------------------
walk_estate "$T/before"
sed 's/collected="2026-11-22T10:00:00Z"/collected="2026-11-22T10:14:59Z"/' "$EXAMPLE" >"$T/older.xml"
drop_file reports 03-exch01-older.xml "$T/older.xml"
wait_for 5 "the older report rejected" value_is "$X::exConnReportsRejected.0" 1
reason=$(rejected_reason 03-exch01-older.xml)
log "rejected: $reason"
[[ "$reason" == *stale* ]] || fail "reason does not say stale: $reason"
[[ "$reason" == *2026-11-22T10:14:59Z* && "$reason" == *2026-11-22T10:15:00Z* ]] ||
    fail "reason does not give both times: $reason"
cmp -s "$T/older.xml" "$SPOOL/rejected/03-exch01-older.xml" || fail "rejected file altered"
spool_empty || fail "the stale report is still in the spool"
expectn "$X::exConnReportsAccepted.0" 2
walk_estate "$T/after"
grep -v 'exConnReportsRejected' "$T/before" >"$T/before.rows"
grep -v 'exConnReportsRejected' "$T/after" >"$T/after.rows"
same_walk "$T/before.rows" "$T/after.rows" "a stale report changed the tables"

# the same collected time again is not older: accepted, replaces
drop_file reports 04-exch01-again.xml "$T/later.xml"
wait_for 5 "the same-time report accepted" value_is "$X::exConnReportsAccepted.0" 3
expectn "$X::exConnReportsRejected.0" 1
log "estate replace/stale OK"
