#!/usr/bin/env bash
# fakehost.sh: the stand-in Exchange 5.0 host on loopback, on its own -- the
# collector's test fixture (collector/tests/fakehost.py: a real Samba smbd
# plus our MS-SCMR server) set up as a healthy server, with the five KB
# faults as one-word commands.  Point exconn-collect at it (the collect.xml
# it writes), then your NMS, SNMPTT or Zabbix at exconn, before production.
#
#   fakehost.sh start [--name EXCH01] [--version 5.0.1457.7] [--spool /var/spool/exconn]
#   fakehost.sh status | stop | healthy
#   fakehost.sh fault  q158047|com1|msmail|q166045|q182346|q193760|q148727|all   (or set-fault)
#   fakehost.sh repair q158047|q193760|q182346|q148727|all
#   fakehost.sh raw COMMAND ARGS...       any fakehost.py command (service, event, reg,
#                                         file, setmode, perf; fakehost.py --help)
#
# The host lives in $EXCONN_FAKEHOST_DIR (default /tmp/exconn-fakehost);
# it needs root (smbd), as the collector's tests do.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${EXCONN_FAKEHOST_DIR:-/tmp/exconn-fakehost}
py() { /usr/bin/python3 "$top/collector/tests/fakehost.py" "$@"; }
fh() {   # fh COMMAND ARGS...: fakehost.py COMMAND DIR ARGS (FAKEHOST_ECHO=1: show it first)
  if [ -n "${FAKEHOST_ECHO:-}" ]; then printf '    host> fakehost.sh raw'; printf ' %q' "$@"; echo; fi
  py "$1" "$dir" "${@:2}"
}
die() { echo "fakehost.sh: $*" >&2; exit 1; }

# The MTA's performance counters: its X.400 connections PARIS and LONDON
# (queue length, open associations).  No MSExchangeIMC object (MTS-IN/OUT):
# a counter of an object without instances set to 0 reads back as 48 ('0')
# through Samba's HKEY_PERFORMANCE_DATA here, and a constant MTS count would
# show as a stalled queue on a healthy host.
mta_counters() {   # PARIS_QUEUE PARIS_ASSOC LONDON_QUEUE LONDON_ASSOC
    fh perf "{\"MSExchangeMTA Connections\": {\"PARIS\": {\"Queue Length\": $1, \"Associations\": $2}, \"LONDON\": {\"Queue Length\": $3, \"Associations\": $4}}}"
}
RAS='HKLM\SOFTWARE\Microsoft\RAS\TAPI DEVICES\Unimodem'
MSMI='HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeMSMI\Parameters'

healthy() {   # what `start` sets up, again: every fault repaired
    fh service MSExchangeMSMI running
    fh service MSExchangeCCMC running
    fh service MSExchangeMTA running
    fh reg set "$MSMI" 'Async Port' sz COM1          # the MS Mail connector owns COM1
    fh reg set "$RAS" Address multi_sz COM2          # RAS dials out on COM2
    fh file 'exchsrvr\bin\emsmta.exe' --version "${1:-5.0.1457.7}"
    mta_counters 0 1 0 1
    repair_imc
}
repair_imc() {
    fh setmode 'exchsrvr\imcdata\queue.dat' rw
    fh file 'exchsrvr\imcdata\out\0001.msg' --delete
    fh service MSExchangeIMC running
}

fault() {
    case $1 in
      com1)     fh reg set "$RAS" Address multi_sz COM1 ;;   # RAS claims COM1 too
      msmail)   fh service MSExchangeMSMI stopped --win32 1066 --specific 3 ;;
      q158047)  fault com1; fault msmail ;;
      q166045)  fh event Application MSExchangeCCMC 70 --type warning \
                   --str "cc:Mail EXPORT to file msg0001.ccm returned result code 3" ;;
      q182346)  fh service MSExchangeIMC stopped --win32 0
                fh event Application MSExchangeIMC 4087 \
                   --str "The Internet Mail Service stopped because of an internal error." ;;
      q193760)  fh file 'exchsrvr\bin\emsmta.exe' --version 5.0.1457.7   # below 5.0.1461.50
                mta_counters 40 0 14 1 ;;   # PARIS: 40 waiting, no association; LONDON: stuck at 14
      q148727)  # the evidence first: a poll in between must not see the 2140 alone
                fh setmode 'exchsrvr\imcdata\queue.dat' ro
                fh file 'exchsrvr\imcdata\out\0001.msg' --size 2048 --age 600
                fh service MSExchangeIMC stopped --win32 2140 ;;
      all)      for f in q158047 q166045 q182346 q193760 q148727; do fault $f; done ;;
      *)        die "unknown fault '$1' (q158047 com1 msmail q166045 q182346 q193760 q148727 all)" ;;
    esac
}

repair() {
    case $1 in
      q158047|com1|msmail) fh reg set "$RAS" Address multi_sz COM2; fh service MSExchangeMSMI running ;;
      q193760)  fh file 'exchsrvr\bin\emsmta.exe' --version 5.0.1461.50   # the MTA hotfix
                mta_counters 0 1 0 1 ;;
      q182346|q148727) repair_imc ;;   # the IMC starts again (this clears both)
      q166045)  echo "fakehost.sh: nothing on the host repairs Q166045 that the collector can see" \
                     "(it cannot read dirsync's state): the alarm clears after <alarms eventTtl>" ;;
      all)      healthy 5.0.1461.50 ;;
      *)        die "unknown fault '$1'" ;;
    esac
}

collect_xml() {   # collect_xml SPOOL: a collect.xml and credentials file for exconn-collect
    local env SMB_PORT SCMR_PORT SMB_USER SMB_PASSWORD NAME spool=$1
    env=$(py env "$dir") && eval "$env"
    install -m 600 /dev/null "$dir/exconn.cred"
    printf 'username = %s\npassword = %s\n' "$SMB_USER" "$SMB_PASSWORD" > "$dir/exconn.cred"
    cat > "$dir/collect.xml" <<XML
<collect>
  <spool dir="$spool"/>
  <state dir="$dir/collect-state"/>
  <poll interval="${COLLECT_INTERVAL:-10}" timeout="10"/>
  <host server="$NAME" address="127.0.0.1" port="$SMB_PORT" scmrPort="$SCMR_PORT"
        credentials="$dir/exconn.cred" os="nt4" site="HQ"/>
</collect>
XML
}

running() { [ -f "$dir/fakehost.json" ] && [ -n "$(py env "$dir" 2>/dev/null)" ] &&
            pgrep -f -- "-s $dir/smb.conf" >/dev/null; }

cmd=${1:-}; shift || true
case $cmd in
  start)
    [ "$(id -u)" -eq 0 ] || die "the stand-in host needs root (smbd maps its SMB user to root)"
    for t in smbd smbclient net pdbedit eventlogadm; do
      command -v "$t" >/dev/null || die "$t is missing (./scripts/deps.sh installs Samba)"
    done
    /usr/bin/python3 -c 'import impacket, tdb' 2>/dev/null ||
      die "python3-impacket or python3-tdb is missing (./scripts/deps.sh installs them)"
    running && die "already running in $dir ($(py env "$dir")); stop it first"
    name=EXCH01 version=5.0.1457.7 spool=${EXCONN_FAKEHOST_SPOOL:-/var/spool/exconn}
    while [ $# -gt 1 ]; do
      case $1 in --name) name=$2 ;; --version) version=$2 ;; --spool) spool=$2 ;;
                 *) die "start: unknown option $1" ;; esac
      shift 2
    done
    [ $# -eq 0 ] || die "start: unknown option $1 (or no value)"
    mkdir -p "$dir"; chmod 700 "$dir"
    py start "$dir" --name "$name" --version "$version" >/dev/null ||
      { py stop "$dir" 2>/dev/null || true; die "the stand-in host did not start (logs: $dir/log/)"; }
    healthy "$version"
    collect_xml "$spool"
    echo "stand-in Exchange 5.0 host $name: $(py env "$dir")"
    echo "  collector config (spool $spool): exconn-collect -c $dir/collect.xml"
    ;;
  stop)    py stop "$dir"; echo "stopped the stand-in host in $dir" ;;
  status)  if running; then echo "running: $(py env "$dir") (in $dir)"; else echo "not running ($dir)"; exit 3; fi ;;
  healthy) running || die "not running"; healthy ;;
  fault|set-fault) running || die "not running"; fault "${1:?fault NAME}" ;;
  repair)  running || die "not running"; repair "${1:?repair NAME}" ;;
  raw)     running || die "not running"; fh "$@" ;;
  -h|--help|help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "usage: fakehost.sh start|status|stop|healthy|fault NAME|repair NAME|raw CMD... (--help)" ;;
esac
