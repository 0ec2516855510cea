/* exConnAlarmTable { exConnAlarmIndex } */
#include "table.h"
#include "table_rows.h"
#include "table_alarm.h"

#include "mib_oids.h"

EXC_TABLE_ROWS(alarms, n_alarms)

EXC_TABLE_INDEX_UNSIGNED(exc_alarm)

/* Also builds the alarm varbinds of every notification (notify.c). */
bool exc_alarm_column(const exc_alarm *a, unsigned col, exc_val *v)
{
    switch (col) {
    case COLUMN_EXCONNALARMKBARTICLE: exc_val_string(v, a->article); return true;
    case COLUMN_EXCONNALARMSEVERITY: exc_val_int(v, a->severity); return true;
    case COLUMN_EXCONNALARMSERVER: exc_val_string(v, a->server); return true;
    case COLUMN_EXCONNALARMRESOURCE: exc_val_string(v, a->resource); return true;
    case COLUMN_EXCONNALARMDESCRIPTION: exc_val_string(v, a->description); return true;
    case COLUMN_EXCONNALARMRAISED: exc_val_datetime(v, a->raised_ms); return true;
    case COLUMN_EXCONNALARMLASTSEEN: exc_val_datetime(v, a->last_seen_ms); return true;
    case COLUMN_EXCONNALARMCOUNT: exc_val_unsigned(v, ASN_COUNTER, a->count); return true;
    default: return false;
    }
}

static bool column(const void *row, unsigned col, exc_val *v)
{
    return exc_alarm_column(row, col, v);
}

const exc_table_def exc_alarm_table = {
    .name = "exConnAlarmTable", .table = EXC_TBL_ALARM, .min_col = COLUMN_EXCONNALARMKBARTICLE,
    .max_col = COLUMN_EXCONNALARMCOUNT, .n_index = 1, .index_type = {ASN_UNSIGNED},
    .rows = rows, .index = index_of, .column = column,
};
