# Packaging and operations tests (tests/packaging/*.sh): the install layout,
# the man pages, the systemd unit, the README recipe, the NMS integration
# files in contrib/ against the real tools.  heavy_*.sh (the Debian package
# build, a Zabbix import) are opt-in: they run only with EXCONN_HEAVY_TESTS=1
# in the environment (else they exit 77, reported as skipped) and carry the
# CTest label "heavy" (ctest -L heavy).
file(GLOB EXCONN_PACKAGING_TESTS CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/*.sh)
list(FILTER EXCONN_PACKAGING_TESTS EXCLUDE REGEX "/lib[^/]*\\.sh$")
foreach(script ${EXCONN_PACKAGING_TESTS})
  get_filename_component(name ${script} NAME_WE)
  set(labels packaging)
  set(timeout 180)   # each takes seconds; a hang must not eat the CI budget
  if(name MATCHES "^heavy_")
    set(labels heavy)
    set(timeout 3000)
  endif()
  add_test(NAME packaging.${name} COMMAND bash ${script})
  set_tests_properties(packaging.${name} PROPERTIES
    LABELS "${labels}"
    TIMEOUT ${timeout}
    SKIP_RETURN_CODE 77
    FIXTURES_REQUIRED exconn_std_mibs
    ENVIRONMENT "EXCONN_AGENT=$<TARGET_FILE:exconn-agent>;EXCONN_SOURCE_DIR=${PROJECT_SOURCE_DIR};EXCONN_BINARY_DIR=${PROJECT_BINARY_DIR};EXCONN_STD_MIBS=${PROJECT_BINARY_DIR}/mibs-std")
endforeach()
