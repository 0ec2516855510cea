/* Unit tests of the spool directory (spool.c, SPEC §3 "Inputs: the spool"):
 * subdirectories created (also when removed later), dot-files and
 * non-files ignored, name order across reports/ and events/, the inotify
 * wake-up on a rename, rejected/ with a one-line NAME.reason, deletes. */
#include "fsutil.h"

#include <poll.h>
#include <time.h>

#include "cu_main.h"
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
    setup_dir();
    char spool[1200], p[1300];
    snprintf(spool, sizeof spool, "%s/spool", top);
    exc_spool sp;
    exc_spool_open(&sp, spool);
    put("reports", "20261122-0002.xml", "r2");
    put("events", "20261122-0001.xml", "e1");
    put("reports", "20261122-0003.xml", "r3");
    put("events", "20261122-0003.xml", "e3");   /* same name: reports first */
    put("reports", "20261122-0001b.xml", "r1b");
    put("events", "20261122-0004.xml", "e4");
    /* ignored: dot-files (a writer's temporary), sub-directories, and
     * anything in rejected/ */
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
    };
    CU_ASSERT_EQUAL_FATAL(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(f[i].kind, want[i].kind);
        CU_ASSERT_STRING_EQUAL(f[i].name, want[i].name);
        char expect[1300];
        path_of(expect, sizeof expect, want[i].kind == EXC_SPOOL_REPORT ? "reports" : "events",
                want[i].name);
        CU_ASSERT_STRING_EQUAL(f[i].path, expect);
    }
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
    setup_dir();
    char spool[1200];
    snprintf(spool, sizeof spool, "%s/spool", top);
    exc_spool sp;
    exc_spool_open(&sp, spool);
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
    setup_dir();
    char spool[1200], p[1300];
    snprintf(spool, sizeof spool, "%s/spool", top);
    exc_spool sp;
    exc_spool_open(&sp, spool);
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
    CU_add_test(s, "name order across reports/ and events/; dot-files, dirs ignored",
                test_scan_order_and_ignored);
    CU_add_test(s, "inotify wakes up on a rename", test_inotify_wakeup);
    CU_add_test(s, "reject: moved with a one-line NAME.reason; remove", test_reject_and_remove);
}
