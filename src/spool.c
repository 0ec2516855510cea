#define _GNU_SOURCE
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
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

static void prepare(exc_spool *sp)
{
    if (sp->ready)
        return;
    if (!ensure_dir(sp->dir) || !ensure_dir(sp->reports) || !ensure_dir(sp->events) ||
        !ensure_dir(sp->rejected))
        return;
    if (sp->inotify_fd >= 0) {
        /* IN_MOVED_TO: the rename that publishes a file; IN_CLOSE_WRITE for
         * writers that create the final name directly. */
        uint32_t mask = IN_MOVED_TO | IN_CLOSE_WRITE;
        sp->wd_reports = inotify_add_watch(sp->inotify_fd, sp->reports, mask);
        sp->wd_events = inotify_add_watch(sp->inotify_fd, sp->events, mask);
        if (sp->wd_reports < 0 || sp->wd_events < 0)
            exc_log(LOG_WARNING, "spool: inotify watch failed (%s); relying on rescans",
                    strerror(errno));
    }
    sp->ready = true;
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
    prepare(sp);
}

void exc_spool_close(exc_spool *sp)
{
    if (sp->inotify_fd >= 0)
        close(sp->inotify_fd);
    sp->inotify_fd = -1;
}

int exc_spool_fd(const exc_spool *sp) { return sp->inotify_fd; }

void exc_spool_drain(exc_spool *sp)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    if (sp->inotify_fd < 0)
        return;
    while (read(sp->inotify_fd, buf, sizeof buf) > 0)
        ;
}

/* Record the identity of a listed file (left 0 when it cannot be read). */
static void identify(exc_spool_entry *e)
{
    struct stat st;
    if (lstat(e->path, &st) != 0)
        return;
    e->ino = (uint64_t)st.st_ino;
    e->size = (uint64_t)st.st_size;
    e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
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

static int cmp_entry(const void *a, const void *b)
{
    const exc_spool_entry *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    return r ? r : x->kind - y->kind;
}

static void scan_dir(const char *dir, int kind, exc_spool_entry **out, size_t *n, size_t *cap,
                     bool *missing)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            *missing = true;   /* removed under us: recreated by the next scan */
        exc_log(LOG_ERR, "spool: cannot read %s: %s (will retry)", dir, strerror(errno));
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (strlen(de->d_name) >= sizeof(*out)->name)
            continue;
        if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *out = exc_realloc(*out, *cap * sizeof **out);
        }
        exc_spool_entry *e = &(*out)[(*n)++];
        e->kind = kind;
        snprintf(e->name, sizeof e->name, "%s", de->d_name);
        snprintf(e->path, sizeof e->path, "%s/%s", dir, de->d_name);
    }
    closedir(d);
}

size_t exc_spool_scan(exc_spool *sp, exc_spool_entry **out, size_t max)
{
    *out = NULL;
    prepare(sp);
    if (!sp->ready)
        return 0;
    size_t n = 0, cap = 0;
    bool missing = false;
    scan_dir(sp->reports, EXC_SPOOL_REPORT, out, &n, &cap, &missing);
    scan_dir(sp->events, EXC_SPOOL_EVENT, out, &n, &cap, &missing);
    if (missing)
        sp->ready = false;   /* prepare() recreates the directory and its watch */
    if (n > 1)
        qsort(*out, n, sizeof **out, cmp_entry);
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        identify(&(*out)[i]);
    return n;
}

static bool write_reason(const char *path, const char *reason)
{
    char tmp[EXC_PATH_BUF + 400];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return false;
    char line[1024];
    /* one line, whatever the reason text holds (and cut at a UTF-8 boundary) */
    size_t len = exc_utf8_copy(line, sizeof line - 1, reason);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = ' ';
    line[len++] = '\n';
    bool ok = write(fd, line, len) == (ssize_t)len;
    ok = close(fd) == 0 && ok;
    if (ok)
        ok = rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    return ok;
}

bool exc_spool_reject(exc_spool *sp, const exc_spool_entry *e, const char *reason)
{
    char dst[EXC_PATH_BUF + 300], rpath[EXC_PATH_BUF + 320];
    if (!same_file(e))
        return true;
    prepare(sp);
    snprintf(dst, sizeof dst, "%s/%s", sp->rejected, e->name);
    snprintf(rpath, sizeof rpath, "%s/%s.reason", sp->rejected, e->name);
    /* the reason first: a reader who sees the file in rejected/ finds why */
    bool ok = write_reason(rpath, reason);
    if (ok && rename(e->path, dst) != 0) {
        ok = errno == ENOENT;   /* already moved (replay after a crash) */
        if (!ok)
            exc_log(LOG_ERR, "spool: cannot move %s to %s: %s", e->path, dst, strerror(errno));
    }
    if (!ok) {
        exc_log(LOG_ERR, "spool: could not keep rejected %s; deleting it (%s)", e->path, reason);
        unlink(e->path);
    }
    return ok;
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
