/* exConnComPortTable { exConnServerName, exConnComPortName } */
#include "table.h"
#include "table_rows.h"
#include "table_comport.h"

#include "mib_oids.h"


EXC_TABLE_INDEX_SERVER_ROW(exc_snap_comport, name)

static const exc_column columns[] = {
    EXC_COL_U32(COLUMN_EXCONNCOMPORTCLAIMANTS, ASN_GAUGE, exc_snap_comport, claimants),
    EXC_COL_INT(COLUMN_EXCONNCOMPORTCONFLICTSTATE, exc_snap_comport, conflict),
    EXC_COL_TIMESTAMP(COLUMN_EXCONNCOMPORTCONFLICTSINCE, exc_snap_comport, conflict_since_ms),
};

const exc_table_def exc_comport_table = {
    .name = "exConnComPortTable", .table = EXC_TBL_COMPORT, EXC_TABLE_COLUMNS(columns),
    EXC_TABLE_SERVER_NAMED(EXC_SNAP_COMPORTS), .index = index_of,
};
