/* Column values and index encoding shared by every table, the scalars and
 * the notifications (so a trap's varbind and a GET's answer are one code). */
#include "values.h"

#include "agent.h"

#include <string.h>
#include <time.h>

#include "util.h"

static int64_t start_wall_ms;   /* wall clock when the agent's uptime began */

u_long exc_timestamp(int64_t wall_ms)
{
    if (wall_ms <= 0)
        return 0;
    /* Express the moment in this agent's sysUpTime (a subagent's follows
     * the master's: Net-SNMP re-synchronises it on every AgentX response),
     * the clock its traps' sysUpTime.0 uses.  The origin of that clock on
     * the wall clock is kept while it holds to within a few ticks, so one
     * moment reads as the same TimeStamp poll after poll (an NMS takes a
     * TimeStamp that moves for a change); a re-synchronisation or a wall
     * clock step moves it. */
    int64_t now = exc_now_ms();
    int64_t start = now - (int64_t)netsnmp_get_agent_uptime() * 10;
    if (start_wall_ms == 0 || start - start_wall_ms > 50 || start_wall_ms - start > 50)
        start_wall_ms = start;
    if (wall_ms > now)
        wall_ms = now;
    return wall_ms > start_wall_ms ? (u_long)((wall_ms - start_wall_ms) / 10) : 0;
}

size_t exc_date_and_time(int64_t wall_ms, u_char out[11])
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900;
    out[0] = (u_char)(year >> 8);
    out[1] = (u_char)(year & 0xff);
    out[2] = (u_char)(tm.tm_mon + 1);
    out[3] = (u_char)tm.tm_mday;
    out[4] = (u_char)tm.tm_hour;
    out[5] = (u_char)tm.tm_min;
    out[6] = (u_char)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
    out[7] = (u_char)((wall_ms % 1000) / 100);
    out[8] = '+';
    out[9] = 0;
    out[10] = 0;
    return 11;
}

void exc_val_int(exc_val *v, long i)
{
    v->type = ASN_INTEGER;
    v->i = i;
    v->ptr = NULL;
}

void exc_val_unsigned(exc_val *v, u_char type, uint64_t u)
{
    v->type = type;
    v->u = u > 0xffffffffu ? 0xffffffffu : (u_long)u;
    v->ptr = NULL;
}

void exc_val_string(exc_val *v, const char *s)
{
    v->type = ASN_OCTET_STR;
    v->ptr = s;
    v->len = strlen(s);
}

void exc_val_datetime(exc_val *v, int64_t wall_ms)
{
    v->type = ASN_OCTET_STR;
    v->len = exc_date_and_time(wall_ms, v->dt);
    v->ptr = v->dt;
}

void exc_val_oid(exc_val *v, const oid *o, size_t len)
{
    if (len > OID_LENGTH(v->oids))
        len = OID_LENGTH(v->oids);   /* the MIB's OIDs are 12 sub-ids */
    memcpy(v->oids, o, len * sizeof(oid));
    v->type = ASN_OBJECT_ID;
    v->ptr = v->oids;
    v->len = len * sizeof(oid);
}

int exc_val_set(netsnmp_variable_list *vb, const exc_val *v)
{
    switch (v->type) {
    case ASN_INTEGER:
        return snmp_set_var_typed_value(vb, v->type, &v->i, sizeof v->i);
    case ASN_UNSIGNED: case ASN_COUNTER: case ASN_TIMETICKS:
        return snmp_set_var_typed_value(vb, v->type, &v->u, sizeof v->u);
    default:
        return snmp_set_var_typed_value(vb, v->type, v->ptr, v->len);
    }
}

size_t exc_oid_put_string(oid *out, size_t max, const char *s)
{
    size_t n = strlen(s);
    if (n + 1 > max)
        n = max - 1;
    out[0] = n;
    for (size_t i = 0; i < n; i++)
        out[i + 1] = (unsigned char)s[i];
    return n + 1;
}
