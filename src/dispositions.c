/* The dispositions of a commit: what it does to each spool file it took. */
#include "dispositions.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void exc_dispositions_add(exc_dispositions *j, const exc_spool_entry *f, int action, const char *reason)
{
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 32;
        j->e = exc_realloc(j->e, j->cap * sizeof *j->e);
    }
    exc_disposition *e = &j->e[j->n++];
    memset(e, 0, sizeof *e);
    e->file = *f;
    e->action = action;
    exc_utf8_copy(e->reason, sizeof e->reason, reason ? reason : "");
}

void exc_dispositions_clear(exc_dispositions *j) { j->n = 0; }

void exc_dispositions_free(exc_dispositions *j)
{
    free(j->e);
    memset(j, 0, sizeof *j);
}
