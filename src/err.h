/* A small error record the domain code fills in: what was wrong, and where.
 * Every parser and loader reports through it so a rejection reason always has
 * the same shape: "line N: what" (line 0 = no line applies), and, once the
 * file is known (exc_err_at: the loaders of the config and of the KB), the
 * compiler's shape "FILE:N: what" / "FILE: what".  Spool rejection reasons
 * carry no file: the reason file sits beside the rejected one. */
#ifndef EXC_ERR_H
#define EXC_ERR_H

#include <stddef.h>

#define EXC_ERR_MSG 256
#define EXC_ERR_FILE 1024

typedef struct exc_err {
    int line;                 /* 1-based source line, 0 when none applies */
    char msg[EXC_ERR_MSG];    /* one line, no trailing newline */
    char file[EXC_ERR_FILE];  /* the file it is about, "" when not recorded */
} exc_err;

/* Record an error unless one is already recorded (the first error wins). */
void exc_err_set(exc_err *e, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void exc_err_clear(exc_err *e);

/* Record the file a recorded error is about, unless one is already there
 * (the innermost loader knows best). */
void exc_err_at(exc_err *e, const char *file);

/* "FILE:N: msg", "FILE: msg", "line N: msg" or "msg" into buf. */
void exc_err_format(const exc_err *e, char *buf, size_t len);

#endif
