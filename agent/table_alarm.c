/* exConnAlarmTable { exConnAlarmIndex } */
#include "table.h"

#include "mib_oids.h"

static const void *rows(const exc_snapshot *s, size_t *n, size_t *stride)
{
    *n = s->n_alarms;
    *stride = sizeof *s->alarms;
    return s->alarms;
}

static size_t index_of(const void *row, oid *out, size_t max)
{
    (void)max;
    out[0] = ((const exc_alarm *)row)->index;
    return 1;
}

/* Also builds the alarm varbinds of every notification (notify.c). */
bool exc_alarm_column(const exc_alarm *a, unsigned col, exc_val *v)
{
    switch (col) {
    case EXC_COL_ALARM_KBARTICLE: exc_val_string(v, a->article); return true;
    case EXC_COL_ALARM_SEVERITY: exc_val_int(v, a->severity); return true;
    case EXC_COL_ALARM_SERVER: exc_val_string(v, a->server); return true;
    case EXC_COL_ALARM_RESOURCE: exc_val_string(v, a->resource); return true;
    case EXC_COL_ALARM_DESCRIPTION: exc_val_string(v, a->description); return true;
    case 7: exc_val_datetime(v, a->raised_ms); return true;
    case 8: exc_val_datetime(v, a->last_seen_ms); return true;
    case 9: exc_val_unsigned(v, ASN_COUNTER, a->count); return true;
    default: return false;
    }
}

static bool column(const void *row, unsigned col, exc_val *v)
{
    return exc_alarm_column(row, col, v);
}

const exc_table_def exc_alarm_table = {
    .name = "exConnAlarmTable", .table = EXC_TBL_ALARM, .min_col = 2, .max_col = 9,
    .n_index = 1, .index_type = {ASN_UNSIGNED},
    .rows = rows, .index = index_of, .column = column,
};
