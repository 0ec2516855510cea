/* exConnComClaimantEntry columns (mibs/EXCHANGE-CONNECTOR-MIB.txt), named as mib2c
 * names them; tests/unit_agent/test_tables.c checks them against the MIB. */
#ifndef EXC_TABLE_CLAIMANT_H
#define EXC_TABLE_CLAIMANT_H

#define COLUMN_EXCONNCOMCLAIMANTINDEX                  1
#define COLUMN_EXCONNCOMCLAIMANTKIND                   2
#define COLUMN_EXCONNCOMCLAIMANTNAME                   3

#endif
