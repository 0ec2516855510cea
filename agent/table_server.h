/* exConnServerEntry columns (mibs/EXCHANGE-CONNECTOR-MIB.txt), named as mib2c
 * names them; tests/unit_agent/test_tables.c checks them against the MIB. */
#ifndef EXC_TABLE_SERVER_H
#define EXC_TABLE_SERVER_H

#define COLUMN_EXCONNSERVERNAME                        1
#define COLUMN_EXCONNSERVERSITE                        2
#define COLUMN_EXCONNSERVEREXCHANGEVERSION             3
#define COLUMN_EXCONNSERVERMTAVERSION                  4
#define COLUMN_EXCONNSERVERLASTREPORT                  5
#define COLUMN_EXCONNSERVERREPORTAGE                   6
#define COLUMN_EXCONNSERVERSTATUS                      7
#define COLUMN_EXCONNSERVERALARMS                      8
#define COLUMN_EXCONNSERVERCOLLECTSTATUS               9
#define COLUMN_EXCONNSERVERCOLLECTERROR                10
#define COLUMN_EXCONNSERVERLASTCOLLECT                 11

#endif
