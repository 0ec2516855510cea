/* The spool directory (SPEC §3): collectors rename files into reports/ and
 * events/; the agent picks them up in name order, and moves the ones it
 * cannot accept to rejected/ with a NAME.reason beside them. */
#ifndef EXC_SPOOL_H
#define EXC_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

typedef enum { EXC_SPOOL_REPORT = 1, EXC_SPOOL_EVENT = 2 } exc_spool_kind;

typedef struct exc_spool_entry {
    int kind;                      /* exc_spool_kind */
    char name[256];                /* file name within its directory */
    char path[EXC_PATH_BUF + 300];
    /* The file's identity when it was listed (0 = unknown).  The journal
     * keeps it, so that finishing an entry (delete, or move to rejected/)
     * after a restart never touches a new file that a collector has since
     * published under the same name: that one is left to be ingested. */
    uint64_t ino, size;
    int64_t mtime_ns;
} exc_spool_entry;

typedef struct exc_spool {
    char dir[EXC_PATH_BUF];
    char reports[EXC_PATH_BUF + 16], events[EXC_PATH_BUF + 16], rejected[EXC_PATH_BUF + 16];
    int inotify_fd;                /* -1 when inotify is unavailable */
    int wd_reports, wd_events;
    bool ready;                    /* directories exist and are watched */
} exc_spool;

/* Prepare the spool: create missing subdirectories and watch them.  Never
 * fatal: a problem is logged and retried by exc_spool_scan. */
void exc_spool_open(exc_spool *sp, const char *dir);
void exc_spool_close(exc_spool *sp);

/* fd to poll for "something was renamed in" (or -1). */
int exc_spool_fd(const exc_spool *sp);
/* Consume pending inotify notifications. */
void exc_spool_drain(exc_spool *sp);

/* List waiting files (both directories, dot-files ignored), sorted by name
 * (then reports before events for equal names).  Returns the count; *out is
 * malloc'ed (free it), at most max entries. */
size_t exc_spool_scan(exc_spool *sp, exc_spool_entry **out, size_t max);

/* Move a file to rejected/ with NAME.reason (one line).  Returns false
 * (logged) when the move failed; the file is then deleted so that it cannot
 * be processed twice. */
bool exc_spool_reject(exc_spool *sp, const exc_spool_entry *e, const char *reason);
/* Delete an applied file (ENOENT is fine).  Both leave alone (and return
 * true) a file whose identity differs from the entry's: a newer file under
 * the same name. */
bool exc_spool_remove(const exc_spool_entry *e);

#endif
