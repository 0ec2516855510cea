/* libFuzzer target: the parser of SPOOL/reports files (status reports,
 * collection status and forgetServer records, SPEC §3), then the model that
 * applies an accepted one, configured with the defaults (clock skew, limits)
 * the way the engine does it.  Any crash, leak,
 * sanitizer report or timeout is a finding. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
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
    exc_config cfg;
    exc_config_defaults(&cfg);
    exc_model_configure(&m, &cfg);
    exc_err aerr = {0};
    exc_model_apply_report(&m, &r, 1795341600000LL, &aerr);   /* 2026-11-22T10:00Z */
    exc_report_free(&r);
    exc_model_free(&m);
    return 0;
}
