/* Loading the state directory (exc_state_load, exc_state_check): the
 * checkpoint read whole and checked, then every complete journal entry that
 * extends it applied in order; the refusals, each one line naming the file.
 * The writer's side is src/state.c. */
#define _GNU_SOURCE
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "crc32.h"
#include "state_files.h"
#include "util.h"

static void load_jrn(exc_sf_reader *r, exc_dispositions *j)
{
    exc_spool_entry f;
    memset(&f, 0, sizeof f);
    f.kind = (int)exc_sf_get_u64(r);
    exc_sf_get_str(r, f.name, sizeof f.name);
    exc_sf_get_str(r, f.path, sizeof f.path);
    int action = (int)exc_sf_get_u64(r);
    char reason[512];
    exc_sf_get_str(r, reason, sizeof reason);
    if (r->cursor && *r->cursor) {   /* the file's identity (older states lack it) */
        f.ino = exc_sf_get_u64(r);
        f.size = exc_sf_get_u64(r);
        f.mtime_ns = exc_sf_get_i64(r);
    }
    if (!r->bad)
        exc_dispositions_add(j, &f, action, reason);
}

/* ------------------------------------------------------------------------ */
/* The journal                                                               */
/*
 * exconn.journal extends the checkpoint exconn.state: a header line
 *     exconn-journal 1 <size> <crc32>
 * naming the checkpoint it extends by its size and CRC-32 (a journal left
 * beside a newer checkpoint -- a crash between the two renames of a fold --
 * does not match it and is ignored)
 * then one entry per commit, appended and fdatasync'ed:
 *     commit <seq> <length> <crc32>\n<length octets of records>
 * The records are the checkpoint's, plus
 *     drop <server>      forget the server (its current records follow
 *                        unless it is gone)
 *     almdel <index>     forget an active alarm (its new record follows
 *                        when it changed rather than cleared)
 *     rst mat|out|hold   forget the match counts, the outbox, or the
 *                        hold-down windows (their records follow)
 * Alarm history records are only appended (their index increases).
 * and each entry carries its own "mctr" and "jrn" records (the "jrn" list of
 * the newest entry is the journal of the last commit).  An entry is applied
 * only when it is complete and its CRC matches: a crash in the middle of an
 * append loses that commit only -- its spool files are still in the spool,
 * since files are deleted after their commit.
 */

/* "almdel": drop an active alarm (the array is sorted by index). */
static void alarm_delete(exc_alarms *a, uint32_t index)
{
    size_t lo = 0, hi = a->n_active;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->active[mid].index == index) {
            memmove(&a->active[mid], &a->active[mid + 1],
                    (a->n_active - mid - 1) * sizeof *a->active);
            a->n_active--;
            return;
        }
        if (a->active[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
}

/* "rst GROUP": forget one group of alarm records (they follow). */
static bool alarm_group_reset(exc_alarms *a, const char *group)
{
    if (strcmp(group, "mat") == 0) {
        a->n_matches = 0;
    } else if (strcmp(group, "out") == 0) {
        a->n_outbox = 0;
    } else if (strcmp(group, "hold") == 0) {
        exc_alarms_drop_holddowns(a);
    } else {
        return false;
    }
    return true;
}

/* Apply one complete journal entry. */
static bool apply_entry(const char *path, char *buf, size_t len, exc_model *m, exc_alarms *a,
                        exc_dispositions *j, exc_err *err)
{
    FILE *fp = fmemopen(buf, len, "r");
    if (!fp) {
        exc_err_set(err, 0, "%s: cannot read an entry: %s", path, strerror(errno));
        return false;
    }
    exc_dispositions_clear(j);   /* the newest entry's files are the pending ones */
    exc_sf_reader r = {.fp = fp};
    const char *tag;
    bool ok = true;
    while (ok && (tag = exc_sf_next(&r)) != NULL) {
        if (strcmp(tag, "jrn") == 0) {
            load_jrn(&r, j);
        } else if (strcmp(tag, "drop") == 0) {
            char name[EXC_SERVER_BUF];
            exc_sf_get_str(&r, name, sizeof name);
            if (!r.bad)
                exc_model_remove(m, name);
        } else if (strcmp(tag, "almdel") == 0) {
            uint64_t index = exc_sf_get_u64(&r);
            if (!r.bad)
                alarm_delete(a, (uint32_t)index);
        } else if (strcmp(tag, "rst") == 0) {
            char group[16];
            exc_sf_get_str(&r, group, sizeof group);
            if (!r.bad && !alarm_group_reset(a, group))
                r.bad = true;
        } else if (!exc_model_load_record(m, tag, &r) && !exc_alarms_load_record(a, tag, &r)) {
            exc_err_set(err, 0, "%s: unknown record \"%s\"", path, tag);
            ok = false;
        }
        if (ok && r.bad) {
            exc_err_set(err, 0, "%s: malformed \"%s\" record", path, tag);
            ok = false;
        }
    }
    exc_sf_reader_free(&r);
    fclose(fp);
    return ok;
}

#define STATE_PATH_BUF (EXC_PATH_BUF + 32)

/* path = dir/name, for a state file of the directory dir. */
static void state_path(char path[STATE_PATH_BUF], const char *dir, const char *name)
{
    snprintf(path, STATE_PATH_BUF, "%s/%s", dir, name);
}

/* Open dir/name (its path left in path), a file that may legitimately be
 * absent (exc_open_regular): 1 open in *fp, 0 no such file, -1 a real
 * error (err set). */
static int open_optional(const char *dir, const char *name, char path[STATE_PATH_BUF],
                         FILE **fp, exc_err *err)
{
    state_path(path, dir, name);
    *fp = NULL;
    struct stat st;
    unsigned bad;
    int fd = exc_open_regular(path, &st, &bad);
    if (fd < 0) {
        if (bad)
            exc_err_set(err, 0, "%s: is %s, not a state file", path, exc_file_type(bad));
        else if (errno == ENOENT)
            return 0;
        else
            exc_err_set(err, 0, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    *fp = fdopen(fd, "r");
    if (!*fp) {
        exc_err_set(err, 0, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return 1;
}

/* The one line of advice every refusal to load ends with. */
#define MOVE_ASIDE "; restore it from a backup, or move " STATE_FILE " and " JOURNAL_FILE \
                   " aside to start with an empty state"

/* Replay the journal that extends the checkpoint of this size and CRC.
 * One that names another checkpoint is what a crash between the two renames
 * of a fold leaves (already folded into this one): ignored -- loudly when
 * the checkpoint has no checksum of its own (version 1), since damage to it
 * would look the same.  *entries counts what was applied. */
static bool replay_journal(const char *dir, uint64_t size, uint32_t crc, bool ckp_checked,
                           exc_model *m, exc_alarms *a, exc_dispositions *j, unsigned *entries,
                           exc_err *err)
{
    char path[STATE_PATH_BUF];
    *entries = 0;
    FILE *fp;
    int opened = open_optional(dir, JOURNAL_FILE, path, &fp, err);
    if (opened <= 0)
        return opened == 0;   /* no journal: the checkpoint is the whole state */
    char line[256];
    unsigned version = 0;
    unsigned long long jsize = 0;
    unsigned long jcrc = 0;
    char magic[32];
    if (!fgets(line, sizeof line, fp) ||
        sscanf(line, "%31s %u %llu %lx", magic, &version, &jsize, &jcrc) != 4 ||
        strcmp(magic, JOURNAL_MAGIC) != 0 || version != JOURNAL_VERSION) {
        fclose(fp);   /* the header is written whole (tmp + rename): this is damage */
        exc_err_set(err, 0, "%s:1: not an exconn journal (damaged header)" MOVE_ASIDE, path);
        return false;
    }
    if (jsize != size || jcrc != crc) {
        fclose(fp);
        if (ckp_checked)
            exc_log(LOG_INFO, "state: %s extends an older checkpoint; ignored", path);
        else
            exc_log(LOG_WARNING, "state: %s does not extend %s/" STATE_FILE " (no checksum: "
                    "version 1); ignored -- if the checkpoint was damaged, the commits in "
                    "the journal are lost", path, dir);
        return true;
    }
    bool ok = true;
    char *buf = NULL;
    while (ok && fgets(line, sizeof line, fp)) {
        unsigned long long seq, len;
        unsigned long ecrc;
        char word[16];
        if (sscanf(line, "%15s %llu %llu %lx", word, &seq, &len, &ecrc) != 4 ||
            strcmp(word, "commit") != 0 || len > (1ull << 31)) {
            exc_log(LOG_WARNING, "state: %s: ignoring a damaged entry after %u commit(s)",
                    path, *entries);
            break;
        }
        buf = exc_realloc(buf, len ? len : 1);
        if (fread(buf, 1, len, fp) != len || exc_crc32_of(buf, len) != ecrc) {
            /* the append a crash interrupted: that commit never happened */
            exc_log(LOG_WARNING, "state: %s: ignoring an incomplete last entry after %u "
                    "commit(s)", path, *entries);
            break;
        }
        ok = apply_entry(path, buf, len, m, a, j, err);
        if (ok)
            (*entries)++;
    }
    free(buf);
    fclose(fp);
    return ok;
}

/* The checkpoint's text, read whole (its CRC names it for the journal). */
static bool read_checkpoint(FILE *file, const char *path, char **text, size_t *size,
                            exc_err *err)
{
    *text = NULL;
    *size = 0;
    struct stat info;
    if (fstat(fileno(file), &info) == 0 && info.st_size > 0) {
        *text = exc_calloc(1, (size_t)info.st_size + 1);
        *size = fread(*text, 1, (size_t)info.st_size, file);
        if (ferror(file)) {
            exc_err_set(err, 0, "cannot read %s: %s", path, strerror(errno));
            free(*text);
            *text = NULL;
            return false;
        }
    }
    if (*size == 0) {
        free(*text);
        *text = NULL;
        exc_err_set(err, 0, "%s: empty file (truncated)" MOVE_ASIDE, path);
        return false;
    }
    return true;
}

static unsigned count_lines(const char *text, size_t len)
{
    unsigned n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    return len && text[len - 1] != '\n' ? n + 1 : n;
}

/* The header and, for version 2, the end record's checksum, before any
 * record is believed.  *version gets the file's version. */
static bool check_checkpoint(const char *path, const char *text, size_t len,
                             unsigned *version, exc_err *err)
{
    const char *nl = memchr(text, '\n', len);
    size_t first = nl ? (size_t)(nl - text) : len;
    unsigned long v = 0;
    char extra;
    char head[64];
    snprintf(head, sizeof head, "%.*s", (int)(first < 63 ? first : 63), text);
    if (strncmp(head, STATE_MAGIC " ", sizeof STATE_MAGIC) != 0 ||
        sscanf(head + sizeof STATE_MAGIC, "%lu%c", &v, &extra) != 1) {
        exc_err_set(err, 0, "%s:1: not an exconn state file (no \"" STATE_MAGIC
                    " VERSION\" header)", path);
        return false;
    }
    if (v < 1 || v > STATE_VERSION) {
        exc_err_set(err, 0, "%s:1: state version %lu is not one this agent reads (1 to %d)"
                    ": written by a newer exconn?", path, v, STATE_VERSION);
        return false;
    }
    *version = (unsigned)v;
    unsigned lines = count_lines(text, len);
    bool whole = text[len - 1] == '\n';
    /* the last line (whole or not) */
    size_t end = whole ? len - 1 : len, start = end;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    bool has_end = end - start >= 3 && memcmp(text + start, "end", 3) == 0 &&
                   (end - start == 3 || text[start + 3] == ' ');
    if (!has_end || (!whole && v == 1 && end - start != 3)) {
        exc_err_set(err, 0, "%s:%u: truncated (%sno end record)" MOVE_ASIDE, path, lines,
                    whole ? "" : "incomplete last line, ");
        return false;
    }
    if (v == 1)
        return true;
    unsigned long long want = 0;
    char tail[32];
    snprintf(tail, sizeof tail, "%.*s", (int)(end - start < 31 ? end - start : 31),
             text + start);
    if (sscanf(tail, "end %llu%c", &want, &extra) != 1) {
        exc_err_set(err, 0, "%s:%u: malformed end record" MOVE_ASIDE, path, lines);
        return false;
    }
    uint32_t got = exc_crc32_of(text, start);
    if (got != want) {
        exc_err_set(err, 0, "%s: checksum mismatch (CRC-32 %08lx, the file says %08llx): "
                    "the checkpoint is damaged" MOVE_ASIDE, path, (unsigned long)got, want);
        return false;
    }
    return true;
}

/* The records of a checked checkpoint. */
static bool parse_checkpoint(const char *path, char *text, size_t size, exc_model *m,
                             exc_alarms *a, exc_dispositions *j, exc_err *err)
{
    FILE *fp = fmemopen(text, size, "r");
    if (!fp) {
        exc_err_set(err, 0, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    exc_sf_reader r = {.fp = fp};
    const char *tag = exc_sf_next(&r);   /* the header, checked */
    bool ok = tag != NULL, ended = false;
    while (ok && (tag = exc_sf_next(&r)) != NULL) {
        if (strcmp(tag, "end") == 0) {
            ended = true;
            break;
        }
        if (strcmp(tag, "jrn") == 0)
            load_jrn(&r, j);
        else if (!exc_model_load_record(m, tag, &r) && !exc_alarms_load_record(a, tag, &r)) {
            exc_err_set(err, 0, "%s:%u: unknown record \"%s\"", path, r.lineno, tag);
            ok = false;
        }
        if (ok && r.bad) {
            exc_err_set(err, 0, "%s:%u: malformed \"%s\" record", path, r.lineno, tag);
            ok = false;
        }
    }
    if (ok && !ended) {
        exc_err_set(err, 0, "%s:%u: truncated (no end record)", path, r.lineno);
        ok = false;
    }
    exc_sf_reader_free(&r);
    fclose(fp);
    return ok;
}

/* No checkpoint: a first start -- unless a journal is there, whose commits
 * would silently be lost. */
static bool check_orphan_journal(const char *dir, exc_err *err)
{
    char jpath[STATE_PATH_BUF];
    state_path(jpath, dir, JOURNAL_FILE);
    struct stat st;
    if (lstat(jpath, &st) != 0)
        return true;
    exc_err_set(err, 0, "%s: a journal without its checkpoint %s/" STATE_FILE
                " (removed?): its commits cannot be applied" MOVE_ASIDE, jpath, dir);
    return false;
}

bool exc_state_load(const char *dir, exc_model *m, exc_alarms *a, exc_dispositions *j, bool *found,
                    exc_err *err)
{
    char path[STATE_PATH_BUF];
    *found = false;
    FILE *file;
    switch (open_optional(dir, STATE_FILE, path, &file, err)) {
    case -1: return false;
    case 0: return check_orphan_journal(dir, err);   /* first start: no state yet */
    default: break;
    }
    *found = true;
    char *text;
    size_t size;
    bool ok = read_checkpoint(file, path, &text, &size, err);
    fclose(file);
    unsigned version = 0;
    ok = ok && check_checkpoint(path, text, size, &version, err) &&
         parse_checkpoint(path, text, size, m, a, j, err);
    uint32_t crc = ok ? exc_crc32_of(text, size) : 0;
    free(text);
    if (ok && version == 1)
        exc_log(LOG_NOTICE, "state: %s has no checksum (version 1, an older agent's); the "
                "next checkpoint writes version %d", path, STATE_VERSION);
    unsigned entries = 0;
    if (ok)
        ok = replay_journal(dir, size, crc, version >= 2, m, a, j, &entries, err);
    if (ok && entries)
        exc_log(LOG_INFO, "state: %u journal entr%s replayed", entries,
                entries == 1 ? "y" : "ies");
    return ok;
}

bool exc_state_check(const char *dir, exc_err *err)
{
    exc_model m;
    exc_alarms a;
    exc_dispositions j = {0};
    bool found;
    exc_model_init(&m, EXC_STALL_MAX);
    exc_alarms_init(&a, UINT32_MAX / 2, 0, UINT32_MAX / 2, false);
    bool ok = exc_state_load(dir, &m, &a, &j, &found, err);
    exc_dispositions_free(&j);
    exc_alarms_free(&a);
    exc_model_free(&m);
    return ok;
}
