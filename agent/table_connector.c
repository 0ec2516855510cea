/* exConnConnectorTable { exConnServerName, exConnConnectorName } */
#include "table.h"
#include "table_rows.h"
#include "table_connector.h"

#include "mib_oids.h"


EXC_TABLE_INDEX_SERVER_ROW(exc_snap_connector, c.name)

static bool column(const void *row, unsigned col, exc_val *v)
{
    const exc_snap_connector *c = row;
    switch (col) {
    case COLUMN_EXCONNCONNECTORTYPE: exc_val_int(v, c->c.type); return true;
    case COLUMN_EXCONNCONNECTORSERVICE: exc_val_string(v, c->c.service); return true;
    case COLUMN_EXCONNCONNECTORSTATE: exc_val_int(v, c->c.state); return true;
    case COLUMN_EXCONNCONNECTORWIN32EXITCODE:
        return exc_val_opt_unsigned(v, ASN_UNSIGNED, c->c.win32_exit.known, c->c.win32_exit.v);
    case COLUMN_EXCONNCONNECTORSERVICEEXITCODE:
        return exc_val_opt_unsigned(v, ASN_UNSIGNED, c->c.service_exit.known, c->c.service_exit.v);
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
    .max_col = COLUMN_EXCONNCONNECTORLASTCHANGE, EXC_TABLE_SERVER_NAMED(EXC_SNAP_CONNECTORS),
    .rows = NULL, .index = index_of, .column = column,
};
