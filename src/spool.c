#define _GNU_SOURCE
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static bool ensure_dir(const char *path)
{
    if (mkdir(path, 0750) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return true;
        exc_log(LOG_ERR, "spool: %s is not a directory", path);
        return false;
    }
    exc_log(LOG_ERR, "spool: cannot create %s: %s", path, strerror(errno));
    return false;
}

static void count_rejected(exc_spool *sp);

/* Watch one directory.  IN_MOVED_TO: the rename that publishes a file;
 * IN_CREATE, IN_MODIFY and IN_CLOSE_WRITE for writers that create the final
 * name directly (taken once closed and quiet); the directory itself going
 * away ends the watch (note_event). */
static void watch(exc_spool *sp, int kind)
{
    uint32_t mask = IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE_SELF |
                    IN_MOVE_SELF;
    if (kind == EXC_SPOOL_REPORT)
        sp->wd_reports = inotify_add_watch(sp->inotify_fd, sp->reports, mask);
    else
        sp->wd_events = inotify_add_watch(sp->inotify_fd, sp->events, mask);
}

static void prepare(exc_spool *sp)
{
    if (sp->ready)
        return;
    if (!ensure_dir(sp->dir) || !ensure_dir(sp->reports) || !ensure_dir(sp->events) ||
        !ensure_dir(sp->rejected))
        return;
    if (sp->inotify_fd >= 0) {
        watch(sp, EXC_SPOOL_REPORT);
        watch(sp, EXC_SPOOL_EVENT);
        if (sp->wd_reports < 0 || sp->wd_events < 0)
            exc_log(LOG_WARNING, "spool: inotify watch failed (%s); relying on rescans",
                    strerror(errno));
    }
    sp->ready = true;
    count_rejected(sp);
}

void exc_spool_open(exc_spool *sp, const char *dir)
{
    memset(sp, 0, sizeof *sp);
    snprintf(sp->dir, sizeof sp->dir, "%s", dir);
    snprintf(sp->reports, sizeof sp->reports, "%s/reports", dir);
    snprintf(sp->events, sizeof sp->events, "%s/events", dir);
    snprintf(sp->rejected, sizeof sp->rejected, "%s/rejected", dir);
    sp->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (sp->inotify_fd < 0)
        exc_log(LOG_WARNING, "spool: inotify unavailable (%s); relying on rescans",
                strerror(errno));
    sp->wd_reports = sp->wd_events = -1;
    sp->n_rejected = -1;
    prepare(sp);
}

void exc_spool_close(exc_spool *sp)
{
    if (sp->inotify_fd >= 0)
        close(sp->inotify_fd);
    sp->inotify_fd = -1;
    free(sp->seen);
    free(sp->seen_slot);
    sp->seen = NULL;
    sp->seen_slot = NULL;
    sp->n_seen = sp->cap_seen = 0;
}

int exc_spool_fd(const exc_spool *sp) { return sp->inotify_fd; }

static uint64_t name_hash(int kind, const char *name)
{
    uint64_t h = 0xCBF29CE484222325ull ^ (uint64_t)kind;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001B3ull;
    return h;
}

/* The seen records are found through an open-addressing index (linear
 * probing) of twice their bound: a batch of thousands of files looked up
 * one by one by a scan of all of them cost O(files^2) (issue 14). */
#define SEEN_MAX 4096u     /* beyond it, files fall back to the mtime rule */
#define SEEN_SLOTS 8192u   /* a power of two, twice SEEN_MAX */

static size_t home_slot(uint64_t h) { return (size_t)(h ^ (h >> 32)) & (SEEN_SLOTS - 1); }

/* The slot that holds position pos (it is in the index). */
static size_t slot_holding(const exc_spool *sp, size_t pos)
{
    size_t i = home_slot(sp->seen[pos].hash);
    while (sp->seen_slot[i] != pos + 1)
        i = (i + 1) & (SEEN_SLOTS - 1);
    return i;
}

static exc_spool_seen *seen_find(exc_spool *sp, int kind, const char *name, bool add)
{
    uint64_t h = name_hash(kind, name);
    if (!sp->seen_slot) {
        if (!add)
            return NULL;
        sp->seen_slot = exc_calloc(SEEN_SLOTS, sizeof *sp->seen_slot);
    }
    size_t i = home_slot(h);
    for (; sp->seen_slot[i] != 0; i = (i + 1) & (SEEN_SLOTS - 1)) {
        exc_spool_seen *s = &sp->seen[sp->seen_slot[i] - 1];
        if (s->hash == h && s->kind == kind && strcmp(s->name, name) == 0)
            return s;
    }
    if (!add || strlen(name) >= sizeof sp->seen->name || sp->n_seen >= SEEN_MAX)
        return NULL;
    if (sp->n_seen == sp->cap_seen) {
        sp->cap_seen = sp->cap_seen ? sp->cap_seen * 2 : 64;
        sp->seen = exc_realloc(sp->seen, sp->cap_seen * sizeof *sp->seen);
    }
    exc_spool_seen *s = &sp->seen[sp->n_seen++];
    memset(s, 0, sizeof *s);
    s->hash = h;
    s->kind = kind;
    snprintf(s->name, sizeof s->name, "%s", name);
    sp->seen_slot[i] = (uint32_t)sp->n_seen;
    return s;
}

/* Out of the index (backward-shift deletion: no tombstones), and the last
 * record moved into its place. */
static void seen_drop(exc_spool *sp, exc_spool_seen *s)
{
    size_t pos = (size_t)(s - sp->seen), i = slot_holding(sp, pos), j = i;
    for (;;) {
        j = (j + 1) & (SEEN_SLOTS - 1);
        if (sp->seen_slot[j] == 0)
            break;
        size_t k = home_slot(sp->seen[sp->seen_slot[j] - 1].hash);
        /* j's entry stays when its home lies cyclically in (i, j] */
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            sp->seen_slot[i] = sp->seen_slot[j];
            i = j;
        }
    }
    sp->seen_slot[i] = 0;
    size_t last = --sp->n_seen;
    if (pos != last) {
        sp->seen_slot[slot_holding(sp, last)] = (uint32_t)(pos + 1);
        *s = sp->seen[last];
    }
}

static void note_event(exc_spool *sp, const struct inotify_event *ev)
{
    int kind = ev->wd == sp->wd_reports ? EXC_SPOOL_REPORT
             : ev->wd == sp->wd_events  ? EXC_SPOOL_EVENT : 0;
    if (ev->mask & IN_Q_OVERFLOW) {   /* events lost: list the directories again */
        sp->tracked[EXC_SPOOL_REPORT] = sp->tracked[EXC_SPOOL_EVENT] = false;
        return;
    }
    if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        /* the directory went (or moved away): its watch is dead.  The
         * scans read the path again; one that finds it missing logs it and
         * prepare() creates and watches it again. */
        if (kind == EXC_SPOOL_REPORT)
            sp->wd_reports = -1;
        else if (kind == EXC_SPOOL_EVENT)
            sp->wd_events = -1;
        if (kind)
            sp->tracked[kind] = false;
        return;
    }
    /* (a directory made in it too: listed, and rejected with its type) */
    if (ev->len == 0 || ev->name[0] == '.' || kind == 0)
        return;
    exc_spool_seen *s = seen_find(sp, kind, ev->name, true);
    if (!s) {
        /* no record for it (the bound): the directory must be read; a name
         * too long for an entry is never listed anyway */
        if (strlen(ev->name) < sizeof sp->seen->name)
            sp->tracked[kind] = false;
        return;
    }
    if (ev->mask & IN_MOVED_TO) {
        s->moved = true;
        s->writing = false;
    } else if (ev->mask & (IN_CREATE | IN_MODIFY)) {
        s->moved = false;
        s->writing = true;
    } else if (ev->mask & IN_CLOSE_WRITE) {
        s->writing = false;
    }
    s->activity_ms = exc_now_ms();
}

void exc_spool_drain(exc_spool *sp)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    if (sp->inotify_fd < 0)
        return;
    ssize_t n;
    while ((n = read(sp->inotify_fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            note_event(sp, ev);
            p += sizeof *ev + ev->len;
        }
    }
}

int64_t exc_spool_next_ready(const exc_spool *sp) { return sp->next_ready_ms; }

const char *exc_spool_bad_type(const exc_spool_entry *e) { return exc_not_regular(e->mode); }

/* Record the identity of a listed file; false when it is gone. */
static bool identify(exc_spool_entry *e)
{
    struct stat st;
    if (lstat(e->path, &st) != 0)
        return errno != ENOENT;   /* left 0: unknown */
    e->ino = (uint64_t)st.st_ino;
    e->size = (uint64_t)st.st_size;
    e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    e->mode = (uint32_t)st.st_mode;
    return true;
}

/* False when the path now holds another file than the one the entry was
 * taken from (a collector published a new file under the same name). */
static bool same_file(const exc_spool_entry *e)
{
    struct stat st;
    if (e->ino == 0 || lstat(e->path, &st) != 0)
        return true;   /* identity unknown, or gone: nothing to protect */
    if ((uint64_t)st.st_ino == e->ino && (uint64_t)st.st_size == e->size &&
        (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec == e->mtime_ns)
        return true;
    exc_log(LOG_NOTICE, "spool: %s is a new file since it was taken; left for ingestion",
            e->path);
    return false;
}

/* The names a scan lists, small until taken: a batch of thousands of
 * pending files listed as whole entries (a path buffer each), sorted and
 * copied at every scan of BATCH files, cost O(files^2) (issue 14). */
typedef struct listed {
    int kind;
    size_t off;   /* of its name in the pool */
} listed;

typedef struct name_list {
    listed *v;
    size_t n, cap;
    char *pool;
    size_t used, room;
} name_list;

static void list_add(name_list *l, int kind, const char *name)
{
    size_t len = strlen(name) + 1;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = exc_realloc(l->v, l->cap * sizeof *l->v);
    }
    if (l->room - l->used < len) {
        while (l->room - l->used < len)
            l->room = l->room ? 2 * l->room : 4096;
        l->pool = exc_realloc(l->pool, l->room);
    }
    memcpy(l->pool + l->used, name, len);
    l->v[l->n++] = (listed){kind, l->used};
    l->used += len;
}

static const char *list_name(const name_list *l, size_t i) { return l->pool + l->v[i].off; }

static void list_free(name_list *l)
{
    free(l->v);
    free(l->pool);
    memset(l, 0, sizeof *l);
}

static int cmp_name_kind(const char *an, int ak, const char *bn, int bk)
{
    int r = strcmp(an, bn);
    return r ? r : ak - bk;
}

static int cmp_listed(const void *a, const void *b, void *arg)
{
    const name_list *l = arg;
    const listed *x = a, *y = b;
    return cmp_name_kind(l->pool + x->off, x->kind, l->pool + y->off, y->kind);
}

/* Is (kind, name) in the sorted list? */
static bool list_has(const name_list *l, int kind, const char *name)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = cmp_name_kind(list_name(l, mid), l->v[mid].kind, name, kind);
        if (r == 0)
            return true;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void set_entry(exc_spool_entry *e, int kind, const char *dir, const char *name)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    snprintf(e->name, sizeof e->name, "%s", name);
    snprintf(e->path, sizeof e->path, "%s/%s", dir, name);
}

/* Every non-dot entry, whatever its type (a non-regular one is rejected by
 * the engine with its type, never left in the spool unlogged). */
static bool scan_dir(const char *dir, int kind, name_list *l, bool *missing)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            *missing = true;   /* removed under us: recreated by the next scan */
        exc_log(LOG_ERR, "spool: cannot read %s: %s (will retry)", dir, strerror(errno));
        return false;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (strlen(de->d_name) >= sizeof((exc_spool_entry *)0)->name)
            continue;
        list_add(l, kind, de->d_name);
    }
    closedir(d);
    return true;
}

/* May the listed file be taken now?  A regular file renamed in: yes.  One
 * written in place: once closed and quiet for EXC_SPOOL_QUIET_MS (by the
 * inotify record, or by its mtime); *ready_at says when otherwise. */
static bool ready(exc_spool *sp, const exc_spool_entry *e, int64_t now, int64_t *ready_at)
{
    exc_spool_seen *s = seen_find(sp, e->kind, e->name, false);
    if (!S_ISREG((mode_t)e->mode))
        return true;   /* rejected with its type (its record goes with it) */
    if (s && s->moved)
        return true;   /* the record stays until the file is gone */
    int64_t mtime_ms = e->mtime_ns / 1000000, last = mtime_ms;
    if (s && s->activity_ms > last)
        last = s->activity_ms;
    bool open_writer = s && s->writing && now - last < EXC_SPOOL_WRITER_STUCK_MS;
    /* an mtime far in the future (a clock elsewhere) cannot be waited out */
    bool quiet = now - last >= EXC_SPOOL_QUIET_MS || mtime_ms > now + 60000;
    if (quiet && !open_writer) {
        if (s)
            s->moved = true;   /* ready from now on, until written again */
        return true;
    }
    int64_t at = open_writer ? now + EXC_SPOOL_QUIET_MS : last + EXC_SPOOL_QUIET_MS;
    if (*ready_at == 0 || at < *ready_at)
        *ready_at = at;
    return false;
}

/* With exc_verify_changes() (util.h): the directory read anyway, and a
 * file in it without a seen record is a miss of the tracking -- unless
 * inotify has events not read yet (one arrived since this scan drained
 * them: it is recorded at the next scan; the queue is filled in the
 * syscall that made the file, so an empty one means no event is coming). */
static void verify_tracked(exc_spool *sp, int kind, const char *dir)
{
    name_list all = {0};
    bool missing = false;
    (void)scan_dir(dir, kind, &all, &missing);
    for (size_t i = 0; i < all.n; i++) {
        int pending = 0;
        if (!seen_find(sp, kind, list_name(&all, i), false) &&
            (ioctl(sp->inotify_fd, FIONREAD, &pending) != 0 || pending == 0))
            exc_verify_failed("spool: a file arrived without an inotify record");
    }
    list_free(&all);
}

/* Still readable (an open, no read of its blocks)?  Otherwise it is read
 * anyway, which logs why and retries: its files are not taken meanwhile. */
static bool readable(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* The files of one directory: its seen records while tracked, else the
 * directory read (and every name in it recorded, so that the next scans
 * need not read it while inotify reports every arrival).  True when the
 * directory was read (or tried): only then can a record name a file that
 * is not listed. */
static bool list_kind(exc_spool *sp, int kind, const char *dir, name_list *l, bool *missing)
{
    if (sp->tracked[kind] && sp->inotify_fd >= 0 && readable(dir)) {
        for (size_t i = 0; i < sp->n_seen; i++)
            if (sp->seen[i].kind == kind)
                list_add(l, kind, sp->seen[i].name);
        if (exc_verify_changes())
            verify_tracked(sp, kind, dir);
        return false;
    }
    int *wd = kind == EXC_SPOOL_REPORT ? &sp->wd_reports : &sp->wd_events;
    if (sp->inotify_fd >= 0 && *wd < 0 && sp->ready)
        watch(sp, kind);   /* its directory was replaced: the new one, before it is read */
    size_t from = l->n;
    bool gone = false;
    bool read = scan_dir(dir, kind, l, &gone);
    bool all = read && sp->inotify_fd >= 0 && *wd >= 0;
    for (size_t i = from; all && i < l->n; i++)
        all = seen_find(sp, kind, list_name(l, i), true) != NULL;
    sp->tracked[kind] = all;
    *missing = *missing || gone;
    return true;
}

size_t exc_spool_scan(exc_spool *sp, exc_spool_entry **out, size_t max)
{
    *out = NULL;
    sp->next_ready_ms = 0;
    exc_spool_drain(sp);   /* what was renamed in, what is being written */
    prepare(sp);
    if (!sp->ready)
        return 0;
    name_list l = {0};
    bool missing = false, read[3] = {false, false, false};
    read[EXC_SPOOL_REPORT] = list_kind(sp, EXC_SPOOL_REPORT, sp->reports, &l, &missing);
    read[EXC_SPOOL_EVENT] = list_kind(sp, EXC_SPOOL_EVENT, sp->events, &l, &missing);
    if (missing)
        sp->ready = false;   /* prepare() recreates the directory and its watch */
    if (l.n > 1)
        qsort_r(l.v, l.n, sizeof *l.v, cmp_listed, &l);
    /* names seen through inotify that are gone (a writer deleted them),
     * in a directory that was read: a tracked one was listed from these
     * very records, and its gone files are found by identify() below */
    for (size_t i = sp->n_seen; !missing && i-- > 0;)
        if (read[sp->seen[i].kind] && !list_has(&l, sp->seen[i].kind, sp->seen[i].name))
            seen_drop(sp, &sp->seen[i]);
    int64_t now = exc_now_ms();
    size_t k = 0, cap = 0;
    for (size_t i = 0; i < l.n && k < max; i++) {
        int kind = l.v[i].kind;
        if (k == cap) {
            cap = cap ? 2 * cap : (l.n - i < max ? l.n - i : max);
            *out = exc_realloc(*out, cap * sizeof **out);
        }
        exc_spool_entry *e = &(*out)[k];
        set_entry(e, kind, kind == EXC_SPOOL_REPORT ? sp->reports : sp->events,
                  list_name(&l, i));
        if (!identify(e)) {   /* gone since listed (or taken: a record's) */
            exc_spool_seen *s = seen_find(sp, e->kind, e->name, false);
            if (s)
                seen_drop(sp, s);
            continue;
        }
        /* files are taken in name order: one still being written holds
         * back every later name (they would overtake it: stale reports) */
        if (!ready(sp, e, now, &sp->next_ready_ms))
            break;
        k++;
    }
    list_free(&l);
    if (k == 0) {
        free(*out);
        *out = NULL;
    }
    return k;
}

/* ---- rejected/ ---------------------------------------------------------- */

#define REASON_SUFFIX ".reason"
#define REASON_TMP ".exconn-reason"

static bool is_reason(const char *name)
{
    size_t n = strlen(name), s = sizeof REASON_SUFFIX - 1;
    return n > s && strcmp(name + n - s, REASON_SUFFIX) == 0;
}

/* Count the evidence in rejected/ (and remove our own temporaries that a
 * kill left behind). */
static void count_rejected(exc_spool *sp)
{
    DIR *d = opendir(sp->rejected);
    if (!d)
        return;
    long n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, REASON_TMP ".", sizeof REASON_TMP) == 0)
            unlinkat(dirfd(d), de->d_name, 0);
        else if (de->d_name[0] != '.' && !is_reason(de->d_name))
            n++;
    }
    closedir(d);
    sp->n_rejected = n;
}

typedef struct aged { int64_t t; char name[256]; } aged;

static int cmp_aged(const void *a, const void *b)
{
    const aged *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* Remove one rejected file and its reason; a directory only when empty. */
static void remove_evidence(int dfd, const char *name)
{
    char reason[300];
    if (unlinkat(dfd, name, 0) != 0 && errno == EISDIR)
        unlinkat(dfd, name, AT_REMOVEDIR);
    snprintf(reason, sizeof reason, "%s" REASON_SUFFIX, name);
    unlinkat(dfd, reason, 0);
}

/* Bound rejected/: the oldest (by the time they were rejected: their
 * reason's mtime, else their own) pruned down to 90% of the limit. */
static void prune_rejected(exc_spool *sp)
{
    DIR *d = opendir(sp->rejected);
    if (!d)
        return;
    size_t n = 0, cap = 0;
    aged *v = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || is_reason(de->d_name))
            continue;
        struct stat st;
        char reason[300];
        snprintf(reason, sizeof reason, "%s" REASON_SUFFIX, de->d_name);
        if (fstatat(dirfd(d), reason, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            v = exc_realloc(v, cap * sizeof *v);
        }
        v[n].t = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        snprintf(v[n].name, sizeof v[n].name, "%s", de->d_name);
        n++;
    }
    size_t keep = EXC_SPOOL_REJECTED_MAX - EXC_SPOOL_REJECTED_MAX / 10, gone = 0;
    if (n > keep) {
        qsort(v, n, sizeof *v, cmp_aged);
        for (; gone < n - keep; gone++)
            remove_evidence(dirfd(d), v[gone].name);
    }
    closedir(d);
    free(v);
    sp->n_rejected = (long)(n - gone);
    sp->pruned += gone;
    exc_log(LOG_NOTICE, "spool: %s held more than %d rejected files: pruned the %zu oldest "
            "(%llu since start)", sp->rejected, EXC_SPOOL_REJECTED_MAX, gone,
            (unsigned long long)sp->pruned);
}

/* The one-line reason, to a new temporary in rejected/ (O_EXCL: never an
 * existing name, never through a symlink).  Its name goes into tmp. */
static bool write_reason(const char *dir, const char *reason, char *tmp, size_t cap)
{
    int fd = exc_create_unique(dir, REASON_TMP, 0640, tmp, cap);
    if (fd < 0) {
        exc_log(LOG_ERR, "spool: cannot create a reason file in %s: %s", dir, strerror(errno));
        return false;
    }
    char line[1024];
    /* one line, whatever the reason text holds (and cut at a UTF-8 boundary) */
    size_t len = exc_utf8_one_line(line, sizeof line - 1, reason);
    line[len++] = '\n';
    bool ok = exc_write_all(fd, line, len);
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        exc_log(LOG_ERR, "spool: cannot write %s: %s", tmp, strerror(saved));
        unlink(tmp);
    }
    return ok;
}

/* rename without replacing an existing name (EEXIST) */
static int rename_new(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    struct stat st;   /* a file system without RENAME_NOREPLACE */
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

/* The name attempt k gives in rejected/: NAME itself (k = 0), else NAME~k;
 * cut (at a UTF-8 boundary) so that NAME.reason fits NAME_MAX.  False when
 * attempt 0 does not fit. */
static bool rejected_name(const char *name, unsigned k, char *out, size_t cap)
{
    char suffix[16] = "";
    if (k > 0)
        snprintf(suffix, sizeof suffix, "~%u", k);
    size_t room = NAME_MAX - (sizeof REASON_SUFFIX - 1) - strlen(suffix);
    if (k == 0 && strlen(name) > room)
        return false;
    char stem[NAME_MAX + 1];
    exc_utf8_copy(stem, room + 1 < sizeof stem ? room + 1 : sizeof stem, name);
    snprintf(out, cap, "%s%s", stem, suffix);
    return true;
}

/* Move the file to rejected/NAME (a name not taken yet), its reason to
 * NAME.reason first: a reader who sees the file in rejected/ finds why. */
static bool move_rejected(exc_spool *sp, const exc_spool_entry *e, const char *reason)
{
    char full[1600];
    bool cut = strlen(e->name) + sizeof REASON_SUFFIX - 1 > NAME_MAX;
    if (cut) {   /* the original name, kept in the reason */
        snprintf(full, sizeof full, "%s (file name shortened; it was %s)", reason, e->name);
        reason = full;
    }
    for (unsigned k = 0; k < 1000; k++) {
        char base[NAME_MAX + 1], dst[EXC_PATH_BUF + 300], rpath[EXC_PATH_BUF + 320];
        char tmp[EXC_PATH_BUF + 64];
        if (!rejected_name(e->name, k, base, sizeof base))
            continue;
        snprintf(dst, sizeof dst, "%s/%s", sp->rejected, base);
        snprintf(rpath, sizeof rpath, "%s/%s" REASON_SUFFIX, sp->rejected, base);
        struct stat st;
        if (lstat(dst, &st) == 0 || lstat(rpath, &st) == 0)
            continue;   /* evidence of an earlier file: kept */
        if (!write_reason(sp->rejected, reason, tmp, sizeof tmp))
            return false;
        if (rename_new(tmp, rpath) != 0) {
            unlink(tmp);
            if (errno == EEXIST)
                continue;
            exc_log(LOG_ERR, "spool: cannot create %s: %s", rpath, strerror(errno));
            return false;
        }
        if (rename_new(e->path, dst) == 0)
            return true;
        int saved = errno;
        unlink(rpath);
        if (saved == EEXIST)
            continue;
        if (saved == ENOENT)
            return true;   /* already moved (replay after a crash) */
        exc_log(LOG_ERR, "spool: cannot move %s to %s: %s", e->path, dst, strerror(saved));
        return false;
    }
    exc_log(LOG_ERR, "spool: no free name in %s for %s", sp->rejected, e->name);
    return false;
}

bool exc_spool_reject(exc_spool *sp, const exc_spool_entry *e, const char *reason)
{
    if (!same_file(e))
        return true;
    prepare(sp);
    if (sp->n_rejected < 0)
        count_rejected(sp);
    bool ok = move_rejected(sp, e, reason);
    if (!ok) {
        exc_log(LOG_ERR, "spool: could not keep rejected %s; deleting it (%s)", e->path, reason);
        if (unlink(e->path) != 0 && errno == EISDIR)
            rmdir(e->path);
        return false;
    }
    if (sp->n_rejected >= 0 && ++sp->n_rejected > EXC_SPOOL_REJECTED_MAX)
        prune_rejected(sp);
    return true;
}

bool exc_spool_remove(const exc_spool_entry *e)
{
    if (!same_file(e))
        return true;
    if (unlink(e->path) == 0 || errno == ENOENT)
        return true;
    exc_log(LOG_ERR, "spool: cannot delete %s: %s", e->path, strerror(errno));
    return false;
}
