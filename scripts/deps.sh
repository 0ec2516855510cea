#!/usr/bin/env bash
# deps.sh: install what exconn needs to build, test and run its demo, on
# Debian 12, only when missing.  Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake pkg-config          # toolchain
  libsnmp-dev libxml2-dev libcunit1-dev      # libraries
  snmpd snmp snmptrapd                       # a real master agent, clients, trap receiver
  libxml2-utils smitools                     # xmllint, smilint
  python3 procps                             # test helpers (free ports, ps)
  valgrind                                   # tests/integration/valgrind_agent.sh
)
# exconn-collect (collector/, issue 10): impacket for SMB/MS-RPC, pytest for its tests, and
# Samba's smbd + tools for the stand-in Exchange host the tests run against
packages+=(python3-impacket python3-pytest samba smbclient tdb-tools)
# scripts/demo.sh and scripts/fakehost.sh (issue 15): the stand-in host's performance
# counters are Samba perfmon tdb files written through Python's tdb module
packages+=(python3-tdb)
# packaging and operations (issue 12): man pages (scdoc, man-db), the unit
# check (systemd-analyze), the NMS integration files' tests against the real
# tools (SNMPTT, snmp_exporter + its generator, promtool, check_snmp; the
# Zabbix template generator and its LLD JavaScript: python3-yaml, node)
packages+=(scdoc man-db systemd snmptt libnet-ip-perl prometheus-snmp-exporter prometheus
           monitoring-plugins-standard python3-yaml nodejs)
# the heavy packaging tests (ctest -L heavy), only when asked for:
# EXCONN_HEAVY_TESTS=1 (dpkg-buildpackage, lintian; tests/packaging/heavy_*.sh)
if [ "${EXCONN_HEAVY_TESTS:-}" = 1 ]; then
  packages+=(debhelper dpkg-dev fakeroot lintian
             postgresql zabbix-server-pgsql zabbix-frontend-php php-pgsql php-cli)
fi
# deps.sh --fuzz: also clang and its libFuzzer/sanitizer runtime (scripts/fuzz.sh)
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# the standard SNMPv2 MIB modules come from the npm registry (scripts/std-mibs.sh)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's snmpd package starts a system snmpd; the tests and the demo run
# their own private one on loopback and need nothing from it.
