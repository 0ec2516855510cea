"""exconn-traphandle: Windows Event-to-Trap Translator traps, received by
Net-SNMP's snmptrapd, turned into Windows Event XML files in exconn's spool
(docs/event-traps.md)."""
