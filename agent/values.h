/* Column values and index encoding shared by every table, the scalars and
 * the notifications (agent/values.c), so that a trap's varbind and a GET's
 * answer are one code.  Agent thread only. */
#ifndef EXC_VALUES_H
#define EXC_VALUES_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stddef.h>
#include <stdint.h>

/* TimeStamp (sysUpTime ticks) of a wall-clock moment; 0 for moments before
 * the agent started or never (ms == 0). */
u_long exc_timestamp(int64_t wall_ms);

/* DateAndTime (RFC 2579, 11 octets, UTC) of a wall-clock moment. */
size_t exc_date_and_time(int64_t wall_ms, u_char out[11]);

/* A column value ready for snmp_set_var_typed_value. */
typedef struct exc_val {
    u_char type;           /* ASN_* */
    long i;                /* INTEGER */
    u_long u;              /* Unsigned32, Gauge32, Counter32, TimeTicks */
    const void *ptr;       /* strings and OIDs (NULL: use i / u) */
    size_t len;            /* octets for strings, bytes for OIDs */
    u_char dt[11];         /* DateAndTime scratch */
    oid oids[16];          /* OBJECT IDENTIFIER scratch (exc_val_oid copies into it) */
} exc_val;

void exc_val_int(exc_val *v, long i);
void exc_val_unsigned(exc_val *v, u_char type, uint64_t u);   /* saturates at 2^32-1 */
void exc_val_string(exc_val *v, const char *s);
void exc_val_datetime(exc_val *v, int64_t wall_ms);
void exc_val_oid(exc_val *v, const oid *o, size_t len);   /* copied: o may go */

/* Put v into a varbind. */
int exc_val_set(netsnmp_variable_list *vb, const exc_val *v);

/* Encode a DisplayString index (length, then octets); returns sub-ids used. */
size_t exc_oid_put_string(oid *out, size_t max, const char *s);

#endif
