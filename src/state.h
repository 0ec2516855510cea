/* The state directory: a checkpoint, exconn.state, holding the model, the
 * alarms and the journal of the last commit -- written to a temporary file,
 * fsynced, renamed over the old one and the directory fsynced -- and a
 * journal, exconn.journal, of the commits since, appended and fdatasync'ed
 * one entry per commit (only the servers that changed, and the alarms when
 * they changed).  Loading applies the checkpoint, then every complete entry
 * of the journal that extends it.  A kill -9 at any moment leaves the state
 * of the last commit that returned, or of the one in progress: never a mix.
 * The journal is folded into a new checkpoint when it grows past twice the
 * checkpoint (1 MiB at least), when the worker is idle (engine.c) and at
 * shutdown.  Performance: a commit costs what changed, not the estate. */
#ifndef EXC_STATE_H
#define EXC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "alarms.h"
#include "dispositions.h"
#include "err.h"
#include "model.h"
#include "spool.h"

/* The writer's side: the open journal and what the last commit wrote. */
typedef struct exc_state {
    char dir[EXC_PATH_BUF];
    int jfd;                      /* journal open for appends; -1: next commit checkpoints */
    uint64_t ckp_bytes, jrn_bytes;
    unsigned long ckp_dev, ckp_ino;   /* the checkpoint the journal extends */
    struct timespec ckp_mtime;
    unsigned entries;             /* journal entries since the checkpoint */
    size_t n_srv, cap_srv;
    struct exc_state_srv { char name[EXC_SERVER_BUF]; uint64_t hash, stamp; } *srv;
    /* the alarm records last written, by group (state.c compares) */
    uint32_t his_done;            /* newest history record written */
    char *mat, *out, *hold;
    size_t mat_len, out_len, hold_len;
    size_t n_alm;
    /* hash: with exc_verify_changes() only (util.h) */
    struct exc_state_alm { uint32_t index; uint64_t stamp, hash; size_t off, len; } *alm;
    /* issue 14: the version of the alarm state (alarms.h) the records above
     * were taken from; equal at the next commit = no alarm record to write */
    uint64_t alarm_version;
    bool alarm_version_ok;
    uint64_t alarm_fp;            /* its fingerprint, with exc_verify_changes() */
    /* issue 14: the token of the model's EXC_TOUCH_STATE list this state
     * took at its last commit (model.h): the servers to look at next */
    uint64_t touch_token;
} exc_state;

void exc_state_init(exc_state *st, const char *dir);
void exc_state_close(exc_state *st);
/* Commit: a journal entry, or a checkpoint when there is no journal yet, the
 * checkpoint file was replaced or removed, or the journal is big enough.
 * Both start the model's EXC_TOUCH_STATE list again once written (model.h):
 * the next commit looks at the servers touched since. */
bool exc_state_commit(exc_state *st, exc_model *m, const exc_alarms *a,
                      const exc_dispositions *j, exc_err *err);
/* Write a checkpoint now and start an empty journal. */
bool exc_state_checkpoint(exc_state *st, exc_model *m, const exc_alarms *a,
                          const exc_dispositions *j, exc_err *err);
/* The journal holds entries a checkpoint would fold. */
bool exc_state_pending(const exc_state *st);

/* Ensure the directory exists and is writable. */
bool exc_state_prepare(const char *dir, exc_err *err);

/* A one-off checkpoint (a journal beside it is left out from then on). */
bool exc_state_save(const char *dir, const exc_model *m, const exc_alarms *a,
                    const exc_dispositions *j, exc_err *err);

/* Load into initialised m/a/j: the checkpoint and its journal.  A missing
 * checkpoint is not an error (*found false) -- unless its journal is there
 * (an orphaned journal: refused).  A checkpoint that is not a regular file,
 * of an unknown version, truncated, whose checksum (version 2) does not
 * match, or with a bad record, and a damaged journal header or a corrupt
 * record in a complete journal entry, are errors: err->msg is one line
 * naming the file (FILE:LINE where a line applies; err->line 0).  An
 * incomplete last journal entry (a crash in mid-append) is skipped, logged.
 * Version 1 checkpoints (no checksum) are read, with a notice. */
bool exc_state_load(const char *dir, exc_model *m, exc_alarms *a, exc_dispositions *j,
                    bool *found, exc_err *err);

/* What exc_state_load would say about the state directory, without keeping
 * anything (for --check-config): false with the same one-line err. */
bool exc_state_check(const char *dir, exc_err *err);

#endif
