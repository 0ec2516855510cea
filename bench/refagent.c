/* exconn-refagent: the AgentX floor of bench/run.
 *
 * A minimal Net-SNMP subagent with EXCHANGE-CONNECTOR-MIB's shapes -- the
 * exConnAgent scalar group and the eight tables with their columns and
 * indexes (DisplayString / Unsigned32, not IMPLIED) -- each table one
 * netsnmp_container_table_register over a binary_array container of
 * netsnmp_index rows, as mib2c's container template builds it, answering
 * from rows held in memory.  No cache handler, no snapshot, no worker: only
 * what Net-SNMP and AgentX cost.
 *
 *   exconn-refagent --dump HOST:PORT FILE
 *       walk exConnMIB of a running agent (GETBULK) and write every varbind
 *       as "OID TYPE VALUE" (TYPE the ASN.1 tag in decimal; integers in
 *       decimal, strings in hex or "-" when empty, OIDs dotted)
 *   exconn-refagent -x AGENTX_ADDRESS -l FILE [-p PIDFILE]
 *       serve the rows of FILE as an AgentX subagent, in the foreground
 *
 * Serving exactly the varbinds exconn served makes the two walks identical
 * on the wire (same OIDs, same values, same sizes), so their time ratio is
 * the cost of exconn's own code over the floor. */
#define _GNU_SOURCE
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 5500
#define ROOT_LEN 10

static const oid root_oid[] = {ROOT};
static const oid objects_oid[] = {ROOT, 1};
static const oid agent_oid[] = {ROOT, 1, 1};

/* ------------------------------------------------------------------ data */

typedef struct cell {
    u_char type;          /* 0 = absent */
    size_t len;
    u_char *val;          /* encoded as snmp_set_var_typed_value wants it */
} cell;

typedef struct row {
    netsnmp_index idx;    /* first: the container's key */
    cell *cells;          /* max_col - min_col + 1 */
} row;

typedef struct table {
    const char *name;
    unsigned num, min_col, max_col, n_index;
    u_char index_type[3];
    size_t n, cap;
    row **rows;           /* in index order (the walk's order) */
    netsnmp_container *container;
} table;

static table tables[] = {
    {"exConnServerTable", 2, 2, 11, 1, {ASN_OCTET_STR}, 0, 0, NULL, NULL},
    {"exConnConnectorTable", 3, 2, 14, 2, {ASN_OCTET_STR, ASN_OCTET_STR}, 0, 0, NULL, NULL},
    {"exConnComPortTable", 4, 2, 4, 2, {ASN_OCTET_STR, ASN_OCTET_STR}, 0, 0, NULL, NULL},
    {"exConnComClaimantTable", 5, 2, 3, 3, {ASN_OCTET_STR, ASN_OCTET_STR, ASN_UNSIGNED}, 0, 0,
     NULL, NULL},
    {"exConnQueueTable", 6, 2, 7, 2, {ASN_OCTET_STR, ASN_OCTET_STR}, 0, 0, NULL, NULL},
    {"exConnKbArticleTable", 7, 2, 10, 1, {ASN_OCTET_STR}, 0, 0, NULL, NULL},
    {"exConnAlarmTable", 8, 2, 9, 1, {ASN_UNSIGNED}, 0, 0, NULL, NULL},
    {"exConnAlarmHistoryTable", 9, 2, 9, 1, {ASN_UNSIGNED}, 0, 0, NULL, NULL},
};
#define N_TABLES (sizeof tables / sizeof tables[0])
#define N_SCALARS 10
static cell scalars[N_SCALARS + 1];

static table *table_of(unsigned num)
{
    for (size_t i = 0; i < N_TABLES; i++)
        if (tables[i].num == num)
            return &tables[i];
    return NULL;
}

static int cmp_oids(const oid *a, size_t al, const oid *b, size_t bl)
{
    return snmp_oid_compare(a, al, b, bl);
}

/* The row with this index (created when absent).  The dump comes column by
 * column, each in row order: a new row is appended, later columns find
 * theirs by binary search. */
static row *row_for(table *t, const oid *idx, size_t len)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_oids(t->rows[mid]->idx.oids, t->rows[mid]->idx.len, idx, len);
        if (c == 0)
            return t->rows[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->rows = realloc(t->rows, t->cap * sizeof *t->rows);
    }
    row *r = calloc(1, sizeof *r);
    r->idx.oids = malloc(len * sizeof(oid));
    memcpy(r->idx.oids, idx, len * sizeof(oid));
    r->idx.len = len;
    r->cells = calloc(t->max_col - t->min_col + 1, sizeof *r->cells);
    memmove(&t->rows[lo + 1], &t->rows[lo], (t->n - lo) * sizeof *t->rows);
    t->rows[lo] = r;
    t->n++;
    return r;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "1.3.6.1..." (no MIB lookups: the dump is numeric) */
static bool parse_oid(const char *text, oid *out, size_t *len)
{
    size_t n = 0;
    const char *p = text;
    while (*p && n < MAX_OID_LEN) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p)
            return false;
        out[n++] = v;
        if (*end == '\0')
            break;
        if (*end != '.')
            return false;
        p = end + 1;
    }
    *len = n;
    return n > 0;
}

static bool parse_cell(unsigned type, const char *text, cell *c)
{
    c->type = (u_char)type;
    switch (type) {
    case ASN_INTEGER: {
        long v = strtol(text, NULL, 10);
        c->len = sizeof v;
        c->val = malloc(sizeof v);
        memcpy(c->val, &v, sizeof v);
        return true;
    }
    case ASN_COUNTER: case ASN_GAUGE: case ASN_TIMETICKS: {
        u_long v = strtoul(text, NULL, 10);
        c->len = sizeof v;
        c->val = malloc(sizeof v);
        memcpy(c->val, &v, sizeof v);
        return true;
    }
    case ASN_OCTET_STR: {
        size_t n = strcmp(text, "-") == 0 ? 0 : strlen(text) / 2;
        c->len = n;
        c->val = malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++) {
            int h = hexval(text[2 * i]), l = hexval(text[2 * i + 1]);
            if (h < 0 || l < 0)
                return false;
            c->val[i] = (u_char)(h * 16 + l);
        }
        return true;
    }
    case ASN_OBJECT_ID: {
        oid o[MAX_OID_LEN];
        size_t n;
        if (!parse_oid(text, o, &n))
            return false;
        c->len = n * sizeof(oid);
        c->val = malloc(c->len);
        memcpy(c->val, o, c->len);
        return true;
    }
    default:
        return false;
    }
}

static bool load(const char *path, size_t *n_varbinds)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    *n_varbinds = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        char oidtxt[4096], val[4096];
        unsigned type;
        if (sscanf(line, "%4095s %u %4095s", oidtxt, &type, val) != 3)
            goto bad;
        oid o[MAX_OID_LEN];
        size_t n;
        if (!parse_oid(oidtxt, o, &n) || n <= OID_LENGTH(objects_oid) + 1 ||
            netsnmp_oid_is_subtree(objects_oid, OID_LENGTH(objects_oid), o, n) != 0)
            goto bad;
        size_t k = OID_LENGTH(objects_oid);
        cell *c;
        if (o[k] == 1) {   /* exConnAgent.N.0 */
            if (n != k + 3 || o[k + 1] < 1 || o[k + 1] > N_SCALARS)
                goto bad;
            c = &scalars[o[k + 1]];
        } else {           /* table.1.col.index */
            table *t = table_of((unsigned)o[k]);
            if (!t || n < k + 4 || o[k + 1] != 1 || o[k + 2] < t->min_col ||
                o[k + 2] > t->max_col)
                goto bad;
            row *r = row_for(t, o + k + 3, n - k - 3);
            c = &r->cells[o[k + 2] - t->min_col];
        }
        if (!parse_cell(type, val, c))
            goto bad;
        (*n_varbinds)++;
        continue;
    bad:
        fprintf(stderr, "%s:%u: cannot use this line\n", path, lineno);
        free(line);
        fclose(f);
        return false;
    }
    free(line);
    fclose(f);
    return true;
}

/* -------------------------------------------------------------- handlers */

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)reg;
    table *t = handler->myvoid;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        if (req->processed)
            continue;
        row *r = netsnmp_container_table_row_extract(req);
        netsnmp_table_request_info *ti = netsnmp_extract_table_info(req);
        const cell *c = r && ti && ti->colnum >= t->min_col && ti->colnum <= t->max_col
                            ? &r->cells[ti->colnum - t->min_col]
                            : NULL;
        if (!c || !c->type) {
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
            continue;
        }
        snmp_set_var_typed_value(req->requestvb, c->type, c->val, c->len);
    }
    return SNMP_ERR_NOERROR;
}

static int scalar_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)reg;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        oid which = req->requestvb->name[OID_LENGTH(agent_oid)];
        const cell *c = which >= 1 && which <= N_SCALARS ? &scalars[which] : NULL;
        if (c && c->type)
            snmp_set_var_typed_value(req->requestvb, c->type, c->val, c->len);
        else
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
    }
    return SNMP_ERR_NOERROR;
}

static int register_all(void)
{
    netsnmp_handler_registration *sreg = netsnmp_create_handler_registration(
        "refAgent", scalar_handler, agent_oid, OID_LENGTH(agent_oid), HANDLER_CAN_RONLY);
    if (!sreg || netsnmp_register_scalar_group(sreg, 1, N_SCALARS) != SNMPERR_SUCCESS)
        return -1;
    for (size_t i = 0; i < N_TABLES; i++) {
        table *t = &tables[i];
        oid toid[MAX_OID_LEN];
        size_t tlen = OID_LENGTH(objects_oid);
        memcpy(toid, objects_oid, sizeof objects_oid);
        toid[tlen++] = t->num;
        netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
            t->name, table_handler, toid, tlen, HANDLER_CAN_RONLY);
        netsnmp_table_registration_info *info =
            SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
        if (!reg || !info)
            return -1;
        reg->handler->myvoid = t;
        for (unsigned k = 0; k < t->n_index; k++)
            netsnmp_table_helper_add_index(info, t->index_type[k]);
        info->min_column = t->min_col;
        info->max_column = t->max_col;
        t->container = netsnmp_container_find("refagent_table:table_container");
        if (!t->container)
            return -1;
        for (size_t r = 0; r < t->n; r++)
            if (CONTAINER_INSERT(t->container, t->rows[r]) != 0)
                return -1;
        if (netsnmp_container_table_register(reg, info, t->container,
                                             TABLE_CONTAINER_KEY_NETSNMP_INDEX) !=
            SNMPERR_SUCCESS)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ dump */

static int dump(const char *peer, const char *path)
{
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    init_snmp("exconn-refagent-dump");
    netsnmp_session s;
    snmp_sess_init(&s);
    s.peername = (char *)peer;
    s.version = SNMP_VERSION_2c;
    s.community = (u_char *)"public";
    s.community_len = 6;
    s.timeout = 5000000;
    s.retries = 1;
    netsnmp_session *ss = snmp_open(&s);
    FILE *out = fopen(path, "w");
    if (!ss || !out) {
        fprintf(stderr, "exconn-refagent: cannot open %s or %s\n", peer, path);
        return 1;
    }
    oid cur[MAX_OID_LEN];
    size_t cur_len = OID_LENGTH(root_oid);
    memcpy(cur, root_oid, sizeof root_oid);
    size_t n = 0;
    for (;;) {
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK), *resp = NULL;
        pdu->non_repeaters = 0;
        pdu->max_repetitions = 50;
        snmp_add_null_var(pdu, cur, cur_len);
        if (snmp_synch_response(ss, pdu, &resp) != STAT_SUCCESS || !resp ||
            resp->errstat != SNMP_ERR_NOERROR) {
            fprintf(stderr, "exconn-refagent: walk of %s failed\n", peer);
            return 1;
        }
        bool done = false;
        for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable) {
            if (v->type == SNMP_ENDOFMIBVIEW ||
                netsnmp_oid_is_subtree(root_oid, OID_LENGTH(root_oid), v->name,
                                       v->name_length) != 0) {
                done = true;
                break;
            }
            for (size_t i = 0; i < v->name_length; i++)
                fprintf(out, i ? ".%lu" : "%lu", (unsigned long)v->name[i]);
            fprintf(out, " %u ", (unsigned)v->type);
            switch (v->type) {
            case ASN_INTEGER: fprintf(out, "%ld", *v->val.integer); break;
            case ASN_COUNTER: case ASN_GAUGE: case ASN_TIMETICKS:
                fprintf(out, "%lu", (unsigned long)*v->val.integer);
                break;
            case ASN_OCTET_STR:
                if (v->val_len == 0)
                    fputc('-', out);
                for (size_t i = 0; i < v->val_len; i++)
                    fprintf(out, "%02x", v->val.string[i]);
                break;
            case ASN_OBJECT_ID:
                for (size_t i = 0; i < v->val_len / sizeof(oid); i++)
                    fprintf(out, i ? ".%lu" : "%lu", (unsigned long)v->val.objid[i]);
                break;
            default:
                fprintf(stderr, "exconn-refagent: type %u not supported\n", v->type);
                return 1;
            }
            fputc('\n', out);
            n++;
            memcpy(cur, v->name, v->name_length * sizeof(oid));
            cur_len = v->name_length;
        }
        snmp_free_pdu(resp);
        if (done)
            break;
    }
    snmp_close(ss);
    fclose(out);
    printf("%zu\n", n);
    return 0;
}

/* ------------------------------------------------------------------ main */

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
    setenv("MIBS", "", 1);
    if (argc == 4 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2], argv[3]);
    const char *x = NULL, *file = NULL, *pidfile = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-x") == 0) x = argv[i + 1];
        else if (strcmp(argv[i], "-l") == 0) file = argv[i + 1];
        else if (strcmp(argv[i], "-p") == 0) pidfile = argv[i + 1];
    }
    if (!x || !file) {
        fprintf(stderr, "usage: exconn-refagent --dump HOST:PORT FILE\n"
                        "       exconn-refagent -x AGENTX_ADDRESS -l FILE [-p PIDFILE]\n");
        return 2;
    }
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, x);
    snmp_enable_stderrlog();
    size_t n;
    if (!load(file, &n))
        return 1;
    if (init_agent("exconn-refagent") != 0 || register_all() != 0) {
        fprintf(stderr, "exconn-refagent: cannot register the tables\n");
        return 1;
    }
    init_snmp("exconn-refagent");
    if (pidfile) {
        FILE *pf = fopen(pidfile, "w");
        if (pf) {
            fprintf(pf, "%ld\n", (long)getpid());
            fclose(pf);
        }
    }
    fprintf(stderr, "exconn-refagent: serving %zu varbinds on %s\n", n, x);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop)
        agent_check_and_process(1);
    snmp_shutdown("exconn-refagent");
    return 0;
}
