/* The state directory's record format: one record per line, a tag then
 * space-separated fields in a fixed order, each field percent-escaped so any
 * byte can be stored.  Small, line-oriented and easy to inspect by hand; the
 * file as a whole is written atomically by state.c. */
#ifndef EXC_STATEFILE_H
#define EXC_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>   /* the reader's FILE */

/* Writes records into its own growing buffer (buf, len).  With a sink, the
 * buffer goes to the sink at a record's end once it holds EXC_SF_FLUSH_AT
 * octets, unless something written since a hold is still wanted in place
 * (exc_sf_hold); without one, the caller takes the buffer (exc_sf_take).
 * Performance (issue 14): one buffer and no stdio -- a record is dozens of
 * small pieces, and a stdio call and a hash step for each of them made
 * writing the state cost more than parsing the reports. */
typedef bool (*exc_sf_sink)(void *cookie, const char *buf, size_t len);

typedef struct exc_sf_writer {
    char *buf;
    size_t len, cap;
    bool failed;       /* the sink failed: nothing more is written */
    unsigned held;     /* holds open: no flush */
    exc_sf_sink sink;  /* NULL: everything stays in buf */
    void *cookie;
} exc_sf_writer;

#define EXC_SF_FLUSH_AT (64u * 1024u)

/* The hash a change check compares: of n octets. */
uint64_t exc_sf_hash(const char *s, size_t n);
/* The position now, and no flush until the matching exc_sf_release. */
size_t exc_sf_hold(exc_sf_writer *w);
/* The hash of what was written since pos (a hold's position). */
uint64_t exc_sf_hash_since(const exc_sf_writer *w, size_t pos);
/* Ends a hold; with drop, what was written since pos is taken back. */
void exc_sf_release(exc_sf_writer *w, size_t pos, bool drop);
/* Octets as they are (already records: a span kept from an earlier write). */
void exc_sf_raw(exc_sf_writer *w, const char *s, size_t n);
/* Everything buffered to the sink now (outside any hold); false on failure. */
bool exc_sf_flush(exc_sf_writer *w);
/* The buffer, handed over, NUL-terminated (*len its length); w is empty. */
char *exc_sf_take(exc_sf_writer *w, size_t *len);
/* The buffer dropped. */
void exc_sf_discard(exc_sf_writer *w);

void exc_sf_begin(exc_sf_writer *w, const char *tag);     /* starts a record */
void exc_sf_str(exc_sf_writer *w, const char *s);
void exc_sf_u64(exc_sf_writer *w, uint64_t v);
void exc_sf_i64(exc_sf_writer *w, int64_t v);
void exc_sf_end(exc_sf_writer *w);                        /* ends the record */

typedef struct exc_sf_reader {
    char *line;        /* current record, fields unescaped in place */
    size_t cap;
    char *cursor;
    unsigned lineno;
    bool bad;          /* a field was missing or malformed */
    FILE *fp;
} exc_sf_reader;

/* Next record: returns its tag (valid until the next call), NULL at end. */
const char *exc_sf_next(exc_sf_reader *r);
/* Fields in order; on a missing/malformed field set r->bad and return a
 * neutral value ("" / 0). */
void exc_sf_get_str(exc_sf_reader *r, char *dst, size_t cap);
char *exc_sf_get_strdup(exc_sf_reader *r);
uint64_t exc_sf_get_u64(exc_sf_reader *r);
int64_t exc_sf_get_i64(exc_sf_reader *r);
void exc_sf_reader_free(exc_sf_reader *r);

/* ---- records described by a table of fields ----
 * A record type's fields listed once, in their order on the line, serve both
 * its writer and its reader, so the two cannot drift apart.  Each entry
 * names a member of the struct the record is saved from (offset, size). */
typedef enum exc_sf_kind {
    EXC_SF_STR,    /* char[size]; "" allowed */
    EXC_SF_NAME,   /* char[size]; reading "" is malformed */
    EXC_SF_U64,    /* uint64_t */
    EXC_SF_U32,    /* uint32_t; reading more is malformed */
    EXC_SF_I64,    /* int64_t */
    EXC_SF_BOOL,   /* bool, as 0 | 1 */
    EXC_SF_ENUM,   /* int, as its number: valid when name_of gives a name
                      (the number at most 1000), or without name_of in lo..hi */
    EXC_SF_OPT32,  /* { bool known; uint32_t v; }: known 0|1, then v (0 when
                      not known; reading v != 0 then is malformed) */
    EXC_SF_OPT64,  /* { bool known; uint64_t v; }: the same */
} exc_sf_kind;

typedef struct exc_sf_field {
    exc_sf_kind kind;
    size_t off;     /* the member's offset (OPT: of its v) */
    size_t size;    /* the member's size (OPT: of its v) */
    size_t known;   /* OPT: offset of its known */
    int lo, hi;     /* ENUM without name_of */
    const char *(*name_of)(int);
} exc_sf_field;

#define EXC_SF_MSIZE(T, m) sizeof(((T *)0)->m)
#define EXC_SF_F(kind, T, m) { (kind), offsetof(T, m), EXC_SF_MSIZE(T, m), 0, 0, 0, NULL }
#define EXC_SF_F_STR(T, m) EXC_SF_F(EXC_SF_STR, T, m)
#define EXC_SF_F_NAME(T, m) EXC_SF_F(EXC_SF_NAME, T, m)
#define EXC_SF_F_U64(T, m) EXC_SF_F(EXC_SF_U64, T, m)
#define EXC_SF_F_U32(T, m) EXC_SF_F(EXC_SF_U32, T, m)
#define EXC_SF_F_I64(T, m) EXC_SF_F(EXC_SF_I64, T, m)
#define EXC_SF_F_BOOL(T, m) EXC_SF_F(EXC_SF_BOOL, T, m)
#define EXC_SF_F_ENUM(T, m, name_of)                                                        \
    { EXC_SF_ENUM, offsetof(T, m), EXC_SF_MSIZE(T, m), 0, 0, 0, (name_of) }
#define EXC_SF_F_RANGE(T, m, lo, hi)                                                        \
    { EXC_SF_ENUM, offsetof(T, m), EXC_SF_MSIZE(T, m), 0, (lo), (hi), NULL }
#define EXC_SF_F_OPT32(T, m)                                                                \
    { EXC_SF_OPT32, offsetof(T, m.v), EXC_SF_MSIZE(T, m.v), offsetof(T, m.known), 0, 0, NULL }
#define EXC_SF_F_OPT64(T, m)                                                                \
    { EXC_SF_OPT64, offsetof(T, m.v), EXC_SF_MSIZE(T, m.v), offsetof(T, m.known), 0, 0, NULL }
#define EXC_SF_NFIELDS(table) (sizeof(table) / sizeof (table)[0])

/* Writes the n fields of rec that f lists (between exc_sf_begin and _end). */
void exc_sf_put_fields(exc_sf_writer *w, const void *rec, const exc_sf_field *f, size_t n);
/* Reads them into rec, in order; a malformed or out-of-range one sets r->bad. */
void exc_sf_get_fields(exc_sf_reader *r, void *rec, const exc_sf_field *f, size_t n);
/* Copies the members f lists from src to dst (a record read into a scratch
 * struct, applied once it proved whole). */
void exc_sf_copy_fields(void *dst, const void *src, const exc_sf_field *f, size_t n);
/* A whole record: rec (size bytes) zeroed, then its fields; false when the
 * record is bad (a field malformed, missing or left over). */
bool exc_sf_get_record(exc_sf_reader *r, void *rec, size_t size, const exc_sf_field *f,
                       size_t n);
#define EXC_SF_GET_RECORD(r, rec, table)                                                    \
    exc_sf_get_record((r), (rec), sizeof *(rec), (table), EXC_SF_NFIELDS(table))
/* Single fields with the checks above, for what a table does not hold. */
uint32_t exc_sf_get_u32(exc_sf_reader *r);
bool exc_sf_get_bool(exc_sf_reader *r);
/* At the end of a record: fields left over are malformed.  Returns !r->bad. */
bool exc_sf_at_end(exc_sf_reader *r);

#endif
