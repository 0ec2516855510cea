/* The state directory: one file, exconn.state, holding the model, the
 * alarms and the journal of the last commit.  Written to a temporary file,
 * fsynced, renamed over the old one and the directory fsynced, so a kill -9
 * at any moment leaves either the old or the new state, both readable. */
#ifndef EXC_STATE_H
#define EXC_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "alarms.h"
#include "err.h"
#include "model.h"
#include "spool.h"

/* What the last commit did to spool files: on start-up any of them still in
 * the spool is finished (deleted, or moved to rejected/) without being
 * applied a second time. */
typedef enum { EXC_JRN_DELETE = 1, EXC_JRN_REJECT = 2 } exc_jrn_action;

typedef struct exc_jrn_entry {
    exc_spool_entry file;
    int action;
    char reason[512];
} exc_jrn_entry;

typedef struct exc_journal {
    size_t n, cap;
    exc_jrn_entry *e;
} exc_journal;

void exc_journal_add(exc_journal *j, const exc_spool_entry *f, int action, const char *reason);
void exc_journal_clear(exc_journal *j);
void exc_journal_free(exc_journal *j);

/* Ensure the directory exists and is writable. */
bool exc_state_prepare(const char *dir, exc_err *err);

bool exc_state_save(const char *dir, const exc_model *m, const exc_alarms *a,
                    const exc_journal *j, exc_err *err);

/* Load into initialised m/a/j.  A missing file is not an error (*found
 * false).  A corrupt file is an error (err says where). */
bool exc_state_load(const char *dir, exc_model *m, exc_alarms *a, exc_journal *j,
                    bool *found, exc_err *err);

#endif
