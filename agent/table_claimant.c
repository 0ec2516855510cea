/* exConnComClaimantTable { exConnServerName, exConnComPortName, exConnComClaimantIndex } */
#include "table.h"
#include "table_rows.h"
#include "table_claimant.h"

#include "mib_oids.h"


static size_t index_of(const void *row, oid *out, size_t max)
{
    const exc_snap_claimant *c = row;
    size_t k = exc_index_server_row(out, max, c->server, c->port);
    out[k] = c->index;
    return k + 1;
}

static bool column(const void *row, unsigned col, exc_val *v)
{
    const exc_snap_claimant *c = row;
    switch (col) {
    case COLUMN_EXCONNCOMCLAIMANTKIND: exc_val_int(v, c->kind); return true;
    case COLUMN_EXCONNCOMCLAIMANTNAME: exc_val_string(v, c->name); return true;
    default: return false;
    }
}

const exc_table_def exc_claimant_table = {
    .name = "exConnComClaimantTable", .table = EXC_TBL_CLAIMANT, .min_col = COLUMN_EXCONNCOMCLAIMANTKIND,
    .max_col = COLUMN_EXCONNCOMCLAIMANTNAME,
    .n_index = 3, .index_type = {ASN_OCTET_STR, ASN_OCTET_STR, ASN_UNSIGNED},
    .rows = NULL, .index = index_of, .column = column,
    .layout = EXC_TBL_SERVER_ROWS, .which = EXC_SNAP_CLAIMANTS,
};
