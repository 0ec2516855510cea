/* The spool directory (SPEC §3): collectors rename files into reports/ and
 * events/; the agent picks them up in name order, and moves the ones it
 * cannot accept to rejected/ with a NAME.reason beside them.
 *
 * A writer that creates the final name directly (cp, a shell redirection)
 * is honoured too: such a file is taken only once it is closed
 * (IN_CLOSE_WRITE) and has been quiet -- not modified -- for
 * EXC_SPOOL_QUIET_MS, so that `>>` appends in a row make one file.  A file
 * renamed in (IN_MOVED_TO) is taken at once.  Without inotify (or for a
 * file it did not report), the quiet period is judged by the mtime.  Name
 * order is kept: a file held back holds back every later name too.
 *
 * Anything in the spool that is not a regular file (FIFO, socket, symlink,
 * directory, device) is listed with its type and rejected by the engine,
 * never opened in a way that could block (see exc_xml_open_input).
 *
 * rejected/ keeps every rejected file: a second one of the same name gets
 * a unique suffix (NAME~N), a name too long for NAME.reason is shortened,
 * and the directory is bounded (EXC_SPOOL_REJECTED_MAX files: the oldest
 * are pruned, logged and counted). */
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
    uint32_t mode;                 /* st_mode when listed (0 = unknown) */
} exc_spool_entry;

#define EXC_SPOOL_QUIET_MS 1000        /* a file written in place: quiet this long */
#define EXC_SPOOL_WRITER_STUCK_MS 60000  /* open for writing and silent this long: taken */
#define EXC_SPOOL_REJECTED_MAX 1000    /* files kept in rejected/ (besides their .reason) */

/* A name seen through inotify, until it is taken or gone. */
typedef struct exc_spool_seen {
    uint64_t hash;                 /* of kind and name */
    int kind;
    bool moved;                    /* renamed in (or found quiet): ready until written again */
    bool writing;                  /* created or modified, not closed yet */
    int64_t activity_ms;           /* last write or close (wall clock) */
    char name[256];
} exc_spool_seen;

typedef struct exc_spool {
    char dir[EXC_PATH_BUF];
    char reports[EXC_PATH_BUF + 16], events[EXC_PATH_BUF + 16], rejected[EXC_PATH_BUF + 16];
    int inotify_fd;                /* -1 when inotify is unavailable */
    int wd_reports, wd_events;
    bool ready;                    /* directories exist and are watched */
    size_t n_seen, cap_seen;
    exc_spool_seen *seen;
    uint32_t *seen_slot;           /* hash index of seen: position + 1, 0 = empty */
    /* tracked[kind]: every file in that directory has a seen record -- a
     * full listing recorded them all, and inotify has reported every
     * arrival since (no overflow, the watch intact).  A scan then lists the
     * records instead of reading the directory (issue 14: reading it costs
     * its largest size ever, an ext4 directory never shrinks after a
     * backlog of thousands of files). */
    bool tracked[3];
    int64_t next_ready_ms;         /* a held-back file becomes ready (0 = none) */
    long n_rejected;               /* files in rejected/ (-1 = not counted yet) */
    uint64_t pruned;               /* rejected files pruned since start */
} exc_spool;

/* Prepare the spool: create missing subdirectories and watch them.  Never
 * fatal: a problem is logged and retried by exc_spool_scan. */
void exc_spool_open(exc_spool *sp, const char *dir);
void exc_spool_close(exc_spool *sp);

/* fd to poll for "something was renamed in" (or -1). */
int exc_spool_fd(const exc_spool *sp);
/* Consume pending inotify notifications (noting which names were renamed
 * in, and which are being written in place). */
void exc_spool_drain(exc_spool *sp);

/* When a file held back by the last scan (written in place, not quiet yet)
 * becomes ready: a wall-clock ms, or 0 when none is waiting. */
int64_t exc_spool_next_ready(const exc_spool *sp);

/* NULL for a regular file; otherwise why the entry cannot be ingested
 * ("not a regular file: a FIFO"). */
const char *exc_spool_bad_type(const exc_spool_entry *e);

/* List waiting files (both directories, dot-files ignored), sorted by name
 * (then reports before events for equal names), files still being written
 * in place left out (see above).  Returns the count; *out is malloc'ed
 * (free it), at most max entries. */
size_t exc_spool_scan(exc_spool *sp, exc_spool_entry **out, size_t max);

/* Move a file to rejected/ with NAME.reason (one line), under a name no
 * other rejected file has (NAME, else NAME~1, NAME~2...; shortened when
 * NAME.reason would exceed NAME_MAX).  Returns false (logged) when the move
 * failed; the file is then deleted so that it cannot be processed twice. */
bool exc_spool_reject(exc_spool *sp, const exc_spool_entry *e, const char *reason);
/* Delete an applied file (ENOENT is fine).  Both leave alone (and return
 * true) a file whose identity differs from the entry's: a newer file under
 * the same name. */
bool exc_spool_remove(const exc_spool_entry *e);

#endif
