/* One table of the MIB served from the current snapshot: a
 * netsnmp_create_handler_registration + table_container chain, as Net-SNMP's
 * mib2c.container.conf builds it, with one small handler of ours in front
 * of table_container that reloads the container from the snapshot lazily
 * (the first time the table is asked after a new snapshot arrived) and lets
 * a walk step over absent cells. */
#ifndef EXC_TABLE_H
#define EXC_TABLE_H

#include "agent.h"
#include "columns.h"

typedef struct exc_table_def {
    const char *name;            /* registration name, e.g. "exConnQueueTable" */
    unsigned table;              /* sub-identifier under exConnObjects */
    unsigned n_index;
    u_char index_type[3];        /* ASN_OCTET_STR or ASN_UNSIGNED, in INDEX order */
    /* EXC_TBL_WHOLE: how many rows the snapshot has, and row i (the
     * per-server tables read the parts: NULL). */
    size_t (*count)(const exc_snapshot *s);
    const void *(*row)(const exc_snapshot *s, size_t i);
    /* Encode a row's index into out; returns the number of sub-ids. */
    size_t (*index)(const void *row, oid *out, size_t max);
    /* The columns, in MIB order (EXC_TABLE_COLUMNS). */
    const exc_column *columns;
    size_t n_columns;
    /* How rows relate to servers (issue 14: a new snapshot whose servers
     * kept their rows only repoints the loaded rows, see table.c):
     * EXC_TBL_WHOLE reloads whole; EXC_TBL_SERVERS: row i is servers[i];
     * EXC_TBL_SERVER_ROWS: each server's rows are `which` of that server. */
    enum { EXC_TBL_WHOLE = 0, EXC_TBL_SERVERS, EXC_TBL_SERVER_ROWS } layout;
    exc_snap_rows which;
} exc_table_def;

/* The .columns and .n_columns of a definition: the array cols. */
#define EXC_TABLE_COLUMNS(cols) .columns = (cols), .n_columns = sizeof (cols) / sizeof (cols)[0]

/* A column's value in a row of the table; false = no such column, or no
 * instance in this row (e.g. a count the report did not give). */
static inline bool exc_table_column(const exc_table_def *d, const void *row, unsigned col,
                                    exc_val *v)
{
    return exc_column_value(d->columns, d->n_columns, row, col, v);
}
static inline unsigned exc_table_min_col(const exc_table_def *d)
{
    return d->columns[0].col;
}
static inline unsigned exc_table_max_col(const exc_table_def *d)
{
    return d->columns[d->n_columns - 1].col;
}

/* The rows of a table in a snapshot, in the order of its array or of the
 * servers: how many, and one after the other from a zeroed cursor (NULL
 * after the last). */
typedef struct exc_row_cursor {
    size_t server, j, i;
} exc_row_cursor;
size_t exc_table_row_count(const exc_table_def *d, const exc_snapshot *s);
const void *exc_table_next_row(const exc_table_def *d, const exc_snapshot *s,
                               exc_row_cursor *c);

/* Register a table; SNMPERR_SUCCESS or an error (everything undone). */
int exc_table_register(const exc_table_def *def);

/* A new snapshot arrived: every table reloads before its next answer. */
void exc_tables_invalidate(void);

/* Unregister every table and free its rows. */
void exc_tables_shutdown(void);

/* The definitions, one per file (table_*.c). */
extern const exc_table_def exc_server_table;
extern const exc_table_def exc_connector_table;
extern const exc_table_def exc_comport_table;
extern const exc_table_def exc_claimant_table;
extern const exc_table_def exc_queue_table;
extern const exc_table_def exc_kb_table;
extern const exc_table_def exc_alarm_table;
extern const exc_table_def exc_history_table;

#endif
