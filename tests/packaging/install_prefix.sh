#!/usr/bin/env bash
# The install layout (issue 12 item 1, contract C/D): a build configured for a
# prefix, once installed there, runs as installed -- with no -c and no path
# option, the agent finds its config, KB, spool and state under the prefix.
#   1. configure + build (Release, no tests) with CMAKE_INSTALL_PREFIX=$T/prefix,
#      cmake --install; the files are where contract D says;
#   2. the installed exconn-agent --check-config (default config) passes and
#      names the installed KB;
#   3. the installed agent, started with only -f -x (the AgentX socket of the
#      test's snmpd; the installed config names the system one), registers,
#      serves the 5 installed KB articles, ingests a report from the
#      installed spool and commits to the installed state directory;
#   4. systemd-analyze verify passes on the installed unit (ExecStart names
#      the installed binary, Documentation= the installed man pages);
#   5. the default /usr/local layout of the main build (DESTDIR install).
. "$EXCONN_SOURCE_DIR/tests/integration/lib.sh"
: "${EXCONN_BINARY_DIR:?}"

P=$T/prefix
log "configure + build for prefix $P"
cmake -S "$EXCONN_SOURCE_DIR" -B "$T/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$P" -DEXCONN_TESTS=OFF >"$T/configure.log" 2>&1 ||
    { cat "$T/configure.log" >&2; fail "configure"; }
cmake --build "$T/build" -j2 >"$T/build.log" 2>&1 || { tail -40 "$T/build.log" >&2; fail "build"; }
cmake --install "$T/build" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "install"; }

for f in sbin/exconn-agent lib/exconn/exconn.so etc/exconn/exconn.xml \
         share/exconn/kb/Q158047.xml share/snmp/mibs/EXCHANGE-CONNECTOR-MIB.txt \
         share/man/man8/exconn-agent.8 share/man/man5/exconn.xml.5 \
         lib/systemd/system/exconn-agent.service lib/sysusers.d/exconn.conf \
         lib/tmpfiles.d/exconn.conf; do
    [ -e "$P/$f" ] || fail "not installed: $P/$f"
done
for d in var/spool/exconn/reports var/spool/exconn/events var/spool/exconn/rejected var/lib/exconn; do
    [ -d "$P/$d" ] || fail "directory not installed: $P/$d"
done
grep -q "^u exconn - .* $P/var/lib/exconn\$" "$P/lib/sysusers.d/exconn.conf" || fail "sysusers: $(cat "$P/lib/sysusers.d/exconn.conf")"
grep -q "^d $P/var/spool/exconn/reports *2770 exconn exconn" "$P/lib/tmpfiles.d/exconn.conf" || fail "tmpfiles"

# the compiled-in defaults alone (no config file at the default path: the
# defaults apply) name the prefix's KB
mv "$P/etc/exconn/exconn.xml" "$T/exconn.xml.installed"
out=$("$P/sbin/exconn-agent" --check-config 2>&1) || fail "--check-config on the compiled-in defaults: $out"
[[ "$out" == *"5 KB article(s) in $P/share/exconn/kb"* ]] || fail "compiled-in KB default: $out"
log "compiled-in defaults: $out"
mv "$T/exconn.xml.installed" "$P/etc/exconn/exconn.xml"
out=$("$P/sbin/exconn-agent" --check-config 2>&1) || fail "installed --check-config: $out"
[[ "$out" == "$P/etc/exconn/exconn.xml: OK; 5 KB article(s) in $P/share/exconn/kb"* ]] ||
    fail "--check-config output: $out"
log "installed --check-config: $out"

# the installed agent against a real snmpd: no config option, only the
# test's AgentX socket
start_snmptrapd
start_snmpd
"$P/sbin/exconn-agent" -f -x "unix:$AGENTX_SOCK" -Lf "$AGENT_LOG" &
AGENT_PID=$!
# the installed config's pingInterval is 5: registration is at start-up
wait_registered 15
n=$(snmp snmpwalk -Oqv EXCHANGE-CONNECTOR-MIB::exConnKbArticleUrl | grep -c 'support.microsoft.com') || true
[ "$n" -eq 5 ] || fail "installed KB: $n article URLs served, want 5"
SPOOL=$P/var/spool/exconn STATE=$P/var/lib/exconn
drop_file reports 01-q158047.xml "$EXCONN_SOURCE_DIR/tests/data/reports/q158047-conflict.xml"
wait_for 10 "report accepted from the installed spool" \
    eval '[ "$(get EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0)" -eq 1 ]'
wait_for 10 "state committed in the installed state dir" eval '[ -n "$(ls -A "$STATE")" ]'
log "installed agent serves, ingests from $SPOOL and commits to $STATE"

# the unit as installed; Documentation=man:... is checked with the installed pages
if command -v systemd-analyze >/dev/null 2>&1; then
    out=$(MANPATH="$P/share/man" systemd-analyze verify "$P/lib/systemd/system/exconn-agent.service" 2>&1) ||
        fail "systemd-analyze verify: $out"
    [ -z "$out" ] || fail "systemd-analyze verify printed: $out"
    grep -qx "ExecStart=$P/sbin/exconn-agent -f -Lsd -c $P/etc/exconn/exconn.xml" \
        "$P/lib/systemd/system/exconn-agent.service" || fail "unit ExecStart"
    log "systemd-analyze verify: clean"
else
    fail "systemd-analyze missing (Debian package systemd)"
fi

# the main build's default layout (/usr/local): DESTDIR install
D=$T/destdir
DESTDIR=$D cmake --install "$EXCONN_BINARY_DIR" >/dev/null 2>&1 || fail "DESTDIR install of $EXCONN_BINARY_DIR"
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$EXCONN_BINARY_DIR/CMakeCache.txt")
[ -x "$D$prefix/sbin/exconn-agent" ] && [ -f "$D$prefix/share/snmp/mibs/EXCHANGE-CONNECTOR-MIB.txt" ] ||
    fail "DESTDIR layout under $D$prefix"
help=$("$D$prefix/sbin/exconn-agent" --help)
[[ "$help" == *"(default $prefix/etc/exconn/exconn.xml)"* ]] || fail "default config path of the $prefix build: $help"
log "PASS"
