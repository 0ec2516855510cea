/* The hand-over from the worker: its snapshot pipe is registered with
 * Net-SNMP's select loop (register_readfd), so a new snapshot is swapped in
 * on the agent thread between two requests, never during one. */
#include "agent.h"
#include "feed.h"

#include "table.h"
#include "notify_send.h"

#include <poll.h>

static exc_engine *engine;
static exc_snapshot *current;
static exc_snapshot empty;

const exc_snapshot *exc_agent_snapshot(void) { return current ? current : &empty; }

static void on_snapshot(int fd, void *arg)
{
    (void)fd;
    (void)arg;
    exc_snapshot *s = exc_engine_take_snapshot(engine);
    if (!s)
        return;
    /* rows point into the old snapshot: drop them before freeing it */
    exc_tables_invalidate();
    exc_snapshot *old = current;
    current = s;
    exc_snapshot_free(old);
    DEBUGMSGTL((EXC_DEBUG_TOKEN "/feed", "snapshot %llu: %zu servers, %zu alarms, %zu queued\n",
                (unsigned long long)s->generation, s->n_servers, s->n_alarms, s->n_outbox));
    exc_notify_flush();
}

int exc_feed_init(exc_engine *e)
{
    engine = e;
    if (register_readfd(exc_engine_snapshot_fd(e), on_snapshot, NULL) != 0) {
        snmp_log(LOG_ERR, "exconn: cannot watch the snapshot pipe\n");
        return -1;
    }
    /* Serve nothing before the first snapshot: the MIB is registered after
     * this returns, and an agent answering from no snapshot would report
     * zero counters and no alarms after every restart.  The engine hands one
     * over before its worker starts, but the worker's first pass may replace
     * it (dropping the pending one while it builds the next): wait for it. */
    for (int waited = 0; !current && waited < 30000; waited += 50) {
        on_snapshot(-1, NULL);
        if (!current) {
            struct pollfd p = {exc_engine_snapshot_fd(e), POLLIN, 0};
            poll(&p, 1, 50);
        }
    }
    if (!current)
        snmp_log(LOG_WARNING, "exconn: no snapshot from the worker yet; serving an empty MIB\n");
    return 0;
}

void exc_feed_ack(uint64_t seq, bool more)
{
    if (engine)
        exc_engine_ack(engine, seq, more);
}

void exc_feed_shutdown(void)
{
    if (engine)
        unregister_readfd(exc_engine_snapshot_fd(engine));
    exc_tables_invalidate();
    exc_snapshot_free(current);
    current = NULL;
    engine = NULL;
}
