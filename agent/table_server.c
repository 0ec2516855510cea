/* exConnServerTable { exConnServerName } */
#include "table.h"
#include "table_rows.h"
#include "table_server.h"

#include "mib_oids.h"
#include "util.h"


static size_t index_of(const void *row, oid *out, size_t max)
{
    return exc_oid_put_string(out, max, ((const exc_snap_server *)row)->name);
}

/* A server known from events only has no report yet: no instance. */
static bool last_report(const void *row, exc_val *v)
{
    const exc_snap_server *s = row;
    if (!s->reported)
        return false;
    exc_val_datetime(v, s->collected * 1000);
    return true;
}

static bool report_age(const void *row, exc_val *v)
{
    const exc_snap_server *s = row;
    if (!s->reported)
        return false;
    int64_t age = (exc_now_ms() - s->received_ms) / 1000;
    exc_val_unsigned(v, ASN_UNSIGNED, age > 0 ? (uint64_t)age : 0);
    return true;
}

/* From the collector's collection-status records (contract A): unknown,
 * and no last collection, until the first. */
static bool collect_status(const void *row, exc_val *v)
{
    const exc_snap_server *s = row;
    exc_val_int(v, s->collect_status ? s->collect_status : EXC_CS_UNKNOWN);
    return true;
}

static bool last_collect(const void *row, exc_val *v)
{
    const exc_snap_server *s = row;
    if (s->collect_status == 0)
        return false;
    exc_val_datetime(v, s->collect_time * 1000);
    return true;
}

static const exc_column columns[] = {
    EXC_COL_STRING(COLUMN_EXCONNSERVERSITE, exc_snap_server, site),
    EXC_COL_STRING(COLUMN_EXCONNSERVEREXCHANGEVERSION, exc_snap_server, exchange_version),
    EXC_COL_STRING(COLUMN_EXCONNSERVERMTAVERSION, exc_snap_server, mta_version),
    EXC_COL_FN(COLUMN_EXCONNSERVERLASTREPORT, last_report),
    EXC_COL_FN(COLUMN_EXCONNSERVERREPORTAGE, report_age),
    EXC_COL_INT(COLUMN_EXCONNSERVERSTATUS, exc_snap_server, status),
    EXC_COL_U32(COLUMN_EXCONNSERVERALARMS, ASN_GAUGE, exc_snap_server, alarms),
    EXC_COL_FN(COLUMN_EXCONNSERVERCOLLECTSTATUS, collect_status),
    EXC_COL_STRING(COLUMN_EXCONNSERVERCOLLECTERROR, exc_snap_server, collect_error),
    EXC_COL_FN(COLUMN_EXCONNSERVERLASTCOLLECT, last_collect),
};

const exc_table_def exc_server_table = {
    .name = "exConnServerTable", .table = EXC_TBL_SERVER, EXC_TABLE_COLUMNS(columns),
    .n_index = 1, .index_type = {ASN_OCTET_STR}, .index = index_of,
    .layout = EXC_TBL_SERVERS,
};
