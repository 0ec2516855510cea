/* Internal to the state directory's code (src/state.c: the writer --
 * checkpoints and journal commits; src/state_load.c: loading and checking
 * them): the file names and formats (their CRC-32: src/crc32.h). */
#ifndef EXC_STATE_FILES_H
#define EXC_STATE_FILES_H

#include <stddef.h>
#include <stdint.h>

#define STATE_FILE "exconn.state"
#define STATE_MAGIC "exconn-state"
/* version 2 ends with "end <crc32>", the CRC of every byte before that
 * line; version 1 (no checksum) is still read */
#define STATE_VERSION 2
#define JOURNAL_FILE "exconn.journal"
#define JOURNAL_MAGIC "exconn-journal"
#define JOURNAL_VERSION 1
/* the journal is folded into a new checkpoint once it outgrows this many
 * bytes, or twice the checkpoint, whichever is more */
#define JOURNAL_MIN_LIMIT (1u << 20)
/* temporaries (exc_create_unique adds a random suffix; never an existing
 * name, never through a symlink) */
#define STATE_TMP "." STATE_FILE
#define JOURNAL_TMP "." JOURNAL_FILE

#endif
