#!/usr/bin/env bash
# Opt-in (EXCONN_HEAVY_TESTS=1, label heavy): contrib/zabbix/exconn-zabbix6.yaml
# imported into a real Zabbix 6.0 (Debian 12's zabbix-frontend-php and
# zabbix-server-pgsql schema, 1:6.0.14) through its API, configuration.import,
# as an operator's upload does; then template.get shows every item,
# discovery rule, prototype, trigger and value map of the file.
# Private and temporary: a PostgreSQL 15 cluster in the test directory (Unix
# socket only), the Zabbix schema loaded into it, a copy of the frontend
# served by `php -S` on loopback, its config file path (CConfigFile) pointed
# into the test directory.  No Zabbix server process is needed for an import.
if [ "${EXCONN_HEAVY_TESTS:-}" != 1 ]; then
    echo "SKIP: heavy test; set EXCONN_HEAVY_TESTS=1 to run it"; exit 77
fi
set -euo pipefail
T=$(mktemp -d "${TMPDIR:-/tmp}/exconn-zabbix.XXXXXX"); chmod 755 "$T"
PG_PID= PHP_PID=
log() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
fail() { log "FAIL: $*"; for f in "$T"/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done; exit 1; }
PGBIN=/usr/lib/postgresql/15/bin
cleanup() {
    local rc=$?
    [ -z "$PHP_PID" ] || kill "$PHP_PID" 2>/dev/null || true
    [ -z "$PG_PID" ] || runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -m fast stop >/dev/null 2>&1 || true
    if [ $rc -eq 0 ]; then rm -rf "$T"; else log "kept $T"; fi
    exit $rc
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || fail "needs root (runs PostgreSQL as postgres)"
for f in "$PGBIN/initdb" /usr/share/zabbix/api_jsonrpc.php /usr/share/zabbix-server-pgsql/schema.sql.gz; do
    [ -e "$f" ] || fail "$f missing (EXCONN_HEAVY_TESTS=1 ./scripts/deps.sh: postgresql, zabbix-frontend-php, zabbix-server-pgsql, php-pgsql, php-cli)"
done
command -v php >/dev/null || fail "php missing (php-cli)"

free_tcp_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { local n=$1 what=$2; shift 2; local end=$(( $(date +%s) + n ))
    until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$end" ] || fail "timed out: $what"; sleep 0.2; done; }

log "PostgreSQL cluster"
install -d -o postgres -g postgres -m 0700 "$T/pg" "$T/pgsock"
install -m 0640 -o postgres -g postgres /dev/null "$T/postgres.log"
runuser -u postgres -- "$PGBIN/initdb" -D "$T/pg" -A trust -U zabbix -E UTF8 >"$T/initdb.log" 2>&1 || fail initdb
PGPORT=$(free_tcp_port)
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -l "$T/postgres.log" -w \
    -o "-c listen_addresses='' -k $T/pgsock -p $PGPORT" start >/dev/null || fail "pg_ctl start"
PG_PID=1
psql_() { psql -h "$T/pgsock" -p "$PGPORT" -U zabbix -v ON_ERROR_STOP=1 -q "$@"; }
psql_ -d postgres -c 'CREATE DATABASE zabbix' >/dev/null || fail "createdb"
log "Zabbix schema"
for f in schema images data; do
    zcat "/usr/share/zabbix-server-pgsql/$f.sql.gz" | psql_ -d zabbix >"$T/schema-$f.log" 2>&1 || fail "load $f.sql"
done
dbversion=$(psql_ -d zabbix -tAc 'SELECT mandatory FROM dbversion')
log "Zabbix database version $dbversion"

log "frontend"
cp -r /usr/share/zabbix "$T/web"
sed -i "s#const CONFIG_FILE_PATH = '/etc/zabbix/zabbix.conf.php';#const CONFIG_FILE_PATH = '$T/zabbix.conf.php';#" \
    "$T/web/include/classes/core/CConfigFile.php"
grep -q "$T/zabbix.conf.php" "$T/web/include/classes/core/CConfigFile.php" || fail "CConfigFile path not adapted"
sed -e "s/'MYSQL'/'POSTGRESQL'/" -e "s#\$DB\['SERVER'\]\t*= 'localhost'#\$DB['SERVER'] = '$T/pgsock'#" \
    -e "s#\$DB\['PORT'\]\t*= '0'#\$DB['PORT'] = '$PGPORT'#" \
    /usr/share/zabbix/conf/zabbix.conf.php.example > "$T/zabbix.conf.php"
grep -q "$T/pgsock" "$T/zabbix.conf.php" && grep -q "'$PGPORT'" "$T/zabbix.conf.php" || fail "zabbix.conf.php"
WEBPORT=$(free_tcp_port)
php -S "127.0.0.1:$WEBPORT" -t "$T/web" >"$T/php.log" 2>&1 &
PHP_PID=$!

api() {   # api METHOD PARAMS-JSON [AUTH]: the result, or fail with the error
    /usr/bin/python3 - "http://127.0.0.1:$WEBPORT/api_jsonrpc.php" "$@" <<'PY'
import json, sys, urllib.request
url, method, params = sys.argv[1:4]
body = {"jsonrpc": "2.0", "method": method, "params": json.loads(params), "id": 1}
if len(sys.argv) > 4:
    body["auth"] = sys.argv[4]
req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json-rpc"})
r = json.loads(urllib.request.urlopen(req, timeout=120).read())
if "error" in r:
    sys.exit(f"{method}: {r['error']}")
print(json.dumps(r["result"]))
PY
}
wait_for 20 "frontend API" api apiinfo.version '{}'
log "Zabbix API $(api apiinfo.version '{}')"
auth=$(api user.login '{"username": "Admin", "password": "zabbix"}' | tr -d '"')

src=$EXCONN_SOURCE_DIR/contrib/zabbix/exconn-zabbix6.yaml
params=$(/usr/bin/python3 -c '
import json, sys
rules = {k: {"createMissing": True, "updateExisting": True} for k in
         ("groups", "templates", "items", "discoveryRules", "triggers", "valueMaps")}
print(json.dumps({"format": "yaml", "rules": rules, "source": open(sys.argv[1]).read()}))' "$src")
out=$(api configuration.import "$params" "$auth" 2>&1) || fail "import: $out"
[ "$out" = true ] || fail "import returned $out"
log "configuration.import: $out"

api template.get '{"filter": {"host": "exconn Exchange connectors SNMP"},
  "selectItems": ["key_"], "selectDiscoveries": ["key_"], "selectTriggers": ["description"],
  "selectValueMaps": ["name"]}' "$auth" > "$T/got.json" || fail "template.get"
tid=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["templateid"])' "$T/got.json")
api itemprototype.get "{\"templateids\": [\"$tid\"], \"output\": [\"key_\"]}" "$auth" > "$T/protos.json" ||
    fail "itemprototype.get"
api triggerprototype.get "{\"templateids\": [\"$tid\"], \"output\": [\"description\"]}" "$auth" > "$T/tprotos.json" ||
    fail "triggerprototype.get"
/usr/bin/python3 - "$src" "$T/got.json" "$T/protos.json" "$T/tprotos.json" <<'PY' || fail "imported template differs from the file"
import json, sys, yaml
t = yaml.safe_load(open(sys.argv[1]))["zabbix_export"]["templates"][0]
got = json.load(open(sys.argv[2]))
assert len(got) == 1, got
g = got[0]
want_items = sorted(i["key"] for i in t["items"])
assert sorted(i["key_"] for i in g["items"]) == want_items, (g["items"], want_items)
assert sorted(d["key_"] for d in g["discoveries"]) == sorted(r["key"] for r in t["discovery_rules"])
want_protos = sorted(p["key"] for r in t["discovery_rules"] for p in r["item_prototypes"])
assert sorted(p["key_"] for p in json.load(open(sys.argv[3]))) == want_protos
want_tp = sorted(tp["name"] for r in t["discovery_rules"] for tp in r["trigger_prototypes"])
assert sorted(tp["description"] for tp in json.load(open(sys.argv[4]))) == want_tp
assert sorted(v["name"] for v in g["valuemaps"]) == sorted(v["name"] for v in t["valuemaps"])
print(f"imported: {len(g['items'])} items, {len(g['discoveries'])} discovery rules, "
      f"{len(want_protos)} item prototypes, {len(want_tp)} trigger prototypes, "
      f"{len(g['triggers'])} triggers, {len(g['valuemaps'])} value maps")
PY
log "PASS"
