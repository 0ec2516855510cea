/* Small text and number helpers shared by the parsers. */
#ifndef EXC_UTIL_H
#define EXC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Copy src into dst (capacity cap, cap >= 1), cutting at a UTF-8 character
 * boundary so that at most cap-1 octets are copied; always NUL-terminates.
 * Returns the number of octets copied. */
size_t exc_utf8_copy(char *dst, size_t cap, const char *src);

/* True when s is well-formed UTF-8 (no overlongs, no surrogates). */
bool exc_utf8_valid(const char *s, size_t len);

/* Parse a decimal unsigned number with no sign, no spaces, no trailing text,
 * not above max.  Returns false on any deviation. */
bool exc_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Parse an ISO 8601 UTC timestamp "YYYY-MM-DDThh:mm:ss[.fff]Z" (also accepts a
 * "+00:00" offset, and up to 9 fraction digits, ignored).  Seconds since the
 * epoch into *out. */
bool exc_parse_iso8601(const char *s, int64_t *out);

/* Format epoch seconds as "YYYY-MM-DDThh:mm:ssZ". */
void exc_format_iso8601(int64_t t, char *buf, size_t len);

/* exc_utf8_copy, then every control character (C0, DEL, C1 as UTF-8) turned
 * into a space: free text that must stay one line (a description, a reason,
 * a collector's error).  Returns the number of octets copied. */
size_t exc_utf8_one_line(char *dst, size_t cap, const char *src);

/* True when s holds a control character: C0, DEL or C1 (U+0080..U+009F). */
bool exc_has_control(const char *s);

/* A value quoted for a one-line message: cut at a character boundary (with
 * "..." when cut), control characters shown as '?'.  Returns buf. */
#define EXC_QUOTE_BUF 52
const char *exc_quote(char buf[EXC_QUOTE_BUF], const char *s);

/* ASCII upper-casing copy (server names are published upper-case). */
void exc_upper(char *dst, size_t cap, const char *src);

/* Case-insensitive ASCII comparison. */
int exc_strcasecmp(const char *a, const char *b);

/* Wall clock in milliseconds since the epoch. */
int64_t exc_now_ms(void);

/* Monotonic clock in milliseconds. */
int64_t exc_mono_ms(void);

/* strdup that aborts on OOM (the agent cannot do anything useful without
 * memory, and a half-built model is worse than a clean exit). */
char *exc_strdup(const char *s);
void *exc_calloc(size_t n, size_t size);
void *exc_realloc(void *p, size_t size);
/* A copy of the n elements of size bytes at src (never NULL, also for n 0). */
void *exc_memdup(const void *src, size_t n, size_t size);

/* Change tracking checks (issue 14): versions and stamps decide what a
 * commit writes and a snapshot copies; with EXCONN_VERIFY_CHANGES=1 in the
 * environment (scripts/test.sh sets it) the worker also recomputes the slow
 * fingerprints and stops the process, naming the check, when a change went
 * without its new version -- a bug that would lose that change. */
bool exc_verify_changes(void);
/* qsort comparison of size_t values (positions in an array). */
int exc_cmp_size(const void *x, const void *y);
_Noreturn void exc_verify_failed(const char *what);

/* "a FIFO", "a directory", "a socket", "a symbolic link", "a device" for a
 * file mode that is not a regular file's (for messages; undefined for a
 * regular file). */
const char *exc_file_type(unsigned mode);

/* "not a regular file: a FIFO" (...) for a mode that is not a regular
 * file's; NULL for a regular file or an unknown mode (0). */
const char *exc_not_regular(unsigned mode);

/* Open a file that is read but not trusted -- a spool file, the state:
 * O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC (never blocking on a FIFO
 * swapped in, never through a symlink), then fstat: only a regular file.
 * The fd (*st its fstat), or -1: *bad_mode the file's mode when it exists
 * but is not a regular file, else 0 with errno from open (ENOENT...). */
struct stat;
int exc_open_regular(const char *path, struct stat *st, unsigned *bad_mode);

/* Write all of buf to fd (EINTR retried).  False with errno set on failure;
 * a short write that makes no progress (a full disk) sets ENOSPC rather than
 * leaving a stale errno behind. */
bool exc_write_all(int fd, const void *buf, size_t len);

/* Create a new file DIR/PREFIX.XXXXXX (O_EXCL|O_NOFOLLOW, never an existing
 * name or a symlink), mode applied with fchmod whatever the umask.  The name
 * goes into path (capacity cap).  fd, or -1 with errno set. */
int exc_create_unique(const char *dir, const char *prefix, unsigned mode, char *path,
                      size_t cap);

#endif
