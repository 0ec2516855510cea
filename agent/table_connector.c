/* exConnConnectorTable { exConnServerName, exConnConnectorName } */
#include "table.h"
#include "table_connector.h"

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
    case COLUMN_EXCONNCONNECTORTYPE: exc_val_int(v, c->c.type); return true;
    case COLUMN_EXCONNCONNECTORSERVICE: exc_val_string(v, c->c.service); return true;
    case COLUMN_EXCONNCONNECTORSTATE: exc_val_int(v, c->c.state); return true;
    case COLUMN_EXCONNCONNECTORWIN32EXITCODE:
        if (!c->c.win32_exit.known)
            return false;
        exc_val_unsigned(v, ASN_UNSIGNED, c->c.win32_exit.v);
        return true;
    case COLUMN_EXCONNCONNECTORSERVICEEXITCODE:
        if (!c->c.service_exit.known)
            return false;
        exc_val_unsigned(v, ASN_UNSIGNED, c->c.service_exit.v);
        return true;
    case COLUMN_EXCONNCONNECTORHEALTH: exc_val_int(v, c->health); return true;
    case COLUMN_EXCONNCONNECTORKBARTICLE: exc_val_string(v, c->kb_article); return true;
    case COLUMN_EXCONNCONNECTORCOMPORT: exc_val_string(v, c->c.com_port); return true;
    case COLUMN_EXCONNCONNECTORDIRSYNC: exc_val_int(v, c->c.dirsync); return true;
    case COLUMN_EXCONNCONNECTORQUEUEFILE: exc_val_int(v, c->c.queuefile); return true;
    case COLUMN_EXCONNCONNECTORREMOTESITE: exc_val_string(v, c->c.remote_site); return true;
    case COLUMN_EXCONNCONNECTORLINKSTATE: exc_val_int(v, c->c.link); return true;
    case COLUMN_EXCONNCONNECTORLASTCHANGE: exc_val_unsigned(v, ASN_TIMETICKS, exc_timestamp(c->last_change_ms)); return true;
    default: return false;
    }
}

const exc_table_def exc_connector_table = {
    .name = "exConnConnectorTable", .table = EXC_TBL_CONNECTOR, .min_col = COLUMN_EXCONNCONNECTORTYPE,
    .max_col = COLUMN_EXCONNCONNECTORLASTCHANGE,
    .n_index = 2, .index_type = {ASN_OCTET_STR, ASN_OCTET_STR},
    .rows = rows, .index = index_of, .column = column,
    .layout = EXC_TBL_SERVER_ROWS, .which = EXC_SNAP_CONNECTORS,
};
