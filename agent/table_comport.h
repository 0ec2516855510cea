/* exConnComPortEntry columns (mibs/EXCHANGE-CONNECTOR-MIB.txt), named as mib2c
 * names them; tests/unit_agent/test_tables.c checks them against the MIB. */
#ifndef EXC_TABLE_COMPORT_H
#define EXC_TABLE_COMPORT_H

#define COLUMN_EXCONNCOMPORTNAME                       1
#define COLUMN_EXCONNCOMPORTCLAIMANTS                  2
#define COLUMN_EXCONNCOMPORTCONFLICTSTATE              3
#define COLUMN_EXCONNCOMPORTCONFLICTSINCE              4

#endif
