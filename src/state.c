#define _GNU_SOURCE
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define STATE_FILE "exconn.state"
#define STATE_MAGIC "exconn-state"
#define STATE_VERSION 1

void exc_journal_add(exc_journal *j, const exc_spool_entry *f, int action, const char *reason)
{
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 32;
        j->e = exc_realloc(j->e, j->cap * sizeof *j->e);
    }
    exc_jrn_entry *e = &j->e[j->n++];
    memset(e, 0, sizeof *e);
    e->file = *f;
    e->action = action;
    exc_utf8_copy(e->reason, sizeof e->reason, reason ? reason : "");
}

void exc_journal_clear(exc_journal *j) { j->n = 0; }

void exc_journal_free(exc_journal *j)
{
    free(j->e);
    memset(j, 0, sizeof *j);
}

bool exc_state_prepare(const char *dir, exc_err *err)
{
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        exc_err_set(err, 0, "cannot create state directory %s: %s", dir, strerror(errno));
        return false;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        exc_err_set(err, 0, "state directory %s is not writable: %s", dir, strerror(errno));
        return false;
    }
    return true;
}

bool exc_state_save(const char *dir, const exc_model *m, const exc_alarms *a,
                    const exc_journal *j, exc_err *err)
{
    char path[EXC_PATH_BUF + 32], tmp[EXC_PATH_BUF + 40];
    snprintf(path, sizeof path, "%s/" STATE_FILE, dir);
    snprintf(tmp, sizeof tmp, "%s/." STATE_FILE ".tmp", dir);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        exc_err_set(err, 0, "cannot write %s: %s", tmp, strerror(errno));
        return false;
    }
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        close(fd);
        unlink(tmp);
        exc_err_set(err, 0, "cannot write %s: %s", tmp, strerror(errno));
        return false;
    }
    static char iobuf[1 << 16];
    setvbuf(fp, iobuf, _IOFBF, sizeof iobuf);
    exc_sf_writer w = {fp, false};
    exc_sf_begin(&w, STATE_MAGIC);
    exc_sf_u64(&w, STATE_VERSION);
    exc_sf_end(&w);
    for (size_t i = 0; j && i < j->n; i++) {
        exc_sf_begin(&w, "jrn");
        exc_sf_u64(&w, (uint64_t)j->e[i].file.kind);
        exc_sf_str(&w, j->e[i].file.name);
        exc_sf_str(&w, j->e[i].file.path);
        exc_sf_u64(&w, (uint64_t)j->e[i].action);
        exc_sf_str(&w, j->e[i].reason);
        exc_sf_end(&w);
    }
    exc_model_save(m, &w);
    exc_alarms_save(a, &w);
    exc_sf_begin(&w, "end");
    exc_sf_end(&w);
    bool ok = !w.failed && fflush(fp) == 0 && fsync(fd) == 0;
    int saved = errno;
    ok = fclose(fp) == 0 && ok;
    if (ok && rename(tmp, path) != 0) {
        saved = errno;
        ok = false;
    }
    if (!ok) {
        unlink(tmp);
        exc_err_set(err, 0, "cannot write state %s: %s", path, strerror(saved));
        return false;
    }
    /* make the rename itself durable */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;
}

bool exc_state_load(const char *dir, exc_model *m, exc_alarms *a, exc_journal *j, bool *found,
                    exc_err *err)
{
    char path[EXC_PATH_BUF + 32];
    snprintf(path, sizeof path, "%s/" STATE_FILE, dir);
    *found = false;
    FILE *fp = fopen(path, "re");
    if (!fp) {
        if (errno == ENOENT)
            return true;
        exc_err_set(err, 0, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    *found = true;
    exc_sf_reader r = {.fp = fp};
    const char *tag = exc_sf_next(&r);
    bool ok = tag && strcmp(tag, STATE_MAGIC) == 0 && exc_sf_get_u64(&r) == STATE_VERSION &&
              !r.bad;
    bool ended = false;
    if (!ok)
        exc_err_set(err, (int)r.lineno, "%s: not an exconn state file (version %d)", path,
                    STATE_VERSION);
    while (ok && (tag = exc_sf_next(&r)) != NULL) {
        if (strcmp(tag, "end") == 0) {
            ended = true;
            break;
        }
        if (strcmp(tag, "jrn") == 0) {
            exc_spool_entry f;
            memset(&f, 0, sizeof f);
            f.kind = (int)exc_sf_get_u64(&r);
            exc_sf_get_str(&r, f.name, sizeof f.name);
            exc_sf_get_str(&r, f.path, sizeof f.path);
            int action = (int)exc_sf_get_u64(&r);
            char reason[512];
            exc_sf_get_str(&r, reason, sizeof reason);
            if (!r.bad)
                exc_journal_add(j, &f, action, reason);
        } else if (!exc_model_load_record(m, tag, &r) && !exc_alarms_load_record(a, tag, &r)) {
            exc_err_set(err, (int)r.lineno, "%s: unknown record \"%s\"", path, tag);
            ok = false;
        }
        if (ok && r.bad) {
            exc_err_set(err, (int)r.lineno, "%s: malformed \"%s\" record", path, tag);
            ok = false;
        }
    }
    if (ok && !ended) {
        exc_err_set(err, (int)r.lineno, "%s: truncated (no end record)", path);
        ok = false;
    }
    exc_sf_reader_free(&r);
    fclose(fp);
    return ok;
}
