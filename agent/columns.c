/* The value of one column of a row, read as its exc_column says. */
#include "columns.h"

#include "report.h"   /* exc_opt_u32, exc_opt_u64 */

/* The columns of an entry are numbered without gaps (test_tables checks
 * every list): col's is at col - first. */
static const exc_column *find(const exc_column *cols, size_t n, unsigned col)
{
    if (n == 0 || col < cols[0].col || col - cols[0].col >= n)
        return NULL;
    return &cols[col - cols[0].col];
}

/* A number the report may leave out: no instance when it did. */
static bool opt_unsigned(exc_val *v, u_char asn, bool known, uint64_t u)
{
    if (known)
        exc_val_unsigned(v, asn, u);
    return known;
}

bool exc_column_value(const exc_column *cols, size_t n, const void *row, unsigned col,
                      exc_val *v)
{
    const exc_column *c = find(cols, n, col);
    if (!c)
        return false;
    const void *m = (const char *)row + c->off;
    switch (c->kind) {
    case EXC_CK_INT: exc_val_int(v, *(const int *)m); return true;
    case EXC_CK_U32: exc_val_unsigned(v, c->asn, *(const uint32_t *)m); return true;
    case EXC_CK_OPT_U32: {
        const exc_opt_u32 *o = m;
        return opt_unsigned(v, c->asn, o->known, o->v);
    }
    case EXC_CK_OPT_U64: {
        const exc_opt_u64 *o = m;
        return opt_unsigned(v, c->asn, o->known, o->v);
    }
    case EXC_CK_STRING: exc_val_string(v, m); return true;
    case EXC_CK_DATETIME: exc_val_datetime(v, *(const int64_t *)m); return true;
    case EXC_CK_TIMESTAMP:
        exc_val_unsigned(v, ASN_TIMETICKS, exc_timestamp(*(const int64_t *)m));
        return true;
    case EXC_CK_FN: return c->fn(row, v);
    }
    return false;
}
