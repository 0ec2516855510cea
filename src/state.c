/* The state directory's writer: checkpoints (the whole state, replaced
 * atomically) and commits (one journal entry of what changed: the servers
 * whose saved record changed, the alarm records that changed, the
 * dispositions).  Loading them is src/state_load.c. */
#define _GNU_SOURCE
#include "state.h"

#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "state_files.h"
#include "util.h"

void exc_dispositions_add(exc_dispositions *j, const exc_spool_entry *f, int action, const char *reason)
{
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 32;
        j->e = exc_realloc(j->e, j->cap * sizeof *j->e);
    }
    exc_disposition *e = &j->e[j->n++];
    memset(e, 0, sizeof *e);
    e->file = *f;
    e->action = action;
    exc_utf8_copy(e->reason, sizeof e->reason, reason ? reason : "");
}

void exc_dispositions_clear(exc_dispositions *j) { j->n = 0; }

void exc_dispositions_free(exc_dispositions *j)
{
    free(j->e);
    memset(j, 0, sizeof *j);
}

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


/* Performance (issue 14): slicing by 8 -- eight octets per step through
 * eight tables (table[k][i]: the CRC of octet i followed by k zero octets);
 * the octet-at-a-time loop was the largest single cost of a batch's
 * commits (the journal entry and the checkpoint are checksummed whole). */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++)
            crc_table[k][i] = (crc_table[k - 1][i] >> 8) ^ crc_table[0][crc_table[k - 1][i] & 0xFF];
}

/* CRC-32 (IEEE) by parts: c = exc_state_crc32_update(0xFFFFFFFF, ...) ... ^ 0xFFFFFFFF */
uint32_t exc_state_crc32_update(uint32_t c, const void *data, size_t len)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *p = data;
    for (; len >= 8; p += 8, len -= 8) {
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                           (uint32_t)p[3] << 24);
        c = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^
            crc_table[5][(lo >> 16) & 0xFF] ^ crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^
            crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
    }
    for (; len > 0; p++, len--)
        c = crc_table[0][(c ^ *p) & 0xFF] ^ (c >> 8);
    return c;
}

uint32_t exc_state_crc32_of(const void *data, size_t len)
{
    return exc_state_crc32_update(0xFFFFFFFFu, data, len) ^ 0xFFFFFFFFu;
}

static void fsync_dir(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* The checkpoint goes to its file through stdio, its CRC-32 computed on the
 * way (no copy of the whole state in memory). */
typedef struct ckp_out {
    int fd;
    uint32_t crc;
    bool failed;
    int err;
} ckp_out;

static ssize_t ckp_write(void *cookie, const char *buf, size_t len)
{
    ckp_out *o = cookie;
    o->crc = exc_state_crc32_update(o->crc, buf, len);
    if (!exc_write_all(o->fd, buf, len)) {
        o->failed = true;
        o->err = errno;
        return -1;
    }
    return (ssize_t)len;
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
    uint64_t h = EXC_SF_HASH_SEED;
    w->hash = &h;
    exc_model_save_server(s, w);
    w->hash = NULL;
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
    FILE *fp = fopencookie(&o, "w", (cookie_io_functions_t){.write = ckp_write});
    if (!fp) {
        close(o.fd);
        unlink(tmp);
        exc_err_set(err, 0, "cannot write %s: %s", tmp, strerror(errno));
        return false;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 16);
    exc_sf_writer w = {.fp = fp};
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
    if (fflush(fp) != 0)
        w.failed = true;
    exc_sf_begin(&w, "end");
    exc_sf_u64(&w, o.crc ^ 0xFFFFFFFFu);
    exc_sf_end(&w);
    bool ok = fclose(fp) == 0 && !w.failed && !o.failed;
    int saved = o.failed ? o.err : errno ? errno : EIO;
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

/* Performance (issue 14): serialising every alarm and history record to
 * find what changed cost more than the rest of a commit (docs/performance.md);
 * an unchanged alarm version (alarms.h) skips it. */
static void remember_servers(exc_state *st, const exc_model *m, const uint64_t *hashes)
{
    if (st->cap_srv < m->n_servers) {
        st->cap_srv = m->n_servers + m->n_servers / 4 + 16;
        st->srv = exc_realloc(st->srv, st->cap_srv * sizeof *st->srv);
    }
    for (size_t i = 0; i < m->n_servers; i++) {
        memcpy(st->srv[i].name, m->servers[i]->name, sizeof st->srv[i].name);
        st->srv[i].hash = hashes[i];
        st->srv[i].stamp = m->servers[i]->stamp;
    }
    st->n_srv = m->n_servers;
}

/* The alarm section cut in the groups the journal writes separately. */
typedef struct alarm_parts {
    char *text;                 /* exc_alarms_save's output; the groups point in */
    size_t len;
    struct span { size_t off, len; } aix, mat, out, hold, his;   /* his: the new ones */
    size_t n_alm;
    struct exc_state_alm *alm;  /* alm records: index, stamp, span */
    uint32_t his_max;
} alarm_parts;

static void parts_free(alarm_parts *p)
{
    free(p->text);
    free(p->alm);
    memset(p, 0, sizeof *p);
}

/* Records of one tag are contiguous in exc_alarms_save's output, except
 * hld/hdp which interleave: each group is one span. */
static void span_add(struct span *sp, size_t off, size_t len)
{
    if (sp->len == 0)
        sp->off = off;
    sp->len = off + len - sp->off;
}

/* Is alarm record now (index, stamp) the one written as was?  The stamp
 * moves with every change of the alarm (exc_alarms_touch); the check of
 * exc_verify_changes() compares the records' hashes too. */
static bool alarm_same(const struct exc_state_alm *was, const struct exc_state_alm *now)
{
    if (was->index != now->index || was->stamp != now->stamp)
        return false;
    if (exc_verify_changes() && was->hash != now->hash)
        exc_verify_failed("an alarm record changed without exc_alarms_touch");
    return true;
}

/* Is active alarm al one of the records st remembers, unchanged? */
static bool alarm_known(const struct exc_state_alm *prev, size_t n_prev, size_t *i,
                        const struct exc_state_alm *al)
{
    while (*i < n_prev && prev[*i].index < al->index)
        (*i)++;
    return *i < n_prev && alarm_same(&prev[*i], al);
}

/* What exc_alarms_save writes for a, but only the active alarms that are
 * not among the prev records (all when prev is NULL) and the history
 * records after his_done.  Performance (issue 14): a report on a server
 * with an alarm changes that alarm's count; serialising all of them at
 * every such commit made it cost the size of the estate.  Each alarm is
 * told changed or not by its stamp (alarms.h), not by reading it. */
static bool save_changed(const exc_alarms *a, uint32_t his_done, alarm_parts *p,
                         const struct exc_state_alm *prev, size_t n_prev, exc_sf_writer *w)
{
    exc_alarms view = *a;
    /* not zeroed: only the changed records are written into it (a zeroed
     * copy of every record cost 720 KB a commit at 900 alarms) */
    view.active = exc_realloc(NULL, (a->n_active ? a->n_active : 1) * sizeof *view.active);
    view.n_active = 0;
    size_t k = 0;
    for (size_t i = 0; i < a->n_active; i++)
        if (!prev || !alarm_known(prev, n_prev, &k, &p->alm[i]))
            view.active[view.n_active++] = a->active[i];
    /* the history records after his_done: a suffix, unless indexes wrapped */
    size_t from = a->n_history;
    while (from > 0 && a->history[from - 1].index > his_done)
        from--;
    bool suffix = true;
    for (size_t i = 0; i < from && suffix; i++)
        suffix = a->history[i].index <= his_done;
    if (suffix) {
        view.history = a->history ? a->history + from : NULL;
        view.n_history = a->n_history - from;
    }
    exc_alarms_save(&view, w);
    free(view.active);
    return true;
}

static bool alarm_parts_of(const exc_alarms *a, uint32_t his_done, alarm_parts *p,
                           const struct exc_state_alm *prev, size_t n_prev)
{
    memset(p, 0, sizeof *p);
    p->alm = exc_calloc(a->n_active ? a->n_active : 1, sizeof *p->alm);
    p->n_alm = a->n_active;
    for (size_t i = 0; i < a->n_active; i++) {
        p->alm[i].index = a->active[i].index;
        p->alm[i].stamp = a->active[i].stamp;
        if (exc_verify_changes())
            p->alm[i].hash = exc_alarm_hash(&a->active[i]);
    }
    FILE *fp = open_memstream(&p->text, &p->len);
    if (!fp) {
        parts_free(p);
        return false;
    }
    exc_sf_writer w = {.fp = fp};
    save_changed(a, his_done, p, prev, n_prev, &w);
    if (fclose(fp) != 0 || w.failed) {
        parts_free(p);
        return false;
    }
    p->his_max = his_done;
    size_t his_start = 0, his_end = 0, k = 0;
    for (size_t off = 0; off < p->len;) {
        const char *line = p->text + off;
        const char *nl = memchr(line, '\n', p->len - off);
        size_t n = nl ? (size_t)(nl - line + 1) : p->len - off;
        if (strncmp(line, "aix ", 4) == 0) {
            span_add(&p->aix, off, n);
        } else if (strncmp(line, "mat ", 4) == 0) {
            span_add(&p->mat, off, n);
        } else if (strncmp(line, "out ", 4) == 0) {
            span_add(&p->out, off, n);
        } else if (strncmp(line, "hld ", 4) == 0 || strncmp(line, "hdp ", 4) == 0) {
            span_add(&p->hold, off, n);
        } else if (strncmp(line, "alm ", 4) == 0) {
            /* the changed ones, in the order of p->alm */
            uint32_t idx = (uint32_t)strtoul(line + 4, NULL, 10);
            while (k < p->n_alm && p->alm[k].index != idx)
                k++;
            if (k == p->n_alm) {
                parts_free(p);
                return false;
            }
            p->alm[k].off = off;
            p->alm[k++].len = n;
        } else if (strncmp(line, "his ", 4) == 0) {
            uint32_t idx = (uint32_t)strtoul(line + 4, NULL, 10);
            if (idx > his_done) {
                if (his_end == 0)
                    his_start = off;
                his_end = off + n;
                if (idx > p->his_max)
                    p->his_max = idx;
            }
        } else {
            /* a record this code cannot diff: the commit writes a checkpoint */
            parts_free(p);
            return false;
        }
        off += n;
    }
    p->his.off = his_start;
    p->his.len = his_end > his_start ? his_end - his_start : 0;
    return true;
}

static bool span_same(const alarm_parts *p, struct span sp, const char *prev, size_t prev_len)
{
    return sp.len == prev_len && (prev_len == 0 || memcmp(p->text + sp.off, prev, prev_len) == 0);
}

static void keep_span(char **dst, size_t *dst_len, const alarm_parts *p, struct span sp)
{
    free(*dst);
    *dst = NULL;
    *dst_len = sp.len;
    if (sp.len) {
        *dst = exc_calloc(1, sp.len);
        memcpy(*dst, p->text + sp.off, sp.len);
    }
}

/* What the journal compares the next commit's alarms with. */
static void remember_alarms(exc_state *st, alarm_parts *p)
{
    keep_span(&st->mat, &st->mat_len, p, p->mat);
    keep_span(&st->out, &st->out_len, p, p->out);
    keep_span(&st->hold, &st->hold_len, p, p->hold);
    free(st->alm);
    st->alm = p->alm;   /* taken over */
    st->n_alm = p->n_alm;
    p->alm = NULL;
    p->n_alm = 0;
    st->his_done = p->his_max;
}

static void forget_alarms(exc_state *st)
{
    free(st->mat);
    free(st->out);
    free(st->hold);
    free(st->alm);
    st->mat = st->out = st->hold = NULL;
    st->alm = NULL;
    st->mat_len = st->out_len = st->hold_len = st->n_alm = 0;
    st->his_done = 0;
}

static void put_span(exc_sf_writer *w, const alarm_parts *p, struct span sp)
{
    if (sp.len && !w->failed && fwrite(p->text + sp.off, 1, sp.len, w->fp) != sp.len)
        w->failed = true;
}

/* A group of records (matches, outbox, hold-down) written whole, after a
 * reset of the group, when it is not what was last written. */
static void put_group(exc_sf_writer *w, const alarm_parts *p, struct span sp, const char *was,
                      size_t was_len, const char *group)
{
    if (span_same(p, sp, was, was_len))
        return;
    exc_sf_begin(w, "rst");
    exc_sf_str(w, group);
    exc_sf_end(w);
    put_span(w, p, sp);
}

static void put_almdel(exc_sf_writer *w, uint64_t index)
{
    exc_sf_begin(w, "almdel");
    exc_sf_u64(w, index);
    exc_sf_end(w);
}

/* Write the alarm records that changed since st remembered them. */
static void write_alarm_delta(exc_sf_writer *w, const exc_state *st, const alarm_parts *p)
{
    put_span(w, p, p->aix);
    put_group(w, p, p->mat, st->mat, st->mat_len, "mat");
    /* active alarms by index (both lists ascending): gone or changed first */
    size_t i = 0, k = 0;
    while (i < st->n_alm || k < p->n_alm) {
        if (k == p->n_alm || (i < st->n_alm && st->alm[i].index < p->alm[k].index)) {
            put_almdel(w, st->alm[i++].index);
        } else if (i == st->n_alm || p->alm[k].index < st->alm[i].index) {
            k++;
        } else {
            if (!alarm_same(&st->alm[i], &p->alm[k]))
                put_almdel(w, st->alm[i].index);
            i++;
            k++;
        }
    }
    i = 0;
    for (k = 0; k < p->n_alm; k++) {
        while (i < st->n_alm && st->alm[i].index < p->alm[k].index)
            i++;
        bool same = i < st->n_alm && alarm_same(&st->alm[i], &p->alm[k]);
        if (!same) {
            struct span sp = {p->alm[k].off, p->alm[k].len};
            put_span(w, p, sp);
        }
    }
    put_span(w, p, p->his);
    put_group(w, p, p->out, st->out, st->out_len, "out");
    put_group(w, p, p->hold, st->hold, st->hold_len, "hold");
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
    forget_alarms(st);
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
    remember_servers(st, m, hashes);
    free(hashes);
    st->touch_token = exc_model_take_touched(m, EXC_TOUCH_STATE);
    forget_alarms(st);
    st->alarm_version_ok = false;
    alarm_parts p;
    if (!alarm_parts_of(a, 0, &p, NULL, 0))
        return true;   /* no journal (the next commit checkpoints again) */
    remember_alarms(st, &p);
    parts_free(&p);
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
    long mark = ftell(w->fp);
    if (was)
        write_drop(w, s->name);
    uint64_t h = save_server_hashed(w, s);
    if (was && was->hash == h && mark >= 0 && fseek(w->fp, mark, SEEK_SET) != 0)
        w->failed = true;
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
        FILE *fp = open_memstream(&b[k], &len[k]);
        if (!fp)
            exc_verify_failed("open_memstream");
        exc_sf_writer w = {.fp = fp};
        if (k == 0)
            ok = write_touched_servers(&w, st, m, pos, h, &n);
        else
            write_all_servers(&w, st, m, all, &same_set);
        fclose(fp);
    }
    if (ok && (len[0] != len[1] || memcmp(b[0], b[1], len[0]) != 0))
        exc_verify_failed("a server changed without exc_model_touch (journal)");
    free(b[0]);
    free(b[1]);
    free(pos);
    free(h);
    free(all);
}

bool exc_state_commit(exc_state *st, exc_model *m, const exc_alarms *a,
                      const exc_dispositions *j, exc_err *err)
{
    if (st->jfd < 0 || !checkpoint_intact(st))
        return exc_state_checkpoint(st, m, a, j, err);

    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return exc_state_checkpoint(st, m, a, j, err);
    exc_sf_writer w = {.fp = fp};
    exc_model_save_counters(m, &w);
    /* the servers: the touched ones (fast), or a walk of all (fast false) */
    bool same_set = false, fast = exc_model_touched_since(m, EXC_TOUCH_STATE, st->touch_token) &&
                                  m->n_servers == st->n_srv;
    size_t n_hash = fast ? m->touched[EXC_TOUCH_STATE].n : m->n_servers, n_touched = 0;
    uint64_t *hashes = exc_calloc(n_hash ? n_hash : 1, sizeof *hashes);
    size_t *pos = fast ? exc_calloc(n_hash ? n_hash : 1, sizeof *pos) : NULL;
    if (fast && exc_verify_changes())
        verify_touched(st, m);
    if (fast)
        fast = write_touched_servers(&w, st, m, pos, hashes, &n_touched);
    if (!fast) {
        if (n_hash < m->n_servers)
            hashes = exc_realloc(hashes, (m->n_servers ? m->n_servers : 1) * sizeof *hashes);
        write_all_servers(&w, st, m, hashes, &same_set);
    }
    /* alarms: the records that changed (none when the version is the last
     * commit's) */
    bool alarms_same = st->alarm_version_ok && st->alarm_version == a->version;
    if (alarms_same && exc_verify_changes() && st->alarm_fp != exc_alarms_fingerprint(a))
        exc_verify_failed("the alarm state changed without exc_alarms_touch");
    alarm_parts p;
    memset(&p, 0, sizeof p);
    bool alarms_ok = alarms_same || alarm_parts_of(a, st->his_done, &p, st->alm, st->n_alm);
    if (alarms_ok && !alarms_same)
        write_alarm_delta(&w, st, &p);
    save_jrn(&w, j);
    bool built = !w.failed && fclose(fp) == 0 && alarms_ok;
    uint64_t limit = st->ckp_bytes * 2 > JOURNAL_MIN_LIMIT ? st->ckp_bytes * 2 : JOURNAL_MIN_LIMIT;
    if (!built || st->jrn_bytes + len > limit) {
        /* cannot build the entry, or the journal has grown enough: fold */
        free(buf);
        if (alarms_ok)
            parts_free(&p);
        free(hashes);
        free(pos);
        return exc_state_checkpoint(st, m, a, j, err);
    }

    char head[96];
    int hn = snprintf(head, sizeof head, "commit %llu %zu %08lx\n",
                      (unsigned long long)st->entries + 1, len,
                      (unsigned long)exc_state_crc32_of(buf, len));
    struct iovec iov[2] = {{head, (size_t)hn}, {buf, len}};
    errno = 0;
    ssize_t wrote = writev(st->jfd, iov, 2);
    bool ok = wrote == (ssize_t)(hn + len) && fdatasync(st->jfd) == 0;
    if (!ok && wrote >= 0 && wrote < (ssize_t)(hn + len))
        errno = ENOSPC;   /* a short write: the disk is full (errno is not set) */
    free(buf);
    if (!ok) {
        /* an entry that may be half there: the journal is done with; the
         * checkpoint now carries this commit (and makes the journal moot) */
        exc_log(LOG_WARNING, "state: appending to %s failed (%s); writing %s instead",
                JOURNAL_FILE, strerror(errno), STATE_FILE);
        parts_free(&p);
        free(hashes);
        free(pos);
        return exc_state_checkpoint(st, m, a, j, err);
    }
    st->jrn_bytes += (uint64_t)hn + len;
    st->entries++;
    if (!alarms_same) {
        remember_alarms(st, &p);
        parts_free(&p);
        st->alarm_version = a->version;
        st->alarm_version_ok = true;
        if (exc_verify_changes())
            st->alarm_fp = exc_alarms_fingerprint(a);
    }
    /* the hashes just computed are the remembered ones now */
    if (fast) {
        for (size_t i = 0; i < n_touched; i++) {
            st->srv[pos[i]].hash = hashes[i];
            st->srv[pos[i]].stamp = m->servers[pos[i]]->stamp;
        }
    } else {
        if (st->cap_srv < m->n_servers) {
            st->cap_srv = m->n_servers + m->n_servers / 4 + 16;
            st->srv = exc_realloc(st->srv, st->cap_srv * sizeof *st->srv);
        }
        for (size_t i = 0; i < m->n_servers; i++) {
            if (!same_set)
                memcpy(st->srv[i].name, m->servers[i]->name, sizeof st->srv[i].name);
            st->srv[i].hash = hashes[i];
            st->srv[i].stamp = m->servers[i]->stamp;
        }
        st->n_srv = m->n_servers;
    }
    st->touch_token = exc_model_take_touched(m, EXC_TOUCH_STATE);
    free(hashes);
    free(pos);
    return true;
}
