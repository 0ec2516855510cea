/* Internal to the state directory's writer (src/state.c, src/state_alarms.c):
 * the alarm records of a commit, cut in the groups the journal compares and
 * writes separately. */
#ifndef EXC_STATE_ALARMS_H
#define EXC_STATE_ALARMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alarms.h"
#include "state.h"
#include "statefile.h"

/* The alarm section cut in the groups the journal writes separately. */
typedef struct alarm_parts {
    char *text;                 /* exc_alarms_save's output; the groups point in */
    size_t len;
    struct span { size_t off, len; } aix, mat, out, hold, his;   /* his: the new ones */
    size_t n_alm;
    struct exc_state_alm *alm;  /* alm records: index, stamp, span */
    uint32_t his_max;
} alarm_parts;

void exc_alarm_parts_free(alarm_parts *p);
/* The alarm records of a commit as parts: those changed since the prev
 * records (all when prev is NULL), and where each group lies.  False (p
 * freed) when they cannot be diffed: the commit writes a checkpoint. */
bool exc_alarm_parts_of(const exc_alarms *a, uint32_t his_done, alarm_parts *p,
                        const struct exc_state_alm *prev, size_t n_prev);
/* What the journal compares the next commit's alarms with (takes p's
 * alarm records). */
void exc_state_remember_alarms(exc_state *st, alarm_parts *p);
void exc_state_forget_alarms(exc_state *st);
/* Write the alarm records that changed since st remembered them. */
void exc_state_write_alarm_delta(exc_sf_writer *w, const exc_state *st, const alarm_parts *p);

#endif
