/* Shared CUnit runner: each unit test file defines exc_register_tests(). */
#ifndef EXC_CU_MAIN_H
#define EXC_CU_MAIN_H
#include <CUnit/Basic.h>

/* Implemented by each test_*.c: add suites and tests to the registry. */
void exc_register_tests(void);

/* Add suite NAME (INIT and CLEANUP as for CU_add_suite, or NULL) with the
 * tests of a CU_TEST_INFO_NULL-terminated table. */
void exc_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
                   CU_TestInfo *tests);

/* Path helpers for test data. */
#define EXC_TEST_DATA(rel) EXCONN_SOURCE_DIR "/tests/data/" rel

#endif
