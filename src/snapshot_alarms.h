/* Internal to the snapshot (src/snapshot.c, src/snapshot_alarms.c): its
 * alarm state, shared by pieces with the previous snapshot's. */
#ifndef EXC_SNAPSHOT_ALARMS_H
#define EXC_SNAPSHOT_ALARMS_H

#include "snapshot.h"

/* Drop one reference of a shared piece: true when it was the last. */
static inline bool exc_snap_last_ref(atomic_uint *refs)
{
    return atomic_fetch_sub(refs, 1) == 1;
}

/* The alarm state a as a snapshot holds it, sharing what did not change
 * with prev (NULL: none); fp its fingerprint (with exc_verify_changes()). */
exc_snap_alarmset *exc_snap_alarmset_build(const exc_snap_alarmset *prev, const exc_alarms *a,
                                           uint64_t fp);
/* Drop a reference (frees with the last). */
void exc_snap_alarmset_free(exc_snap_alarmset *as);
/* Active alarm i, NULL past the last. */
const exc_alarm *exc_snap_alarmset_at(const exc_snap_alarmset *as, size_t i);

#endif
