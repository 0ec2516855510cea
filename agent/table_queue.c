/* exConnQueueTable { exConnServerName, exConnQueueName } */
#include "table.h"
#include "table_queue.h"

#include "mib_oids.h"

static const void *rows(const exc_snapshot *s, size_t *n, size_t *stride)
{
    *n = s->n_queues;
    *stride = sizeof *s->queues;
    return s->queues;
}

static size_t index_of(const void *row, oid *out, size_t max)
{
    const exc_snap_queue *q = row;
    size_t k = exc_oid_put_string(out, max, q->server);
    return k + exc_oid_put_string(out + k, max - k, q->q.name);
}

static bool column(const void *row, unsigned col, exc_val *v)
{
    const exc_snap_queue *q = row;
    switch (col) {
    case COLUMN_EXCONNQUEUEKIND: exc_val_int(v, q->q.kind); return true;
    case COLUMN_EXCONNQUEUECONNECTOR: exc_val_string(v, q->q.connector); return true;
    /* counts the report did not give have no instance */
    case COLUMN_EXCONNQUEUEMESSAGES:
        if (!q->q.messages.known)
            return false;
        exc_val_unsigned(v, ASN_GAUGE, q->q.messages.v);
        return true;
    case COLUMN_EXCONNQUEUEBYTES:
        if (!q->q.bytes.known)
            return false;
        exc_val_unsigned(v, ASN_GAUGE, q->q.bytes.v);
        return true;
    case COLUMN_EXCONNQUEUEOLDESTAGE:
        if (!q->q.oldest_age.known)
            return false;
        exc_val_unsigned(v, ASN_GAUGE, q->q.oldest_age.v);
        return true;
    case COLUMN_EXCONNQUEUESTATE: exc_val_int(v, q->state); return true;
    default: return false;
    }
}

const exc_table_def exc_queue_table = {
    .name = "exConnQueueTable", .table = EXC_TBL_QUEUE, .min_col = COLUMN_EXCONNQUEUEKIND,
    .max_col = COLUMN_EXCONNQUEUESTATE, .n_index = 2, .index_type = {ASN_OCTET_STR, ASN_OCTET_STR},
    .rows = rows, .index = index_of, .column = column,
    .layout = EXC_TBL_SERVER_ROWS, .which = EXC_SNAP_QUEUES,
};
