# shellcheck shell=bash
# The old lib_estate.sh, for tests written against the old toolkit: all of
# it is in lib.sh, the one integration test toolkit.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
