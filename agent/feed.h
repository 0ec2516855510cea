#ifndef EXC_FEED_H
#define EXC_FEED_H

#include "engine.h"

/* Start taking snapshots from the worker (agent thread). */
int exc_feed_init(exc_engine *e);
/* Tell the worker which notifications went out. */
void exc_feed_ack(uint64_t seq);
void exc_feed_shutdown(void);

#endif
