#include "notify_flow.h"

#include <string.h>

void exc_nflow_init(exc_nflow *f) { memset(f, 0, sizeof *f); }

bool exc_nflow_may_send(const exc_nflow *f, uint64_t seq)
{
    return seq > f->written && seq > f->confirmed && f->live < EXC_NFLOW_WINDOW &&
           f->n < EXC_NFLOW_TRACK;
}

void exc_nflow_written(exc_nflow *f, uint64_t seq)
{
    f->ring[(f->head + f->n++) % EXC_NFLOW_TRACK] = seq;
    f->live++;
    f->written = seq;
}

/* Confirm every tracked seq <= upto; count them as sent (but not skip). */
static void confirm_upto(exc_nflow *f, uint64_t upto, uint64_t skip)
{
    while (f->n > 0 && f->ring[f->head] <= upto) {
        if (f->ring[f->head] != skip)
            f->sent++;
        f->head = (f->head + 1) % EXC_NFLOW_TRACK;
        f->n--;
    }
    if (upto > f->confirmed)
        f->confirmed = upto;
}

uint64_t exc_nflow_answered(exc_nflow *f, uint64_t seq, bool ok)
{
    if (f->live > 0)
        f->live--;
    if (!ok)
        f->failed++;
    confirm_upto(f, seq, ok ? 0 : seq);
    return f->confirmed;
}

void exc_nflow_timed_out(exc_nflow *f)
{
    if (f->live > 0)
        f->live--;
}

void exc_nflow_session_lost(exc_nflow *f, bool master_closed)
{
    f->live = 0;   /* the requests go with the session */
    f->left_with_master = !master_closed && f->n > 0;
    if (master_closed) {
        f->n = 0;   /* written again after the re-registration */
        f->written = f->confirmed;
    }
}

uint64_t exc_nflow_session_back(exc_nflow *f, bool same_master)
{
    f->live = 0;
    if (f->n > 0) {
        if (f->left_with_master && same_master)
            confirm_upto(f, f->ring[(f->head + f->n - 1) % EXC_NFLOW_TRACK], 0);
        f->n = 0;
    }
    f->written = f->confirmed;
    f->left_with_master = false;
    return f->confirmed;
}
