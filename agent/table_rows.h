/* The pieces the table definitions (agent/table_*.c) have in common: their
 * count() and row() over one snapshot array, their index encodings (one unsigned, or
 * { exConnServerName, the row's name } with the per-server layout that goes
 * with it).  Included by table_*.c
 * (and their test) only. */
#ifndef EXC_TABLE_ROWS_H
#define EXC_TABLE_ROWS_H

#include "table.h"

/* The table's count() and row(): the snapshot array s->array of s->n rows. */
#define EXC_TABLE_ARRAY(array, n)                                              \
    static size_t count(const exc_snapshot *s)                                 \
    {                                                                          \
        return s->n;                                                           \
    }                                                                          \
    static const void *row(const exc_snapshot *s, size_t i)                    \
    {                                                                          \
        return &s->array[i];                                                   \
    }

/* The table's index_of() for an INDEX of one unsigned: the member `index`
 * of the row type. */
#define EXC_TABLE_INDEX_UNSIGNED(type)                                         \
    static size_t index_of(const void *row, oid *out, size_t max)              \
    {                                                                          \
        (void)max;                                                             \
        out[0] = ((const type *)row)->index;                                   \
        return 1;                                                              \
    }

/* An INDEX { exConnServerName, <the row's name> }: both DisplayStrings;
 * returns the sub-ids used. */
static inline size_t exc_index_server_row(oid *out, size_t max, const char *server,
                                          const char *name)
{
    size_t k = exc_oid_put_string(out, max, server);
    return k + exc_oid_put_string(out + k, max - k, name);
}

/* The table's index_of() for INDEX { exConnServerName, <the row's name> }:
 * the members server and name_member of the row type. */
#define EXC_TABLE_INDEX_SERVER_ROW(type, name_member)                          \
    static size_t index_of(const void *row, oid *out, size_t max)              \
    {                                                                          \
        const type *r = row;                                                   \
        return exc_index_server_row(out, max, r->server, r->name_member);      \
    }

/* The index and layout fields of the exc_table_def of a table of each
 * server's rows (snapshot rows `which`), INDEX { exConnServerName, <the
 * row's name> } as EXC_TABLE_INDEX_SERVER_ROW encodes it. */
#define EXC_TABLE_SERVER_NAMED(which_)                                         \
    .n_index = 2, .index_type = {ASN_OCTET_STR, ASN_OCTET_STR},                \
    .layout = EXC_TBL_SERVER_ROWS, .which = (which_)

#endif
