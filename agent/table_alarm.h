/* exConnAlarmEntry columns (mibs/EXCHANGE-CONNECTOR-MIB.txt), named as mib2c
 * names them; tests/unit_agent/test_tables.c checks them against the MIB. */
#ifndef EXC_TABLE_ALARM_H
#define EXC_TABLE_ALARM_H

#define COLUMN_EXCONNALARMINDEX                        1
#define COLUMN_EXCONNALARMKBARTICLE                    2
#define COLUMN_EXCONNALARMSEVERITY                     3
#define COLUMN_EXCONNALARMSERVER                       4
#define COLUMN_EXCONNALARMRESOURCE                     5
#define COLUMN_EXCONNALARMDESCRIPTION                  6
#define COLUMN_EXCONNALARMRAISED                       7
#define COLUMN_EXCONNALARMLASTSEEN                     8
#define COLUMN_EXCONNALARMCOUNT                        9

#endif
