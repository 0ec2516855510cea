/* exConnQueueTable { exConnServerName, exConnQueueName } */
#include "table.h"
#include "table_rows.h"
#include "table_queue.h"

#include "mib_oids.h"


EXC_TABLE_INDEX_SERVER_ROW(exc_snap_queue, q.name)

/* The counts a report did not give have no instance. */
static const exc_column columns[] = {
    EXC_COL_INT(COLUMN_EXCONNQUEUEKIND, exc_snap_queue, q.kind),
    EXC_COL_STRING(COLUMN_EXCONNQUEUECONNECTOR, exc_snap_queue, q.connector),
    EXC_COL_OPT_U32(COLUMN_EXCONNQUEUEMESSAGES, ASN_GAUGE, exc_snap_queue, q.messages),
    EXC_COL_OPT_U64(COLUMN_EXCONNQUEUEBYTES, ASN_GAUGE, exc_snap_queue, q.bytes),
    EXC_COL_OPT_U32(COLUMN_EXCONNQUEUEOLDESTAGE, ASN_GAUGE, exc_snap_queue, q.oldest_age),
    EXC_COL_INT(COLUMN_EXCONNQUEUESTATE, exc_snap_queue, state),
};

const exc_table_def exc_queue_table = {
    .name = "exConnQueueTable", .table = EXC_TBL_QUEUE, EXC_TABLE_COLUMNS(columns),
    EXC_TABLE_SERVER_NAMED(EXC_SNAP_QUEUES), .index = index_of,
};
