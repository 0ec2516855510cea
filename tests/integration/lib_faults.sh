# shellcheck shell=bash disable=SC2034
# Kept only for scripts/soak.sh, which sources it after lib.sh: everything
# else is in lib.sh, the one integration test toolkit.  The old names
# soak.sh still uses, as thin aliases:
EXC_NOTIF_PREFIX=$EXC_NOTIF
exc_trap_count() { trap_count; }
