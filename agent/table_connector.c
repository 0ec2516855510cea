/* exConnConnectorTable { exConnServerName, exConnConnectorName } */
#include "table.h"

#include "mib_oids.h"

static const void *rows(const exc_snapshot *s, size_t *n, size_t *stride)
{
    *n = s->n_connectors;
    *stride = sizeof *s->connectors;
    return s->connectors;
}

static size_t index_of(const void *row, oid *out, size_t max)
{
    const exc_snap_connector *c = row;
    size_t k = exc_oid_put_string(out, max, c->server);
    return k + exc_oid_put_string(out + k, max - k, c->c.name);
}

static bool column(const void *row, unsigned col, exc_val *v)
{
    const exc_snap_connector *c = row;
    switch (col) {
    case 2: exc_val_int(v, c->c.type); return true;
    case 3: exc_val_string(v, c->c.service); return true;
    case 4: exc_val_int(v, c->c.state); return true;
    case 5:
        if (!c->c.win32_exit.known)
            return false;
        exc_val_unsigned(v, ASN_UNSIGNED, c->c.win32_exit.v);
        return true;
    case 6:
        if (!c->c.service_exit.known)
            return false;
        exc_val_unsigned(v, ASN_UNSIGNED, c->c.service_exit.v);
        return true;
    case 7: exc_val_int(v, c->health); return true;
    case 8: exc_val_string(v, c->kb_article); return true;
    case 9: exc_val_string(v, c->c.com_port); return true;
    case 10: exc_val_int(v, c->c.dirsync); return true;
    case 11: exc_val_int(v, c->c.queuefile); return true;
    case 12: exc_val_string(v, c->c.remote_site); return true;
    case 13: exc_val_int(v, c->c.link); return true;
    case 14: exc_val_unsigned(v, ASN_TIMETICKS, exc_timestamp(c->last_change_ms)); return true;
    default: return false;
    }
}

const exc_table_def exc_connector_table = {
    .name = "exConnConnectorTable", .table = EXC_TBL_CONNECTOR, .min_col = 2, .max_col = 14,
    .n_index = 2, .index_type = {ASN_OCTET_STR, ASN_OCTET_STR},
    .rows = rows, .index = index_of, .column = column,
    .layout = EXC_TBL_SERVER_ROWS, .which = EXC_SNAP_CONNECTORS,
};
