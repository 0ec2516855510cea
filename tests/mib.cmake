# MIB checks (SPEC section 6): mibs/EXCHANGE-CONNECTOR-MIB.txt must pass
# `smilint -l 6` with no output at all and load in snmptranslate without a
# word on stderr, with the OID layout the agent is written against.
#
#   ctest -L mib            both checks
#   tests/mib/lint.sh all SOURCE_DIR BUILD_DIR/mibs-std   the same by hand
#
# The standard SNMPv2 modules Debian lacks are fetched once (npm pack
# net-snmp@3, see scripts/std-mibs.sh) into BUILD_DIR/mibs-std; other tests
# that need them can use the same directory.  A test whose tool (smilint,
# snmptranslate) is not installed is reported as skipped, not passed.

set(EXCONN_STD_MIB_DIR ${PROJECT_BINARY_DIR}/mibs-std)

foreach(mode smilint snmptranslate)
  add_test(NAME mib.${mode}
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/mib/lint.sh ${mode}
            ${PROJECT_SOURCE_DIR} ${EXCONN_STD_MIB_DIR})
  set_tests_properties(mib.${mode} PROPERTIES
    LABELS mib
    TIMEOUT 300
    SKIP_RETURN_CODE 77
    # both may have to fetch the standard modules into the same directory
    RESOURCE_LOCK exconn-mibs-std)
endforeach()
