/* The agent's XML configuration (SPEC §2): every element and attribute is
 * optional and has a default; anything unknown or out of range is an error
 * naming the file and line. */
#ifndef EXC_CONFIG_H
#define EXC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "exc_paths.h" /* EXC_DEFAULT_CONFIG and the other default paths */

#define EXC_PATH_BUF 1024

typedef struct exc_config {
    char agentx_address[256];     /* <agentx address> */
    unsigned ping_interval;       /* <agentx pingInterval>, seconds */
    char spool_dir[EXC_PATH_BUF]; /* <spool dir> */
    uint64_t max_file_bytes;      /* <spool maxFileBytes> */
    char state_dir[EXC_PATH_BUF]; /* <state dir> */
    char kb_dir[EXC_PATH_BUF];    /* <kb dir> */
    unsigned stale_after;         /* <servers staleAfter>, seconds */
    unsigned max_clock_skew;      /* <servers maxClockSkew>, seconds: how far in the
                                     future a report's or event's time may be */
    unsigned max_servers;         /* <limits maxServers>: servers the model holds */
    unsigned max_rows_per_server; /* <limits maxRowsPerServer>: connectors + queues +
                                     COM ports + claimants of one report */
    unsigned stall_samples;       /* <queues stallSamples> */
    unsigned event_ttl;           /* <alarms eventTtl>, seconds */
    unsigned history_size;        /* <alarms historySize> */
    unsigned hold_down;           /* <alarms holdDown>, seconds */
    bool notifications_enabled;   /* <notifications enabled> */
    unsigned queue_size;          /* <notifications queueSize> */
    /* Embedded master mode (-M) only: who may read, and where traps go. */
    char master_community[64];    /* <master community>, default "public" */
    char master_source[64];       /* <master source>, default "127.0.0.1" */
    char trap_sink[256];          /* <master trapSink>, "" = none */
    char trap_community[64];      /* <master trapCommunity>, default "public" */
} exc_config;

void exc_config_defaults(exc_config *c);

/* Parse a config file over the defaults.  On error returns false with err
 * (line set where there is one); *c is then unspecified. */
bool exc_config_load(const char *path, exc_config *c, exc_err *err);
bool exc_config_load_memory(const char *buf, size_t len, exc_config *c, exc_err *err);

#endif
