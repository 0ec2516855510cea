#include <stdio.h>
#include <stdlib.h>

#include "cu_main.h"

void exc_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
                   CU_TestInfo *tests)
{
    CU_pSuite s = CU_add_suite(name, init, cleanup);
    for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
        CU_add_test(s, t->pName, t->pTestFunc);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    exc_register_tests();
    if (CU_get_error() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit registration failed: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
