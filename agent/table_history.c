/* exConnAlarmHistoryTable { exConnAlarmHistoryIndex } */
#include "table.h"
#include "table_rows.h"
#include "table_history.h"

#include "mib_oids.h"

EXC_TABLE_ARRAY(history, n_history)

EXC_TABLE_INDEX_UNSIGNED(exc_history)

static const exc_column columns[] = {
    EXC_COL_DATETIME(COLUMN_EXCONNALARMHISTORYTIME, exc_history, time_ms),
    EXC_COL_INT(COLUMN_EXCONNALARMHISTORYTRANSITION, exc_history, transition),
    EXC_COL_U32(COLUMN_EXCONNALARMHISTORYALARM, ASN_UNSIGNED, exc_history, alarm),
    EXC_COL_STRING(COLUMN_EXCONNALARMHISTORYKBARTICLE, exc_history, article),
    EXC_COL_STRING(COLUMN_EXCONNALARMHISTORYSERVER, exc_history, server),
    EXC_COL_STRING(COLUMN_EXCONNALARMHISTORYRESOURCE, exc_history, resource),
    EXC_COL_INT(COLUMN_EXCONNALARMHISTORYSEVERITY, exc_history, severity),
    EXC_COL_STRING(COLUMN_EXCONNALARMHISTORYDESCRIPTION, exc_history, description),
};

const exc_table_def exc_history_table = {
    .name = "exConnAlarmHistoryTable", .table = EXC_TBL_HISTORY, EXC_TABLE_COLUMNS(columns),
    .n_index = 1, .index_type = {ASN_UNSIGNED}, .count = count, .row = row, .index = index_of,
};
