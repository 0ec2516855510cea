/* OIDs of EXCHANGE-CONNECTOR-MIB (mibs/EXCHANGE-CONNECTOR-MIB.txt). */
#ifndef EXC_MIB_OIDS_H
#define EXC_MIB_OIDS_H

/* exConnMIB ::= { netSnmpPlaypen 5500 } */
#define EXC_MIB_ROOT 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 5500
#define EXC_MIB_ROOT_LEN 10

#define EXC_NOTIFICATIONS EXC_MIB_ROOT, 0
#define EXC_OBJECTS EXC_MIB_ROOT, 1
#define EXC_AGENT_OID EXC_OBJECTS, 1

/* tables under exConnObjects */
#define EXC_TBL_SERVER 2
#define EXC_TBL_CONNECTOR 3
#define EXC_TBL_COMPORT 4
#define EXC_TBL_CLAIMANT 5
#define EXC_TBL_QUEUE 6
#define EXC_TBL_KB 7
#define EXC_TBL_ALARM 8
#define EXC_TBL_HISTORY 9

/* exConnAlarmEntry columns used by notifications */
#define EXC_COL_ALARM_KBARTICLE 2
#define EXC_COL_ALARM_SEVERITY 3
#define EXC_COL_ALARM_SERVER 4
#define EXC_COL_ALARM_RESOURCE 5
#define EXC_COL_ALARM_DESCRIPTION 6
/* exConnKbArticleEntry */
#define EXC_COL_KB_URL 7

#endif
