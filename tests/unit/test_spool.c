/* Unit tests of the spool directory (spool.c, SPEC §3 "Inputs: the spool"):
 * subdirectories created (also when removed later), dot-files and
 * non-files ignored, name order across reports/ and events/, the inotify
 * wake-up on a rename, rejected/ with a one-line NAME.reason, deletes. */
#include "fsutil.h"

#include <poll.h>
#include <time.h>

#include "cu_main.h"
#include "event.h"
#include "report.h"
#include "log.h"
#include "spool.h"
#include "util.h"

static char top[1024];   /* per-test scratch directory */

static void setup_dir(void)
{
    CU_ASSERT_FATAL(fs_mkdtemp(top, sizeof top, "spool"));
}

static void teardown_dir(void)
{
    fs_rm_rf(top);
    top[0] = '\0';
}

static void put(const char *sub, const char *name, const char *text)
{
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/spool/%s", top, sub);
    CU_ASSERT_FATAL(fs_publish(dir, name, text, strlen(text)));
}

static void path_of(char *buf, size_t cap, const char *sub, const char *name)
{
    snprintf(buf, cap, "%s/spool/%s/%s", top, sub, name);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- tests ---- */

/* A new scratch directory with a spool opened in it (top/spool). */
static void open_new(exc_spool *sp)
{
    setup_dir();
    char spool[1200];
    snprintf(spool, sizeof spool, "%s/spool", top);
    exc_spool_open(sp, spool);
}


static void test_open_creates_dirs(void)
{
    setup_dir();
    char spool[1200], p[1300];
    snprintf(spool, sizeof spool, "%s/spool", top);   /* does not exist yet */
    exc_spool sp;
    exc_spool_open(&sp, spool);
    CU_ASSERT_TRUE(sp.ready);
    for (const char *const *d = (const char *const[]){"reports", "events", "rejected", NULL}; *d;
         d++) {
        snprintf(p, sizeof p, "%s/%s", spool, *d);
        CU_ASSERT_TRUE(is_dir(p));
    }
    CU_ASSERT_TRUE(exc_spool_fd(&sp) >= 0);

    /* removed while running: the next scan recreates it (and keeps going) */
    snprintf(p, sizeof p, "%s/events", spool);
    CU_ASSERT_EQUAL_FATAL(rmdir(p), 0);
    exc_spool_entry *files = NULL;
    size_t n = exc_spool_scan(&sp, &files, 100);   /* notices the hole */
    free(files);
    CU_ASSERT_EQUAL(n, 0);
    n = exc_spool_scan(&sp, &files, 100);
    free(files);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_TRUE(is_dir(p));
    put("events", "late.xml", "<x/>");
    n = exc_spool_scan(&sp, &files, 100);
    CU_ASSERT_EQUAL(n, 1);
    if (n == 1)
        CU_ASSERT_STRING_EQUAL(files[0].name, "late.xml");
    free(files);
    exc_spool_close(&sp);
    teardown_dir();
}

static void test_open_on_a_file_is_not_fatal(void)
{
    setup_dir();
    char spool[1200];
    snprintf(spool, sizeof spool, "%s/spool", top);
    CU_ASSERT_FATAL(fs_write_str(spool, "not a directory"));
    exc_spool sp;
    exc_spool_open(&sp, spool);   /* logged, never fatal */
    CU_ASSERT_FALSE(sp.ready);
    exc_spool_entry *files = NULL;
    CU_ASSERT_EQUAL(exc_spool_scan(&sp, &files, 10), 0);
    free(files);
    /* the problem goes away: the next scan prepares the spool */
    CU_ASSERT_EQUAL_FATAL(unlink(spool), 0);
    CU_ASSERT_EQUAL(exc_spool_scan(&sp, &files, 10), 0);
    free(files);
    CU_ASSERT_TRUE(sp.ready);
    CU_ASSERT_TRUE(fs_exists(spool));
    exc_spool_close(&sp);
    teardown_dir();
}

static void test_scan_order_and_ignored(void)
{
    char p[1300];
    exc_spool sp;
    open_new(&sp);
    put("reports", "20261122-0002.xml", "r2");
    put("events", "20261122-0001.xml", "e1");
    put("reports", "20261122-0003.xml", "r3");
    put("events", "20261122-0003.xml", "e3");   /* same name: reports first */
    put("reports", "20261122-0001b.xml", "r1b");
    put("events", "20261122-0004.xml", "e4");
    /* ignored: dot-files (a writer's temporary) and anything in rejected/;
     * a sub-directory is listed with its type (the engine rejects it) */
    path_of(p, sizeof p, "reports", ".20261122-0000.xml.tmp");
    CU_ASSERT_FATAL(fs_write_str(p, "partial"));
    path_of(p, sizeof p, "events", ".hidden");
    CU_ASSERT_FATAL(fs_write_str(p, "x"));
    path_of(p, sizeof p, "reports", "a-directory.xml");
    CU_ASSERT_FATAL(mkdir(p, 0755) == 0);
    path_of(p, sizeof p, "rejected", "00-old.xml");
    CU_ASSERT_FATAL(fs_write_str(p, "x"));

    exc_spool_entry *f = NULL;
    size_t n = exc_spool_scan(&sp, &f, 100);
    static const struct { int kind; const char *name; } want[] = {
        {EXC_SPOOL_EVENT, "20261122-0001.xml"},  {EXC_SPOOL_REPORT, "20261122-0001b.xml"},
        {EXC_SPOOL_REPORT, "20261122-0002.xml"}, {EXC_SPOOL_REPORT, "20261122-0003.xml"},
        {EXC_SPOOL_EVENT, "20261122-0003.xml"},  {EXC_SPOOL_EVENT, "20261122-0004.xml"},
        {EXC_SPOOL_REPORT, "a-directory.xml"},
    };
    CU_ASSERT_EQUAL_FATAL(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(f[i].kind, want[i].kind);
        CU_ASSERT_STRING_EQUAL(f[i].name, want[i].name);
        char expect[1300];
        path_of(expect, sizeof expect, want[i].kind == EXC_SPOOL_REPORT ? "reports" : "events",
                want[i].name);
        CU_ASSERT_STRING_EQUAL(f[i].path, expect);
        if (i + 1 < n)
            CU_ASSERT_PTR_NULL(exc_spool_bad_type(&f[i]));
    }
    CU_ASSERT_STRING_EQUAL(exc_spool_bad_type(&f[n - 1]), "not a regular file: a directory");
    free(f);

    /* a batch limit keeps the first ones in name order */
    n = exc_spool_scan(&sp, &f, 2);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(f[0].name, "20261122-0001.xml");
    CU_ASSERT_STRING_EQUAL(f[1].name, "20261122-0001b.xml");
    free(f);
    exc_spool_close(&sp);
    teardown_dir();
}

static bool readable_within(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static void test_inotify_wakeup(void)
{
    exc_spool sp;
    open_new(&sp);
    int fd = exc_spool_fd(&sp);
    CU_ASSERT_FATAL(fd >= 0);
    exc_spool_drain(&sp);
    CU_ASSERT_FALSE(readable_within(fd, 0));
    put("reports", "r.xml", "<x/>");   /* write .r.xml.tmp, rename */
    CU_ASSERT_TRUE(readable_within(fd, 1000));
    exc_spool_drain(&sp);
    CU_ASSERT_FALSE(readable_within(fd, 0));
    put("events", "e.xml", "<x/>");
    CU_ASSERT_TRUE(readable_within(fd, 1000));
    exc_spool_drain(&sp);
    exc_spool_close(&sp);
    CU_ASSERT_EQUAL(exc_spool_fd(&sp), -1);
    teardown_dir();
}

static void test_reject_and_remove(void)
{
    char p[1300];
    exc_spool sp;
    open_new(&sp);
    put("reports", "bad.xml", "<exchangeStatus");
    put("events", "good.xml", "<Event/>");
    exc_spool_entry *f = NULL;
    size_t n = exc_spool_scan(&sp, &f, 10);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL_FATAL(f[0].name, "bad.xml");

    /* a reason with line breaks in it still makes a one-line .reason */
    CU_ASSERT_TRUE(exc_spool_reject(&sp, &f[0], "line 1: malformed XML:\nsomething\r\nelse"));
    path_of(p, sizeof p, "reports", "bad.xml");
    CU_ASSERT_FALSE(fs_exists(p));
    path_of(p, sizeof p, "rejected", "bad.xml");
    char *moved = fs_read(p, NULL);
    CU_ASSERT_PTR_NOT_NULL(moved);
    if (moved)
        CU_ASSERT_STRING_EQUAL(moved, "<exchangeStatus");   /* moved as it was */
    free(moved);
    path_of(p, sizeof p, "rejected", "bad.xml.reason");
    char *reason = fs_read(p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reason);
    CU_ASSERT_STRING_EQUAL(reason, "line 1: malformed XML: something  else\n");
    CU_ASSERT_EQUAL(fs_count_lines(reason), 1);
    free(reason);
    /* no temporary left behind */
    path_of(p, sizeof p, "rejected", "");
    CU_ASSERT_EQUAL(fs_count_entries(p), 2);

    /* replaying the same rejection (crash after the move) is fine */
    CU_ASSERT_TRUE(exc_spool_reject(&sp, &f[0], "line 1: malformed XML"));
    path_of(p, sizeof p, "rejected", "bad.xml");
    CU_ASSERT_TRUE(fs_exists(p));

    /* a very long reason is cut, still one line */
    char longr[3000];
    memset(longr, 'x', sizeof longr - 1);
    longr[sizeof longr - 1] = '\0';
    put("reports", "long.xml", "x");
    exc_spool_entry le = {.kind = EXC_SPOOL_REPORT};
    snprintf(le.name, sizeof le.name, "long.xml");
    path_of(le.path, sizeof le.path, "reports", "long.xml");
    CU_ASSERT_TRUE(exc_spool_reject(&sp, &le, longr));
    path_of(p, sizeof p, "rejected", "long.xml.reason");
    reason = fs_read(p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reason);
    CU_ASSERT_EQUAL(fs_count_lines(reason), 1);
    CU_ASSERT_TRUE(strlen(reason) > 100 && strlen(reason) < 1024);
    CU_ASSERT_EQUAL(reason[strlen(reason) - 1], '\n');
    free(reason);

    /* remove: deletes, and a file already gone is not an error */
    CU_ASSERT_TRUE(exc_spool_remove(&f[1]));
    CU_ASSERT_FALSE(fs_exists(f[1].path));
    CU_ASSERT_TRUE(exc_spool_remove(&f[1]));
    free(f);
    n = exc_spool_scan(&sp, &f, 10);
    free(f);
    CU_ASSERT_EQUAL(n, 0);
    exc_spool_close(&sp);
    teardown_dir();
}

/* one scan: the entry of that name, copied out (false when not listed) */
static bool listed(exc_spool *sp, const char *name, exc_spool_entry *out)
{
    exc_spool_entry *f = NULL;
    size_t n = exc_spool_scan(sp, &f, 1000);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
        if (strcmp(f[i].name, name) == 0) {
            *out = f[i];
            found = true;
        }
    free(f);
    return found;
}

/* issue 9.4: FIFOs, symlinks, sockets and directories named *.xml are
 * listed with their type (to be rejected, counted, logged), never left in
 * the spool; and a FIFO swapped in after the scan never blocks the open. */
static void test_non_regular(void)
{
    char p[1300];
    exc_spool sp;
    open_new(&sp);
    path_of(p, sizeof p, "reports", "fifo.xml");
    CU_ASSERT_FATAL(mkfifo(p, 0600) == 0);
    path_of(p, sizeof p, "reports", "link.xml");
    CU_ASSERT_FATAL(symlink("/etc/passwd", p) == 0);
    path_of(p, sizeof p, "events", "dir.xml");
    CU_ASSERT_FATAL(mkdir(p, 0700) == 0);
    exc_spool_entry e;
    CU_ASSERT_TRUE_FATAL(listed(&sp, "fifo.xml", &e));
    CU_ASSERT_STRING_EQUAL(exc_spool_bad_type(&e), "not a regular file: a FIFO");
    CU_ASSERT_TRUE(exc_spool_reject(&sp, &e, exc_spool_bad_type(&e)));
    CU_ASSERT_TRUE_FATAL(listed(&sp, "link.xml", &e));
    CU_ASSERT_STRING_EQUAL(exc_spool_bad_type(&e), "not a regular file: a symbolic link");
    CU_ASSERT_TRUE(exc_spool_reject(&sp, &e, exc_spool_bad_type(&e)));
    CU_ASSERT_TRUE_FATAL(listed(&sp, "dir.xml", &e));
    CU_ASSERT_STRING_EQUAL(exc_spool_bad_type(&e), "not a regular file: a directory");
    CU_ASSERT_TRUE(exc_spool_reject(&sp, &e, exc_spool_bad_type(&e)));
    path_of(p, sizeof p, "rejected", "fifo.xml.reason");
    char *r = fs_read(p, NULL);
    CU_ASSERT_STRING_EQUAL(r, "not a regular file: a FIFO\n");
    free(r);
    CU_ASSERT_EQUAL(fs_count_entries(sp.reports) + fs_count_entries(sp.events), 0);
    CU_ASSERT_EQUAL(fs_count_entries(sp.rejected), 6);

    /* listed as a regular file, then a FIFO renamed over it: the parser's
     * open does not block (no writer will ever come) */
    put("reports", "swap.xml", "<exchangeStatus/>");
    CU_ASSERT_TRUE_FATAL(listed(&sp, "swap.xml", &e));
    CU_ASSERT_PTR_NULL(exc_spool_bad_type(&e));
    char tmp[1300];
    path_of(tmp, sizeof tmp, "reports", ".swap.fifo");
    CU_ASSERT_FATAL(mkfifo(tmp, 0600) == 0 && rename(tmp, e.path) == 0);
    int64_t t0 = exc_mono_ms();
    exc_report rep;
    exc_err err = {0};
    CU_ASSERT_FALSE(exc_report_parse_file(e.path, 0, &rep, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "not a regular file: a FIFO");
    exc_event_batch b;
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_events_parse_file(e.path, 0, &b, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "not a regular file: a FIFO");
    CU_ASSERT_TRUE(exc_mono_ms() - t0 < 5000);
    /* a symlink swapped in: not followed */
    CU_ASSERT_FATAL(unlink(e.path) == 0 && symlink("/etc/passwd", e.path) == 0);
    exc_err_clear(&err);
    CU_ASSERT_FALSE(exc_report_parse_file(e.path, 0, &rep, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "not a regular file: a symbolic link");
    exc_spool_close(&sp);
    teardown_dir();
}

/* reject one entry listed as NAME in reports/ with this text */
static void reject_one(exc_spool *sp, const char *name, const char *text, const char *why)
{
    put("reports", name, text);
    exc_spool_entry e;
    CU_ASSERT_TRUE_FATAL(listed(sp, name, &e));
    CU_ASSERT_TRUE(exc_spool_reject(sp, &e, why));
}

static char *read_in(const char *sub, const char *name)
{
    char p[1600];
    path_of(p, sizeof p, sub, name);
    return fs_read(p, NULL);
}

/* issue 9.11 and 9.5: rejected evidence is kept (a second file of the same
 * name gets a suffix), a name too long for NAME.reason is shortened, a
 * planted symlink is never written through, and rejected/ is bounded. */
static void test_rejected_evidence(void)
{
    setup_dir();
    char spool[1200], p[1300], target[1300];
    snprintf(spool, sizeof spool, "%s/spool", top);
    exc_spool sp;
    exc_spool_open(&sp, spool);
    reject_one(&sp, "same.xml", "first", "reason one");
    reject_one(&sp, "same.xml", "second", "reason two");
    char *a = read_in("rejected", "same.xml"), *ar = read_in("rejected", "same.xml.reason");
    char *b = read_in("rejected", "same.xml~1"), *br = read_in("rejected", "same.xml~1.reason");
    CU_ASSERT_TRUE(a && ar && b && br);
    if (a && ar && b && br) {
        CU_ASSERT_STRING_EQUAL(a, "first");
        CU_ASSERT_STRING_EQUAL(ar, "reason one\n");
        CU_ASSERT_STRING_EQUAL(b, "second");
        CU_ASSERT_STRING_EQUAL(br, "reason two\n");
    }
    free(a), free(ar), free(b), free(br);

    /* 250 characters: NAME.reason would exceed NAME_MAX */
    char longname[251];
    memset(longname, 'x', 246);
    strcpy(longname + 246, ".xml");
    reject_one(&sp, longname, "long", "too long");
    CU_ASSERT_EQUAL(fs_count_entries(sp.rejected), 6);
    char stem[300];
    snprintf(stem, sizeof stem, "%.246s~1", longname);
    a = read_in("rejected", stem);
    CU_ASSERT_PTR_NOT_NULL(a);
    if (a)
        CU_ASSERT_STRING_EQUAL(a, "long");
    free(a);
    snprintf(stem + strlen(stem), sizeof stem - strlen(stem), ".reason");
    CU_ASSERT_EQUAL(strlen(stem), 255);
    ar = read_in("rejected", stem);
    CU_ASSERT_PTR_NOT_NULL(ar);
    if (ar)
        CU_ASSERT_PTR_NOT_NULL(strstr(ar, longname));   /* the original name */
    free(ar);

    /* the symlink attack: the target is never written */
    snprintf(target, sizeof target, "%s/target", top);
    CU_ASSERT_FATAL(fs_write_str(target, "precious\n"));
    path_of(p, sizeof p, "rejected", "evil.xml.reason.tmp");
    CU_ASSERT_FATAL(symlink(target, p) == 0);
    path_of(p, sizeof p, "rejected", "evil.xml.reason");
    CU_ASSERT_FATAL(symlink(target, p) == 0);
    reject_one(&sp, "evil.xml", "<bad", "malformed");
    a = fs_read(target, NULL);
    CU_ASSERT_STRING_EQUAL(a, "precious\n");
    free(a);
    a = read_in("rejected", "evil.xml~1.reason");
    CU_ASSERT_PTR_NOT_NULL(a);
    if (a)
        CU_ASSERT_STRING_EQUAL(a, "malformed\n");
    free(a);

    /* bounded: the oldest are pruned */
    size_t before = fs_count_entries(sp.rejected);
    for (int i = 0; i < EXC_SPOOL_REJECTED_MAX; i++) {
        char n[32];
        snprintf(n, sizeof n, "f%04d.xml", i);
        path_of(p, sizeof p, "rejected", n);
        CU_ASSERT_FATAL(fs_write_str(p, "x"));
    }
    /* the first ones are older */
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    path_of(p, sizeof p, "rejected", "same.xml.reason");
    CU_ASSERT_FATAL(utimensat(AT_FDCWD, p, old, AT_SYMLINK_NOFOLLOW) == 0);
    exc_spool_close(&sp);
    exc_spool_open(&sp, spool);   /* counts rejected/ again */
    reject_one(&sp, "new.xml", "n", "newest");
    size_t after = 0;
    DIR *d = opendir(sp.rejected);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.' && !strstr(de->d_name, ".reason"))
            after++;
    closedir(d);
    CU_ASSERT_TRUE(after <= EXC_SPOOL_REJECTED_MAX);
    CU_ASSERT_TRUE(after >= EXC_SPOOL_REJECTED_MAX * 8 / 10);
    /* 5 rejected files (and a planted link) before, the 1000 added, new.xml */
    CU_ASSERT_EQUAL(before, 10);
    CU_ASSERT_TRUE(sp.pruned > 0);
    CU_ASSERT_EQUAL(sp.pruned + after, 5 + EXC_SPOOL_REJECTED_MAX + 1);
    CU_ASSERT_FALSE(fs_exists(p));   /* the oldest went, with its reason */
    a = read_in("rejected", "new.xml.reason");
    CU_ASSERT_PTR_NOT_NULL(a);
    free(a);
    exc_spool_close(&sp);
    teardown_dir();
}

/* issue 9.10: a file written under its final name (cp, >>) is taken once it
 * is closed and quiet for EXC_SPOOL_QUIET_MS; appends in a row make one
 * file; a file renamed in is taken at once. */
static void test_written_in_place(void)
{
    char p[1300];
    exc_spool sp;
    open_new(&sp);
    exc_spool_entry e;
    path_of(p, sizeof p, "reports", "direct.xml");
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, "<exchange", 9) == 9);
    CU_ASSERT_FALSE(listed(&sp, "direct.xml", &e));   /* still open */
    CU_ASSERT_FATAL(write(fd, "Status/>", 8) == 8);
    close(fd);
    int64_t closed = exc_now_ms();
    CU_ASSERT_FALSE(listed(&sp, "direct.xml", &e));   /* closed, not quiet yet */
    CU_ASSERT_TRUE(exc_spool_next_ready(&sp) >= closed + EXC_SPOOL_QUIET_MS - 50);
    /* an append (>>) within the quiet period extends it */
    FILE *f = fopen(p, "a");
    CU_ASSERT_FATAL(f != NULL);
    fputs("\n", f);
    fclose(f);
    int64_t appended = exc_now_ms();
    /* meanwhile a renamed file is taken at once -- one named before it; one
     * named after it waits for it (name order) */
    put("reports", "a-renamed.xml", "<x/>");
    CU_ASSERT_TRUE(listed(&sp, "a-renamed.xml", &e));
    put("reports", "z-renamed.xml", "<x/>");
    CU_ASSERT_FALSE(listed(&sp, "z-renamed.xml", &e));
    int64_t end = exc_mono_ms() + 10000;
    bool got = false;
    while (!got && exc_mono_ms() < end) {
        got = listed(&sp, "direct.xml", &e);
        if (!got) {
            int64_t wait = exc_spool_next_ready(&sp) - exc_now_ms();
            struct pollfd none;
            poll(&none, 0, wait > 0 && wait < 2000 ? (int)wait : 20);
        }
    }
    CU_ASSERT_TRUE(got);
    CU_ASSERT_TRUE(exc_now_ms() >= appended + EXC_SPOOL_QUIET_MS);
    CU_ASSERT_EQUAL(e.size, 18);   /* the whole file, appends included */
    CU_ASSERT_TRUE(listed(&sp, "z-renamed.xml", &e));
    exc_spool_close(&sp);
    teardown_dir();
}

/* issue 14: once a listing recorded every file, the scans list the inotify
 * records instead of reading the directory -- and still see every file: a
 * new one, none that a writer deleted, and, after the directory was
 * replaced, what the new one holds (the tracking starts over). */
static void test_tracked_listing(void)
{
    char p[1300], moved[1300];
    exc_spool sp;
    open_new(&sp);
    exc_spool_entry e;
    put("reports", "a.xml", "<a/>");
    CU_ASSERT_TRUE_FATAL(listed(&sp, "a.xml", &e));   /* the directory read */
    CU_ASSERT_TRUE(sp.tracked[EXC_SPOOL_REPORT]);
    CU_ASSERT_TRUE(exc_spool_remove(&e));
    CU_ASSERT_FALSE(listed(&sp, "a.xml", &e));        /* from the records */
    CU_ASSERT_EQUAL(sp.n_seen, 0);
    put("reports", "b.xml", "<b/>");
    CU_ASSERT_TRUE(listed(&sp, "b.xml", &e));
    CU_ASSERT_TRUE(sp.tracked[EXC_SPOOL_REPORT]);
    path_of(p, sizeof p, "reports", "b.xml");
    CU_ASSERT_FATAL(unlink(p) == 0);                  /* a writer deleted it */
    CU_ASSERT_FALSE(listed(&sp, "b.xml", &e));
    /* reports/ moved away, a new one with a file in it */
    path_of(p, sizeof p, "reports", "");
    p[strlen(p) - 1] = '\0';
    snprintf(moved, sizeof moved, "%s/old-reports", top);
    CU_ASSERT_FATAL(rename(p, moved) == 0);
    CU_ASSERT_FATAL(mkdir(p, 0750) == 0);
    put("reports", "c.xml", "<c/>");
    /* unseen by inotify, it is taken by its mtime once quiet: made old */
    path_of(p, sizeof p, "reports", "c.xml");
    struct timespec old[2] = {{time(NULL) - 10, 0}, {time(NULL) - 10, 0}};
    CU_ASSERT_FATAL(utimensat(AT_FDCWD, p, old, 0) == 0);
    CU_ASSERT_TRUE(listed(&sp, "c.xml", &e));
    CU_ASSERT_TRUE(listed(&sp, "c.xml", &e));   /* the second time from its record */
    put("reports", "d.xml", "<d/>");                  /* watched again */
    CU_ASSERT_TRUE(listed(&sp, "d.xml", &e));
    CU_ASSERT_TRUE(sp.tracked[EXC_SPOOL_REPORT]);
    exc_spool_close(&sp);
    teardown_dir();
}

/* Thousands of files renamed in: each one found through the index of
 * seen records (a file without its record would wait out the quiet period:
 * the scan would stop short at it), and the records dropped in any order
 * -- a writer deleting every third, then the rest taken -- leave exactly
 * the others findable. */
static void test_many_seen(void)
{
    enum { N = 3000 };
    exc_spool sp;
    open_new(&sp);
    char name[64], p[1300];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "R-%05d.xml", i);
        put("reports", name, "<r/>");
    }
    exc_spool_entry *files = NULL;
    size_t n = exc_spool_scan(&sp, &files, 4 * N);
    CU_ASSERT_EQUAL(n, N);
    free(files);
    CU_ASSERT_TRUE(sp.tracked[EXC_SPOOL_REPORT]);
    CU_ASSERT_EQUAL(sp.n_seen, N);
    for (int i = 0; i < N; i += 3) {
        snprintf(name, sizeof name, "R-%05d.xml", i);
        path_of(p, sizeof p, "reports", name);
        CU_ASSERT_FATAL(unlink(p) == 0);
    }
    n = exc_spool_scan(&sp, &files, 4 * N);
    CU_ASSERT_EQUAL_FATAL(n, N - (N + 2) / 3);
    CU_ASSERT_EQUAL(sp.n_seen, n);
    for (size_t k = 0; k < n; k++) {
        int want = (int)(k / 2 * 3 + k % 2 + 1);   /* 1, 2, 4, 5, 7, ... */
        snprintf(name, sizeof name, "R-%05d.xml", want);
        CU_ASSERT_STRING_EQUAL(files[k].name, name);
    }
    for (size_t k = n; k-- > 0;)   /* the last first: another order of drops */
        CU_ASSERT_TRUE(exc_spool_remove(&files[k]));
    free(files);
    n = exc_spool_scan(&sp, &files, 4 * N);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(sp.n_seen, 0);
    free(files);
    put("reports", "again.xml", "<r/>");
    n = exc_spool_scan(&sp, &files, 4 * N);
    CU_ASSERT_TRUE(n == 1 && strcmp(files[0].name, "again.xml") == 0);
    free(files);
    exc_spool_close(&sp);
    teardown_dir();
}

void exc_register_tests(void)
{
    char err[64];
    bool used;
    exc_log_option("n", NULL, &used, err, sizeof err);   /* expected errors stay quiet */
    CU_pSuite s = CU_add_suite("spool", NULL, NULL);
    CU_add_test(s, "open creates reports/, events/, rejected/ (and again when removed)",
                test_open_creates_dirs);
    CU_add_test(s, "a spool path that is a file is logged and retried, not fatal",
                test_open_on_a_file_is_not_fatal);
    CU_add_test(s, "name order across reports/ and events/; dot-files ignored, dirs typed",
                test_scan_order_and_ignored);
    CU_add_test(s, "inotify wakes up on a rename", test_inotify_wakeup);
    CU_add_test(s, "tracked listing: every file seen without reading the directory",
                test_tracked_listing);
    CU_add_test(s, "thousands of files: each found by its record, records dropped in any order",
                test_many_seen);
    CU_add_test(s, "reject: moved with a one-line NAME.reason; remove", test_reject_and_remove);
    CU_add_test(s, "non-regular entries typed and rejected; no blocking open (9.4)",
                test_non_regular);
    CU_add_test(s, "rejected evidence kept, shortened, never via symlinks, bounded (9.5, 9.11)",
                test_rejected_evidence);
    CU_add_test(s, "files written in place: taken once closed and quiet (9.10)",
                test_written_in_place);
}
