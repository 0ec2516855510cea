/* KB article files (SPEC §4): one <kbArticle> per file, read with the
 * hardened streaming reader (src/xmlsafe.c) and checked field by field, so an
 * operator who drops a broken file into the KB directory gets one precise
 * reason ("line N: ...") instead of a half-loaded article.
 *
 * The format is described for people in schemas/kb-article.xsd; this loader
 * is the authority and checks a little more than the schema can (octet
 * lengths, file name = id, clearDirSync needing clearState). */
#include "kb.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "report.h"
#include "util.h"
#include "xmlsafe.h"

#define KB_ROOT "kbArticle"

/* What an article has been given so far (one bit per child element). */
enum {
    SEEN_TITLE = 1u << 0,
    SEEN_APPLIES = 1u << 1,
    SEEN_SYMPTOM = 1u << 2,
    SEEN_CAUSE = 1u << 3,
    SEEN_RESOLUTION = 1u << 4,
    SEEN_URL = 1u << 5,
    SEEN_RULES = 1u << 6,
};

typedef struct text_field {
    const char *name;
    unsigned bit;
    size_t off;
} text_field;

/* The text children, in the order files are expected to give them (the
 * loader accepts any order). */
static const text_field text_fields[] = {
    {"title", SEEN_TITLE, offsetof(exc_kb_article, title)},
    {"appliesTo", SEEN_APPLIES, offsetof(exc_kb_article, applies_to)},
    {"symptom", SEEN_SYMPTOM, offsetof(exc_kb_article, symptom)},
    {"cause", SEEN_CAUSE, offsetof(exc_kb_article, cause)},
    {"resolution", SEEN_RESOLUTION, offsetof(exc_kb_article, resolution)},
    {"url", SEEN_URL, offsetof(exc_kb_article, url)},
};
#define N_TEXT_FIELDS (sizeof text_fields / sizeof text_fields[0])

typedef struct kb_parse {
    exc_xml x;
    exc_err *err;
    exc_kb_article *a;
    size_t rules_cap;
    unsigned seen;
    int root_line;
    int rules_line;
    int line;           /* line of the element whose attributes are being read */
    const char *elem;   /* and its name (the reader is on an attribute meanwhile) */
    /* root attributes given */
    bool has_id, has_severity;
    /* event rule attributes given */
    bool has_provider, has_event_id, has_detector_name;
} kb_parse;

/* ---- small helpers ---- */

/* Line of the node the reader is on (src/xmlsafe.c gives the node's own
 * line, not the parser's read-ahead position). */
static int node_line(kb_parse *p) { return exc_xml_line(&p->x); }

/* Line of the first non-blank character of the text node the reader is on.
 * libxml2 stamps a text node with the line where its text ended, so count
 * back over its newlines, then forward to the first non-blank one. */
static int text_line(kb_parse *p, const char *v)
{
    int end = node_line(p), nl = 0, lead = 0;
    bool seen = false;
    for (const char *c = v; *c; c++) {
        if (*c == '\n') {
            nl++;
            if (!seen)
                lead++;
        } else if (*c != ' ' && *c != '\t' && *c != '\r') {
            seen = true;
        }
    }
    int start = end - nl;
    return start >= 1 ? start + lead : end;
}

/* A short, printable rendering of a value for an error message. */
static const char *clip(char *buf, size_t cap, const char *s)
{
    size_t n = exc_utf8_copy(buf, cap, s);
    if (s[n] != '\0' && cap > 4) {
        n = exc_utf8_copy(buf, cap - 3, s);
        memcpy(buf + n, "...", 4);
    }
    return buf;
}

static bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (!is_xml_space(*s))
            return false;
    return true;
}

/* Trim both ends and fold every run of XML white space into one space, in
 * place, so authors may wrap long texts over several lines.  This is what
 * xs:token does, so the schema and the loader agree.  Returns the length. */
static size_t fold_space(char *s)
{
    size_t o = 0;
    bool pending = false;
    for (const char *i = s; *i; i++) {
        if (is_xml_space(*i)) {
            pending = o > 0;
            continue;
        }
        if (pending)
            s[o++] = ' ';
        pending = false;
        s[o++] = *i;
    }
    s[o] = '\0';
    return o;
}

/* Article ids: 1 to 16 ASCII letters and digits ("Q158047"). */
static bool valid_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    }
    return n >= 1 && n <= EXC_ARTICLE_MAX;
}

static bool check_ns(kb_parse *p)
{
    const char *ns = exc_xml_ns(&p->x);
    if (ns != NULL && *ns != '\0') {
        char b[64];
        exc_err_set(p->err, node_line(p), "element <%s> is in namespace \"%s\"; KB articles "
                    "use no namespace", exc_xml_local_name(&p->x), clip(b, sizeof b, ns));
        return false;
    }
    return true;
}

static bool no_attr(const char *name, const char *value, void *ctx)
{
    kb_parse *p = ctx;
    (void)value;
    exc_err_set(p->err, p->line, "unknown attribute %s on <%s>", name, p->elem);
    return false;
}

/* The current element must hold nothing but white space and comments; leaves
 * the reader on its end. */
/* The next child element of the element at depth (whose name is elem):
 * 1 = on it (p->line set, namespace checked), 0 = at the element's end,
 * -1 = error.  White space and comments are passed over; other text is an
 * error. */
static int next_child_elem(kb_parse *p, int depth, const char *elem)
{
    for (;;) {
        int rc = exc_xml_next(&p->x);
        if (rc <= 0) {
            if (rc == 0)
                exc_err_set(p->err, exc_xml_line(&p->x), "document ends inside <%s>", elem);
            return -1;
        }
        int t = exc_xml_type(&p->x);
        if (t == XML_READER_TYPE_END_ELEMENT && exc_xml_depth(&p->x) == depth)
            return 0;
        if (t == XML_READER_TYPE_ELEMENT) {
            p->line = node_line(p);
            return check_ns(p) ? 1 : -1;
        }
        if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) {
            const char *v = (const char *)xmlTextReaderConstValue(p->x.r);
            if (v != NULL && !is_blank(v)) {
                exc_err_set(p->err, text_line(p, v), "unexpected text in <%s>", elem);
                return -1;
            }
        }
    }
}

static bool expect_no_content(kb_parse *p, const char *elem)
{
    if (exc_xml_is_empty(&p->x))
        return true;
    int rc = next_child_elem(p, exc_xml_depth(&p->x), elem);
    if (rc == 1)
        exc_err_set(p->err, p->line, "unknown element <%s> in <%s>", exc_xml_local_name(&p->x),
                    elem);
    return rc == 0;
}

/* ---- <kbArticle> attributes ---- */

static bool root_attr(const char *name, const char *value, void *ctx)
{
    kb_parse *p = ctx;
    char b[48];
    if (strcmp(name, "id") == 0) {
        if (!valid_id(value)) {
            exc_err_set(p->err, p->line, "id \"%s\" is not 1 to %d letters and digits",
                        clip(b, sizeof b, value), EXC_ARTICLE_MAX);
            return false;
        }
        snprintf(p->a->id, sizeof p->a->id, "%s", value);
        p->has_id = true;
    } else if (strcmp(name, "severity") == 0) {
        int s = exc_severity_from(value);
        if (s == 0 || s == EXC_SEV_CLEARED) {
            exc_err_set(p->err, p->line, "severity \"%s\" is not one of critical, major, minor, "
                        "warning, indeterminate", clip(b, sizeof b, value));
            return false;
        }
        p->a->severity = s;
        p->has_severity = true;
    } else if (strcmp(name, "notification") == 0) {
        int n = exc_notification_from(value);
        if (n == 0) {
            exc_err_set(p->err, p->line, "unknown notification \"%s\"", clip(b, sizeof b, value));
            return false;
        }
        if (n == EXC_NOTIF_SERVER_STALE || n == EXC_NOTIF_ALARM_CLEARED) {
            exc_err_set(p->err, p->line, "notification %s is the agent's own; an article may "
                        "not raise it", value);
            return false;
        }
        p->a->notification = n;
    } else {
        exc_err_set(p->err, p->line, "unknown attribute %s on <" KB_ROOT ">", name);
        return false;
    }
    return true;
}

/* An enumerated attribute: *out = from(value), and the error
 * "<name> \"<value>\" <what>" when that is 0 (no such value). */
static bool enum_attr(kb_parse *p, const char *name, const char *value,
                      int (*from)(const char *), int *out, const char *what)
{
    char b[48];
    *out = from(value);
    if (*out != 0)
        return true;
    exc_err_set(p->err, p->line, "%s \"%s\" %s", name, clip(b, sizeof b, value), what);
    return false;
}

#define CONN_TYPES "is not one of msMail, ccMail, internetMail, x400, other"

/* ---- <rules> ---- */

static exc_kb_rule *add_rule(kb_parse *p)
{
    exc_kb_article *a = p->a;
    if (a->n_rules >= EXC_KB_MAX_RULES) {
        exc_err_set(p->err, p->line, "more than %d rules in one article", EXC_KB_MAX_RULES);
        return NULL;
    }
    if (a->n_rules == p->rules_cap) {
        p->rules_cap = p->rules_cap ? p->rules_cap * 2 : 4;
        a->rules = exc_realloc(a->rules, p->rules_cap * sizeof *a->rules);
    }
    exc_kb_rule *r = &a->rules[a->n_rules];
    memset(r, 0, sizeof *r);
    return r;
}

static bool detector_attr(const char *name, const char *value, void *ctx)
{
    kb_parse *p = ctx;
    exc_kb_rule *r = &p->a->rules[p->a->n_rules];
    char b[48];
    if (strcmp(name, "name") != 0) {
        exc_err_set(p->err, p->line, "unknown attribute %s on <detector>", name);
        return false;
    }
    r->detector = exc_detector_from(value);
    if (r->detector == 0) {
        exc_err_set(p->err, p->line, "unknown detector \"%s\" (built-in detectors: "
                    "comPortConflict, msMailServiceError3, mtaLinkStall, imcStartFailed2140)",
                    clip(b, sizeof b, value));
        return false;
    }
    p->has_detector_name = true;
    return true;
}

/* A new rule of this kind (qualifiers as given, the rest zero) and its
 * attributes, each passed to attr; NULL on error. */
static exc_kb_rule *start_rule(kb_parse *p, int kind, int qualifiers,
                               bool (*attr)(const char *, const char *, void *))
{
    exc_kb_rule *r = add_rule(p);
    if (r == NULL)
        return NULL;
    r->kind = kind;
    r->qualifiers = qualifiers;
    p->has_detector_name = p->has_provider = p->has_event_id = false;
    return exc_xml_each_attr(&p->x, attr, p) ? r : NULL;
}

static bool parse_detector(kb_parse *p)
{
    exc_kb_rule *r = start_rule(p, EXC_RULE_DETECTOR, 0, detector_attr);
    if (r == NULL)
        return false;
    if (!p->has_detector_name) {
        exc_err_set(p->err, p->line, "<detector> has no name attribute");
        return false;
    }
    for (size_t i = 0; i < p->a->n_rules; i++) {
        if (p->a->rules[i].kind == EXC_RULE_DETECTOR && p->a->rules[i].detector == r->detector) {
            exc_err_set(p->err, p->line, "detector %s named twice",
                        exc_detector_name(r->detector));
            return false;
        }
    }
    if (!expect_no_content(p, "detector"))
        return false;
    p->a->n_rules++;
    return true;
}

/* An insertion-string index: 1..EXC_EVENT_MAX_DATA (Windows' %1 is Data[1]). */
static bool data_index(kb_parse *p, const char *value, const char *what, uint8_t *out)
{
    uint64_t v;
    char b[48];
    if (!exc_parse_u64(value, EXC_EVENT_MAX_DATA, &v) || v == 0) {
        exc_err_set(p->err, p->line, "%s \"%s\" is not a number from 1 to %d", what,
                    clip(b, sizeof b, value), EXC_EVENT_MAX_DATA);
        return false;
    }
    *out = (uint8_t)v;
    return true;
}

/* A 16-bit number (an event id, its qualifiers): 0..65535. */
static bool u16_attr(kb_parse *p, const char *value, const char *what, uint16_t *out)
{
    uint64_t v;
    char b[48];
    if (!exc_parse_u64(value, UINT16_MAX, &v)) {
        exc_err_set(p->err, p->line, "%s \"%s\" is not a number from 0 to 65535", what,
                    clip(b, sizeof b, value));
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

/* The high word of a Windows event id (evntcmd's full id = qualifiers << 16 | id). */
static bool parse_qualifiers(kb_parse *p, const char *value, int32_t *out)
{
    uint16_t v;
    if (!u16_attr(p, value, "qualifiers", &v))
        return false;
    *out = v;
    return true;
}

/* ---- <data index=".." equals|matches=".."/> ---- */

typedef struct data_ctx {
    kb_parse *p;
    exc_kb_data_test *t;
} data_ctx;

static bool data_attr(const char *name, const char *value, void *ctx)
{
    data_ctx *d = ctx;
    kb_parse *p = d->p;
    if (strcmp(name, "index") == 0)
        return data_index(p, value, "index", &d->t->index);
    int kind = strcmp(name, "equals") == 0 ? EXC_DT_EQUALS
               : strcmp(name, "matches") == 0 ? EXC_DT_MATCHES : 0;
    if (kind == 0) {
        exc_err_set(p->err, p->line, "unknown attribute %s on <data>", name);
        return false;
    }
    if (d->t->kind != 0) {
        exc_err_set(p->err, p->line, "<data> takes one of equals and matches, not both");
        return false;
    }
    size_t n = strlen(value);
    if (n >= sizeof d->t->value) {
        exc_err_set(p->err, p->line, "<data> %s is too long: %zu octets, at most %zu", name, n,
                    sizeof d->t->value - 1);
        return false;
    }
    d->t->kind = (uint8_t)kind;
    memcpy(d->t->value, value, n + 1);
    return true;
}

static bool parse_data_test(kb_parse *p, exc_kb_data_test *tests, size_t *n)
{
    if (*n >= EXC_KB_MAX_DATA_TESTS) {
        exc_err_set(p->err, p->line, "more than %d <data> tests", EXC_KB_MAX_DATA_TESTS);
        return false;
    }
    exc_kb_data_test *t = &tests[*n];
    memset(t, 0, sizeof *t);
    data_ctx d = {p, t};
    if (!exc_xml_each_attr(&p->x, data_attr, &d))
        return false;
    if (t->index == 0 || t->kind == 0) {
        exc_err_set(p->err, p->line, "<data> needs index and one of equals, matches");
        return false;
    }
    if (!expect_no_content(p, "data"))
        return false;
    (*n)++;
    return true;
}

/* ---- <clearEvent> ---- */

typedef struct clear_ctx {
    kb_parse *p;
    exc_kb_clear_event *c;
    bool has_id;
} clear_ctx;

static bool clear_attr(const char *name, const char *value, void *ctx)
{
    clear_ctx *cc = ctx;
    kb_parse *p = cc->p;
    if (strcmp(name, "provider") == 0) {
        size_t n = strlen(value);
        if (n == 0 || n >= sizeof cc->c->provider) {
            exc_err_set(p->err, p->line, "clearEvent provider must be 1 to %zu octets",
                        sizeof cc->c->provider - 1);
            return false;
        }
        memcpy(cc->c->provider, value, n + 1);
    } else if (strcmp(name, "id") == 0) {
        if (!u16_attr(p, value, "clearEvent id", &cc->c->event_id))
            return false;
        cc->has_id = true;
    } else if (strcmp(name, "resourceData") == 0) {
        return data_index(p, value, "resourceData", &cc->c->resource_data);
    } else if (strcmp(name, "qualifiers") == 0) {
        return parse_qualifiers(p, value, &cc->c->qualifiers);
    } else {
        exc_err_set(p->err, p->line, "unknown attribute %s on <clearEvent>", name);
        return false;
    }
    return true;
}

/* Children of <event> or <clearEvent>: <data> tests, and for <event> also
 * <clearEvent>s (clear == NULL inside a <clearEvent>). */
static bool parse_rule_children(kb_parse *p, const char *elem, exc_kb_data_test *tests,
                                size_t *n_tests, exc_kb_rule *clear);

static bool parse_clear_event(kb_parse *p, exc_kb_rule *r)
{
    if (r->n_clears >= EXC_KB_MAX_CLEAR_EVENTS) {
        exc_err_set(p->err, p->line, "more than %d <clearEvent>s in one rule",
                    EXC_KB_MAX_CLEAR_EVENTS);
        return false;
    }
    exc_kb_clear_event *c = &r->clears[r->n_clears];
    memset(c, 0, sizeof *c);
    c->qualifiers = -1;
    clear_ctx cc = {p, c, false};
    if (!exc_xml_each_attr(&p->x, clear_attr, &cc))
        return false;
    if (!cc.has_id) {
        exc_err_set(p->err, p->line, "<clearEvent> has no id attribute");
        return false;
    }
    if (!parse_rule_children(p, "clearEvent", c->tests, &c->n_tests, NULL))
        return false;
    r->n_clears++;
    return true;
}

static bool parse_rule_children(kb_parse *p, const char *elem, exc_kb_data_test *tests,
                                size_t *n_tests, exc_kb_rule *clear)
{
    if (exc_xml_is_empty(&p->x))
        return true;
    int depth = exc_xml_depth(&p->x), rc;
    while ((rc = next_child_elem(p, depth, elem)) == 1) {
        const char *name = exc_xml_local_name(&p->x);
        bool ok;
        if (strcmp(name, "data") == 0) {
            ok = parse_data_test(p, tests, n_tests);
        } else if (clear != NULL && strcmp(name, "clearEvent") == 0) {
            ok = parse_clear_event(p, clear);
        } else {
            exc_err_set(p->err, p->line, "unknown element <%s> in <%s> (expected <data>%s)",
                        name, elem, clear ? " or <clearEvent>" : "");
            ok = false;
        }
        if (!ok)
            return false;
    }
    return rc == 0;
}

/* One branch per attribute of <event>, each a check, its own message and a
 * copy: over 60 lines, but a flat list, read one attribute at a time. */
static bool event_attr(const char *name, const char *value, void *ctx)
{
    kb_parse *p = ctx;
    exc_kb_rule *r = &p->a->rules[p->a->n_rules];
    char b[48];
    if (strcmp(name, "provider") == 0) {
        size_t n = strlen(value);
        if (n == 0 || n >= sizeof r->provider) {
            exc_err_set(p->err, p->line, "event provider must be 1 to %zu octets, not %zu",
                        sizeof r->provider - 1, n);
            return false;
        }
        memcpy(r->provider, value, n + 1);
        p->has_provider = true;
    } else if (strcmp(name, "id") == 0) {
        if (!u16_attr(p, value, "event id", &r->event_id))
            return false;
        p->has_event_id = true;
    } else if (strcmp(name, "message") == 0) {
        size_t n = strlen(value);
        if (n >= sizeof r->message) {
            exc_err_set(p->err, p->line, "event message is too long: %zu octets, at most %zu", n,
                        sizeof r->message - 1);
            return false;
        }
        memcpy(r->message, value, n + 1);
    } else if (strcmp(name, "connectorType") == 0) {
        return enum_attr(p, name, value, exc_conn_type_from, &r->connector_type, CONN_TYPES);
    } else if (strcmp(name, "clearState") == 0) {
        return enum_attr(p, name, value, exc_svc_state_from, &r->clear_state,
                         "is not a service state");
    } else if (strcmp(name, "clearDirSync") == 0) {
        return enum_attr(p, name, value, exc_dirsync_from, &r->clear_dirsync,
                         "is not one of completed, pending, failed, unknown");
    } else if (strcmp(name, "resourceData") == 0) {
        return data_index(p, value, "resourceData", &r->resource_data);
    } else if (strcmp(name, "log") == 0) {
        size_t n = strlen(value);
        if (n == 0 || n >= sizeof r->log || strpbrk(value, " \t\r\n\"") != NULL) {
            exc_err_set(p->err, p->line, "log \"%s\" must be 1 to %zu octets without spaces or "
                        "quotes", clip(b, sizeof b, value), sizeof r->log - 1);
            return false;
        }
        memcpy(r->log, value, n + 1);
    } else if (strcmp(name, "qualifiers") == 0) {
        return parse_qualifiers(p, value, &r->qualifiers);
    } else {
        exc_err_set(p->err, p->line, "unknown attribute %s on <event>", name);
        return false;
    }
    return true;
}

static bool parse_event(kb_parse *p)
{
    exc_kb_rule *r = start_rule(p, EXC_RULE_EVENT, -1, event_attr);
    if (r == NULL)
        return false;
    if (!p->has_provider) {
        exc_err_set(p->err, p->line, "<event> has no provider attribute");
        return false;
    }
    if (!p->has_event_id) {
        exc_err_set(p->err, p->line, "<event> has no id attribute");
        return false;
    }
    if (r->clear_dirsync != 0 && r->clear_state == 0) {
        exc_err_set(p->err, p->line, "clearDirSync needs clearState as well");
        return false;
    }
    int line = p->line;
    if (!parse_rule_children(p, "event", r->tests, &r->n_tests, r))
        return false;
    for (size_t i = 0; i < r->n_clears; i++) {
        exc_kb_clear_event *c = &r->clears[i];
        if (c->provider[0] == '\0')
            memcpy(c->provider, r->provider, sizeof c->provider);
        if (c->resource_data == 0)
            c->resource_data = r->resource_data;
    }
    for (size_t i = 0; i < p->a->n_rules; i++) {
        const exc_kb_rule *o = &p->a->rules[i];
        if (o->kind == EXC_RULE_EVENT && o->event_id == r->event_id &&
            exc_strcasecmp(o->provider, r->provider) == 0 && strcmp(o->message, r->message) == 0 &&
            o->n_tests == r->n_tests &&
            memcmp(o->tests, r->tests, r->n_tests * sizeof *r->tests) == 0) {
            exc_err_set(p->err, line, "event rule %s/%u given twice", r->provider,
                        (unsigned)r->event_id);
            return false;
        }
    }
    p->a->n_rules++;
    return true;
}

static bool parse_rules(kb_parse *p)
{
    p->rules_line = p->line;
    if (p->seen & SEEN_RULES) {
        exc_err_set(p->err, p->line, "<rules> given more than once");
        return false;
    }
    p->seen |= SEEN_RULES;
    p->elem = "rules";
    if (!exc_xml_each_attr(&p->x, no_attr, p))
        return false;
    if (exc_xml_is_empty(&p->x))
        return true;
    int depth = exc_xml_depth(&p->x), rc;
    while ((rc = next_child_elem(p, depth, "rules")) == 1) {
        const char *name = exc_xml_local_name(&p->x);
        bool ok;
        if (strcmp(name, "detector") == 0) {
            ok = parse_detector(p);
        } else if (strcmp(name, "event") == 0) {
            ok = parse_event(p);
        } else {
            exc_err_set(p->err, p->line, "unknown element <%s> in <rules> (expected "
                        "<detector> or <event>)", name);
            ok = false;
        }
        if (!ok)
            return false;
    }
    return rc == 0;
}

/* ---- text children ---- */

static bool parse_text(kb_parse *p, const text_field *f)
{
    if (p->seen & f->bit) {
        exc_err_set(p->err, p->line, "<%s> given more than once", f->name);
        return false;
    }
    p->seen |= f->bit;
    p->elem = f->name;
    if (!exc_xml_each_attr(&p->x, no_attr, p))
        return false;
    /* The raw text cannot be longer than the file (references only shrink),
     * so this limit never cuts; the real limit is checked after folding. */
    char *t = exc_xml_read_text(&p->x, EXC_KB_MAX_FILE_BYTES);
    if (t == NULL)
        return false;
    size_t n = fold_space(t);
    bool ok = false;
    if (n == 0) {
        exc_err_set(p->err, p->line, "<%s> is empty", f->name);
    } else if (n > EXC_TEXT_MAX) {
        exc_err_set(p->err, p->line, "<%s> is too long: %zu octets, at most %d", f->name, n,
                    EXC_TEXT_MAX);
    } else if (f->bit == SEEN_URL &&
               (strncmp(t, "https://", 8) != 0 || t[8] == '\0' || strchr(t, ' ') != NULL)) {
        char b[64];
        exc_err_set(p->err, p->line, "url \"%s\" must start with https:// and hold no spaces",
                    clip(b, sizeof b, t));
    } else {
        memcpy((char *)p->a + f->off, t, n + 1);
        ok = true;
    }
    free(t);
    return ok;
}

/* ---- the article ---- */

static bool check_file_name(kb_parse *p, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char want[EXC_ARTICLE_BUF + 4];
    snprintf(want, sizeof want, "%s.xml", p->a->id);
    if (strcmp(base, want) != 0) {
        char b[64];
        exc_err_set(p->err, p->root_line, "article id %s does not match the file name %s "
                    "(it must be %s)", p->a->id, clip(b, sizeof b, base), want);
        return false;
    }
    return true;
}

static bool parse_children(kb_parse *p)
{
    if (exc_xml_is_empty(&p->x))
        return true;
    for (;;) {
        int rc = exc_xml_next(&p->x);
        if (rc <= 0) {
            if (rc == 0)
                exc_err_set(p->err, exc_xml_line(&p->x), "document ends inside <" KB_ROOT ">");
            return false;
        }
        int t = exc_xml_type(&p->x);
        if (t == XML_READER_TYPE_END_ELEMENT && exc_xml_depth(&p->x) == 0)
            return true;
        if (t == XML_READER_TYPE_ELEMENT) {
            p->line = node_line(p);
            if (!check_ns(p))
                return false;
            const char *name = exc_xml_local_name(&p->x);
            bool ok = false, known = false;
            for (size_t i = 0; i < N_TEXT_FIELDS; i++) {
                if (strcmp(name, text_fields[i].name) == 0) {
                    ok = parse_text(p, &text_fields[i]);
                    known = true;
                    break;
                }
            }
            if (!known && strcmp(name, "rules") == 0) {
                ok = parse_rules(p);
                known = true;
            }
            if (!known)
                exc_err_set(p->err, p->line, "unknown element <%s> in <" KB_ROOT ">", name);
            if (!ok)
                return false;
        } else if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) {
            const char *v = (const char *)xmlTextReaderConstValue(p->x.r);
            if (v != NULL && !is_blank(v)) {
                exc_err_set(p->err, text_line(p, v), "unexpected text in <" KB_ROOT ">");
                return false;
            }
        }
    }
}

static bool parse_article(kb_parse *p, const char *path)
{
    int rc;
    /* the root element (comments and processing instructions may precede it) */
    while ((rc = exc_xml_next(&p->x)) == 1 && exc_xml_type(&p->x) != XML_READER_TYPE_ELEMENT)
        ;
    if (rc != 1) {
        if (rc == 0)
            exc_err_set(p->err, exc_xml_line(&p->x), "no <" KB_ROOT "> element");
        return false;
    }
    p->root_line = p->line = node_line(p);
    if (!check_ns(p))
        return false;
    if (strcmp(exc_xml_local_name(&p->x), KB_ROOT) != 0) {
        exc_err_set(p->err, p->line, "root element is <%s>; a KB article is <" KB_ROOT ">",
                    exc_xml_local_name(&p->x));
        return false;
    }
    p->a->notification = EXC_NOTIF_KB_ALARM;   /* the generic one unless it names its own */
    if (!exc_xml_each_attr(&p->x, root_attr, p))
        return false;
    if (!p->has_id) {
        exc_err_set(p->err, p->root_line, "<" KB_ROOT "> has no id attribute");
        return false;
    }
    if (!p->has_severity) {
        exc_err_set(p->err, p->root_line, "<" KB_ROOT "> has no severity attribute");
        return false;
    }
    if (!check_file_name(p, path))
        return false;
    if (!parse_children(p))
        return false;
    /* read to the end, so trailing garbage rejects the file too */
    while ((rc = exc_xml_next(&p->x)) == 1)
        ;
    if (rc < 0)
        return false;
    for (size_t i = 0; i < N_TEXT_FIELDS; i++) {
        if (!(p->seen & text_fields[i].bit)) {
            exc_err_set(p->err, p->root_line, "<" KB_ROOT "> has no <%s>", text_fields[i].name);
            return false;
        }
    }
    if (!(p->seen & SEEN_RULES)) {
        exc_err_set(p->err, p->root_line, "<" KB_ROOT "> has no <rules>");
        return false;
    }
    if (p->a->n_rules == 0) {
        exc_err_set(p->err, p->rules_line, "<rules> holds no rule; give at least one <detector> "
                    "or <event>");
        return false;
    }
    return true;
}

/* Load one file; *root_line gets the line of its <kbArticle> (for reasons
 * that concern the whole article, such as a duplicate id). */
static bool load_one(const char *path, exc_kb_article *out, exc_err *err, int *root_line)
{
    exc_err e;
    exc_err_clear(&e);
    exc_kb_article a;
    memset(&a, 0, sizeof a);
    kb_parse p;
    memset(&p, 0, sizeof p);
    p.err = &e;
    p.a = &a;
    bool ok = false;
    if (path == NULL || out == NULL) {
        exc_err_set(&e, 0, "no file given");
    } else if (exc_xml_open_file(&p.x, path, EXC_KB_MAX_FILE_BYTES, EXC_KB_MAX_DEPTH, &e)) {
        ok = parse_article(&p, path);
        exc_xml_close(&p.x);
    }
    if (ok && e.msg[0] != '\0')
        ok = false;   /* belt and braces: any recorded error rejects */
    if (!ok) {
        if (e.msg[0] == '\0')
            exc_err_set(&e, 0, "invalid KB article");
        if (err != NULL)
            *err = e;
        exc_kb_article_free(&a);
        return false;
    }
    exc_utf8_copy(a.file, sizeof a.file, path);
    *out = a;
    if (root_line != NULL)
        *root_line = p.root_line;
    return true;
}

bool exc_kb_load_file(const char *path, exc_kb_article *out, exc_err *err)
{
    return load_one(path, out, err, NULL);
}

/* ---- services.xml: <serviceNames><service .../>...</serviceNames> ---- */

typedef struct svc_ctx {
    kb_parse *p;
    exc_kb_service *s;
    bool has_display, has_service, has_type;
} svc_ctx;

static bool copy_attr(kb_parse *p, const char *name, const char *value, char *dst, size_t cap)
{
    size_t n = strlen(value);
    if (n == 0 || n >= cap || exc_has_control(value)) {
        exc_err_set(p->err, p->line, "%s must be 1 to %zu octets without control characters",
                    name, cap - 1);
        return false;
    }
    memcpy(dst, value, n + 1);
    return true;
}

static bool service_attr(const char *name, const char *value, void *ctx)
{
    svc_ctx *c = ctx;
    kb_parse *p = c->p;
    char b[48];
    if (strcmp(name, "displayName") == 0) {
        c->has_display = true;
        return copy_attr(p, name, value, c->s->display, sizeof c->s->display);
    }
    if (strcmp(name, "service") == 0) {
        c->has_service = true;
        return copy_attr(p, name, value, c->s->service, sizeof c->s->service);
    }
    if (strcmp(name, "server") == 0) {
        const char *why = exc_server_name_problem(value);
        if (why != NULL) {
            exc_err_set(p->err, p->line, "server \"%s\": %s", clip(b, sizeof b, value), why);
            return false;
        }
        exc_upper(c->s->server, sizeof c->s->server, value);
        return true;
    }
    if (strcmp(name, "connectorType") == 0) {
        c->has_type = true;
        return enum_attr(p, name, value, exc_conn_type_from, &c->s->type, CONN_TYPES);
    }
    exc_err_set(p->err, p->line, "unknown attribute %s on <service>", name);
    return false;
}

static bool parse_services(kb_parse *p, exc_kb_service **out, size_t *n_out)
{
    int rc;
    while ((rc = exc_xml_next(&p->x)) == 1 && exc_xml_type(&p->x) != XML_READER_TYPE_ELEMENT)
        ;
    if (rc != 1) {
        if (rc == 0)
            exc_err_set(p->err, exc_xml_line(&p->x), "no <serviceNames> element");
        return false;
    }
    p->line = node_line(p);
    p->elem = "serviceNames";
    if (!check_ns(p) || !exc_xml_each_attr(&p->x, no_attr, p))
        return false;
    if (strcmp(exc_xml_local_name(&p->x), "serviceNames") != 0) {
        exc_err_set(p->err, p->line, "root element of " EXC_KB_SERVICES_FILE " must be "
                    "<serviceNames>");
        return false;
    }
    if (exc_xml_is_empty(&p->x))
        return true;
    while ((rc = next_child_elem(p, 0, "serviceNames")) == 1) {
        if (strcmp(exc_xml_local_name(&p->x), "service") != 0) {
            exc_err_set(p->err, p->line, "unknown element <%s> in <serviceNames>",
                        exc_xml_local_name(&p->x));
            return false;
        }
        if (*n_out >= EXC_KB_MAX_SERVICES) {
            exc_err_set(p->err, p->line, "more than %d <service> entries", EXC_KB_MAX_SERVICES);
            return false;
        }
        *out = exc_realloc(*out, (*n_out + 1) * sizeof **out);
        exc_kb_service *sv = &(*out)[*n_out];
        memset(sv, 0, sizeof *sv);
        svc_ctx c = {p, sv, false, false, false};
        if (!exc_xml_each_attr(&p->x, service_attr, &c))
            return false;
        if (!c.has_display || !c.has_service || !c.has_type) {
            exc_err_set(p->err, p->line, "<service> needs displayName, service and "
                        "connectorType");
            return false;
        }
        if (!expect_no_content(p, "service"))
            return false;
        (*n_out)++;
    }
    if (rc < 0)
        return false;
    while ((rc = exc_xml_next(&p->x)) == 1)
        ;
    return rc == 0;
}

static bool load_services(const char *path, exc_kb *kb, exc_err *e)
{
    kb_parse p;
    memset(&p, 0, sizeof p);
    p.err = e;
    if (!exc_xml_open_file(&p.x, path, EXC_KB_MAX_FILE_BYTES, EXC_KB_MAX_DEPTH, e))
        return false;
    bool ok = parse_services(&p, &kb->services, &kb->n_services);
    exc_xml_close(&p.x);
    if (!ok || e->msg[0] != '\0') {
        if (e->msg[0] == '\0')
            exc_err_set(e, 0, "invalid " EXC_KB_SERVICES_FILE);
        free(kb->services);
        kb->services = NULL;
        kb->n_services = 0;
        return false;
    }
    return true;
}

/* ---- directories ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_article_id(const void *a, const void *b)
{
    return strcmp(((const exc_kb_article *)a)->id, ((const exc_kb_article *)b)->id);
}

static bool is_article_name(const char *n)
{
    size_t l = strlen(n);
    return n[0] != '.' && l > 4 && strcmp(n + l - 4, ".xml") == 0 &&
           strcmp(n, EXC_KB_SERVICES_FILE) != 0;
}

/* DIR/NAME, malloc'ed */
static char *dir_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    size_t pl = dl + 1 + strlen(name) + 1;
    char *path = exc_calloc(1, pl);
    snprintf(path, pl, "%s%s%s", dir, slash ? "" : "/", name);
    return path;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void free_articles(exc_kb_article *arts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        exc_kb_article_free(&arts[i]);
    free(arts);
}

/* The article file names of dir (*.xml, but the services file), sorted;
 * false with e set (nothing to free): unreadable, too many, none. */
static bool list_articles(const char *dir, char ***names_out, size_t *n_out, exc_err *e)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        exc_err_set(e, 0, "cannot open KB directory: %s", strerror(errno));
        return false;
    }
    size_t n_names = 0, cap = 0;
    char **names = NULL;
    bool ok = true;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (de == NULL) {
            if (errno != 0) {
                exc_err_set(e, 0, "cannot read KB directory: %s", strerror(errno));
                ok = false;
            }
            break;
        }
        if (!is_article_name(de->d_name))
            continue;
        if (n_names == EXC_KB_MAX_ARTICLES) {
            exc_err_set(e, 0, "more than %d KB articles in the directory", EXC_KB_MAX_ARTICLES);
            ok = false;
            break;
        }
        if (n_names == cap) {
            cap = cap ? cap * 2 : 16;
            names = exc_realloc(names, cap * sizeof *names);
        }
        names[n_names++] = exc_strdup(de->d_name);
    }
    closedir(d);
    if (ok && n_names == 0) {
        exc_err_set(e, 0, "no KB articles (*.xml files) in the directory");
        ok = false;
    }
    if (!ok) {
        free_names(names, n_names);
        return false;
    }
    qsort(names, n_names, sizeof *names, cmp_str);
    *names_out = names;
    *n_out = n_names;
    return true;
}

/* Load the named articles of dir, in that order; false with e set, naming
 * the file (nothing to free), on the first bad one or a duplicate id. */
static bool load_articles(const char *dir, char **names, size_t n_names,
                          exc_kb_article **arts_out, size_t *n_out, exc_err *e)
{
    exc_kb_article *arts = exc_calloc(n_names, sizeof *arts);
    int *lines = exc_calloc(n_names, sizeof *lines);
    size_t n = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n_names; i++) {
        char *path = dir_path(dir, names[i]);
        if (!load_one(path, &arts[n], e, &lines[n])) {
            exc_err_at(e, path);
            ok = false;
        } else {
            /* Duplicate ids, compared case-insensitively ("q1" and "Q1" are the
             * same article to an operator); the later file is the bad one.
             * Quadratic, but bounded by EXC_KB_MAX_ARTICLES and run once. */
            for (size_t j = 0; j < n; j++) {
                if (exc_strcasecmp(arts[j].id, arts[n].id) == 0) {
                    exc_err_set(e, lines[n], "duplicate article id %s (already loaded from %s)",
                                arts[n].id, arts[j].file);
                    exc_err_at(e, path);
                    exc_kb_article_free(&arts[n]);
                    ok = false;
                    break;
                }
            }
            if (ok)
                n++;
        }
        free(path);
    }
    free(lines);
    if (!ok) {
        free_articles(arts, n);
        return false;
    }
    *arts_out = arts;
    *n_out = n;
    return true;
}

bool exc_kb_load_dir(const char *dir, exc_kb *out, exc_err *err)
{
    exc_err e;
    exc_err_clear(&e);
    if (dir == NULL || out == NULL) {
        exc_err_set(&e, 0, "no KB directory given");
        if (err != NULL)
            *err = e;
        return false;
    }
    char **names = NULL;
    size_t n_names = 0, n = 0;
    exc_kb_article *arts = NULL;
    bool ok = list_articles(dir, &names, &n_names, &e);
    if (!ok) {
        exc_err_at(&e, dir);
    } else {
        ok = load_articles(dir, names, n_names, &arts, &n, &e);
        free_names(names, n_names);
    }
    /* the service display names, when the directory has them */
    exc_kb svc = {0, NULL, 0, NULL};
    if (ok) {
        qsort(arts, n, sizeof *arts, cmp_article_id);
        char *spath = dir_path(dir, EXC_KB_SERVICES_FILE);
        if (access(spath, F_OK) == 0 && !load_services(spath, &svc, &e)) {
            exc_err_at(&e, spath);
            ok = false;
        }
        free(spath);
    }
    if (!ok) {
        free_articles(arts, n);
        if (err != NULL)
            *err = e;
        return false;
    }
    out->n = n;
    out->articles = arts;
    out->n_services = svc.n_services;
    out->services = svc.services;
    return true;
}

const exc_kb_article *exc_kb_find(const exc_kb *kb, const char *id)
{
    if (kb == NULL || id == NULL || kb->articles == NULL)
        return NULL;
    size_t lo = 0, hi = kb->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(id, kb->articles[mid].id);
        if (c == 0)
            return &kb->articles[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

void exc_kb_article_free(exc_kb_article *a)
{
    if (a == NULL)
        return;
    free(a->rules);
    a->rules = NULL;
    a->n_rules = 0;
}

void exc_kb_free(exc_kb *kb)
{
    if (kb == NULL)
        return;
    free_articles(kb->articles, kb->n);
    free(kb->services);
    memset(kb, 0, sizeof *kb);
}
