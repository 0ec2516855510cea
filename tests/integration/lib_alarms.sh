# shellcheck shell=bash
# Kept so that scripts sourcing the old lib_alarms.sh (scripts/demo.sh) still
# work: all of it is in lib.sh, the one integration test toolkit.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
