#!/usr/bin/env bash
# Opt-in (EXCONN_HEAVY_TESTS=1, label heavy): issue 12's acceptance from
# dpkg-buildpackage on, on this Debian 12 machine.
#   1. dpkg-buildpackage -us -uc -b on a copy of the source tree; lintian
#      reports no error and no warning (overrides: debian/**/lintian-overrides);
#      when the tree has no collector yet, a second build with a stand-in
#      collector/ that installs contract D's paths shows exconn-collector
#      builds with its .install as written;
#   2. dpkg -i: the exconn user, the spool/state directories with their
#      owners and modes, the conffile, the unit; systemd-analyze verify on
#      the installed unit;
#   3. no systemd as PID 1 here, so the unit's ExecStartPre and ExecStart
#      lines are run as its User=/Group= with a NOTIFY_SOCKET, against
#      Debian's snmpd configured as the README says (lib_readme.sh; here the
#      real /run/agentx, as the installed config names it): READY=1 (when the
#      agent has sd_notify support, contract B), the tables through snmpd,
#      again within pingInterval+1 s after an snmpd restart;
#   4. dpkg --purge.
# It installs on this machine (and leaves the system user exconn, as Debian
# does): hence opt-in.
if [ "${EXCONN_HEAVY_TESTS:-}" != 1 ]; then
    echo "SKIP: heavy test; set EXCONN_HEAVY_TESTS=1 to run it"; exit 77
fi
. "$EXCONN_SOURCE_DIR/tests/integration/lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i)"
for t in dpkg-buildpackage lintian dh systemd-analyze setpriv; do
    command -v "$t" >/dev/null || fail "$t missing (EXCONN_HEAVY_TESTS=1 ./scripts/deps.sh)"
done
if [ -e /run/agentx/master ] || [[ "$(dpkg-query -W -f='${Status}' exconn 2>/dev/null || true)" == *"ok installed"* ]]; then
    echo "SKIP: /run/agentx/master exists or exconn is installed: not a machine to test on"; exit 77
fi
had_dirs=
[ -e /var/spool/exconn ] || [ -e /var/lib/exconn ] && had_dirs=1
pkg_cleanup() {
    dpkg --purge exconn-collector exconn >/dev/null 2>&1 || true
    rm -rf /run/agentx
    [ -n "$had_dirs" ] || rm -rf /var/spool/exconn /var/lib/exconn
}
trap 'rc=$?; stop_pid "$AGENT_PID"; AGENT_PID=; pkg_cleanup; (exit $rc); cleanup' EXIT

copy_tree() {   # copy_tree DEST: the source tree without build output
    mkdir -p "$1"
    if git -C "$EXCONN_SOURCE_DIR" rev-parse >/dev/null 2>&1; then
        (cd "$EXCONN_SOURCE_DIR" && git ls-files -co --exclude-standard -z | tar -cf - --null -T -) |
            tar -xf - -C "$1"
    else
        tar -C "$EXCONN_SOURCE_DIR" --exclude='./build*' --exclude='./debian/build' -cf - . | tar -xf - -C "$1"
    fi
}
build_deb() {   # build_deb DIR: dpkg-buildpackage in DIR/src, the .debs land in DIR
    (cd "$1/src" && dpkg-buildpackage -us -uc -b) >"$1/build.log" 2>&1 ||
        { tail -40 "$1/build.log" >&2; fail "dpkg-buildpackage in $1/src"; }
    lintian --fail-on error,warning "$1"/*.changes >"$1/lintian.log" 2>&1 ||
        { cat "$1/lintian.log" >&2; fail "lintian"; }
    ! grep -E '^(E|W): ' "$1/lintian.log" || fail "lintian errors/warnings"
    log "built $(cd "$1" && ls ./*.deb | tr '\n' ' '); lintian: $(grep -c . "$1/lintian.log") line(s)"
}

log "dpkg-buildpackage"
copy_tree "$T/pkg/src"
build_deb "$T/pkg"
if [ ! -e "$EXCONN_SOURCE_DIR/collector/CMakeLists.txt" ]; then
    # stand-in collector: placeholder files at contract D's paths
    copy_tree "$T/pkgc/src"
    mkdir -p "$T/pkgc/src/collector/exconn_collect"
    printf 'print("stand-in")\n' > "$T/pkgc/src/collector/exconn_collect/__init__.py"
    printf '#!/usr/bin/python3\n' > "$T/pkgc/src/collector/exconn-collect"
    printf '<collect/>\n' > "$T/pkgc/src/collector/collect.xml"
    printf 'exconn-collect(1)\n\n# NAME\n\nexconn-collect - stand-in\n' > "$T/pkgc/src/man/exconn-collect.1.scd"
    cat > "$T/pkgc/src/collector/CMakeLists.txt" <<'CM'
install(PROGRAMS exconn-collect DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY exconn_collect DESTINATION ${CMAKE_INSTALL_DATADIR}/exconn/python)
install(FILES collect.xml DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/exconn)
CM
    echo 'add_subdirectory(collector)' >> "$T/pkgc/src/CMakeLists.txt"
    log "dpkg-buildpackage with a stand-in collector"
    build_deb "$T/pkgc"
    deb=$(ls "$T"/pkgc/exconn-collector_*_all.deb) || fail "no exconn-collector package"
    dpkg -c "$deb" > "$T/pkgc/contents"
    for f in ./usr/bin/exconn-collect ./usr/share/exconn/python/exconn_collect/__init__.py \
             ./etc/exconn/collect.xml ./usr/share/man/man1/exconn-collect.1.gz \
             ./lib/systemd/system/exconn-collect.service; do
        grep -q " $f\$" "$T/pkgc/contents" || fail "$deb lacks $f"
    done
    log "exconn-collector from the stand-in: contract D paths packaged"
fi

log "dpkg -i"
dpkg -i "$T"/pkg/exconn_*_amd64.deb >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log" >&2; fail "dpkg -i"; }
getent passwd exconn >/dev/null || fail "no user exconn after dpkg -i"
for d in /var/spool/exconn:exconn:750 /var/spool/exconn/reports:exconn:2770 \
         /var/spool/exconn/events:exconn:2770 /var/spool/exconn/rejected:exconn:750 \
         /var/lib/exconn:exconn:750; do
    got=$(stat -c '%n:%U:%a' "${d%%:*}" 2>/dev/null) || fail "missing ${d%%:*}"
    [ "$got" = "$d" ] || fail "directory: $got, want $d"
done
grep -qx /etc/exconn/exconn.xml /var/lib/dpkg/info/exconn.conffiles || fail "exconn.xml not a conffile"
unit=/lib/systemd/system/exconn-agent.service
out=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"
for k in Type=notify User=exconn After=network.target\ snmpd.service Restart=on-failure \
         ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes \
         'ExecReload=/bin/kill -HUP $MAINPID'; do
    grep -qxF "$k" "$unit" || fail "unit lacks $k"
done
log "installed: user, directories, conffile; systemd-analyze verify clean"

# Debian's snmpd as the README configures it, on the real /run/agentx
. "$EXCONN_SOURCE_DIR/tests/packaging/lib_readme.sh"
RUNDIR=/run RUN_USER=exconn RUN_GROUP=exconn
start_snmptrapd
write_debian_snmpd_conf
start_debian_snmpd
pre=$(sed -n 's/^ExecStartPre=//p' "$unit") start=$(sed -n 's/^ExecStart=//p' "$unit")
# shellcheck disable=SC2086
setpriv --reuid=exconn --regid=exconn --init-groups $pre || fail "ExecStartPre: $pre"
notify=$T/notify.sock
/usr/bin/python3 - "$notify" > "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
import os; os.chmod(sys.argv[1], 0o666)
while True:
    print(s.recv(4096).decode(errors="replace").replace("\n", " "), flush=True)
PY
NOTIFY_PID=$!
wait_for 5 "notify socket" test -S "$notify"
# the ExecStart line, as User=exconn; its -Lsd logs to syslog, so -Lf is added
# for the test's log (a later -L adds to the first)
install -m 0640 -o exconn -g exconn /dev/null "$AGENT_LOG"
# shellcheck disable=SC2086
NOTIFY_SOCKET=$notify setpriv --reuid=exconn --regid=exconn --init-groups $start -Lf "$AGENT_LOG" &
AGENT_PID=$!
if grep -q NOTIFY_SOCKET /usr/sbin/exconn-agent; then
    wait_for 15 "READY=1 on NOTIFY_SOCKET" grep -q 'READY=1' "$T/notify.log"
    log "READY=1 received"
else
    log "NOTE: this exconn-agent has no sd_notify support yet (contract B): READY=1 not checked"
fi
wait_registered 15
SPOOL=/var/spool/exconn
drop_file reports 01-exch01.xml "$EXCONN_SOURCE_DIR/tests/data/reports/exch01-example.xml"
want='EXCHANGE-CONNECTOR-MIB::exConnConnectorState."EXCH01"."Internet Mail Service"'
wait_for 10 "tables through Debian's snmpd" snmp_value_ok "$want"
stop_debian_snmpd
start_debian_snmpd
up=$(now_ms)
wait_for 15 "tables after the snmpd restart" snmp_value_ok "$want"
took=$(( $(now_ms) - up ))
[ "$took" -le 6000 ] || fail "tables back after $took ms (pingInterval 5 + 1 s)"
log "installed agent as exconn: tables back ${took} ms after the snmpd restart"
kill "$NOTIFY_PID" 2>/dev/null || true
log "PASS"
