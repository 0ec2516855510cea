/* Shared CUnit runner: each unit test file defines exc_register_tests(). */
#ifndef EXC_CU_MAIN_H
#define EXC_CU_MAIN_H
#include <CUnit/Basic.h>

/* Implemented by each test_*.c: add suites and tests to the registry. */
void exc_register_tests(void);

/* Path helpers for test data. */
#define EXC_TEST_DATA(rel) EXCONN_SOURCE_DIR "/tests/data/" rel

#endif
