#define _GNU_SOURCE   /* memmem */
#include "xmlsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "util.h"

/* NONET only: entity substitution (NOENT), DTD loading/validation, XInclude
 * and HUGE are deliberately absent. */
#define EXC_XML_OPTIONS (XML_PARSE_NONET)

static xmlParserInputPtr refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)id;
    (void)ctxt;
    (void)url;
    return NULL; /* never load anything from outside the document */
}

static void silent_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void do_init(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(refuse_entity);
    /* no libxml2 chatter on stderr: errors reach us through the reader */
    xmlSetGenericErrorFunc(NULL, silent_generic);
}

void exc_xml_init(void)
{
    pthread_once(&init_once, do_init);
}

static void on_error(void *arg, xmlErrorPtr e)
{
    exc_xml *x = arg;
    if (e == NULL || x->err == NULL)
        return;
    if (e->level == XML_ERR_WARNING)
        return;
    char msg[200];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    exc_err_set(x->err, e->line, "malformed XML: %s", msg);
}

static bool setup(exc_xml *x, int max_depth, exc_err *err)
{
    if (x->r == NULL) {
        exc_err_set(err, 0, "cannot create XML reader");
        return false;
    }
    x->err = err;
    x->max_depth = max_depth > 0 ? max_depth : 16;
    xmlTextReaderSetStructuredErrorHandler(x->r, on_error, x);
    return true;
}

/* ---- the prolog, checked before libxml2 sees a byte of the document ----
 *
 * libxml2 parses the internal subset of a DOCTYPE, and the start tag after
 * it with its attributes (expanding their entity references), before the
 * reader hands out the DOCTYPE node: a billion-laughs variant in an attribute
 * value costs seconds of CPU before the DOCTYPE could be refused (found by
 * fuzz/fuzz_report).  So the prolog is read here first: after an optional
 * BOM, only white space, PIs (the XML declaration among them) and comments
 * may precede the root element's "<Name".  "<!" other than a comment is a
 * DOCTYPE (or worse): refused with its line.  Anything else before the root
 * (text, or an encoding this scan cannot read, such as UCS-4, UTF-7 or
 * EBCDIC, in which markup could hide from it) is refused as malformed.
 * UTF-8 and UTF-16 (either order, with or without BOM) are read. */
#define PROLOG_WINDOW 8192
typedef struct prolog_src {
    const unsigned char *mem;      /* the document, or NULL: read fd */
    size_t len;
    int fd;
    unsigned char *win;            /* fd: a window of the file, PROLOG_WINDOW octets (apart:
                                    * zeroing it for every small file read from memory
                                    * cost 2 % of the parse) */
    size_t win_off, win_len;
    size_t w;                      /* octets per unit: 1 (UTF-8) or 2 (UTF-16) */
    bool be;
} prolog_src;

static int octet(prolog_src *p, size_t i)
{
    if (i >= p->len)
        return -1;
    if (p->mem)
        return p->mem[i];
    if (i < p->win_off || i >= p->win_off + p->win_len) {
        p->win_off = i;
        ssize_t r = pread(p->fd, p->win, PROLOG_WINDOW, (off_t)i);
        p->win_len = r > 0 ? (size_t)r : 0;
        if (p->win_len == 0)
            return -1;
    }
    return p->win[i - p->win_off];
}

static long unit_at(prolog_src *p, size_t i)   /* the i-th code unit, -1 past the end */
{
    if (p->w == 1)
        return octet(p, i);
    int a = octet(p, 2 * i), b = octet(p, 2 * i + 1);
    if (a < 0 || b < 0)
        return -1;
    return p->be ? (a << 8 | b) : (b << 8 | a);
}

static bool unit_match(prolog_src *p, size_t i, const char *s)
{
    for (; *s; s++, i++)
        if (unit_at(p, i) != (unsigned char)*s)
            return false;
    return true;
}

/* 0 when the prolog is acceptable; else err is set and -1 returned. */
static int check_prolog(prolog_src *p, exc_err *err)
{
    size_t i = 0;
    int b0 = octet(p, 0), b1 = octet(p, 1), b2 = octet(p, 2), b3 = octet(p, 3);
    p->w = 1;
    if (b0 == 0xff && b1 == 0xfe) {
        p->w = 2, i = 1;
    } else if (b0 == 0xfe && b1 == 0xff) {
        p->w = 2, p->be = true, i = 1;
    } else if (b0 == '<' && b1 == 0 && b2 == '?' && b3 == 0) {
        p->w = 2;
    } else if (b0 == 0 && b1 == '<' && b2 == 0 && b3 == '?') {
        p->w = 2, p->be = true;
    } else if (b0 == 0xef && b1 == 0xbb && b2 == 0xbf) {
        i = 3;
    }
    int line = 1;
    for (;;) {
        long c = unit_at(p, i);
        if (c == '\n') {
            line++, i++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            i++;
        } else if (unit_match(p, i, "<?") || unit_match(p, i, "<!--")) {
            const char *end = unit_match(p, i, "<?") ? "?>" : "-->";
            for (i += 2;; i++) {
                long d = unit_at(p, i);
                if (d < 0)
                    return 0;   /* unterminated: libxml2 says what is wrong */
                if (d == '\n')
                    line++;
                if (unit_match(p, i, end)) {
                    i += strlen(end);
                    break;
                }
            }
        } else {
            break;
        }
    }
    long c = unit_at(p, i), n = unit_at(p, i + 1);
    if (c < 0)
        return 0;   /* no root element: libxml2 says so */
    if (c == '<' && n == '!') {
        exc_err_set(err, line, "DOCTYPE declarations are not accepted");
        return -1;
    }
    bool name_start = (n >= 'A' && n <= 'Z') || (n >= 'a' && n <= 'z') || n == '_' ||
                      n == ':' || n >= 0x80;
    if (c != '<' || !name_start) {
        exc_err_set(err, line, "malformed XML: no root element where the prolog ends "
                    "(text before it, or an encoding other than UTF-8 and UTF-16)");
        return -1;
    }
    return 0;
}

int exc_xml_open_input(const char *path, size_t max_bytes, struct stat *st, exc_err *err)
{
    unsigned bad;
    int fd = exc_open_regular(path, st, &bad);
    if (fd < 0) {
        if (bad)
            exc_err_set(err, 0, "%s", exc_not_regular(bad));
        else
            exc_err_set(err, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (max_bytes > 0 && (uint64_t)st->st_size > max_bytes) {
        exc_err_set(err, 0, "file too large: %lld bytes, limit %zu", (long long)st->st_size,
                    max_bytes);
    } else if (st->st_size == 0) {
        exc_err_set(err, 0, "empty file");
    } else {
        return fd;
    }
    close(fd);
    return -1;
}

bool exc_xml_read_input(int fd, size_t size, size_t extra, unsigned char **buf, size_t *len,
                        exc_err *err)
{
    *buf = exc_realloc(NULL, size + extra);   /* not zeroed: read over, the rest below */
    *len = 0;
    while (*len < size) {
        ssize_t n = read(fd, *buf + *len, size - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            exc_err_set(err, 0, "cannot read: %s", strerror(errno));
            *len = 0;
            free(*buf);
            *buf = NULL;
            return false;
        }
        if (n == 0)
            break;   /* shrank meanwhile: what is there */
        *len += (size_t)n;
    }
    memset(*buf + *len, 0, size + extra - *len);
    if (*len > 0)
        return true;
    exc_err_set(err, 0, "empty file");
    free(*buf);
    *buf = NULL;
    return false;
}

/* The reader over x->mem, once its prolog passed. */
static bool reader_on_memory(exc_xml *x, const char *name, int max_depth, exc_err *err)
{
    prolog_src ps = {.mem = (const unsigned char *)x->mem, .len = x->mem_len, .fd = -1};
    if (check_prolog(&ps, err))
        return false;
    x->r = xmlReaderForMemory(x->mem, (int)x->mem_len, name, NULL, EXC_XML_OPTIONS);
    return setup(x, max_depth, err);
}

/* Performance (issue 14): a file of at most XML_SMALL_FILE octets -- every
 * status report of a normal estate -- is read whole (exc_xml_read_input, as
 * the event parser reads its files) and parsed from memory: no second read
 * of its prolog, no reader input buffer grown chunk by chunk.  Memory stays
 * bounded by this size; a larger file is streamed from its descriptor. */
#define XML_SMALL_FILE (64u * 1024u)

bool exc_xml_open_file(exc_xml *x, const char *path, size_t max_bytes, int max_depth,
                       exc_err *err)
{
    exc_xml_init();
    memset(x, 0, sizeof *x);
    struct stat st;
    x->fd = exc_xml_open_input(path, max_bytes, &st, err);
    if (x->fd < 0)
        return false;
    if ((uint64_t)st.st_size <= XML_SMALL_FILE) {
        unsigned char *buf;
        bool read = exc_xml_read_input(x->fd, (size_t)st.st_size, 0, &buf, &x->mem_len, err);
        close(x->fd);
        x->fd = -1;
        x->owned = (char *)buf;
        x->mem = x->owned;
        if (read && reader_on_memory(x, path, max_depth, err))
            return true;
        exc_xml_close(x);
        return false;
    }
    unsigned char *win = exc_calloc(1, PROLOG_WINDOW);
    prolog_src ps = {.fd = x->fd, .len = (size_t)st.st_size, .win = win};
    int bad = check_prolog(&ps, err);
    free(win);
    if (bad) {
        close(x->fd);
        x->fd = -1;
        return false;
    }
    x->r = xmlReaderForFd(x->fd, path, NULL, EXC_XML_OPTIONS);
    if (!setup(x, max_depth, err)) {
        close(x->fd);
        x->fd = -1;
        return false;
    }
    return true;
}

bool exc_xml_open_memory(exc_xml *x, const char *buf, size_t len, const char *name,
                         int max_depth, exc_err *err)
{
    exc_xml_init();
    memset(x, 0, sizeof *x);
    x->fd = -1;
    if (len == 0) {
        exc_err_set(err, 0, "empty document");
        return false;
    }
    if (len > (size_t)INT32_MAX) {
        exc_err_set(err, 0, "document too large");
        return false;
    }
    x->mem = buf;
    x->mem_len = len;
    if (reader_on_memory(x, name, max_depth, err))
        return true;
    x->mem = NULL;
    x->mem_len = 0;
    return false;
}

/* The line the DOCTYPE starts on.  libxml2 keeps none for it, but it can
 * only follow the XML declaration, comments, PIs and white space: find it
 * after those in the first octets of the document (UTF-8; 0 when it cannot
 * be told, e.g. UTF-16 or a prolog longer than the look-ahead). */
static int doctype_line(const exc_xml *x)
{
    unsigned char b[16384];
    size_t n = 0;
    if (x->mem) {
        n = x->mem_len < sizeof b ? x->mem_len : sizeof b;
        memcpy(b, x->mem, n);
    } else if (x->fd >= 0) {
        ssize_t r = pread(x->fd, b, sizeof b, 0);
        n = r > 0 ? (size_t)r : 0;
    }
    size_t i = n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf ? 3 : 0;
    for (;;) {
        const char *end = NULL;
        size_t skip = 0;
        if (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
            i++;
            continue;
        }
        if (i + 2 <= n && memcmp(b + i, "<?", 2) == 0)
            end = "?>", skip = 2;
        else if (i + 4 <= n && memcmp(b + i, "<!--", 4) == 0)
            end = "-->", skip = 4;
        if (!end)
            break;
        const unsigned char *e = memmem(b + i + skip, n - i - skip, end, strlen(end));
        if (!e)
            return 0;
        i = (size_t)(e - b) + strlen(end);
    }
    if (i + 9 > n || memcmp(b + i, "<!DOCTYPE", 9) != 0)
        return 0;
    int line = 1;
    for (size_t k = 0; k < i; k++)
        line += b[k] == '\n';
    return line;
}

int exc_xml_next(exc_xml *x)
{
    int rc = xmlTextReaderRead(x->r);
    if (rc < 0) {
        exc_err_set(x->err, exc_xml_line(x), "malformed XML");
        return -1;
    }
    if (rc == 0)
        return 0;
    if (x->err && x->err->msg[0])
        return -1;   /* a recoverable libxml2 error still rejects the file */
    int t = xmlTextReaderNodeType(x->r);
    if (t == XML_READER_TYPE_DOCUMENT_TYPE) {
        exc_err_set(x->err, doctype_line(x), "DOCTYPE declarations are not accepted");
        return -1;
    }
    if (t == XML_READER_TYPE_ENTITY_REFERENCE) {
        exc_err_set(x->err, exc_xml_line(x), "entity references are not accepted");
        return -1;
    }
    if (xmlTextReaderDepth(x->r) > x->max_depth) {
        exc_err_set(x->err, exc_xml_line(x), "elements nested deeper than %d levels",
                    x->max_depth);
        return -1;
    }
    return 1;
}

int exc_xml_line(const exc_xml *x)
{
    if (x->r == NULL)
        return 0;
    /* The reader parses ahead in chunks, so the parser's own line number can
     * be dozens of lines past the node being looked at: use the line the
     * current node started on (libxml2 stores it up to 65534); a node without
     * one (the DOCTYPE) gets none rather than a wrong one.  Without a node
     * (end of input) the parser's position is right. */
    xmlNodePtr n = xmlTextReaderCurrentNode(x->r);
    long l;
    if (n == NULL) {
        l = xmlTextReaderGetParserLineNumber(x->r);
    } else {
        l = xmlGetLineNo(n);
        if (l >= 65535)
            l = xmlTextReaderGetParserLineNumber(x->r);
    }
    return l > 0 && l <= INT32_MAX ? (int)l : 0;
}

int exc_xml_type(const exc_xml *x) { return xmlTextReaderNodeType(x->r); }
int exc_xml_depth(const exc_xml *x) { return xmlTextReaderDepth(x->r); }

const char *exc_xml_local_name(const exc_xml *x)
{
    const xmlChar *n = xmlTextReaderConstLocalName(x->r);
    return n ? (const char *)n : "";
}

const char *exc_xml_ns(const exc_xml *x)
{
    return (const char *)xmlTextReaderConstNamespaceUri(x->r);
}

bool exc_xml_is_empty(const exc_xml *x) { return xmlTextReaderIsEmptyElement(x->r) == 1; }

bool exc_xml_each_attr(exc_xml *x, exc_xml_attr_fn fn, void *ctx)
{
    bool ok = true;
    if (xmlTextReaderHasAttributes(x->r) != 1)
        return true;
    while (ok && xmlTextReaderMoveToNextAttribute(x->r) == 1) {
        if (xmlTextReaderIsNamespaceDecl(x->r) == 1)
            continue;
        const char *name = (const char *)xmlTextReaderConstLocalName(x->r);
        const char *pfx = (const char *)xmlTextReaderConstPrefix(x->r);
        const char *val = (const char *)xmlTextReaderConstValue(x->r);
        if (pfx != NULL && strcmp(pfx, "xml") == 0)
            continue; /* xml:lang and friends carry no data for us */
        ok = fn(name ? name : "", val ? val : "", ctx);
    }
    xmlTextReaderMoveToElement(x->r);
    return ok;
}

/* The next node inside the element at depth (the reader on its start tag
 * when the walk began): 1 = a node inside it, 0 = its end tag, -1 = error
 * (a document that ends first is "truncated"). */
static int next_inside(exc_xml *x, int depth)
{
    int rc = exc_xml_next(x);
    if (rc <= 0) {
        if (rc == 0)
            exc_err_set(x->err, exc_xml_line(x), "truncated document");
        return -1;
    }
    if (exc_xml_type(x) == XML_READER_TYPE_END_ELEMENT && exc_xml_depth(x) == depth)
        return 0;
    return 1;
}

char *exc_xml_read_text(exc_xml *x, size_t max_len)
{
    size_t cap = 64, len = 0;
    char *buf = exc_calloc(1, cap);
    if (exc_xml_is_empty(x))
        return buf;
    int depth = exc_xml_depth(x);
    for (;;) {
        int rc = next_inside(x, depth);
        if (rc < 0) {
            free(buf);
            return NULL;
        }
        if (rc == 0)
            return buf;
        int t = exc_xml_type(x);
        if (t == XML_READER_TYPE_ELEMENT) {
            exc_err_set(x->err, exc_xml_line(x), "unexpected element <%s> inside text",
                        exc_xml_local_name(x));
            free(buf);
            return NULL;
        }
        if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
            t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || t == XML_READER_TYPE_WHITESPACE) {
            const char *v = (const char *)xmlTextReaderConstValue(x->r);
            size_t n = v ? strlen(v) : 0;
            if (len + n > max_len) {
                exc_err_set(x->err, exc_xml_line(x), "text longer than %zu octets", max_len);
                free(buf);
                return NULL;
            }
            if (len + n + 1 > cap) {
                while (len + n + 1 > cap)
                    cap *= 2;
                buf = exc_realloc(buf, cap);
            }
            memcpy(buf + len, v, n);
            len += n;
            buf[len] = '\0';
        }
    }
}

int exc_xml_skip(exc_xml *x)
{
    if (exc_xml_is_empty(x))
        return 1;
    int depth = exc_xml_depth(x), rc;
    while ((rc = next_inside(x, depth)) == 1)
        ;
    return rc == 0 ? 1 : -1;
}

void exc_xml_close(exc_xml *x)
{
    if (x->r)
        xmlFreeTextReader(x->r);
    x->r = NULL;
    if (x->fd >= 0)
        close(x->fd);
    x->fd = -1;
    free(x->owned);
    x->owned = NULL;
    x->mem = NULL;
    x->mem_len = 0;
}
