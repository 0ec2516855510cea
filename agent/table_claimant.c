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

static const exc_column columns[] = {
    EXC_COL_INT(COLUMN_EXCONNCOMCLAIMANTKIND, exc_snap_claimant, kind),
    EXC_COL_STRING(COLUMN_EXCONNCOMCLAIMANTNAME, exc_snap_claimant, name),
};

const exc_table_def exc_claimant_table = {
    .name = "exConnComClaimantTable", .table = EXC_TBL_CLAIMANT, EXC_TABLE_COLUMNS(columns),
    .n_index = 3, .index_type = {ASN_OCTET_STR, ASN_OCTET_STR, ASN_UNSIGNED},
    .index = index_of,
    .layout = EXC_TBL_SERVER_ROWS, .which = EXC_SNAP_CLAIMANTS,
};
