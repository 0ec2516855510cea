#!/usr/bin/env bash
# test.sh: install what is missing, build, and run the whole CTest suite
# (unit tests, MIB lint, integration tests against real snmpd/snmptrapd).
#   ./scripts/test.sh              the suite in ./build
#   ./scripts/test.sh --sanitize   the same suite built with ASan+UBSan in ./build-asan
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"

dir=$top/build
opts=()
if [ "${1:-}" = "--sanitize" ]; then
  dir=$top/build-asan
  opts=(-DEXCONN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
"$top/scripts/build.sh" "$dir" all -- "${opts[@]}"
cd "$dir"
ctest --output-on-failure -j"$(nproc)" --timeout 600
