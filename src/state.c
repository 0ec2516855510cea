/* The state directory's writer: checkpoints (the whole state, replaced
 * atomically) and commits (one journal entry of what changed: the servers
 * whose saved record changed, the alarm records that changed -- src/state_alarms.c
 * -- and the dispositions).  Loading them is src/state_load.c. */
#define _GNU_SOURCE
#include "state.h"

#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "crc32.h"
#include "log.h"
#include "state_alarms.h"
#include "state_files.h"
#include "util.h"

/* Temporaries a killed writer left behind (".exconn.state.XXXXXX", and the
 * fixed ".NAME.tmp" of older versions).  unlink never follows a symlink. */
static void remove_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if ((strncmp(n, STATE_TMP ".", sizeof STATE_TMP) == 0 ||
             strncmp(n, JOURNAL_TMP ".", sizeof JOURNAL_TMP) == 0) &&
            unlinkat(dirfd(d), n, 0) == 0)
            exc_log(LOG_INFO, "state: removed %s/%s left by an interrupted write", dir, n);
    }
    closedir(d);
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
    remove_temporaries(dir);
    return true;
}

/* The files of the last commit ("jrn" records). */
static void save_jrn(exc_sf_writer *w, const exc_dispositions *j)
{
    for (size_t i = 0; j && i < j->n; i++) {
        exc_sf_begin(w, "jrn");
        exc_sf_u64(w, (uint64_t)j->e[i].file.kind);
        exc_sf_str(w, j->e[i].file.name);
        exc_sf_str(w, j->e[i].file.path);
        exc_sf_u64(w, (uint64_t)j->e[i].action);
        exc_sf_str(w, j->e[i].reason);
        exc_sf_u64(w, j->e[i].file.ino);
        exc_sf_u64(w, j->e[i].file.size);
        exc_sf_i64(w, j->e[i].file.mtime_ns);
        exc_sf_end(w);
    }
}



static void fsync_dir(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* The checkpoint goes to its file as the writer's buffer fills, its CRC-32
 * computed on the way (no copy of the whole state in memory). */
typedef struct ckp_out {
    int fd;
    uint32_t crc;
    bool failed;
    int err;
} ckp_out;

static bool ckp_write(void *cookie, const char *buf, size_t len)
{
    ckp_out *o = cookie;
    o->crc = exc_crc32_update(o->crc, buf, len);
    if (!exc_write_all(o->fd, buf, len)) {
        o->failed = true;
        o->err = errno;
        return false;
    }
    return true;
}

/* The whole state as exconn.state (tmp, fsync, rename, fsync dir).  Its
 * CRC-32 (*crc) and stat (*info), when asked for, are what a journal names
 * to say which checkpoint it extends. */
/* Write server s's records to w and return their hash: whether a server
 * must be rewritten in a journal entry is told by a hash of what
 * exc_model_save_server writes for it, fed by that function itself (issue
 * 13: a field list kept beside it "in step" by hand lost any field added to
 * one and not the other at restart), in the same pass (issue 14). */
static uint64_t save_server_hashed(exc_sf_writer *w, const exc_server *s)
{
    size_t at = exc_sf_hold(w);
    exc_model_save_server(s, w);
    uint64_t h = exc_sf_hash_since(w, at);
    exc_sf_release(w, at, false);
    return h;
}

/* hashes (NULL: not wanted): each server's, as the journal compares them. */
static bool write_checkpoint(const char *dir, const exc_model *m, const exc_alarms *a,
                             const exc_dispositions *j, uint64_t *hashes, uint32_t *crc,
                             struct stat *info, exc_err *err)
{
    char path[EXC_PATH_BUF + 32], tmp[EXC_PATH_BUF + 40];
    snprintf(path, sizeof path, "%s/" STATE_FILE, dir);
    ckp_out o = {.fd = -1, .crc = 0xFFFFFFFFu};
    o.fd = exc_create_unique(dir, STATE_TMP, 0640, tmp, sizeof tmp);
    if (o.fd < 0) {
        exc_err_set(err, 0, "cannot write %s: %s", tmp, strerror(errno));
        return false;
    }
    exc_sf_writer w = {.sink = ckp_write, .cookie = &o};
    exc_sf_begin(&w, STATE_MAGIC);
    exc_sf_u64(&w, STATE_VERSION);
    exc_sf_end(&w);
    save_jrn(&w, j);
    if (hashes) {
        exc_model_save_counters(m, &w);
        for (size_t i = 0; i < m->n_servers; i++)
            hashes[i] = save_server_hashed(&w, m->servers[i]);
    } else {
        exc_model_save(m, &w);
    }
    exc_alarms_save(a, &w);
    /* the checksum covers every byte before the end record: flushed first */
    exc_sf_flush(&w);
    exc_sf_begin(&w, "end");
    exc_sf_u64(&w, o.crc ^ 0xFFFFFFFFu);
    exc_sf_end(&w);
    bool ok = exc_sf_flush(&w) && !o.failed;
    exc_sf_discard(&w);
    int saved = o.failed ? o.err : EIO;
    if (ok && fsync(o.fd) != 0) {
        saved = errno;
        ok = false;
    }
    if (close(o.fd) != 0 && ok) {
        saved = errno;
        ok = false;
    }
    if (ok && rename(tmp, path) != 0) {
        saved = errno;
        ok = false;
    }
    if (!ok) {
        unlink(tmp);
        exc_err_set(err, 0, "cannot write state %s: %s", path, strerror(saved));
        return false;
    }
    if (crc)
        *crc = o.crc ^ 0xFFFFFFFFu;
    fsync_dir(dir);   /* make the rename itself durable */
    if (info && stat(path, info) != 0)
        memset(info, 0, sizeof *info);
    return true;
}

bool exc_state_save(const char *dir, const exc_model *m, const exc_alarms *a,
                    const exc_dispositions *j, exc_err *err)
{
    return write_checkpoint(dir, m, a, j, NULL, NULL, NULL, err);
}


/* ------------------------------------------------------------------------ */
/* Commits                                                                   */

/* Each server's hash and stamp (and name, unless the set is the same) as
 * written: what the next commit compares with. */
static void remember_servers(exc_state *st, const exc_model *m, const uint64_t *hashes,
                             bool names)
{
    if (st->cap_srv < m->n_servers) {
        st->cap_srv = m->n_servers + m->n_servers / 4 + 16;
        st->srv = exc_realloc(st->srv, st->cap_srv * sizeof *st->srv);
    }
    for (size_t i = 0; i < m->n_servers; i++) {
        if (names)
            memcpy(st->srv[i].name, m->servers[i]->name, sizeof st->srv[i].name);
        st->srv[i].hash = hashes[i];
        st->srv[i].stamp = m->servers[i]->stamp;
    }
    st->n_srv = m->n_servers;
}

void exc_state_init(exc_state *st, const char *dir)
{
    memset(st, 0, sizeof *st);
    snprintf(st->dir, sizeof st->dir, "%s", dir);
    st->jfd = -1;
}

static void close_journal(exc_state *st)
{
    if (st->jfd >= 0)
        close(st->jfd);
    st->jfd = -1;
}

void exc_state_close(exc_state *st)
{
    close_journal(st);
    free(st->srv);
    exc_state_forget_alarms(st);
    memset(st, 0, sizeof *st);
    st->jfd = -1;
}

bool exc_state_pending(const exc_state *st) { return st->jfd >= 0 && st->entries > 0; }

/* A fresh, empty journal extending the checkpoint just written (its size
 * and CRC), open for appends. */
static void start_journal(exc_state *st, uint64_t size, uint32_t crc)
{
    char path[EXC_PATH_BUF + 32], tmp[EXC_PATH_BUF + 40], head[96];
    snprintf(path, sizeof path, "%s/" JOURNAL_FILE, st->dir);
    int n = snprintf(head, sizeof head, JOURNAL_MAGIC " %d %llu %08lx\n", JOURNAL_VERSION,
                     (unsigned long long)size, (unsigned long)crc);
    int fd = exc_create_unique(st->dir, JOURNAL_TMP, 0640, tmp, sizeof tmp);
    bool ok = fd >= 0 && exc_write_all(fd, head, (size_t)n) && fsync(fd) == 0;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (ok) {
        fsync_dir(st->dir);
        st->jfd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    }
    if (!ok || st->jfd < 0) {
        if (fd >= 0)
            unlink(tmp);
        exc_log(LOG_WARNING, "state: cannot start %s (%s): every commit rewrites %s",
                path, strerror(errno), STATE_FILE);
        st->jfd = -1;
        return;
    }
    st->jrn_bytes = (uint64_t)n;
    st->entries = 0;
}

bool exc_state_checkpoint(exc_state *st, exc_model *m, const exc_alarms *a,
                          const exc_dispositions *j, exc_err *err)
{
    close_journal(st);
    struct stat info;
    uint32_t crc = 0;
    uint64_t *hashes = exc_calloc(m->n_servers ? m->n_servers : 1, sizeof *hashes);
    if (!write_checkpoint(st->dir, m, a, j, hashes, &crc, &info, err)) {
        free(hashes);
        return false;
    }
    st->ckp_dev = info.st_dev;
    st->ckp_ino = info.st_ino;
    st->ckp_bytes = (uint64_t)info.st_size;
    st->ckp_mtime = info.st_mtim;
    remember_servers(st, m, hashes, true);
    free(hashes);
    st->touch_token = exc_model_take_touched(m, EXC_TOUCH_STATE);
    exc_state_forget_alarms(st);
    st->alarm_version_ok = false;
    alarm_parts p;
    if (!exc_alarm_parts_of(a, 0, &p, NULL, 0))
        return true;   /* no journal (the next commit checkpoints again) */
    exc_state_remember_alarms(st, &p);
    exc_alarm_parts_free(&p);
    start_journal(st, (uint64_t)info.st_size, crc);
    return true;
}

/* Still the checkpoint the journal extends (not removed or replaced)? */
static bool checkpoint_intact(const exc_state *st)
{
    char path[EXC_PATH_BUF + 32];
    snprintf(path, sizeof path, "%s/" STATE_FILE, st->dir);
    struct stat info;
    /* inode numbers are reused at once: the size and mtime tell a new file */
    return stat(path, &info) == 0 && S_ISREG(info.st_mode) && info.st_dev == st->ckp_dev &&
           info.st_ino == st->ckp_ino && (uint64_t)info.st_size == st->ckp_bytes &&
           info.st_mtim.tv_sec == st->ckp_mtime.tv_sec &&
           info.st_mtim.tv_nsec == st->ckp_mtime.tv_nsec;
}

static void write_drop(exc_sf_writer *w, const char *name)
{
    exc_sf_begin(w, "drop");
    exc_sf_str(w, name);
    exc_sf_end(w);
}

/* A server's record, when its hash is not the remembered one (as drop +
 * record).  Returns the hash. */
static uint64_t write_if_changed(exc_sf_writer *w, const struct exc_state_srv *was,
                                 const exc_server *s)
{
    /* Performance (issue 14): a server not touched since it was last
     * written (same stamp) is unchanged.  A touched one is written and
     * hashed in one pass, and taken back -- the stream set back to where it
     * was -- when its hash is the one written last time. */
    if (was && was->stamp == s->stamp)
        return was->hash;
    size_t mark = exc_sf_hold(w);
    if (was)
        write_drop(w, s->name);
    uint64_t h = save_server_hashed(w, s);
    exc_sf_release(w, mark, was && was->hash == h);
    return h;
}

/* The servers new, changed or gone since the last commit (both sorted);
 * hashes[i]: model server i's, for st to remember once written; *same_set:
 * the same names as remembered. */
static void write_all_servers(exc_sf_writer *w, const exc_state *st, const exc_model *m,
                              uint64_t *hashes, bool *same_set)
{
    size_t k = 0;
    *same_set = m->n_servers == st->n_srv;
    for (size_t i = 0; i < m->n_servers; i++) {
        const exc_server *s = m->servers[i];
        /* stamps are unique: an equal one is the same server (no strcmp) */
        bool known = k < st->n_srv && st->srv[k].stamp == s->stamp;
        while (!known && k < st->n_srv && strcmp(st->srv[k].name, s->name) < 0) {
            write_drop(w, st->srv[k++].name);
            *same_set = false;
        }
        if (!known)
            known = k < st->n_srv && strcmp(st->srv[k].name, s->name) == 0;
        if (!known)
            *same_set = false;
        hashes[i] = write_if_changed(w, known ? &st->srv[k] : NULL, s);
        if (known)
            k++;
    }
    for (; k < st->n_srv; k++)
        write_drop(w, st->srv[k].name);
}

/* The same when the model's touched list is the one st took (no server
 * added or removed since): only the servers in it are looked at (issue 14).
 * pos[i], hashes[i]: the n touched servers' positions and hashes, for st to
 * remember once written.  false: a remembered name is not where the model
 * has the server (then write_all_servers decides). */
static bool write_touched_servers(exc_sf_writer *w, const exc_state *st, const exc_model *m,
                                  size_t *pos, uint64_t *hashes, size_t *n)
{
    const exc_touch_list *l = &m->touched[EXC_TOUCH_STATE];
    for (size_t i = 0; i < l->n; i++) {
        size_t k = l->v[i]->pos;
        if (k >= st->n_srv || strcmp(st->srv[k].name, l->v[i]->name) != 0)
            return false;
        pos[i] = k;
    }
    /* in the model's order, as write_all_servers writes them */
    qsort(pos, l->n, sizeof *pos, exc_cmp_size);
    for (size_t i = 0; i < l->n; i++)
        hashes[i] = write_if_changed(w, &st->srv[pos[i]], m->servers[pos[i]]);
    *n = l->n;
    return true;
}

/* exc_verify_changes(): the touched servers' records are what a walk of
 * every server writes. */
static void verify_touched(const exc_state *st, const exc_model *m)
{
    char *b[2] = {NULL, NULL};
    size_t len[2] = {0, 0}, n = 0, cap = m->touched[EXC_TOUCH_STATE].n + 1;
    size_t *pos = exc_calloc(cap, sizeof *pos);
    uint64_t *h = exc_calloc(cap, sizeof *h), *all = exc_calloc(m->n_servers + 1, sizeof *all);
    bool same_set, ok = true;
    for (int k = 0; k < 2; k++) {
        exc_sf_writer w = {0};
        if (k == 0)
            ok = write_touched_servers(&w, st, m, pos, h, &n);
        else
            write_all_servers(&w, st, m, all, &same_set);
        b[k] = exc_sf_take(&w, &len[k]);
    }
    if (ok && (len[0] != len[1] || memcmp(b[0], b[1], len[0]) != 0))
        exc_verify_failed("a server changed without exc_model_touch (journal)");
    free(b[0]);
    free(b[1]);
    free(pos);
    free(h);
    free(all);
}

/* One journal entry, built in memory before it is appended, with what the
 * state remembers of it once appended. */
typedef struct entry {
    char *buf;
    size_t len;
    bool fast;            /* the touched servers only: hashes[i] is pos[i]'s */
    bool same_set;        /* a walk of all that found the same server names */
    size_t n_touched;
    uint64_t *hashes;     /* of the servers written */
    size_t *pos;
    bool alarms_same;     /* the alarm version is the last commit's */
    alarm_parts alarms;   /* else their records, for exc_state_remember_alarms */
} entry;

static void entry_free(entry *en)
{
    free(en->buf);
    exc_alarm_parts_free(&en->alarms);
    free(en->hashes);
    free(en->pos);
}

/* The servers of an entry: the touched ones (fast), or a walk of all. */
static void build_servers(exc_sf_writer *w, exc_state *st, exc_model *m, entry *en)
{
    en->fast = exc_model_touched_since(m, EXC_TOUCH_STATE, st->touch_token) &&
               m->n_servers == st->n_srv;
    size_t n_hash = en->fast ? m->touched[EXC_TOUCH_STATE].n : m->n_servers;
    en->hashes = exc_calloc(n_hash ? n_hash : 1, sizeof *en->hashes);
    en->pos = en->fast ? exc_calloc(n_hash ? n_hash : 1, sizeof *en->pos) : NULL;
    if (en->fast && exc_verify_changes())
        verify_touched(st, m);
    if (en->fast)
        en->fast = write_touched_servers(w, st, m, en->pos, en->hashes, &en->n_touched);
    if (!en->fast) {
        if (n_hash < m->n_servers)
            en->hashes = exc_realloc(en->hashes,
                                     (m->n_servers ? m->n_servers : 1) * sizeof *en->hashes);
        write_all_servers(w, st, m, en->hashes, &en->same_set);
    }
}

/* Build the entry of a commit: the counters, the servers, the alarm records
 * that changed (none when the version is the last commit's: serialising
 * every alarm and history record to find what changed cost more than the
 * rest of a commit, docs/performance.md), the dispositions.  False when it cannot be (a checkpoint instead). */
static bool build_entry(exc_state *st, exc_model *m, const exc_alarms *a,
                        const exc_dispositions *j, entry *en)
{
    memset(en, 0, sizeof *en);
    exc_sf_writer w = {0};
    exc_model_save_counters(m, &w);
    build_servers(&w, st, m, en);
    en->alarms_same = st->alarm_version_ok && st->alarm_version == a->version;
    if (en->alarms_same && exc_verify_changes() && st->alarm_fp != exc_alarms_fingerprint(a))
        exc_verify_failed("the alarm state changed without exc_alarms_touch");
    bool alarms_ok = en->alarms_same ||
                     exc_alarm_parts_of(a, st->his_done, &en->alarms, st->alm, st->n_alm);
    if (alarms_ok && !en->alarms_same)
        exc_state_write_alarm_delta(&w, st, &en->alarms);
    save_jrn(&w, j);
    en->buf = exc_sf_take(&w, &en->len);
    return alarms_ok;
}

/* Append an entry to the journal and make it durable. */
static bool append_entry(exc_state *st, const entry *en)
{
    char head[96];
    int hn = snprintf(head, sizeof head, "commit %llu %zu %08lx\n",
                      (unsigned long long)st->entries + 1, en->len,
                      (unsigned long)exc_crc32_of(en->buf, en->len));
    struct iovec iov[2] = {{head, (size_t)hn}, {en->buf, en->len}};
    errno = 0;
    ssize_t wrote = writev(st->jfd, iov, 2);
    bool ok = wrote == (ssize_t)(hn + en->len) && fdatasync(st->jfd) == 0;
    if (!ok && wrote >= 0 && wrote < (ssize_t)(hn + en->len))
        errno = ENOSPC;   /* a short write: the disk is full (errno is not set) */
    if (ok) {
        st->jrn_bytes += (uint64_t)hn + en->len;
        st->entries++;
    }
    return ok;
}

/* An entry appended: its alarm records and its servers' hashes are what
 * the next commit compares with. */
static void remember_entry(exc_state *st, exc_model *m, const exc_alarms *a, entry *en)
{
    if (!en->alarms_same) {
        exc_state_remember_alarms(st, &en->alarms);
        st->alarm_version = a->version;
        st->alarm_version_ok = true;
        if (exc_verify_changes())
            st->alarm_fp = exc_alarms_fingerprint(a);
    }
    if (en->fast) {
        for (size_t i = 0; i < en->n_touched; i++) {
            st->srv[en->pos[i]].hash = en->hashes[i];
            st->srv[en->pos[i]].stamp = m->servers[en->pos[i]]->stamp;
        }
    } else {
        remember_servers(st, m, en->hashes, !en->same_set);   /* same set: same names */
    }
    st->touch_token = exc_model_take_touched(m, EXC_TOUCH_STATE);
}

bool exc_state_commit(exc_state *st, exc_model *m, const exc_alarms *a,
                      const exc_dispositions *j, exc_err *err)
{
    if (st->jfd < 0 || !checkpoint_intact(st))
        return exc_state_checkpoint(st, m, a, j, err);
    entry en;
    bool built = build_entry(st, m, a, j, &en);
    uint64_t limit = st->ckp_bytes * 2 > JOURNAL_MIN_LIMIT ? st->ckp_bytes * 2 : JOURNAL_MIN_LIMIT;
    if (!built || st->jrn_bytes + en.len > limit) {
        /* cannot build the entry, or the journal has grown enough: fold */
        entry_free(&en);
        return exc_state_checkpoint(st, m, a, j, err);
    }
    if (!append_entry(st, &en)) {
        /* an entry that may be half there: the journal is done with; the
         * checkpoint now carries this commit (and makes the journal moot) */
        exc_log(LOG_WARNING, "state: appending to %s failed (%s); writing %s instead",
                JOURNAL_FILE, strerror(errno), STATE_FILE);
        entry_free(&en);
        return exc_state_checkpoint(st, m, a, j, err);
    }
    remember_entry(st, m, a, &en);
    entry_free(&en);
    return true;
}
