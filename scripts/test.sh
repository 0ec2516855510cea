#!/usr/bin/env bash
# test.sh: install what is missing, build, and run the whole CTest suite
# (unit tests, MIB lint, integration tests against real snmpd/snmptrapd).
#   ./scripts/test.sh               the suite in ./build
#   ./scripts/test.sh --sanitize    the same suite built with ASan+UBSan in
#                                   ./build-asan; the integration tests run the
#                                   sanitized agent, and any sanitizer report
#                                   of any process (written to
#                                   build-asan/sanitizer-logs/) fails the run
#   ./scripts/test.sh --fuzz [SECS] the libFuzzer targets, SECS each (default
#                                   60; scripts/fuzz.sh)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--fuzz" ]; then
  shift
  exec "$top/scripts/fuzz.sh" "$@"
fi
"$top/scripts/deps.sh"

dir=$top/build
opts=()
logs=
if [ "${1:-}" = "--sanitize" ]; then
  dir=$top/build-asan
  opts=(-DEXCONN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  # A report from a process whose exit status no test checks (an agent
  # stopped by a fixture, say) would otherwise go unseen: every report goes
  # to a file, and files there fail the run.
  logs=$dir/sanitizer-logs
  rm -rf "$logs"; mkdir -p "$logs"
  # fast_unwind_on_malloc=0: libnetsnmp is built without frame pointers, so
  # the fast unwinder stops at its first frame and a Net-SNMP-internal leak
  # could not be matched by tests/lsan.supp (it shows as libnetsnmp+0x... and
  # a garbage frame).  The slow unwinder sees the whole stack.
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:log_path=$logs/asan
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan
  export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0
fi
"$top/scripts/build.sh" "$dir" all -- "${opts[@]}"
cd "$dir"
rc=0
# the worker also checks that every change of the alarm state took a new
# version (src/util.h, exc_verify_changes): a missed one aborts the agent
export EXCONN_VERIFY_CHANGES=1
ctest --output-on-failure -j"$(nproc)" --timeout 600 || rc=$?
if [ -n "$logs" ] && [ -n "$(ls -A "$logs")" ]; then
  echo "test.sh: sanitizer reports:" >&2
  for f in "$logs"/*; do echo "--- $f" >&2; cat "$f" >&2; done
  rc=1
fi
exit $rc
