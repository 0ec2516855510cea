#!/usr/bin/env bash
# run_pytest.sh TESTS...: the fake-host pytest run, skipped (77) where it
# cannot run: it needs root (smbd) and Samba's tools.
set -euo pipefail
for tool in smbd smbclient net pdbedit eventlogadm; do
    command -v "$tool" >/dev/null 2>&1 || { echo "skip: $tool missing" >&2; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "skip: the fake host needs root" >&2; exit 77; }
/usr/bin/python3 -c 'import impacket, pytest' 2>/dev/null || { echo "skip: python3-impacket/pytest missing" >&2; exit 77; }
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@"
