/* exConnKbArticleTable { exConnKbArticleId } */
#include "table.h"
#include "table_rows.h"
#include "table_kb.h"

#include "mib_oids.h"

EXC_TABLE_ROWS(kb, n_kb)

static size_t index_of(const void *row, oid *out, size_t max)
{
    return exc_oid_put_string(out, max, ((const exc_snap_kb *)row)->a.id);
}

bool exc_kb_column(const exc_snap_kb *k, unsigned col, exc_val *v)
{
    switch (col) {
    case COLUMN_EXCONNKBARTICLETITLE: exc_val_string(v, k->a.title); return true;
    case COLUMN_EXCONNKBARTICLEAPPLIESTO: exc_val_string(v, k->a.applies_to); return true;
    case COLUMN_EXCONNKBARTICLESYMPTOM: exc_val_string(v, k->a.symptom); return true;
    case COLUMN_EXCONNKBARTICLECAUSE: exc_val_string(v, k->a.cause); return true;
    case COLUMN_EXCONNKBARTICLERESOLUTION: exc_val_string(v, k->a.resolution); return true;
    case COLUMN_EXCONNKBARTICLEURL: exc_val_string(v, k->a.url); return true;
    case COLUMN_EXCONNKBARTICLESEVERITY: exc_val_int(v, k->a.severity); return true;
    case COLUMN_EXCONNKBARTICLENOTIFICATION: {
        const oid notif[] = {EXC_NOTIFICATIONS, (oid)k->a.notification};
        exc_val_oid(v, notif, OID_LENGTH(notif));   /* copied into v */
        return true;
    }
    case COLUMN_EXCONNKBARTICLEMATCHES: exc_val_unsigned(v, ASN_COUNTER, k->matches); return true;
    default: return false;
    }
}

static bool column(const void *row, unsigned col, exc_val *v)
{
    return exc_kb_column(row, col, v);
}

const exc_table_def exc_kb_table = {
    .name = "exConnKbArticleTable", .table = EXC_TBL_KB, .min_col = COLUMN_EXCONNKBARTICLETITLE,
    .max_col = COLUMN_EXCONNKBARTICLEMATCHES, .n_index = 1, .index_type = {ASN_OCTET_STR},
    .rows = rows, .index = index_of, .column = column,
};
