/* Windows event records (SPEC §3): the facts the KB rules match against. */
#ifndef EXC_EVENT_H
#define EXC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "exc_limits.h"

#define EXC_EVENT_PROVIDER_BUF 129
#define EXC_EVENT_MAX_DATA 32     /* EventData/Data items kept per event */
#define EXC_EVENT_DATA_MAX 4096   /* octets kept of one Data item (cut at a character) */
#define EXC_EVENT_MESSAGE_MAX 8192 /* octets kept of RenderingInfo/Message (likewise) */
#define EXC_EVENT_NS "http://schemas.microsoft.com/win/2004/08/events/event"

typedef struct exc_event {
    char provider[EXC_EVENT_PROVIDER_BUF];
    uint16_t id;                  /* low 16 bits of EventID */
    int level;                    /* System/Level, -1 when absent */
    int64_t time;                 /* TimeCreated/@SystemTime, epoch seconds */
    uint64_t record_id;           /* 0 when absent */
    char server[EXC_SERVER_BUF];  /* Computer up to the first '.', upper-cased */
    size_t n_data;
    char *data[EXC_EVENT_MAX_DATA];   /* EventData/Data in order (malloc'ed) */
    char *message;                /* RenderingInfo/Message or NULL (malloc'ed) */
} exc_event;

typedef struct exc_event_batch {
    size_t n;
    exc_event *events;
} exc_event_batch;

/* Parse one event file: one or more <Event> elements, under a single
 * wrapping root or concatenated with no root at all, with or without the
 * event namespace.  All or nothing: on failure err is set and *out needs no
 * free. */
bool exc_events_parse_file(const char *path, size_t max_bytes, exc_event_batch *out,
                           exc_err *err);
bool exc_events_parse_memory(const char *buf, size_t len, exc_event_batch *out, exc_err *err);
void exc_events_free(exc_event_batch *b);

#endif
