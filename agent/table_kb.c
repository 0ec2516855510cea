/* exConnKbArticleTable { exConnKbArticleId } */
#include "table.h"
#include "table_rows.h"
#include "table_kb.h"

#include "mib_oids.h"

EXC_TABLE_ARRAY(kb, n_kb)

static size_t index_of(const void *row, oid *out, size_t max)
{
    return exc_oid_put_string(out, max, ((const exc_snap_kb *)row)->a.id);
}

static bool notification(const void *row, exc_val *v)
{
    const oid notif[] = {EXC_NOTIFICATIONS, (oid)((const exc_snap_kb *)row)->a.notification};
    exc_val_oid(v, notif, OID_LENGTH(notif));   /* copied into v */
    return true;
}

/* Also the URL varbind of the notifications (notify.c). */
static const exc_column columns[] = {
    EXC_COL_STRING(COLUMN_EXCONNKBARTICLETITLE, exc_snap_kb, a.title),
    EXC_COL_STRING(COLUMN_EXCONNKBARTICLEAPPLIESTO, exc_snap_kb, a.applies_to),
    EXC_COL_STRING(COLUMN_EXCONNKBARTICLESYMPTOM, exc_snap_kb, a.symptom),
    EXC_COL_STRING(COLUMN_EXCONNKBARTICLECAUSE, exc_snap_kb, a.cause),
    EXC_COL_STRING(COLUMN_EXCONNKBARTICLERESOLUTION, exc_snap_kb, a.resolution),
    EXC_COL_STRING(COLUMN_EXCONNKBARTICLEURL, exc_snap_kb, a.url),
    EXC_COL_INT(COLUMN_EXCONNKBARTICLESEVERITY, exc_snap_kb, a.severity),
    EXC_COL_FN(COLUMN_EXCONNKBARTICLENOTIFICATION, notification),
    EXC_COL_U32(COLUMN_EXCONNKBARTICLEMATCHES, ASN_COUNTER, exc_snap_kb, matches),
};

const exc_table_def exc_kb_table = {
    .name = "exConnKbArticleTable", .table = EXC_TBL_KB, EXC_TABLE_COLUMNS(columns),
    .n_index = 1, .index_type = {ASN_OCTET_STR}, .count = count, .row = row, .index = index_of,
};
