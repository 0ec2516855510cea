#!/usr/bin/env bash
# The demo runs the whole pipeline (issue 15): `scripts/demo.sh --once`
# exits 0, and its output shows the five KB alarms raised from the stand-in
# host (six alarms: Q158047 has one on COM1 and one on the MS Mail
# connector), each in its own fault step with its dedicated trap and the
# article's URL from kb/, each cleared (exConnAlarmCleared) after the
# repair, no other exConn trap, and no active alarm at the end.  And the
# demo writes nothing into the spool itself: every report and event came
# through exconn-collect (demo.sh's text, and the agent's and collector's
# logs of the run).
#   DEMO_OUTPUT=FILE: check a saved output instead of running the demo.
set -euo pipefail
: "${EXCONN_SOURCE_DIR:?}" "${EXCONN_AGENT:?}" "${EXCONN_STD_MIBS:?}"
src=$EXCONN_SOURCE_DIR
fail() { echo "FAIL: $*" >&2; exit 1; }

out=${DEMO_OUTPUT:-}
if [ -z "$out" ]; then
  for t in smbd smbclient net pdbedit eventlogadm; do
    command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t missing" >&2; exit 77; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: the stand-in host needs root" >&2; exit 77; }
  /usr/bin/python3 -c 'import impacket, tdb' 2>/dev/null || { echo "SKIP: python3-impacket/tdb missing" >&2; exit 77; }
  d=$(mktemp -d "${TMPDIR:-/tmp}/exconn-demo-test.XXXXXX")
  out=$d/demo.out
  start=$(date +%s)
  rc=0
  # TMPDIR: the demo's run directory (and the stand-in host's) inside ours
  # EXCONN_KEEP: lib.sh keeps the run directory (agent.log, collect.log)
  TMPDIR=$d EXCONN_KEEP=1 "$src/scripts/demo.sh" --once > "$out" 2>&1 || rc=$?
  echo "demo.sh --once: exit $rc after $(( $(date +%s) - start )) s" >&2
  if [ $rc -ne 0 ]; then cat "$out" >&2; fail "demo.sh --once exited $rc"; fi
  trap 'rc=$?; [ $rc -ne 0 ] && cat "$out" >&2; [ $rc -eq 0 ] && rm -rf "$d"' EXIT
fi

# nothing of the demo writes the spool: no sample copied in, no file dropped
! grep -nE 'drop_file|drop_batch|\bfeed\b|tests/data/(reports|events)|>[^&]*\$SPOOL' "$src/scripts/demo.sh" ||
  fail "demo.sh writes into the spool itself"
grep -q '^demo: done (--once)$' "$out" || fail "no 'demo: done (--once)' line"
# and at run time: every file the agent took from the spool has the
# collector's name (<UTC stamp>-EXCH01-<kind>.xml), every event file is one
# the collector logged writing, none was rejected
if [ -z "${DEMO_OUTPUT:-}" ]; then
  run=$(find "$d" -maxdepth 1 -name 'exconn-it.*' -type d | head -n 1)
  [ -n "$run" ] && [ -s "$run/agent.log" ] && [ -s "$run/collect.log" ] ||
    fail "the demo's run directory (agent.log, collect.log) was not kept in $d"
  ! grep -n 'rejected ' "$run/agent.log" || fail "the agent rejected a spool file"
  taken=$(sed -n 's/.*exconn-agent\[info\]: accepted .* \([^ ]*\.xml\)\( .*\)\{0,1\}$/\1/p' "$run/agent.log")
  [ "$(grep -c -- '-EXCH01-report\.xml$' <<<"$taken")" -ge 10 ] || fail "fewer than 10 reports accepted: $taken"
  stamp='[0-9]{8}T[0-9]{6}\.[0-9]{6}Z-EXCH01'
  ! grep -vxE "$stamp-(report|status|events-[A-Za-z]+)\.xml" <<<"$taken" ||
    fail "the agent took files the collector does not name so"
  for f in $(grep -- '-events-' <<<"$taken"); do
    grep -qF "/spool/events/$f" "$run/collect.log" || fail "event file $f: not written by exconn-collect"
  done
fi

line_of() { grep -n -F -- "$1" "$out" | head -n 1 | cut -d: -f1; }   # first line containing TEXT
repair_at=$(line_of '== Repairing the host')
[ -n "$repair_at" ] || fail "no 'Repairing the host' step"

# check STEP ARTICLE NOTIFICATION SEVERITY RESOURCE EVIDENCE: the raise trap
# in its fault step (before the next step), with the KB URL, and its clear
# after the repair started.  EVIDENCE: text the host's state put into the
# description.
check() {
  local step=$1 art=$2 notif=$3 sev=$4 res=$5 evidence=$6 url from to raise clear
  url=$(sed -n 's:.*<url>\(.*\)</url>.*:\1:p' "$src/kb/$art.xml")
  [ -n "$url" ] || fail "kb/$art.xml has no <url>"
  from=$(line_of "== Fault $step (KB $art)")
  [ -n "$from" ] || fail "no fault step '$step (KB $art)'"
  to=$(awk -v f="$from" 'NR > f && /== / { print NR; exit }' "$out")
  raise=$(awk -v f="$from" -v t="$to" -v want="  trap $notif: $art $sev EXCH01/$res \"" -v url="<$url>" \
    'NR > f && NR < t && index($0, want) == 1 && substr($0, length($0) - length(url) + 1) == url { print NR; exit }' "$out")
  [ -n "$raise" ] || fail "$art on $res: no '$notif' trap with <$url> in fault step $step"
  sed -n "${raise}p" "$out" | grep -qF -- "$evidence" || fail "$art on $res: the trap lacks '$evidence'"
  clear=$(awk -v want="  trap exConnAlarmCleared: $art cleared EXCH01/$res \"" -v url="<$url>" \
    'index($0, want) == 1 && substr($0, length($0) - length(url) + 1) == url { print NR; exit }' "$out")
  [ -n "$clear" ] || fail "$art on $res: never cleared"
  # Q166045 clears by eventTtl (nothing on the host repairs it): after its raise is enough
  [ "$clear" -gt "$repair_at" ] || { [ "$art" = Q166045 ] && [ "$clear" -gt "$raise" ]; } ||
    fail "$art on $res: cleared (line $clear) before the repair (line $repair_at)"
  echo "ok: $art $res raised at line $raise, cleared at line $clear" >&2
}
check 1/6 Q158047 exConnComPortConflict major COM1 "claimed by MS Mail Connector (async), Remote Access Service"
check 2/6 Q158047 exConnComPortConflict major "MS Mail Connector" "stopped with service-specific error 3"
check 3/6 Q166045 exConnCcMailExportFailed major "cc:Mail Connector" "event 70 from MSExchangeCCMC"
check 4/6 Q182346 exConnImcQueueInterfaceFailed critical "Internet Mail Service" "event 4087 from MSExchangeIMC"
check 5/6 Q193760 exConnMtaLinkStall critical PARIS "PARIS down; MTA 5.0.1457.7 below fix 5.0.1461.50; X400-LONDON stalled"
check 6/6 Q148727 exConnImcStartFailed critical "Internet Mail Service" "error 2140: queue.dat read-only"

n=$(grep -c '^  trap ' "$out" || true)
[ "$n" -eq 12 ] || fail "expected 12 traps (6 raised, 6 cleared), the demo shows $n"
after=$(line_of '== After the repairs')
[ -n "$after" ] && awk -v f="$after" 'NR > f' "$out" | grep -qx '  exConnAlarmsActive.0 = 0' ||
  fail "alarms still active after the repairs"
echo "demo_pipeline: 6 alarms of the 5 KB articles raised from the stand-in host and cleared" >&2
