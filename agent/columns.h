/* A table's columns as a list (agent/table_*.c): for each COLUMN_* of the
 * MIB, where its value lies in the row and how it is encoded.  One list per
 * table in place of a switch per table, so that a table file reads as its
 * MIB entry does; the notifications build their varbinds from the same
 * lists (notify.c), so a trap and a GET cannot disagree.  Agent thread only. */
#ifndef EXC_COLUMNS_H
#define EXC_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "values.h"

typedef enum {
    EXC_CK_INT,        /* int member: INTEGER */
    EXC_CK_U32,        /* uint32_t member: asn Unsigned32, Gauge32 or Counter32 */
    EXC_CK_OPT_U32,    /* exc_opt_u32 member: no instance when not known */
    EXC_CK_OPT_U64,    /* exc_opt_u64 member: the same, saturated at 2^32-1 */
    EXC_CK_STRING,     /* char array member: DisplayString */
    EXC_CK_DATETIME,   /* int64_t wall ms: DateAndTime */
    EXC_CK_TIMESTAMP,  /* int64_t wall ms: TimeStamp (sysUpTime ticks) */
    EXC_CK_FN,         /* computed by fn (false: no instance) */
} exc_col_kind;

typedef struct exc_column {
    unsigned col;                                /* COLUMN_* */
    exc_col_kind kind;
    u_char asn;                                  /* the unsigned kinds' ASN_* type */
    size_t off;                                  /* offsetof the member in the row */
    bool (*fn)(const void *row, exc_val *v);     /* EXC_CK_FN */
} exc_column;

/* offsetof(T, m), and a compile error unless m has the type the kind reads
 * (char arrays decay to const char * in a generic selection). */
#define EXC_COL_OFF_(T, m, type) _Generic(((const T *)0)->m, type: offsetof(T, m))

#define EXC_COL_INT(c, T, m) {(c), EXC_CK_INT, 0, EXC_COL_OFF_(T, m, int), NULL}
#define EXC_COL_U32(c, asn_, T, m) {(c), EXC_CK_U32, (asn_), EXC_COL_OFF_(T, m, uint32_t), NULL}
#define EXC_COL_OPT_U32(c, asn_, T, m)                                         \
    {(c), EXC_CK_OPT_U32, (asn_), EXC_COL_OFF_(T, m, exc_opt_u32), NULL}
#define EXC_COL_OPT_U64(c, asn_, T, m)                                         \
    {(c), EXC_CK_OPT_U64, (asn_), EXC_COL_OFF_(T, m, exc_opt_u64), NULL}
#define EXC_COL_STRING(c, T, m) {(c), EXC_CK_STRING, 0, EXC_COL_OFF_(T, m, const char *), NULL}
#define EXC_COL_DATETIME(c, T, m) {(c), EXC_CK_DATETIME, 0, EXC_COL_OFF_(T, m, int64_t), NULL}
#define EXC_COL_TIMESTAMP(c, T, m) {(c), EXC_CK_TIMESTAMP, 0, EXC_COL_OFF_(T, m, int64_t), NULL}
#define EXC_COL_FN(c, fn_) {(c), EXC_CK_FN, 0, 0, (fn_)}

/* The column col of a row, of the list cols[n] (in column order); false: no
 * such column, or no instance in this row. */
bool exc_column_value(const exc_column *cols, size_t n, const void *row, unsigned col,
                      exc_val *v);

#endif
