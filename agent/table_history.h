/* exConnAlarmHistoryEntry columns (mibs/EXCHANGE-CONNECTOR-MIB.txt), named as mib2c
 * names them; tests/unit_agent/test_tables.c checks them against the MIB. */
#ifndef EXC_TABLE_HISTORY_H
#define EXC_TABLE_HISTORY_H

#define COLUMN_EXCONNALARMHISTORYINDEX                 1
#define COLUMN_EXCONNALARMHISTORYTIME                  2
#define COLUMN_EXCONNALARMHISTORYTRANSITION            3
#define COLUMN_EXCONNALARMHISTORYALARM                 4
#define COLUMN_EXCONNALARMHISTORYKBARTICLE             5
#define COLUMN_EXCONNALARMHISTORYSERVER                6
#define COLUMN_EXCONNALARMHISTORYRESOURCE              7
#define COLUMN_EXCONNALARMHISTORYSEVERITY              8
#define COLUMN_EXCONNALARMHISTORYDESCRIPTION           9

#endif
