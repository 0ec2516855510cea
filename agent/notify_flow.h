/* Flow control and confirmation of notifications sent over AgentX (no
 * Net-SNMP here: agent/notify.c drives it, tests/unit_agent test it).
 *
 * A notice is written as an AgentX Notify PDU; at most EXC_NFLOW_WINDOW
 * of them wait for the master's Response at any time, so neither socket
 * buffer fills (issue 9.1: written back to back, both processes blocked in
 * a write).  A notice is confirmed -- acknowledged to the worker and counted
 * in exConnNotificationsSent -- only when the master has answered it or a
 * later one on the same session (a stream: the master handles PDUs in
 * order).  When the session ends, what was written and not confirmed is
 * written again after the re-registration, in order -- unless the agent gave
 * up on a master that did not close the connection (frozen, or slow) and
 * the master it re-registers with is that same process: it still had those
 * PDUs in its socket and has handled them (sending them again would
 * duplicate every one). */
#ifndef EXC_NOTIFY_FLOW_H
#define EXC_NOTIFY_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXC_NFLOW_WINDOW 16    /* Notify PDUs awaiting a Response */
#define EXC_NFLOW_TRACK 256    /* written, not yet confirmed (timed-out ones included) */

typedef struct exc_nflow {
    uint64_t written;          /* highest seq written on this session */
    uint64_t confirmed;        /* highest seq confirmed (acknowledged) */
    uint64_t ring[EXC_NFLOW_TRACK];   /* written, unconfirmed, in seq order */
    size_t head, n;
    unsigned live;             /* of those, awaiting a Response */
    bool left_with_master;     /* the session ended without the master closing it */
    uint32_t sent;             /* confirmed notices (exConnNotificationsSent) */
    uint32_t failed;           /* refused by the master (error Response) */
} exc_nflow;

void exc_nflow_init(exc_nflow *f);
/* A notice with this seq may be written now. */
bool exc_nflow_may_send(const exc_nflow *f, uint64_t seq);
void exc_nflow_written(exc_nflow *f, uint64_t seq);
/* The master answered seq: confirms it and every earlier one.  ok = false:
 * it refused seq (error Response): earlier ones confirmed, seq itself
 * dropped (counted as failed, not sent).  Returns the new confirmed seq. */
uint64_t exc_nflow_answered(exc_nflow *f, uint64_t seq, bool ok);
/* A request timed out with the session still up: no Response will come;
 * the notice stays unconfirmed (a later answer confirms it). */
void exc_nflow_timed_out(exc_nflow *f);
/* The session ended; master_closed: the master closed the connection. */
void exc_nflow_session_lost(exc_nflow *f, bool master_closed);
/* Registered again; same_master: with the process of the lost session.
 * Returns the new confirmed seq. */
uint64_t exc_nflow_session_back(exc_nflow *f, bool same_master);

#endif
