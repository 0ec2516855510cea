#ifndef EXC_DISPOSITIONS_H
#define EXC_DISPOSITIONS_H

#include <stddef.h>

#include "spool.h"

/* The dispositions: what a commit does to spool files (one entry a file).
 * The last commit's are kept in the state; on start-up any of those files
 * still in the spool is finished (deleted, or moved to rejected/) without
 * being applied a second time.  (Not to be confused with the write-ahead
 * journal, exconn.journal, which the state appends commits to.) */
typedef enum { EXC_DISP_DELETE = 1, EXC_DISP_REJECT = 2 } exc_disp_action;

typedef struct exc_disposition {
    exc_spool_entry file;
    int action;
    char reason[512];
} exc_disposition;

typedef struct exc_dispositions {
    size_t n, cap;
    exc_disposition *e;
} exc_dispositions;

void exc_dispositions_add(exc_dispositions *j, const exc_spool_entry *f, int action,
                          const char *reason);
void exc_dispositions_clear(exc_dispositions *j);
void exc_dispositions_free(exc_dispositions *j);

#endif
