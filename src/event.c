/* Windows Event XML parser (SPEC §3 "Event records").
 *
 * wevtutil prints events as a run of top-level <Event> elements, which is
 * not a well-formed XML document.  The parser therefore wraps every file in
 * a virtual root element, inserted after the prolog (XML declaration,
 * comments, PIs), so that the declaration still comes first and libxml2
 * still honours its encoding; the insertion adds no newline, so line numbers
 * in reasons are the file's own.  Inside the wrapper the file holds either
 * one or more <Event> elements, or exactly one element of any name whose
 * children are <Event> elements.
 *
 * Decisions where SPEC §3 is silent:
 *  - encodings: whatever libxml2 reads from the declaration or the byte
 *    order mark: UTF-8 (with or without BOM), UTF-16 with a BOM (Windows
 *    PowerShell's Out-File writes that), ISO-8859-1...; the wrapper is
 *    inserted in the file's own code units.  Invalid byte sequences reject;
 *  - a DOCTYPE in the prolog rejects the file (as for every input);
 *  - <Event> is in the event namespace or in none; an <Event> in any other
 *    namespace rejects the file; fields are read only from elements in the
 *    Event's own namespace;
 *  - a wrapping root holds only <Event> elements; anything else (text, other
 *    elements, a second top-level element) rejects the file; zero events
 *    reject it;
 *  - required per event: Provider/@Name (1..128 octets), EventID (decimal,
 *    at most 2^32-1, low 16 bits kept), TimeCreated/@SystemTime, Computer;
 *    Qualifiers="" counts as absent and SystemTime may be python-evtx's
 *    "2012-03-14 04:17:43.354563[+00:00]" (see event_time); EventData may
 *    be absent or empty (zero Data items);
 *    optional: Level (0..255), EventRecordID (u64); a field given twice
 *    rejects;
 *  - the server is Computer up to the first '.', upper-cased; it must be a
 *    valid server name (1..32 octets, NetBIOS characters) or the file is
 *    rejected;
 *  - Data items beyond EXC_EVENT_MAX_DATA are ignored; a Data item longer
 *    than EXC_EVENT_DATA_MAX octets and a Message longer than
 *    EXC_EVENT_MESSAGE_MAX octets are cut at a character boundary (other
 *    events of the file matter more than the tail of a message); a text over
 *    TEXT_HARD_MAX octets rejects;
 *  - everything else in an event (other System children, UserData, Binary,
 *    other RenderingInfo children, stray text) is skipped.
 */
#include "event.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "util.h"
#include "xmlsafe.h"

#define WRAP_NAME "exconn-events"
#define WRAP_OPEN "<" WRAP_NAME ">"
#define WRAP_CLOSE "</" WRAP_NAME ">"
#define WRAP_EXTRA (2 * (sizeof WRAP_OPEN - 1 + sizeof WRAP_CLOSE - 1))
#define TEXT_HARD_MAX (1024 * 1024)
#define COMPUTER_MAX 255

/* ------------------------------------------------------------- wrapping */

typedef struct units {
    const unsigned char *b;
    size_t n;      /* code units */
    size_t w;      /* octets per code unit: 1 or 2 */
    bool be;       /* big-endian UTF-16 */
} units;

static int unit(const units *u, size_t i)
{
    if (i >= u->n)
        return -1;
    if (u->w == 1)
        return u->b[i];
    const unsigned char *p = u->b + 2 * i;
    return u->be ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]);
}

static bool match(const units *u, size_t i, const char *s)
{
    for (; *s; s++, i++)
        if (unit(u, i) != (unsigned char)*s)
            return false;
    return true;
}

/* index of the first unit after `end` at or after i, or u->n when absent */
static size_t skip_past(const units *u, size_t i, const char *end)
{
    for (; i < u->n; i++)
        if (match(u, i, end))
            return i + strlen(end);
    return u->n;
}

/* Where the virtual root goes: after the BOM, the XML declaration, and any
 * comments, PIs and whitespace before the first element.  Returns false
 * (err set) when the prolog holds a DOCTYPE. */
static bool find_insertion(const unsigned char *b, size_t len, size_t *at, size_t *w, bool *be,
                           exc_err *err)
{
    units u = {.b = b, .n = len, .w = 1, .be = false};
    size_t i = 0;
    if (len >= 2 && b[0] == 0xff && b[1] == 0xfe) {
        u.w = 2;
        i = 1;
    } else if (len >= 2 && b[0] == 0xfe && b[1] == 0xff) {
        u.w = 2;
        u.be = true;
        i = 1;
    } else if (len >= 4 && b[0] == '<' && b[1] == 0 && b[2] == '?' && b[3] == 0) {
        u.w = 2;
    } else if (len >= 4 && b[0] == 0 && b[1] == '<' && b[2] == 0 && b[3] == '?') {
        u.w = 2;
        u.be = true;
    } else if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
        i = 3;
    }
    u.n = len / u.w;
    for (;;) {
        int c = unit(&u, i);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            i++;
        else if (match(&u, i, "<?"))
            i = skip_past(&u, i + 2, "?>");
        else if (match(&u, i, "<!--"))
            i = skip_past(&u, i + 4, "-->");
        else
            break;
    }
    if (match(&u, i, "<!DOCTYPE")) {
        int line = 1;
        for (size_t k = 0; k < i; k++)
            if (unit(&u, k) == '\n')
                line++;
        exc_err_set(err, line, "DOCTYPE declarations are not accepted");
        return false;
    }
    *at = i * u.w;
    *w = u.w;
    *be = u.be;
    return true;
}

static void put_ascii(unsigned char *dst, const char *s, size_t w, bool be)
{
    for (; *s; s++) {
        if (w == 1) {
            *dst++ = (unsigned char)*s;
        } else if (be) {
            *dst++ = 0;
            *dst++ = (unsigned char)*s;
        } else {
            *dst++ = (unsigned char)*s;
            *dst++ = 0;
        }
    }
}

/* buf holds len octets of the file and has room for WRAP_EXTRA more: wrap
 * it in place.  Returns the new length, 0 on error (err set). */
static size_t wrap(unsigned char *buf, size_t len, exc_err *err)
{
    size_t at, w;
    bool be;
    if (!find_insertion(buf, len, &at, &w, &be, err))
        return 0;
    size_t open_len = (sizeof WRAP_OPEN - 1) * w, close_len = (sizeof WRAP_CLOSE - 1) * w;
    /* an odd trailing octet of a UTF-16 file stays where it is: libxml2
     * will call the file malformed */
    memmove(buf + at + open_len, buf + at, len - at);
    put_ascii(buf + at, WRAP_OPEN, w, be);
    put_ascii(buf + len + open_len, WRAP_CLOSE, w, be);
    return len + open_len + close_len;
}

/* -------------------------------------------------------------- parsing */

typedef struct ep {
    exc_xml x;
    exc_err *err;
    exc_event_batch b;
    size_t cap;
} ep;

static bool same_ns(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* cut valid UTF-8 in place to at most max octets, at a character boundary */
static void cut_utf8(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    s[n] = '\0';
}

typedef struct attr_get {
    const char *want;
    char *val;
} attr_get;

static bool attr_get_cb(const char *name, const char *value, void *ctx)
{
    attr_get *g = ctx;
    if (strcmp(name, g->want) == 0 && g->val == NULL)
        g->val = exc_strdup(value);
    return true;
}

/* malloc'ed value of the current element's attribute `name`, or NULL */
static char *get_attr(ep *p, const char *name)
{
    attr_get g = {.want = name, .val = NULL};
    exc_xml_each_attr(&p->x, attr_get_cb, &g);
    return g.val;
}

/* Next element child of the element at `depth`: 1 = on it, 0 = end, -1 =
 * error.  Text, comments and PIs are passed over. */
static int next_child(ep *p, int depth)
{
    for (;;) {
        int rc = exc_xml_next(&p->x);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            exc_err_set(p->err, exc_xml_line(&p->x), "truncated document");
            return -1;
        }
        int t = exc_xml_type(&p->x);
        if (t == XML_READER_TYPE_ELEMENT)
            return 1;
        if (t == XML_READER_TYPE_END_ELEMENT && exc_xml_depth(&p->x) <= depth)
            return 0;
    }
}

static void event_free(exc_event *e)
{
    for (size_t i = 0; i < e->n_data; i++)
        free(e->data[i]);
    free(e->message);
    memset(e, 0, sizeof *e);
}

/* TimeCreated/@SystemTime: ISO 8601 UTC as wevtutil writes it, and
 * python-evtx's evtx_dump form: a space for the 'T' (Python's
 * isoformat(' ')), the fraction absent at whole seconds, and either no zone
 * (0.6.x: a naive datetime from utcfromtimestamp, so UTC) or "+00:00". */
static bool event_time(const char *s, int64_t *out)
{
    char t[64];
    size_t n = strlen(s);
    if (n < 19 || n + 2 > sizeof t)
        return false;
    memcpy(t, s, n + 1);
    if (t[10] == ' ') {
        t[10] = 'T';
        const char *zone = t + 19 + strspn(t + 19, ".0123456789");
        if (*zone == '\0')
            memcpy(t + n, "Z", 2);
    }
    return exc_parse_iso8601(t, out);
}

/* Text of a numeric element: NULL (err set) on error; "" when empty. */
static char *num_text(ep *p)
{
    return exc_xml_read_text(&p->x, 64);
}

typedef struct evstate {
    exc_event ev;
    bool provider, id, time, computer, level, record;
} evstate;

static bool dup_field(ep *p, bool *seen, const char *what)
{
    if (*seen) {
        exc_err_set(p->err, exc_xml_line(&p->x), "duplicate <%s> in <System>", what);
        return false;
    }
    *seen = true;
    return true;
}

/* The <System> children the agent reads, one function each: true when the
 * element was taken (the reader past it), false with p->err set. */
static bool sys_provider(ep *p, evstate *s, int line)
{
    bool ok = dup_field(p, &s->provider, "Provider");
    char *v = ok ? get_attr(p, "Name") : NULL;
    if (ok && (v == NULL || *v == '\0')) {
        exc_err_set(p->err, line, "<Provider> without Name");
        ok = false;
    } else if (ok && strlen(v) > EXC_EVENT_PROVIDER_BUF - 1) {
        exc_err_set(p->err, line, "provider name longer than %d octets",
                    EXC_EVENT_PROVIDER_BUF - 1);
        ok = false;
    } else if (ok && exc_has_control(v)) {
        exc_err_set(p->err, line, "provider name contains a control character");
        ok = false;
    } else if (ok) {
        exc_utf8_copy(s->ev.provider, sizeof s->ev.provider, v);
    }
    free(v);
    return ok && exc_xml_skip(&p->x) == 1;
}

static bool sys_event_id(ep *p, evstate *s, int line)
{
    char b[EXC_QUOTE_BUF];
    bool ok = dup_field(p, &s->id, "EventID");
    char *qual = ok ? get_attr(p, "Qualifiers") : NULL;
    uint64_t v;
    /* Qualifiers="" is python-evtx's rendering of an absent value */
    if (qual != NULL && *trim(qual) != '\0' && !exc_parse_u64(trim(qual), UINT16_MAX, &v)) {
        exc_err_set(p->err, line, "EventID Qualifiers \"%s\" is not a number 0..65535",
                    exc_quote(b, qual));
        ok = false;
    }
    free(qual);
    char *t = ok ? num_text(p) : NULL;
    if (ok && t == NULL) {
        ok = false;
    } else if (ok && !exc_parse_u64(trim(t), UINT32_MAX, &v)) {
        exc_err_set(p->err, line, "EventID \"%s\" is not a number 0..4294967295",
                    exc_quote(b, trim(t)));
        ok = false;
    } else if (ok) {
        s->ev.id = (uint16_t)(v & 0xffff);
    }
    free(t);
    return ok;
}

static bool sys_level(ep *p, evstate *s, int line)
{
    char b[EXC_QUOTE_BUF];
    bool ok = dup_field(p, &s->level, "Level");
    char *t = ok ? num_text(p) : NULL;
    uint64_t v;
    if (ok && t == NULL) {
        ok = false;
    } else if (ok && *trim(t) != '\0') {
        if (!exc_parse_u64(trim(t), 255, &v)) {
            exc_err_set(p->err, line, "Level \"%s\" is not a number 0..255",
                        exc_quote(b, trim(t)));
            ok = false;
        } else {
            s->ev.level = (int)v;
        }
    }
    free(t);
    return ok;
}

static bool sys_time_created(ep *p, evstate *s, int line)
{
    char b[EXC_QUOTE_BUF];
    bool ok = dup_field(p, &s->time, "TimeCreated");
    char *v = ok ? get_attr(p, "SystemTime") : NULL;
    if (ok && v == NULL) {
        exc_err_set(p->err, line, "<TimeCreated> without SystemTime");
        ok = false;
    } else if (ok && !event_time(trim(v), &s->ev.time)) {
        exc_err_set(p->err, line, "TimeCreated SystemTime \"%s\" is not an ISO 8601 UTC time",
                    exc_quote(b, v));
        ok = false;
    }
    free(v);
    return ok && exc_xml_skip(&p->x) == 1;
}

static bool sys_record_id(ep *p, evstate *s, int line)
{
    char b[EXC_QUOTE_BUF];
    bool ok = dup_field(p, &s->record, "EventRecordID");
    char *t = ok ? num_text(p) : NULL;
    if (ok && t == NULL) {
        ok = false;
    } else if (ok && *trim(t) != '\0' && !exc_parse_u64(trim(t), UINT64_MAX, &s->ev.record_id)) {
        exc_err_set(p->err, line, "EventRecordID \"%s\" is not an unsigned number",
                    exc_quote(b, trim(t)));
        ok = false;
    }
    free(t);
    return ok;
}

static bool sys_computer(ep *p, evstate *s, int line)
{
    char b[EXC_QUOTE_BUF];
    bool ok = dup_field(p, &s->computer, "Computer");
    char *t = ok ? exc_xml_read_text(&p->x, COMPUTER_MAX) : NULL;
    if (ok && t == NULL) {
        ok = false;
    } else if (ok) {
        char *c = trim(t);
        char host[COMPUTER_MAX + 1];
        size_t hl = strcspn(c, ".");
        memcpy(host, c, hl);
        host[hl] = '\0';
        const char *why = exc_server_name_problem(host);
        if (why != NULL) {
            exc_err_set(p->err, line, "Computer \"%s\": server name %s", exc_quote(b, c), why);
            ok = false;
        } else {
            exc_upper(s->ev.server, sizeof s->ev.server, host);
        }
    }
    free(t);
    return ok;
}

static const struct sys_field {
    const char *name;
    bool (*take)(ep *p, evstate *s, int line);
} sys_fields[] = {
    {"Provider", sys_provider},       {"EventID", sys_event_id},
    {"Level", sys_level},             {"TimeCreated", sys_time_created},
    {"EventRecordID", sys_record_id}, {"Computer", sys_computer},
};

static bool parse_system(ep *p, evstate *s, const char *ns)
{
    if (exc_xml_is_empty(&p->x))
        return true;
    int depth = exc_xml_depth(&p->x), rc;
    while ((rc = next_child(p, depth)) == 1) {
        const struct sys_field *f = NULL;
        if (same_ns(exc_xml_ns(&p->x), ns)) {
            const char *n = exc_xml_local_name(&p->x);
            for (size_t i = 0; i < sizeof sys_fields / sizeof sys_fields[0] && !f; i++)
                if (strcmp(n, sys_fields[i].name) == 0)
                    f = &sys_fields[i];
        }
        /* another namespace, or Task, Opcode, Keywords, ...: passed over */
        bool ok = f ? f->take(p, s, exc_xml_line(&p->x)) : exc_xml_skip(&p->x) == 1;
        if (!ok)
            return false;
    }
    return rc == 0;
}

/* Text of a kept element, cut to max octets. */
static char *kept_text(ep *p, size_t max)
{
    char *t = exc_xml_read_text(&p->x, TEXT_HARD_MAX);
    if (t != NULL)
        cut_utf8(t, max);
    return t;
}

/* The children of the element under the reader: each <name> in ns, while
 * *n < cap, is kept as text cut to max octets in slot[(*n)++]; every other
 * child is skipped. */
static bool keep_texts(ep *p, const char *ns, const char *name, size_t max, char **slot,
                       size_t *n, size_t cap)
{
    if (exc_xml_is_empty(&p->x))
        return true;
    int depth = exc_xml_depth(&p->x), rc;
    while ((rc = next_child(p, depth)) == 1) {
        if (same_ns(exc_xml_ns(&p->x), ns) && strcmp(exc_xml_local_name(&p->x), name) == 0 &&
            *n < cap) {
            char *t = kept_text(p, max);
            if (t == NULL)
                return false;
            slot[(*n)++] = t;
        } else if (exc_xml_skip(&p->x) != 1) {
            return false;
        }
    }
    return rc == 0;
}

/* <EventData>: its first EXC_EVENT_MAX_DATA <Data> (Binary and the Data
 * beyond the limit are skipped). */
static bool parse_eventdata(ep *p, evstate *s, const char *ns)
{
    return keep_texts(p, ns, "Data", EXC_EVENT_DATA_MAX, s->ev.data, &s->ev.n_data,
                      EXC_EVENT_MAX_DATA);
}

/* <RenderingInfo>: its first <Message> (Level, Task, Keywords... are
 * skipped). */
static bool parse_rendering(ep *p, evstate *s, const char *ns)
{
    size_t n = s->ev.message != NULL;
    return keep_texts(p, ns, "Message", EXC_EVENT_MESSAGE_MAX, &s->ev.message, &n, 1);
}

/* The reader is on an <Event> start tag. */
static bool parse_event(ep *p)
{
    int line = exc_xml_line(&p->x);
    const char *ns0 = exc_xml_ns(&p->x);
    char b[EXC_QUOTE_BUF];
    if (ns0 != NULL && strcmp(ns0, EXC_EVENT_NS) != 0) {
        exc_err_set(p->err, line, "<Event> in unknown namespace \"%s\"", exc_quote(b, ns0));
        return false;
    }
    const char *ns = ns0 ? EXC_EVENT_NS : NULL;   /* ns0 dies with the next node */
    evstate s;
    memset(&s, 0, sizeof s);
    s.ev.level = -1;
    bool ok = true;
    if (!exc_xml_is_empty(&p->x)) {
        int depth = exc_xml_depth(&p->x), rc = 0;
        while (ok && (rc = next_child(p, depth)) == 1) {
            const char *n = exc_xml_local_name(&p->x);
            if (!same_ns(exc_xml_ns(&p->x), ns))
                ok = exc_xml_skip(&p->x) == 1;
            else if (strcmp(n, "System") == 0)
                ok = parse_system(p, &s, ns);
            else if (strcmp(n, "EventData") == 0)
                ok = parse_eventdata(p, &s, ns);
            else if (strcmp(n, "RenderingInfo") == 0)
                ok = parse_rendering(p, &s, ns);
            else
                ok = exc_xml_skip(&p->x) == 1;   /* UserData, ProcessingErrorData... */
        }
        if (ok && rc != 0)
            ok = false;
    }
    const char *missing = !s.provider ? "System/Provider"
                          : !s.id     ? "System/EventID"
                          : !s.time   ? "System/TimeCreated"
                          : !s.computer ? "System/Computer"
                                        : NULL;
    if (ok && missing != NULL) {
        exc_err_set(p->err, line, "event %zu: missing <%s>", p->b.n + 1, missing);
        ok = false;
    }
    if (!ok) {
        event_free(&s.ev);
        return false;
    }
    if (p->b.n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->b.events = exc_realloc(p->b.events, p->cap * sizeof *p->b.events);
    }
    p->b.events[p->b.n++] = s.ev;
    return true;
}

static bool is_event(ep *p)
{
    return strcmp(exc_xml_local_name(&p->x), "Event") == 0;
}

/* The children of the file's own root element (depth 1): events only. */
static bool parse_wrapping_root(ep *p)
{
    char root[64], b[EXC_QUOTE_BUF];
    exc_utf8_copy(root, sizeof root, exc_xml_local_name(&p->x));
    if (exc_xml_is_empty(&p->x))
        return true;
    int depth = exc_xml_depth(&p->x);
    for (;;) {
        int rc = exc_xml_next(&p->x);
        if (rc < 0)
            return false;
        if (rc == 0) {
            exc_err_set(p->err, exc_xml_line(&p->x), "truncated document");
            return false;
        }
        int t = exc_xml_type(&p->x);
        if (t == XML_READER_TYPE_END_ELEMENT && exc_xml_depth(&p->x) <= depth)
            return true;
        if (t == XML_READER_TYPE_ELEMENT) {
            if (!is_event(p)) {
                exc_err_set(p->err, exc_xml_line(&p->x), "unexpected element <%s> inside <%s>",
                            exc_quote(b, exc_xml_local_name(&p->x)), root);
                return false;
            }
            if (!parse_event(p))
                return false;
        } else if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) {
            exc_err_set(p->err, exc_xml_line(&p->x), "unexpected text inside <%s>", root);
            return false;
        }
    }
}

static bool parse(ep *p)
{
    int rc;
    char b[EXC_QUOTE_BUF];
    /* the prolog, then the virtual root */
    for (;;) {
        rc = exc_xml_next(&p->x);
        if (rc < 0)
            return false;
        if (rc == 0) {
            exc_err_set(p->err, 0, "no element");
            return false;
        }
        if (exc_xml_type(&p->x) == XML_READER_TYPE_ELEMENT)
            break;
    }
    if (strcmp(exc_xml_local_name(&p->x), WRAP_NAME) != 0 || exc_xml_depth(&p->x) != 0) {
        exc_err_set(p->err, exc_xml_line(&p->x), "malformed XML");   /* cannot happen */
        return false;
    }
    enum { UNDECIDED, ROOTLESS, ROOTED } mode = UNDECIDED;
    for (;;) {
        rc = exc_xml_next(&p->x);
        if (rc < 0)
            return false;
        if (rc == 0)
            break;
        int t = exc_xml_type(&p->x);
        if (exc_xml_depth(&p->x) != 1)
            continue;   /* the virtual root's end */
        if (t == XML_READER_TYPE_ELEMENT) {
            bool ev = is_event(p);
            if (mode == ROOTED || (mode == ROOTLESS && !ev)) {
                exc_err_set(p->err, exc_xml_line(&p->x),
                            "unexpected top-level element <%s>%s",
                            exc_quote(b, exc_xml_local_name(&p->x)),
                            mode == ROOTED ? " after the root element" : " among <Event>s");
                return false;
            }
            if (ev) {
                mode = ROOTLESS;
                if (!parse_event(p))
                    return false;
            } else {
                mode = ROOTED;
                if (!parse_wrapping_root(p))
                    return false;
            }
        } else if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) {
            exc_err_set(p->err, exc_xml_line(&p->x), "text outside any element");
            return false;
        }
    }
    if (p->b.n == 0) {
        exc_err_set(p->err, 0, "no <Event> element");
        return false;
    }
    return true;
}

static bool parse_buffer(unsigned char *buf, size_t len, const char *name,
                         exc_event_batch *out, exc_err *err)
{
    ep p;
    memset(&p, 0, sizeof p);
    p.err = err;
    size_t wl = wrap(buf, len, err);
    if (wl == 0)
        return false;
    if (!exc_xml_open_memory(&p.x, (const char *)buf, wl, name, EXC_EVENT_MAX_DEPTH + 1, err))
        return false;
    bool ok = parse(&p);
    exc_xml_close(&p.x);
    if (!ok) {
        if (err->msg[0] == '\0')
            exc_err_set(err, 0, "invalid event file");
        if (strstr(err->msg, WRAP_NAME) != NULL) {
            /* libxml2 named the virtual root: the file's own tags do not
             * balance (typically a truncated file) */
            int line = err->line;
            exc_err_clear(err);
            exc_err_set(err, line, "malformed XML: unbalanced element tags (truncated file?)");
        }
        exc_events_free(&p.b);
        return false;
    }
    *out = p.b;
    return true;
}

bool exc_events_parse_memory(const char *buf, size_t len, exc_event_batch *out, exc_err *err)
{
    exc_err local;
    if (err == NULL)
        err = &local;
    exc_err_clear(err);
    if (len == 0) {
        exc_err_set(err, 0, "empty document");
        return false;
    }
    if (len > (size_t)INT32_MAX - WRAP_EXTRA) {
        exc_err_set(err, 0, "document too large");
        return false;
    }
    unsigned char *copy = exc_calloc(1, len + WRAP_EXTRA);
    memcpy(copy, buf, len);
    bool ok = parse_buffer(copy, len, "events", out, err);
    free(copy);
    return ok;
}

bool exc_events_parse_file(const char *path, size_t max_bytes, exc_event_batch *out,
                           exc_err *err)
{
    exc_err local;
    if (err == NULL)
        err = &local;
    exc_err_clear(err);
    exc_xml_init();
    struct stat st;
    int fd = exc_xml_open_input(path, max_bytes, &st, err);
    if (fd < 0)
        return false;
    if ((uint64_t)st.st_size > (uint64_t)INT32_MAX - WRAP_EXTRA) {
        exc_err_set(err, 0, "file too large: %lld bytes", (long long)st.st_size);
        close(fd);
        return false;
    }
    unsigned char *buf;
    size_t len;
    bool ok = exc_xml_read_input(fd, (size_t)st.st_size, WRAP_EXTRA, &buf, &len, err);
    close(fd);
    if (ok)
        ok = parse_buffer(buf, len, path, out, err);
    free(buf);
    return ok;
}

void exc_events_free(exc_event_batch *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->n; i++)
        event_free(&b->events[i]);
    free(b->events);
    b->events = NULL;
    b->n = 0;
}
