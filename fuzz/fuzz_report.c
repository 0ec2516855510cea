/* libFuzzer target: the status-report parser (SPEC §3), then the model that
 * applies an accepted report, the way the engine does it.  Any crash, leak,
 * sanitizer report or timeout is a finding. */
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exc_report r;
    exc_err err = {0};
    if (!exc_report_parse_memory((const char *)data, size, &r, &err))
        return 0;
    exc_model m;
    exc_model_init(&m, 3);
    exc_err aerr = {0};
    exc_model_apply_report(&m, &r, 1000, &aerr);
    exc_report_free(&r);
    exc_model_free(&m);
    return 0;
}
