/* exConnQueueEntry columns (mibs/EXCHANGE-CONNECTOR-MIB.txt), named as mib2c
 * names them; tests/unit_agent/test_tables.c checks them against the MIB. */
#ifndef EXC_TABLE_QUEUE_H
#define EXC_TABLE_QUEUE_H

#define COLUMN_EXCONNQUEUENAME                         1
#define COLUMN_EXCONNQUEUEKIND                         2
#define COLUMN_EXCONNQUEUECONNECTOR                    3
#define COLUMN_EXCONNQUEUEMESSAGES                     4
#define COLUMN_EXCONNQUEUEBYTES                        5
#define COLUMN_EXCONNQUEUEOLDESTAGE                    6
#define COLUMN_EXCONNQUEUESTATE                        7

#endif
