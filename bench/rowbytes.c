/* bench-rowbytes: heap bytes per row of the model and of a snapshot.
 *
 *   bench-rowbytes FILE
 *       parses one report (bench/gen-big-report's), applies it to a fresh
 *       model and builds a snapshot, and prints the heap in use (glibc
 *       mallinfo2) after each step: the parsed report (transient), the model
 *       once the report is freed, one snapshot; each also per row (connectors
 *       + queues + COM ports + claimants), and the peak RSS (ru_maxrss).  The
 *       figures of docs/performance.md "Memory per row". */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "alarms.h"
#include "model.h"
#include "report.h"
#include "snapshot.h"
#include "util.h"

/* in use: small chunks plus mmap()ed large blocks */
static size_t heap(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* ru_maxrss: the peak resident set in KiB on Linux (ru_maxrss) */
static long peak_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-rowbytes REPORT\n");
        return 2;
    }
    exc_model m;
    exc_model_init(&m, 3);
    exc_alarms a;
    exc_alarms_init(&a, 500, 2, 1000, true);
    size_t h0 = heap();
    exc_report r;
    exc_err err = {0};
    if (!exc_report_parse_file(argv[1], 0, &r, &err)) {
        fprintf(stderr, "bench-rowbytes: %s: %s\n", argv[1], err.msg);
        return 1;
    }
    size_t rows = r.n_connectors + r.n_queues + r.n_comports;
    for (size_t i = 0; i < r.n_comports; i++)
        rows += r.comports[i].n_claimants;
    size_t h_parsed = heap();
    if (!exc_model_apply_report(&m, &r, exc_now_ms(), &err)) {
        fprintf(stderr, "bench-rowbytes: %s\n", err.msg);
        return 1;
    }
    exc_report_free(&r);
    size_t h_model = heap();
    exc_snapshot *s = exc_snapshot_build(&m, &a, NULL, 1);
    size_t h_snap = heap();
    printf("rows=%zu\n", rows);
    printf("report_bytes=%zu\nreport_bytes_per_row=%.1f\n", h_parsed - h0,
           (double)(h_parsed - h0) / (double)rows);
    printf("model_bytes=%zu\nmodel_bytes_per_row=%.1f\n", h_model - h0,
           (double)(h_model - h0) / (double)rows);
    printf("snapshot_bytes=%zu\nsnapshot_bytes_per_row=%.1f\n", h_snap - h_model,
           (double)(h_snap - h_model) / (double)rows);
    printf("peak_rss_kib=%ld\n", peak_rss_kib());
    exc_snapshot_free(s);
    exc_model_free(&m);
    exc_alarms_free(&a);
    return 0;
}
