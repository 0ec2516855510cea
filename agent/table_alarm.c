/* exConnAlarmTable { exConnAlarmIndex } */
#include "table.h"
#include "table_rows.h"
#include "table_alarm.h"

#include "mib_oids.h"

/* The active alarms, in the snapshot's chunks. */
static size_t count(const exc_snapshot *s)
{
    return s->n_alarms;
}

static const void *row(const exc_snapshot *s, size_t i)
{
    return exc_snapshot_alarm_at(s, i);
}

EXC_TABLE_INDEX_UNSIGNED(exc_alarm)

/* Also the alarm varbinds of every notification (notify.c). */
static const exc_column columns[] = {
    EXC_COL_STRING(COLUMN_EXCONNALARMKBARTICLE, exc_alarm, article),
    EXC_COL_INT(COLUMN_EXCONNALARMSEVERITY, exc_alarm, severity),
    EXC_COL_STRING(COLUMN_EXCONNALARMSERVER, exc_alarm, server),
    EXC_COL_STRING(COLUMN_EXCONNALARMRESOURCE, exc_alarm, resource),
    EXC_COL_STRING(COLUMN_EXCONNALARMDESCRIPTION, exc_alarm, description),
    EXC_COL_DATETIME(COLUMN_EXCONNALARMRAISED, exc_alarm, raised_ms),
    EXC_COL_DATETIME(COLUMN_EXCONNALARMLASTSEEN, exc_alarm, last_seen_ms),
    EXC_COL_U32(COLUMN_EXCONNALARMCOUNT, ASN_COUNTER, exc_alarm, count),
};

const exc_table_def exc_alarm_table = {
    .name = "exConnAlarmTable", .table = EXC_TBL_ALARM, EXC_TABLE_COLUMNS(columns),
    .n_index = 1, .index_type = {ASN_UNSIGNED}, .count = count, .row = row, .index = index_of,
};
