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

static bool column(const void *row, unsigned col, exc_val *v)
{
    const exc_snap_server *s = row;
    switch (col) {
    case COLUMN_EXCONNSERVERSITE: exc_val_string(v, s->site); return true;
    case COLUMN_EXCONNSERVEREXCHANGEVERSION: exc_val_string(v, s->exchange_version); return true;
    case COLUMN_EXCONNSERVERMTAVERSION: exc_val_string(v, s->mta_version); return true;
    case COLUMN_EXCONNSERVERLASTREPORT:
        if (!s->reported)
            return false;   /* known from events only: no report yet */
        exc_val_datetime(v, s->collected * 1000);
        return true;
    case COLUMN_EXCONNSERVERREPORTAGE: {
        if (!s->reported)
            return false;
        int64_t age = (exc_now_ms() - s->received_ms) / 1000;
        exc_val_unsigned(v, ASN_UNSIGNED, age > 0 ? (uint64_t)age : 0);
        return true;
    }
    case COLUMN_EXCONNSERVERSTATUS: exc_val_int(v, s->status); return true;
    case COLUMN_EXCONNSERVERALARMS: exc_val_unsigned(v, ASN_GAUGE, s->alarms); return true;
    /* from the collector's collection-status records (contract A) */
    case COLUMN_EXCONNSERVERCOLLECTSTATUS: exc_val_int(v, s->collect_status ? s->collect_status : EXC_CS_UNKNOWN); return true;
    case COLUMN_EXCONNSERVERCOLLECTERROR: exc_val_string(v, s->collect_error); return true;
    case COLUMN_EXCONNSERVERLASTCOLLECT:
        if (s->collect_status == 0)
            return false;   /* no status record yet */
        exc_val_datetime(v, s->collect_time * 1000);
        return true;
    default: return false;
    }
}

const exc_table_def exc_server_table = {
    .name = "exConnServerTable", .table = EXC_TBL_SERVER, .min_col = COLUMN_EXCONNSERVERSITE,
    .max_col = COLUMN_EXCONNSERVERLASTCOLLECT, .n_index = 1, .index_type = {ASN_OCTET_STR},
    .rows = NULL, .index = index_of, .column = column,
    .layout = EXC_TBL_SERVERS,
};
