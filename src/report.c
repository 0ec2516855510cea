/* Status report parser (SPEC §3 "Status report").
 *
 * Streaming (exc_xml_*, never a DOM), all or nothing, no global state: the
 * spool worker thread calls it.  Every rule of the format is enforced here;
 * schemas/exchange-status.xsd describes the same format for collectors and
 * for the tests.  Decisions where SPEC §3 is silent:
 *
 *  - the root <exchangeStatus> and all its elements are in no namespace;
 *    a namespaced element is rejected;
 *  - <server>, when present, is the first child (an XSD 1.0 sequence cannot
 *    say "at most once, anywhere"); connectors, queues and COM ports follow
 *    in any order;
 *  - <queue> may also appear directly under the root (a queue that belongs to
 *    no connector, e.g. an MTA queue); queue.connector is then "";
 *  - connector, queue and COM port names are unique case-insensitively in
 *    Unicode (names.h), like the Windows names they come from, and
 *    published as written;
 *  - names and texts with look-alike characters (no-break and zero-width
 *    spaces, bidirectional formatting), blank ones and ones with a space at
 *    either end are rejected (names.h);
 *  - names and free texts over their limit are rejected, never cut; limits
 *    count octets (the MIB's SIZE), so a name of 64 non-ASCII characters is
 *    too long even though the XSD (which counts characters) accepts it;
 *  - control characters (C0, DEL, C1) are rejected in every string;
 *  - an empty site, service or remoteSite is the same as an absent one;
 *  - dirSync only on ccMail, queueFile only on internetMail, remoteSite and
 *    link only on x400 connectors: on another type they are rejected; absent
 *    on the type they belong to they are "unknown"; elsewhere notApplicable;
 *  - queue kind, connector type and state are required;
 *  - numbers are decimal digits (surrounding XML whitespace allowed, as in
 *    the XSD), no sign, range-checked: u32 except queue bytes (u64);
 *    collected likewise may have surrounding whitespace; enumerations, names
 *    and versions are taken exactly as written;
 *  - unknown attributes are errors, xsi:* ones included (the XSD lets those
 *    pass: collectors must not write them into spool files);
 *  - version strings are dotted decimal numbers (5.0.1457.7), 1..64 octets.
 *
 * The same directory carries two one-element records, told apart by their
 * root element: <collectionStatus> (contract A: how the collector's last poll
 * went) and <forgetServer server="..."/> (an operator forgets one server:
 * README "Input: the spool").  Their times, like a report's, are checked
 * against the clock by the model (exc_model_apply_report), not here.
 */
#include "report.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "util.h"
#include "xmlsafe.h"

/* ---------------------------------------------------------------- helpers */

static bool netbios_char(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!@#$%^&()-_'{}.~", c) != NULL;
}

const char *exc_server_name_problem(const char *s)
{
    if (s == NULL || *s == '\0')
        return "is empty";
    if (strlen(s) > EXC_SERVER_MAX)
        return "is longer than 32 octets";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!netbios_char(*p))
            return "contains a character other than letters, digits and !@#$%^&()-_'{}.~";
    return NULL;
}

static bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Trim XML whitespace in place; returns the start. */
static char *trim(char *s)
{
    while (is_xml_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_xml_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* digits ( '.' digits )* */
static bool dotted_version(const char *s)
{
    bool need_digit = true;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            need_digit = false;
        else if (*s == '.' && !need_digit)
            need_digit = true;
        else
            return false;
    }
    return !need_digit;
}

/* ------------------------------------------- case-insensitive name sets */

/* A set of the names already seen, as indexes into the report's own array
 * (every element type keeps its name as the first member), so nothing is
 * copied; the array may move, indexes stay. */
typedef struct nameset {
    size_t *slot;   /* index + 1, 0 = free */
    size_t cap, n;
} nameset;

_Static_assert(offsetof(exc_connector, name) == 0, "name first");
_Static_assert(offsetof(exc_queue, name) == 0, "name first");
_Static_assert(offsetof(exc_comport, name) == 0, "name first");

static const char *ns_name(const void *base, size_t stride, size_t idx)
{
    return (const char *)base + idx * stride;
}

static size_t fold_hash(const char *s) { return (size_t)exc_name_hash(s); }

/* false when base[idx]'s name equals (case-insensitively) one already
 * present; otherwise adds it */
static bool nameset_add(nameset *s, const void *base, size_t stride, size_t idx)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        size_t *nslot = exc_calloc(ncap, sizeof *nslot);
        for (size_t i = 0; i < s->cap; i++) {
            if (s->slot[i] == 0)
                continue;
            size_t j = fold_hash(ns_name(base, stride, s->slot[i] - 1)) & (ncap - 1);
            while (nslot[j] != 0)
                j = (j + 1) & (ncap - 1);
            nslot[j] = s->slot[i];
        }
        free(s->slot);
        s->slot = nslot;
        s->cap = ncap;
    }
    const char *name = ns_name(base, stride, idx);
    size_t i = fold_hash(name) & (s->cap - 1);
    while (s->slot[i] != 0) {
        if (exc_name_casecmp(ns_name(base, stride, s->slot[i] - 1), name) == 0)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->slot[i] = idx + 1;
    s->n++;
    return true;
}

static void nameset_free(nameset *s)
{
    free(s->slot);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------ attribute sets */

#define MAX_ATTRS 12

/* Attribute values are copied (the reader reuses its buffers) into one
 * scratch buffer per parse, reused from element to element. */
typedef struct scratch {
    char *b;
    size_t len, cap;
} scratch;

static size_t scratch_put(scratch *s, const char *v)
{
    size_t n = strlen(v) + 1;
    if (s->len + n > s->cap) {
        while (s->len + n > s->cap)
            s->cap = s->cap ? s->cap * 2 : 1024;
        s->b = exc_realloc(s->b, s->cap);
    }
    memcpy(s->b + s->len, v, n);
    s->len += n;
    return s->len - n;
}

typedef struct attrset {
    const char *const *names;   /* allowed names, NULL-terminated */
    scratch *s;
    size_t off[MAX_ATTRS + 2];  /* offsets of values, then unknown, dup; +1, 0 = none */
    char *val[MAX_ATTRS];       /* the values given, NULL = absent (valid until the
                                   next element's attributes are collected) */
    char *unknown;              /* first attribute not allowed here */
    char *dup;                  /* first attribute given twice (other namespace) */
} attrset;

enum { OFF_UNKNOWN = MAX_ATTRS, OFF_DUP = MAX_ATTRS + 1 };

static bool attr_cb(const char *name, const char *value, void *ctx)
{
    attrset *a = ctx;
    for (size_t i = 0; a->names[i] != NULL; i++) {
        if (a->names[i][0] == name[0] && strcmp(a->names[i], name) == 0) {
            if (a->off[i] != 0) {
                a->off[OFF_DUP] = scratch_put(a->s, name) + 1;
                return false;
            }
            a->off[i] = scratch_put(a->s, value) + 1;
            return true;
        }
    }
    a->off[OFF_UNKNOWN] = scratch_put(a->s, name) + 1;
    return false;
}

/* ctx: `kind "name"` for messages (name already checked: short, printable) */
static void mkctx(char *dst, size_t cap, const char *kind, const char *name)
{
    size_t k = strlen(kind), n = strlen(name);
    if (k + n + 4 > cap)
        n = cap > k + 4 ? cap - k - 4 : 0;
    memcpy(dst, kind, k);
    dst[k] = ' ';
    dst[k + 1] = '"';
    memcpy(dst + k + 2, name, n);
    dst[k + 2 + n] = '"';
    dst[k + 3 + n] = '\0';
}

/* copy a string whose length has been checked against dst's size */
static void copy_checked(char *dst, const char *src)
{
    memcpy(dst, src, strlen(src) + 1);
}

/* ----------------------------------------------------------- the parser */

typedef struct rp {
    exc_xml x;
    exc_err *err;
    exc_report r;
    size_t cap_conn, cap_queue, cap_port;
    nameset conns, queues, ports;
    scratch scratch;
    bool seen_server, seen_other;
} rp;

static void *grow(void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 8;
    return exc_realloc(arr, *cap * size);
}

/* Collect the current element's attributes; reports duplicates (the same
 * local name in two namespaces). */
static bool collect(rp *p, attrset *a, const char *elem, int line)
{
    a->s = &p->scratch;
    p->scratch.len = 0;
    exc_xml_each_attr(&p->x, attr_cb, a);
    /* the buffer no longer moves: offsets become pointers */
    for (size_t i = 0; i < MAX_ATTRS; i++)
        a->val[i] = a->off[i] ? p->scratch.b + a->off[i] - 1 : NULL;
    a->unknown = a->off[OFF_UNKNOWN] ? p->scratch.b + a->off[OFF_UNKNOWN] - 1 : NULL;
    a->dup = a->off[OFF_DUP] ? p->scratch.b + a->off[OFF_DUP] - 1 : NULL;
    if (a->dup != NULL) {
        char b[EXC_QUOTE_BUF];
        exc_err_set(p->err, line, "<%s>: attribute \"%s\" given twice", elem, exc_quote(b, a->dup));
        return false;
    }
    return true;
}

static bool no_unknown(rp *p, const attrset *a, const char *ctx, int line)
{
    if (a->unknown != NULL) {
        char b[EXC_QUOTE_BUF];
        exc_err_set(p->err, line, "%s: unknown attribute \"%s\"", ctx, exc_quote(b, a->unknown));
        return false;
    }
    return true;
}

/* A name or free text: min..max octets, nothing exc_name_problem refuses.
 * what = "connector name", "site", ... */
static bool check_text(rp *p, int line, const char *ctx, const char *what, const char *s,
                       size_t min, size_t max)
{
    size_t n = strlen(s);
    const char *sep = ctx[0] ? ": " : "";
    if (n < min) {
        exc_err_set(p->err, line, "%s%s%s is empty", ctx, sep, what);
        return false;
    }
    if (n > max) {
        exc_err_set(p->err, line, "%s%s%s longer than %zu octets", ctx, sep, what, max);
        return false;
    }
    const char *why = n > 0 ? exc_name_problem(s) : NULL;
    if (why != NULL) {
        exc_err_set(p->err, line, "%s%s%s %s", ctx, sep, what, why);
        return false;
    }
    return true;
}

static bool get_number(rp *p, int line, const char *ctx, const char *attr, char *val,
                       uint64_t max, uint64_t *out)
{
    char b[EXC_QUOTE_BUF];
    char *t = trim(val);
    if (exc_parse_u64(t, max, out))
        return true;
    if (all_digits(t))
        exc_err_set(p->err, line, "%s: attribute %s: \"%s\" out of range (0..%llu)", ctx, attr,
                    exc_quote(b, t), (unsigned long long)max);
    else
        exc_err_set(p->err, line, "%s: attribute %s: \"%s\" is not an unsigned decimal number",
                    ctx, attr, exc_quote(b, t));
    return false;
}

/* An optional numeric attribute, 0..max: absent leaves *out as it is. */
static bool opt_u64(rp *p, int line, const char *ctx, const char *attr, char *val,
                    uint64_t max, exc_opt_u64 *out)
{
    uint64_t v;
    if (val == NULL)
        return true;
    if (!get_number(p, line, ctx, attr, val, max, &v))
        return false;
    out->known = true;
    out->v = v;
    return true;
}

static bool opt_u32(rp *p, int line, const char *ctx, const char *attr, char *val,
                    exc_opt_u32 *out)
{
    exc_opt_u64 w = {.known = false};
    if (!opt_u64(p, line, ctx, attr, val, UINT32_MAX, &w))
        return false;
    if (w.known) {
        out->known = true;
        out->v = (uint32_t)w.v;
    }
    return true;
}

/* A required enumerated attribute. */
static bool get_enum(rp *p, int line, const char *ctx, const char *attr, const char *val,
                     int (*from)(const char *), int *out)
{
    char b[EXC_QUOTE_BUF];
    if (val == NULL) {
        exc_err_set(p->err, line, "%s: missing attribute %s", ctx, attr);
        return false;
    }
    int v = from(val);
    if (v == 0) {
        exc_err_set(p->err, line, "%s: unknown %s \"%s\"", ctx, attr, exc_quote(b, val));
        return false;
    }
    *out = v;
    return true;
}

/* The next child node of the element at `depth`: 1 = an element (reader on
 * it), 0 = the element's end, -1 = error.  Whitespace, comments and
 * processing instructions are passed over; text is an error. */
static int next_child(rp *p, int depth, const char *parent)
{
    for (;;) {
        int rc = exc_xml_next(&p->x);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            exc_err_set(p->err, exc_xml_line(&p->x), "truncated document: <%s> not closed",
                        parent);
            return -1;
        }
        switch (exc_xml_type(&p->x)) {
        case XML_READER_TYPE_ELEMENT:
            if (exc_xml_ns(&p->x) != NULL) {
                char b[EXC_QUOTE_BUF];
                exc_err_set(p->err, exc_xml_line(&p->x),
                            "element <%s> in namespace \"%s\" is not part of the report",
                            exc_xml_local_name(&p->x), exc_quote(b, exc_xml_ns(&p->x)));
                return -1;
            }
            return 1;
        case XML_READER_TYPE_END_ELEMENT:
            if (exc_xml_depth(&p->x) <= depth)
                return 0;
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
            exc_err_set(p->err, exc_xml_line(&p->x), "unexpected text inside <%s>", parent);
            return -1;
        default:
            break; /* whitespace, comments, PIs */
        }
    }
}

static bool unexpected_child(rp *p, const char *parent)
{
    char b[EXC_QUOTE_BUF];
    exc_err_set(p->err, exc_xml_line(&p->x), "unexpected element <%s> inside <%s>",
                exc_quote(b, exc_xml_local_name(&p->x)), parent);
    return false;
}

/* An element that must have no child elements and no text. */
static bool no_children(rp *p, const char *elem)
{
    if (exc_xml_is_empty(&p->x))
        return true;
    int rc = next_child(p, exc_xml_depth(&p->x), elem);
    if (rc == 1)
        return unexpected_child(p, elem);
    return rc == 0;
}

/* <server exchangeVersion mtaVersion/> */
static bool parse_server(rp *p)
{
    static const char *const names[] = {"exchangeVersion", "mtaVersion", NULL};
    int line = exc_xml_line(&p->x);
    if (p->seen_server) {
        exc_err_set(p->err, line, "more than one <server> element");
        return false;
    }
    if (p->seen_other) {
        exc_err_set(p->err, line, "<server> must come before connectors, queues and COM ports");
        return false;
    }
    p->seen_server = true;
    attrset a = {.names = names};
    bool ok = collect(p, &a, "server", line) && no_unknown(p, &a, "<server>", line);
    char *dst[] = {p->r.exchange_version, p->r.mta_version};
    for (int i = 0; ok && i < 2; i++) {
        if (a.val[i] == NULL)
            continue;
        char b[EXC_QUOTE_BUF];
        ok = check_text(p, line, "<server>", names[i], a.val[i], 1, EXC_CONNECTOR_MAX);
        if (ok && !dotted_version(a.val[i])) {
            exc_err_set(p->err, line, "<server>: %s \"%s\" is not a dotted version number",
                        names[i], exc_quote(b, a.val[i]));
            ok = false;
        }
        if (ok)
            copy_checked(dst[i], a.val[i]);
    }
    return ok && no_children(p, "server");
}

/* The name attribute of a row element (queue, connector, COM port):
 * present, 1 to max octets of text. */
static bool row_name(rp *p, int line, const char *elem, const char *what, const char *val,
                     size_t max)
{
    if (val == NULL) {
        exc_err_set(p->err, line, "<%s> without name attribute", elem);
        return false;
    }
    return check_text(p, line, "", what, val, 1, max);
}

/* The start of a queue or connector element: its attributes collected, its
 * name (attribute 0) checked, ctx set to "<elem> \"name\"" for the messages
 * that follow, and no unknown attribute. */
static bool row_start(rp *p, attrset *a, const char *elem, const char *what, size_t max,
                      int line, char *ctx, size_t ctx_cap)
{
    if (!collect(p, a, elem, line) || !row_name(p, line, elem, what, a->val[0], max))
        return false;
    mkctx(ctx, ctx_cap, elem, a->val[0]);
    return no_unknown(p, a, ctx, line);
}

/* Append a row to its array (*n rows, whose name is its first member) and
 * count it, unless set already holds its name: then the error names the
 * duplicate.  *arr may move. */
static bool add_row(rp *p, int line, void **arr, size_t *n, size_t *cap, nameset *set,
                    const void *row, size_t size, const char *noun)
{
    char b[EXC_QUOTE_BUF];
    *arr = grow(*arr, *n, cap, size);
    memcpy((char *)*arr + *n * size, row, size);
    if (!nameset_add(set, *arr, size, *n)) {
        exc_err_set(p->err, line, "duplicate %s name \"%s\"", noun, exc_quote(b, (const char *)row));
        return false;
    }
    (*n)++;
    return true;
}

/* <queue name kind messages bytes oldestAge/>, under a connector or the root. */
static bool parse_queue(rp *p, const char *connector)
{
    static const char *const names[] = {"name", "kind", "messages", "bytes", "oldestAge", NULL};
    enum { A_NAME, A_KIND, A_MSGS, A_BYTES, A_AGE };
    int line = exc_xml_line(&p->x);
    attrset a = {.names = names};
    exc_queue qu;
    memset(&qu, 0, sizeof qu);
    char ctx[96];
    bool ok = row_start(p, &a, "queue", "queue name", EXC_QUEUE_MAX, line, ctx, sizeof ctx);
    if (ok) {
        ok = get_enum(p, line, ctx, "kind", a.val[A_KIND], exc_queue_kind_from, &qu.kind) &&
             opt_u32(p, line, ctx, "messages", a.val[A_MSGS], &qu.messages) &&
             opt_u64(p, line, ctx, "bytes", a.val[A_BYTES], UINT64_MAX, &qu.bytes) &&
             opt_u32(p, line, ctx, "oldestAge", a.val[A_AGE], &qu.oldest_age);
    }
    if (ok) {
        copy_checked(qu.name, a.val[A_NAME]);
        copy_checked(qu.connector, connector);
        ok = add_row(p, line, (void **)&p->r.queues, &p->r.n_queues, &p->cap_queue, &p->queues,
                     &qu, sizeof qu, "queue");
    }
    return ok && no_children(p, "queue");
}

/* A type-specific enumerated attribute: rejected on other types, "unknown"
 * when absent on its own type, notApplicable elsewhere. */
static bool type_enum(rp *p, int line, const char *ctx, const char *attr, const char *val,
                      int type, int own_type, int (*from)(const char *), int unknown_v,
                      int na_v, int *out)
{
    if (type != own_type) {
        if (val != NULL) {
            exc_err_set(p->err, line, "%s: attribute %s does not apply to type %s", ctx, attr,
                        exc_conn_type_name(type));
            return false;
        }
        *out = na_v;
        return true;
    }
    if (val == NULL) {
        *out = unknown_v;
        return true;
    }
    return get_enum(p, line, ctx, attr, val, from, out);
}

/* remoteSite (optional) is an X.400 connector's only. */
static bool remote_site_ok(rp *p, int line, const char *ctx, int type, const char *val)
{
    if (val == NULL)
        return true;
    if (type != EXC_CT_X400) {
        exc_err_set(p->err, line, "%s: attribute remoteSite does not apply to type %s", ctx,
                    exc_conn_type_name(type));
        return false;
    }
    return check_text(p, line, ctx, "remoteSite", val, 0, EXC_CONNECTOR_MAX);
}

/* The <queue> children of a connector (named connector). */
static bool parse_connector_queues(rp *p, const char *connector)
{
    int depth = exc_xml_depth(&p->x), rc;
    while ((rc = next_child(p, depth, "connector")) == 1) {
        if (strcmp(exc_xml_local_name(&p->x), "queue") != 0)
            return unexpected_child(p, "connector");
        if (!parse_queue(p, connector))
            return false;
    }
    return rc == 0;
}

static bool parse_connector(rp *p)
{
    static const char *const names[] = {"name",       "type",       "service",
                                        "state",      "win32ExitCode", "serviceExitCode",
                                        "comPort",    "dirSync",    "queueFile",
                                        "remoteSite", "link",       NULL};
    enum { A_NAME, A_TYPE, A_SERVICE, A_STATE, A_W32, A_SVC, A_PORT, A_DS, A_QF, A_SITE,
           A_LINK };
    int line = exc_xml_line(&p->x);
    p->seen_other = true;
    attrset a = {.names = names};
    exc_connector c;
    memset(&c, 0, sizeof c);
    char ctx[96];
    bool ok = row_start(p, &a, "connector", "connector name", EXC_CONNECTOR_MAX, line, ctx,
                        sizeof ctx);
    if (ok) {
        ok = get_enum(p, line, ctx, "type", a.val[A_TYPE], exc_conn_type_from, &c.type) &&
             get_enum(p, line, ctx, "state", a.val[A_STATE], exc_svc_state_from, &c.state) &&
             (a.val[A_SERVICE] == NULL ||
              check_text(p, line, ctx, "service", a.val[A_SERVICE], 0, EXC_CONNECTOR_MAX)) &&
             opt_u32(p, line, ctx, "win32ExitCode", a.val[A_W32], &c.win32_exit) &&
             opt_u32(p, line, ctx, "serviceExitCode", a.val[A_SVC], &c.service_exit) &&
             (a.val[A_PORT] == NULL ||
              check_text(p, line, ctx, "comPort", a.val[A_PORT], 1, EXC_COMPORT_MAX)) &&
             type_enum(p, line, ctx, "dirSync", a.val[A_DS], c.type, EXC_CT_CCMAIL,
                       exc_dirsync_from, EXC_DS_UNKNOWN, EXC_DS_NA, &c.dirsync) &&
             type_enum(p, line, ctx, "queueFile", a.val[A_QF], c.type, EXC_CT_INTERNETMAIL,
                       exc_queuefile_from, EXC_QF_UNKNOWN, EXC_QF_NA, &c.queuefile) &&
             type_enum(p, line, ctx, "link", a.val[A_LINK], c.type, EXC_CT_X400, exc_link_from,
                       EXC_LINK_UNKNOWN, EXC_LINK_NA, &c.link);
    }
    ok = ok && remote_site_ok(p, line, ctx, c.type, a.val[A_SITE]);
    if (ok) {
        copy_checked(c.name, a.val[A_NAME]);
        if (a.val[A_SERVICE] != NULL)
            copy_checked(c.service, a.val[A_SERVICE]);
        if (a.val[A_PORT] != NULL)
            copy_checked(c.com_port, a.val[A_PORT]);
        if (a.val[A_SITE] != NULL)
            copy_checked(c.remote_site, a.val[A_SITE]);
        ok = add_row(p, line, (void **)&p->r.connectors, &p->r.n_connectors, &p->cap_conn,
                     &p->conns, &c, sizeof c, "connector");
    }
    return ok && (exc_xml_is_empty(&p->x) || parse_connector_queues(p, c.name));
}

static bool parse_claimant(rp *p, exc_comport *port, size_t *cap)
{
    static const char *const names[] = {"kind", "name", NULL};
    enum { A_KIND, A_NAME };
    int line = exc_xml_line(&p->x);
    attrset a = {.names = names};
    exc_claimant cl;
    memset(&cl, 0, sizeof cl);
    char ctx[64];
    mkctx(ctx, sizeof ctx, "COM port", port->name);
    bool ok = true;
    if (port->n_claimants >= EXC_CLAIMANTS_MAX) {
        exc_err_set(p->err, line, "%s: more than %d claimants", ctx, EXC_CLAIMANTS_MAX);
        ok = false;
    }
    ok = ok && collect(p, &a, "claimant", line) && no_unknown(p, &a, ctx, line);
    if (ok && a.val[A_NAME] == NULL) {
        exc_err_set(p->err, line, "%s: <claimant> without name attribute", ctx);
        ok = false;
    }
    ok = ok && check_text(p, line, ctx, "claimant name", a.val[A_NAME], 1, EXC_CONNECTOR_MAX) &&
         get_enum(p, line, ctx, "claimant kind", a.val[A_KIND], exc_claimant_kind_from,
                  &cl.kind);
    if (ok) {
        copy_checked(cl.name, a.val[A_NAME]);
        port->claimants = grow(port->claimants, port->n_claimants, cap, sizeof cl);
        port->claimants[port->n_claimants++] = cl;
    }
    return ok && no_children(p, "claimant");
}

static bool parse_comport(rp *p)
{
    static const char *const names[] = {"name", NULL};
    int line = exc_xml_line(&p->x);
    p->seen_other = true;
    attrset a = {.names = names};
    bool ok = collect(p, &a, "comPort", line) && no_unknown(p, &a, "<comPort>", line) &&
              row_name(p, line, "comPort", "COM port name", a.val[0], EXC_COMPORT_MAX);
    exc_comport row;
    memset(&row, 0, sizeof row);
    if (ok) {
        copy_checked(row.name, a.val[0]);
        ok = add_row(p, line, (void **)&p->r.comports, &p->r.n_comports, &p->cap_port, &p->ports,
                     &row, sizeof row, "COM port");
    }
    if (!ok)
        return false;
    exc_comport *port = &p->r.comports[p->r.n_comports - 1];
    if (exc_xml_is_empty(&p->x))
        return true;
    size_t cap = 0;
    int depth = exc_xml_depth(&p->x), rc;
    while ((rc = next_child(p, depth, "comPort")) == 1) {
        if (strcmp(exc_xml_local_name(&p->x), "claimant") != 0)
            return unexpected_child(p, "comPort");
        /* port stays valid: nothing grows the comports array meanwhile */
        if (!parse_claimant(p, port, &cap))
            return false;
    }
    return rc == 0;
}

/* schemaVersion="1" and a valid server name, common to every root element;
 * the server is stored upper-cased into dst. */
static bool root_common(rp *p, const attrset *a, const char *elem, int line, int a_ver,
                        int a_server, char dst[EXC_SERVER_BUF])
{
    char b[EXC_QUOTE_BUF];
    if (a->val[a_ver] == NULL) {
        exc_err_set(p->err, line, "<%s>: missing attribute schemaVersion", elem);
        return false;
    }
    if (strcmp(a->val[a_ver], "1") != 0) {
        exc_err_set(p->err, line, "schemaVersion \"%s\" not supported (expected 1)",
                    exc_quote(b, a->val[a_ver]));
        return false;
    }
    char ctx[40];
    snprintf(ctx, sizeof ctx, "<%s>", elem);
    if (!no_unknown(p, a, ctx, line))
        return false;
    if (a->val[a_server] == NULL) {
        exc_err_set(p->err, line, "<%s>: missing attribute server", elem);
        return false;
    }
    const char *why = exc_server_name_problem(a->val[a_server]);
    if (why != NULL) {
        exc_err_set(p->err, line, "server name \"%s\" %s", exc_quote(b, a->val[a_server]), why);
        return false;
    }
    exc_upper(dst, EXC_SERVER_BUF, a->val[a_server]);
    return true;
}

static bool get_collected(rp *p, const char *elem, int line, char *val, int64_t *out)
{
    char b[EXC_QUOTE_BUF];
    if (val == NULL) {
        exc_err_set(p->err, line, "<%s>: missing attribute collected", elem);
        return false;
    }
    if (!exc_parse_iso8601(trim(val), out)) {
        exc_err_set(p->err, line,
                    "collected \"%s\" is not an ISO 8601 UTC time (YYYY-MM-DDThh:mm:ssZ)",
                    exc_quote(b, val));
        return false;
    }
    return true;
}

/* <exchangeStatus> and its children. */
static bool parse_report_root(rp *p)
{
    static const char *const names[] = {"schemaVersion", "server", "site", "collected", NULL};
    enum { A_VER, A_SERVER, A_SITE, A_COLL };
    int line = exc_xml_line(&p->x);
    attrset a = {.names = names};
    bool ok = collect(p, &a, "exchangeStatus", line) &&
              root_common(p, &a, "exchangeStatus", line, A_VER, A_SERVER, p->r.server);
    if (ok && a.val[A_SITE] != NULL)
        ok = check_text(p, line, "", "site", a.val[A_SITE], 0, EXC_CONNECTOR_MAX);
    ok = ok && get_collected(p, "exchangeStatus", line, a.val[A_COLL], &p->r.collected);
    if (!ok)
        return false;
    if (a.val[A_SITE] != NULL)
        copy_checked(p->r.site, a.val[A_SITE]);
    if (exc_xml_is_empty(&p->x))
        return true;
    int depth = exc_xml_depth(&p->x), rc;
    while ((rc = next_child(p, depth, "exchangeStatus")) == 1) {
        const char *n = exc_xml_local_name(&p->x);
        if (strcmp(n, "connector") == 0)
            ok = parse_connector(p);
        else if (strcmp(n, "queue") == 0) {
            p->seen_other = true;
            ok = parse_queue(p, "");
        } else if (strcmp(n, "comPort") == 0)
            ok = parse_comport(p);
        else if (strcmp(n, "server") == 0)
            ok = parse_server(p);
        else
            ok = unexpected_child(p, "exchangeStatus");
        if (!ok)
            return false;
    }
    return rc == 0;
}

/* <collectionStatus schemaVersion server collected status error/> (contract A) */
static bool parse_status_root(rp *p)
{
    static const char *const names[] = {"schemaVersion", "server", "collected", "status",
                                        "error", NULL};
    enum { A_VER, A_SERVER, A_COLL, A_STATUS, A_ERROR };
    int line = exc_xml_line(&p->x);
    attrset a = {.names = names};
    p->r.kind = EXC_REC_STATUS;
    bool ok = collect(p, &a, "collectionStatus", line) &&
              root_common(p, &a, "collectionStatus", line, A_VER, A_SERVER, p->r.status.server) &&
              get_collected(p, "collectionStatus", line, a.val[A_COLL], &p->r.collected) &&
              get_enum(p, line, "<collectionStatus>", "status", a.val[A_STATUS],
                       exc_collect_status_from, &p->r.status.status);
    if (ok && a.val[A_ERROR] != NULL)
        /* cut at 255 octets; a multi-line exception text becomes one line */
        exc_utf8_one_line(p->r.status.error, EXC_TEXT_BUF, a.val[A_ERROR]);
    return ok && no_children(p, "collectionStatus");
}

/* <forgetServer schemaVersion server/> */
static bool parse_forget_root(rp *p)
{
    static const char *const names[] = {"schemaVersion", "server", NULL};
    int line = exc_xml_line(&p->x);
    attrset a = {.names = names};
    p->r.kind = EXC_REC_FORGET;
    return collect(p, &a, "forgetServer", line) &&
           root_common(p, &a, "forgetServer", line, 0, 1, p->r.server) &&
           no_children(p, "forgetServer");
}

static bool parse_root(rp *p)
{
    char b[EXC_QUOTE_BUF];
    int line = exc_xml_line(&p->x);
    const char *root = exc_xml_local_name(&p->x);
    static const struct { const char *name; bool (*parse)(rp *); } roots[] = {
        {"exchangeStatus", parse_report_root},
        {"collectionStatus", parse_status_root},
        {"forgetServer", parse_forget_root},
    };
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        if (strcmp(root, roots[i].name) != 0)
            continue;
        if (exc_xml_ns(&p->x) != NULL) {
            exc_err_set(p->err, line, "<%s> must not be in a namespace (found \"%s\")", root,
                        exc_quote(b, exc_xml_ns(&p->x)));
            return false;
        }
        return roots[i].parse(p);
    }
    exc_err_set(p->err, line,
                "root element is <%s>, expected <exchangeStatus>, <collectionStatus> or "
                "<forgetServer>",
                exc_quote(b, root));
    return false;
}

static bool parse(rp *p)
{
    int rc;
    /* the prolog: comments and PIs before the root (a DOCTYPE is refused by
     * exc_xml_next) */
    for (;;) {
        rc = exc_xml_next(&p->x);
        if (rc < 0)
            return false;
        if (rc == 0) {
            exc_err_set(p->err, exc_xml_line(&p->x), "no root element");
            return false;
        }
        if (exc_xml_type(&p->x) == XML_READER_TYPE_ELEMENT)
            break;
    }
    if (!parse_root(p))
        return false;
    /* the epilog: libxml2 refuses anything but comments, PIs and whitespace */
    while ((rc = exc_xml_next(&p->x)) == 1)
        ;
    return rc == 0;
}

static bool finish(rp *p, bool ok, exc_report *out)
{
    exc_xml_close(&p->x);
    nameset_free(&p->conns);
    nameset_free(&p->queues);
    nameset_free(&p->ports);
    free(p->scratch.b);
    if (!ok) {
        if (p->err != NULL && p->err->msg[0] == '\0')
            exc_err_set(p->err, 0, "invalid report");
        exc_report_free(&p->r);
        return false;
    }
    *out = p->r;
    return true;
}

/* A report from the file path (at most max_bytes), or from buf[0..len) when
 * from_file is false. */
static bool parse_from(bool from_file, const char *path, size_t max_bytes, const char *buf,
                       size_t len, exc_report *out, exc_err *err)
{
    exc_err local;
    if (err == NULL)
        err = &local;   /* the reader needs one to notice recoverable errors */
    exc_err_clear(err);
    rp p;
    memset(&p, 0, sizeof p);
    p.err = err;
    bool opened = from_file
                      ? exc_xml_open_file(&p.x, path, max_bytes, EXC_REPORT_MAX_DEPTH, err)
                      : exc_xml_open_memory(&p.x, buf, len, "report", EXC_REPORT_MAX_DEPTH, err);
    if (!opened)
        return false;
    return finish(&p, parse(&p), out);
}

bool exc_report_parse_file(const char *path, size_t max_bytes, exc_report *out, exc_err *err)
{
    return parse_from(true, path, max_bytes, NULL, 0, out, err);
}

bool exc_report_parse_memory(const char *buf, size_t len, exc_report *out, exc_err *err)
{
    return parse_from(false, NULL, 0, buf, len, out, err);
}

void exc_report_free(exc_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_comports; i++)
        free(r->comports[i].claimants);
    free(r->comports);
    free(r->connectors);
    free(r->queues);
    memset(r, 0, sizeof *r);
}
