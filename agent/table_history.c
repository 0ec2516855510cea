/* exConnAlarmHistoryTable { exConnAlarmHistoryIndex } */
#include "table.h"
#include "table_rows.h"
#include "table_history.h"

#include "mib_oids.h"

EXC_TABLE_ROWS(history, n_history)

EXC_TABLE_INDEX_UNSIGNED(exc_history)

static bool column(const void *row, unsigned col, exc_val *v)
{
    const exc_history *h = row;
    switch (col) {
    case COLUMN_EXCONNALARMHISTORYTIME: exc_val_datetime(v, h->time_ms); return true;
    case COLUMN_EXCONNALARMHISTORYTRANSITION: exc_val_int(v, h->transition); return true;
    case COLUMN_EXCONNALARMHISTORYALARM: exc_val_unsigned(v, ASN_UNSIGNED, h->alarm); return true;
    case COLUMN_EXCONNALARMHISTORYKBARTICLE: exc_val_string(v, h->article); return true;
    case COLUMN_EXCONNALARMHISTORYSERVER: exc_val_string(v, h->server); return true;
    case COLUMN_EXCONNALARMHISTORYRESOURCE: exc_val_string(v, h->resource); return true;
    case COLUMN_EXCONNALARMHISTORYSEVERITY: exc_val_int(v, h->severity); return true;
    case COLUMN_EXCONNALARMHISTORYDESCRIPTION: exc_val_string(v, h->description); return true;
    default: return false;
    }
}

const exc_table_def exc_history_table = {
    .name = "exConnAlarmHistoryTable", .table = EXC_TBL_HISTORY, .min_col = COLUMN_EXCONNALARMHISTORYTIME,
    .max_col = COLUMN_EXCONNALARMHISTORYDESCRIPTION, .n_index = 1, .index_type = {ASN_UNSIGNED},
    .rows = rows, .index = index_of, .column = column,
};
