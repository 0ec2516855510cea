/* The value of one column of a row, read as its exc_column says. */
#include "columns.h"

#include "report.h"   /* exc_opt_u32, exc_opt_u64 */

static const exc_column *find(const exc_column *cols, size_t n, unsigned col)
{
    /* the columns of an entry are numbered without gaps: one look, usually */
    size_t i = col - cols[0].col;
    if (col >= cols[0].col && i < n && cols[i].col == col)
        return &cols[i];
    for (i = 0; i < n; i++)
        if (cols[i].col == col)
            return &cols[i];
    return NULL;
}

bool exc_column_value(const exc_column *cols, size_t n, const void *row, unsigned col,
                      exc_val *v)
{
    const exc_column *c = n ? find(cols, n, col) : NULL;
    if (!c)
        return false;
    const void *m = (const char *)row + c->off;
    switch (c->kind) {
    case EXC_CK_INT: exc_val_int(v, *(const int *)m); return true;
    case EXC_CK_U32: exc_val_unsigned(v, c->asn, *(const uint32_t *)m); return true;
    case EXC_CK_OPT_U32: {
        const exc_opt_u32 *o = m;
        if (!o->known)
            return false;   /* a count the report did not give: no instance */
        exc_val_unsigned(v, c->asn, o->v);
        return true;
    }
    case EXC_CK_OPT_U64: {
        const exc_opt_u64 *o = m;
        if (!o->known)
            return false;
        exc_val_unsigned(v, c->asn, o->v);
        return true;
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
