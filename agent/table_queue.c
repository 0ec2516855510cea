/* exConnQueueTable { exConnServerName, exConnQueueName } */
#include "table.h"
#include "table_rows.h"
#include "table_queue.h"

#include "mib_oids.h"


EXC_TABLE_INDEX_SERVER_ROW(exc_snap_queue, q.name)

static bool column(const void *row, unsigned col, exc_val *v)
{
    const exc_snap_queue *q = row;
    switch (col) {
    case COLUMN_EXCONNQUEUEKIND: exc_val_int(v, q->q.kind); return true;
    case COLUMN_EXCONNQUEUECONNECTOR: exc_val_string(v, q->q.connector); return true;
    /* counts the report did not give have no instance */
    case COLUMN_EXCONNQUEUEMESSAGES:
        return exc_val_opt_unsigned(v, ASN_GAUGE, q->q.messages.known, q->q.messages.v);
    case COLUMN_EXCONNQUEUEBYTES:
        return exc_val_opt_unsigned(v, ASN_GAUGE, q->q.bytes.known, q->q.bytes.v);
    case COLUMN_EXCONNQUEUEOLDESTAGE:
        return exc_val_opt_unsigned(v, ASN_GAUGE, q->q.oldest_age.known, q->q.oldest_age.v);
    case COLUMN_EXCONNQUEUESTATE: exc_val_int(v, q->state); return true;
    default: return false;
    }
}

const exc_table_def exc_queue_table = {
    .name = "exConnQueueTable", .table = EXC_TBL_QUEUE, .min_col = COLUMN_EXCONNQUEUEKIND,
    .max_col = COLUMN_EXCONNQUEUESTATE, EXC_TABLE_SERVER_NAMED(EXC_SNAP_QUEUES),
    .rows = NULL, .index = index_of, .column = column,
};
