# Integration tests: real snmpd, snmptrapd and exconn-agent on loopback
# (tests/integration/lib.sh is the fixture).  Each script is one CTest test.
add_test(NAME integration.std-mibs
  COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/std-mibs.sh ${PROJECT_BINARY_DIR}/mibs-std)
set_tests_properties(integration.std-mibs PROPERTIES
  FIXTURES_SETUP exconn_std_mibs RESOURCE_LOCK exconn-mibs-std LABELS integration)

# LD_PRELOAD shims that inject one failure into the real agent (tests/preload)
add_library(exconn_fail_notify_send MODULE ${CMAKE_CURRENT_SOURCE_DIR}/preload/fail_notify_send.c)
target_compile_options(exconn_fail_notify_send PRIVATE ${EXCONN_WARNINGS})
target_link_libraries(exconn_fail_notify_send PRIVATE ${CMAKE_DL_LIBS})

file(GLOB EXCONN_INTEGRATION_TESTS CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/*.sh)
list(FILTER EXCONN_INTEGRATION_TESTS EXCLUDE REGEX "/lib[^/]*\\.sh$")
foreach(script ${EXCONN_INTEGRATION_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME integration.${name} COMMAND bash ${script})
  set_tests_properties(integration.${name} PROPERTIES
    LABELS integration
    TIMEOUT 300
    SKIP_RETURN_CODE 77
    FIXTURES_REQUIRED exconn_std_mibs
    ENVIRONMENT "EXCONN_AGENT=$<TARGET_FILE:exconn-agent>;EXCONN_FAIL_NOTIFY_SEND=$<TARGET_FILE:exconn_fail_notify_send>;EXCONN_SOURCE_DIR=${PROJECT_SOURCE_DIR};EXCONN_STD_MIBS=${PROJECT_BINARY_DIR}/mibs-std")
endforeach()

# The in-process table walk reads the MIB with Net-SNMP's parser, which needs
# the standard SNMPv2 modules the fixture above fetches.
set_tests_properties(unit.test_tables PROPERTIES FIXTURES_REQUIRED exconn_std_mibs)
