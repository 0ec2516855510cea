/* libFuzzer target: the Windows event XML parser (SPEC §3 "Event records"),
 * rooted and root-less files, UTF-16 with BOM included. */
#include <stddef.h>
#include <stdint.h>

#include "event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exc_event_batch b;
    exc_err err = {0};
    if (exc_events_parse_memory((const char *)data, size, &b, &err))
        exc_events_free(&b);
    return 0;
}
