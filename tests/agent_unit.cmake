# In-process unit tests of the Net-SNMP side (table and notification
# builders): every tests/unit_agent/test_*.c is its own CUnit executable,
# linked with the agent's static library, run as unit.<name>.
file(GLOB EXCONN_AGENT_UNIT_TESTS CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/unit_agent/test_*.c)
foreach(src ${EXCONN_AGENT_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src} ${CMAKE_CURRENT_SOURCE_DIR}/unit/cu_main.c)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
  target_compile_options(${name} PRIVATE ${EXCONN_WARNINGS})
  target_compile_definitions(${name} PRIVATE _POSIX_C_SOURCE=200809L
    EXCONN_SOURCE_DIR="${PROJECT_SOURCE_DIR}" EXCONN_BINARY_DIR="${PROJECT_BINARY_DIR}")
  target_link_libraries(${name} PRIVATE exconn_agent_mib PkgConfig::CUNIT)
  add_test(NAME unit.${name} COMMAND ${name})
  set_tests_properties(unit.${name} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()
