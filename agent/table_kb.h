/* exConnKbArticleEntry columns (mibs/EXCHANGE-CONNECTOR-MIB.txt), named as mib2c
 * names them; tests/unit_agent/test_tables.c checks them against the MIB. */
#ifndef EXC_TABLE_KB_H
#define EXC_TABLE_KB_H

#define COLUMN_EXCONNKBARTICLEID                       1
#define COLUMN_EXCONNKBARTICLETITLE                    2
#define COLUMN_EXCONNKBARTICLEAPPLIESTO                3
#define COLUMN_EXCONNKBARTICLESYMPTOM                  4
#define COLUMN_EXCONNKBARTICLECAUSE                    5
#define COLUMN_EXCONNKBARTICLERESOLUTION               6
#define COLUMN_EXCONNKBARTICLEURL                      7
#define COLUMN_EXCONNKBARTICLESEVERITY                 8
#define COLUMN_EXCONNKBARTICLENOTIFICATION             9
#define COLUMN_EXCONNKBARTICLEMATCHES                  10

#endif
