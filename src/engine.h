/* The worker: one thread that owns the model, the alarms and the state
 * directory.  It watches the spool, parses and applies files, runs the rules,
 * commits the state, and publishes an immutable snapshot for the agent thread
 * (the only thread that calls Net-SNMP) through a pipe it can poll. */
#ifndef EXC_ENGINE_H
#define EXC_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "kb.h"
#include "snapshot.h"

typedef struct exc_engine exc_engine;

/* Load the state, open the spool and start the worker.  Takes ownership of
 * *kb (left empty).  NULL with err set on failure. */
exc_engine *exc_engine_start(const exc_config *cfg, exc_kb *kb, exc_err *err);

/* Readable when a new snapshot is waiting. */
int exc_engine_snapshot_fd(const exc_engine *e);

/* The newest snapshot, or NULL when none arrived since the last call.  The
 * caller owns it (exc_snapshot_free). */
exc_snapshot *exc_engine_take_snapshot(exc_engine *e);

/* The agent thread sent every notice up to seq (the master confirmed
 * them).  more: later notices are still awaiting the master's answer, so
 * more acknowledgements follow at once: the worker commits them together
 * (at most ACK_COALESCE_MS later, engine.c) rather than one by one. */
void exc_engine_ack(exc_engine *e, uint64_t seq, bool more);

/* SIGHUP: new settings and KB (ownership of *kb taken). */
void exc_engine_reload(exc_engine *e, const exc_config *cfg, exc_kb *kb);

/* Stop the worker after committing the state; frees everything. */
void exc_engine_stop(exc_engine *e);

#endif
