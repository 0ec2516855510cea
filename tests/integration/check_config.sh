#!/usr/bin/env bash
# --check-config: a good config passes (exit 0); each bad one fails (exit 1)
# with "FILE:LINE: reason" on stderr.  No daemons needed.
set -euo pipefail
: "${EXCONN_AGENT:?}" "${EXCONN_SOURCE_DIR:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

good=$T/good.xml
cat > "$good" <<XML
<exconn>
  <agentx address="/var/agentx/master" pingInterval="5"/>
  <spool dir="/var/spool/exconn" maxFileBytes="16777216"/>
  <state dir="/var/lib/exconn"/>
  <kb dir="$EXCONN_SOURCE_DIR/kb"/>
  <servers staleAfter="900"/>
  <queues stallSamples="3"/>
  <alarms eventTtl="86400" historySize="500" holdDown="2"/>
  <notifications enabled="true" queueSize="1000"/>
</exconn>
XML
out=$("$EXCONN_AGENT" --check-config -c "$good" 2>&1) || fail "good config rejected: $out"
[[ "$out" == *"OK"*"5 KB article"* ]] || fail "unexpected output for good config: $out"

# bad CONTENT EXPECTED-SUBSTRING
bad() {
    local name=$1 content=$2 want=$3 f out rc=0
    f=$T/$name.xml
    printf '%s\n' "$content" > "$f"
    out=$("$EXCONN_AGENT" --check-config -c "$f" 2>&1) || rc=$?
    [ $rc -eq 1 ] || fail "$name: exit $rc (want 1): $out"
    [[ "$out" == *"$want"* ]] || fail "$name: message '$out' lacks '$want'"
    echo "ok $name: $out"
}
kb="<kb dir=\"$EXCONN_SOURCE_DIR/kb\"/>"
bad unknown-element "<exconn>
  $kb
  <spool dir=\"/tmp\"/>
  <frobnicate/>
</exconn>" "unknown-element.xml:4: unknown element <frobnicate>"
bad unknown-attribute "<exconn>
  <spool dir=\"/tmp\" color=\"blue\"/>
</exconn>" "unknown-attribute.xml:2: <spool>: unknown attribute \"color\""
bad bad-number "<exconn>
  $kb

  <agentx pingInterval=\"fast\"/>
</exconn>" "bad-number.xml:4: <agentx pingInterval=\"fast\">: expected a whole number"
bad out-of-range "<exconn>
  <queues stallSamples=\"0\"/>
</exconn>" "out-of-range.xml:2:"
bad bad-bool "<exconn>
  <notifications enabled=\"maybe\"/>
</exconn>" "bad-bool.xml:2: <notifications enabled=\"maybe\">: expected true or false"
bad relative-path "<exconn>
  <state dir=\"var/lib\"/>
</exconn>" "relative-path.xml:2:"
bad malformed "<exconn>
  <spool dir=\"/tmp\">
</exconn>" "malformed.xml:3: malformed XML"
bad doctype '<!DOCTYPE exconn [ <!ENTITY x "y"> ]>
<exconn/>' "DOCTYPE"
bad wrong-root "<config/>" "wrong-root.xml:1: root element must be <exconn>"
bad twice "<exconn>
  <spool dir=\"/tmp\"/>
  <spool dir=\"/tmp\"/>
</exconn>" "twice.xml:3: <spool> given twice"

# a missing file given with -c
rc=0; out=$("$EXCONN_AGENT" --check-config -c "$T/nope.xml" 2>&1) || rc=$?
[ $rc -eq 1 ] && [[ "$out" == *"nope.xml"*"cannot open"* ]] || fail "missing file: $rc $out"

# a bad KB article is reported with its own file and line
mkdir "$T/kb"; cp "$EXCONN_SOURCE_DIR"/kb/*.xml "$T/kb/"
printf '<kbArticle id="Q1" severity="awful" notification="exConnKbAlarm">\n</kbArticle>\n' > "$T/kb/Q1.xml"
printf '<exconn>\n  <kb dir="%s"/>\n</exconn>\n' "$T/kb" > "$T/kbconf.xml"
rc=0; out=$("$EXCONN_AGENT" --check-config -c "$T/kbconf.xml" 2>&1) || rc=$?
[ $rc -eq 1 ] && [[ "$out" == *"Q1.xml:1:"* ]] || fail "bad KB file: $rc $out"
echo "ok bad-kb: $out"

# start-up with a bad config fails with a one-line reason, non-zero
rc=0; out=$("$EXCONN_AGENT" -f -Le -c "$T/unknown-element.xml" 2>&1) || rc=$?
[ $rc -ne 0 ] && [ "$(printf '%s\n' "$out" | grep -c 'unknown element')" -ge 1 ] ||
    fail "start with a bad config: rc=$rc $out"
echo "check-config: all cases passed"
