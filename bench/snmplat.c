/* bench-snmplat: SNMP GET latency probe.
 *
 *   bench-snmplat [-c COMMUNITY] [-i INTERVAL_MS] [-d MAX_SECONDS] [-r READY_FILE]
 *                 HOST:PORT OID...
 *
 * Sends one GET (all OIDs in one PDU) after another, INTERVAL_MS apart
 * (default 10), each timed from send to response, until SIGINT/SIGTERM or
 * MAX_SECONDS (default 120).  A timeout (2 s, no retry) counts as a 2000 ms
 * sample and as a failure.  Prints key=value lines: samples, failures,
 * median_ms, p99_ms, max_ms.  READY_FILE is created after the first answer
 * (so a driver knows the probe is running).  Numeric OIDs only. */
#define _GNU_SOURCE
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *community = "public", *ready = NULL;
    int interval_ms = 10, max_s = 120, c;
    while ((c = getopt(argc, argv, "c:i:d:r:")) != -1) {
        switch (c) {
        case 'c': community = optarg; break;
        case 'i': interval_ms = atoi(optarg); break;
        case 'd': max_s = atoi(optarg); break;
        case 'r': ready = optarg; break;
        default: goto usage;
        }
    }
    if (argc - optind < 2) {
    usage:
        fprintf(stderr, "usage: bench-snmplat [-c COMMUNITY] [-i MS] [-d SECONDS] "
                        "[-r READY_FILE] HOST:PORT OID...\n");
        return 2;
    }
    setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    init_snmp("bench-snmplat");
    netsnmp_session s;
    snmp_sess_init(&s);
    s.peername = argv[optind];
    s.version = SNMP_VERSION_2c;
    s.community = (u_char *)community;
    s.community_len = strlen(community);
    s.timeout = 2000000;
    s.retries = 0;
    netsnmp_session *ss = snmp_open(&s);
    if (!ss) {
        snmp_perror("snmp_open");
        return 2;
    }
    int n_oids = argc - optind - 1;
    oid names[16][MAX_OID_LEN];
    size_t lens[16];
    if (n_oids > 16)
        n_oids = 16;
    for (int i = 0; i < n_oids; i++) {
        lens[i] = MAX_OID_LEN;
        if (!read_objid(argv[optind + 1 + i], names[i], &lens[i])) {
            fprintf(stderr, "bench-snmplat: bad OID %s\n", argv[optind + 1 + i]);
            return 2;
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    size_t cap = 1 << 16, n = 0, failures = 0;
    double *lat = malloc(cap * sizeof *lat);
    double end = now_ms() + max_s * 1e3;
    bool announced = false;
    while (!stop && now_ms() < end && n < cap) {
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET), *resp = NULL;
        for (int i = 0; i < n_oids; i++)
            snmp_add_null_var(pdu, names[i], lens[i]);
        double t0 = now_ms();
        int st = snmp_synch_response(ss, pdu, &resp);
        double dt = now_ms() - t0;
        bool ok = st == STAT_SUCCESS && resp && resp->errstat == SNMP_ERR_NOERROR &&
                  resp->variables && resp->variables->type != SNMP_NOSUCHOBJECT &&
                  resp->variables->type != SNMP_NOSUCHINSTANCE;
        if (resp)
            snmp_free_pdu(resp);
        if (st == STAT_TIMEOUT)
            dt = 2000;
        if (stop && st != STAT_SUCCESS)
            break;   /* interrupted mid-request: not a sample */
        lat[n++] = dt;
        if (!ok)
            failures++;
        if (ok && !announced && ready) {
            FILE *f = fopen(ready, "w");
            if (f)
                fclose(f);
            announced = true;
        }
        if (interval_ms > 0)
            usleep((useconds_t)interval_ms * 1000);
    }
    snmp_close(ss);
    if (n == 0) {
        printf("samples=0\n");
        return 1;
    }
    qsort(lat, n, sizeof *lat, cmp_double);
    size_t p99 = (size_t)((double)(n - 1) * 0.99 + 0.5);
    printf("samples=%zu\nfailures=%zu\nmedian_ms=%.3f\np99_ms=%.3f\nmax_ms=%.3f\n", n, failures,
           lat[n / 2], lat[p99], lat[n - 1]);
    free(lat);
    return failures ? 1 : 0;
}
