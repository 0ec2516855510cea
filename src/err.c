#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void exc_err_set(exc_err *e, int line, const char *fmt, ...)
{
    if (e == NULL || e->msg[0] != '\0')
        return;
    e->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    /* reasons are one line by contract */
    for (char *p = e->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

void exc_err_clear(exc_err *e)
{
    if (e != NULL) {
        e->line = 0;
        e->msg[0] = '\0';
        e->file[0] = '\0';
    }
}

void exc_err_at(exc_err *e, const char *file)
{
    if (e != NULL && e->msg[0] != '\0' && e->file[0] == '\0' && file != NULL)
        snprintf(e->file, sizeof e->file, "%s", file);
}

void exc_err_format(const exc_err *e, char *buf, size_t len)
{
    if (e->file[0] && e->line > 0)
        snprintf(buf, len, "%s:%d: %s", e->file, e->line, e->msg);
    else if (e->file[0])
        snprintf(buf, len, "%s: %s", e->file, e->msg);
    else if (e->line > 0)
        snprintf(buf, len, "line %d: %s", e->line, e->msg);
    else
        snprintf(buf, len, "%s", e->msg);
}
