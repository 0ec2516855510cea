/* Names as Windows compares them (issue 9 item 16; docs/design.md "Where the
 * contract was silent"): connector, queue, COM port and claimant names are
 * unique case-insensitively in Unicode, the way the Service Control Manager
 * and the registry compare them (RtlUpcaseUnicodeString: a simple, one code
 * point to one code point, upper-casing).  The table covers ASCII, the
 * Latin-1 Supplement, Latin Extended-A, Greek and Cyrillic -- the scripts of
 * the code pages NT 4.0 / Exchange 5.x ran with; other code points compare
 * exactly.  Names that only look alike (no-break spaces, zero-width and
 * bidirectional formatting characters, controls, blank names) are refused. */
#ifndef EXC_NAMES_H
#define EXC_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* The simple upper-case mapping of one code point (itself when none). */
uint32_t exc_name_upcase(uint32_t cp);

/* Compare two UTF-8 names case-insensitively (code point by code point,
 * each upper-cased); <0, 0, >0.  Malformed sequences compare by octet. */
int exc_name_casecmp(const char *a, const char *b);

/* A hash consistent with exc_name_casecmp. */
uint64_t exc_name_hash(const char *s);

/* NULL when s (well-formed UTF-8, non-empty) is acceptable as a name, else
 * what is wrong: a control character (C0, DEL, C1), a no-break space, a
 * zero-width or bidirectional formatting character, only spaces, or a space
 * at either end. */
const char *exc_name_problem(const char *s);

#endif
