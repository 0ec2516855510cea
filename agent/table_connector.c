/* exConnConnectorTable { exConnServerName, exConnConnectorName } */
#include "table.h"
#include "table_rows.h"
#include "table_connector.h"

#include "mib_oids.h"


EXC_TABLE_INDEX_SERVER_ROW(exc_snap_connector, c.name)

/* The exit codes a report did not give have no instance. */
static const exc_column columns[] = {
    EXC_COL_INT(COLUMN_EXCONNCONNECTORTYPE, exc_snap_connector, c.type),
    EXC_COL_STRING(COLUMN_EXCONNCONNECTORSERVICE, exc_snap_connector, c.service),
    EXC_COL_INT(COLUMN_EXCONNCONNECTORSTATE, exc_snap_connector, c.state),
    EXC_COL_OPT_U32(COLUMN_EXCONNCONNECTORWIN32EXITCODE, ASN_UNSIGNED, exc_snap_connector,
                    c.win32_exit),
    EXC_COL_OPT_U32(COLUMN_EXCONNCONNECTORSERVICEEXITCODE, ASN_UNSIGNED, exc_snap_connector,
                    c.service_exit),
    EXC_COL_INT(COLUMN_EXCONNCONNECTORHEALTH, exc_snap_connector, health),
    EXC_COL_STRING(COLUMN_EXCONNCONNECTORKBARTICLE, exc_snap_connector, kb_article),
    EXC_COL_STRING(COLUMN_EXCONNCONNECTORCOMPORT, exc_snap_connector, c.com_port),
    EXC_COL_INT(COLUMN_EXCONNCONNECTORDIRSYNC, exc_snap_connector, c.dirsync),
    EXC_COL_INT(COLUMN_EXCONNCONNECTORQUEUEFILE, exc_snap_connector, c.queuefile),
    EXC_COL_STRING(COLUMN_EXCONNCONNECTORREMOTESITE, exc_snap_connector, c.remote_site),
    EXC_COL_INT(COLUMN_EXCONNCONNECTORLINKSTATE, exc_snap_connector, c.link),
    EXC_COL_TIMESTAMP(COLUMN_EXCONNCONNECTORLASTCHANGE, exc_snap_connector, last_change_ms),
};

const exc_table_def exc_connector_table = {
    .name = "exConnConnectorTable", .table = EXC_TBL_CONNECTOR, EXC_TABLE_COLUMNS(columns),
    EXC_TABLE_SERVER_NAMED(EXC_SNAP_CONNECTORS), .index = index_of,
};
