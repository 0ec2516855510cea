/* The snapshots from the worker to the agent thread (agent/feed.c). */
#ifndef EXC_FEED_H
#define EXC_FEED_H

#include "agent.h"
#include "engine.h"

/* The snapshot the MIB is answering from (never NULL after exc_feed_init). */
const exc_snapshot *exc_agent_snapshot(void);

/* Start taking snapshots from the worker (agent thread). */
int exc_feed_init(exc_engine *e);
/* Tell the worker which notifications went out (more: later ones still
 * await the master's answer; exc_engine_ack). */
void exc_feed_ack(uint64_t seq, bool more);
void exc_feed_shutdown(void);

#endif
