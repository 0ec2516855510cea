/* Hardened streaming XML reading (SPEC §3 "Parsing untrusted XML").
 *
 * Every XML input of exconn — config, KB articles, spool reports and events —
 * goes through this: libxml2's xmlTextReader (bounded memory), XML_PARSE_NONET,
 * never NOENT/DTDLOAD/HUGE/XINCLUDE, an external-entity loader that refuses
 * everything, a document type declaration rejected outright, and a nesting
 * limit well below libxml2's own. */
#ifndef EXC_XMLSAFE_H
#define EXC_XMLSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/xmlreader.h>

#include "err.h"

typedef struct exc_xml {
    xmlTextReaderPtr r;
    exc_err *err;
    int max_depth;
    int fd;            /* owned when >= 0 */
    const char *mem;   /* the document, when read from memory */
    size_t mem_len;
    char *owned;       /* a small file read whole (mem points here): freed at close */
} exc_xml;

/* Process-wide set-up (idempotent, thread-safe): initialises libxml2 and
 * installs the refusing external-entity loader. */
void exc_xml_init(void);

/* Open an untrusted input file (exc_open_regular: never blocking, never
 * through a symlink, a regular file only) whose fstat (*st) says it is not
 * empty and at most max_bytes (0 = no limit): its fd, or -1 with err set
 * ("not a regular file: a FIFO", "cannot open: ...", "file too large: ...",
 * "empty file"), nothing read. */
struct stat;
int exc_xml_open_input(const char *path, size_t max_bytes, struct stat *st, exc_err *err);

/* Read the size octets fstat gave for fd into *buf, allocated size + extra
 * octets (zeroed beyond what was read); *len what was read (less when the
 * file shrank meanwhile).  False, *buf NULL, err set on a read error or
 * when nothing was there. */
bool exc_xml_read_input(int fd, size_t size, size_t extra, unsigned char **buf, size_t *len,
                        exc_err *err);

/* Open a file for streaming (exc_xml_open_input).  Files above max_bytes are refused without
 * being read (max_bytes 0 = no limit).  On failure err is set, false returned. */
bool exc_xml_open_file(exc_xml *x, const char *path, size_t max_bytes, int max_depth,
                       exc_err *err);

bool exc_xml_open_memory(exc_xml *x, const char *buf, size_t len, const char *name,
                         int max_depth, exc_err *err);

/* Advance to the next node.  1 = a node, 0 = end of document, -1 = error
 * (err set: libxml2's message with its line, a DOCTYPE, or too deep). */
int exc_xml_next(exc_xml *x);

int exc_xml_line(const exc_xml *x);
int exc_xml_type(const exc_xml *x);      /* XML_READER_TYPE_* */
int exc_xml_depth(const exc_xml *x);
const char *exc_xml_local_name(const exc_xml *x);   /* owned by the reader */
const char *exc_xml_ns(const exc_xml *x);           /* NULL when none */
bool exc_xml_is_empty(const exc_xml *x);

/* Iterate over the current element's attributes: calls fn(name, value, ctx)
 * for each (namespace declarations skipped); stops and returns false when fn
 * returns false. */
typedef bool (*exc_xml_attr_fn)(const char *name, const char *value, void *ctx);
bool exc_xml_each_attr(exc_xml *x, exc_xml_attr_fn fn, void *ctx);

/* Text content of the current element (concatenated text/CDATA children);
 * leaves the reader on the element's end.  Returns malloc'ed string or NULL
 * on error (err set).  Child elements are an error. */
char *exc_xml_read_text(exc_xml *x, size_t max_len);

/* Skip the current element and everything below it. */
int exc_xml_skip(exc_xml *x);

void exc_xml_close(exc_xml *x);

#endif
