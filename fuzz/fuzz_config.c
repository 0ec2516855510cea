/* libFuzzer target: the agent's XML configuration (SPEC §2). */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exc_config c;
    exc_err err = {0};
    exc_config_defaults(&c);
    (void)exc_config_load_memory((const char *)data, size, &c, &err);
    return 0;
}
