/* exConnConnectorEntry columns (mibs/EXCHANGE-CONNECTOR-MIB.txt), named as mib2c
 * names them; tests/unit_agent/test_tables.c checks them against the MIB. */
#ifndef EXC_TABLE_CONNECTOR_H
#define EXC_TABLE_CONNECTOR_H

#define COLUMN_EXCONNCONNECTORNAME                     1
#define COLUMN_EXCONNCONNECTORTYPE                     2
#define COLUMN_EXCONNCONNECTORSERVICE                  3
#define COLUMN_EXCONNCONNECTORSTATE                    4
#define COLUMN_EXCONNCONNECTORWIN32EXITCODE            5
#define COLUMN_EXCONNCONNECTORSERVICEEXITCODE          6
#define COLUMN_EXCONNCONNECTORHEALTH                   7
#define COLUMN_EXCONNCONNECTORKBARTICLE                8
#define COLUMN_EXCONNCONNECTORCOMPORT                  9
#define COLUMN_EXCONNCONNECTORDIRSYNC                  10
#define COLUMN_EXCONNCONNECTORQUEUEFILE                11
#define COLUMN_EXCONNCONNECTORREMOTESITE               12
#define COLUMN_EXCONNCONNECTORLINKSTATE                13
#define COLUMN_EXCONNCONNECTORLASTCHANGE               14

#endif
