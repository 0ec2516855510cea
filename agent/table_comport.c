/* exConnComPortTable { exConnServerName, exConnComPortName } */
#include "table.h"
#include "table_rows.h"
#include "table_comport.h"

#include "mib_oids.h"


EXC_TABLE_INDEX_SERVER_ROW(exc_snap_comport, name)

static bool column(const void *row, unsigned col, exc_val *v)
{
    const exc_snap_comport *p = row;
    switch (col) {
    case COLUMN_EXCONNCOMPORTCLAIMANTS: exc_val_unsigned(v, ASN_GAUGE, p->claimants); return true;
    case COLUMN_EXCONNCOMPORTCONFLICTSTATE: exc_val_int(v, p->conflict); return true;
    case COLUMN_EXCONNCOMPORTCONFLICTSINCE: exc_val_unsigned(v, ASN_TIMETICKS, exc_timestamp(p->conflict_since_ms)); return true;
    default: return false;
    }
}

const exc_table_def exc_comport_table = {
    .name = "exConnComPortTable", .table = EXC_TBL_COMPORT, .min_col = COLUMN_EXCONNCOMPORTCLAIMANTS,
    .max_col = COLUMN_EXCONNCOMPORTCONFLICTSINCE, EXC_TABLE_SERVER_NAMED(EXC_SNAP_COMPORTS),
    .rows = NULL, .index = index_of, .column = column,
};
