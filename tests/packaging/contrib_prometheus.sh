#!/usr/bin/env bash
# contrib/prometheus against the real tools of Debian 12:
#   - snmp.yml is what prometheus-snmp-generator (0.21) makes of generator.yml
#     (regenerated here, compared);
#   - promtool checks the rules and the scrape config, and runs the rules'
#     unit tests (exconn-alerts.test.yml);
#   - prometheus-snmp-exporter on loopback, with that snmp.yml, scrapes a
#     live agent through snmpd: queue and connector metrics labelled by
#     server, connector and queue names, with the states the reports set
#     (a failed IMC, a stalled X.400 queue) in the exact series the alerting
#     rules select.
. "$EXCONN_SOURCE_DIR/tests/integration/lib.sh"
for t in prometheus-snmp-generator prometheus-snmp-exporter promtool; do
    command -v "$t" >/dev/null || fail "$t missing (Debian packages prometheus-snmp-exporter, prometheus)"
done
C=$EXCONN_SOURCE_DIR/contrib/prometheus
DATA=$EXCONN_SOURCE_DIR/tests/data

mkdir "$T/gen"
(cd "$T/gen" && cp "$C/generator.yml" . &&
    MIBDIRS="$EXCONN_STD_MIBS:/usr/share/snmp/mibs:$EXCONN_SOURCE_DIR/mibs" \
    prometheus-snmp-generator generate) >"$T/gen.log" 2>&1 || { cat "$T/gen.log" >&2; fail "generator"; }
diff -u "$C/snmp.yml" "$T/gen/snmp.yml" >&2 || fail "contrib/prometheus/snmp.yml is stale: regenerate it"
promtool check rules "$C/exconn-alerts.yml" >&2 || fail "promtool check rules"
(cd "$C" && promtool check config prometheus.yml) >&2 || fail "promtool check config"
(cd "$C" && promtool test rules exconn-alerts.test.yml) >&2 || fail "promtool test rules"

start_snmptrapd
start_snmpd
start_agent
wait_registered 10
for f in q148727-imc-stopped q193760-stall-1 q193760-stall-2 q193760-stall-3; do
    drop_file reports "$f.xml" "$DATA/reports/$f.xml"
done
wait_for 10 "reports accepted" eval '[ "$(get EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0)" -eq 4 ]'

EXP_PORT=$(free_port)
prometheus-snmp-exporter --config.file="$C/snmp.yml" \
    --web.listen-address="127.0.0.1:$EXP_PORT" >"$T/exporter.log" 2>&1 &
EXP_PID=$!
trap 'rc=$?; kill $EXP_PID 2>/dev/null; (exit $rc); cleanup' EXIT
scrape() {
    /usr/bin/python3 - "http://127.0.0.1:$EXP_PORT/snmp?module=exconn&target=127.0.0.1:$SNMPD_PORT" <<'PY'
import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())
except urllib.error.HTTPError as e:
    sys.exit(f"HTTP {e.code}: {e.read().decode(errors='replace')[:300]}")
PY
}
wait_for 20 "exporter answers" eval 'scrape > "$T/metrics.txt" 2>"$T/scrape.err"' ||
    fail "scrape: $(cat "$T/scrape.err")"
log "$(grep -c '^exConn' "$T/metrics.txt") exConn series scraped"
expect_series() {   # expect_series REGEX: one line of the scrape matches
    grep -Eq "$1" "$T/metrics.txt" || fail "no series /$1/ in the scrape: $(grep -E "^${1%%\{*}" "$T/metrics.txt" | head -5)"
}
srv='exConnServerName="EXCH01"'
expect_series '^exConnConnectorHealth\{exConnConnectorHealth="failed",exConnConnectorName="Internet Mail Service",'"$srv"'\} 1$'
expect_series '^exConnConnectorState\{exConnConnectorName="Internet Mail Service",exConnConnectorState="stopped",'"$srv"'\} 1$'
expect_series '^exConnConnectorWin32ExitCode\{exConnConnectorName="Internet Mail Service",'"$srv"'\} 2140$'
expect_series '^exConnQueueMessages\{exConnQueueName="MTS-OUT",'"$srv"'\} 12$'
expect_series '^exConnQueueMessages\{exConnQueueName="X400-LONDON",exConnServerName="EXCH06"\} 14$'
expect_series '^exConnQueueState\{exConnQueueName="X400-LONDON",exConnQueueState="stalled",exConnServerName="EXCH06"\} 1$'
expect_series '^exConnAlarmsActive [1-9][0-9]*$'
expect_series '^exConnReportsAccepted 4$'
log "PASS"
