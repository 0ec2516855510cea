/* exConnComPortTable { exConnServerName, exConnComPortName } */
#include "table.h"
#include "table_comport.h"

#include "mib_oids.h"

static const void *rows(const exc_snapshot *s, size_t *n, size_t *stride)
{
    *n = s->n_comports;
    *stride = sizeof *s->comports;
    return s->comports;
}

static size_t index_of(const void *row, oid *out, size_t max)
{
    const exc_snap_comport *p = row;
    size_t k = exc_oid_put_string(out, max, p->server);
    return k + exc_oid_put_string(out + k, max - k, p->name);
}

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
    .max_col = COLUMN_EXCONNCOMPORTCONFLICTSINCE,
    .n_index = 2, .index_type = {ASN_OCTET_STR, ASN_OCTET_STR},
    .rows = rows, .index = index_of, .column = column,
    .layout = EXC_TBL_SERVER_ROWS, .which = EXC_SNAP_COMPORTS,
};
