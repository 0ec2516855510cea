/* The state directory's record format: one record per line, a tag then
 * space-separated fields in a fixed order, each field percent-escaped so any
 * byte can be stored.  Small, line-oriented and easy to inspect by hand; the
 * file as a whole is written atomically by state.c. */
#ifndef EXC_STATEFILE_H
#define EXC_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes records to fp, or, with hash set (fp unused), mixes the octets it
 * would write into *hash: a hash of a record derived from the very code
 * that saves it, so nothing saved can be left out of a change check. */
typedef struct exc_sf_writer {
    FILE *fp;
    bool failed;
    uint64_t *hash;
} exc_sf_writer;

#define EXC_SF_HASH_SEED 0xCBF29CE484222325ull

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

#endif
