/* In-process walk of every MIB table (agent/table_*.c, the exc_table_def
 * each file defines) over a fixture snapshot, the way lldpd's
 * tests/check_snmp.c walks its tables without an snmpd: the snapshot comes
 * from real reports (tests/data) applied to the model, the shipped KB and
 * the rules; the MIB is read by Net-SNMP's own parser.  For every table:
 *  - every row's index encodes the INDEX clause (length-prefixed strings,
 *    one sub-id per Unsigned32) and no two rows share one, so a GETNEXT walk
 *    (column by column, rows in index order) is strictly increasing;
 *  - the columns the definition serves are exactly the MIB's readable ones
 *    (the not-accessible index columns before them, nothing after), and each
 *    value has the type the MIB gives its column;
 *  - a few values are those of the report they came from. */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarms.h"
#include "cu_main.h"
#include "kb.h"
#include "mib_oids.h"
#include "model.h"
#include "report.h"
#include "rules.h"
#include "snapshot.h"
#include "table_alarm.h"
#include "table_claimant.h"
#include "table_comport.h"
#include "table_connector.h"
#include "table_history.h"
#include "table_kb.h"
#include "table_queue.h"
#include "table_rows.h"
#include "table_server.h"

static const exc_table_def *const defs[] = {
    &exc_server_table, &exc_connector_table, &exc_comport_table, &exc_claimant_table,
    &exc_queue_table,  &exc_kb_table,        &exc_alarm_table,   &exc_history_table,
};
#define N_DEFS (sizeof defs / sizeof defs[0])

static const oid objects[] = {EXC_OBJECTS};

static exc_kb kb;
static exc_model model;
static exc_alarms alarms;
static exc_snapshot *snap;

/* ---------- fixture: reports -> model -> rules -> snapshot ---------- */

static void apply_report(const char *name, int64_t now_ms)
{
    char path[512];
    snprintf(path, sizeof path, "%s", EXC_TEST_DATA("reports/"));
    strncat(path, name, sizeof path - strlen(path) - 1);
    exc_report r;
    exc_err err;
    memset(&err, 0, sizeof err);
    bool ok = exc_report_parse_file(path, 0, &r, &err) &&
              exc_model_apply_report(&model, &r, now_ms, &err);
    if (!ok)
        fprintf(stderr, "\n%s: %s\n", name, err.msg);
    CU_ASSERT_FATAL(ok);
    char server[EXC_SERVER_BUF];
    memcpy(server, r.server, sizeof server);
    exc_report_free(&r);
    exc_rules_cfg cfg = {.stale_after = 900, .event_ttl = 86400, .stall_samples = 3};
    const exc_server *s = exc_model_find(&model, server);
    CU_ASSERT_FATAL(s != NULL);
    exc_rules_eval_server(&cfg, &kb, &model, &alarms, s, now_ms);
}

static int fixture_init(void)
{
    exc_err err;
    memset(&err, 0, sizeof err);
    if (!exc_kb_load_dir(EXCONN_SOURCE_DIR "/kb", &kb, &err)) {
        fprintf(stderr, "kb: %s\n", err.msg);
        return 1;
    }
    exc_model_init(&model, 3);
    exc_alarms_init(&alarms, 100, 0, 100, true);
    return 0;
}

static int fixture_cleanup(void)
{
    exc_snapshot_free(snap);
    exc_alarms_free(&alarms);
    exc_model_free(&model);
    exc_kb_free(&kb);
    return 0;
}

/* The example report (every table but the alarms), a COM port conflict
 * (an alarm: alarm and history rows), then the repair of the conflict (a
 * cleared history row). */
static void build_snapshot(void)
{
    const int64_t t0 = 1795341630000LL;   /* 2026-11-22T10:00:30Z */
    apply_report("exch01-example.xml", t0);
    apply_report("q158047-conflict.xml", t0 + 1000);
    snap = exc_snapshot_build(&model, &alarms, &kb, 1);
    CU_ASSERT_FATAL(snap != NULL);
}

/* ---------- the MIB, as Net-SNMP parses it ---------- */

static struct tree *mib_node(const oid *name, size_t len)
{
    struct tree *t = get_tree(name, len, get_tree_head());
    /* get_tree answers the deepest node it knows: insist on the exact one */
    return t != NULL && t->subid == name[len - 1] ? t : NULL;
}

/* An entry's column COL as the MIB has it (NULL: no such column). */
static struct tree *mib_column(unsigned table, unsigned col)
{
    oid name[MAX_OID_LEN];
    size_t n = OID_LENGTH(objects);
    memcpy(name, objects, sizeof objects);
    name[n++] = table;
    name[n++] = 1;
    name[n++] = col;
    struct tree *t = mib_node(name, n);
    return t != NULL && t->parent != NULL && t->parent->subid == 1 ? t : NULL;
}

static void load_mib(void)
{
    netsnmp_set_mib_directory(EXCONN_BINARY_DIR "/mibs-std:/usr/share/snmp/mibs:" EXCONN_SOURCE_DIR
                                                "/mibs");
    netsnmp_init_mib();
    CU_ASSERT_FATAL(read_module("EXCHANGE-CONNECTOR-MIB") != NULL);
    CU_ASSERT_FATAL(mib_column(EXC_TBL_SERVER, 2) != NULL);
}

/* The MIB type (struct tree.type) of a value of ASN type t. */
static int mib_type_of(u_char t)
{
    switch (t) {
    case ASN_OCTET_STR: return TYPE_OCTETSTR;
    case ASN_INTEGER: return TYPE_INTEGER;
    case ASN_UNSIGNED: return TYPE_GAUGE;   /* Gauge32 and Unsigned32 are one ASN type */
    case ASN_COUNTER: return TYPE_COUNTER;
    case ASN_TIMETICKS: return TYPE_TIMETICKS;
    case ASN_OBJECT_ID: return TYPE_OBJID;
    default: return -1;
    }
}

static bool type_matches(const struct tree *col, u_char asn)
{
    int want = mib_type_of(asn);
    if (col->type == want)
        return true;
    return asn == ASN_UNSIGNED && col->type == TYPE_UNSIGNED32;
}

/* ---------- index encoding ---------- */

/* idx[0..len) is n_index values of the given types, nothing more. */
static bool index_well_formed(const exc_table_def *d, const oid *idx, size_t len)
{
    size_t at = 0;
    for (unsigned i = 0; i < d->n_index; i++) {
        if (at >= len)
            return false;
        if (d->index_type[i] == ASN_OCTET_STR) {
            size_t n = idx[at++];
            if (n == 0 || at + n > len)
                return false;
            for (size_t k = 0; k < n; k++)
                if (idx[at + k] > 255)
                    return false;
            at += n;
        } else {
            if (idx[at++] > 0xffffffffUL)
                return false;
        }
    }
    return at == len;
}

typedef struct row_index {
    oid sub[MAX_OID_LEN];
    size_t len;
    const void *row;
} row_index;

static int cmp_index(const void *a, const void *b)
{
    const row_index *x = a, *y = b;
    return snmp_oid_compare(x->sub, x->len, y->sub, y->len);
}

/* The rows of d, each with its index, sorted by index (the walk's order). */
static row_index *indexed_rows(const exc_table_def *d, size_t *n)
{
    *n = exc_table_row_count(d, snap);
    row_index *out = calloc(*n ? *n : 1, sizeof *out);
    CU_ASSERT_FATAL(out != NULL);
    exc_row_cursor c = {0, 0, 0};
    for (size_t i = 0; i < *n; i++) {
        out[i].row = exc_table_next_row(d, snap, &c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(out[i].row);
        out[i].len = d->index(out[i].row, out[i].sub, MAX_OID_LEN);
        if (!index_well_formed(d, out[i].sub, out[i].len))
            fprintf(stderr, "\n%s: row %zu has a malformed index\n", d->name, i);
        CU_ASSERT(index_well_formed(d, out[i].sub, out[i].len));
    }
    qsort(out, *n, sizeof *out, cmp_index);
    return out;
}

/* ---------- tests ---------- */

/* The fixture needs assertions, so it is the suite's first test. */
static void test_fixture(void)
{
    load_mib();
    build_snapshot();
}

static void test_every_table_has_rows(void)
{
    for (size_t i = 0; i < N_DEFS; i++) {
        size_t n = exc_table_row_count(defs[i], snap);
        exc_row_cursor c = {0, 0, 0};
        size_t seen = 0;
        while (exc_table_next_row(defs[i], snap, &c))
            seen++;
        CU_ASSERT_EQUAL(seen, n);   /* the count is the rows the cursor gives */
        if (n == 0)
            fprintf(stderr, "\n%s: no rows in the fixture\n", defs[i]->name);
        CU_ASSERT(n > 0);
    }
}

/* Column by column, rows in index order: strictly increasing OIDs, i.e.
 * no index twice (the container would refuse the second row). */
static void test_walk_order(void)
{
    for (size_t i = 0; i < N_DEFS; i++) {
        const exc_table_def *d = defs[i];
        size_t n;
        row_index *rows = indexed_rows(d, &n);
        for (size_t r = 1; r < n; r++) {
            if (cmp_index(&rows[r - 1], &rows[r]) >= 0)
                fprintf(stderr, "\n%s: two rows with one index\n", d->name);
            CU_ASSERT(cmp_index(&rows[r - 1], &rows[r]) < 0);
        }
        free(rows);
    }
}

/* The served columns are the MIB's readable ones, values of their type. */
static void test_columns_match_mib(void)
{
    for (size_t i = 0; i < N_DEFS; i++) {
        const exc_table_def *d = defs[i];
        for (unsigned col = 1; col < exc_table_min_col(d); col++) {
            struct tree *t = mib_column(d->table, col);
            CU_ASSERT_FATAL(t != NULL);
            CU_ASSERT_EQUAL(t->access, MIB_ACCESS_NOACCESS);
        }
        CU_ASSERT_PTR_NULL(mib_column(d->table, exc_table_max_col(d) + 1));
        size_t n;
        row_index *rows = indexed_rows(d, &n);
        /* one entry per column, in order and without a gap (columns.c
         * finds a column in one look then) */
        for (size_t k = 0; k < d->n_columns; k++)
            CU_ASSERT_EQUAL(d->columns[k].col, exc_table_min_col(d) + k);
        for (unsigned col = exc_table_min_col(d); col <= exc_table_max_col(d); col++) {
            struct tree *t = mib_column(d->table, col);
            if (t == NULL)
                fprintf(stderr, "\n%s: column %u is not in the MIB\n", d->name, col);
            CU_ASSERT_FATAL(t != NULL);
            CU_ASSERT_EQUAL(t->access, MIB_ACCESS_READONLY);
            CU_ASSERT_FALSE(exc_table_column(d, rows[0].row, 0, &(exc_val){0}));
            for (size_t r = 0; r < n; r++) {
                exc_val v;
                memset(&v, 0, sizeof v);
                if (!exc_table_column(d, rows[r].row, col, &v))
                    continue;   /* no instance: a count the report left out */
                if (!type_matches(t, v.type))
                    fprintf(stderr, "\n%s (%s): ASN type 0x%x, MIB type %d\n", t->label, d->name,
                            v.type, t->type);
                CU_ASSERT(type_matches(t, v.type));
            }
        }
        CU_ASSERT_FALSE(exc_table_column(d, rows[0].row, exc_table_max_col(d) + 1, &(exc_val){0}));
        free(rows);
    }
}

/* Every COLUMN_* constant of agent/table_*.h, by table and MIB name. */
static const struct column_name {
    unsigned table;
    const char *name;
    unsigned col;
} column_names[] = {
    { 2, "exConnServerName", COLUMN_EXCONNSERVERNAME },
    { 2, "exConnServerSite", COLUMN_EXCONNSERVERSITE },
    { 2, "exConnServerExchangeVersion", COLUMN_EXCONNSERVEREXCHANGEVERSION },
    { 2, "exConnServerMtaVersion", COLUMN_EXCONNSERVERMTAVERSION },
    { 2, "exConnServerLastReport", COLUMN_EXCONNSERVERLASTREPORT },
    { 2, "exConnServerReportAge", COLUMN_EXCONNSERVERREPORTAGE },
    { 2, "exConnServerStatus", COLUMN_EXCONNSERVERSTATUS },
    { 2, "exConnServerAlarms", COLUMN_EXCONNSERVERALARMS },
    { 2, "exConnServerCollectStatus", COLUMN_EXCONNSERVERCOLLECTSTATUS },
    { 2, "exConnServerCollectError", COLUMN_EXCONNSERVERCOLLECTERROR },
    { 2, "exConnServerLastCollect", COLUMN_EXCONNSERVERLASTCOLLECT },
    { 3, "exConnConnectorName", COLUMN_EXCONNCONNECTORNAME },
    { 3, "exConnConnectorType", COLUMN_EXCONNCONNECTORTYPE },
    { 3, "exConnConnectorService", COLUMN_EXCONNCONNECTORSERVICE },
    { 3, "exConnConnectorState", COLUMN_EXCONNCONNECTORSTATE },
    { 3, "exConnConnectorWin32ExitCode", COLUMN_EXCONNCONNECTORWIN32EXITCODE },
    { 3, "exConnConnectorServiceExitCode", COLUMN_EXCONNCONNECTORSERVICEEXITCODE },
    { 3, "exConnConnectorHealth", COLUMN_EXCONNCONNECTORHEALTH },
    { 3, "exConnConnectorKbArticle", COLUMN_EXCONNCONNECTORKBARTICLE },
    { 3, "exConnConnectorComPort", COLUMN_EXCONNCONNECTORCOMPORT },
    { 3, "exConnConnectorDirSync", COLUMN_EXCONNCONNECTORDIRSYNC },
    { 3, "exConnConnectorQueueFile", COLUMN_EXCONNCONNECTORQUEUEFILE },
    { 3, "exConnConnectorRemoteSite", COLUMN_EXCONNCONNECTORREMOTESITE },
    { 3, "exConnConnectorLinkState", COLUMN_EXCONNCONNECTORLINKSTATE },
    { 3, "exConnConnectorLastChange", COLUMN_EXCONNCONNECTORLASTCHANGE },
    { 4, "exConnComPortName", COLUMN_EXCONNCOMPORTNAME },
    { 4, "exConnComPortClaimants", COLUMN_EXCONNCOMPORTCLAIMANTS },
    { 4, "exConnComPortConflictState", COLUMN_EXCONNCOMPORTCONFLICTSTATE },
    { 4, "exConnComPortConflictSince", COLUMN_EXCONNCOMPORTCONFLICTSINCE },
    { 5, "exConnComClaimantIndex", COLUMN_EXCONNCOMCLAIMANTINDEX },
    { 5, "exConnComClaimantKind", COLUMN_EXCONNCOMCLAIMANTKIND },
    { 5, "exConnComClaimantName", COLUMN_EXCONNCOMCLAIMANTNAME },
    { 6, "exConnQueueName", COLUMN_EXCONNQUEUENAME },
    { 6, "exConnQueueKind", COLUMN_EXCONNQUEUEKIND },
    { 6, "exConnQueueConnector", COLUMN_EXCONNQUEUECONNECTOR },
    { 6, "exConnQueueMessages", COLUMN_EXCONNQUEUEMESSAGES },
    { 6, "exConnQueueBytes", COLUMN_EXCONNQUEUEBYTES },
    { 6, "exConnQueueOldestAge", COLUMN_EXCONNQUEUEOLDESTAGE },
    { 6, "exConnQueueState", COLUMN_EXCONNQUEUESTATE },
    { 7, "exConnKbArticleId", COLUMN_EXCONNKBARTICLEID },
    { 7, "exConnKbArticleTitle", COLUMN_EXCONNKBARTICLETITLE },
    { 7, "exConnKbArticleAppliesTo", COLUMN_EXCONNKBARTICLEAPPLIESTO },
    { 7, "exConnKbArticleSymptom", COLUMN_EXCONNKBARTICLESYMPTOM },
    { 7, "exConnKbArticleCause", COLUMN_EXCONNKBARTICLECAUSE },
    { 7, "exConnKbArticleResolution", COLUMN_EXCONNKBARTICLERESOLUTION },
    { 7, "exConnKbArticleUrl", COLUMN_EXCONNKBARTICLEURL },
    { 7, "exConnKbArticleSeverity", COLUMN_EXCONNKBARTICLESEVERITY },
    { 7, "exConnKbArticleNotification", COLUMN_EXCONNKBARTICLENOTIFICATION },
    { 7, "exConnKbArticleMatches", COLUMN_EXCONNKBARTICLEMATCHES },
    { 8, "exConnAlarmIndex", COLUMN_EXCONNALARMINDEX },
    { 8, "exConnAlarmKbArticle", COLUMN_EXCONNALARMKBARTICLE },
    { 8, "exConnAlarmSeverity", COLUMN_EXCONNALARMSEVERITY },
    { 8, "exConnAlarmServer", COLUMN_EXCONNALARMSERVER },
    { 8, "exConnAlarmResource", COLUMN_EXCONNALARMRESOURCE },
    { 8, "exConnAlarmDescription", COLUMN_EXCONNALARMDESCRIPTION },
    { 8, "exConnAlarmRaised", COLUMN_EXCONNALARMRAISED },
    { 8, "exConnAlarmLastSeen", COLUMN_EXCONNALARMLASTSEEN },
    { 8, "exConnAlarmCount", COLUMN_EXCONNALARMCOUNT },
    { 9, "exConnAlarmHistoryIndex", COLUMN_EXCONNALARMHISTORYINDEX },
    { 9, "exConnAlarmHistoryTime", COLUMN_EXCONNALARMHISTORYTIME },
    { 9, "exConnAlarmHistoryTransition", COLUMN_EXCONNALARMHISTORYTRANSITION },
    { 9, "exConnAlarmHistoryAlarm", COLUMN_EXCONNALARMHISTORYALARM },
    { 9, "exConnAlarmHistoryKbArticle", COLUMN_EXCONNALARMHISTORYKBARTICLE },
    { 9, "exConnAlarmHistoryServer", COLUMN_EXCONNALARMHISTORYSERVER },
    { 9, "exConnAlarmHistoryResource", COLUMN_EXCONNALARMHISTORYRESOURCE },
    { 9, "exConnAlarmHistorySeverity", COLUMN_EXCONNALARMHISTORYSEVERITY },
    { 9, "exConnAlarmHistoryDescription", COLUMN_EXCONNALARMHISTORYDESCRIPTION },
};

/* Each constant is its column's sub-id in the MIB, and every column of
 * every table has one. */
static void test_column_constants(void)
{
    for (size_t i = 0; i < sizeof column_names / sizeof column_names[0]; i++) {
        const struct column_name *c = &column_names[i];
        struct tree *t = mib_column(c->table, c->col);
        if (t == NULL || strcmp(t->label, c->name) != 0)
            fprintf(stderr, "\nCOLUMN_ constant of %s is %u: the MIB has %s there\n", c->name,
                    c->col, t ? t->label : "nothing");
        CU_ASSERT(t != NULL && strcmp(t->label, c->name) == 0);
    }
    for (size_t i = 0; i < N_DEFS; i++) {
        unsigned in_mib = 0, named = 0;
        while (mib_column(defs[i]->table, in_mib + 1) != NULL)
            in_mib++;
        for (size_t k = 0; k < sizeof column_names / sizeof column_names[0]; k++)
            named += column_names[k].table == defs[i]->table;
        if (in_mib != named)
            fprintf(stderr, "\n%s: %u columns in the MIB, %u constants\n", defs[i]->name, in_mib,
                    named);
        CU_ASSERT_EQUAL(in_mib, named);
    }
}

/* The value of column COL (named NAME in the MIB) of d's row with the
 * index of the DisplayString KEY; NULL when there is no such row or cell. */
static bool cell(const exc_table_def *d, const char *name, unsigned col, const char *key,
                 exc_val *v)
{
    struct tree *t = mib_column(d->table, col);
    CU_ASSERT_FATAL(t != NULL);
    CU_ASSERT_STRING_EQUAL(t->label, name);
    oid want[MAX_OID_LEN];
    size_t wlen = exc_oid_put_string(want, MAX_OID_LEN, key);
    size_t n;
    row_index *rows = indexed_rows(d, &n);
    bool found = false;
    for (size_t r = 0; r < n && !found; r++)
        if (snmp_oid_compare(rows[r].sub, rows[r].len, want, wlen) == 0)
            found = exc_table_column(d, rows[r].row, col, v);
    free(rows);
    return found;
}

static bool string_cell_is(const exc_val *v, const char *s)
{
    return v->type == ASN_OCTET_STR && v->len == strlen(s) && memcmp(v->ptr, s, v->len) == 0;
}

/* Values from tests/data/reports/exch01-example.xml and the shipped KB. */
static void test_values(void)
{
    exc_val v;
    CU_ASSERT_FATAL(cell(&exc_server_table, "exConnServerSite", 2, "EXCH01", &v));
    CU_ASSERT(string_cell_is(&v, "HQ"));
    CU_ASSERT_FATAL(cell(&exc_server_table, "exConnServerExchangeVersion", 3, "EXCH01", &v));
    CU_ASSERT(string_cell_is(&v, "5.0.1457.7"));
    CU_ASSERT_FATAL(cell(&exc_server_table, "exConnServerMtaVersion", 4, "EXCH01", &v));
    CU_ASSERT(string_cell_is(&v, "5.0.1460.8"));
    CU_ASSERT_FATAL(cell(&exc_server_table, "exConnServerSite", 2, "EXCH03", &v));
    CU_ASSERT(string_cell_is(&v, "BRANCH"));
    CU_ASSERT_FATAL(cell(&exc_kb_table, "exConnKbArticleUrl", 7, "Q158047", &v));
    CU_ASSERT(string_cell_is(&v, "https://support.microsoft.com/kb/158047"));
    /* exConnKbArticleNotification: exConnNotifications.1 (exConnComPortConflict) */
    CU_ASSERT_FATAL(cell(&exc_kb_table, "exConnKbArticleNotification",
                         COLUMN_EXCONNKBARTICLENOTIFICATION, "Q158047", &v));
    const oid want[] = {EXC_NOTIFICATIONS, 1};
    CU_ASSERT_EQUAL_FATAL(v.type, ASN_OBJECT_ID);
    CU_ASSERT(snmp_oid_compare(v.ptr, v.len / sizeof(oid), want, OID_LENGTH(want)) == 0);
}

/* The pieces the table files share (agent/table_rows.h, agent/columns.h). */
struct opt_row {
    int pad;
    exc_opt_u32 small;
    exc_opt_u64 big;
};

static void test_shared_pieces(void)
{
    oid out[8];
    const oid want[] = {2, 'A', 'B', 1, 'c'};
    size_t k = exc_index_server_row(out, 8, "AB", "c");
    CU_ASSERT_EQUAL(k, OID_LENGTH(want));
    CU_ASSERT(snmp_oid_compare(out, k, want, OID_LENGTH(want)) == 0);

    /* a number the report left out has no instance; one beyond 32 bits
     * saturates (Gauge32) */
    static const exc_column cols[] = {
        EXC_COL_OPT_U32(3, ASN_GAUGE, struct opt_row, small),
        EXC_COL_OPT_U64(4, ASN_GAUGE, struct opt_row, big),
    };
    struct opt_row row = {.small = {false, 7}, .big = {true, UINT64_C(1) << 40}};
    exc_val v;
    memset(&v, 0, sizeof v);
    CU_ASSERT_FALSE(exc_column_value(cols, 2, &row, 3, &v));
    CU_ASSERT_EQUAL(v.type, 0);   /* no instance: v untouched */
    row.small.known = true;
    CU_ASSERT_TRUE(exc_column_value(cols, 2, &row, 3, &v));
    CU_ASSERT_EQUAL(v.type, ASN_GAUGE);
    CU_ASSERT_EQUAL(v.u, 7);
    CU_ASSERT_TRUE(exc_column_value(cols, 2, &row, 4, &v));
    CU_ASSERT_EQUAL(v.u, 0xffffffffUL);
    CU_ASSERT_FALSE(exc_column_value(cols, 2, &row, 2, &v));   /* not a column */
    CU_ASSERT_FALSE(exc_column_value(cols, 2, &row, 5, &v));
}

void exc_register_tests(void)
{
    static CU_TestInfo tests[] = {
        { "fixture: MIB and snapshot", test_fixture },
        { "every table has rows in the fixture", test_every_table_has_rows },
        { "walk order: one index per row", test_walk_order },
        { "columns and types as in the MIB", test_columns_match_mib },
        { "COLUMN_* constants as in the MIB", test_column_constants },
        { "values from the report", test_values },
        { "shared table pieces", test_shared_pieces },
        CU_TEST_INFO_NULL,
    };
    exc_add_suite("tables in-process", fixture_init, fixture_cleanup, tests);
}
