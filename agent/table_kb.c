/* exConnKbArticleTable { exConnKbArticleId } */
#include "table.h"

#include "mib_oids.h"

static const void *rows(const exc_snapshot *s, size_t *n, size_t *stride)
{
    *n = s->n_kb;
    *stride = sizeof *s->kb;
    return s->kb;
}

static size_t index_of(const void *row, oid *out, size_t max)
{
    return exc_oid_put_string(out, max, ((const exc_snap_kb *)row)->a.id);
}

bool exc_kb_column(const exc_snap_kb *k, unsigned col, exc_val *v)
{
    static oid notif[] = {EXC_NOTIFICATIONS, 0};
    switch (col) {
    case 2: exc_val_string(v, k->a.title); return true;
    case 3: exc_val_string(v, k->a.applies_to); return true;
    case 4: exc_val_string(v, k->a.symptom); return true;
    case 5: exc_val_string(v, k->a.cause); return true;
    case 6: exc_val_string(v, k->a.resolution); return true;
    case EXC_COL_KB_URL: exc_val_string(v, k->a.url); return true;
    case 8: exc_val_int(v, k->a.severity); return true;
    case 9:
        /* agent thread only: the returned pointer is used before the next call */
        notif[OID_LENGTH(notif) - 1] = (oid)k->a.notification;
        exc_val_oid(v, notif, OID_LENGTH(notif));
        return true;
    case 10: exc_val_unsigned(v, ASN_COUNTER, k->matches); return true;
    default: return false;
    }
}

static bool column(const void *row, unsigned col, exc_val *v)
{
    return exc_kb_column(row, col, v);
}

const exc_table_def exc_kb_table = {
    .name = "exConnKbArticleTable", .table = EXC_TBL_KB, .min_col = 2, .max_col = 10,
    .n_index = 1, .index_type = {ASN_OCTET_STR},
    .rows = rows, .index = index_of, .column = column,
};
