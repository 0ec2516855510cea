/* bench-ingest: exconn's ingestion path, timed, outside the agent.
 *
 *   bench-ingest [--kb DIR] [--repeat K] FILE...
 *       parse + apply: for every file, in the order given, what the worker
 *       does with it -- reports: exc_report_parse_file, exc_model_apply_report,
 *       exc_rules_eval_server; events (a file under a directory named
 *       "events"): exc_events_parse_file, exc_model_note_event,
 *       exc_rules_on_event -- into a fresh model each repeat.  No spool, no
 *       state commit: the like-for-like counterpart of
 *       `xmllint --stream --noout FILE...` (which only parses).
 *
 *   bench-ingest --engine SPOOL --state DIR [--kb DIR] --reports R --events E
 *       the real worker (exc_engine_start) over a spool that already holds
 *       the batch: directory scan, parse, apply, rules, state commit (fsync)
 *       every 256 files, snapshot publication, deletion of the files; timed
 *       from the start until a snapshot shows R reports and E events
 *       accepted.
 *
 *   bench-ingest --measure CMD [ARG...]
 *       run CMD (fork+exec from this small process, output to /dev/null) and
 *       print its wall time, CPU time and peak RSS (wait4's rusage): how bench/run
 *       measures xmllint.  (From Python the figure would include Python's own
 *       RSS, which a child keeps as its high-water mark across exec.)
 *
 * Prints key=value lines: files, seconds (median wall time), cpu_seconds,
 * peak_rss_kib (VmHWM of this process), and counts.  Exit 1 when a file is
 * rejected (the generated estate must be accepted whole). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alarms.h"
#include "config.h"
#include "engine.h"
#include "event.h"
#include "kb.h"
#include "log.h"
#include "model.h"
#include "report.h"
#include "rules.h"
#include "snapshot.h"
#include "util.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            v = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bool is_event_file(const char *path)
{
    return strstr(path, "/events/") != NULL || strncmp(path, "events/", 7) == 0;
}

static void load_kb(const char *dir, exc_kb *kb)
{
    exc_err err = {0};
    if (!exc_kb_load_dir(dir, kb, &err)) {
        fprintf(stderr, "bench-ingest: KB %s: %s\n", err.file[0] ? err.file : dir, err.msg);
        exit(2);
    }
}

/* One pass: returns false when a file was rejected. */
static bool pass(char **files, int n, const exc_kb *kb, size_t *reports, size_t *events)
{
    exc_model m;
    exc_alarms a;
    exc_rules_cfg rc = {.stale_after = 900, .event_ttl = 86400, .stall_samples = 3};
    exc_model_init(&m, 3);
    exc_alarms_init(&a, 500, 2, 1000, true);
    bool ok = true;
    *reports = *events = 0;
    for (int i = 0; i < n; i++) {
        exc_err err = {0};
        int64_t now = exc_now_ms();
        if (is_event_file(files[i])) {
            exc_event_batch b;
            if (!exc_events_parse_file(files[i], 16777216, &b, &err)) {
                fprintf(stderr, "bench-ingest: %s: rejected: %s (line %d)\n", files[i],
                        err.msg, err.line);
                ok = false;
                continue;
            }
            for (size_t k = 0; k < b.n; k++) {
                exc_model_note_event(&m, b.events[k].server, now);
                exc_rules_on_event(&rc, kb, &m, &a, &b.events[k], now);
            }
            *events += b.n;
            exc_events_free(&b);
        } else {
            exc_report r;
            if (!exc_report_parse_file(files[i], 16777216, &r, &err)) {
                fprintf(stderr, "bench-ingest: %s: rejected: %s (line %d)\n", files[i],
                        err.msg, err.line);
                ok = false;
                continue;
            }
            char server[EXC_SERVER_BUF];
            memcpy(server, r.server, sizeof server);
            if (!exc_model_apply_report(&m, &r, now, &err)) {
                fprintf(stderr, "bench-ingest: %s: not applied: %s\n", files[i], err.msg);
                ok = false;
            }
            exc_report_free(&r);
            const exc_server *s = exc_model_find(&m, server);
            if (s)
                exc_rules_eval_server(&rc, kb, &m, &a, s, now);
            (*reports)++;
        }
    }
    printf("alarms_active=%zu\n", a.n_active);
    exc_alarms_free(&a);
    exc_model_free(&m);
    return ok;
}

static int run_parse(char **files, int n, const char *kb_dir, int repeat)
{
    exc_kb kb = {0};
    load_kb(kb_dir, &kb);
    double *t = calloc((size_t)repeat, sizeof *t);
    size_t reports = 0, events = 0;
    bool ok = true;
    double cpu0 = cpu_s();
    for (int r = 0; r < repeat; r++) {
        double t0 = now_s();
        ok = pass(files, n, &kb, &reports, &events) && ok;
        t[r] = now_s() - t0;
    }
    double cpu = (cpu_s() - cpu0) / repeat;
    qsort(t, (size_t)repeat, sizeof *t, cmp_double);
    printf("mode=parse\nfiles=%d\nreports=%zu\nevents=%zu\nrepeat=%d\n", n, reports, events,
           repeat);
    printf("seconds=%.6f\nseconds_min=%.6f\ncpu_seconds=%.6f\npeak_rss_kib=%ld\n",
           t[repeat / 2], t[0], cpu, peak_rss_kib());
    free(t);
    exc_kb_free(&kb);
    return ok ? 0 : 1;
}

static int run_engine(const char *spool, const char *state, const char *kb_dir,
                      unsigned long want_reports, unsigned long want_events)
{
    exc_config cfg;
    exc_config_defaults(&cfg);
    snprintf(cfg.spool_dir, sizeof cfg.spool_dir, "%s", spool);
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", state);
    snprintf(cfg.kb_dir, sizeof cfg.kb_dir, "%s", kb_dir);
    exc_kb kb = {0};
    load_kb(kb_dir, &kb);
    exc_err err = {0};
    double cpu0 = cpu_s(), t0 = now_s();
    exc_engine *e = exc_engine_start(&cfg, &kb, &err);
    if (!e) {
        fprintf(stderr, "bench-ingest: engine: %s\n", err.msg);
        return 2;
    }
    unsigned long got_r = 0, got_e = 0, rej = 0;
    double deadline = t0 + 600;
    while (now_s() < deadline) {
        exc_snapshot *s = exc_engine_take_snapshot(e);
        if (s) {
            got_r = s->reports_accepted;
            got_e = s->events_accepted;
            rej = s->reports_rejected + s->events_rejected;
            exc_snapshot_free(s);
            if ((got_r >= want_reports && got_e >= want_events) || rej)
                break;
        }
        usleep(1000);
    }
    double t = now_s() - t0;
    double cpu = cpu_s() - cpu0;
    exc_engine_stop(e);
    printf("mode=engine\nreports=%lu\nevents=%lu\nrejected=%lu\n", got_r, got_e, rej);
    printf("seconds=%.6f\ncpu_seconds=%.6f\npeak_rss_kib=%ld\n", t, cpu, peak_rss_kib());
    return got_r >= want_reports && got_e >= want_events && rej == 0 ? 0 : 1;
}

static int run_measure(char **cmd)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            close(fd);
        }
        execvp(cmd[0], cmd);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 2;
    }
    double user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    double sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("seconds=%.6f\ncpu_seconds=%.6f\nuser_seconds=%.6f\nsys_seconds=%.6f\n"
           "peak_rss_kib=%ld\nstatus=%d\n", now_s() - t0, user + sys, user, sys, ru.ru_maxrss,
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench-ingest [--kb DIR] [--repeat K] FILE...\n"
                    "       bench-ingest --measure CMD [ARG...]\n"
                    "       bench-ingest --engine SPOOL --state DIR [--kb DIR] "
                    "--reports R --events E\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *kb_dir = "kb", *spool = NULL, *state = NULL;
    unsigned long want_r = 0, want_e = 0;
    int repeat = 1, i = 1;
    if (argc > 2 && strcmp(argv[1], "--measure") == 0)
        return run_measure(argv + 2);
    exc_log_option("n", NULL, &(bool){false}, (char[8]){0}, 8);   /* quiet */
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--kb") == 0)
            kb_dir = argv[++i];
        else if (strcmp(argv[i], "--repeat") == 0)
            repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--engine") == 0)
            spool = argv[++i];
        else if (strcmp(argv[i], "--state") == 0)
            state = argv[++i];
        else if (strcmp(argv[i], "--reports") == 0)
            want_r = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--events") == 0)
            want_e = strtoul(argv[++i], NULL, 10);
        else
            usage();
    }
    if (repeat < 1)
        repeat = 1;
    if (spool) {
        if (!state)
            usage();
        return run_engine(spool, state, kb_dir, want_r, want_e);
    }
    if (i >= argc)
        usage();
    return run_parse(argv + i, argc - i, kb_dir, repeat);
}
