#!/usr/bin/env bash
# demo.sh [--once] [--snmp-port N]: the whole pipeline on loopback.  A
# stand-in Exchange 5.0 host (the collector's test fixture: a real Samba
# smbd + our MS-SCMR server, scripts/fakehost.sh), exconn-collect polling it
# every few seconds, exconn-agent, a private snmpd and snmptrapd.  Shows the
# tables an operator looks at, then sets up the five KB faults ON THE HOST
# one by one (registry, service states, event log, file versions,
# performance counters, DOS attributes), showing each alarm and trap as it
# appears, repairs the host and shows the clears.  Nothing is written into
# the spool by the demo: every report and event comes through the collector.
# --once: all of that, then exit 0.  Without it: keep running until Ctrl-C,
# printing new traps, so you can change the host (fakehost.sh) and watch.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
once=false snmp_port=
while [ $# -gt 0 ]; do
  case $1 in
    --once) once=true; shift ;;
    --snmp-port) snmp_port=${2:?--snmp-port N}; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: demo.sh [--once] [--snmp-port N]" >&2; exit 2 ;;
  esac
done
POLL=${DEMO_POLL_INTERVAL:-2}          # the collector's poll interval, seconds
# eventTtl: Q166045 has no repair the collector can see, so its alarm ends
# by eventTtl; Q182346 (also an event) is repaired well before it expires.
export EVENT_TTL=${DEMO_EVENT_TTL:-30} HOLD_DOWN=0

NSTEPS=6 STEP=0
step() { STEP=$((STEP + 1)); printf '[%d/%d] %s\n' "$STEP" "$NSTEPS" "$*"; }
die() { printf 'demo: cannot start: %s\n' "$*" >&2; exit 1; }

# ---- packages and build (skipped when CTest hands us a built agent)
setup_log=$(mktemp "${TMPDIR:-/tmp}/exconn-demo-setup.XXXXXX")
if [ -n "${EXCONN_AGENT:-}" ]; then
  [ -x "$EXCONN_AGENT" ] || die "EXCONN_AGENT=$EXCONN_AGENT is not an executable"
  step "packages: not checked (EXCONN_AGENT given)"
  step "using $EXCONN_AGENT"
else
  step "installing missing packages (scripts/deps.sh)"
  "$top/scripts/deps.sh" >"$setup_log" 2>&1 || die "scripts/deps.sh failed: $(tail -n 1 "$setup_log")"
  step "building exconn-agent and the standard MIB modules (build/)"
  { "$top/scripts/build.sh" "$top/build" exconn-agent &&
    "$top/scripts/std-mibs.sh" "$top/build/mibs-std"; } >"$setup_log" 2>&1 ||
    die "the build failed: $(grep -m1 -i 'error' "$setup_log" || tail -n 1 "$setup_log")"
  export EXCONN_AGENT=$top/build/agent/exconn-agent EXCONN_STD_MIBS=$top/build/mibs-std
fi
rm -f "$setup_log"
export EXCONN_SOURCE_DIR=$top EXCONN_STD_MIBS=${EXCONN_STD_MIBS:-$top/build/mibs-std}

# ---- what the pieces need, each refusal in one line
[ "$(id -u)" -eq 0 ] || die "the stand-in host needs root (smbd maps its SMB user to root): run as root"
for t in smbd smbclient net pdbedit eventlogadm snmpd snmptrapd snmpget snmptable; do
  command -v "$t" >/dev/null 2>&1 || die "$t is missing (scripts/deps.sh installs it)"
done
/usr/bin/python3 -c 'import impacket, tdb' 2>/dev/null ||
  die "python3-impacket or python3-tdb is missing for /usr/bin/python3 (scripts/deps.sh)"
[ -n "$(ls "$EXCONN_STD_MIBS" 2>/dev/null)" ] ||
  die "no standard MIB modules in $EXCONN_STD_MIBS (scripts/std-mibs.sh)"
if [ -n "$snmp_port" ]; then
  /usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", int(sys.argv[1])))' \
    "$snmp_port" 2>/dev/null || die "udp port 127.0.0.1:$snmp_port is in use (or not a port)"
  SNMPD_PORT=$snmp_port
fi

. "$top/tests/integration/lib.sh"
. "$top/tests/integration/lib_alarms.sh"
. "$top/collector/tests/e2e_lib.sh"     # HOSTDIR, COLLECT, collector_cleanup on exit
DEMO_T=$T WATCHING=false
interrupted() {   # Ctrl-C: while watching, the end of the demo; before, a failure
  trap - INT TERM
  $WATCHING && { printf '\ndemo: stopped\n'; exit 0; }
  printf '\ndemo: interrupted (logs kept in %s)\n' "$DEMO_T" >&2; exit 130
}
trap interrupted INT TERM
log() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*" >> "$DEMO_T/demo.log"; }
fail() { printf 'demo: FAILED: %s%s (logs kept in %s)\n' "$*" "$(gone)" "$DEMO_T" >&2; exit 1; }
gone() {   # which piece died, with the last line of its log
  local spec pid name file
  for spec in "$AGENT_PID exconn-agent $AGENT_LOG" "$SNMPD_PID snmpd $T/snmpd.log" \
              "$TRAPD_PID snmptrapd $TRAP_LOG" "$COLLECTOR_PID exconn-collect $COLLECT_LOG"; do
    read -r pid name file <<<"$spec"
    [[ $pid =~ ^[0-9]+$ ]] || continue
    kill -0 "$pid" 2>/dev/null || printf '; %s exited: %s' "$name" "$(tail -n 1 "$file" 2>/dev/null)"
  done
}
export EXCONN_FAKEHOST_DIR=$HOSTDIR EXCONN_FAKEHOST_SPOOL=$SPOOL COLLECT_INTERVAL=$POLL
FAKEHOST_SH=$top/scripts/fakehost.sh

step "starting the stand-in Exchange 5.0 host EXCH01 (Samba smbd + MS-SCMR server)"
out=$("$FAKEHOST_SH" start --name EXCH01 --version 5.0.1457.7 2>&1) ||
  die "the stand-in host: ${out##*$'\n'}"
eval "$($FAKEHOST env "$HOSTDIR")"
echo "      smbd on 127.0.0.1:$SMB_PORT, MS-SCMR on 127.0.0.1:$SCMR_PORT ($HOSTDIR)"
step "starting snmptrapd and snmpd (master agentx) on loopback"
write_config
start_snmptrapd
start_snmpd
echo "      snmpd on udp:127.0.0.1:$SNMPD_PORT (community public), traps to udp:127.0.0.1:$TRAP_PORT"
step "starting exconn-agent (AgentX subagent, spool $SPOOL)"
start_agent
wait_all_registered 20
step "starting exconn-collect, polling EXCH01 every $POLL s"
$COLLECT -c "$HOSTDIR/collect.xml" >> "$COLLECT_LOG" 2>&1 &
COLLECTOR_PID=$!
end=$(( $(date +%s) + 60 ))   # the first poll: on failure, say what the collector saw
until value_is "$MIB::exConnServerCollectStatus.\"EXCH01\"" ok; do
  [ "$(date +%s)" -lt "$end" ] || fail "no report of EXCH01 from exconn-collect within 60 s (collection status: $(
    snmp snmpget -Oqv "$MIB::exConnServerCollectStatus.\"EXCH01\"" "$MIB::exConnServerCollectError.\"EXCH01\"" 2>&1 |
    tr '\n' ' '))"
  sleep 0.2
done
wait_for 30 "the X.400 connectors of EXCH01" value_is "$MIB::exConnConnectorLinkState.\"EXCH01\".\"PARIS\"" up

# ---- display helpers
heading() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
table() {   # table NAME [full]: full keeps whole column names (-Cb would cut
           # exConnComPortTable's to "laimants", "onflictState")
  local brief=-Cb; [ "${2:-}" = full ] && brief=-Ci
  snmp snmptable "$brief" -Ci -Cw 160 "$MIB::$1" 2>&1 | sed '/^$/d; s/^/  /'
}
show() {   # show OBJECT...: name = value, as an NMS polls single values
  local o
  for o in "$@"; do printf '  %s = %s\n' "$o" "$(snmp snmpget -Oqv "$MIB::$o" 2>&1)"; done
}
vb_val() { local v=${1#* = }; v=${v#*: }; v=${v#\"}; printf '%s' "${v%\"}"; }
SHOWN=0
show_traps() {   # the exConn traps not shown yet, one line each
  local k total name
  local -a vb
  total=$(trap_count)
  for ((k = SHOWN + 1; k <= total; k++)); do
    mapfile -t vb < <(trap_varbinds "$k")
    name=$(snmptranslate -M "$MIBDIRS" -m "$MIB" "${vb[1]#*OID: }" 2>/dev/null || echo "${vb[1]#*OID: }")
    printf '  trap %s: %s %s %s/%s "%s" <%s>\n' "${name#*::}" "$(vb_val "${vb[2]}")" \
      "$(vb_val "${vb[3]}" | sed 's/(.*//')" "$(vb_val "${vb[4]}")" "$(vb_val "${vb[5]}")" \
      "$(vb_val "${vb[6]}")" "$( [ ${#vb[@]} -gt 7 ] && vb_val "${vb[7]}")"
  done
  SHOWN=$total
}
# has_trap NOTIF ARTICLE RESOURCE: a trap exConnMIB.0.NOTIF of ARTICLE's
# alarm on RESOURCE arrived (varbinds: sysUpTime, snmpTrapOID, KbArticle,
# Severity, Server, Resource, Description, Url)
has_trap() {
  exc_traps | awk -F'\t' -v oid="$TRAPOID_OID = OID: $EXC_NOTIF.$1" -v art="$2" -v res="$3" '
    function val(f) { sub(/^[^=]*= [A-Za-z]*: /, "", f); gsub(/^"|"$/, "", f); return f }
    $2 == oid && val($3) == art && val($6) == res { found = 1 }
    END { exit !found }'
}
# expect SECONDS WHAT NOTIF:ARTICLE:RESOURCE...: until each of those traps
# arrived, then show every new trap (one that came early shows here too)
expect() {
  local limit=$1 what=$2 spec n a r; shift 2
  for spec in "$@"; do
    IFS=: read -r n a r <<<"$spec"
    wait_for "$limit" "$what" has_trap "$n" "$a" "$r"
  done
  show_traps
}
# the notifications (exConnMIB.0.N)
N_COM=1 N_CCMAIL=2 N_IMCQ=3 N_MTA=4 N_IMCSTART=5 N_CLEARED=8
host() {   # host fault|repair NAME: change the stand-in host, printing the fixture commands
  FAKEHOST_ECHO=1 "$FAKEHOST_SH" "$@" || fail "fakehost.sh $* failed"
}

heading "What the operator sees: a healthy Exchange 5.0 server, through the collector"
table exConnServerTable
table exConnConnectorTable
table exConnComPortTable full
table exConnComClaimantTable
table exConnQueueTable
show exConnAlarmsActive.0 exConnReportsAccepted.0
heading "Traps so far"
show_traps; [ "$SHOWN" -gt 0 ] || echo "  (none)"

heading "Fault 1/6 (KB Q158047): a second claimant on COM1 -- RAS takes the MS Mail connector's port"
host fault com1
expect 30 "the COM1 conflict trap" $N_COM:Q158047:COM1
show 'exConnComPortConflictState."EXCH01"."COM1"' 'exConnComPortClaimants."EXCH01"."COM1"'
heading "Fault 2/6 (KB Q158047): the MS Mail connector stops with service-specific error 3"
host fault msmail
expect 30 "the MS Mail connector trap" "$N_COM:Q158047:MS Mail Connector"
show 'exConnConnectorState."EXCH01"."MS Mail Connector"' 'exConnConnectorServiceExitCode."EXCH01"."MS Mail Connector"'
heading "Fault 3/6 (KB Q166045): cc:Mail event 70 in the host's Application log"
host fault q166045
expect 30 "the cc:Mail export trap" "$N_CCMAIL:Q166045:cc:Mail Connector"
show exConnEventsAccepted.0
heading "Fault 4/6 (KB Q182346): the IMC stops, event 4087 in the host's Application log"
host fault q182346
expect 30 "the IMC queue interface trap" "$N_IMCQ:Q182346:Internet Mail Service"
show 'exConnConnectorState."EXCH01"."Internet Mail Service"'
heading "Fault 5/6 (KB Q193760): MTA 5.0.1457.7, X.400 link PARIS down, LONDON's queue stalls"
host fault q193760
echo "  (a queue is stalled once it has not moved for 3 polls)"
expect 60 "the MTA link stall trap" $N_MTA:Q193760:PARIS
show 'exConnServerMtaVersion."EXCH01"' 'exConnConnectorLinkState."EXCH01"."PARIS"' \
     'exConnQueueState."EXCH01"."X400-LONDON"'
heading "Fault 6/6 (KB Q148727): the IMC fails to start with 2140, queue.dat read-only"
host fault q148727
expect 30 "the IMC start failure trap" "$N_IMCSTART:Q148727:Internet Mail Service"
show 'exConnConnectorQueueFile."EXCH01"."Internet Mail Service"' 'exConnQueueMessages."EXCH01"."IMCDATA-OUT"'

heading "Active alarms"
table exConnAlarmTable
table exConnConnectorTable
table exConnComPortTable full

heading "Repairing the host"
echo "  Q148727 + Q182346: queue.dat writable again, the stuck message delivered, the IMC started"
host repair q148727
expect 30 "the IMC clears" "$N_CLEARED:Q182346:Internet Mail Service" "$N_CLEARED:Q148727:Internet Mail Service"
echo "  Q158047: RAS moved to COM2, the MS Mail connector started"
host repair q158047
expect 30 "the Q158047 clears" $N_CLEARED:Q158047:COM1 "$N_CLEARED:Q158047:MS Mail Connector"
echo "  Q193760: the MTA hotfix (emsmta.exe 5.0.1461.50) installed, PARIS up again"
host repair q193760
expect 30 "the Q193760 clear" $N_CLEARED:Q193760:PARIS
echo "  Q166045: nothing on the host the collector can see (dirsync's state) repairs it:"
echo "  the alarm clears when eventTtl ($EVENT_TTL s in this demo) passes without a new event 70"
expect $((EVENT_TTL + 30)) "the Q166045 clear (eventTtl)" "$N_CLEARED:Q166045:cc:Mail Connector"
wait_for 10 "no active alarm" value_is "$MIB::exConnAlarmsActive.0" 0

heading "After the repairs"
show exConnAlarmsActive.0 exConnReportsAccepted.0 exConnEventsAccepted.0
table exConnAlarmHistoryTable

$once && { echo; echo "demo: done (--once)"; exit 0; }

heading "Running until Ctrl-C: change the stand-in host and watch the traps here"
cat <<EOF
  snmpd:  udp:127.0.0.1:$SNMPD_PORT, community public (point your NMS here)
  walk:   snmpwalk -v2c -c public -M $MIBDIRS -m $MIB 127.0.0.1:$SNMPD_PORT exConnMIB
  host:   export EXCONN_FAKEHOST_DIR=$HOSTDIR
          $FAKEHOST_SH fault q148727      (q158047 com1 msmail q166045 q182346 q193760 all)
          $FAKEHOST_SH repair q148727     (or: repair all)
          $FAKEHOST_SH raw service MSExchangeCCMC stopped --win32 1067   (no KB rule: see exConnConnectorTable)
          $FAKEHOST_SH raw event Application MSExchangeIMC 4087 --str "..."
  The collector polls every $POLL s; new traps appear below.
EOF
WATCHING=true
while kill -0 "$AGENT_PID" 2>/dev/null && kill -0 "$COLLECTOR_PID" 2>/dev/null; do
  show_traps
  sleep 1
done
sleep 1   # a Ctrl-C stops the agent and the collector too: let its trap run first
fail "exconn-agent or exconn-collect exited"
